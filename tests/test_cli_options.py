"""Command-line conveniences: --trust with several codes, --no-national, the site listing every pack
present, warnings once for the chosen quarter, and --help with examples and exit codes."""
from __future__ import annotations

import re

from click.testing import CliRunner

from reportgen.cli import main, spread_option
from tests.shared_data import MH_DATA, shared_file


def test_several_codes_after_one_trust_flag():
    assert spread_option(["--trust", "A", "B", "--formats", "html"], "--trust") == \
        ["--trust", "A", "--trust", "B", "--formats", "html"]
    assert spread_option(["--trust=A", "B", "C"], "--trust") == ["--trust=A", "--trust", "B", "--trust", "C"]
    assert spread_option(["--trust", "A", "--trust", "B"], "--trust") == ["--trust", "A", "--trust", "B"]
    assert spread_option(["--out", "x", "--", "B"], "--trust") == ["--out", "x", "--", "B"]
    assert spread_option(["--trust", "A", "--", "B"], "--trust") == ["--trust", "A", "--", "B"]


def test_help_gives_usage_examples_and_exit_codes():
    top = CliRunner().invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "Examples:" in top.output and "Exit codes:" in top.output
    assert "…" not in top.output and "..." not in top.output.split("Commands:")[1].split("Examples:")[0]
    build = CliRunner().invoke(main, ["build", "--help"], prog_name="reportgen")
    assert "Usage: reportgen build [OPTIONS] [--trust CODE [CODE ...]]" in build.output
    assert "--trust RYY RXT" in build.output
    assert "--no-national" in build.output
    for code in ("0 ", "1 ", "2 ", "130"):
        assert re.search(rf"^\s+{code}", build.output, re.M), code
    for command in ("check", "league"):
        assert "Exit codes:" in CliRunner().invoke(main, [command, "--help"]).output


def test_each_warning_once_for_the_chosen_quarter_only(tmp_path):
    mh = shared_file(MH_DATA)
    result = CliRunner().invoke(main, ["league", "--data", str(mh), "--out", str(tmp_path / "l.csv")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("reportgen: warning:")]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("reportgen: warning: Q4 2025/26: ")
    result = CliRunner().invoke(main, ["league", "--data", str(mh), "--quarter", "Q2 2025/26",
                                       "--out", str(tmp_path / "l2.csv")])
    warnings = [line for line in result.output.splitlines() if line.startswith("reportgen: warning:")]
    assert len(warnings) == 1 and "Q2 2025/26: " in warnings[0], warnings
    assert "Q4 2025/26" not in result.output


def test_a_second_trust_build_keeps_the_first_trusts_pack_in_the_site(tmp_path):
    mh = shared_file(MH_DATA)
    out = tmp_path / "out"
    base = ["build", "--data", str(mh), "--out", str(out), "--formats", "html", "--jobs", "1", "--no-national"]
    first = CliRunner().invoke(main, [*base, "--trust", "RYY", "RV3"])
    assert first.exit_code == 0, first.output
    folder = out / "2025-26-q4"
    assert {p.name for p in (folder / "trusts").iterdir()} == {"RYY.html", "RV3.html"}
    assert not (folder / "league-tables.html").exists(), "--no-national writes no national document"
    assert "Wrote" in first.output and "the national document" not in first.output
    second = CliRunner().invoke(main, [*base, "--trust", "RWR"])
    assert second.exit_code == 0, second.output
    index = (folder / "index.html").read_text(encoding="utf-8")
    for code in ("RYY", "RV3", "RWR"):
        assert f'href="trusts/{code}.html"' in index, code
    assert index.count("not built") > 0  # the other 58 trusts, and the national document


def test_options_are_listed_in_their_natural_order():
    text = CliRunner().invoke(main, ["build", "--help"], prog_name="reportgen").output.split("Options:")[1]
    order = [text.index(name) for name in ("--data FILE_OR_FOLDER", "--quarter QUARTER", "--config FILE",
                                           "--cutoffs A,B,C", "--quiet", "--out", "--trust CODE")]
    assert order == sorted(order)


def test_trust_with_no_packs_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["build", "--data", str(tmp_path / "unread"), "--out", str(tmp_path / "o"),
                                       "--trust", "RYY", "--no-packs"])
    assert result.exit_code == 2
    assert "--trust RYY asks for a pack but --no-packs asks for none" in result.output
    assert not (tmp_path / "o").exists()
