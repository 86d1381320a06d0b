"""Why a trust's segment changed between two quarters.

NHS England's own note on its quarter 2 changes sorts each segment change
into the financial override applied or removed, a significant change in
score, or a change "below the threshold to be considered significant". This
module does the same, as pure functions over two quarters' results, and adds
one reason that note leaves implicit: the cut-off moved past a trust whose
own average would have kept it in its old segment.

The threshold is the year's configuration (``[changes] average_threshold``);
NHS England does not publish its own, so it is labelled inferred.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .methodology import Cutoffs, QuarterResult

OVERRIDE_APPLIED = "override applied"
OVERRIDE_REMOVED = "override removed"
AVERAGE_MOVED = "average moved"
CUTOFF_MOVED = "cut-off moved"
BELOW_THRESHOLD = "below the threshold"
REASONS = (OVERRIDE_APPLIED, OVERRIDE_REMOVED, AVERAGE_MOVED, CUTOFF_MOVED, BELOW_THRESHOLD)


@dataclass(frozen=True)
class Standing:
    """A trust in one quarter: its average, its segment before and after the deficit rule, its deficit flag."""

    average: float
    unadjusted: int
    adjusted: int
    deficit: bool


Bounds = tuple[tuple[float, float], ...]  # for each boundary 1|2, 2|3, 3|4: where the cut-off lies, (low, high)


def cutoff_bounds(cut: Cutoffs) -> Bounds:
    """Where each of a quarter's cut-offs lies: exactly, or between the highest
    average in the better segment and the lowest in the worse one."""
    if cut.values is not None:
        return tuple((float(v), float(v)) for v in cut.values)
    return tuple((float(lo), float(hi)) for lo, hi in cut.brackets)


def segment_under(average: float, bounds: Bounds) -> int | None:
    """The segment ``average`` would surely have had under these cut-offs, or
    None if it lies where a cut-off might be. An average equal to a cut-off is
    in the better segment."""
    segment = 1
    eps = 1e-9
    for low, high in bounds:
        if math.isnan(low) or math.isnan(high):
            return None
        if average > high + eps or (low < high and average >= high - eps):
            segment += 1  # surely above this cut-off
        elif average <= low + eps:
            return segment  # surely at or below it
        else:
            return None
    return segment


def classify_change(before: Standing, now: Standing, before_bounds: Bounds, threshold: float) -> str | None:
    """The reason a trust's segment (after the deficit rule) changed, or None if it did not.

    - override applied / removed: the trust entered or left financial deficit
      and the deficit rule holds it in segment 3 in only one of the quarters;
    - average moved: its average changed by more than ``threshold``;
    - cut-off moved: a smaller change, and under last quarter's cut-offs its
      new average would have kept its old segment;
    - below the threshold: a smaller change that crossed a cut-off (or one
      where last quarter's cut-off is not known closely enough to tell).
    """
    if now.adjusted == before.adjusted:
        return None
    held_before = before.adjusted != before.unadjusted
    held_now = now.adjusted != now.unadjusted
    if now.deficit != before.deficit and held_before != held_now:
        return OVERRIDE_APPLIED if held_now else OVERRIDE_REMOVED
    if abs(now.average - before.average) > threshold + 1e-9:
        return AVERAGE_MOVED
    if segment_under(now.average, before_bounds) == before.unadjusted:
        return CUTOFF_MOVED
    return BELOW_THRESHOLD


def segment_changes(before: QuarterResult, now: QuarterResult, threshold: float) -> pd.DataFrame:
    """One row per trust whose segment from 1 to 4 changed, with its reason;
    sorted better moves first, then by the size of the move and of the change in average."""
    a = before.trusts.set_index("trust_code")
    b = now.trusts.set_index("trust_code")
    bounds = cutoff_bounds(before.cutoffs)
    rows = []
    for code in b.index.intersection(a.index):
        x, y = a.loc[code], b.loc[code]
        then = Standing(float(x.average_score), int(x.unadjusted_segment), int(x.adjusted_segment), bool(x.deficit))
        cur = Standing(float(y.average_score), int(y.unadjusted_segment), int(y.adjusted_segment), bool(y.deficit))
        reason = classify_change(then, cur, bounds, threshold)
        if reason is None:
            continue
        rows.append({
            "trust_code": code, "trust_name": y.trust_name, "trust_type": y.trust_type,
            "segment_before": then.adjusted, "segment_now": cur.adjusted,
            "average_before": then.average, "average_now": cur.average,
            "direction": "better" if cur.adjusted < then.adjusted else "worse", "reason": reason,
        })
    columns = ["trust_code", "trust_name", "trust_type", "segment_before", "segment_now", "average_before",
               "average_now", "direction", "reason"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    out["_size"] = (out.segment_now - out.segment_before).abs()
    out["_move"] = (out.average_now - out.average_before).abs()
    out["_dir"] = (out.direction == "worse").astype(int)
    out = out.sort_values(["_dir", "_size", "_move", "trust_name"], ascending=[True, False, False, True])
    return out.drop(columns=["_size", "_move", "_dir"]).reset_index(drop=True)
