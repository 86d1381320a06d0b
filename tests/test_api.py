"""The Python interface for notebooks: reportgen.load_data, league_tables and build."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import reportgen
from reportgen.league import COLUMNS
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file


@pytest.fixture(scope="module")
def mh() -> Path:
    return shared_file(MH_DATA)


def test_the_package_exports_the_interface():
    assert set(reportgen.__all__) >= {"load_data", "league_tables", "build", "InputError", "ConfigError"}


def test_load_data_accepts_str_path_one_or_many(mh):
    for given in (str(mh), mh, [str(mh)], [mh], (mh,)):
        data = reportgen.load_data(given)
        assert data.config is not None and data.config.year == "2025/26"
        assert data.quarters == ("Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26")
    both = reportgen.load_data([str(mh), mh.parent / MH_LEAGUE])
    assert {f.kind for f in both.files} == {"data", "league"}


def test_bad_input_raises_the_one_sentence_error(tmp_path):
    with pytest.raises(reportgen.InputError, match="no such file or folder"):
        reportgen.load_data(str(tmp_path / "missing.csv"))


def test_league_tables_is_a_dataframe_of_the_latest_or_chosen_quarter(mh):
    latest = reportgen.league_tables(str(mh))  # a path is loaded on the way
    assert isinstance(latest, pd.DataFrame)
    assert list(latest.columns) == COLUMNS
    assert len(latest) == 61
    assert set(latest["Quarter"]) == {"Q4 2025/26"}
    first = latest.iloc[0]
    assert (first["Trust_code"], first["Average_score"], first["Rank"]) == ("RYY", 1.53, 1.0)
    # Published figures to reproduce (METHODOLOGY.md section 7): RWR is capped at segment 3, rank 31.
    rwr = latest.set_index("Trust_code").loc["RWR"]
    assert (rwr["Segment"], rwr["Rank"], rwr["Trust_in_financial_deficit"]) == (3.0, 31.0, "Yes")
    data = reportgen.load_data(mh)
    q1 = reportgen.league_tables(data, quarter="q1 2025/26")
    assert set(q1["Quarter"]) == {"Q1 2025/26"}
    assert q1.iloc[0]["Trust_code"] == "RLY"
    with pytest.raises(reportgen.InputError, match="the input holds Q1 2025/26, .* only"):
        reportgen.league_tables(data, quarter="Q1 2024/25")


def test_build_stays_the_public_function_after_the_release_module_is_imported():
    import reportgen.release as module

    assert reportgen.build is reportgen.api.build
    assert module.FORMATS == ("html", "pdf", "docx")


def test_build_writes_into_a_str_or_path_folder(mh, tmp_path):
    data = reportgen.load_data(mh)
    report = reportgen.build(data, str(tmp_path / "site"), trusts=["RYY"], formats=["html"], national=False,
                             jobs=1)
    folder = tmp_path / "site" / "2025-26-q4"
    assert report.packs == 1 and not report.failures
    assert (folder / "trusts" / "RYY.html").is_file()
    assert not (folder / "league-tables.html").exists()
    assert (folder / "index.html").is_file()
    report = reportgen.build(data, tmp_path / "site", quarter="Q3 2025/26", packs=False, formats=("html",))
    assert (tmp_path / "site" / "2025-26-q3" / "league-tables.html").is_file()
    assert report.packs == 0
