"""`reportgen check` and `reportgen league` as a user runs them."""
from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from reportgen.cli import main
from tests.shared_data import ACUTE_Q1_DATA, MH_DATA, MH_LEAGUE, shared_file


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_check_on_the_real_mh_file_exits_0(tmp_path):
    out = tmp_path / "rec.csv"
    result = run("check", "--data", str(shared_file(MH_DATA)), "--data", str(shared_file(MH_LEAGUE)),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    detail = pd.read_csv(out)
    rules = detail[detail.scope == "rule"]
    assert (rules.status != "mismatch").all()
    # Every comparison the issue names is there.
    for family in ("average score", "adjusted segment", "final segment", "league rank",
                   "league table: rank", "OF1061 score from raw value", "OF1084 score from raw value",
                   "OF1080 score from raw value"):
        assert (detail.figure == family).any() or detail.figure.str.startswith(family).any(), family
    assert detail.figure.str.contains("within-type median").any()
    for metric in ("OF1061", "OF1084", "OF1080"):
        rows = detail[detail.figure == f"{metric} score from raw value"]
        assert len(rows) == 244 and (rows.status == "match").all(), metric
    quartiles = detail[detail.figure.str.contains("within-type (?:median|lower quartile|upper quartile)")]
    assert quartiles.status.isin(["match", "rounding"]).all()
    assert "mismatch" in result.output or "0 mismatch" in result.output


def test_check_on_the_real_acute_q1_file(tmp_path):
    out = tmp_path / "rec.csv"
    result = run("check", "--data", str(shared_file(ACUTE_Q1_DATA)), "--quarter", "Q1 2025/26", "--out", str(out))
    assert result.exit_code == 0, result.output
    detail = pd.read_csv(out)
    for metric in ("OF1014", "OF1023", "OF1025", "OF1085"):
        rows = detail[detail.figure == f"{metric} score from raw value"]
        assert len(rows) > 100 and (rows.status == "match").all(), metric


def test_check_fails_on_a_figure_that_does_not_reproduce(tmp_path):
    data = pd.read_csv(shared_file(MH_DATA), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    mask = (data.Trust_code == "RYY") & (data.Metric_ID == "OF5002") & (data.Quarter == "Q4 2025/26")
    assert mask.sum() == 1
    data.loc[mask, "Value"] = "1.9"  # published average altered by more than rounding
    tampered = tmp_path / "tampered.csv"
    data.to_csv(tampered, index=False, encoding="utf-8-sig")
    out = tmp_path / "rec.csv"
    result = run("check", "--data", str(tampered), "--out", str(out))
    assert result.exit_code == 1
    assert "mismatch: Q4 2025/26 RYY average score" in result.output
    assert out.exists()  # the detail is still written, so the difference can be read


def test_league_writes_the_published_layout(tmp_path):
    out = tmp_path / "league.csv"
    result = run("league", "--data", str(shared_file(MH_DATA)), "--data", str(shared_file(MH_LEAGUE)),
                 "--quarter", "Q4 2025/26", "--out", str(out))
    assert result.exit_code == 0, result.output
    ours = pd.read_csv(out, encoding="utf-8-sig")
    published = pd.read_csv(shared_file(MH_LEAGUE), encoding="utf-8-sig")
    assert list(ours.columns) == list(published.columns)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    merged = ours.merge(published, on="Trust_code", suffixes=("", "_pub"))
    for col in ("Rank", "Segment", "Average_score", "Trust_in_financial_deficit", "Likely_range_of_rank"):
        assert (merged[col] == merged[f"{col}_pub"]).all(), col
