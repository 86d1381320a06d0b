"""What league tables cannot tell you, in this quarter's numbers.

Each function returns ``Claim``s: one plain sentence or two for a trust type,
with the figures it states kept beside it (``facts``), so a test can recompute
every figure from the data and check the sentence. Nothing here is typed in:
every number comes from the quarter's results, the previous quarter's, or the
year's configuration.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..changes import cutoff_bounds
from ..config import Config
from ..methodology import QuarterResult
from . import text as T
from . import words as W

# Topics, in the order the section states them.
RANKS = "ranks"
RELATIVE = "relative"
REGRESSION = "regression"
CASE_MIX = "case-mix"
SMALL_NUMBERS = "single-measure"
WEIGHTS = "weights"
DEFICIT = "deficit"
REFRESH = "refresh"
CLIFF_EDGE = "cliff-edge"
MISSING = "missing"
TOPICS = (RANKS, RELATIVE, REGRESSION, CASE_MIX, SMALL_NUMBERS, WEIGHTS, DEFICIT, REFRESH, CLIFF_EDGE, MISSING)

TITLES = {
    RANKS: "How sure a rank is.",
    RELATIVE: "Whether a segment is a fixed standard.",
    REGRESSION: "Whether a big rise or fall is real.",
    CASE_MIX: "A like-for-like comparison.",
    SMALL_NUMBERS: "How solid an area (domain) score is.",
    WEIGHTS: "How much each area counts.",
    DEFICIT: "Whether segment 3 comes from the scores.",
    REFRESH: "Whether a move is this quarter's change.",
    CLIFF_EDGE: "How far a trust is from a target.",
    MISSING: "A full picture of every trust.",
}

_YEARLY = re.compile(r"^\d{4}(/\d{2})?$")


@dataclass(frozen=True)
class Claim:
    topic: str
    trust_type: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


def parse_range(value) -> tuple[float, float] | None:
    """A published likely range ("1.2 to 1.89") as two numbers, or None."""
    if T.missing(value):
        return None
    parts = str(value).split(" to ")
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None


def _num(value: float) -> str:
    """A median count or rank: whole numbers without decimals, halves as .5."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _count(n: int, what: str = "") -> str:
    """A count at the start of a clause: "none" for 0."""
    return "none" if n == 0 else str(n)


def _bracket(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return T.NO_DATA
    return f"{low:.2f}" if low == high else f"between {low:.2f} and {high:.2f}"


def _of_type(r: QuarterResult, ttype: str) -> pd.DataFrame:
    return r.trusts[r.trusts.trust_type == ttype]


def subtype_words(subtype: str) -> str:
    """ "Acute - Specialist" -> "specialist acute"; "Care Trust" -> "care trust"."""
    s = str(subtype)
    if " - " in s:
        head, tail = s.split(" - ", 1)
        return f"{tail.lower()} {head.lower()}"
    return s.lower()


def _trusts(subtype: str, n: int) -> str:
    words = subtype_words(subtype)
    if words.endswith("trust"):
        return words + ("s" if n != 1 else "")
    return f"{words} {'trust' if n == 1 else 'trusts'}"


# ---------------------------------------------------------------------------
# The claims


def rank_uncertainty(r: QuarterResult, ttype: str, config: Config) -> Claim:
    g = _of_type(r, ttype)
    plural = config.plural(ttype)
    ranks = [x for x in map(parse_range, g.likely_range_of_rank) if x]
    averages = {c: parse_range(v) for c, v in zip(g.trust_code, g.likely_range_of_average_score)}
    if not ranks:
        return Claim(RANKS, ttype, (
            f"Every rank is uncertain, but the input does not show by how much. NHS England publishes each "
            f"trust's likely range of rank in its league-table file for {plural}. Add that file to the input to "
            f"show the ranges here and in each trust's pack."), {"loaded": False})
    n = len(g)
    widths = [b - a + 1 for a, b in ranks]
    median_width = float(np.median(widths))
    top, bottom = n / 4, 3 * n / 4
    both = sum(1 for a, b in ranks if a <= top and b > bottom)
    bounds = cutoff_bounds(r.cutoffs)
    exact = r.cutoffs.values is not None
    crossing = sum(1 for v in averages.values() if v and _crosses(v, bounds))
    with_avg = sum(1 for v in averages.values() if v)
    facts = {"loaded": True, "n": n, "with_range": len(ranks), "median_width": median_width, "both": both,
             "crossing": crossing, "with_average_range": with_avg, "exact": exact}
    text = (f"Every rank is uncertain. For half of the {n} {plural}, the likely range of rank spans "
            f"{_num(median_width)} places or more. For {_count(both)} of them it reaches from the top quarter of "
            f"the table to the bottom quarter. For {'at least ' if not exact and crossing else ''}{_count(crossing)} "
            f"of the {with_avg} trusts, the likely range of the average score crosses a segment cut-off. Their "
            f"segment could also have been different.")
    return Claim(RANKS, ttype, text, facts)


def _crosses(span: tuple[float, float], bounds) -> bool:
    lo, hi = span
    for low, high in bounds:
        if math.isnan(low) or math.isnan(high):
            continue
        if lo <= low and (hi > high if low == high else hi >= high):
            return True
    return False


def relative_cutoffs(r: QuarterResult, prev: QuarterResult | None, ttype: str, config: Config) -> Claim:
    g = _of_type(r, ttype)
    plural = config.plural(ttype)
    n4 = int((g.unadjusted_segment == 4).sum())
    others = [config.plural(t) for t in config.trust_types if t != ttype]
    facts: dict[str, Any] = {"n": len(g), "segment4": n4}
    text = (f"Segments are not fixed standards. The cut-offs split the averages of all trusts into four equal "
            f"groups. So about a quarter of all trusts are in segment 4, however good their results. On their "
            f"scores, {n4} of the {len(g)} {plural} are in segment 4 this quarter. The cut-offs also use the "
            f"averages of {T.join_words(others)}.")
    if prev is not None:
        now_b, then_b = cutoff_bounds(r.cutoffs)[2], cutoff_bounds(prev.cutoffs)[2]
        if not any(math.isnan(x) for x in now_b + then_b) and now_b != then_b:
            facts.update(cut_before=then_b, cut_now=now_b)
            text += (f" Since {prev.quarter}, the cut-off between segments 3 and 4 has moved from "
                     f"{_bracket(*then_b)} to {_bracket(*now_b)}. So a trust can change segment even if its own "
                     f"average does not change.")
    return Claim(RELATIVE, ttype, text, facts)


def quarter_groups(before: pd.Series) -> tuple[pd.Index, pd.Index]:
    """The best and worst quarter of trusts by last quarter's average (lower is better)."""
    q25, q75 = np.percentile(before.to_numpy(dtype=float), [25, 75])
    return before.index[before <= q25], before.index[before >= q75]


def _moved(change: float) -> str:
    if round(change, 2) == 0:
        return "did not change on average"
    return f"{'improved' if change < 0 else 'worsened'} by {abs(change):.2f} on average"


def regression(r: QuarterResult, prev: QuarterResult | None, ttype: str, config: Config) -> Claim | None:
    if prev is None:
        return None
    a = _of_type(prev, ttype).set_index("trust_code").average_score
    b = _of_type(r, ttype).set_index("trust_code").average_score
    common = a.index.intersection(b.index)
    if len(common) < 8:
        return None
    a, b = a[common], b[common]
    best, worst = quarter_groups(a)
    best_change = float((b[best] - a[best]).mean())
    worst_change = float((b[worst] - a[worst]).mean())
    text = (f"Results at either end often move back towards the middle the next quarter, by chance alone. "
            f"This is called regression to the mean. From {prev.quarter} to {r.quarter}, the quarter of "
            f"{config.plural(ttype)} with the worst averages {_moved(worst_change)}. The best quarter "
            f"{_moved(best_change)}.")
    return Claim(REGRESSION, ttype, text, {"worst_change": worst_change, "best_change": best_change,
                                           "worst_n": len(worst), "best_n": len(best)})


def case_mix(r: QuarterResult, ttype: str, config: Config) -> Claim | None:
    g = _of_type(r, ttype)
    groups = g.groupby("trust_subtype", sort=True)
    if groups.ngroups < 2:
        return None
    parts, facts = [], {}
    for sub, s in sorted(groups, key=lambda kv: (float(kv[1].league_rank.median()), kv[0])):
        med_rank, med_items = float(s.league_rank.median()), float(s.n_items.median())
        facts[sub] = {"n": len(s), "median_rank": med_rank, "median_items": med_items}
        who = f"The {len(s)} {_trusts(sub, len(s))} have" if len(s) > 1 else f"The one {_trusts(sub, 1)} has"
        parts.append(f"{who} a median rank of {_num(med_rank)}, on a median of {_num(med_items)} scores.")
    text = (f"Trusts run different services, and the scores are not adjusted for this. Among the "
            f"{len(g)} {config.plural(ttype)}, ranks differ by kind of trust. {' '.join(parts)}")
    if len(g) >= 20:
        top = g[g.league_rank <= 10]
        counts = top.trust_subtype.value_counts()
        sub = min(counts.index, key=lambda s: (-counts[s], s))
        share = int((g.trust_subtype == sub).sum())
        facts["top10"] = {"subtype": sub, "in_top": int(counts[sub]), "top": len(top), "of_type": share}
        text += (f" Of the {len(top)} trusts ranked in the top 10, {int(counts[sub])} are {_trusts(sub, 2)}. They make "
                 f"up {share} of all {len(g)}.")
    return Claim(CASE_MIX, ttype, text, facts)


def single_measure(r: QuarterResult, ttype: str, config: Config) -> Claim:
    d = r.domains[r.domains.trust_type == ttype]
    one = d[d.n_items == 1]
    n_trusts = len(_of_type(r, ttype))
    facts = {"domain_scores": len(d), "single": len(one), "trusts": int(one.trust_code.nunique()), "n": n_trusts}
    text = (f"{len(one)} of the {len(d)} domain scores of {config.plural(ttype)} rest on a single measure, for "
            f"{one.trust_code.nunique()} of the {n_trusts} trusts. One measure changing can move such a domain "
            f"score, and its rank, a long way.")
    return Claim(SMALL_NUMBERS, ttype, text, facts)


def typical_mix(r: QuarterResult, ttype: str, config: Config) -> tuple[tuple[int, ...], int]:
    """The most common number of scores in each domain among trusts of a type, and how many trusts have it."""
    codes = _of_type(r, ttype).trust_code
    items = r.items[r.items.trust_code.isin(codes)]
    names = [d.name for d in config.domains]
    counts = items.groupby(["trust_code", "domain"]).size().unstack(fill_value=0).reindex(columns=names, fill_value=0)
    mixes = counts.apply(tuple, axis=1).value_counts()
    best = min(mixes.index, key=lambda m: (-mixes[m], m))
    return tuple(int(x) for x in best), int(mixes[best])


def weights(r: QuarterResult, ttype: str, config: Config) -> Claim:
    mix, k = typical_mix(r, ttype, config)
    total = sum(mix)
    shares = {d.name: 100 * c / total for d, c in zip(config.domains, mix) if c}
    n = len(_of_type(r, ttype))
    order = sorted(shares, key=lambda name: -shares[name])
    rest = T.join_words([f"{name.lower()} {shares[name]:.0f}%" for name in order[1:]])
    text = (f"The average counts every score the same. So an area with more measures counts for more. Take the "
            f"most common mix of measures among {config.plural(ttype)}, shared by {k} of the {n}. It has {total} "
            f"scores. Of these, {order[0].lower()} makes up {shares[order[0]]:.0f}% of the average.")
    if rest:
        text += f" The other shares are: {rest}."
    return Claim(WEIGHTS, ttype, text, {"mix": mix, "shared_by": k, "n": n, "shares": shares})


def deficit_reach(r: QuarterResult, ttype: str, config: Config) -> Claim:
    g = _of_type(r, ttype)
    to = int(config["override"]["to_segment"])
    seg = g[g.adjusted_segment == to]
    held = seg[seg.override_applied]
    facts: dict[str, Any] = {"segment": to, "in_segment": len(seg), "held": len(held)}
    plural = config.plural(ttype)
    if held.empty:
        text = (f"A trust in financial deficit cannot be in segment 1 or 2. If its scores would put it there, it "
                f"is placed in segment {to} instead. This quarter, none of the {len(seg)} {plural} in segment {to} "
                f"is there because of this rule.")
        return Claim(DEFICIT, ttype, text, facts)
    avg_rank = g.average_score.rank(method="min")
    first = held.sort_values(["average_score", "trust_name"]).iloc[0]
    position = int(avg_rank[first.name])
    facts.update(example=first.trust_code, average_position=position, rank=int(first.league_rank))
    text = (f"A trust in financial deficit cannot be in segment 1 or 2. If its scores would put it there, it is "
            f"placed in segment {to} instead. Of the {len(seg)} {plural} in segment {to}, {len(held)} are "
            f"there only because of this rule. One is {first.trust_name}. It has the {T.ordinal(position)} best "
            f"average of the {len(g)}, but is ranked {T.ordinal(first.league_rank)}.")
    return Claim(DEFICIT, ttype, text, facts)


def refreshed_metrics(metrics: pd.DataFrame, quarter: str, before: str, ttype: str, config: Config) -> list[str]:
    """Raw metrics of a type updated with a new year's data this quarter: their reporting period is a year
    ("2025", "2024/25") and differs from last quarter's."""
    m = metrics[(metrics.trust_type == ttype) & metrics.metric_id.str.startswith(config.raw_prefix)]
    now = m[m.quarter == quarter].groupby("metric_id").reporting_date.agg(lambda s: set(map(str, s)))
    then = m[m.quarter == before].groupby("metric_id").reporting_date.agg(lambda s: set(map(str, s)))
    out = []
    for mid, periods in now.items():
        if mid in then.index and periods != then[mid] and all(_YEARLY.match(p.strip()) for p in periods):
            out.append(mid)
    return sorted(out)


def refresh(r: QuarterResult, prev: QuarterResult | None, metrics: pd.DataFrame, ttype: str,
            config: Config) -> Claim | None:
    if prev is None:
        return None
    raw = refreshed_metrics(metrics, r.quarter, prev.quarter, ttype, config)
    scored = [config.score_id_of(m) for m in raw]
    a = prev.items[prev.items["item"].isin(scored)].set_index(["trust_code", "item"]).score
    b = r.items[r.items["item"].isin(scored)].set_index(["trust_code", "item"]).score
    both = a.index.intersection(b.index)
    codes = set(_of_type(r, ttype).trust_code) & set(_of_type(prev, ttype).trust_code)
    both = both[both.get_level_values(0).isin(codes)]
    if not len(both):
        return None
    moves = (b[both] - a[both]).abs().groupby(level=0).sum()
    code = min(moves.index, key=lambda c: (-moves[c], c))
    q = metrics[(metrics.quarter == r.quarter) & (metrics.trust_type == ttype)]
    names = _plain_names(q, config)
    periods = q.drop_duplicates("metric_id").set_index("metric_id").reporting_date.astype(str)
    old_periods = metrics[(metrics.quarter == prev.quarter) & (metrics.trust_type == ttype)].drop_duplicates(
        "metric_id").set_index("metric_id").reporting_date.astype(str)
    mine = [s for s in scored if (code, s) in both]
    before_row = prev.trust(code)
    now_row = r.trust(code)
    text = ("Some measures are updated once a year. So a trust can move because one year's data replaced "
            "another.")
    for m in raw:
        now_period, then_period = W.period(periods.get(m, "")), W.period(old_periods.get(m, ""))
        text += f" This quarter, {now_period} data replaced {then_period} data for {names.get(m, m)}."
    text += (f" Among {config.plural(ttype)}, the largest effect was on {now_row.trust_name}. Its rank moved from "
             f"{T.ordinal(before_row.league_rank)} to {T.ordinal(now_row.league_rank)}.")
    for s in mine:
        name = names.get(config.raw_id_of(s), s)
        text += f" Its score for {name} went from {a[(code, s)]:.2f} to {b[(code, s)]:.2f}."
    return Claim(REFRESH, ttype, W.Acronyms()(text), {"metrics": raw, "trust": code,
                                        "scores": {s: (float(a[(code, s)]), float(b[(code, s)])) for s in mine},
                                        "rank_before": int(before_row.league_rank),
                                        "rank_now": int(now_row.league_rank)})


def cliff_edges(r: QuarterResult, metrics: pd.DataFrame, ttype: str, config: Config) -> Claim | None:
    codes = set(_of_type(r, ttype).trust_code)
    items = r.items[r.items.trust_code.isin(codes)]
    q = metrics[(metrics.quarter == r.quarter) & (metrics.trust_type == ttype)]
    names = _plain_names(q, config)
    units = q.drop_duplicates("metric_id").set_index("metric_id").units.astype(str)
    lo, hi = config.score_range
    parts, facts = [], {}
    for raw_id, spec in sorted(config.raw["metrics"].items()):
        rule = spec.get("rule")
        if rule not in ("target", "floor"):
            continue
        s = items[items["item"] == config.score_id_of(raw_id)].score
        if s.empty:
            continue
        name = names.get(raw_id, W.metric_name(config.score_id_of(raw_id)))
        if rule == "target":
            line = W.quantity(spec["target"], units.get(raw_id, ""), raw_id)
            k = int((s == lo).sum())
            parts.append(f"On {name}, {_how_many(k, len(s), 'met', 'met')} the line of {line}. "
                         f"{'It' if k == 1 else 'They'} scored {lo:.2f}." if k else
                         f"On {name}, {_how_many(k, len(s), 'met', 'met')} the line of {line}.")
        else:
            line = W.quantity(spec["floor"], units.get(raw_id, ""), raw_id)
            k = int((s == hi).sum())
            parts.append(f"On {name}, {_how_many(k, len(s), 'was', 'were')} below {line}. "
                         f"{'It' if k == 1 else 'They'} scored {hi:.2f}, the worst score." if k else
                         f"On {name}, {_how_many(k, len(s), 'was', 'were')} below {line}.")
        facts[raw_id] = {"rule": rule, "at_edge": k, "n": len(s)}
    if not parts:
        return None
    text = ("Some measures are scored against a line, not on a scale. Just crossing the line changes the score a "
            "lot.")
    if any(f["rule"] == "target" for f in facts.values()):
        text += f" Missing a target scores {lo + 1:.2f} or worse, however close the trust came."
    text += f" These are the measures of this kind for {config.plural(ttype)} this quarter. {' '.join(parts)}"
    return Claim(CLIFF_EDGE, ttype, W.Acronyms()(text), facts)


def _plain_names(q: pd.DataFrame, config: Config) -> dict[str, str]:
    """Each raw metric of the quarter named in the packs' plain words (``words.metric_name``), by raw id."""
    described = q.drop_duplicates("metric_id").set_index("metric_id").metric_description.astype(str)
    return {raw_id: W.metric_name(config.score_id_of(raw_id), d) for raw_id, d in described.items()}


def _how_many(k: int, n: int, one: str, many: str) -> str:
    """ "3 of the 38 trusts were", "1 of the 38 trusts was", "none of the 51 trusts was", "the one trust was"."""
    if n == 1:
        return f"the one trust {one}" if k else f"the one trust {'did not meet' if one == 'met' else 'was not'}"
    if k == 0:
        return f"none of the {n} trusts {one}"
    return f"{k} of the {n} trusts {one if k == 1 else many}"


def missing_data(r: QuarterResult, ttype: str, config: Config) -> Claim:
    g = _of_type(r, ttype)
    items = r.items[r.items.trust_code.isin(g.trust_code)]
    reported = items.groupby("item").trust_code.nunique()
    common = set(reported[reported >= len(g) / 2].index)
    has = items.groupby("trust_code")["item"].agg(set)
    lacking = sum(1 for c in g.trust_code if not common <= has.get(c, set()))
    facts = {"n": len(g), "lacking": lacking, "min": int(g.n_items.min()), "max": int(g.n_items.max())}
    text = (f"The data are as trusts sent them, and some are missing. Of the {len(g)} {config.plural(ttype)}, "
            f"{_count(lacking)} lack a score that most trusts of their type have. Each average rests on the scores "
            f"a trust has: from {facts['min']} to {facts['max']} this quarter.")
    if facts["min"] == facts["max"]:
        text = text.replace(f"from {facts['min']} to {facts['max']}", str(facts["min"]))
    return Claim(MISSING, ttype, text, facts)


def claims(r: QuarterResult, prev: QuarterResult | None, metrics: pd.DataFrame, config: Config) -> list[Claim]:
    """Every quantified limit of this quarter's tables, by topic and then trust type."""
    out: list[Claim | None] = []
    for ttype in r.trust_types:
        out += [
            rank_uncertainty(r, ttype, config),
            relative_cutoffs(r, prev, ttype, config),
            regression(r, prev, ttype, config),
            case_mix(r, ttype, config),
            single_measure(r, ttype, config),
            weights(r, ttype, config),
            deficit_reach(r, ttype, config),
            refresh(r, prev, metrics, ttype, config),
            cliff_edges(r, metrics, ttype, config),
            missing_data(r, ttype, config),
        ]
    found = [c for c in out if c is not None]
    return sorted(found, key=lambda c: TOPICS.index(c.topic))
