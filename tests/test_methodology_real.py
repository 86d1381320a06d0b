"""The methodology reproduces NHS England's published figures from the real files."""
from __future__ import annotations

import pandas as pd
import pytest

from reportgen.config import Config
from reportgen.league import league_frame
from reportgen.load import load
from reportgen.methodology import PUBLISHED, compute_quarter
from tests.shared_data import ACUTE_Q1_DATA, ACUTE_Q3_DERIVED, MH_DATA, MH_LEAGUE, shared_file

Q1, Q2, Q3, Q4 = "Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26"


@pytest.fixture(scope="module")
def config():
    return Config.load()


@pytest.fixture(scope="module")
def mh(config):
    return load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)


@pytest.fixture(scope="module")
def mh_results(mh, config):
    return {q: compute_quarter(mh.metrics, config, q, league=mh.league) for q in mh.quarters}


@pytest.fixture(scope="module")
def acute(config):
    return load([shared_file(ACUTE_Q1_DATA)], config, quarter=Q1)


@pytest.fixture(scope="module")
def acute_result(acute, config):
    return compute_quarter(acute.metrics, config, Q1)


def within_rounding(recomputed: pd.Series, published: pd.Series, tol: float) -> pd.Series:
    return (recomputed - published).abs() <= tol + 1e-9


def test_mh_file_holds_four_quarters_of_61_trusts(mh, mh_results):
    assert mh.quarters == (Q1, Q2, Q3, Q4)
    assert sum(len(r.trusts) for r in mh_results.values()) == 244
    assert all(len(r.trusts) == 61 for r in mh_results.values())


@pytest.mark.parametrize("quarter", [Q1, Q2, Q3, Q4])
def test_mh_averages_and_domain_scores_match_or_differ_by_rounding(mh_results, config, quarter):
    r = mh_results[quarter]
    t = r.trusts
    assert within_rounding(t.average_computed, t.average_published, config.tolerance).all()
    d = r.domains
    assert d.score_published.notna().all()
    assert within_rounding(d.score_computed, d.score_published, config.tolerance).all()


@pytest.mark.parametrize("quarter", [Q1, Q2, Q3, Q4])
def test_mh_segments_and_ranks_match_exactly(mh_results, quarter):
    t = mh_results[quarter].trusts
    assert (t.adjusted_segment == t.adjusted_published).all()
    assert (t.league_rank == t.league_rank_published).all()
    if t.final_published.notna().any():
        assert (t.final_segment == t.final_published).all()
    d = mh_results[quarter].domains
    assert (d.segment == d.segment_published).all()


def test_mh_q1_recovery_support_trusts_are_in_segment_5(mh_results):
    t = mh_results[Q1].trusts.set_index("trust_code")
    assert set(t.index[t.final_segment == 5]) == {"RW1", "RHA", "RXV"}
    assert t.loc["RW1", "league_rank"] == 33  # the league rank still uses the 1 to 4 segment


def test_mh_named_trusts(mh_results):
    q4 = mh_results[Q4].trusts.set_index("trust_code")
    assert (q4.loc["RYY", ["average_score", "adjusted_segment", "league_rank"]].tolist() == [1.53, 1, 1])
    assert q4.loc["RV3", "league_rank"] == 2
    assert q4.loc["RWR", "average_score"] == 2.12 and q4.loc["RWR", "deficit"]
    assert q4.loc["RWR", "adjusted_segment"] == 3 and q4.loc["RWR", "league_rank"] == 31
    assert q4.loc["RWR", "held_by_override"]
    assert q4.loc["RY2", "league_rank"] == 61 and q4.loc["RY2", "average_score"] == 3.34
    q1 = mh_results[Q1].trusts.set_index("trust_code")
    assert q1.loc["RLY", "league_rank"] == 1 and q1.loc["RYW", "league_rank"] == 61
    assert q1.loc["RXG", "unadjusted_segment"] == 1 and q1.loc["RXG", "adjusted_segment"] == 3
    assert q1.loc["RXG", "league_rank"] == 26
    q2 = mh_results[Q2].trusts.set_index("trust_code")
    assert q2.loc["RLY", "league_rank"] == q2.loc["RYV", "league_rank"] == 1
    assert q2.loc["RLY", "tied"] and q2.loc["RYV", "tied"]


def test_mh_cutoffs_come_from_the_published_segments_when_one_type_is_loaded(mh_results):
    for r in mh_results.values():
        assert r.cutoffs.source == PUBLISHED and r.cutoffs.values is None
    # The observed brackets are those METHODOLOGY.md section 5 lists.
    assert mh_results[Q4].cutoffs.brackets == ((2.02, 2.11), (2.29, 2.31), (2.57, 2.60))
    assert mh_results[Q1].cutoffs.brackets == ((2.04, 2.06), (2.32, 2.33), (2.60, 2.65))


def test_q4_league_output_equals_the_published_league_table(mh_results):
    ours = league_frame(mh_results[Q4]).set_index("Trust_code")
    published = pd.read_csv(shared_file(MH_LEAGUE), encoding="utf-8-sig").set_index("Trust_code")
    assert len(ours) == len(published) == 61
    published = published.loc[ours.index]
    for column in ("Rank", "Segment", "Average_score", "Trust_in_financial_deficit"):
        pd.testing.assert_series_equal(ours[column], published[column], check_names=False)
    # Rows run by rank, ties by trust name.
    assert list(ours["Rank"]) == sorted(ours["Rank"])


def test_acute_q1_reproduces_all_134_trusts(acute_result, config):
    t = acute_result.trusts
    assert len(t) == 134
    assert within_rounding(t.average_computed, t.average_published, config.tolerance).all()
    d = acute_result.domains
    assert within_rounding(d.score_computed, d.score_published, config.tolerance).all()
    assert (t.adjusted_segment == t.adjusted_published).all()
    assert (t.final_segment == t.final_published).all()
    assert (t.league_rank == t.league_rank_published).all()
    rsp = set(t.trust_code[t.final_segment == 5])
    assert rsp == {"R1F", "RA9", "RAJ", "RHM", "RHU", "RJZ", "RK9", "RN5", "RPA", "RX1", "RXL", "RXN", "RXR", "RXW"}
    by_code = t.set_index("trust_code")
    assert by_code.loc["RP6", "league_rank"] == 1 and by_code.loc["RCX", "league_rank"] == 134


def test_acute_needs_the_infection_scores_combined(acute, config):
    raw = dict(config.raw)
    raw["combined"] = tuple(c for c in raw["combined"] if c["method"] != "mean")
    plain = Config(raw, config.path)
    t = compute_quarter(acute.metrics, plain, Q1).trusts
    wrong = (t.average_computed - t.average_published).abs() > config.tolerance + 1e-9
    assert wrong.sum() >= 100  # METHODOLOGY.md: 115 trusts are wrong without the combination


def test_both_types_loaded_together_give_the_same_q1_results(config, mh_results, acute_result):
    both = load([shared_file(MH_DATA), shared_file(ACUTE_Q1_DATA)], config, quarter=Q1)
    together = compute_quarter(both.metrics, config, Q1).trusts.set_index("trust_code")
    alone = pd.concat([mh_results[Q1].trusts, acute_result.trusts]).set_index("trust_code")
    columns = ["average_score", "unadjusted_segment", "adjusted_segment", "final_segment", "league_rank"]
    pd.testing.assert_frame_equal(together.loc[alone.index, columns], alone[columns], check_dtype=False)


def test_derived_acute_q3_ranks_follow_segment_then_average():
    derived = pd.read_csv(shared_file(ACUTE_Q3_DERIVED))
    acute = derived[derived.Trust_type == "Acute trust"].dropna(subset=["league_rank"])
    ordered = acute.sort_values(["league_segment", "league_avg_score"])
    assert ordered["league_rank"].is_monotonic_increasing
    by_code = acute.set_index("org_code")
    assert by_code.loc["RBV", ["league_avg_score", "league_segment", "league_rank"]].tolist() == [1.36, 1, 3]
    assert by_code.loc["RHW", ["league_segment", "league_rank", "lt_in_deficit"]].tolist() == [3, 28, 1]
    assert by_code.loc["RWA", ["league_avg_score", "league_segment", "league_rank"]].tolist() == [3.23, 4, 134]


def test_distance_to_the_better_segment(mh_results):
    t = mh_results[Q4].trusts.set_index("trust_code")
    # RY2 is in segment 4; the highest average in segment 3 this quarter is 2.57.
    assert t.loc["RY2", "better_segment_edge"] == 2.57
    assert t.loc["RY2", "distance_to_better_segment"] == pytest.approx(3.34 - 2.57)
    assert pd.isna(t.loc["RYY", "better_segment_edge"])


def test_configured_cutoffs_replace_the_published_segments(mh, config):
    r = compute_quarter(mh.metrics, config, Q4, cutoffs=(2.0, 2.3, 2.6), league=mh.league)
    t = r.trusts.set_index("trust_code")
    assert r.cutoffs.source == "command line"
    assert t.loc["RYY", "unadjusted_segment"] == 1
    assert t.loc["RY2", "unadjusted_segment"] == 4
    assert (t.unadjusted_segment[t.average_score <= 2.0] == 1).all()


def test_pooled_cutoffs_on_the_example_data_reproduce_its_segments(config):
    from tests.shared_data import ROOT

    example = load([ROOT / "data"], config)
    assert example.fictional
    for quarter in example.quarters:
        r = compute_quarter(example.metrics, config, quarter, league=example.league)
        t = r.trusts
        assert r.cutoffs.source == "pooled" and len(t) == 205
        assert set(t.trust_type) == set(config.trust_types)
        assert (t.unadjusted_segment == t.unadjusted_published).all()
        assert (t.adjusted_segment == t.adjusted_published).all()
        assert (t.league_rank == t.league_rank_published).all()
        # Each cut-off lies between the averages it separates.
        for (hi, lo), cut in zip(r.cutoffs.brackets, r.cutoffs.values):
            assert hi <= cut < lo
