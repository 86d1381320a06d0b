"""The national league-table document, in the order its readers ask: main points,
what the tables are, a contents list, where to find a trust, the tables, what
they can and cannot tell you (in this quarter's numbers), how they are derived,
what changed and why, the tables for each area, sources, and how to get in
touch."""
from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..changes import (
    AVERAGE_MOVED,
    BELOW_THRESHOLD,
    CUTOFF_MOVED,
    OVERRIDE_APPLIED,
    OVERRIDE_REMOVED,
    REASONS,
    cutoff_bounds,
    segment_changes,
)
from ..config import Config
from ..downloads.links import national_section as downloads_section
from ..methodology import CONFIGURED, GIVEN, POOLED, QuarterResult, rounded
from ..model import (
    Bar,
    BarChart,
    Block,
    BulletList,
    Caterpillar,
    Cutoff,
    Document,
    Figure,
    Link,
    Note,
    Paragraph,
    Run,
    Section,
    StripPoint,
    Table,
)
from ..outputs import PACKS_DIR
from ..quarters import end_date, previous, slug, sort_key
from ..reconcile import MATCH, MISMATCH, ROUNDING, Reconciliation
from . import facts as F
from . import limits as L
from . import prose
from . import text as T
from .readability import section_readings

NATIONAL_NAME = "league-tables"


@dataclass(frozen=True)
class Context:
    """Everything a document is built from."""

    config: Config
    results: dict[str, QuarterResult]  # every quarter in the input
    quarter: str
    reconciliation: Reconciliation  # for the chosen quarter
    fictional: bool
    sources: tuple[str, ...]  # names of the input files
    metrics: pd.DataFrame  # the tidy metrics frame of the input (every quarter)
    site_url: str = ""  # the published site's address (--site-url), for links in PDF and Word files

    @cached_property
    def quarter_metrics(self) -> pd.DataFrame:
        """The metrics rows of the chosen quarter."""
        return self.metrics[self.metrics.quarter == self.quarter]

    @cached_property
    def memo(self) -> dict:
        """What is derived from this context alone, made on first use and kept for the process
        (``content.peers``): not a field, so it takes no part in comparing or printing a context."""
        return {}

    @property
    def result(self) -> QuarterResult:
        return self.results[self.quarter]

    @property
    def previous(self) -> QuarterResult | None:
        p = previous(self.quarter, list(self.results))
        return self.results[p] if p else None


def fictional_note() -> Note:
    return Note("Fictional example data", (Paragraph.of(
        "Every trust, name, code and figure here is made up. It shows what reportgen makes. It says nothing "
        "about any real NHS trust."),), kind="warning")


FORMAT_WORDS = {"html": "web page", "pdf": "PDF", "docx": "Word document"}


def format_links(name: str, formats: tuple[str, ...], what: str = "document") -> tuple[Link, ...]:
    """Links to the same document in each built format: "This document as a PDF"."""
    return tuple(Link(f"This {what} as a {FORMAT_WORDS[f]}", f"{name}.{f}") for f in formats)


def opening(ctx: Context, title: str) -> tuple[str, list]:
    """A document's title and first blocks: both say so when the input is fictional example data."""
    if ctx.fictional:
        return f"{title} (fictional example data)", [fictional_note()]
    return title, []


# ---------------------------------------------------------------------------
# Small helpers

_MONTHS = {1: ("1 April", "30 June"), 2: ("1 July", "30 September"), 3: ("1 October", "31 December"),
           4: ("1 January", "31 March")}


def quarter_period(label: str) -> str:
    """ "Q4 2025/26" -> "1 January to 31 March 2026"."""
    year, q = sort_key(label)
    first, last = _MONTHS[q]
    return f"{first} to {last} {year + 1 if q == 4 else year}"


def range_2dp(value) -> str:
    """A published likely range of average score to 2 decimal places: "1.20 to 1.89"."""
    parsed = L.parse_range(value)
    return T.NO_DATA if parsed is None else f"{parsed[0]:.2f} to {parsed[1]:.2f}"


def rank_range(value) -> str:
    parsed = L.parse_range(value)
    return T.NO_DATA if parsed is None else f"{parsed[0]:.0f} to {parsed[1]:.0f}"


def ranges_loaded(t: pd.DataFrame) -> bool:
    """Whether NHS England's league-table file, with its likely ranges, is in the input for these trusts."""
    return bool(t.likely_range_of_rank.notna().any() or t.likely_range_of_average_score.notna().any())


def row_id(code: str) -> str:
    return f"row-{code}"


def _short_name(name: str) -> str:
    for tail in (" NHS Foundation Trust", " NHS Trust", " University NHS Foundation Trust"):
        if name.endswith(tail):
            return name[: -len(tail)]
    return name


def last_placements(ctx: Context) -> tuple[str, pd.DataFrame] | None:
    """The latest earlier quarter whose file says who was in the Recovery Support Programme, and those trusts."""
    seg = ctx.config["recovery_support"]["segment"]
    earlier = [q for q in ctx.results if q != ctx.quarter and sort_key(q) < sort_key(ctx.quarter)]
    for q in sorted(earlier, key=sort_key, reverse=True):
        t = ctx.results[q].trusts
        if t.recovery_published.any():
            now = set(ctx.result.trusts.trust_code)
            placed = t[(t.final_segment == seg) & t.trust_code.isin(now)]
            return q, placed.sort_values("trust_name")
    return None


# ---------------------------------------------------------------------------
# Tables


def tied_counts(t: pd.DataFrame) -> pd.Series:
    return t.groupby(["trust_type", "league_rank"])["trust_code"].transform("size") - 1


def segment_cell(row) -> str:
    adjusted = int(row.adjusted_segment)
    if int(row.final_segment) != adjusted:
        return f"Segment {int(row.final_segment)} (Recovery Support Programme; ranked in segment {adjusted})"
    if row.override_applied:
        return f"Segment {adjusted} (moved from {int(row.unadjusted_segment)} by the deficit rule)"
    return f"Segment {adjusted}"


def league_table(result: QuarterResult, ttype: str, config: Config) -> Table:
    t = result.trusts[result.trusts.trust_type == ttype]
    ties = tied_counts(t)
    loaded = ranges_loaded(t)
    columns: tuple[str, ...] = ("Trust", "Rank")
    numeric: tuple[bool, ...] = (False, True)
    if loaded:
        columns += ("Likely range of rank",)
        numeric += (True,)
    columns += ("Segment", "Average score")
    numeric += (False, True)
    if loaded:
        columns += ("Likely range of average score",)
        numeric += (True,)
    columns += ("In financial deficit",)
    numeric += (False,)
    rows = []
    for i, r in zip(t.index, t.itertuples()):
        cells = [f"{r.trust_name} ({r.trust_code})", T.rank_cell(r.league_rank, ties[i])]
        if loaded:
            cells.append(rank_range(r.likely_range_of_rank))
        cells += [segment_cell(r), T.score(r.average_score)]
        if loaded:
            cells.append(range_2dp(r.likely_range_of_average_score))
        cells.append(T.yes_no(r.deficit))
        rows.append(tuple(cells))
    return Table(
        caption=f"League table of {config.plural(ttype)}, {result.quarter}: {len(t)} trusts, best first",
        columns=columns, rows=tuple(rows), numeric=numeric, id=f"league-{T.slug(ttype)}",
        row_ids=tuple(row_id(c) for c in t.trust_code),
    )


def domain_table(result: QuarterResult, ttype: str, config: Config) -> Table:
    t = result.trusts[result.trusts.trust_type == ttype]
    d = result.domains[result.domains.trust_type == ttype]
    # each (trust, area)'s score, rank and size, looked up in a dict rather than a row of a frame each time
    found: dict[tuple[str, str], tuple] = {}
    for key in zip(d["trust_code"], d["domain"], d["score"], d["rank"], d["size"]):
        found.setdefault(key[:2], key[2:])
    names = [dom.name for dom in config.domains]
    columns = ["Trust"]
    for n in names:
        columns += [f"{n}: score", f"{n}: rank"]
    rows = []
    for r in t.itertuples():
        cells = [f"{r.trust_name} ({r.trust_code})"]
        for n in names:
            if (r.trust_code, n) in found:
                score, rank, size = found[(r.trust_code, n)]
                cells += [T.score(score), f"{int(rank)} of {int(size)}"]
            else:
                cells += [T.NO_DATA, T.NO_DATA]  # no score in the area, so no rank in it either
        rows.append(tuple(cells))
    return Table(
        caption=f"Scores and ranks for each area (domain) of {config.plural(ttype)}, {result.quarter}, in league "
                f"table order; a lower score and rank are better",
        columns=tuple(columns), rows=tuple(rows), numeric=(False,) + (True,) * (len(columns) - 1),
        id=f"domains-{T.slug(ttype)}",
    )


# ---------------------------------------------------------------------------
# 1. Main points


def main_points(ctx: Context, claims: list[L.Claim]) -> Section:
    r, cfg = ctx.result, ctx.config
    counts = F.result_counts(r, cfg)
    by = {(c.topic, c.trust_type): c for c in claims}
    points: list[str] = []
    points.append(" ".join(
        f"Of the {c['n']} {c['plural']}, {c['segments'][1]} {'is' if c['segments'][1] == 1 else 'are'} in "
        f"segment 1, with the fewest challenges, and "
        f"{c['segments'][4]} in segment 4, with the most." for c in counts.values()))
    held = sum(by[(L.DEFICIT, t)].facts["held"] for t in r.trust_types)
    in3 = sum(by[(L.DEFICIT, t)].facts["in_segment"] for t in r.trust_types)
    to = cfg["override"]["to_segment"]
    points.append(f"{held} of the {in3} trusts in segment {to} {'is' if held == 1 else 'are'} there only because "
                  f"{'it is' if held == 1 else 'they are'} in financial deficit. "
                  f"{'Its' if held == 1 else 'Their'} scores alone would place "
                  f"{'it' if held == 1 else 'them'} in segment 1 or 2.")
    prev = ctx.previous
    if prev is not None:
        changes = segment_changes(prev, r, cfg.change_threshold)
        small = int(changes.reason.isin([CUTOFF_MOVED, BELOW_THRESHOLD]).sum())
        common = len(set(prev.trusts.trust_code) & set(r.trusts.trust_code))
        points.append(f"{len(changes)} of the {common} trusts changed segment since {prev.quarter}. For {small} of "
                      f"them, the average moved by {cfg.change_threshold:.2f} or less.")
    for ttype in r.trust_types:
        c = by.get((L.RANKS, ttype))
        if c and c.facts["loaded"]:
            points.append(f"Ranks are uncertain. For half of the {c.facts['n']} {cfg.plural(ttype)}, the likely "
                          f"range of rank spans {L._num(c.facts['median_width'])} places or more.")
            break
    else:
        for ttype in r.trust_types:
            c = by.get((L.CASE_MIX, ttype))
            if c and "top10" in c.facts:
                f = c.facts["top10"]
                points.append(f"{f['in_top']} of the top {f['top']} {cfg.plural(ttype)} are "
                              f"{L.subtype_words(f['subtype'])} trusts, which make up {f['of_type']} of the "
                              f"{counts[ttype]['n']}. Scores are not adjusted for the services a trust runs.")
                break
    points.append(_recovery_point(ctx))
    return Section("Main points", (BulletList(tuple(Paragraph.of(p) for p in points[:6])),), id="main-points")


def _recovery_point(ctx: Context) -> str:
    r = ctx.result
    seg = ctx.config["recovery_support"]["segment"]
    if r.trusts.recovery_published.any():
        n = int((r.trusts.final_segment == seg).sum())
        return (f"{n} {'trust is' if n == 1 else 'trusts are'} in the Recovery Support Programme, NHS England's most "
                f"intensive support, and shown in segment {seg}.")
    before = last_placements(ctx)
    text = (f"NHS England's file for {r.quarter} does not say which trusts are in the Recovery Support Programme, so "
            f"no trust is shown in segment {seg}.")
    if before is not None:
        q, placed = before
        text += f" In {q}, {len(placed)} of these trusts were in it."
    return text


# ---------------------------------------------------------------------------
# 2. About these tables; 3. contents; 4. find a trust


def about_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    counts = F.result_counts(r, cfg)
    return Section("About these tables", prose.render(
        "about", rules=F.rule_facts(cfg), quarter=r.quarter, period=quarter_period(r.quarter),
        publisher=cfg.publisher, fictional=ctx.fictional, total=len(r.trusts),
        types=[f"{c['n']} {c['plural']}" for c in counts.values()],
    ), id="about")


def contents_section(sections: list[Section]) -> Section:
    items = tuple(Paragraph.of(Run(s.heading, href=f"#{s.id}")) for s in sections)
    return Section("Contents", (BulletList(items),), id="contents")


def find_a_trust(ctx: Context, packs: frozenset[str] | None) -> Section:
    r = ctx.result
    t = r.trusts.sort_values("trust_name", key=lambda s: s.str.casefold(), kind="stable")
    several = len(r.trust_types) > 1
    intro = "Trusts are listed from A to Z. Each name links to the trust's row in its league table."
    if packs is None or packs:
        intro += " On the website, a second link opens the trust's briefing pack."
    items = []
    for row in t.itertuples():
        name = f"{row.trust_name} ({row.trust_code})" + (f", {row.trust_type.lower()}" if several else "")
        parts: list[str | Run] = [Run(name, href=f"#{row_id(row.trust_code)}")]
        if packs is None or row.trust_code in packs:
            # named in plain words (no brackets to be read aloud), and unique out of context
            parts += [" ", Run(f"Briefing pack for {row.trust_code}", href=f"{PACKS_DIR}/{row.trust_code}.html",
                               optional=True)]
        items.append(Paragraph.of(*parts))
    return Section("Find a trust", (Paragraph.of(intro), BulletList(tuple(items))), id="find-a-trust")


# ---------------------------------------------------------------------------
# 5. The league tables, with the segment chart and a caterpillar chart per type


def segment_breakdown(r: QuarterResult, ttype: str | None = None) -> dict[str, int]:
    """Trusts placed by their scores in each segment, moved to segment 3 by the deficit rule, and in segment 5."""
    t = r.trusts if ttype is None else r.trusts[r.trusts.trust_type == ttype]
    rsp = t.final_segment != t.adjusted_segment
    held = t.override_applied & ~rsp
    out = {f"Segment {k}": int(((t.adjusted_segment == k) & ~held & ~rsp).sum()) for k in range(1, 5)}
    out["Segment 3: moved by the deficit rule"] = int(held.sum())
    if r.trusts.recovery_published.any():
        out["Segment 5: Recovery Support Programme"] = int(rsp.sum())
    return out


def segment_figure(ctx: Context) -> list:
    r = ctx.result
    parts = segment_breakdown(r)
    order = ["Segment 1", "Segment 2", "Segment 3", "Segment 3: moved by the deficit rule", "Segment 4"]
    if "Segment 5: Recovery Support Programme" in parts:
        order.append("Segment 5: Recovery Support Programme")
    labels = {k: (k if ":" in k else f"{k}: placed by scores") for k in order}
    total = len(r.trusts)
    held = parts["Segment 3: moved by the deficit rule"]
    # the caption states the message, for every reader; the alt says what is drawn; the table holds every number
    message = (f"Of {total} trusts, {held} {'is' if held == 1 else 'are'} in segment 3 because of the deficit rule, "
           f"not because of their scores." if held else
           f"None of the {total} trusts is in segment 3 because of the deficit rule.")
    chart = BarChart(bars=tuple(Bar(labels[k], parts[k], highlight=k.startswith("Segment 3:")) for k in order),
                     value_label="Number of trusts", category_label="Segment and how the trust was placed",
                     horizontal=True)
    columns = ("Trust type",) + tuple(labels[k] for k in order) + ("All",)
    rows = []
    for ttype in r.trust_types:
        b = segment_breakdown(r, ttype)
        rows.append((ctx.config.plural(ttype).capitalize(),) + tuple(str(b[k]) for k in order)
                    + (str(int((r.trusts.trust_type == ttype).sum())),))
    if len(r.trust_types) > 1:
        rows.append(("All types",) + tuple(str(parts[k]) for k in order) + (str(total),))
    table = Table(caption=f"Trusts in each segment, and how they were placed, {r.quarter}", columns=columns,
                  rows=tuple(rows), numeric=(False,) + (True,) * (len(columns) - 1), id="segment-counts")
    figure = Figure(chart, alt=f"The number of trusts of all types in each segment, {r.quarter}: placed by their "
                              f"scores, or moved to segment 3 by the deficit rule.",
                    caption=f"{message} The table below gives the numbers for each type.",
                    data=None, id="segment-chart")
    return [figure, table]


def caterpillar_figure(r: QuarterResult, ttype: str, config: Config) -> Figure | None:
    t = r.trusts[r.trusts.trust_type == ttype]
    if not ranges_loaded(t):
        return None
    points = []
    for row in t.itertuples():
        rng = L.parse_range(row.likely_range_of_average_score)
        points.append(StripPoint(label=f"{row.trust_name} ({row.trust_code})", value=float(row.average_score),
                                 low=rng[0] if rng else None, high=rng[1] if rng else None))
    bounds = cutoff_bounds(r.cutoffs)
    cutoffs = tuple(Cutoff(lo, hi) for lo, hi in bounds if not (math.isnan(lo) or math.isnan(hi)))
    claim = L.rank_uncertainty(r, ttype, config)
    f = claim.facts
    # the caption states the message, for every reader; the alt says what is drawn; the league table holds every
    # figure
    message = (f"For {'at least ' if not f['exact'] and f['crossing'] else ''}{f['crossing']} of the "
           f"{f['with_average_range']} {config.plural(ttype)}, the likely range of the average score crosses a "
           f"segment cut-off. Their segment could have been different.")
    chart = Caterpillar(points=tuple(points), value_label="Average score (1 best, 4 worst), with NHS England's "
                                                          "likely range",
                        cutoffs=cutoffs, segments=tuple(f"segment {k}" for k in range(1, len(cutoffs) + 2)))
    chart = dataclasses.replace(chart, key=f"In league table order, best {chart.best_where}. Dot: average score. "
                                           f"Line: likely range. Dashed lines: segment cut-offs this quarter.")
    return Figure(chart, alt=f"Average score and likely range of each of the {len(t)} {config.plural(ttype)}, "
                             f"{r.quarter}, best {chart.best_where}.",
                  caption=f"{message} The numbers are in the league table below.",
                  data=None, id=f"caterpillar-{T.slug(ttype)}")


def league_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    intro = ("Trusts are listed best first: by segment, then by average score. Trusts with the same segment and the "
             "same average to 2 decimal places share a rank, shown as \"(tied)\", and the next rank is skipped.")
    if T.NO_DATA in T.placeholders_used(*(league_table(r, ttype, cfg) for ttype in r.trust_types)):
        intro += f" \"{T.NO_DATA.capitalize()}\" means NHS England's files hold no such figure for the trust."
    blocks: list = [Paragraph.of(intro)]
    blocks += segment_figure(ctx)
    for ttype in r.trust_types:
        t = r.trusts[r.trusts.trust_type == ttype]
        sub: list = []
        fig = caterpillar_figure(r, ttype, cfg)
        if fig is not None:
            sub.append(fig)
        elif not ranges_loaded(t):
            sub.append(Paragraph.of(
                f"Likely ranges are not shown, because NHS England's league-table file for {cfg.plural(ttype)} "
                f"is not in the input. Add it to show how uncertain each rank is."))
        sub.append(league_table(r, ttype, cfg))
        if t.override_applied.any():
            sub.append(Paragraph.of(
                "Where a segment says it was moved by the deficit rule, the trust is in financial deficit. Its scores "
                "alone would place it in a better segment."))
        blocks.append(Section(cfg.plural(ttype).capitalize(), tuple(sub), id=f"league-{T.slug(ttype)}-section"))
    blocks.append(_recovery_section(ctx))
    return Section("League tables", tuple(blocks), id="league-tables")


def _recovery_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    seg = cfg["recovery_support"]["segment"]
    t = r.trusts
    if not t.recovery_published.any():
        text = (f"NHS England's file for {r.quarter} does not say which trusts are in the Recovery Support "
                f"Programme. So we cannot show segment {seg}. The segments shown come from scores and the deficit "
                f"rule.")
        body: list = [Paragraph.of(text)]
        before = last_placements(ctx)
        if before is not None:
            q, placed = before
            if placed.empty:
                body.append(Paragraph.of(f"The last file that says is for {q}. Then, none of these trusts was in it."))
            else:
                body.append(Paragraph.of(f"The last file that says is for {q}. Then, {len(placed)} of these trusts "
                                         f"were in it:"))
                body.append(BulletList(tuple(
                    Paragraph.of(Run(f"{p.trust_name} ({p.trust_code})", href=f"#{row_id(p.trust_code)}"))
                    for p in placed.itertuples())))
        return Section(f"Segment {seg}: the Recovery Support Programme", tuple(body), id="segment-5")
    placed = t[t.final_segment == seg]
    if placed.empty:
        none = Paragraph.of(f"No trust is in the Recovery Support Programme in {r.quarter}.")
        return Section(f"Segment {seg}: the Recovery Support Programme", (none,), id="segment-5")
    body = [
        Paragraph.of(f"{T.count(len(placed), 'trust')} {'is' if len(placed) == 1 else 'are'} in the Recovery "
                     f"Support Programme and shown in segment {seg}. NHS England decides this; it is not a score. "
                     f"Their league rank still uses the segment from 1 to 4 that their scores give."),
        BulletList(tuple(Paragraph.of(Run(f"{p.trust_name} ({p.trust_code}), {p.trust_type.lower()}, ranked in "
                                          f"segment {int(p.adjusted_segment)}", href=f"#{row_id(p.trust_code)}"))
                         for p in placed.sort_values("trust_name").itertuples())),
    ]
    return Section(f"Segment {seg}: the Recovery Support Programme", tuple(body), id="segment-5")


# ---------------------------------------------------------------------------
# 6. What they can and cannot tell you


def limits_section(ctx: Context, claims: list[L.Claim]) -> Section:
    """The template's general points around the quantified ones from ``limits``."""
    r, cfg = ctx.result, ctx.config
    cannot: list[Block] = [Paragraph.of("Each point below is worked out from this quarter's data.")]
    for topic in L.TOPICS:
        texts = [c.text for c in claims if c.topic == topic]  # each names its trust type
        if texts:
            cannot.append(Section(L.TITLES[topic].rstrip("."), tuple(Paragraph.of(x) for x in texts),
                                  id=f"limit-{topic}"))
    blocks = prose.render("can-and-cannot", rules=F.rule_facts(cfg), quarter=r.quarter,
                          types=[cfg.plural(x) for x in r.trust_types],
                          acute=any(t == "Acute trust" for t in r.trust_types))
    out = list(blocks[:2]) + [Section("What they cannot tell you", tuple(cannot), id="cannot")] + list(blocks[2:])
    return Section("What league tables can and cannot tell you", tuple(out), id="limits")


# ---------------------------------------------------------------------------
# 7. How they are derived, with the worked example


def rule_counts(config: Config) -> dict[str, int]:
    """How many of the year's metrics each scoring rule covers, and how many are ranked across trust types."""
    rules = [v.get("rule", "unknown") for v in config.raw["metrics"].values()]
    return {
        "total": len(rules),
        "rank": rules.count("rank"),
        "target": rules.count("target"),
        "steps_floor": rules.count("steps") + rules.count("floor"),
        "score_only": rules.count("unknown"),
        "pooled": sum(1 for v in config.raw["metrics"].values() if not isinstance(v.get("population", "type"), str)),
    }


def derivation_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    blocks = list(prose.render("how-derived", rules=F.rule_facts(cfg), quarter=r.quarter, counts=rule_counts(cfg),
                               others=len(cfg.trust_types) > 1))
    cutoffs = F.cutoff_table(r.cutoffs, f"Segment cut-offs on the average score, {r.quarter}")
    said = cutoff_sentence(r.cutoffs)
    if T.NO_DATA in T.placeholders_used(cutoffs):
        said += f" \"{T.NO_DATA.capitalize()}\" means the data do not show that figure."
    blocks.append(Section("This quarter's segment cut-offs", (Paragraph.of(said), cutoffs), id="cutoffs-section"))
    blocks.append(worked_example(ctx))
    return Section("How the league tables are derived", tuple(blocks), id="derivation")


def cutoff_sentence(cut) -> str:
    if cut.source == POOLED:
        a, b, c = (f"{v:.2f}" for v in cut.values)
        return f"We worked out this quarter's cut-offs from the averages of all trusts: {a}, {b} and {c}."
    if cut.source in (CONFIGURED, GIVEN):
        a, b, c = (f"{v:.2f}" for v in cut.values)
        who = "the year's rules" if cut.source == CONFIGURED else "the person who built this document"
        return f"The cut-offs {a}, {b} and {c} were set by {who}, not worked out from the data."
    return ("We used NHS England's published segments. We could not work out the cut-offs, because they use all "
            "trust types and the input does not hold them all. The table shows where each cut-off must lie.")


def _example_trust(r: QuarterResult) -> pd.Series:
    ttype = r.trust_types[0]
    t = r.trusts[r.trusts.trust_type == ttype]
    return t.iloc[len(t) // 2]


def worked_example(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    ex = _example_trust(r)
    code = ex.trust_code
    items = r.items[r.items.trust_code == code].copy()
    order = {d.name: i for i, d in enumerate(cfg.domains)}
    items = items.assign(_o=items.domain.map(order)).sort_values(["_o", "item"])
    combined = {c.id: c for c in cfg.combined}
    q = ctx.metrics[(ctx.metrics.quarter == r.quarter) & (ctx.metrics.trust_code == code)]
    described = q.drop_duplicates("metric_id").set_index("metric_id")["metric_description"].str.strip()

    def label(item: str) -> str:
        if item in combined:
            c = combined[item]
            return f"{c.name} ({c.id if c.method == 'replace' else T.join_words(list(c.members))})"
        return f"{described.get(item, item)} ({item})"

    rows = tuple((label(i.item), i.domain, T.score(i.score)) for i in items.itertuples())
    dom = r.domains[r.domains.trust_code == code]
    dom = dom.assign(_o=dom.domain.map(order)).sort_values("_o")
    shown_means = items.groupby("domain").score.mean()
    dom_rows = tuple((d.domain, str(int(d.n_items)), T.score(rounded(shown_means[d.domain], 2)), T.score(d.score))
                     for d in dom.itertuples())
    differ = [d for d in dom.itertuples() if T.score(rounded(shown_means[d.domain], 2)) != T.score(d.score)]
    ties = int(r.trusts[(r.trusts.trust_type == ex.trust_type) & (r.trusts.league_rank == ex.league_rank)].shape[0]) - 1
    rank_words = T.rank_phrase(ex.league_rank, int(ex.league_size), cfg.plural(ex.trust_type), ties)
    seg_sentence = (f"With an average of {T.score(ex.average_score)}, its segment from the scores is "
                    f"{int(ex.unadjusted_segment)}.")
    if ex.override_applied:
        seg_sentence += (f" It is in financial deficit, so the deficit rule moves it to segment "
                         f"{int(ex.adjusted_segment)}.")
    elif ex.deficit:
        seg_sentence += " It is in financial deficit, but the deficit rule only moves trusts out of segments 1 and 2."
    else:
        seg_sentence += " It is not in financial deficit, so its segment stays the same."
    step2 = "Step 2: each domain score is the mean of the trust's scores in that domain."
    if differ:
        d = differ[0]
        step2 += (f" The published domain scores come from unrounded scores, so they can differ by 0.01 from the "
                  f"mean of the rounded scores shown. For {d.domain.lower()}, the scores shown give "
                  f"{T.score(rounded(shown_means[d.domain], 2))}, and the domain score is {T.score(d.score)}.")
    mean_shown = T.score(rounded(float(items.score.mean()), 2))
    if ex.average_source == "published":
        step3 = (f"Step 3: the mean of all {len(items)} scores shown is {mean_shown}. Segments and ranks use "
                 f"NHS England's published average, {T.score(ex.average_score)}, worked out from unrounded scores.")
    else:
        step3 = f"Step 3: the mean of all {len(items)} scores is {mean_shown}. Segments and ranks use this average."
    blocks = (
        Paragraph.of(f"This example follows {ex.trust_name} ({code}), a {ex.trust_type.lower()}, through each step "
                     f"for {r.quarter}. Every number below comes from the data."),
        Table(caption=f"Step 1: the scores that count for {ex.trust_name}, {r.quarter}",
              columns=("Metric or combined score", "Domain", "Score"), rows=rows, numeric=(False, False, True),
              id="example-scores"),
        Paragraph.of(step2),
        Table(caption=f"Step 2: domain scores of {ex.trust_name}, {r.quarter}",
              columns=("Domain", "Scores in the domain", "Mean of the scores shown", "Domain score"), rows=dom_rows,
              numeric=(False, True, True, True), id="example-domains"),
        Paragraph.of(step3),
        Paragraph.of(f"Step 4: {seg_sentence[0].lower()}{seg_sentence[1:]}"),
        Paragraph.of(f"Step 5: ranked on segment {int(ex.adjusted_segment)} and then its average, it is "
                     f"{rank_words}."),
    )
    return Section(f"A worked example: {ex.trust_name}", blocks, id="worked-example")


# ---------------------------------------------------------------------------
# 8. Changes since last quarter, with reasons


REASON_COUNTS = {
    OVERRIDE_APPLIED: "{n} entered financial deficit, so the deficit rule now holds them in segment 3.",
    OVERRIDE_REMOVED: "{n} left financial deficit, so the deficit rule no longer holds them in segment 3.",
    AVERAGE_MOVED: "{n} had an average that changed by more than {t}.",
    CUTOFF_MOVED: "{n} moved because a cut-off moved. Under last quarter's cut-offs, their new average would have "
                  "kept their old segment.",
    BELOW_THRESHOLD: "{n} had an average that changed by {t} or less, but crossed a cut-off.",
}

REASON_WORDS = {
    OVERRIDE_APPLIED: "Entered financial deficit: the deficit rule now holds it in segment 3",
    OVERRIDE_REMOVED: "Left financial deficit: the deficit rule no longer holds it in segment 3",
    AVERAGE_MOVED: "Its average changed by more than {t}",
    CUTOFF_MOVED: "The cut-off moved: last quarter, its new average would have kept its old segment",
    BELOW_THRESHOLD: "Its average changed by {t} or less, but crossed a cut-off",
}


def changes_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    prev = ctx.previous
    if prev is None:
        return Section("Changes since last quarter", (Paragraph.of(
            f"The input holds no quarter before {r.quarter}, so changes cannot be shown."),), id="changes")
    threshold = cfg.change_threshold
    t = f"{threshold:.2f}"
    ch = segment_changes(prev, r, threshold)
    common = len(set(prev.trusts.trust_code) & set(r.trusts.trust_code))
    better = int((ch.direction == "better").sum())
    blocks: list = [Paragraph.of(
        f"{len(ch)} of the {common} trusts in both {prev.quarter} and {r.quarter} changed segment: {better} to a "
        f"better one and {len(ch) - better} to a worse one. Segment here means 1 to 4, after the deficit rule.")]
    if len(ch):
        counts = ch.reason.value_counts()
        blocks.append(BulletList(tuple(
            Paragraph.of(REASON_COUNTS[k].format(n=int(counts.get(k, 0)), t=t)) for k in REASONS)))
        blocks.append(Paragraph.of(
            f"NHS England sorts its own changes in a similar way, but does not publish the size of change it counts "
            f"as significant. We use {t}, our own choice, set in the year's rules (it is inferred, not NHS "
            f"England's)."))
        several = len(r.trust_types) > 1
        rows = tuple(
            (f"{c.trust_name} ({c.trust_code})",) + ((c.trust_type,) if several else ()) + (
                f"{c.segment_before} to {c.segment_now}", c.direction.capitalize(), T.score(c.average_before),
                T.score(c.average_now), REASON_WORDS[c.reason].format(t=t))
            for c in ch.itertuples())
        columns = ("Trust",) + (("Trust type",) if several else ()) + (
            "Segment", "Change", f"Average in {prev.quarter}", f"Average in {r.quarter}", "Reason")
        blocks.append(Table(
            caption=f"Trusts whose segment changed between {prev.quarter} and {r.quarter}: better first, then by "
                    f"the size of the change",
            columns=columns, rows=rows, numeric=(False,) + ((False,) if several else ()) + (False, False, True, True,
                                                                                            False),
            id="segment-changes"))
    return Section("Changes since last quarter, with reasons", tuple(blocks), id="changes")


# ---------------------------------------------------------------------------
# 9. Service tables; 10. sources, comparison, glossary; 11. accessibility and contact


def domain_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    tables = [domain_table(r, ttype, cfg) for ttype in r.trust_types]
    intro = (f"Each trust also has a score for each of the {len(cfg.domains)} areas, called domains. It is the "
             f"average of its scores in that area. Each trust also has a rank in each area, among trusts of its type.")
    if T.NO_DATA in T.placeholders_used(*tables):
        intro += f" A trust with no score in an area shows \"{T.NO_DATA}\" for its score and rank there."
    subs: list = [Paragraph.of(intro)]
    for ttype, table in zip(r.trust_types, tables):
        subs.append(Section(f"Area league tables: {cfg.plural(ttype)}", (table,),
                            id=f"domains-{T.slug(ttype)}-section"))
    return Section("League tables for each area (domain)", tuple(subs), id="domain-tables")


FAMILY_WORDS = {
    "average score": "Average score",
    "domain scores": "Domain scores",
    "adjusted segment": "Segment after the deficit rule",
    "unadjusted segment": "Segment before the deficit rule",
    "final segment": "Final segment (with segment 5)",
    "league rank": "League rank",
    "league table: rank": "League table file: rank",
    "league table: segment": "League table file: segment",
    "league table: average score": "League table file: average score",
    "league table: financial deficit": "League table file: financial deficit",
    "domain segments": "Domain segments",
}


def sources_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    rec = ctx.reconciliation
    summary = rec.summary()
    rows = []
    assumption_rows = 0
    for s in summary.itertuples():
        family = FAMILY_WORDS.get(s.family, s.family[0].upper() + s.family[1:])
        used = s.scope == "rule"
        if not used:
            assumption_rows += int(getattr(s, MISMATCH))
            family += " (a check only, not used)"
        rows.append((family, "Yes" if used else "No", str(getattr(s, MATCH)), str(getattr(s, ROUNDING)),
                     str(getattr(s, MISMATCH))))
    blocks: list = list(prose.render("sources", rules=F.rule_facts(cfg), quarter=r.quarter,
                                     cutoff_source=r.cutoffs.source, files=list(ctx.sources),
                                     fictional=ctx.fictional))
    if rows:
        compared: list = [Paragraph.of(
            "We worked out each figure below again, and compared it with NHS England's. The second column says if "
            "the tables use our figure.")]
        if assumption_rows:
            compared.append(Paragraph.of(
                "Rows marked \"a check only\" are scores we worked out from raw values. NHS England has not published "
                "all its rules for these, so they differ more often. The tables do not use them. They use NHS "
                "England's own scores."))
        compared.append(Table(
            caption=f"Our figures compared with NHS England's published ones, {r.quarter}",
            columns=("Figure", "Used in the tables", "Same",
                     f"Differ by rounding (at most {F.rule_facts(cfg).tolerance})", "Differ by more"),
            rows=tuple(rows), numeric=(False, False, True, True, True), id="reconciliation"))
    else:
        compared = [Paragraph.of("The input holds no published figures to compare with.")]
    blocks.append(Section("How our figures compare with NHS England's", tuple(compared), id="comparison"))
    blocks.append(Section("Figures that rest on an assumption", (
        BulletList(tuple(Paragraph.of(a) for a in F.assumptions(cfg))),), id="assumptions"))
    blocks.append(Section("Glossary", glossary(cfg), id="glossary"))
    return Section("Sources, comparison and glossary", tuple(blocks), id="sources")


def glossary(config: Config) -> tuple[Block, ...]:
    """The glossary prose, its list of terms written as a list of definitions (``<dl>`` on the web page)."""
    return tuple(dataclasses.replace(b, terms=True) if isinstance(b, BulletList) else b
                 for b in prose.render("glossary", rules=F.rule_facts(config)))


def accessibility_section(ctx: Context, others: list[Section] | None = None) -> Section:
    """The accessibility statement: what was checked (with the measured reading age of ``others``, the
    document's other sections), known limitations, how to get help or another format (the contact comes from
    the year's configuration), and its date."""
    p = ctx.config.publisher
    ages = [x.reading_age for x in section_readings(others or [])]
    return Section("Accessibility and contact", prose.render(
        "accessibility", publisher=p.name_text, contact=p.contact_text, response_time=p.response_time,
        quarter=ctx.quarter, date=T.long_date(end_date(ctx.quarter)),
        reading_ages=ages and {"sections": len(ages), "median": f"{statistics.median(ages):.1f}",
                               "highest": f"{max(ages):.1f}"}), id="accessibility")


def national_document(ctx: Context, formats: tuple[str, ...] = ("html", "pdf", "docx"),
                      packs: frozenset[str] | None = None) -> Document:
    """The national document. ``packs``: the trusts whose briefing packs are built (None: all)."""
    r = ctx.result
    title, blocks = opening(ctx, f"NHS Oversight Framework league tables: {r.quarter}")
    claims = L.claims(r, ctx.previous, ctx.metrics, ctx.config)
    body = [
        find_a_trust(ctx, packs),
        league_section(ctx),
        limits_section(ctx, claims),
        derivation_section(ctx),
        changes_section(ctx),
        domain_section(ctx),
        downloads_section(ctx),
        sources_section(ctx),
    ]
    opening_sections = [main_points(ctx, claims), about_section(ctx)]
    body.append(accessibility_section(ctx, opening_sections + body))
    blocks += opening_sections + [contents_section(body)] + body
    return Document(
        title=title,
        subtitle="How NHS trusts in England are placed in segments and ranked, what the tables can and cannot "
                 "tell you, and the tables themselves.",
        blocks=tuple(blocks),
        author=ctx.config.publisher.name or "reportgen",
        subject=f"{ctx.config.title} segments and league tables, {r.quarter}",
        keywords=("NHS Oversight Framework", "league tables", "segmentation", r.quarter),
        slug=f"{slug(r.quarter)}-{NATIONAL_NAME}",
        date=end_date(r.quarter),
        related=format_links(NATIONAL_NAME, formats),
    )
