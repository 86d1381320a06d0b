"""Reconciliation: every recomputed figure beside NHS England's published one.

Each comparison is classified as ``match`` (equal as published, to 2 dp),
``rounding`` (differs by at most the configured tolerance, because the
published components are themselves rounded) or ``mismatch``. Comparisons of
rules the methodology file marks as verified or stated by NHS England have
scope ``rule`` and decide the exit code of ``reportgen check``; those resting
on an inferred rule (for example a scoring population that spans trust types
not loaded) have scope ``assumption`` and are reported only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Config
from .methodology import PUBLISHED, QuarterResult

MATCH, ROUNDING, MISMATCH = "match", "rounding", "mismatch"
COLUMNS = ["quarter", "trust_type", "trust_code", "trust_name", "figure", "published", "recomputed",
           "difference", "status", "scope"]


def classify(published: pd.Series, recomputed: pd.Series, tolerance: float, exact: bool = False) -> pd.Series:
    diff = (recomputed.astype(float) - published.astype(float)).abs()
    if exact:
        return pd.Series(np.where(diff < 1e-9, MATCH, MISMATCH), index=published.index)
    return pd.Series(np.select([diff < 0.005, diff <= tolerance + 1e-9], [MATCH, ROUNDING], MISMATCH),
                     index=published.index)


def comparisons(rows: pd.DataFrame, figure, published: pd.Series, recomputed: pd.Series, status: pd.Series,
                scope) -> pd.DataFrame:
    """A block of comparisons in the reconciliation layout; ``rows`` give quarter, trust type, code and name."""
    out = pd.DataFrame({
        "quarter": rows["quarter"], "trust_type": rows["trust_type"], "trust_code": rows["trust_code"],
        "trust_name": rows["trust_name"], "figure": figure,
        "published": published.astype(float), "recomputed": recomputed.astype(float),
    })
    out["difference"] = (out["recomputed"] - out["published"]).round(6)
    out["status"] = status
    out["scope"] = scope
    return out[COLUMNS]


def _rows(frame: pd.DataFrame, figure: str, published: str, recomputed: str, tolerance: float,
          exact: bool, scope: str = "rule") -> pd.DataFrame:
    f = frame[frame[published].notna() & frame[recomputed].notna()]
    if f.empty:
        return pd.DataFrame(columns=COLUMNS)
    status = classify(f[published], f[recomputed], tolerance, exact)
    return comparisons(f, figure, f[published], f[recomputed], status, scope)


def compare_result(result: QuarterResult) -> pd.DataFrame:
    """Compare one quarter's recomputed summary figures with the published ones."""
    cfg = result.config
    tol = cfg.tolerance
    t = result.trusts.copy()
    parts = [
        _rows(t, "average score", "average_published", "average_computed", tol, exact=False),
        _rows(t, "adjusted segment", "adjusted_published", "adjusted_segment", tol, exact=True),
        _rows(t, "final segment", "final_published", "final_segment", tol, exact=True),
        _rows(t, "league rank", "league_rank_published", "league_rank", tol, exact=True),
    ]
    if result.cutoffs.source != PUBLISHED:
        parts.append(_rows(t, "unadjusted segment", "unadjusted_published", "unadjusted_segment", tol, exact=True,
                           scope="rule" if cfg.basis("segmentation") != "inferred" else "assumption"))
    if t["league_table_rank"].notna().any():
        t["deficit_flag"] = t["deficit"].astype(float)
        t["league_table_deficit_flag"] = t["league_table_deficit"].astype(float)
        t["league_table_segment_4"] = t["league_table_segment"]
        parts += [
            _rows(t, "league table: rank", "league_table_rank", "league_rank", tol, exact=True),
            _rows(t, "league table: segment", "league_table_segment", "adjusted_segment", tol, exact=True),
            _rows(t, "league table: average score", "league_table_average", "average_computed", tol, exact=False),
            _rows(t, "league table: financial deficit", "league_table_deficit_flag", "deficit_flag", tol, exact=True),
        ]
    d = result.domains.assign(quarter=result.quarter)
    for name, g in d.groupby("domain", sort=False):
        parts.append(_rows(g, f"domain score: {name}", "score_published", "score_computed", tol, exact=False))
        if result.domain_cutoffs.get(name) is not None and result.domain_cutoffs[name].source != PUBLISHED:
            parts.append(_rows(g, f"domain segment: {name}", "segment_published", "segment", tol, exact=True,
                               scope="assumption"))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def _looked_up(series: pd.Series, frame: pd.DataFrame, columns: list[str], missing) -> list:
    """``series`` (on a unique index of ``columns``) at each row of ``frame``; ``missing`` where it has none."""
    at = series.reindex(pd.MultiIndex.from_arrays([frame[c] for c in columns]))
    return [missing if pd.isna(v) else v for v in at.to_numpy(dtype=object)]


def compare_raw(frame: pd.DataFrame, config: Config, quarters) -> pd.DataFrame:
    """Within-type quartiles and ranks of raw metrics, and scores recomputed from raw values."""
    from . import scoring  # the scoring stage

    f = frame[frame["quarter"].isin(quarters)]
    tol = config.tolerance
    parts = []
    names = f.drop_duplicates(["quarter", "trust_code"]).set_index(["quarter", "trust_code"])["trust_name"]
    quart = scoring.within_type_quartiles(f, config)
    raw = f[f["metric_id"].str.startswith(config.raw_prefix)]
    published = raw.set_index(["quarter", "trust_code", "metric_id", "units"])
    published = published[~published.index.duplicated()]
    q = quart.join(published[["median_value", "lower_quartile", "upper_quartile", "rank"]].add_suffix("_published"),
                   on=["quarter", "trust_code", "metric_id", "units"])
    q["trust_name"] = _looked_up(names, q, ["quarter", "trust_code"], "")
    for col, label in (("median_value", "median"), ("lower_quartile", "lower quartile"),
                       ("upper_quartile", "upper quartile"), ("rank", "rank")):
        pub = f"{col}_published"
        part = q[q[pub].notna() & q[col].notna()]
        if part.empty:
            continue
        recomputed = part[col].astype(float)
        if col == "rank":
            # Values tied at 2 dp may take any rank in the tie: NHS England ranked unrounded values.
            in_tie = (part[pub] >= part["rank"]) & (part[pub] <= part["rank_max"])
            status = pd.Series(np.where(part[pub] == part["rank"], MATCH, np.where(in_tie, ROUNDING, MISMATCH)),
                               index=part.index)
        else:
            recomputed = scoring.round_half_up(recomputed, config.decimals)
            status = classify(part[pub], recomputed, tol)
        if col == "rank":
            unknown = part["metric_id"].map(lambda m: config.metric(m).get("published_rank_basis") == "inferred")
            scope: np.ndarray | str = np.where(unknown, "assumption", "rule")
        else:
            scope = "rule"
        figure = part["metric_id"] + f" within-type {label} (" + part["units"] + ")"
        parts.append(comparisons(part, figure, part[pub], recomputed, status, scope))
    rescored = scoring.score_from_raw(f, config)
    if not rescored.empty:
        pub = (f[f["metric_id"].str.startswith(config.score_prefix)]
               .drop_duplicates(["quarter", "trust_code", "metric_id"]))
        pub = pub.set_index(["quarter", "trust_code", "metric_id"])["value"]
        r = rescored.copy()
        r["published"] = _looked_up(pub, r, ["quarter", "trust_code", "metric_id"], np.nan)
        r = r[r["published"].notna()]
        r["trust_name"] = _looked_up(names, r, ["quarter", "trust_code"], "")
        # A verified rule whose scoring population spans trust types that are not loaded cannot be
        # checked here: it is reported, but as resting on an assumption.
        known = r["basis"].isin(["verified", "NHSE"]) & r["population_complete"].astype(bool)
        status = classify(r["published"], r["score"], tol, exact=False)
        parts.append(comparisons(r, r["metric_id"] + " score from raw value", r["published"], r["score"], status,
                                 np.where(known, "rule", "assumption")))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


@dataclass(frozen=True)
class Reconciliation:
    detail: pd.DataFrame

    @property
    def mismatches(self) -> pd.DataFrame:
        d = self.detail
        return d[(d["status"] == MISMATCH) & (d["scope"] == "rule")]

    @property
    def ok(self) -> bool:
        return self.mismatches.empty

    def summary(self) -> pd.DataFrame:
        """Counts by figure family and status, for printing and for documents."""
        d = self.detail.copy()
        d["family"] = d["figure"].str.replace(r"^(OF\d{4}) ", "", regex=True).str.replace(r" \(.*\)$", "", regex=True)
        d["family"] = d["family"].str.replace(r"^domain score: .*", "domain scores", regex=True)
        d["family"] = d["family"].str.replace(r"^domain segment: .*", "domain segments", regex=True)
        table = d.pivot_table(index=["family", "scope"], columns="status", values="trust_code", aggfunc="count",
                              fill_value=0)
        for col in (MATCH, ROUNDING, MISMATCH):
            if col not in table:
                table[col] = 0
        return table[[MATCH, ROUNDING, MISMATCH]].reset_index()


def reconcile(results: dict[str, QuarterResult], frame: pd.DataFrame, config: Config) -> Reconciliation:
    parts = [compare_result(r) for r in results.values()]
    parts.append(compare_raw(frame, config, list(results)))
    parts = [p for p in parts if not p.empty]
    detail = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return Reconciliation(detail)
