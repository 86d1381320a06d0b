"""Methodology stage: from metric scores to domain scores, segments and league ranks.

Pure functions over the tidy metrics frame of ``reportgen.load`` and a
``Config``. No file I/O and no formatting. Every rule is read from the
configuration, so a new year is a new TOML file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Config
from .errors import ConfigError, InputError

# Where the segment cut-offs of a quarter came from.
POOLED = "pooled"  # quartiles of all trusts of all types, recomputed
PUBLISHED = "published"  # NHS England's published unadjusted segment (OF5003) used as given
CONFIGURED = "configuration"  # fixed cut-offs from the methodology configuration
GIVEN = "command line"  # cut-offs given by the user


@dataclass(frozen=True)
class Cutoffs:
    """The three average-score cut-offs between segments 1|2, 2|3 and 3|4, and their source.

    ``values`` is None when the published unadjusted segments are used; then
    ``brackets`` holds, for each boundary, the highest average placed in the
    better segment and the lowest placed in the worse one, among the loaded
    trusts (where the cut-off must lie).
    """

    source: str
    values: tuple[float, float, float] | None
    brackets: tuple[tuple[float, float], ...] = ()
    method: str = ""


@dataclass(frozen=True)
class QuarterResult:
    quarter: str
    config: Config
    trusts: pd.DataFrame  # one row per trust, sorted by type then league rank then name
    domains: pd.DataFrame  # one row per trust x domain
    items: pd.DataFrame  # the scores that count, after combining: one row per trust x item
    cutoffs: Cutoffs
    domain_cutoffs: dict[str, Cutoffs]

    def trust(self, code: str) -> pd.Series:
        rows = self.trusts[self.trusts["trust_code"] == code]
        if rows.empty:
            raise KeyError(code)
        return rows.iloc[0]

    @property
    def trust_types(self) -> tuple[str, ...]:
        order = self.config.trust_types
        present = set(self.trusts["trust_type"])
        return tuple(t for t in order if t in present)


# ---------------------------------------------------------------------------
# Building blocks


def rounded(values: pd.Series | np.ndarray | float, decimals: int):
    """Round half away from zero at ``decimals`` (as published figures are), robust to float noise."""
    scale = 10.0 ** decimals
    v = np.asarray(values, dtype=float)
    out = np.sign(v) * np.floor(np.abs(v) * scale + 0.5 + 1e-9) / scale
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index)
    return out if out.ndim else float(out)


def scoring_items(scores: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The scores that count, one per item, after combining as configured.

    ``scores``: rows of scored metrics with trust_code, metric_id, domain, value.
    A "replace" group drops its members where the combined score is present;
    a "mean" group turns its members into one item whose score is their mean.
    """
    s = scores[["trust_code", "metric_id", "domain", "value"]].dropna(subset=["value"])
    for group in config.combined:
        members = s["metric_id"].isin(group.members)
        if group.method == "replace":
            has_combined = s.loc[s["metric_id"] == group.id, "trust_code"].unique()
            s = s[~(members & s["trust_code"].isin(has_combined))]
        elif group.method == "mean":
            part = s[members]
            if part.empty:
                continue
            combined = part.groupby("trust_code", sort=False).agg(domain=("domain", "first"), value=("value", "mean"))
            combined = combined.reset_index().assign(metric_id=group.id)
            s = pd.concat([s[~members], combined[s.columns]], ignore_index=True)
        else:
            raise ConfigError(f"{config.path}: combined group {group.name!r} has an unknown method {group.method!r}.")
    return s.rename(columns={"metric_id": "item", "value": "score"}).reset_index(drop=True)


def quartile_cutoffs(values: pd.Series | np.ndarray, method: str) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise InputError("no average scores to find segment cut-offs from.")
    q = np.percentile(v, [25, 50, 75], method=method)  # type: ignore[call-overload]
    return float(q[0]), float(q[1]), float(q[2])


def segment_from_cutoffs(values: pd.Series, cutoffs: tuple[float, float, float], boundary: str) -> pd.Series:
    """Segment 1 to 4 of each value; ``upper-inclusive`` puts a value equal to a cut-off in the better segment."""
    v = values.to_numpy(dtype=float)
    c = np.asarray(cutoffs, dtype=float)[None, :]
    if boundary == "upper-inclusive":
        seg = 1 + (v[:, None] > c + 1e-9).sum(axis=1)
    elif boundary == "lower-inclusive":
        seg = 1 + (v[:, None] >= c - 1e-9).sum(axis=1)
    else:
        raise ConfigError(f"unknown segment boundary rule {boundary!r} (use upper-inclusive or lower-inclusive).")
    out = pd.Series(seg.astype(float), index=values.index)
    out[np.isnan(v)] = np.nan
    return out


def brackets(values: pd.Series, segments: pd.Series) -> tuple[tuple[float, float], ...]:
    """For each boundary k|k+1: (highest value in segment k, lowest in k+1) among these trusts."""
    out = []
    for k in (1, 2, 3):
        below = values[segments == k]
        above = values[segments == k + 1]
        out.append((float(below.max()) if len(below) else np.nan, float(above.min()) if len(above) else np.nan))
    return tuple(out)


def apply_override(unadjusted: pd.Series, deficit: pd.Series, config: Config) -> pd.Series:
    """The financial override: a trust in deficit in the listed segments goes to the configured one."""
    rule = config["override"]
    moved = deficit.astype(bool) & unadjusted.isin(rule["deficit_segments"])
    return unadjusted.where(~moved, float(rule["to_segment"]))


def final_segment(adjusted: pd.Series, recovery: pd.Series, config: Config) -> pd.Series:
    return adjusted.where(~recovery.astype(bool), float(config["recovery_support"]["segment"]))


def league_ranks(frame: pd.DataFrame, decimals: int) -> pd.Series:
    """Rank within trust type on (adjusted segment, average to ``decimals``), ties share the lowest rank."""
    key = frame["adjusted_segment"] * 10 ** (decimals + 2) + np.round(frame["average_score"] * 10 ** decimals)
    return key.groupby(frame["trust_type"]).rank(method="min").astype("Int64")


def min_rank(values: pd.Series, groups: pd.Series, ascending: bool = True) -> pd.Series:
    return values.groupby(groups).rank(method="min", ascending=ascending, na_option="keep").astype("Int64")


# ---------------------------------------------------------------------------
# One quarter


def _published(q: pd.DataFrame, metric_id: str) -> pd.Series:
    rows = q[q["metric_id"] == metric_id]
    return rows.drop_duplicates("trust_code").set_index("trust_code")["value"]


def _trust_table(q: pd.DataFrame, league: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["trust_code", "trust_name", "trust_type", "trust_subtype", "region"]
    trusts = q[cols].drop_duplicates("trust_code").set_index("trust_code")
    return trusts


def _choose_cutoffs(values: pd.Series, types_present: set[str], published_segments: pd.Series,
                    config: Config, given: tuple[float, float, float] | None, what: str) -> tuple[pd.Series, Cutoffs]:
    seg_cfg = config["segmentation"]
    method = seg_cfg.get("percentile_method", "linear")
    boundary = seg_cfg["boundary"]
    if given is not None:
        chosen = (float(given[0]), float(given[1]), float(given[2]))
        return segment_from_cutoffs(values, chosen, boundary), Cutoffs(GIVEN, chosen, method=boundary)
    if seg_cfg["method"] == "fixed":
        cut = tuple(float(x) for x in seg_cfg["cutoffs"])
        if len(cut) != 3:
            raise ConfigError(f"{config.path}: [segmentation] method 'fixed' needs three cutoffs.")
        return segment_from_cutoffs(values, cut, boundary), Cutoffs(CONFIGURED, cut, method=boundary)
    if seg_cfg["method"] != "pooled-quartiles":
        raise ConfigError(f"{config.path}: unknown segmentation method {seg_cfg['method']!r}.")
    if types_present >= set(config.trust_types):
        cut = quartile_cutoffs(values, method)
        segments = segment_from_cutoffs(values, cut, boundary)
        return segments, Cutoffs(POOLED, cut, brackets(values, segments), method=f"{method} percentiles, {boundary}")
    segments = published_segments.reindex(values.index)
    missing = segments.isna() & values.notna()
    if missing.any():
        code = missing[missing].index[0]
        raise InputError(
            f"trust {code} has no published {what} in the data file, and not every trust type is loaded, "
            f"so the pooled cut-offs cannot be recomputed: load all three trust types or give --cutoffs."
        )
    return segments, Cutoffs(PUBLISHED, None, brackets(values, segments), method="published")


def compute_quarter(frame: pd.DataFrame, config: Config, quarter: str,
                    cutoffs: tuple[float, float, float] | None = None,
                    league: pd.DataFrame | None = None) -> QuarterResult:
    """Compute every trust's domain scores, average, segments and ranks for ``quarter``.

    ``frame``: the tidy metrics frame (any quarters; only ``quarter`` is used).
    ``cutoffs``: segment cut-offs to use instead of the configured rule.
    ``league``: the tidy league-table frame, for the published likely ranges.
    """
    q = frame[frame["quarter"] == quarter]
    if q.empty:
        raise InputError(f"the input holds no data for {quarter}.")
    ids = config.summary_ids
    decimals = config.decimals
    trusts = _trust_table(q, league)

    scores = q[q["metric_id"].str.startswith(config.score_prefix)]
    items = scoring_items(scores, config)
    item_mean = items.groupby("trust_code")["score"].mean()
    trusts["n_items"] = items.groupby("trust_code")["item"].nunique().reindex(trusts.index).fillna(0).astype(int)
    scored = scores.groupby("trust_code")["metric_id"].nunique()
    trusts["n_scored_metrics"] = scored.reindex(trusts.index).fillna(0).astype(int)
    trusts["average_computed"] = item_mean.reindex(trusts.index)
    trusts["average_published"] = _published(q, ids["average"]).reindex(trusts.index)
    # The published average was computed from unrounded scores; the files hold
    # scores rounded to 2 dp. Where it is published, segments and ranks use it.
    use_published = bool(config["average"].get("use_published", True))
    published = trusts["average_published"].notna() & use_published
    chosen = trusts["average_published"].where(published, trusts["average_computed"])
    trusts["average_score"] = rounded(chosen, decimals)
    trusts["average_source"] = np.where(published, "published", "recomputed")
    no_scores = trusts["average_computed"].isna()
    if no_scores.any():
        code = trusts.index[no_scores][0]
        raise InputError(f"trust {code} has no scored metrics ({config.score_prefix}xxx rows) in {quarter}.")

    # Flags: the data file's OF5004 / OF5007, else the league table's deficit column.
    deficit = _published(q, ids["deficit"]).reindex(trusts.index)
    if league is not None and not league.empty:
        lq = league[league["quarter"] == quarter].set_index("trust_code")
        deficit = deficit.fillna(lq["deficit"].astype(float).reindex(trusts.index))
    if deficit.isna().any():
        code = trusts.index[deficit.isna()][0]
        raise InputError(
            f"trust {code} has no financial deficit flag ({ids['deficit']}) for {quarter} in the data file "
            f"and no league-table row to take it from."
        )
    trusts["deficit"] = deficit.astype(bool)
    recovery = _published(q, ids["recovery_flag"]).reindex(trusts.index)
    trusts["recovery_published"] = recovery.notna()
    trusts["recovery_support"] = recovery.fillna(0).astype(bool)

    types_present = set(trusts["trust_type"])
    unadj, cut = _choose_cutoffs(
        trusts["average_score"], types_present, _published(q, ids["unadjusted_segment"]), config, cutoffs,
        f"unadjusted segment ({ids['unadjusted_segment']})",
    )
    trusts["unadjusted_segment"] = unadj
    trusts["unadjusted_published"] = _published(q, ids["unadjusted_segment"]).reindex(trusts.index)
    trusts["adjusted_segment"] = apply_override(trusts["unadjusted_segment"], trusts["deficit"], config)
    trusts["adjusted_published"] = _published(q, ids["adjusted_segment"]).reindex(trusts.index)
    trusts["override_applied"] = trusts["adjusted_segment"] != trusts["unadjusted_segment"]
    trusts["final_segment"] = final_segment(trusts["adjusted_segment"], trusts["recovery_support"], config)
    trusts["final_published"] = _published(q, ids["final_segment"]).reindex(trusts.index)
    trusts = trusts.reset_index()
    trusts["league_rank"] = league_ranks(trusts, decimals)
    rank_rows = (q[q["metric_id"] == ids["adjusted_segment"]]
                 .drop_duplicates("trust_code").set_index("trust_code")["rank"])
    trusts["league_rank_published"] = trusts["trust_code"].map(rank_rows)
    trusts["league_size"] = trusts.groupby("trust_type")["trust_code"].transform("size")
    trusts["tied"] = trusts.groupby(["trust_type", "league_rank"])["trust_code"].transform("size") > 1

    # Distance from the next better segment's cut-off.
    trusts = _distance_to_better(trusts, cut)

    # Published likely ranges, passed through.
    if league is not None and not league.empty:
        lq = league[league["quarter"] == quarter].set_index("trust_code")
        for col in ("likely_range_of_average_score", "likely_range_of_rank"):
            trusts[col] = trusts["trust_code"].map(lq[col]).replace("", np.nan)
        trusts["league_table_rank"] = trusts["trust_code"].map(lq["rank"])
        trusts["league_table_segment"] = trusts["trust_code"].map(lq["segment"])
        trusts["league_table_average"] = trusts["trust_code"].map(lq["average_score"])
        trusts["league_table_deficit"] = trusts["trust_code"].map(lq["deficit"])
    else:
        for col in ("likely_range_of_average_score", "likely_range_of_rank", "league_table_rank",
                    "league_table_segment", "league_table_average", "league_table_deficit"):
            trusts[col] = np.nan

    domains, domain_cutoffs = _domains(q, items, trusts, types_present, config)
    order = {t: i for i, t in enumerate(config.trust_types)}
    trusts = trusts.assign(_t=trusts["trust_type"].map(order)).sort_values(
        ["_t", "league_rank", "trust_name"], kind="stable").drop(columns="_t").reset_index(drop=True)
    trusts.insert(0, "quarter", quarter)
    return QuarterResult(quarter, config, trusts, domains, items, cut, domain_cutoffs)


def _distance_to_better(trusts: pd.DataFrame, cut: Cutoffs) -> pd.DataFrame:
    """How far each average is above the upper edge of the next better segment.

    With known cut-offs the edge is the cut-off itself. With published
    segments it is the highest average placed in the better segment among the
    loaded trusts: an observed edge, labelled as such.
    """
    seg = trusts["unadjusted_segment"]
    if cut.values is not None:
        edges = {k: cut.values[k - 2] for k in (2, 3, 4)}
        basis = "cut-off"
    else:
        edges = {k: cut.brackets[k - 2][0] for k in (2, 3, 4)}
        basis = "observed"
    target = seg.map(edges)
    trusts["better_segment_edge"] = target
    trusts["better_segment_edge_basis"] = np.where(target.notna(), basis, "")
    trusts["distance_to_better_segment"] = rounded(trusts["average_score"] - target, 2)
    trusts["held_by_override"] = trusts["override_applied"]
    return trusts


def _domains(q, items, trusts, types_present, config):
    ids = {d.name: d for d in config.domains}
    dom = items.groupby(["trust_code", "domain"])["score"].agg(["mean", "size"]).reset_index()
    dom = dom.rename(columns={"mean": "score", "size": "n_items"})
    dom = dom.rename(columns={"score": "score_computed"})
    info = trusts.set_index("trust_code")[["trust_type", "trust_name"]]
    dom = dom.join(info, on="trust_code")
    dom["score_id"] = dom["domain"].map(lambda n: ids[n].score_id)
    dom["segment_id"] = dom["domain"].map(lambda n: ids[n].segment_id)
    pub = q[q["metric_id"].isin([d.score_id for d in config.domains] + [d.segment_id for d in config.domains])]
    pub = pub.drop_duplicates(["trust_code", "metric_id"]).set_index(["trust_code", "metric_id"])["value"]
    for column, ids_column in (("score_published", "score_id"), ("segment_published", "segment_id")):
        at = pd.MultiIndex.from_arrays([dom["trust_code"], dom[ids_column]])
        dom[column] = pub.reindex(at).to_numpy(dtype=float)
    use_published = bool(config["average"].get("use_published", True))
    published = dom["score_published"].notna() & use_published
    dom["score"] = rounded(dom["score_published"].where(published, dom["score_computed"]), config.decimals)
    dom["score_source"] = np.where(published, "published", "recomputed")
    cutoffs = {}
    parts = []
    for name, g in dom.groupby("domain", sort=False):
        seg, cut = _choose_cutoffs(
            g["score"], types_present, g["segment_published"], config, None,
            f"{name.lower()} domain segment ({ids[name].segment_id})",
        ) if g["segment_published"].notna().all() or types_present >= set(config.trust_types) else (
            pd.Series(np.nan, index=g.index), Cutoffs(PUBLISHED, None))
        g = g.assign(segment=seg)
        cutoffs[name] = cut
        parts.append(g)
    dom = pd.concat(parts) if parts else dom.assign(segment=np.nan)
    dom["rank"] = dom.groupby(["trust_type", "domain"])["score"].rank(method="min").astype("Int64")
    dom["size"] = dom.groupby(["trust_type", "domain"])["trust_code"].transform("size")
    order = {d.name: i for i, d in enumerate(config.domains)}
    dom = (dom.assign(_o=dom["domain"].map(order))
           .sort_values(["trust_type", "_o", "rank", "trust_name"]).drop(columns="_o"))
    return dom.reset_index(drop=True), cutoffs


def compute_all(frame: pd.DataFrame, config: Config, quarters: tuple[str, ...] | list[str],
                cutoffs: tuple[float, float, float] | None = None,
                league: pd.DataFrame | None = None) -> dict[str, QuarterResult]:
    return {quarter: compute_quarter(frame, config, quarter, cutoffs, league) for quarter in quarters}
