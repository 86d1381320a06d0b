"""A trust's briefing pack: the verdict first, then the evidence, in at most four pages.

Page 1 is the verdict in plain words: the segment and why, rank and average
with their likely ranges, what would change the segment, the change since
last quarter, the scores that pull the average down most and help most, and
questions for the board. Every sentence of it comes from
``reportgen.content.claims``, each with the condition under which it is
true. Then the evidence: a dot plot of the area (domain) scores against
peers, a caterpillar chart of every trust of the type, the quarters so far,
every metric, the limits and the sources.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..downloads.links import pack_links
from ..model import (
    BulletList,
    Caterpillar,
    Cutoff,
    Document,
    DotPlot,
    DotRow,
    Figure,
    Link,
    Note,
    Paragraph,
    Run,
    Section,
    StripPoint,
    Table,
)
from ..quarters import end_date, slug, sort_key
from ..reconcile import MATCH, MISMATCH, ROUNDING
from . import facts as F
from . import prose
from . import text as T
from . import words as W
from .claims import claims
from .limits import parse_range
from .national import NATIONAL_NAME, Context, format_links, opening, segment_cell
from .peers import peer_group, reconciled_statuses, the_trust, trust_row
from .standing import TrustStanding, standing

NATIONAL_FROM_PACK = f"../{NATIONAL_NAME}.html"


def pack_name(code: str) -> str:
    return code


def _rank_words(ctx: Context, s: TrustStanding) -> str:
    return T.rank_phrase(s.rank, s.size, s.plural, s.tied_with)


def _said(s: TrustStanding, group: str, expand: W.Acronyms) -> list[str]:
    return [expand(c.text) for c in claims(s, group)]


# ---------------------------------------------------------------------------
# Page 1: the verdict


def verdict_sections(ctx: Context, s: TrustStanding, expand: W.Acronyms) -> list[Section]:
    region = the_trust(ctx, s.code).region
    out = [Section("The verdict", (
        Paragraph.of(f"{s.short} is {s.type_words} in the {region} region. " + " ".join(_said(s, "segment", expand))),
        Paragraph.of(" ".join(_said(s, "position", expand))),
    ), id="verdict")]
    change = [c for c in claims(s, "better") + claims(s, "worse") if c.key != "worse.approximate"]
    approximate = [c.text for c in claims(s, "worse") if c.key == "worse.approximate"]
    blocks: list = [BulletList(tuple(Paragraph.of(expand(c.text)) for c in change))]
    if approximate:
        blocks.append(Paragraph.of(*approximate))
    out.append(Section("What would change its segment", tuple(blocks), id="what-would-change"))
    since = f"Since {s.previous.quarter}" if s.previous else "Since last quarter"
    out.append(Section(since, (Paragraph.of(" ".join(_said(s, "change", expand))),), id="since-last-quarter"))
    down, up = _said(s, "down", expand), _said(s, "up", expand)
    drivers: list = [Paragraph.of("These scores count in its average. A score of 1 is best and 4 is worst. "
                                  "Medians are for trusts of its type.")]
    drivers.append(Paragraph.of(Run("Pulling its average down most", strong=True)))
    drivers.append(BulletList(tuple(Paragraph.of(t) for t in down)) if down else
                   Paragraph.of("None of its scores is worse than its average."))
    drivers.append(Paragraph.of(Run("Helping it most", strong=True)))
    drivers.append(BulletList(tuple(Paragraph.of(t) for t in up)) if up else
                   Paragraph.of("None of its scores is better than its average."))
    out.append(Section("What pulls its average down, and what helps", tuple(drivers), id="drivers"))
    questions = _said(s, "questions", expand)
    if questions:
        out.append(Section("Questions the board may ask", (BulletList(tuple(Paragraph.of(q) for q in questions)),),
                           id="questions"))
    return out


# ---------------------------------------------------------------------------
# Domains: a dot plot


# A rough model of the printed page (templates/style.css.j2): 10 pt Arial on a 180 mm column.
BODY_PT = 745.0
LINE_PT = 14.0
CHARS_PER_LINE = 100
BULLET_CHARS_PER_LINE = 92


def _lines(text: str, per_line: int) -> int:
    return max(1, -(-len(text) // per_line))


def page_one_height(title: str, subtitle: str, blocks: list, n_links: int) -> float:
    """The estimated printed height of page 1 (title, links and the verdict), in points."""
    # in print each link to the other formats and files is a line of its own
    height = float(_lines(title, 42) * 25 + _lines(subtitle, 80) * 17 + 12 + n_links * 15 + 20)
    for block in blocks:
        height += _height(block)
    return height


#: The estimated overflow of page 1 beyond which the caterpillar would not fit on page 2 under the area
#: scores (measured with scripts/pack_report.py: the estimate runs high, so real packs estimated up to
#: 128 pt over still fit both charts on page 2, and example packs estimated 150 pt over or more did not).
OVERFLOW_PT = 140.0


def _height(block) -> float:
    if isinstance(block, Section):
        return 30 + sum(_height(b) for b in block.blocks)
    if isinstance(block, Paragraph):
        return _lines(block.text, CHARS_PER_LINE) * LINE_PT + 6
    if isinstance(block, BulletList):
        return sum(_lines(item.text, BULLET_CHARS_PER_LINE) * LINE_PT + 2 for item in block.items) + 6
    if isinstance(block, Note):  # padding, its title and its paragraphs, and the space after it
        return 24 + _lines(block.title, CHARS_PER_LINE) * LINE_PT + sum(_height(b) for b in block.blocks) + 15
    return 60.0


def domain_section(ctx: Context, s: TrustStanding, new_page: bool = False) -> Section:
    cfg = ctx.config
    group = peer_group(ctx, the_trust(ctx, s.code).trust_type)
    mine = group.domains_by_trust.get(s.code, {})
    rows, table_rows, better = [], [], 0
    worst_name, worst_gap = "", -np.inf
    for dom in cfg.domains:
        quartiles = group.domain_quartiles[dom.name]
        lq, med, uq = quartiles if quartiles is not None else (np.nan,) * 3
        have_peers = quartiles is not None
        m = mine.get(dom.name)
        if m is not None:
            score, rank, size, n_items = float(m["score"]), int(m["rank"]), int(m["size"]), int(m["n_items"])
            note = f"{score:.2f} ({T.ordinal(rank)} of {size}; {T.count(n_items, 'measure')})"
            rows.append(DotRow(dom.name, score, float(lq) if have_peers else None,
                               float(med) if have_peers else None, float(uq) if have_peers else None, note))
            table_rows.append((dom.name, f"{score:.2f}", f"{lq:.2f} to {uq:.2f}", f"{med:.2f}",
                               f"{rank} of {size}", str(n_items)))
            # compared as printed, to 2 decimal places: "2.19 against a median of 2.19" is the same
            shown, shown_med = round(score, 2), round(float(med), 2)
            better += shown <= shown_med
            if shown - shown_med > worst_gap:
                worst_name, worst_gap = dom.name, shown - shown_med
        else:
            rows.append(DotRow(dom.name, None, float(lq) if have_peers else None,
                               float(med) if have_peers else None, float(uq) if have_peers else None, T.NO_DATA))
            table_rows.append((dom.name, T.NO_DATA, f"{lq:.2f} to {uq:.2f}" if have_peers else T.NO_DATA,
                               T.score(med), T.NO_DATA, "0"))
    n = len(mine)
    singular = s.type_words.split(" ", 1)[1]
    message = f"{s.short} is at or better than the median {singular} in {better} of {n} areas"
    if worst_gap > 0:
        message += f"; it is furthest behind in {worst_name.lower()}"
    chart = DotPlot(rows=tuple(rows), value_label="Area score", key=(
        f"Dot: {s.short}. Grey band: the middle half of {s.plural}. Tick: their median."))
    table = Table(
        caption=f"Area (domain) scores, {ctx.quarter}",
        columns=("Area", "Score", "Middle half of peers", "Peer median", "Rank", "Measures"),
        rows=tuple(table_rows), numeric=(False, True, True, True, True, True), id="domains")
    # the caption states the message, for every reader; the alt says what is drawn; the table holds every value
    figure = Figure(chart, alt=f"Each area score of {s.short} against the middle half and median of {s.plural}.",
                    caption=f"{message}. 1 is best and 4 worst.", data=table, id="domain-chart")
    blocks: list = [figure]
    if T.NO_DATA in T.placeholders_used(table):
        blocks.append(Paragraph.of(f"\"{T.NO_DATA.capitalize()}\" means the trust has no score in that area. So it "
                                   f"has no rank there either."))
    # the id lets the print stylesheet start the charts on a new page
    return Section("Area scores against peers", tuple(blocks), id="domains-section-new-page" if new_page else
                   "domains-section")


# ---------------------------------------------------------------------------
# Peers: a caterpillar chart


def peers_section(ctx: Context, s: TrustStanding, table_first: bool = False) -> Section:
    group = peer_group(ctx, the_trust(ctx, s.code).trust_type)
    entries, has_ranges = group.strip
    points = tuple(StripPoint(e.name, e.average, e.low, e.high, highlight=(e.code == s.code)) for e in entries)
    known = [b for b in s.bounds if not (np.isnan(b[0]) or np.isnan(b[1]))]
    cutoffs = tuple(Cutoff(lo, hi) for lo, hi in known) if len(known) == 3 else ()
    label = [f"{s.short}: {s.average:.2f}" + (f" (likely {s.average_range[0]:.2f} to {s.average_range[1]:.2f})"
                                               if s.average_range else "")]
    ranked = f"ranked {T.rank_ordinal(s.rank, s.tied_with)}"
    if s.scores_rank is not None and s.scores_rank != s.rank:
        ranked += f"; {T.ordinal(s.scores_rank)} on its average alone"
    label.append(ranked)
    position = 1 + sum(1 for p in points if round(p.value, 2) < round(s.average, 2))
    key = "Dot: a trust's average score." + (" Line: NHS England's likely range." if has_ranges else "")
    if cutoffs:
        key += " Dashed lines: segment cut-offs" + (
            ", each inside a grey strip where only its bounds are known." if any(c.high > c.low for c in cutoffs)
            else ".")
    chart = Caterpillar(points, value_label="Average score", cutoffs=cutoffs,
                        segments=tuple(f"Segment {k}" for k in range(1, 5)) if cutoffs else (),
                        highlight_label=tuple(label), key=key)
    message = f"{s.short} has the {T.ordinal(position)} best average of {len(points)} {s.plural}"
    if has_ranges and cutoffs:
        # the national document's count: a range crosses a cut-off known only as a bracket when it spans the
        # whole bracket, so the count is then a lowest possible one
        f = group.uncertainty
        message += (f"; {'at least ' if not f['exact'] and f['crossing'] else ''}{f['crossing']} of "
                    f"{f['with_average_range']} likely ranges cross a segment cut-off")
    rows: list[tuple[str, str]] = [
        ("Its average", f"{s.average:.2f}" + (
            f" (likely {s.average_range[0]:.2f} to {s.average_range[1]:.2f})" if s.average_range else "")),
        ("Its rank", f"{T.rank_ordinal(s.rank, s.tied_with)} of {s.size}" + (
            f" (likely {T.ordinal(s.rank_range[0])} to {T.ordinal(s.rank_range[1])})" if s.rank_range else "")),
    ]
    if cutoffs:
        rows.append(("Segment cut-offs", "; ".join(
            f"{c.low:.2f}" if c.low == c.high else f"{c.low:.2f} to {c.high:.2f}" for c in cutoffs)))
    data = Table(caption=f"{s.short} among {s.plural}, {ctx.quarter}",
                 columns=("Figure", "Value"), rows=tuple(rows),
                 numeric=(False, True), id="peers")
    drawn = "with likely ranges and segment cut-offs" if has_ranges and cutoffs else (
        "with likely ranges" if has_ranges else "with segment cut-offs" if cutoffs else "")
    # the caption states the message, for every reader; the alt says what is drawn; the table holds its figures
    alt = (f"The average score of each of the {len(points)} {s.plural}, best {chart.best_where}"
           + (f", {drawn}" if drawn else "") + ".")
    caption = f"{message}. 1 is best and 4 worst."
    if not table_first:
        fig = Figure(chart, alt=alt, caption=caption, data=data, id="peers-chart")
        return Section(f"Among all {s.plural}", (fig,), id="peers-section")
    # the figures first, then the chart: in print the table may run over a page and the chart may not
    fig = Figure(chart, alt=alt, caption=f"{caption} {s.short}'s figures are in the table above.", data=None,
                 id="peers-chart")
    return Section(f"Among all {s.plural}", (data, fig), id="peers-section")


# ---------------------------------------------------------------------------
# Quarters so far


def _trend(ctx: Context, code: str) -> list[tuple[str, pd.Series]]:
    out = []
    for q in sorted(ctx.results, key=sort_key):
        if sort_key(q) > sort_key(ctx.quarter):
            continue
        row = trust_row(ctx, code, q)
        if row is not None:
            out.append((q, row))
    return out


def trend_segment_cell(row, in_programme_before: bool) -> str:
    """A quarter's segment, with why when it is not the one its scores give; says so when the file has no
    programme flag but the trust was in the programme before."""
    final, adjusted, unadjusted = int(row.final_segment), int(row.adjusted_segment), int(row.unadjusted_segment)
    if not bool(row.recovery_published) and in_programme_before:
        return f"{adjusted} (segment 5 not published)"
    if final != adjusted:
        return f"{final} (Recovery Support Programme; {adjusted} on scores)"
    if adjusted != unadjusted:
        return f"{adjusted} (deficit rule; {unadjusted} on scores)"
    return str(final)


def trend_section(ctx: Context, s: TrustStanding) -> Section:
    recovery = ctx.config["recovery_support"]["segment"]
    rows, seen_programme = [], False
    for q, r in _trend(ctx, s.code):
        rank_range = parse_range(r.likely_range_of_rank)
        avg_range = parse_range(r.likely_range_of_average_score)
        rows.append((
            q, trend_segment_cell(r, seen_programme),
            f"{int(r.league_rank)} of {int(r.league_size)}"
            + (f" ({int(rank_range[0])} to {int(rank_range[1])})" if rank_range else ""),
            f"{float(r.average_score):.2f}" + (f" ({avg_range[0]:.2f} to {avg_range[1]:.2f})" if avg_range else ""),
        ))
        seen_programme = seen_programme or int(r.final_segment) == recovery
    table = Table(caption="Segment, rank and average score by quarter, with likely ranges in brackets",
                  columns=("Quarter", "Segment", "Rank (likely range)", "Average score (likely range)"),
                  rows=tuple(rows), numeric=(False, False, True, True), id="trend")
    return Section("Quarter by quarter", (table,), id="trend-section")


# ---------------------------------------------------------------------------
# Every metric


class MetricRow(NamedTuple):
    """A measure of the trust's type, with this trust's figures (a row of ``metric_rows``)."""

    metric_id: str
    raw_id: str
    description: str
    domain: str
    scored: bool
    score: float
    value: float
    units: str
    period: str
    median: float
    rank: float
    n: int
    has_raw: bool


def metric_records(ctx: Context, code: str) -> list[MetricRow]:
    """Every metric scored for any trust of this trust's type this quarter, with this trust's figures, by area
    (in the configuration's order, any other last) and metric id."""
    cfg = ctx.config
    group = peer_group(ctx, the_trust(ctx, code).trust_type)
    scores = group.scores_by_trust.get(code, {})
    raw_mine = group.raw_records_of(code)
    reporting = group.reporting.to_dict()
    out = []
    for mid, text, domain in group.catalogue_rows:
        rid = cfg.raw_id_of(mid)
        r = raw_mine.get(rid)
        scored = mid in scores and not T.missing(scores[mid])
        out.append(MetricRow(
            mid, rid, " ".join(str(text).split()), domain, scored, scores.get(mid, np.nan),
            r["value"] if r is not None else np.nan, r["units"] if r is not None else "",
            r["reporting_date"] if r is not None else "", r["median_value"] if r is not None else np.nan,
            r["rank"] if r is not None else np.nan, int(reporting.get(rid, 0)), rid in reporting))
    order = {d.name: i for i, d in enumerate(cfg.domains)}
    return sorted(out, key=lambda m: (order.get(m.domain, len(order)), m.metric_id))


def metric_rows(ctx: Context, code: str) -> pd.DataFrame:
    """``metric_records`` as a frame (with no columns when there are none)."""
    rows = metric_records(ctx, code)
    return pd.DataFrame(rows, columns=list(MetricRow._fields)) if rows else pd.DataFrame()


METRIC_COLUMNS = ("Metric", "Value (period)", "Score", "Peer median", "Rank")
#: The cells of a measure with no figure at all for the trust (its value, score, peer median and rank).
NO_FIGURES = (T.NO_DATA, T.NO_DATA, T.NO_DATA, T.NO_DATA)


def _metric_row(m, expand: Callable[[str], str]) -> tuple[str, ...]:
    """A measure's row. "not applicable" only where NHS England publishes the measure as a score alone (no value,
    median or rank exist); "no data" wherever such a figure could exist but the files hold none."""
    score = T.score(m.score) if m.scored else T.NO_DATA
    rank = (f"{int(m.rank)} of {m.n}" if not T.missing(m.rank) else
            (T.NOT_APPLICABLE if not m.has_raw else T.NO_DATA))
    if not m.has_raw:
        value = T.NOT_APPLICABLE
    elif T.missing(m.value):
        value = T.NO_DATA
    else:
        value = W.quantity(m.value, m.units, m.raw_id) + (f" ({W.period(m.period)})" if not T.missing(m.period) else "")
    median = W.quantity(m.median, m.units, m.raw_id) if m.has_raw else T.NOT_APPLICABLE
    name = W.metric_name(m.metric_id, m.description)
    return (f"{expand(name[:1].upper() + name[1:])} ({m.metric_id})", value, score, median, rank)


def one_row_for_missing(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Measures the trust has no figures for, whose cells are all the same ("no data", "not applicable", ...),
    share one row that names them all: the same facts in fewer lines."""
    def missing(row: tuple[str, ...]) -> bool:
        return row[1] in (T.NO_DATA, T.NOT_APPLICABLE) and row[2] == T.NO_DATA

    names: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if missing(row):
            names.setdefault(row[1:], []).append(row[0])
    out, done = [], set()
    for row in rows:
        key = row[1:]
        if not missing(row) or len(names[key]) == 1:
            out.append(row)
        elif key not in done:
            done.add(key)
            out.append(("; ".join(names[key]), *key))
    return out


def metrics_section(ctx: Context, s: TrustStanding, mr: list[MetricRow], expand: W.Acronyms) -> Section:
    """Every metric scored for the trust's type, one table per domain."""
    cfg = ctx.config
    n_scored = sum(m.scored for m in mr)
    intro = f"The trust has scores for {n_scored} of the {len(mr)} measures used for {s.plural}. Rank 1 is best."
    scored_ids = {m.metric_id for m in mr if m.scored}
    descriptions = {m.metric_id: m.description for m in mr}
    notes = []
    for c in cfg.combined:
        present = [mid for mid in c.members if mid in scored_ids]
        names = [W.metric_name(mid, descriptions.get(mid, mid)) for mid in present]
        if c.method == "mean" and present:
            notes.append(f"The {len(names)} scores for {c.name.lower()} count as one: their mean.")
        if c.method == "replace" and c.id in scored_ids:
            notes.append(f"The {c.name.lower()} score replaces {len(c.members)} others, shown but not counted.")
    tables = []
    # measures with no figure at all for this trust are named together in a last table, one row per area
    measures = mr
    parts = [(dom.name, [m for m in measures if m.domain == dom.name]) for dom in cfg.domains]
    empty = {m.metric_id for _, part in parts for m in part if _metric_row(m, str)[1:] == NO_FIGURES}
    for name, part in parts:
        shown = [m for m in part if m.metric_id not in empty]
        if not shown:
            continue
        rows = one_row_for_missing([_metric_row(m, expand) for m in shown])
        tables.append(Table(
            caption=f"{name}, {ctx.quarter}",
            columns=METRIC_COLUMNS, rows=tuple(rows),
            numeric=(False, False, True, False, True), id=f"metrics-{T.slug(name)}"))
    missing = [(name, "; ".join(_metric_row(m, expand)[0] for m in part if m.metric_id in empty))
               for name, part in parts]
    if empty:
        tables.append(Table(
            caption=f"Measures with no figures for this trust, {ctx.quarter}: no value, score, peer median or rank",
            columns=("Area", "Measures"), rows=tuple((name, names) for name, names in missing if names),
            numeric=(False, False), id="metrics-no-figures"))
    used = T.placeholders_used(*tables)
    meanings = []
    if T.NO_DATA in used:
        meanings.append(f"\"{T.NO_DATA.capitalize()}\" means the published files hold no such figure. A measure "
                        f"with no score does not count.")
    if T.NOT_APPLICABLE in used:
        meanings.append(f"\"{T.NOT_APPLICABLE.capitalize()}\" means NHS England publishes the measure as a score "
                        f"only. It has no value, median or rank.")
    blocks: list = [Paragraph.of(expand(" ".join([intro, *meanings, *notes]))), *tables]
    return Section("Every measure", tuple(blocks), id="metrics-section")


# ---------------------------------------------------------------------------
# Limits and sources


def limits_section(ctx: Context, s: TrustStanding) -> Section:
    # the area with fewest scores (then the first by name)
    mine = peer_group(ctx, the_trust(ctx, s.code).trust_type).domains_by_trust.get(s.code, {})
    smallest = min(mine, key=lambda name: (mine[name]["n_items"], name)) if mine else None
    return Section("What these figures can and cannot tell you", prose.render(
        "pack-limits", rules=F.rule_facts(ctx.config), national=NATIONAL_FROM_PACK, plural=s.plural,
        n_items=s.n_items, smallest_domain=str(smallest).lower() if smallest is not None else "",
        smallest_domain_items=T.count(int(mine[smallest]["n_items"]), "score") if smallest is not None else ""),
        id="limits")


def sources_section(ctx: Context, s: TrustStanding) -> Section:
    r = ctx.result
    row = the_trust(ctx, s.code)
    statuses = reconciled_statuses(ctx, s.code)
    counts = {k: statuses.count(k) for k in (MATCH, ROUNDING, MISMATCH)}
    cut = r.cutoffs
    values = T.join_words([f"{v:.2f}" for v in cut.values]) if cut.values is not None else ""
    blocks = prose.render("pack-sources", quarter=ctx.quarter, national=NATIONAL_FROM_PACK,
                          files=list(ctx.sources), cutoffs_recomputed=cut.values is not None, cutoff_values=values,
                          published_average=row.average_source == "published", counts=counts,
                          compared=len(statuses), fictional=ctx.fictional, plural=s.plural)
    return Section("Where the figures come from", tuple(blocks), id="sources")


# ---------------------------------------------------------------------------
# The pack


def pack_document(ctx: Context, code: str, formats: tuple[str, ...] = ("html", "pdf", "docx")) -> Document:
    cfg = ctx.config
    row = the_trust(ctx, code)
    s = standing(ctx, code)
    expand = W.Acronyms()
    mr = metric_records(ctx, code)
    title, blocks = opening(ctx, f"{row.trust_name}: NHS Oversight Framework briefing, {ctx.quarter}")
    subtitle = f"{segment_cell(row)}; {_rank_words(ctx, s)}"
    related = format_links(code, formats, "briefing") + (
        Link("The national league tables", NATIONAL_FROM_PACK), Link("All trusts", "../index.html")) + pack_links(code)
    page_one = blocks + verdict_sections(ctx, s, expand)
    height = page_one_height(title, subtitle, page_one, len(related))
    new_page = height <= BODY_PT * 0.92
    # one quarter: page 1 says so, and there is no quarter table
    trend = [trend_section(ctx, s)] if s.previous is not None else []
    if height - BODY_PT <= OVERFLOW_PT or not trend:
        # both charts whole, then the tables, which may run over a page row by row
        evidence = [domain_section(ctx, s, new_page=new_page), peers_section(ctx, s), *trend]
    else:
        # the verdict runs well onto page 2, where the caterpillar would not fit under the area scores: the
        # tables (which may break between rows) come before it, so that page is not left part empty
        evidence = [domain_section(ctx, s), *trend, peers_section(ctx, s, table_first=True)]
    blocks = [
        *page_one,
        *evidence,
        metrics_section(ctx, s, mr, expand),
        limits_section(ctx, s),
        sources_section(ctx, s),
    ]
    return Document(
        title=title,
        subtitle=subtitle,
        blocks=tuple(blocks),
        subject=f"{cfg.title} briefing for {row.trust_name}, {ctx.quarter}",
        keywords=("NHS Oversight Framework", row.trust_name, code, ctx.quarter),
        slug=f"{slug(ctx.quarter)}-{code}",
        date=end_date(ctx.quarter),
        related=related,
    )
