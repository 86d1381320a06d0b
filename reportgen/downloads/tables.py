"""The quarter's data downloads as frames, built once and written as CSV and as spreadsheets.

Column names and order come from ``columns``; every figure comes from the
computed quarter (``QuarterResult``), the input's metric rows and the
reconciliation, so the CSV files, the spreadsheets and the documents show the
same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..league import league_frame
from ..reconcile import COLUMNS as RECONCILE_COLUMNS
from ..reconcile import MATCH, MISMATCH, ROUNDING
from . import columns as C


def _type_order(frame: pd.DataFrame, types: tuple[str, ...]) -> pd.Series:
    order = {t: i for i, t in enumerate(types)}
    return frame["Trust_type"].map(order).fillna(len(order))


def league_frames(result) -> dict[str, pd.DataFrame]:
    """One league table per loaded trust type, in NHS England's league-table layout, best first."""
    f = league_frame(result)
    return {t: f[f["Trust_type"] == t].reset_index(drop=True) for t in result.trust_types}


def domain_frame(result, config) -> pd.DataFrame:
    """The service (domain) league tables: one row per trust and domain, by type, domain, rank and name."""
    d = result.domains
    out = pd.DataFrame({
        "Quarter": result.quarter,
        "Trust_type": d["trust_type"],
        "Trust_code": d["trust_code"],
        "Trust_name": d["trust_name"],
        "Domain": d["domain"],
        "Domain_score": d["score"].astype(float),
        "Score_source": d["score_source"],
        "Scores_in_domain": d["n_items"].astype(float),
        "Domain_segment": d["segment"].astype(float),
        "Rank": d["rank"].astype(float),
        "Trusts_ranked": d["size"].astype(float),
    })
    domains = {dom.name: i for i, dom in enumerate(config.domains)}
    key = pd.DataFrame({"t": _type_order(out, result.trust_types), "d": out["Domain"].map(domains),
                        "r": out["Rank"], "n": out["Trust_name"], "c": out["Trust_code"]})
    order = key.sort_values(["t", "d", "r", "n", "c"], kind="mergesort").index
    return out.loc[order, list(C.DOMAINS)].reset_index(drop=True)


def _combined_words(group) -> str:
    return f"{group.name} ({group.id})"


def metric_frame(ctx) -> pd.DataFrame:
    """Every trust's metrics: one row per trust and metric scored for any trust of its type this quarter.

    The rows a trust's briefing pack shows (``content.pack.metric_rows``), for every trust at once.
    """
    cfg, result = ctx.config, ctx.result
    q = ctx.quarter_metrics
    trusts = result.trusts[["trust_code", "trust_name", "trust_type"]]
    scores = q[q["metric_id"].str.startswith(cfg.score_prefix)]
    catalogue = scores.drop_duplicates(["trust_type", "metric_id"])[
        ["trust_type", "metric_id", "metric_description", "domain"]]
    grid = trusts.merge(catalogue, on="trust_type", how="inner")
    mine = scores.drop_duplicates(["trust_code", "metric_id"])[["trust_code", "metric_id", "value"]]
    grid = grid.merge(mine.rename(columns={"value": "score"}), on=["trust_code", "metric_id"], how="left")
    grid["raw_id"] = grid["metric_id"].map(cfg.raw_id_of)
    raw = q[q["metric_id"].str.startswith(cfg.raw_prefix)]
    # Where a metric has a rate and a count row, the rate (not the count) is the one scored.
    raw = raw.assign(_count=(raw["units"] == "count")).sort_values("_count", kind="mergesort").drop_duplicates(
        ["trust_code", "metric_id"])
    reporting = raw.groupby(["trust_type", "metric_id"])["trust_code"].nunique().rename("n").reset_index()
    raw_cols = ["trust_code", "metric_id", "value", "units", "reporting_date", "median_value", "lower_quartile",
                "upper_quartile", "rank"]
    grid = grid.merge(raw[raw_cols].rename(columns={"metric_id": "raw_id"}), on=["trust_code", "raw_id"],
                      how="left")
    grid = grid.merge(reporting.rename(columns={"metric_id": "raw_id"}), on=["trust_type", "raw_id"], how="left")
    has_raw = grid["n"].notna()

    # Whether each score counts in the average, alone or as part of a combined score.
    items = set(zip(result.items["trust_code"], result.items["item"]))
    scored = grid["score"].notna()
    counts = [(c, m) in items for c, m in zip(grid["trust_code"], grid["metric_id"])]
    combined_into = [""] * len(grid)
    for group in cfg.combined:
        for i, (code, mid, s) in enumerate(zip(grid["trust_code"], grid["metric_id"], scored)):
            if mid in group.members and s:
                if group.method == "mean" and (code, group.id) in items:
                    counts[i] = True
                    combined_into[i] = _combined_words(group)
                elif group.method == "replace" and (code, group.id) in items:
                    combined_into[i] = _combined_words(group)

    out = pd.DataFrame({
        "Quarter": result.quarter,
        "Trust_type": grid["trust_type"],
        "Trust_code": grid["trust_code"],
        "Trust_name": grid["trust_name"],
        "Domain": grid["domain"],
        "Metric_ID": grid["metric_id"],
        "Value_metric_ID": grid["raw_id"].where(has_raw, ""),
        "Metric_description": grid["metric_description"].astype(str).str.strip(),
        "Value": grid["value"].astype(float),
        "Units": grid["units"].astype(object).where(grid["units"].notna(), ""),
        "Data_period": grid["reporting_date"].astype(object).where(grid["reporting_date"].notna(), ""),
        "Score": grid["score"].astype(float),
        "Counts_in_average": np.where(counts, "Yes", "No"),
        "Combined_into": combined_into,
        "Peer_median": grid["median_value"].astype(float),
        "Peer_lower_quartile": grid["lower_quartile"].astype(float),
        "Peer_upper_quartile": grid["upper_quartile"].astype(float),
        "Rank": grid["rank"].astype(float),
        "Trusts_reporting": grid["n"].astype(float).fillna(0.0),
    })
    league = {code: i for i, code in enumerate(result.trusts["trust_code"])}
    domains = {dom.name: i for i, dom in enumerate(cfg.domains)}
    key = pd.DataFrame({"t": out["Trust_code"].map(league), "d": out["Domain"].map(domains).fillna(len(domains)),
                        "m": out["Metric_ID"]})
    order = key.sort_values(["t", "d", "m"], kind="mergesort").index
    return out.loc[order, list(C.METRICS)].reset_index(drop=True)


def comparison_frame(reconciliation) -> pd.DataFrame:
    """Every recomputed figure beside NHS England's published one."""
    d = reconciliation.detail[list(RECONCILE_COLUMNS)]
    out = pd.DataFrame({
        "Quarter": d["quarter"], "Trust_type": d["trust_type"], "Trust_code": d["trust_code"],
        "Trust_name": d["trust_name"], "Figure": d["figure"], "Published": d["published"].astype(float),
        "Recomputed": d["recomputed"].astype(float), "Difference": d["difference"].astype(float),
        "Status": d["status"], "Rule_basis": d["scope"],
    })
    return out[list(C.COMPARISON)].reset_index(drop=True)


def comparison_summary_frame(quarter: str, reconciliation) -> pd.DataFrame:
    """How many comparisons of each kind of figure match, differ by rounding or mismatch."""
    s = reconciliation.summary()
    out = pd.DataFrame({
        "Quarter": quarter, "Figure": s["family"], "Rule_basis": s["scope"],
        "Match": s[MATCH].astype(float), "Rounding": s[ROUNDING].astype(float), "Mismatch": s[MISMATCH].astype(float),
    })
    return out[list(C.COMPARISON_SUMMARY)].reset_index(drop=True)


@dataclass(frozen=True)
class Tables:
    """Every frame of the quarter's downloads."""

    quarter: str
    leagues: dict[str, pd.DataFrame]  # trust type -> league table
    domains: pd.DataFrame
    metrics: pd.DataFrame
    comparison: pd.DataFrame  # every comparison
    comparison_summary: pd.DataFrame  # counts by kind of figure


def build_tables(ctx) -> Tables:
    result = ctx.result
    return Tables(
        quarter=ctx.quarter,
        leagues=league_frames(result),
        domains=domain_frame(result, ctx.config),
        metrics=metric_frame(ctx),
        comparison=comparison_frame(ctx.reconciliation),
        comparison_summary=comparison_summary_frame(ctx.quarter, ctx.reconciliation),
    )
