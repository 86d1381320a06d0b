"""Facts about a quarter that several documents state: cut-offs, rules, sources.

Everything here is derived from the methodology results and the
configuration, so that prose never carries a typed-in number.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..methodology import CONFIGURED, GIVEN, POOLED, Cutoffs, QuarterResult
from ..model import Table
from . import text as T

BASIS_WORDS = {
    "NHSE": "stated by NHS England",
    "verified": "stated or implied by NHS England and reproduced exactly from the published files",
    "inferred": "an assumption read from patterns in the published data, not stated by NHS England",
}


def cutoff_sentence(cut: Cutoffs) -> str:
    """Where this quarter's segment cut-offs came from, in one sentence."""
    if cut.source == POOLED and cut.values is not None:
        a, b, c = (f"{v:.2f}" for v in cut.values)
        return (f"The cut-offs were recomputed from the average scores of every trust of every type this quarter "
                f"(the 25th, 50th and 75th percentiles): {a}, {b} and {c}.")
    if cut.source in (CONFIGURED, GIVEN) and cut.values is not None:
        a, b, c = (f"{v:.2f}" for v in cut.values)
        where = "the methodology configuration" if cut.source == CONFIGURED else "the person who built this document"
        return f"The cut-offs {a}, {b} and {c} were set by {where}, not recomputed from the data."
    return ("Not every trust type is in the input, so the cut-offs, which pool all trusts of all types, could "
            "not be recomputed: the unadjusted segments are NHS England's published ones. Among the trusts here, "
            "each cut-off lies between the highest average in the better segment and the lowest in the worse one, "
            "as the table shows.")


def cutoff_table(cut: Cutoffs, caption: str) -> Table:
    """The cut-offs table. A column with no figure in any row is left out (the sentence before the table says
    why), so no column is a list of placeholders."""
    rows = cutoff_rows(cut)
    keep = [0] + [k for k in range(1, len(CUTOFF_COLUMNS)) if any(row[k] != T.NO_DATA for row in rows)]
    return Table(caption=caption, columns=tuple(CUTOFF_COLUMNS[k] for k in keep),
                 rows=tuple(tuple(row[k] for k in keep) for row in rows),
                 numeric=tuple(k > 0 for k in keep), id="cutoffs")


def cutoff_rows(cut: Cutoffs) -> tuple[tuple[str, ...], ...]:
    rows = []
    for k in (1, 2, 3):
        label = f"Segment {k} and segment {k + 1}"
        value = f"{cut.values[k - 1]:.2f}" if cut.values is not None else T.NO_DATA
        hi, lo = cut.brackets[k - 1] if cut.brackets else (float("nan"), float("nan"))
        rows.append((label, value, T.score(hi), T.score(lo)))
    return tuple(rows)


CUTOFF_COLUMNS = ("Boundary", "Cut-off", "Highest average in the better segment",
                  "Lowest average in the worse segment")


@dataclass(frozen=True)
class RuleFacts:
    """The configured rules, in the words the prose templates use."""

    score_min: str
    score_max: str
    decimals: int
    domains: tuple[str, ...]
    combined: tuple[str, ...]
    override_from: str
    override_to: int
    recovery_segment: int
    tolerance: str
    title: str
    fixed_cutoffs: tuple[str, ...]  # the configured cut-offs when segments use fixed thresholds, else ()


def rule_facts(config: Config) -> RuleFacts:
    lo, hi = config.score_range
    ov = config["override"]
    combined = []
    for c in config.combined:
        members = T.join_words(list(c.members))
        if c.method == "replace":
            combined.append(f"{c.name} ({c.id}) stands in for its parts ({members})")
        else:
            combined.append(f"{c.name} ({members}) count as one score, their mean")
    return RuleFacts(
        score_min=f"{lo:.2f}", score_max=f"{hi:.2f}", decimals=config.decimals,
        domains=tuple(d.name for d in config.domains), combined=tuple(combined),
        override_from=T.join_words([str(s) for s in ov["deficit_segments"]]).replace(" and ", " or "),
        override_to=int(ov["to_segment"]), recovery_segment=int(config["recovery_support"]["segment"]),
        tolerance=f"{config.tolerance:.2f}", title=config.title,
        fixed_cutoffs=tuple(f"{float(c):.2f}" for c in config["segmentation"]["cutoffs"])
        if config["segmentation"]["method"] == "fixed" else (),
    )


def assumptions(config: Config) -> list[str]:
    """The rules marked inferred, as sentences for the "where the figures come from" section."""
    out = []
    seg = config["segmentation"]
    if seg.get("basis") == "inferred" and seg["method"] == "pooled-quartiles":
        out.append("Where we work out the cut-offs, we take the points a quarter, half and three quarters of the "
                   "way up all the averages. An average equal to a cut-off goes in the better segment. NHS England "
                   "says only that averages are \"quartiled\".")
    if config["domain_ranking"].get("basis") == "inferred":
        out.append("In the tables for each area, trusts with the same score share the same rank. NHS England has "
                   "not said how it breaks ties there.")
    if "changes" in config.raw and config["changes"].get("basis") == "inferred":
        out.append(f"A change in average of more than {config.change_threshold:.2f} counts as a change in score. "
                   f"NHS England does not publish the size it uses.")
    inferred = sorted(k for k, v in config["metrics"].items() if v.get("basis") == "inferred")
    if inferred:
        out.append(f"To check scores, we work some out again from raw values. For {len(inferred)} measures we had to "
                   f"guess which trusts are ranked together. The tables use NHS England's own scores, so this "
                   f"affects only the check.")
    out.append("The likely ranges are NHS England's figures, shown unchanged. NHS England has not said how it works "
               "them out.")
    return out


def result_counts(result: QuarterResult, config: Config) -> dict[str, dict]:
    """Trusts per type and segment, for tables, charts and prose."""
    t = result.trusts
    out = {}
    for ttype in result.trust_types:
        g = t[t.trust_type == ttype]
        out[ttype] = {
            "n": len(g),
            "plural": config.plural(ttype),
            "segments": {k: int((g.final_segment == k).sum()) for k in range(1, 6)},
        }
    return out
