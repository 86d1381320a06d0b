"""The national league-table document: how the tables are derived, what they can
and cannot tell you, and the tables themselves."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..config import Config
from ..downloads.links import national_section as downloads_section
from ..methodology import QuarterResult
from ..model import Bar, BarChart, Block, BulletList, Document, Figure, Link, Note, Paragraph, Run, Section, Table
from ..quarters import end_date, previous, slug
from ..reconcile import MATCH, MISMATCH, ROUNDING, Reconciliation
from . import facts as F
from . import prose
from . import text as T

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

    @property
    def result(self) -> QuarterResult:
        return self.results[self.quarter]

    @property
    def previous(self) -> QuarterResult | None:
        p = previous(self.quarter, list(self.results))
        return self.results[p] if p else None


def fictional_note() -> Note:
    return Note("Fictional example data", (Paragraph.of(
        "Every trust, name, code and figure in this document is invented. It shows what reportgen produces; "
        "it says nothing about any real NHS trust."),), kind="warning")


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


LEAGUE_COLUMNS = ("Trust", "Rank", "Segment", "Average score", "Likely range of average score",
                  "In financial deficit", "Likely range of rank")


def league_table(result: QuarterResult, ttype: str, config: Config) -> Table:
    t = result.trusts[result.trusts.trust_type == ttype]
    ties = tied_counts(t)
    rows = tuple(
        (f"{r.trust_name} ({r.trust_code})", T.rank_cell(r.league_rank, ties[i]), segment_cell(r),
         T.score(r.average_score), T.likely_range(r.likely_range_of_average_score), T.yes_no(r.deficit),
         T.likely_range(r.likely_range_of_rank))
        for i, r in zip(t.index, t.itertuples())
    )
    return Table(
        caption=f"League table of {config.plural(ttype)}, {result.quarter}: {len(t)} trusts, best first",
        columns=LEAGUE_COLUMNS, rows=rows,
        numeric=(False, True, False, True, False, False, False), id=f"league-{T.slug(ttype)}",
    )


def domain_table(result: QuarterResult, ttype: str, config: Config) -> Table:
    t = result.trusts[result.trusts.trust_type == ttype]
    d = result.domains[result.domains.trust_type == ttype].set_index(["trust_code", "domain"])
    names = [dom.name for dom in config.domains]
    columns = ["Trust"]
    for n in names:
        columns += [f"{n}: score", f"{n}: rank"]
    rows = []
    for r in t.itertuples():
        cells = [f"{r.trust_name} ({r.trust_code})"]
        for n in names:
            if (r.trust_code, n) in d.index:
                row = d.loc[(r.trust_code, n)]
                cells += [T.score(row["score"]), f"{int(row['rank'])} of {int(row['size'])}"]
            else:
                cells += [T.NO_DATA, T.NOT_APPLICABLE]
        rows.append(tuple(cells))
    return Table(
        caption=f"Service (domain) scores and ranks of {config.plural(ttype)}, {result.quarter}, in league "
                f"table order; a lower score and rank are better",
        columns=tuple(columns), rows=tuple(rows), numeric=(False,) + (True,) * (len(columns) - 1),
        id=f"domains-{T.slug(ttype)}",
    )


# ---------------------------------------------------------------------------
# Sections


def summary_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    counts = F.result_counts(r, cfg)
    total = len(r.trusts)
    rsp_seg = cfg["recovery_support"]["segment"]
    by_type = T.join_words([T.count(c["n"], c["plural"][:-1], c["plural"]) for c in counts.values()])
    blocks: list = [Paragraph.of(
        f"This document covers {r.quarter}. It places {total} NHS trusts in segments and league tables: {by_type}. "
        f"Segment 1 means the fewest challenges and segment 4 the most; segment {rsp_seg} is for trusts in the "
        f"Recovery Support Programme. A trust is ranked only against trusts of the same type.")]
    # Segment 5 is shown only where NHS England published the placements for the quarter.
    rsp = r.trusts.recovery_published.any()
    shown = range(1, 6) if rsp else range(1, 5)
    columns = ("Trust type",) + tuple(f"Segment {k}" for k in shown) + ("All trusts",)
    rows = tuple((c["plural"].capitalize(),) + tuple(str(c["segments"][k]) for k in shown) + (str(c["n"]),)
                 for c in counts.values())
    all_segments = {k: sum(c["segments"][k] for c in counts.values()) for k in shown}
    if len(counts) > 1:
        rows += (("All types",) + tuple(str(all_segments[k]) for k in shown) + (str(total),),)
    table = Table(caption=f"Trusts in each segment by trust type, {r.quarter}", columns=columns, rows=rows,
                  numeric=(False,) + (True,) * (len(columns) - 1), id="segment-counts")
    biggest = max(shown, key=lambda k: (all_segments[k], -k))
    alt = (f"Segment {biggest} holds the most trusts, {all_segments[biggest]} of {total}. "
           + "; ".join(f"segment {k}: {all_segments[k]}" for k in shown) + ".")
    chart = BarChart(
        bars=tuple(Bar(f"Segment {k}", all_segments[k]) for k in shown),
        value_label="Number of trusts", category_label="Segment", horizontal=False,
    )
    data = Table(caption=f"Data for the chart: trusts in each segment, all types, {r.quarter}",
                 columns=("Segment", "Number of trusts"),
                 rows=tuple((f"Segment {k}", str(all_segments[k])) for k in shown),
                 numeric=(False, True), id="segment-chart-data")
    blocks.append(Figure(chart, alt=alt, caption=f"Number of trusts in each segment, all trust types, {r.quarter}",
                         data=data, id="segment-chart"))
    blocks.append(table)
    blocks.append(_recovery_section(ctx))
    blocks.append(_changes_summary(ctx))
    return Section("Summary", tuple(blocks), id="summary")


def _recovery_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    seg = cfg["recovery_support"]["segment"]
    t = r.trusts
    if not t.recovery_published.any():
        body: tuple[Block, ...] = (Paragraph.of(
            f"The input holds no Recovery Support Programme placements (segment {seg}) for "
            f"{r.quarter}, so no trust is shown in segment {seg}."),)
    else:
        placed = t[t.final_segment == seg]
        if placed.empty:
            body = (Paragraph.of(f"No trust is placed in segment {seg} in {r.quarter}."),)
        else:
            body = (
                Paragraph.of(f"{T.count(len(placed), 'trust')} {'is' if len(placed) == 1 else 'are'} in the Recovery "
                             f"Support Programme and placed in segment {seg}. Their league rank still uses the "
                             f"segment from 1 to 4 that their scores give."),
                BulletList(tuple(Paragraph.of(f"{p.trust_name} ({p.trust_code}), {p.trust_type.lower()}, ranked in "
                                              f"segment {int(p.adjusted_segment)}")
                                 for p in placed.itertuples())),
            )
    return Section(f"Segment {seg}: the Recovery Support Programme", body, id="segment-5")


def _movement(ctx: Context):
    """(sentence, table or None) on segment changes since the previous quarter in the input."""
    prev = ctx.previous
    r = ctx.result
    if prev is None:
        return f"The input holds no quarter before {r.quarter}, so changes cannot be shown.", None
    before = prev.trusts.set_index("trust_code")
    now = r.trusts.set_index("trust_code")
    common = now.index.intersection(before.index)
    moved = now.loc[common, "final_segment"] - before.loc[common, "final_segment"]
    better, worse = moved[moved < 0], moved[moved > 0]
    sentence = (f"Of the {len(common)} trusts in both {prev.quarter} and {r.quarter}, {len(better)} moved to a better "
                f"segment, {len(worse)} to a worse one and {len(common) - len(better) - len(worse)} stayed in the "
                f"same segment.")
    changed = now.loc[moved[moved != 0].index].sort_values(["trust_type", "trust_name"])
    if not len(changed):
        return sentence, None
    rows = tuple(
        (f"{c.trust_name} ({code})", c.trust_type, T.segment_name(before.loc[code, "final_segment"]),
         T.segment_name(c.final_segment), "Better" if moved[code] < 0 else "Worse")
        for code, c in zip(changed.index, changed.itertuples()))
    table = Table(
        caption=f"Trusts whose segment changed between {prev.quarter} and {r.quarter}",
        columns=("Trust", "Trust type", f"Segment in {prev.quarter}", f"Segment in {r.quarter}", "Change"),
        rows=rows, id="segment-changes")
    return sentence, table


def _changes_summary(ctx: Context) -> Section:
    sentence, table = _movement(ctx)
    blocks = [Paragraph.of(sentence)]
    if table is not None:
        blocks.append(Paragraph.of("Every trust that changed segment is listed in ",
                                   Run("segment changes", href="#changes-detail"), "."))
    return Section("Changes since the previous quarter", tuple(blocks), id="changes")


def changes_detail_section(ctx: Context) -> Section | None:
    sentence, table = _movement(ctx)
    if table is None:
        return None
    return Section("Segment changes", (Paragraph.of(sentence), table), id="changes-detail")


def _example_trust(r: QuarterResult) -> pd.Series:
    ttype = r.trust_types[0]
    t = r.trusts[r.trusts.trust_type == ttype]
    return t.iloc[len(t) // 2]


def derivation_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    rules = F.rule_facts(cfg)
    blocks = list(prose.render("how-derived", rules=rules, quarter=r.quarter))
    blocks.append(Section("This quarter's segment cut-offs", (
        Paragraph.of(F.cutoff_sentence(r.cutoffs)),
        Table(caption=f"Segment cut-offs on the average score, {r.quarter}", columns=F.CUTOFF_COLUMNS,
              rows=F.cutoff_rows(r.cutoffs), numeric=(False, True, True, True), id="cutoffs"),
    ), id="cutoffs-section"))
    blocks.append(worked_example(ctx))
    return Section("How the league tables are derived", tuple(blocks), id="derivation")


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
    dom_rows = tuple((d.domain, str(int(d.n_items)), T.score(d.score)) for d in dom.itertuples())
    ties = int(r.trusts[(r.trusts.trust_type == ex.trust_type) & (r.trusts.league_rank == ex.league_rank)].shape[0]) - 1
    rank_words = T.rank_phrase(ex.league_rank, int(ex.league_size), cfg.plural(ex.trust_type), ties)
    seg_sentence = (f"With an average of {T.score(ex.average_score)}, its unadjusted segment is "
                    f"{int(ex.unadjusted_segment)}.")
    if ex.override_applied:
        seg_sentence += (f" It is in financial deficit, so the deficit rule moves it to segment "
                         f"{int(ex.adjusted_segment)}.")
    elif ex.deficit:
        seg_sentence += " It is in financial deficit, but the deficit rule does not change a segment already 3 or 4."
    else:
        seg_sentence += " It is not in financial deficit, so its segment is unchanged."
    source = ("NHS England's published average, which was computed from unrounded scores"
              if ex.average_source == "published" else "the recomputed average")
    blocks = (
        Paragraph.of(f"This example follows {ex.trust_name} ({code}), a {ex.trust_type.lower()}, through each step "
                     f"for {r.quarter}. Every number below comes from the data."),
        Table(caption=f"Step 1: the scores that count for {ex.trust_name}, {r.quarter}",
              columns=("Metric or combined score", "Domain", "Score"), rows=rows, numeric=(False, False, True),
              id="example-scores"),
        Paragraph.of("Step 2: its domain scores are the mean of the scores in each domain."),
        Table(caption=f"Step 2: domain scores of {ex.trust_name}, {r.quarter}",
              columns=("Domain", "Scores in the domain", "Domain score"), rows=dom_rows,
              numeric=(False, True, True), id="example-domains"),
        Paragraph.of(f"Step 3: the mean of all {len(items)} scores is {ex.average_computed:.3f}, which is "
                     f"{T.score(ex.average_computed)} to 2 decimal places. Segments and ranks use "
                     f"{source}: {T.score(ex.average_score)}."),
        Paragraph.of(f"Step 4: {seg_sentence}"),
        Paragraph.of(f"Step 5: ranked on segment {int(ex.adjusted_segment)} and then its average, it is "
                     f"{rank_words}."),
    )
    return Section(f"A worked example: {ex.trust_name}", blocks, id="worked-example")


def limits_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    t = r.trusts
    spans = []
    for ttype in r.trust_types:
        g = t[t.trust_type == ttype]
        spans.append(f"{int(g.n_items.min())} to {int(g.n_items.max())} for {cfg.plural(ttype)}")
    seg_ranges = []
    for k in range(1, 5):
        g = t[t.adjusted_segment == k]
        if len(g):
            seg_ranges.append((k, T.score(g.average_score.min()), T.score(g.average_score.max())))
    widths = _rank_range_widths(t)
    blocks = prose.render(
        "can-and-cannot", rules=F.rule_facts(cfg), quarter=r.quarter,
        metric_counts=T.join_words(spans), segment_ranges=seg_ranges, rank_range=widths,
        types=[cfg.plural(x) for x in r.trust_types],
    )
    return Section("What league tables can and cannot tell you", blocks, id="limits")


def _rank_range_widths(t: pd.DataFrame) -> str:
    """The median width of the published likely range of rank, as words, or "" if not published."""
    ranges = t.likely_range_of_rank.dropna()
    widths = []
    for value in ranges:
        try:
            a, b = (int(float(x)) for x in str(value).split(" to "))
            widths.append(b - a + 1)
        except ValueError:
            continue
    if not widths:
        return ""
    return str(int(pd.Series(widths).median()))


def league_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    subs = []
    for ttype in r.trust_types:
        subs.append(Section(cfg.plural(ttype).capitalize(), (
            Paragraph.of("Trusts are listed best first: by segment, then by average score. Trusts with the same "
                         "segment and the same average to 2 decimal places share a rank, shown as \"(tied)\", and "
                         "the next rank is skipped. \"No data\" means the input does not include that figure."),
            league_table(r, ttype, cfg),
        ), id=f"league-{T.slug(ttype)}-section"))
    return Section("League tables", tuple(subs), id="league-tables")


def domain_section(ctx: Context) -> Section:
    r, cfg = ctx.result, ctx.config
    subs: list[Block] = [Paragraph.of(
        f"Each trust also has a score for each of the {len(cfg.domains)} scored domains, the mean of its metric "
        f"scores in that domain, and a rank among trusts of its type. These are the service league tables. A trust "
        f"not scored on any metric in a domain shows \"no data\" for it.")]
    for ttype in r.trust_types:
        subs.append(Section(f"Service league tables: {cfg.plural(ttype)}", (domain_table(r, ttype, cfg),),
                            id=f"domains-{T.slug(ttype)}-section"))
    return Section("Service (domain) league tables", tuple(subs), id="domain-tables")


FAMILY_WORDS = {
    "average score": "Average metric score",
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
    for s in summary.itertuples():
        family = FAMILY_WORDS.get(s.family, s.family[0].upper() + s.family[1:])
        scope = "verified rule" if s.scope == "rule" else "assumption"
        rows.append((family, scope, str(getattr(s, MATCH)), str(getattr(s, ROUNDING)), str(getattr(s, MISMATCH))))
    blocks: list = list(prose.render("sources", rules=F.rule_facts(cfg), quarter=r.quarter,
                                     cutoff_source=r.cutoffs.source, files=list(ctx.sources),
                                     fictional=ctx.fictional))
    if rows:
        compared: tuple = (Table(
            caption=f"reportgen's recomputed figures compared with NHS England's published ones, {r.quarter}",
            columns=("Figure", "Rule", "Match", f"Differ by rounding (at most {F.rule_facts(cfg).tolerance})",
                     "Mismatch"),
            rows=tuple(rows), numeric=(False, False, True, True, True), id="reconciliation"),)
    else:
        compared = (Paragraph.of("The input holds no published figures to compare with."),)
    blocks.append(Section("How the recomputed figures compare", compared, id="comparison"))
    blocks.append(Section("Figures that rest on an assumption", (
        BulletList(tuple(Paragraph.of(a) for a in F.assumptions(cfg))),), id="assumptions"))
    blocks.append(Section("Glossary", prose.render("glossary", rules=F.rule_facts(cfg)), id="glossary"))
    return Section("Where the figures come from", tuple(blocks), id="sources")


def accessibility_section(ctx: Context) -> Section:
    """The accessibility statement: what was checked, known limitations, how to get help or
    another format (the contact comes from the year's configuration), and its date."""
    p = ctx.config.publisher
    return Section("Accessibility", prose.render(
        "accessibility", publisher=p.name_text, contact=p.contact_text, response_time=p.response_time,
        quarter=ctx.quarter, date=T.long_date(end_date(ctx.quarter))), id="accessibility")


def national_document(ctx: Context, formats: tuple[str, ...] = ("html", "pdf", "docx")) -> Document:
    r = ctx.result
    title, blocks = opening(ctx, f"NHS Oversight Framework league tables: {r.quarter}")
    blocks += [b for b in (
        summary_section(ctx),
        derivation_section(ctx),
        limits_section(ctx),
        league_section(ctx),
        domain_section(ctx),
        downloads_section(ctx),
        changes_detail_section(ctx),
        sources_section(ctx),
        accessibility_section(ctx),
    ) if b is not None]
    return Document(
        title=title,
        subtitle="How NHS trusts in England are placed in segments and ranked in league tables, what the tables "
                 "can and cannot tell you, and the tables themselves.",
        blocks=tuple(blocks),
        subject=f"{ctx.config.title} segments and league tables, {r.quarter}",
        keywords=("NHS Oversight Framework", "league tables", "segmentation", r.quarter),
        slug=f"{slug(r.quarter)}-{NATIONAL_NAME}",
        date=end_date(r.quarter),
        related=format_links(NATIONAL_NAME, formats),
    )
