"""Scoring stage: from raw metric values (OF0xxx) to metric scores (OF1xxx).

Pure functions over the tidy metrics frame of ``reportgen.load`` and a
``Config``; no file I/O. Every rule (direction, scoring population, special
bands, finance steps) is read from the ``[metrics.OF0xxx]`` tables and
``[finance_combination]`` of the year's TOML file.

A program holding NHS England's published ``OF1xxx`` rows uses them; these
functions recompute scores for data that lacks them (what-if analysis, the
example data) and to check the published scores where the population is known.

Rules (``rule`` in a metric's table):

``rank``
    ``score = 1 + 3 (rank - 1) / (N - 1)``: rank 1 is the best of the N trusts
    in the scoring population, ties take the lowest rank.
``target``
    Trusts meeting ``target`` score 1.00; the others are ranked among
    themselves and scored ``2 + 2 (rank - 1) / (M - 1)``.
``floor``
    Trusts below ``floor`` score 4.00; the others are ranked among themselves
    and scored ``1 + 2 (rank - 1) / (M - 1)``.
``steps``
    Discrete 1 to 4 from the value's position against three cut-points.
``unknown``
    Not computable: only NHS England's published score can be used.

Published values are rounded to 2 dp, but NHS England ranked the unrounded
values. Trusts whose published values tie can therefore hold different
published ranks. With ``tie_break=True`` (the default) the published
within-type ``rank`` of the raw rows orders trusts *of the same type* whose
values tie; trusts of different types whose values tie stay tied (their
order is not recoverable from the files). Set it to False to rank on the
values alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .config import Config

RANK, TARGET, FLOOR, STEPS, UNKNOWN = "rank", "target", "floor", "steps", "unknown"
COMPUTABLE = (RANK, TARGET, FLOOR, STEPS)

SCORE_COLUMNS = [
    "quarter", "trust_code", "trust_type", "metric_id", "raw_metric_id", "units", "raw_value", "score",
    "rank", "population_size", "ranked_size", "population", "population_complete", "rule", "basis",
]
QUARTILE_COLUMNS = [
    "quarter", "trust_type", "trust_code", "metric_id", "units", "value", "median_value",
    "lower_quartile", "upper_quartile", "rank", "rank_max", "n", "quartiles_from_units",
]
# Carried over from the raw rows when present, so that the scores can be
# written out as rows of the data file.
_CARRIED = ["trust_name", "trust_subtype", "region", "domain", "sub_domain", "metric_description",
            "reporting_date"]

_UNIT_ALIASES = {"percent": "%", "per cent": "%", "percentage": "%"}


# ---------------------------------------------------------------------------
# Small building blocks


def round_half_up(values: Any, decimals: int = 2):
    """Round half away from zero (as Excel's ROUND and the published figures), robust to float noise.

    ``1 + 3 * 33 / 120 = 1.825`` is published as 1.83, where Python's
    ``round`` gives 1.82.
    """
    scale = 10.0 ** decimals
    v = np.asarray(values, dtype=float)
    out = np.sign(v) * np.floor(np.abs(v) * scale + 0.5 + 1e-9) / scale
    out = np.round(out, decimals)  # clean binary noise such as 1.2000000000000002
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    return out if out.ndim else float(out)


def norm_units(units: Any) -> str:
    """Compare units case-insensitively, treating ``percent`` (Q1 acute file) as ``%``."""
    u = str(units).strip().lower()
    return _UNIT_ALIASES.get(u, u)


def min_rank(keys: pd.DataFrame | pd.Series) -> pd.Series:
    """Rank rows on one or more sort keys (ascending, lexicographic); equal keys share the lowest rank."""
    df = keys.to_frame() if isinstance(keys, pd.Series) else keys
    if df.empty:
        return pd.Series(dtype=float, index=df.index)
    order = df.sort_values(list(df.columns), kind="mergesort")
    vals = order.to_numpy(dtype=float)
    new_group = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new_group[1:] = np.any(vals[1:] != vals[:-1], axis=1)
    pos = np.arange(1, len(order) + 1, dtype=float)
    ranks = np.maximum.accumulate(np.where(new_group, pos, 0.0))
    return pd.Series(ranks, index=order.index).reindex(df.index)


def oriented(values: pd.Series, better: str) -> pd.Series:
    """Values turned so that smaller is better."""
    if better == "lower":
        return values.astype(float)
    if better == "higher":
        return -values.astype(float)
    raise ValueError(f"'better' must be 'higher' or 'lower', not {better!r}")


def ranks_in_population(values: pd.Series, better: str, trust_types: pd.Series | None = None,
                        published_rank: pd.Series | None = None) -> pd.Series:
    """Rank 1 = best, ties take the lowest rank.

    ``published_rank`` (the raw rows' published within-type ranks) orders
    trusts of the same type whose values are equal; ties across types stay.
    """
    key = pd.DataFrame({"v": oriented(values, better)}, index=values.index)
    if published_rank is not None and published_rank.notna().any():
        types = trust_types if trust_types is not None else pd.Series("", index=values.index)
        one_type = types.groupby(key["v"]).transform("nunique") == 1
        key["tb"] = np.where(one_type & published_rank.notna(), published_rank.astype(float), 0.0)
    return min_rank(key)


def band_scores(ranks: pd.Series, n: int, low: float, high: float) -> pd.Series:
    """``low + (high - low) (rank - 1) / (n - 1)``; a population of one scores ``low``."""
    if n <= 1:
        return pd.Series(low, index=ranks.index, dtype=float)
    return low + (high - low) * (ranks.astype(float) - 1.0) / (n - 1)


def rank_scores(values: pd.Series, better: str, **kw) -> pd.Series:
    """The continuous rank-based score (unrounded) of each value among ``values``."""
    r = ranks_in_population(values, better, **kw)
    return band_scores(r, int(values.notna().sum()), 1.0, 4.0)


def step_scores(values: pd.Series, steps: tuple[float, float, float] | list[float]) -> pd.Series:
    """Discrete finance score from three descending cut-points ``(s1, s2, s3)``.

    1 at or above ``s1``; 2 below ``s1``; 3 at or below ``s2``; 4 at or below
    ``s3``. (Real data: a planned deficit of exactly -1.00% scores 3.)
    """
    s1, s2, s3 = (float(x) for x in steps)
    v = values.astype(float)
    out = 1.0 + (v < s1).astype(float) + (v <= s2).astype(float) + (v <= s3).astype(float)
    return out.where(v.notna())


def finance_combined(variance_score: pd.Series, plan_value: pd.Series, plan_score: pd.Series | None = None,
                     method: str = "capped", low: float = 1.0, high: float = 4.0) -> pd.Series:
    """Combined finance score (OF1080) from the variance score (OF1081) and the plan (OF0079, OF1079).

    ``simple``: ``clip(OF1081 + (1 if OF0079 < 0 else -1), 1, 4)``.
    ``capped``: as ``simple``, but a planned deficit adds 1 only where the plan
    score OF1079 is worse than OF1081 (``min(OF1081 + 1, max(OF1079, OF1081))``).
    The two agree on every MH/community trust-quarter; only ``capped`` fits
    the acute Q1 file.
    """
    vs = variance_score.astype(float)
    deficit = plan_value.astype(float) < 0
    up = vs + 1.0
    if method == "capped":
        if plan_score is None:
            raise ValueError("the 'capped' finance combination needs the plan score (OF1079)")
        up = np.minimum(up, np.maximum(plan_score.astype(float), vs))
    elif method != "simple":
        raise ValueError(f"unknown finance combination method {method!r} (use 'capped' or 'simple')")
    out = pd.Series(np.where(deficit, up, vs - 1.0), index=vs.index).clip(low, high)
    return out.where(vs.notna() & plan_value.notna())


# ---------------------------------------------------------------------------
# Configuration helpers


def metric_rules(config: Config) -> dict[str, Mapping[str, Any]]:
    return dict(config.raw.get("metrics", {}))


def _population_label(trust_type: str, population: Any) -> str:
    if isinstance(population, (list, tuple)):
        return " + ".join(population) if trust_type in population else trust_type
    return trust_type


def _score_range(config: Config) -> tuple[float, float]:
    s = config.raw.get("scores", {})
    return float(s.get("minimum", 1.0)), float(s.get("maximum", 4.0))


def _score_decimals(config: Config) -> int:
    return int(config.raw.get("scores", {}).get("decimals", 2))


# ---------------------------------------------------------------------------
# One metric


def _select_units(rows: pd.DataFrame, rule: Mapping[str, Any], raw_id: str):
    """Split a metric's rows into the scored units and the fallback units (trusts lacking the former)."""
    units = rows["units"].map(norm_units) if "units" in rows else pd.Series("", index=rows.index)
    want = rule.get("units")
    if want is None:
        dup = rows.duplicated(["quarter", "trust_code"], keep=False)
        if dup.any():
            found = sorted(set(rows.loc[dup, "units"]))
            raise ValueError(
                f"{raw_id} has rows in more than one unit for the same trust ({', '.join(found)}): "
                f"name the one to score with a 'units' key in [metrics.{raw_id}]"
            )
        return rows, rows.iloc[0:0]
    primary = rows[units == norm_units(want)]
    fb = rule.get("fallback_units")
    if fb is None:
        return primary, rows.iloc[0:0]
    fallback = rows[units == norm_units(fb)]
    have = set(zip(primary["quarter"], primary["trust_code"]))
    keep = [(q, c) not in have for q, c in zip(fallback["quarter"], fallback["trust_code"])]
    return primary, fallback[np.array(keep, dtype=bool)]


def _score_pool(pool: pd.DataFrame, rule: Mapping[str, Any], tie_break: bool, lo: float, hi: float) -> pd.DataFrame:
    """Scores of one scoring population (one quarter, one pool of types)."""
    kind = rule.get("rule", UNKNOWN)
    better = rule.get("better", "higher")
    v = pool["value"].astype(float)
    published = pool["rank"] if (tie_break and "rank" in pool) else None
    out = pd.DataFrame(index=pool.index)
    out["population_size"] = len(pool)

    def ranked(mask: pd.Series, low: float, high: float):
        sub = pool[mask]
        r = ranks_in_population(sub["value"], better, sub["trust_type"],
                                published[mask] if published is not None else None)
        return r, band_scores(r, len(sub), low, high), len(sub)

    if kind == RANK:
        r, s, m = ranked(pd.Series(True, index=pool.index), lo, hi)
    elif kind == TARGET:
        t = float(rule["target"])
        inclusive = bool(rule.get("target_inclusive", True))
        if better == "higher":
            meets = v >= t if inclusive else v > t
        else:
            meets = v <= t if inclusive else v < t
        r, s, m = ranked(~meets, lo + 1.0, hi)
        s = s.reindex(pool.index).where(~meets, lo)
        r = r.reindex(pool.index)
    elif kind == FLOOR:
        f = float(rule["floor"])
        below = v < f if better == "higher" else v > f
        r, s, m = ranked(~below, lo, hi - 1.0)
        s = s.reindex(pool.index).where(~below, hi)
        r = r.reindex(pool.index)
    elif kind == STEPS:
        s = step_scores(v, rule["steps"])
        r = pd.Series(np.nan, index=pool.index)
        m = 0
    else:
        raise ValueError(f"rule {kind!r} cannot be computed")
    if rule.get("zero_scores_best"):
        s = s.where(v != 0, lo)
    out["score"] = s
    out["rank"] = r
    out["ranked_size"] = m
    return out


def score_metric(rows: pd.DataFrame, raw_id: str, rule: Mapping[str, Any], *, tie_break: bool = True,
                 score_range: tuple[float, float] = (1.0, 4.0),
                 loaded_types: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """Unrounded scores of one raw metric's rows (any quarters, any loaded trust types).

    Returns one row per scored trust-quarter with quarter, trust_code,
    trust_type, units, raw_value, score, rank, population_size, ranked_size,
    population.
    """
    lo, hi = score_range
    types_by_quarter = rows.groupby("quarter")["trust_type"].agg(lambda t: set(t))
    if loaded_types is not None:
        types_by_quarter = pd.Series({q: set(t) for q, t in loaded_types.items()}, dtype=object)
    rows = rows[rows["value"].notna()]
    primary, fallback = _select_units(rows, rule, raw_id)
    population = rule.get("population", "type")
    parts = []
    if not primary.empty:
        label = primary["trust_type"].map(lambda t: _population_label(t, population))
        for (_, _), pool in primary.groupby([primary["quarter"], label], sort=True):
            scored = _score_pool(pool, rule, tie_break, lo, hi)
            scored["population"] = label[pool.index]
            parts.append(pool.drop(columns=[c for c in scored.columns if c in pool.columns]).join(scored))
    if not fallback.empty:
        fb_rule = rule.get("fallback_rule")
        if fb_rule != "count_plus_one":
            raise ValueError(f"[metrics.{raw_id}] fallback_units needs fallback_rule = 'count_plus_one'")
        fb = fallback.copy()
        fb["score"] = (fb["value"].astype(float) + lo).clip(lo, hi)
        fb["rank"] = np.nan
        fb["population_size"] = fb.groupby(["quarter", "trust_type"])["trust_code"].transform("size")
        fb["ranked_size"] = 0
        fb["population"] = fb["trust_type"] + " (" + str(rule["fallback_units"]) + ")"
        parts.append(fb)
    if not parts:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    out = pd.concat(parts)
    if isinstance(population, (list, tuple)):
        need = set(population)
        out["population_complete"] = [
            (t not in need) or need <= types_by_quarter.get(q, set())
            for q, t in zip(out["quarter"], out["trust_type"])
        ]
    else:
        out["population_complete"] = True
    out = out.rename(columns={"value": "raw_value"})
    out["raw_metric_id"] = raw_id
    out["rule"] = rule.get("rule", UNKNOWN)
    out["basis"] = rule.get("basis", "inferred")
    return out


# ---------------------------------------------------------------------------
# The whole frame


def score_from_raw(frame: pd.DataFrame, config: Config, *, tie_break: bool = True,
                   metrics: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Recompute every OF1xxx score that the raw OF0xxx rows in ``frame`` allow.

    ``frame``: the tidy metrics frame (any quarters and trust types). Each raw
    metric whose configured rule is computable is scored within its configured
    population among the trusts present, per quarter; the combined finance
    score is added where its inputs are present. ``metrics`` limits the raw
    metrics scored (the finance combination still needs its inputs).

    Returns one row per trust-quarter-score with the columns of
    ``SCORE_COLUMNS`` plus the raw rows' descriptive columns; ``score`` is
    rounded to the configured decimals (half away from zero), ``rank`` is the
    trust's position in the ranked part of its population.
    """
    rules = metric_rules(config)
    lo, hi = _score_range(config)
    decimals = _score_decimals(config)
    raw = frame[frame["metric_id"].str.startswith(config.raw_prefix)]
    loaded = frame.groupby("quarter")["trust_type"].agg(lambda t: set(t)).to_dict()
    wanted = set(metrics) if metrics is not None else None
    parts = []
    for raw_id, rows in raw.groupby("metric_id", sort=True):
        rule = rules.get(raw_id)
        if rule is None or rule.get("rule", UNKNOWN) not in COMPUTABLE:
            continue
        if wanted is not None and raw_id not in wanted:
            continue
        scored = score_metric(rows, raw_id, rule, tie_break=tie_break, score_range=(lo, hi), loaded_types=loaded)
        if not scored.empty:
            scored["metric_id"] = config.score_id_of(raw_id)
            parts.append(scored)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SCORE_COLUMNS)
    fin = _finance(out, raw, config, lo, hi)
    if fin is not None and not fin.empty:
        out = pd.concat([out, fin], ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    out["score"] = round_half_up(out["score"].astype(float), decimals)
    carried = [c for c in _CARRIED if c in out.columns]
    out = out[SCORE_COLUMNS + carried]
    return out.sort_values(["quarter", "metric_id", "trust_code"], kind="mergesort").reset_index(drop=True)


def _finance(scores: pd.DataFrame, raw: pd.DataFrame, config: Config, lo: float, hi: float) -> pd.DataFrame | None:
    spec = config.raw.get("finance_combination")
    if not spec:
        return None
    plan_raw = spec["plan_value"]
    variance = scores[scores["metric_id"] == spec["variance_score"]]
    plan = raw[raw["metric_id"] == plan_raw]
    if variance.empty or plan.empty:
        return None
    key = ["quarter", "trust_code"]
    v = variance.set_index(key)
    p = plan.drop_duplicates(key).set_index(key)["value"]
    method = spec.get("method", "simple")
    plan_score = None
    if method == "capped":
        ps = scores[scores["metric_id"] == spec["plan_score"]]
        plan_score = ps.set_index(key)["score"].reindex(v.index)
    combined = finance_combined(v["score"], p.reindex(v.index), plan_score, method, lo, hi)
    out = v.reset_index()
    out["score"] = combined.to_numpy()
    out = out[out["score"].notna()].copy()
    out["metric_id"] = spec["id"]
    out["raw_metric_id"] = plan_raw
    out["raw_value"] = p.reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    out["rank"] = np.nan
    out["ranked_size"] = 0
    out["population_complete"] = True
    out["rule"] = "finance_combination"
    out["basis"] = spec.get("basis", "inferred")
    if "metric_description" in out:
        out["metric_description"] = spec.get("description", "Combined finance")
    if "reporting_date" in out:
        out["reporting_date"] = out["quarter"]
    return out


# ---------------------------------------------------------------------------
# Quartiles and ranks of the raw rows


def within_type_quartiles(frame: pd.DataFrame, config: Config, decimals: int | None = None) -> pd.DataFrame:
    """Median, quartiles and within-type rank of every raw (OF0xxx) row.

    Per quarter, trust type, raw metric and units: the 25th, 50th and 75th
    percentiles of ``value`` (linear interpolation: numpy's default, Excel's
    QUARTILE.INC) and each trust's rank within its type (1 = best by the
    configured direction, ties take the lowest rank; ``rank_max`` is the
    highest rank of the tie, so a rank computed from unrounded values lies in
    ``rank`` to ``rank_max``). Rows in a metric's
    ``fallback_units`` (E. coli and C. difficile counts) carry the quartiles of
    the scored units, as NHS England's files do; ``quartiles_from_units`` says
    which units the quartiles describe. Quartiles are unrounded unless
    ``decimals`` is given (then rounded half away from zero).
    """
    rules = metric_rules(config)
    raw = frame[frame["metric_id"].str.startswith(config.raw_prefix) & frame["value"].notna()]
    raw = raw[["quarter", "trust_type", "trust_code", "metric_id", "units", "value"]].copy()
    if raw.empty:
        return pd.DataFrame(columns=QUARTILE_COLUMNS)
    raw["_u"] = raw["units"].map(norm_units)
    keys = ["quarter", "trust_type", "metric_id", "_u"]
    q = raw.groupby(keys, sort=False)["value"].agg(
        lower_quartile=lambda s: np.percentile(s.to_numpy(dtype=float), 25),
        median_value=lambda s: np.percentile(s.to_numpy(dtype=float), 50),
        upper_quartile=lambda s: np.percentile(s.to_numpy(dtype=float), 75),
        n="size",
    ).reset_index()
    q["quartiles_from_units"] = q["_u"]
    # Fallback units borrow the quartiles of the scored units of the same metric.
    for raw_id, rule in rules.items():
        if rule.get("units") and rule.get("fallback_units"):
            prim, fb = norm_units(rule["units"]), norm_units(rule["fallback_units"])
            src = q[(q["metric_id"] == raw_id) & (q["_u"] == prim)].set_index(["quarter", "trust_type"])
            for i in q.index[(q["metric_id"] == raw_id) & (q["_u"] == fb)]:
                k = (q.at[i, "quarter"], q.at[i, "trust_type"])
                if k in src.index:
                    for c in ("lower_quartile", "median_value", "upper_quartile"):
                        q.at[i, c] = src.at[k, c]
                    q.at[i, "quartiles_from_units"] = prim
    out = raw.merge(q, on=keys, how="left")
    better = out["metric_id"].map(lambda m: rules.get(m, {}).get("better"))
    out["rank"] = np.nan
    out["rank_max"] = np.nan
    for _key, g in out.groupby(keys, sort=False):
        b = better[g.index[0]]
        if b in ("higher", "lower"):
            v = oriented(g["value"], b)
            out.loc[g.index, "rank"] = min_rank(v)
            out.loc[g.index, "rank_max"] = v.rank(method="max")
    if decimals is not None:
        for c in ("lower_quartile", "median_value", "upper_quartile"):
            out[c] = round_half_up(out[c], decimals)
    out = out[QUARTILE_COLUMNS]
    return out.sort_values(["quarter", "trust_type", "metric_id", "units", "trust_code"],
                           kind="mergesort").reset_index(drop=True)


def quartile_agrees(computed: Any, published: Any, decimals: int = 2) -> Any:
    """Whether a published quartile is consistent with one computed from published values.

    NHS England computed quartiles from unrounded values and published them
    to ``decimals``; computed from the published (rounded) values, a linear
    quartile is off by at most half a unit in the last place (a weighted mean
    of two values each off by at most that), and the published figure adds
    another half unit of rounding. So they agree when within one unit
    (0.01 for 2 dp). ``round_half_up(computed) == published`` is the stricter,
    exact test; it fails only where the rounded inputs leave the last digit
    undetermined.
    """
    c = np.asarray(computed, dtype=float)
    p = np.asarray(published, dtype=float)
    return np.abs(c - p) <= 10.0 ** -decimals + 1e-9
