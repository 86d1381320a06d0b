"""Properties of the ranking and segmentation rules, for any input."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.config import Config
from reportgen.methodology import apply_override, league_ranks, quartile_cutoffs, segment_from_cutoffs

CONFIG = Config.load()

averages = st.lists(st.integers(min_value=100, max_value=400).map(lambda x: x / 100), min_size=1, max_size=80)


def frame(avgs, deficits, types):
    df = pd.DataFrame({"average_score": avgs, "deficit": deficits, "trust_type": types})
    cut = quartile_cutoffs(df["average_score"], "linear")
    df["unadjusted_segment"] = segment_from_cutoffs(df["average_score"], cut, "upper-inclusive")
    df["adjusted_segment"] = apply_override(df["unadjusted_segment"], df["deficit"], CONFIG)
    df["rank"] = league_ranks(df, 2)
    return df


@st.composite
def trusts(draw):
    avgs = draw(averages)
    n = len(avgs)
    deficits = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    types = draw(st.lists(st.sampled_from(["A", "B"]), min_size=n, max_size=n))
    return frame(avgs, deficits, types)


@given(trusts())
@settings(max_examples=200, deadline=None)
def test_ranks_are_a_permutation_with_min_ties(df):
    for _, g in df.groupby("trust_type"):
        ranks = sorted(g["rank"].astype(int))
        assert ranks[0] == 1
        # Min ties: each rank equals one plus the number of trusts strictly ahead.
        key = list(zip(g["adjusted_segment"], g["average_score"]))
        for k, r in zip(key, g["rank"].astype(int)):
            assert r == 1 + sum(other < k for other in key)
        assert max(ranks) <= len(g)


@given(trusts())
@settings(max_examples=200, deadline=None)
def test_better_average_never_ranks_below_worse_in_same_segment(df):
    for (_, _), g in df.groupby(["trust_type", "adjusted_segment"]):
        a = g["average_score"].to_numpy()
        r = g["rank"].astype(int).to_numpy()
        for i in range(len(g)):
            for j in range(len(g)):
                if a[i] < a[j]:
                    assert r[i] < r[j]
                if a[i] == a[j]:
                    assert r[i] == r[j]


@given(trusts())
@settings(max_examples=200, deadline=None)
def test_override_never_improves_a_segment(df):
    assert (df["adjusted_segment"] >= df["unadjusted_segment"]).all()
    moved = df["adjusted_segment"] != df["unadjusted_segment"]
    assert df.loc[moved, "deficit"].all()
    assert (df.loc[df["deficit"], "adjusted_segment"] >= 3).all()


@given(trusts())
@settings(max_examples=200, deadline=None)
def test_a_lower_segment_always_ranks_ahead(df):
    for _, g in df.groupby("trust_type"):
        s = g["adjusted_segment"].to_numpy()
        r = g["rank"].astype(int).to_numpy()
        for i in range(len(g)):
            for j in range(len(g)):
                if s[i] < s[j]:
                    assert r[i] < r[j]


@given(averages)
@settings(max_examples=200, deadline=None)
def test_segments_are_monotone_in_the_average_and_quartered(avgs):
    s = pd.Series(avgs)
    cut = quartile_cutoffs(s, "linear")
    seg = segment_from_cutoffs(s, cut, "upper-inclusive")
    order = np.argsort(s.to_numpy(), kind="stable")
    assert (np.diff(seg.to_numpy()[order]) >= 0).all()
    assert seg.between(1, 4).all()
    # At least a quarter of the trusts are in segment 1 (the 25th percentile is inclusive).
    assert (seg == 1).sum() >= int(np.ceil(0.25 * (len(s) - 1))) or len(s) < 4
