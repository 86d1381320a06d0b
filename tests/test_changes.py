"""Why a segment changed: the classification NHS England's quarter 2 note uses, as a pure function."""
from __future__ import annotations

import math

import pytest

from reportgen.changes import (
    AVERAGE_MOVED,
    BELOW_THRESHOLD,
    CUTOFF_MOVED,
    OVERRIDE_APPLIED,
    OVERRIDE_REMOVED,
    Standing,
    classify_change,
    segment_under,
)

EXACT = ((2.0, 2.0), (2.3, 2.3), (2.6, 2.6))
BRACKETS = ((2.02, 2.11), (2.29, 2.31), (2.57, 2.60))


def test_segment_under_known_and_bracketed_cutoffs():
    assert [segment_under(v, EXACT) for v in (1.5, 2.0, 2.01, 2.3, 2.31, 2.6, 3.5)] == [1, 1, 2, 2, 3, 3, 4]
    assert segment_under(2.02, BRACKETS) == 1      # the highest average seen in segment 1
    assert segment_under(2.11, BRACKETS) == 2      # the lowest seen in segment 2
    assert segment_under(2.05, BRACKETS) is None   # where the cut-off may lie
    assert segment_under(2.60, BRACKETS) == 4
    assert segment_under(2.0, ((math.nan, 2.1), (2.3, 2.3), (2.6, 2.6))) is None


def test_no_change_has_no_reason():
    s = Standing(2.1, 2, 2, False)
    assert classify_change(s, Standing(2.4, 2, 2, False), EXACT, 0.15) is None


def test_override_applied_and_removed():
    # Entered deficit: segment 2 on scores, held in 3 by the rule.
    assert classify_change(Standing(2.1, 2, 2, False), Standing(2.12, 2, 3, True), EXACT, 0.15) == OVERRIDE_APPLIED
    # Left deficit (RAT, Q3 to Q4): moved up although its average worsened.
    assert classify_change(Standing(2.08, 2, 3, True), Standing(2.12, 2, 2, False), EXACT, 0.15) == OVERRIDE_REMOVED
    # Still in deficit, but its average pushed it from 2 (held in 3) to 4: a change in score, not the rule.
    assert classify_change(Standing(2.2, 2, 3, True), Standing(2.7, 4, 4, True), EXACT, 0.15) == AVERAGE_MOVED


def test_average_moved_more_than_the_threshold():
    assert classify_change(Standing(2.2, 2, 2, False), Standing(2.4, 3, 3, False), EXACT, 0.15) == AVERAGE_MOVED
    assert classify_change(Standing(2.4, 3, 3, False), Standing(2.2, 2, 2, False), EXACT, 0.15) == AVERAGE_MOVED
    # Exactly the threshold is not more than it.
    assert classify_change(Standing(2.2, 2, 2, False), Standing(2.35, 3, 3, False), EXACT, 0.15) == BELOW_THRESHOLD


def test_cut_off_moved_past_a_trust_that_stood_still():
    # RX4, Q3 to Q4: average improved 2.68 -> 2.60, yet segment 3 -> 4: under Q3's cut-offs 2.60 was segment 3.
    q3 = ((2.06, 2.08), (2.33, 2.38), (2.70, 2.74))
    assert classify_change(Standing(2.68, 3, 3, False), Standing(2.60, 4, 4, False), q3, 0.15) == CUTOFF_MOVED


def test_small_change_across_a_cut_off_is_below_the_threshold():
    assert classify_change(Standing(2.28, 2, 2, False), Standing(2.33, 3, 3, False), EXACT, 0.15) == BELOW_THRESHOLD
    # Unknown whether the old cut-off lay above or below the new average: not claimed as a cut-off move.
    assert classify_change(Standing(2.0, 1, 1, False), Standing(2.05, 2, 2, False), BRACKETS, 0.15) == BELOW_THRESHOLD


@pytest.mark.parametrize("threshold", [0.0, 0.05, 0.15, 1.0])
def test_every_change_gets_exactly_one_reason(threshold):
    import itertools

    for a, b in itertools.product([1, 2, 3, 4], repeat=2):
        for da, db in itertools.product([False, True], repeat=2):
            before = Standing(1.5 + 0.4 * a, a, 3 if da and a < 3 else a, da)
            now = Standing(1.5 + 0.4 * b, b, 3 if db and b < 3 else b, db)
            reason = classify_change(before, now, EXACT, threshold)
            assert (reason is None) == (before.adjusted == now.adjusted)
