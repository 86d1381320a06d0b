"""The fictional example data in data/ (made by scripts/make_example_data.py)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reportgen import methodology, scoring
from reportgen.config import Config
from reportgen.load import DATA_COLUMNS, LEAGUE_COLUMNS, load

from .shared_data import ETR, shared_file

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SCRIPT = ROOT / "scripts" / "make_example_data.py"
SLUGS = ("acute", "mental-health-and-community", "ambulance")
FILES = tuple(f"example-{s}-trust-{k}.csv" for s in SLUGS for k in ("data", "league-table"))
COUNTS = {"Acute trust": 134, "Mental health and community trust": 61, "Ambulance trust": 10}
SUBTYPES = {
    "Acute trust": {"Acute - Teaching", "Acute - Large", "Acute - Medium", "Acute - Small", "Acute - Specialist",
                    "Acute - Multi-Service"},
    "Mental health and community trust": {"Mental Health and Learning Disability", "Community", "Care Trust"},
    "Ambulance trust": {"Ambulance"},
}
REGIONS = {"London", "South East", "South West", "Midlands", "East", "North West", "North East and Yorkshire"}


@pytest.fixture(scope="module")
def config() -> Config:
    return Config.load()


@pytest.fixture(scope="module")
def dataset(config):
    return load([DATA / f for f in FILES], config)


def test_regenerating_gives_identical_files(tmp_path):
    out = tmp_path / "regenerated"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from the committed file"


def test_layout_is_nhs_englands(dataset):
    for name in FILES:
        raw = (DATA / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with a byte-order mark
        text = raw.decode("utf-8-sig")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), name  # CRLF line ends
        header = next(csv.reader([text.split("\r\n", 1)[0]]))
        expected = list(DATA_COLUMNS) if name.endswith("-data.csv") else list(LEAGUE_COLUMNS)
        assert header == expected, name
    # numbers written as floats: 2.0, 33.0
    text = (DATA / FILES[0]).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows[:2000]:
        for col in ("Value", "Rank", "Median_value"):
            assert row[col] == "" or "." in row[col], (col, row[col])
    assert set(dataset.metrics["region"]) == REGIONS


def test_205_trusts_per_quarter_with_the_right_types(dataset, config):
    m = dataset.metrics
    assert sorted(set(m["quarter"])) == list(config.quarters)
    for quarter, q in m.groupby("quarter"):
        trusts = q.drop_duplicates("trust_code")
        assert len(trusts) == 205, quarter
        assert trusts["trust_type"].value_counts().to_dict() == COUNTS
        for ttype, subs in SUBTYPES.items():
            assert set(trusts.loc[trusts["trust_type"] == ttype, "trust_subtype"]) == subs
    league = dataset.league
    assert league.groupby("quarter")["trust_code"].nunique().tolist() == [205] * 4


def test_names_and_codes_are_fictional(dataset):
    path = shared_file(ETR)
    etr = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8")
    real_codes = set(etr[0].str.strip().str.upper())
    real_names = set(etr[1].str.strip().str.upper())
    trusts = pd.concat([dataset.metrics, dataset.league])[["trust_code", "trust_name"]].drop_duplicates()
    assert trusts["trust_code"].is_unique and trusts["trust_name"].is_unique
    assert not set(trusts["trust_code"]) & real_codes
    assert not set(trusts["trust_name"].str.upper()) & real_names
    assert trusts["trust_code"].str.fullmatch(r"X\d{2}|X\d{4}").all()
    assert trusts["trust_name"].str.startswith("Example ").all()
    names = " ".join(trusts["trust_name"])
    assert "&" in names and "'" in names and "Môn" in names and "," in names


def test_every_score_is_1_to_4(dataset, config):
    m = dataset.metrics
    lo, hi = config.score_range
    ids = m["metric_id"]
    scores = m[ids.str.startswith(config.score_prefix) | ids.isin([d.score_id for d in config.domains])
               | (ids == config.summary_ids["average"])]
    assert len(scores) > 15000
    assert scores["value"].between(lo, hi).all()
    segments = m[ids.isin([d.segment_id for d in config.domains] + ["OF5000", "OF5003"])]
    assert segments["value"].isin([1, 2, 3, 4]).all()
    assert dataset.league["average_score"].between(lo, hi).all()


def test_flags(dataset, config):
    m = dataset.metrics
    deficit = m[m["metric_id"] == config.summary_ids["deficit"]]
    share = deficit.groupby("quarter")["value"].mean()
    assert share.between(0.25, 0.4).all()
    recovery = m[m["metric_id"] == config.summary_ids["recovery_flag"]]
    assert sorted(set(recovery["quarter"])) == ["Q1 2025/26", "Q2 2025/26"]
    assert 5 <= recovery.groupby("quarter")["value"].sum().min() <= 15
    final = m[m["metric_id"] == config.summary_ids["final_segment"]]
    assert sorted(set(final["quarter"])) == ["Q1 2025/26", "Q2 2025/26"] and (final["value"] == 5).any()


def test_scores_reproduce_from_the_raw_values(dataset, config):
    """Every OF1xxx with a computable rule is what reportgen.scoring gives on the written values."""
    m = dataset.metrics
    scores = scoring.score_from_raw(m, config)
    published = m[m["metric_id"].str.startswith(config.score_prefix)]
    j = scores.merge(published[["quarter", "trust_code", "metric_id", "value"]],
                     on=["quarter", "trust_code", "metric_id"], how="outer", indicator=True)
    assert (j["_merge"] != "left_only").all()
    both = j[j["_merge"] == "both"]
    assert len(both) > 12000 and (both["score"] == both["value"]).all()
    score_only = set(j.loc[j["_merge"] == "right_only", "metric_id"])
    assert score_only == {"OF1035", "OF1046", "OF1067", "OF1069"}


def test_quartiles_are_within_type_and_ranks_consistent(dataset, config):
    m = dataset.metrics
    w = scoring.within_type_quartiles(m, config, decimals=2)
    raw = m[m["metric_id"].str.startswith(config.raw_prefix)]
    j = w.merge(raw, on=["quarter", "trust_code", "metric_id", "units"], suffixes=("", "_pub"))
    assert len(j) == len(raw)
    for c in ("median_value", "lower_quartile", "upper_quartile"):
        assert (j[c] == j[c + "_pub"]).all(), c
    # ranks come from the unrounded values: equal where untied, within the tie otherwise
    assert ((j["rank_pub"] >= j["rank"]) & (j["rank_pub"] <= j["rank_max"])).all()


def test_summary_rows_and_league_tables_come_from_the_methodology(dataset, config):
    m, league = dataset.metrics, dataset.league
    for quarter in config.quarters:
        r = methodology.compute_quarter(m, config, quarter, league=league)
        t = r.trusts
        assert r.cutoffs.source == methodology.POOLED
        assert (t["adjusted_segment"] == t["adjusted_published"]).all()
        assert (t["league_rank"] == t["league_rank_published"]).all()
        assert (t["league_rank"] == t["league_table_rank"]).all()
        assert (t["adjusted_segment"] == t["league_table_segment"]).all()
        assert ((t["average_computed"] - t["average_published"]).abs() <= 0.005 + 1e-9).all()
        assert t["likely_range_of_average_score"].str.fullmatch(r"\d\.\d+ to \d\.\d+").all()
        assert t["likely_range_of_rank"].str.fullmatch(r"\d+ to \d+").all()


def test_size():
    total = sum((DATA / f).stat().st_size for f in FILES)
    assert total < 9_000_000
