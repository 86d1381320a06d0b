"""Everything a pack says about one trust in one quarter, as numbers, before any words.

``standing(ctx, code)`` gathers from the computed results the facts the
pack's sentences state (``reportgen.content.claims``): the segment and why,
rank and average with their likely ranges, the distance to the cut-offs in
both directions, the change since the previous quarter and its reason, and
the scores that pull the average down most and help it most.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..changes import Bounds, Standing, classify_change, cutoff_bounds
from ..quarters import sort_key
from . import words as W
from .limits import parse_range
from .national import Context
from .peers import items_of, peer_group, published_rank, the_trust, trust_row


@dataclass(frozen=True)
class Driver:
    """One score that counts in the average."""

    item: str            # score id (OF1xxx) or combined item id
    name: str            # in plain words
    score: float
    value: str           # the raw value with its unit in words, or "" (score only)
    median: str          # the peer median value with its unit, or the peer median score
    median_is_score: bool
    wider_population: str  # "" or the trust types it is scored against, in words
    contribution: float  # (score - average) / number of scores: its pull on the average


@dataclass(frozen=True)
class Previous:
    quarter: str
    average: float
    adjusted: int
    unadjusted: int
    final: int
    deficit: bool
    rank: int
    size: int
    recovery_published: bool
    bounds: Bounds


@dataclass(frozen=True)
class TrustStanding:
    code: str
    name: str
    short: str
    type_words: str      # "an acute trust"
    plural: str          # "acute trusts"
    quarter: str
    final: int
    adjusted: int
    unadjusted: int
    deficit: bool
    override: bool
    recovery: bool | None          # None: this quarter's file does not say
    recovery_before: tuple[str, ...]  # earlier quarters in which it was in segment 5
    rank: int
    size: int
    tied_with: int
    rank_range: tuple[int, int] | None
    average: float
    average_range: tuple[float, float] | None
    n_items: int
    scores_rank: int | None        # NHS England's published rank on the average alone
    bounds: Bounds                 # where each cut-off lies this quarter: (low, high)
    exact_cutoffs: bool
    previous: Previous | None
    change_reason: str | None      # reportgen.changes reason, when the segment (1 to 4) changed
    change_threshold: float
    down: tuple[Driver, ...]
    up: tuple[Driver, ...]

    @property
    def recovery_unknown(self) -> bool:
        """This quarter's file has no programme flag, but the trust was in the programme before."""
        return self.recovery is None and bool(self.recovery_before)


def floor2(value: float) -> float:
    return math.floor(round(value * 100, 6)) / 100


def better_edge(s: TrustStanding, target: int) -> float | None:
    """The highest average that surely puts a trust in segment ``target`` (or better) this quarter."""
    low, high = s.bounds[target - 1]
    if math.isnan(low):
        return None
    return floor2(low) if s.exact_cutoffs else low


def worse_edge(s: TrustStanding, segment: int) -> float | None:
    """The average from which a trust is surely in segment ``segment + 1`` or worse: exact cut-offs give
    'above this value'; observed brackets give 'this value or more'."""
    low, high = s.bounds[segment - 1]
    if math.isnan(high):
        return None
    return floor2(high) if s.exact_cutoffs else high


def _drivers(ctx: Context, code: str, row) -> tuple[tuple[Driver, ...], tuple[Driver, ...]]:
    cfg = ctx.config
    mine = items_of(ctx, code)
    n = len(mine)
    if n == 0:
        return (), ()
    avg = float(row.average_score)
    group = peer_group(ctx, row.trust_type)
    descriptions = group.descriptions
    raw_mine = group.raw_records_of(code)
    out = []
    for it in mine.itertuples():
        item = str(it.item)
        rid = cfg.raw_id_of(item) if item.startswith(cfg.score_prefix) else ""
        name = W.metric_name(item, str(descriptions.get(item, item)))
        value = median = ""
        median_is_score = False
        wider = ""
        rr = raw_mine.get(rid) if rid else None
        if rr is not None and not pd.isna(rr["value"]):
            value = W.quantity(rr["value"], rr["units"], rid)
            # the median has the unit its value has ("1 day; median 0.9 days")
            median = W.quantity(rr["median_value"], rr["units"], rid)
            population = cfg.metric(rid).get("population", "type") if rid in cfg["metrics"] else "type"
            if isinstance(population, (list, tuple)) and set(population) != {row.trust_type}:
                wider = ("all types of trust" if len(population) >= len(cfg.trust_types)
                         else "other trust types too")
        else:
            median = group.item_median(item)
            median_is_score = bool(median)
        out.append(Driver(item, name, float(it.score), value, median, median_is_score, wider,
                          (float(it.score) - avg) / n))
    down = sorted((d for d in out if d.contribution > 1e-9), key=lambda d: (-d.contribution, d.name))[:3]
    up = sorted((d for d in out if d.contribution < -1e-9), key=lambda d: (d.contribution, d.name))[:3]
    return tuple(down), tuple(up)


def _previous(ctx: Context, code: str) -> Previous | None:
    earlier = [q for q in ctx.results if sort_key(q) < sort_key(ctx.quarter)]
    if not earlier:
        return None
    pq = max(earlier, key=sort_key)
    pr = ctx.results[pq]
    p = trust_row(ctx, code, pq)
    if p is None:
        return None
    return Previous(pq, float(p.average_score), int(p.adjusted_segment), int(p.unadjusted_segment),
                    int(p.final_segment), bool(p.deficit), int(p.league_rank), int(p.league_size),
                    bool(p.recovery_published), cutoff_bounds(pr.cutoffs))


def standing(ctx: Context, code: str) -> TrustStanding:
    cfg, r = ctx.config, ctx.result
    row = the_trust(ctx, code)
    plural = cfg.plural(row.trust_type)
    tied = int(peer_group(ctx, row.trust_type).rank_counts.get(row.league_rank, 0)) - 1
    rank_range = parse_range(row.likely_range_of_rank)
    avg_range = parse_range(row.likely_range_of_average_score)
    recovery: bool | None = bool(row.recovery_support) if bool(row.recovery_published) else None
    before = []
    for q in sorted(ctx.results, key=sort_key):
        if sort_key(q) >= sort_key(ctx.quarter):
            continue
        earlier = trust_row(ctx, code, q)
        if earlier is not None and earlier.final_segment == cfg["recovery_support"]["segment"]:
            before.append(q)
    prev = _previous(ctx, code)
    reason = None
    if prev is not None:
        reason = classify_change(
            Standing(prev.average, prev.unadjusted, prev.adjusted, prev.deficit),
            Standing(float(row.average_score), int(row.unadjusted_segment), int(row.adjusted_segment),
                     bool(row.deficit)),
            prev.bounds, cfg.change_threshold)
    down, up = _drivers(ctx, code, row)
    scores_rank = published_rank(ctx, code, cfg.summary_ids["average"])
    return TrustStanding(
        code=code, name=str(row.trust_name), short=W.short_name(row.trust_name),
        type_words=W.with_article(_singular(plural)), plural=plural, quarter=ctx.quarter,
        final=int(row.final_segment), adjusted=int(row.adjusted_segment),
        unadjusted=int(row.unadjusted_segment), deficit=bool(row.deficit), override=bool(row.override_applied),
        recovery=recovery, recovery_before=tuple(before),
        rank=int(row.league_rank), size=int(row.league_size), tied_with=tied,
        rank_range=(int(rank_range[0]), int(rank_range[1])) if rank_range else None,
        average=float(row.average_score), average_range=avg_range, n_items=int(row.n_items),
        scores_rank=scores_rank, bounds=cutoff_bounds(r.cutoffs), exact_cutoffs=r.cutoffs.values is not None,
        previous=prev, change_reason=reason, change_threshold=cfg.change_threshold, down=down, up=up,
    )


def _singular(plural: str) -> str:
    """ "mental health and community trusts" -> "mental health and community trust"."""
    return plural[:-1] if plural.endswith("trusts") else plural
