"""The year's methodology configuration: checked against its schema, chosen from the data's quarters."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen import config as config_module
from reportgen.config import YEARS_DIR, Config
from reportgen.errors import ConfigError
from reportgen.load import load
from reportgen.methodology import CONFIGURED, compute_quarter
from tests.test_bad_input import HEADER, assert_refused, good_rows, row, run, write

DEFAULT = (YEARS_DIR / "nof-2025-26.toml").read_text(encoding="utf-8")
TEST_YEAR = Path(__file__).parent / "years" / "nof-2026-27.toml"


def bad_config(tmp_path: Path, old: str, new: str) -> Path:
    assert old in DEFAULT, old
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    return path


def refused_config(tmp_path: Path, config: Path, *fragments: str) -> str:
    data = write(tmp_path, [HEADER, *good_rows()])
    result, out = run(tmp_path, "--data", str(data), "--config", str(config))
    assert_refused(result, out, str(config), *fragments)
    assert "data.csv" not in result.output, "a configuration error is never blamed on the data file"
    return result.output


def test_the_shipped_years_pass_the_schema():
    for path in YEARS_DIR.glob("nof-*.toml"):
        Config.load(path)
    Config.load(TEST_YEAR)


def test_missing_keys_name_the_key_and_the_file(tmp_path):
    # cli40: a file with only a title.
    path = tmp_path / "c.toml"
    path.write_text('[year]\ntitle = "x"\n', encoding="utf-8")
    refused_config(tmp_path, path, "year.name is missing")
    # A section left out.
    refused_config(tmp_path, bad_config(tmp_path, "[average]\n", "[averag]\n"), "average is missing")


def test_an_empty_file_is_refused(tmp_path):
    # cli41
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    refused_config(tmp_path, path, "year is missing")


def test_a_wrong_type_names_the_key(tmp_path):
    # cli45: minimum = "one"
    refused_config(tmp_path, bad_config(tmp_path, "minimum = 1.0", 'minimum = "one"'),
                   "scores.minimum should be a valid number, not 'one'")
    refused_config(tmp_path, bad_config(tmp_path, "decimals = 2\nbasis = \"verified\"\n\n# Scores",
                                        "decimals = \"2\"\nbasis = \"verified\"\n\n# Scores"),
                   "scores.decimals should be a valid integer, not '2'")


def test_a_bad_quarters_list_is_a_configuration_error(tmp_path):
    # cli42: a string where a list belongs; today this was blamed on the data file's Quarter column.
    quarters = 'quarters = ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26"]'
    refused_config(tmp_path, bad_config(tmp_path, quarters, 'quarters = "Q4 2025/26"'),
                   "year.quarters should be a valid list")
    # cli43: an empty list.
    refused_config(tmp_path, bad_config(tmp_path, quarters, "quarters = []"),
                   "year.quarters should hold at least 1 value")
    # A quarter of another year.
    refused_config(tmp_path, bad_config(tmp_path, quarters, 'quarters = ["Q1 2024/25"]'),
                   "'Q1 2024/25' in quarters is not a quarter of the year 2025/26")


def test_a_misspelt_rule_key_or_value_is_refused(tmp_path):
    refused_config(tmp_path, bad_config(tmp_path, "rounding_tolerance = 0.01", "rounding_tolerence = 0.01"),
                   "reconcile.rounding_tolerence is not a key reportgen knows")
    refused_config(tmp_path, bad_config(tmp_path, 'method = "pooled-quartiles"', 'method = "quartiles"'),
                   "segmentation.method should be 'pooled-quartiles' or 'fixed', not 'quartiles'")
    refused_config(tmp_path, bad_config(tmp_path, 'method = "pooled-quartiles"', 'method = "fixed"'),
                   "segmentation cutoffs must be three rising average scores")
    refused_config(tmp_path, bad_config(tmp_path, 'target = 80.0', 'targt = 80.0'), "metrics.OF0010")


def test_unreadable_configuration_files(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("x = [\n", encoding="utf-8")
    refused_config(tmp_path, path, "is not valid TOML")
    refused_config(tmp_path, tmp_path / "missing.toml", "no such methodology configuration file")


def test_the_year_is_chosen_from_the_quarters_in_the_data(tmp_path, monkeypatch):
    rows = [r.replace("Q4 2025/26", "Q4 2026/27") for r in good_rows()]
    data = write(tmp_path, [HEADER, *rows])
    # No rules for 2026/27: one sentence naming the configured years and how to add one.
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "Q4 2026/27", "rules for 2025/26 only", "reportgen/years/nof-2026-27.toml",
                   "docs/adding-a-year.md", "--config")
    # Add the year as a file: it is chosen without --config.
    years = tmp_path / "years"
    years.mkdir()
    shutil.copy(YEARS_DIR / "nof-2025-26.toml", years)
    shutil.copy(TEST_YEAR, years)
    monkeypatch.setattr(config_module, "YEARS_DIR", years)
    assert load([data]).config.year == "2026/27"
    assert load([write(tmp_path, [HEADER, *good_rows()], name="old.csv")]).config.year == "2025/26"
    result, out = run(tmp_path, "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "Q4 2026/27" in out.read_text(encoding="utf-8")


def test_one_input_holds_one_year(tmp_path):
    a = write(tmp_path, [HEADER, *good_rows()], name="a.csv")
    b = write(tmp_path, [HEADER, *[r.replace("Q4 2025/26", "Q1 2026/27") for r in good_rows()]], name="b.csv")
    with pytest.raises(ConfigError, match="quarters of 2025/26 and 2026/27"):
        load([a, b])


def test_fixed_cutoffs_place_trusts_by_the_configured_thresholds(tmp_path):
    config = Config.load(TEST_YEAR)
    rows = [r.replace("Q4 2025/26", "Q4 2026/27") for r in good_rows()]
    # A third trust exactly on the second cut-off (2.25): upper-inclusive puts it in segment 2.
    for metric, score, domain in (("OF1061", "2.0", "Patient safety"), ("OF1084", "2.5", "People and workforce")):
        rows.append(row("XA3", "Edge Trust", metric, score, quarter="Q4 2026/27", domain=domain))
    rows.append(row("XA3", "Edge Trust", "OF5004", "0.0", units="flag", quarter="Q4 2026/27", domain="Summary"))
    dataset = load([write(tmp_path, [HEADER, *rows])], config)
    result = compute_quarter(dataset.metrics, config, "Q4 2026/27", league=dataset.league)
    assert result.cutoffs.source == CONFIGURED
    assert result.cutoffs.values == (1.75, 2.25, 2.75)
    seg = dict(zip(result.trusts["trust_code"], result.trusts["unadjusted_segment"]))
    # Averages 1.5, 3.0 and 2.25; the published unadjusted segment (2) is not used.
    assert seg == {"XA1": 1, "XA2": 4, "XA3": 2}


def test_a_quarterless_file_takes_its_year_from_the_quarter_option(tmp_path):
    header = HEADER.replace("Quarter,", "", 1)
    rows = [r.split(",", 1)[1] for r in good_rows()]
    data = write(tmp_path, [header, *rows])
    with pytest.raises(ConfigError, match="Q2 2026/27, a quarter of 2026/27"):
        load([data], quarter="Q2 2026/27")
    assert load([data], quarter="Q2 2025/26").config.year == "2025/26"


def test_a_configuration_of_another_year_is_named_not_the_data(tmp_path):
    data = write(tmp_path, [HEADER, *[r.replace("Q4 2025/26", "Q4 2026/27") for r in good_rows()]])
    default = YEARS_DIR / "nof-2025-26.toml"
    result, out = run(tmp_path, "--data", str(data), "--config", str(default))
    assert_refused(result, out, f"{default}: holds the rules of 2025/26, but the input holds quarters of 2026/27")


def test_a_year_file_whose_name_and_year_disagree_is_refused(tmp_path, monkeypatch):
    years = tmp_path / "years"
    years.mkdir()
    shutil.copy(YEARS_DIR / "nof-2025-26.toml", years / "nof-2026-27.toml")
    monkeypatch.setattr(config_module, "YEARS_DIR", years)
    with pytest.raises(ConfigError, match="the file name says 2026/27 but"):
        Config.for_quarters(["Q1 2026/27"])
