"""Hostile input and faults: nothing from the data reaches the file system, the terminal or a formula.

Each test takes a defect class of the robustness review (D1 to D13), feeds the
command line the review's reproducer built from the real mental health file,
and asserts the message, the exit code and that nothing was written outside
``--out`` or left half done.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.outputs import OutsideOutput, inside
from tests.shared_data import MH_DATA, shared_file

#: The review's hostile trust codes (D1), each put in place of RYY.
HOSTILE_CODES = ["../../x", "../league-tables", "a/b", "..", "-rf", "<b>X</b>", "R\u202eYY",
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123", "x y", "abc", "../../../../../../../../tmp/ESCAPED"]


def mh_text() -> str:
    return shared_file(MH_DATA).read_bytes().decode("utf-8-sig")


def first_line_with(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if fragment in line)


def write_csv(folder: Path, text: str, name: str = "mh.csv", encoding: str = "utf-8-sig") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_one_sentence(result, code: int, *fragments: str) -> str:
    message = result.output
    assert result.exit_code == code, message
    assert "Traceback" not in message
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    last = message.strip().splitlines()[-1]
    assert last.startswith("reportgen: error: "), message
    for fragment in fragments:
        assert fragment in last, (fragment, last)
    return last


# ---------------------------------------------------------------------------
# D1: trust codes from the data are checked at load and never become paths


@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_d1_a_hostile_trust_code_in_the_data_is_bad_input(tmp_path, code):
    text = mh_text()
    line = first_line_with(text, ",RYY,")
    data = write_csv(tmp_path / "in", text.replace(",RYY,", f",{code},"))
    out = tmp_path / "out" / "o1"
    before = files_under(tmp_path)
    result = invoke("build", "-q", "--data", str(data), "--formats", "html", "--jobs", "1", "--out", str(out))
    message = assert_one_sentence(result, 2, f"{data}, line {line}, column Trust_code:", "is not a trust code")
    assert "\u202e" not in message  # printed as an escape, not as a reordering of the line
    assert files_under(tmp_path) == before  # nothing written, inside --out or beside it


@pytest.mark.parametrize("code", HOSTILE_CODES[:3])
def test_d1_a_hostile_trust_code_in_a_league_table_is_bad_input(tmp_path, code):
    league = shared_file(MH_DATA).with_name(MH_DATA.replace("data", "league-table"))
    text = league.read_bytes().decode("utf-8-sig")
    line = first_line_with(text, ",RYY,")
    folder = tmp_path / "in"
    write_csv(folder, mh_text(), "data.csv")
    bad = write_csv(folder, text.replace(",RYY,", f",{code},"), "league.csv")
    result = invoke("league", "-q", "--data", str(folder), "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, f"{bad}, line {line}, column Trust_code:", "is not a trust code")
    assert not (tmp_path / "out").exists()


def test_d1_every_real_and_example_trust_code_passes(tmp_path):
    from reportgen.config import Config
    from reportgen.load import load
    from tests.shared_data import ACUTE_Q1_DATA, MH_LEAGUE, ROOT

    config = Config.load()
    real = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    acute = load([shared_file(ACUTE_Q1_DATA)], config, "Q1 2025/26")
    example = load([ROOT / "data"], config)
    counts = [len(set(d.metrics["trust_code"]) | set(d.league["trust_code"])) for d in (real, acute, example)]
    assert counts == [61, 134, 205]


@pytest.mark.parametrize("name", ["../../x.html", "../league-tables.html", "a/b.html", "..", ".", "",
                                  "-rf/../../x"])
def test_d1_an_output_path_outside_the_output_folder_is_refused(tmp_path, name):
    with pytest.raises(OutsideOutput):
        inside(tmp_path / "out" / "2025-26-q4" / "trusts", name)


def test_d1_a_symbolic_link_out_of_the_output_folder_is_refused(tmp_path):
    trusts = tmp_path / "out" / "trusts"
    trusts.mkdir(parents=True)
    (trusts / "RYY.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(OutsideOutput):
        inside(trusts, "RYY.html")
    assert inside(trusts, "-rf.html") == (trusts / "-rf.html").resolve()  # a plain name is a plain name
