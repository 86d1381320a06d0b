"""A trust's briefing pack: where the trust stands, why, and what that can and cannot mean."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..downloads.links import pack_links
from ..methodology import QuarterResult
from ..model import Bar, BarChart, BulletList, Document, Figure, Link, Paragraph, Section, Table
from ..quarters import end_date, slug, sort_key
from ..reconcile import MATCH, MISMATCH, ROUNDING
from . import facts as F
from . import prose
from . import text as T
from .national import NATIONAL_NAME, Context, format_links, opening, segment_cell

NATIONAL_FROM_PACK = f"../{NATIONAL_NAME}.html"


def pack_name(code: str) -> str:
    return code


# ---------------------------------------------------------------------------
# Facts about one trust


def _ties(result: QuarterResult, row) -> int:
    t = result.trusts
    return int(((t.trust_type == row.trust_type) & (t.league_rank == row.league_rank)).sum()) - 1


def _rank_words(ctx: Context, result: QuarterResult, row) -> str:
    return T.rank_phrase(row.league_rank, int(row.league_size), ctx.config.plural(row.trust_type), _ties(result, row))


def distance_sentence(row, cut_source: str) -> str:
    """How far the average is from the next better segment, or what holds the trust where it is."""
    unadj, adj = int(row.unadjusted_segment), int(row.adjusted_segment)
    if row.override_applied:
        return (f"The deficit rule, not its score, holds it in segment {adj}: its average alone would place it in "
                f"segment {unadj}. It can move up only when it is no longer in financial deficit.")
    if unadj == 1:
        return "It is in segment 1, the best segment."
    edge, dist = row.better_segment_edge, row.distance_to_better_segment
    if T.missing(edge):
        return "The cut-off for the next better segment is not known from this input."
    if row.better_segment_edge_basis == "cut-off":
        return (f"To reach segment {unadj - 1}, its average would need to fall by {dist:.2f}, to {edge:.2f} or "
                f"lower (this quarter's cut-off).")
    return (f"A fall in its average of {dist:.2f}, to {edge:.2f}, would be enough to reach segment {unadj - 1}: "
            f"{edge:.2f} is the highest average placed in segment {unadj - 1} this quarter among the trusts in the "
            f"input, so the cut-off is at or above it (the cut-offs themselves could not be recomputed).")


def at_a_glance(ctx: Context, result: QuarterResult, row) -> Section:
    seg = int(row.final_segment)
    items = []
    if seg != int(row.adjusted_segment):
        items.append(f"Segment: {seg}, because it is in the Recovery Support Programme. Its scores place it in "
                     f"segment {int(row.adjusted_segment)}, which its league rank uses.")
    else:
        items.append(f"Segment: {seg} of 4 (1 has the fewest challenges, 4 the most).")
    items.append(f"Rank: {_rank_words(ctx, result, row)}.")
    rng = T.likely_range(row.likely_range_of_average_score)
    rng_words = f"likely range {rng}" if rng != T.NOT_APPLICABLE else "likely range not published in the input"
    items.append(f"Average metric score: {T.score(row.average_score)} ({rng_words}), on {row.n_items} scores; "
                 f"lower is better.")
    if row.deficit:
        moved = (f"The deficit rule moved it from segment {int(row.unadjusted_segment)} to segment "
                 f"{int(row.adjusted_segment)}." if row.override_applied
                 else "The deficit rule did not change its segment.")
        items.append(f"In financial deficit: yes. {moved}")
    else:
        items.append("In financial deficit: no.")
    items.append(distance_sentence(row, result.cutoffs.source))
    return Section("At a glance", (BulletList(tuple(Paragraph.of(i) for i in items)),), id="at-a-glance")


# ---------------------------------------------------------------------------
# Metrics


def metric_rows(ctx: Context, code: str) -> pd.DataFrame:
    """Every metric scored for any trust of this trust's type this quarter, with this trust's figures."""
    cfg = ctx.config
    frame = ctx.quarter_metrics
    row = ctx.result.trust(code)
    peers = frame[frame.trust_type == row.trust_type]
    scores = peers[peers.metric_id.str.startswith(cfg.score_prefix)]
    catalogue = scores.drop_duplicates("metric_id")[["metric_id", "metric_description", "domain"]]
    mine = scores[scores.trust_code == code].set_index("metric_id")["value"]
    raw = peers[peers.metric_id.str.startswith(cfg.raw_prefix)]
    # Where a metric has a rate and a count row, the rate (not the count) is the one scored.
    raw = raw.assign(_count=(raw.units == "count")).sort_values(["_count"]).drop_duplicates(
        ["trust_code", "metric_id"])
    raw_mine = raw[raw.trust_code == code].set_index("metric_id")
    reporting = raw.groupby("metric_id")["trust_code"].nunique()
    out = []
    for c in catalogue.itertuples():
        rid = cfg.raw_id_of(c.metric_id)
        r = raw_mine.loc[rid] if rid in raw_mine.index else None
        scored = c.metric_id in mine.index and not T.missing(mine[c.metric_id])
        out.append({
            "metric_id": c.metric_id, "raw_id": rid, "description": c.metric_description.strip(),
            "domain": c.domain, "scored": scored, "score": mine.get(c.metric_id, np.nan),
            "value": r["value"] if r is not None else np.nan, "units": r["units"] if r is not None else "",
            "period": r["reporting_date"] if r is not None else "",
            "median": r["median_value"] if r is not None else np.nan,
            "lq": r["lower_quartile"] if r is not None else np.nan,
            "uq": r["upper_quartile"] if r is not None else np.nan,
            "rank": r["rank"] if r is not None else np.nan,
            "n": int(reporting.get(rid, 0)),
            "has_raw": rid in reporting.index,
        })
    order = {d.name: i for i, d in enumerate(cfg.domains)}
    df = pd.DataFrame(out)
    if df.empty:
        return df
    return df.assign(_o=df.domain.map(order)).sort_values(["_o", "metric_id"]).drop(columns="_o").reset_index(drop=True)


METRIC_COLUMNS = ("Metric", "Value (data period)", "Score (1 best, 4 worst)", "Peer median",
                  "Peer middle half (quartiles)", "Rank among peers")


def _metric_row(m) -> tuple[str, ...]:
    score = T.score(m.score) if m.scored else "not scored"
    quartiles = (f"{T.number(m.lq, 2, m.units)} to {T.number(m.uq, 2, m.units)}"
                 if not T.missing(m.lq) and not T.missing(m.uq) else
                 (T.NOT_APPLICABLE if not m.has_raw else T.NO_DATA))
    rank = (f"{int(m.rank)} of {m.n}" if not T.missing(m.rank) else
            (T.NOT_APPLICABLE if not m.has_raw else T.NO_DATA))
    if not m.has_raw:
        value = "score only"
    elif T.missing(m.value):
        value = T.NO_DATA
    else:
        value = T.number(m.value, 2, m.units) + (f" ({m.period})" if not T.missing(m.period) else "")
    median = T.number(m.median, 2, m.units) if m.has_raw else T.NOT_APPLICABLE
    return (f"{m.description} ({m.metric_id})", value, score, median, quartiles, rank)


def metrics_section(ctx: Context, code: str, mr: pd.DataFrame) -> Section:
    """Every metric scored for the trust's type, one table per domain."""
    cfg = ctx.config
    row = ctx.result.trust(code)
    plural = cfg.plural(row.trust_type)
    n_scored = int(mr.scored.sum()) if len(mr) else 0
    blocks: list = [Paragraph.of(
        f"{row.trust_name} was scored on {n_scored} of the {len(mr)} metrics scored for {plural} this quarter. "
        f"\"Not scored\" means the metric does not count in its average. Peer figures compare it with the other "
        f"{plural} reporting the metric; rank 1 is best. \"Score only\" means NHS England publishes a score but no "
        f"value for the metric.")]
    for dom in cfg.domains:
        part = mr[mr.domain == dom.name] if len(mr) else mr
        if part.empty:
            continue
        blocks.append(Section(dom.name, (Table(
            caption=f"{dom.name}: {row.trust_name}'s metrics against other {plural}, {ctx.quarter}",
            columns=METRIC_COLUMNS, rows=tuple(_metric_row(m) for m in part.itertuples()),
            numeric=(False, False, True, False, False, True), id=f"metrics-{T.slug(dom.name)}"),),
            id=f"metrics-{T.slug(dom.name)}-section"))
    notes = []
    scored_ids = set(mr.metric_id[mr.scored]) if len(mr) else set()
    for c in cfg.combined:
        present = [mid for mid in c.members if mid in scored_ids]
        if c.method == "mean" and present:
            notes.append(f"{c.name} ({T.join_words(present)}) count as one score in the average: their mean.")
        if c.method == "replace" and c.id in scored_ids:
            notes.append(f"{c.name} ({c.id}) stands in for {T.join_words(list(c.members))} in the average, so those "
                         f"scores are shown but not counted twice.")
    if notes:
        blocks.insert(1, BulletList(tuple(Paragraph.of(n) for n in notes)))
    return Section("Every metric", tuple(blocks), id="metrics-section")


# ---------------------------------------------------------------------------
# Domains


def domain_section(ctx: Context, code: str) -> tuple[Section, list[tuple[str, int, int]]]:
    cfg, r = ctx.config, ctx.result
    row = r.trust(code)
    d = r.domains[r.domains.trust_type == row.trust_type]
    mine = d[d.trust_code == code].set_index("domain")
    rows, bars, ranked = [], [], []
    for dom in cfg.domains:
        peers = d[d.domain == dom.name]["score"].dropna().to_numpy()
        lq, med, uq = (np.percentile(peers, [25, 50, 75]) if len(peers) else (np.nan,) * 3)
        if dom.name in mine.index:
            m = mine.loc[dom.name]
            rows.append((dom.name, T.score(m["score"]), T.score(lq), T.score(med), T.score(uq),
                         T.segment_name(m["segment"]), f"{int(m['rank'])} of {int(m['size'])}"))
            bars.append(Bar(f"{dom.name}: this trust", float(m["score"]), highlight=True))
            ranked.append((dom.name, int(m["rank"]), int(m["size"])))
        else:
            rows.append((dom.name, T.NO_DATA, T.score(lq), T.score(med), T.score(uq), T.NO_DATA, T.NOT_APPLICABLE))
        if len(peers):
            bars.append(Bar(f"{dom.name}: peer median", float(med)))
    table = Table(
        caption=f"Domain scores of {row.trust_name} against {cfg.plural(row.trust_type)}, {ctx.quarter}",
        columns=("Domain", "Score", "Peer lower quartile", "Peer median", "Peer upper quartile", "Domain segment",
                 "Rank among peers"),
        rows=tuple(rows), numeric=(False, True, True, True, True, False, True), id="domains")
    better = [n for n, rk, size in ranked if mine.loc[n, "score"] <= np.median(d[d.domain == n]["score"])]
    alt_parts = []
    for dom in cfg.domains:
        if dom.name in mine.index:
            med = np.median(d[d.domain == dom.name]["score"])
            word = "better than" if mine.loc[dom.name, "score"] < med else (
                "the same as" if mine.loc[dom.name, "score"] == med else "worse than")
            alt_parts.append(f"{dom.name} {T.score(mine.loc[dom.name, 'score'])}, {word} the peer median "
                             f"{T.score(med)}")
    alt = (f"{row.trust_name} scores at or better than the peer median in {len(better)} of {len(ranked)} domains "
           f"(lower is better): " + "; ".join(alt_parts) + ".")
    chart = BarChart(bars=tuple(bars), value_label="Domain score (1 best, 4 worst)", category_label="Domain",
                     value_min=1.0, value_max=4.0)
    figure = Figure(chart, alt=alt, caption=f"Domain scores of {row.trust_name} beside the peer median, "
                                            f"{ctx.quarter}", data=table, id="domain-chart")
    blocks = (Paragraph.of(
        f"A domain score is the mean of the trust's scores in that domain, from 1 (best) to 4 (worst). The peer "
        f"quartiles show the middle half of {cfg.plural(row.trust_type)}."), figure)
    return Section("Domain scores against peers", blocks, id="domains-section"), ranked


# ---------------------------------------------------------------------------
# Summary, trend, peers


def summary_section(ctx: Context, code: str, ranked, mr: pd.DataFrame) -> Section:
    sentences = []
    if ranked:
        best = min(ranked, key=lambda x: (x[1] / x[2], x[0]))
        worst = max(ranked, key=lambda x: (x[1] / x[2], x[0]))
        sentences.append(f"Its strongest domain against its peers is {best[0].lower()} (ranked {T.ordinal(best[1])} "
                         f"of {best[2]}); its weakest is {worst[0].lower()} ({T.ordinal(worst[1])} of {worst[2]}).")
    far = _furthest_metrics(ctx, mr)
    if far:
        sentences.append(far)
    sentences.append(_movement(ctx, code))
    return Section("Summary", tuple(Paragraph.of(s) for s in sentences if s), id="summary")


def _furthest_metrics(ctx: Context, mr: pd.DataFrame) -> str:
    cfg = ctx.config
    m = mr[mr.scored & mr.has_raw].copy()
    m = m[m["median"].notna() & m["value"].notna() & m["uq"].notna() & m["lq"].notna()]
    if m.empty:
        return ""
    spread = (m["uq"] - m["lq"]).where((m["uq"] - m["lq"]) > 0)
    sign = m["raw_id"].map(lambda rid: 1.0 if cfg.metric(rid).get("better", "higher") == "higher" else -1.0)
    m["gap"] = sign * (m["value"] - m["median"]) / spread
    m = m.dropna(subset=["gap"])
    if m.empty:
        return ""
    best, worst = m.loc[m["gap"].idxmax()], m.loc[m["gap"].idxmin()]
    parts = []
    if best["gap"] > 0:
        parts.append(f"furthest better than the peer median on {best['description'].lower()} "
                     f"({T.number(best['value'], 2, best['units'])} against "
                     f"{T.number(best['median'], 2, best['units'])})")
    if worst["gap"] < 0:
        parts.append(f"furthest worse on {worst['description'].lower()} "
                     f"({T.number(worst['value'], 2, worst['units'])} against "
                     f"{T.number(worst['median'], 2, worst['units'])})")
    return ("Of its metrics, it is " + " and ".join(parts) + ".") if parts else ""


def _trend(ctx: Context, code: str) -> list[tuple[str, pd.Series]]:
    out = []
    for q in sorted(ctx.results, key=sort_key):
        if sort_key(q) > sort_key(ctx.quarter):
            continue
        t = ctx.results[q].trusts
        rows = t[t.trust_code == code]
        if len(rows):
            out.append((q, rows.iloc[0]))
    return out


def _movement(ctx: Context, code: str) -> str:
    trend = _trend(ctx, code)
    if len(trend) < 2:
        return "The input holds no earlier quarter for this trust, so movement cannot be shown."
    (q0, a), (_, b) = trend[-2], trend[-1]

    def change(x, y, what, fmt=str, lower_better=True):
        if x == y:
            return f"its {what} stayed at {fmt(y)}"
        direction = "improved" if (y < x) == lower_better else "worsened"
        return f"its {what} {direction} from {fmt(x)} to {fmt(y)}"

    parts = [
        change(int(a.final_segment), int(b.final_segment), "segment"),
        change(int(a.league_rank), int(b.league_rank), "rank", T.ordinal),
        change(round(float(a.average_score), 2), round(float(b.average_score), 2), "average score", T.score),
    ]
    return f"Since {q0}, " + T.join_words(parts) + "."


def trend_section(ctx: Context, code: str) -> Section:
    trend = _trend(ctx, code)
    row = ctx.result.trust(code)
    rows = tuple((q, T.segment_name(r.final_segment), f"{int(r.league_rank)} of {int(r.league_size)}",
                  T.score(r.average_score)) for q, r in trend)
    table = Table(caption=f"Segment, rank and average score of {row.trust_name} by quarter",
                  columns=("Quarter", "Segment", "Rank", "Average score"), rows=rows,
                  numeric=(False, False, True, True), id="trend")
    if len(trend) < 2:
        return Section("Trend across quarters", (Paragraph.of(
            "The input holds only this quarter for this trust."), table), id="trend-section")
    first, last = trend[0][1], trend[-1][1]
    direction = ("fell (improved)" if last.average_score < first.average_score else
                 "rose (worsened)" if last.average_score > first.average_score else "did not change")
    alt = (f"{row.trust_name}'s average score {direction} from {T.score(first.average_score)} in {trend[0][0]} to "
           f"{T.score(last.average_score)} in {trend[-1][0]}: " +
           "; ".join(f"{q} {T.score(r.average_score)}" for q, r in trend) + ".")
    chart = BarChart(bars=tuple(Bar(q, float(r.average_score), highlight=(q == ctx.quarter)) for q, r in trend),
                     value_label="Average metric score (1 best, 4 worst)", category_label="Quarter",
                     value_min=1.0, value_max=4.0, horizontal=False)
    fig = Figure(chart, alt=alt, caption=f"Average score of {row.trust_name} by quarter", data=table,
                 id="trend-chart")
    return Section("Trend across quarters", (fig,), id="trend-section")


BAND_HUNDREDTHS = 25  # the width of an average-score band in the peers chart: 0.25


def peers_section(ctx: Context, code: str) -> Section:
    """The trust's average among all its peers, as the number of trusts in each band of average score."""
    cfg, r = ctx.config, ctx.result
    row = r.trust(code)
    t = r.trusts[r.trusts.trust_type == row.trust_type]
    n = len(t)
    hundredths = (t.average_score * 100).round().astype(int)
    mine = int(round(row.average_score * 100))
    better = int((hundredths < mine).sum())
    same = int((hundredths == mine).sum()) - 1
    median = float(np.median(t.average_score))
    width = BAND_HUNDREDTHS
    lo, hi = int(hundredths.min()) // width, int(hundredths.max()) // width
    bands = []
    for b in range(lo, hi + 1):
        count_in = int(((hundredths // width) == b).sum())
        label = f"{b * width / 100:.2f} to {(b + 1) * width / 100 - 0.01:.2f}"
        bands.append((label, count_in, b == mine // width))
    plural = cfg.plural(row.trust_type)
    alt = (f"{row.trust_name}'s average score of {T.score(row.average_score)} is better (lower) than "
           f"{n - 1 - better - same} of the other {n - 1} {plural} and worse than {better}"
           + (f"; {same} share it" if same else "") + f". The median is {T.score(median)}.")
    chart = BarChart(
        bars=tuple(Bar(label, count_in, highlight=here) for label, count_in, here in bands),
        value_label="Number of trusts", category_label="Average score band (1 best, 4 worst)", horizontal=False)
    data = Table(
        caption=f"Number of {plural} in each band of average score, {ctx.quarter}",
        columns=("Average score band", "Number of trusts", f"{row.trust_name} in this band"),
        rows=tuple((label, str(count_in), "Yes" if here else "No") for label, count_in, here in bands),
        numeric=(False, True, False), id="peers")
    fig = Figure(chart, alt=alt, caption=f"Where {row.trust_name} sits among all {n} {plural}: the number of trusts "
                                         f"in each band of average score, lower is better", data=data,
                 id="peers-chart")
    return Section(f"Among all {plural}", (fig,), id="peers-section")


def sources_section(ctx: Context, code: str) -> Section:
    cfg, r = ctx.config, ctx.result
    row = r.trust(code)
    rec = ctx.reconciliation.detail
    mine = rec[(rec.trust_code == code) & (rec.scope == "rule")]
    counts = {s: int((mine.status == s).sum()) for s in (MATCH, ROUNDING, MISMATCH)}
    blocks = list(prose.render("pack-sources", rules=F.rule_facts(cfg), quarter=ctx.quarter,
                               national=NATIONAL_FROM_PACK, files=list(ctx.sources),
                               cutoff_sentence=F.cutoff_sentence(r.cutoffs),
                               average_source=row.average_source, counts=counts, compared=len(mine),
                               fictional=ctx.fictional))
    return Section("Where the figures come from", tuple(blocks), id="sources")


def pack_document(ctx: Context, code: str, formats: tuple[str, ...] = ("html", "pdf", "docx")) -> Document:
    r, cfg = ctx.result, ctx.config
    row = r.trust(code)
    mr = metric_rows(ctx, code)
    domains, ranked = domain_section(ctx, code)
    title, blocks = opening(ctx, f"{row.trust_name}: NHS Oversight Framework briefing, {ctx.quarter}")
    blocks += [
        Paragraph.of(f"{row.trust_name} ({code}) is a {row.trust_type.lower()} ({row.trust_subtype}) in the "
                     f"{row.region} region. This briefing shows where it stands in the {cfg.title} for "
                     f"{ctx.quarter}, and why."),
        at_a_glance(ctx, r, row),
        summary_section(ctx, code, ranked, mr),
        domains,
        peers_section(ctx, code),
        trend_section(ctx, code),
        metrics_section(ctx, code, mr),
        Section("What these figures can and cannot tell you", prose.render(
            "pack-limits", rules=F.rule_facts(cfg), national=NATIONAL_FROM_PACK,
            plural=cfg.plural(row.trust_type), n_items=int(row.n_items)), id="limits"),
        sources_section(ctx, code),
    ]
    related = format_links(code, formats, "briefing") + (
        Link("The national league tables", NATIONAL_FROM_PACK), Link("All trusts", "../index.html")) + pack_links(code)
    return Document(
        title=title,
        subtitle=f"{segment_cell(row)}; {_rank_words(ctx, r, row)}",
        blocks=tuple(blocks),
        subject=f"{cfg.title} briefing for {row.trust_name}, {ctx.quarter}",
        keywords=("NHS Oversight Framework", row.trust_name, code, ctx.quarter),
        slug=f"{slug(ctx.quarter)}-{code}",
        date=end_date(ctx.quarter),
        related=related,
    )
