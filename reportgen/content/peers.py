"""What every pack of one trust type shares in a quarter, made once per process.

A pack sets one trust's figures among its peers': the peers' rows, their area scores and medians, their
averages in order with their likely ranges, the measures scored for the type. These depend on the trust
type and the quarter alone, so they are made on first use and kept with the ``Context`` (``Context.memo``),
which the build makes once and hands to every worker. Each pack then only picks its own trust's rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .limits import parse_range, rank_uncertainty

#: The fields of a raw row that a pack reads (``PeerGroup.raw_records_of``).
RAW_FIELDS = ("value", "units", "median_value", "reporting_date", "rank")
#: The fields of an area score that a pack reads (``PeerGroup.domains_by_trust``).
DOMAIN_FIELDS = ("score", "rank", "size", "n_items")


def _groups(frame: pd.DataFrame, column: str) -> dict:
    """The rows of ``frame`` for each value of ``column``, in their order in the frame."""
    return {key: rows for key, rows in frame.groupby(column, sort=False)}


def _records(codes: list, keys: list, columns: list[list], fields: tuple[str, ...]) -> dict[str, dict[str, dict]]:
    """``{code: {key: {field: value}}}`` from the columns of a frame, in its order (a later row of the same code
    and key replaces an earlier one, as a look-up in a frame indexed by key would not: keys are unique here)."""
    out: dict[str, dict[str, dict]] = {}
    for code, key, *values in zip(codes, keys, *columns):
        out.setdefault(code, {})[key] = dict(zip(fields, values))
    return out


class TrustRows:
    """One quarter's trust rows, looked up by code (``QuarterResult.trust`` without a search each time)."""

    def __init__(self, trusts: pd.DataFrame):
        self.trusts = trusts
        self.position: dict[str, int] = {}
        for i, code in enumerate(trusts["trust_code"]):
            self.position.setdefault(code, i)
        self.rows: dict[str, pd.Series] = {}

    def get(self, code: str) -> pd.Series | None:
        row = self.rows.get(code)
        if row is None and code in self.position:
            row = self.rows[code] = self.trusts.iloc[self.position[code]]
        return row


def trust_row(ctx, code: str, quarter: str | None = None) -> pd.Series | None:
    """The trust's row in the quarter's results (the chosen quarter by default), or None."""
    quarter = quarter or ctx.quarter
    key = ("trust rows", quarter)
    rows = ctx.memo.get(key)
    if rows is None:
        rows = ctx.memo[key] = TrustRows(ctx.results[quarter].trusts)
    return rows.get(code)


def the_trust(ctx, code: str) -> pd.Series:
    """The trust's row in the chosen quarter (``KeyError`` when it has none)."""
    row = trust_row(ctx, code)
    if row is None:
        raise KeyError(code)
    return row


@dataclass(frozen=True)
class StripEntry:
    """One peer on the caterpillar: name, average and its likely range."""

    code: str
    name: str
    average: float
    low: float | None
    high: float | None


class PeerGroup:
    """The trusts of one type in the chosen quarter, and what their packs share."""

    def __init__(self, ctx, trust_type: str):
        self.ctx = ctx
        self.trust_type = trust_type

    # the trusts of the type ------------------------------------------------------------------------------

    @cached_property
    def trusts(self) -> pd.DataFrame:
        t = self.ctx.result.trusts
        return t[t.trust_type == self.trust_type]

    @cached_property
    def rank_counts(self) -> dict:
        """How many trusts of the type share each league rank."""
        return self.trusts.league_rank.value_counts().to_dict()

    @cached_property
    def strip(self) -> tuple[tuple[StripEntry, ...], bool]:
        """The caterpillar's trusts, best average first (as printed, then by name), and whether any has a
        likely range."""
        t = self.trusts
        t = t.assign(_a=t.average_score.round(2)).sort_values(["_a", "trust_name"], kind="stable")
        ranges = [parse_range(v) for v in t.likely_range_of_average_score]
        entries = tuple(StripEntry(row.trust_code, row.trust_name, float(row.average_score),
                                   rg[0] if rg else None, rg[1] if rg else None)
                        for row, rg in zip(t.itertuples(), ranges))
        return entries, any(rg for rg in ranges)

    @cached_property
    def uncertainty(self) -> dict:
        """The national document's facts on the type's likely ranges (``limits.rank_uncertainty``)."""
        return rank_uncertainty(self.ctx.result, self.trust_type, self.ctx.config).facts

    # area (domain) scores --------------------------------------------------------------------------------

    @cached_property
    def domains(self) -> pd.DataFrame:
        d = self.ctx.result.domains
        return d[d.trust_type == self.trust_type]

    @cached_property
    def domain_quartiles(self) -> dict[str, tuple | None]:
        """Each area's lower quartile, median and upper quartile among the type's scores (None: no score)."""
        d = self.domains
        out: dict[str, tuple | None] = {}
        for dom in self.ctx.config.domains:
            peers = d[d.domain == dom.name]["score"].dropna().to_numpy()
            out[dom.name] = tuple(np.percentile(peers, [25, 50, 75])) if len(peers) else None
        return out

    @cached_property
    def domains_by_trust(self) -> dict[str, dict[str, dict]]:
        """Each trust's area scores by area, as plain dicts of ``DOMAIN_FIELDS`` (made for all the type's trusts
        at once from the columns, not a frame a trust)."""
        d = self.domains
        return _records(d["trust_code"].tolist(), d["domain"].tolist(), [d[f].tolist() for f in DOMAIN_FIELDS],
                        DOMAIN_FIELDS)

    # measures ------------------------------------------------------------------------------------------

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """The chosen quarter's metric rows of the type's trusts."""
        q = self.ctx.quarter_metrics
        return q[q.trust_type == self.trust_type]

    @cached_property
    def scores(self) -> pd.DataFrame:
        m = self.metrics
        return m[m.metric_id.str.startswith(self.ctx.config.score_prefix)]

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        """Every score id used for the type, with its description and area, in the order first seen."""
        return self.scores.drop_duplicates("metric_id")[["metric_id", "metric_description", "domain"]]

    @cached_property
    def catalogue_rows(self) -> list[tuple]:
        """``catalogue`` as (metric id, description, area) tuples."""
        c = self.catalogue
        return list(zip(c["metric_id"].tolist(), c["metric_description"].tolist(), c["domain"].tolist()))

    @cached_property
    def scores_by_trust(self) -> dict[str, dict]:
        """Each trust's scores by metric id (the last row of an id, as a look-up by id gives it)."""
        out: dict[str, dict] = {}
        sc = self.scores
        for code, mid, value in zip(sc["trust_code"].tolist(), sc["metric_id"].tolist(), sc["value"].tolist()):
            out.setdefault(code, {})[mid] = value
        return out

    @cached_property
    def descriptions(self) -> pd.Series:
        return self.metrics.drop_duplicates("metric_id").set_index("metric_id")["metric_description"]

    @cached_property
    def raw(self) -> pd.DataFrame:
        """The type's raw values, one row per trust and metric: where a metric has a rate and a count row,
        the rate (not the count) is the one scored."""
        m = self.metrics
        raw = m[m.metric_id.str.startswith(self.ctx.config.raw_prefix)]
        return raw.assign(_count=(raw.units == "count")).sort_values(["_count"]).drop_duplicates(
            ["trust_code", "metric_id"])

    @cached_property
    def raw_by_trust(self) -> dict[str, dict[str, dict]]:
        """Each trust's raw rows by metric id, as plain dicts of the fields a pack reads (``RAW_FIELDS``), made
        for all the type's trusts at once from the columns (a row of a frame is a new Series at every look-up)."""
        raw = self.raw
        return _records(raw["trust_code"].tolist(), raw["metric_id"].tolist(), [raw[f].tolist() for f in RAW_FIELDS],
                        RAW_FIELDS)

    def raw_records_of(self, code: str) -> dict[str, dict]:
        """The trust's raw rows by metric id (empty when it has none)."""
        return self.raw_by_trust.get(code, {})

    @cached_property
    def reporting(self) -> pd.Series:
        """How many trusts of the type report each raw metric."""
        return self.raw.groupby("metric_id")["trust_code"].nunique()

    @cached_property
    def item_scores(self) -> dict[str, pd.Series]:
        """Each counted item's scores among the type's trusts."""
        items = self.ctx.result.items
        peer_items = items[items.trust_code.isin(set(self.trusts.trust_code))]
        return {item: rows["score"] for item, rows in _groups(peer_items, "item").items()}

    def item_median(self, item: str) -> str:
        """The median score of an item among the type's trusts, to 2 decimal places ("" when none)."""
        memo = self.__dict__.setdefault("_medians", {})
        if item not in memo:
            scores = self.item_scores.get(item)
            scores = scores.dropna() if scores is not None else ()
            memo[item] = f"{float(np.median(scores)):.2f}" if len(scores) else ""
        return memo[item]


def peer_group(ctx, trust_type: str) -> PeerGroup:
    """The chosen quarter's trusts of ``trust_type``, made once per context and process."""
    key = ("peer group", trust_type)
    group = ctx.memo.get(key)
    if group is None:
        group = ctx.memo[key] = PeerGroup(ctx, trust_type)
    return group


def _by_trust(ctx, name: str, make) -> dict:
    key = ("by trust", name)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = make()
    return found


def items_of(ctx, code: str) -> pd.DataFrame:
    """The trust's counted items (scores) in the chosen quarter."""
    items = ctx.result.items
    found = _by_trust(ctx, "items", lambda: _groups(items, "trust_code")).get(code)
    return found if found is not None else items.iloc[:0]


def published_rank(ctx, code: str, metric_id: str) -> int | None:
    """NHS England's published rank of the trust on ``metric_id`` in the chosen quarter, or None."""
    def make() -> dict[str, int]:
        q = ctx.quarter_metrics
        rows = q[(q.metric_id == metric_id) & q["rank"].notna()]
        out: dict[str, int] = {}
        for c, rank in zip(rows.trust_code, rows["rank"]):
            out.setdefault(c, int(rank))
        return out

    return _by_trust(ctx, f"rank {metric_id}", make).get(code)


def reconciled_statuses(ctx, code: str) -> list[str]:
    """The statuses (match, rounding, mismatch) of the trust's rows of the reconciliation, at rule scope."""
    def make() -> dict[str, list[str]]:
        rec = ctx.reconciliation.detail
        rec = rec[rec.scope == "rule"]
        out: dict[str, list[str]] = {}
        for c, status in zip(rec["trust_code"].tolist(), rec["status"].tolist()):
            out.setdefault(c, []).append(status)
        return out

    return _by_trust(ctx, "reconciliation statuses", make).get(code, [])
