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


# ---------------------------------------------------------------------------
# D6: CSV outputs are safe to open in a spreadsheet

FORMULAS = ['=HYPERLINK("http://example.invalid/?x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1"]


def mutate_rows(text: str, change) -> str:
    """The CSV ``text`` with ``change(row)`` applied to each data row (a dict by column)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text, newline=""))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=reader.fieldnames, lineterminator="\r\n")
    writer.writeheader()
    for row in reader:
        writer.writerow(change(row) or row)
    return buf.getvalue()


def rename(code: str, name: str):
    def change(row):
        if row["Trust_code"] == code:
            row["Trust_name"] = name
    return change


def test_d6_neutralise_follows_owasp():
    from reportgen.csvsafe import neutralise

    for text in ("=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for kept in ("Kent Community Health", "1 to 11", "", " =x", "'=x"):
        assert neutralise(kept) == kept
    for number in (-13.24, 0, 2.5, None):
        assert neutralise(number) is number


def test_d6_write_csv_leaves_numbers_as_numbers(tmp_path):
    import io

    import pandas as pd

    from reportgen.csvsafe import write_csv

    frame = pd.DataFrame({"name": ["=A1", "Kent"], "value": [-13.24, 2.0]})
    buf = io.StringIO()
    write_csv(buf, frame)
    assert buf.getvalue() == "name,value\n'=A1,-13.24\nKent,2.0\n"
    write_csv(tmp_path / "x.csv", frame)
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == buf.getvalue()


@pytest.mark.parametrize("command", ["league", "check"])
def test_d6_formula_names_are_neutralised_in_league_and_check(tmp_path, command):
    import csv

    text = mh_text()
    codes = ["RYY", "R1A", "R1D", "RV3"]
    for code, formula in zip(codes, FORMULAS):
        text = mutate_rows(text, rename(code, formula))
    data = write_csv(tmp_path / "in", text)
    out = tmp_path / "out" / "o.csv"
    result = invoke(command, "-q", "--data", str(data), "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    name_column = "Trust_name" if command == "league" else "trust_name"
    code_column = "Trust_code" if command == "league" else "trust_code"
    names = {r[code_column]: r[name_column] for r in rows}
    for code, formula in zip(codes, FORMULAS):
        assert names[code] == "'" + formula
    assert not [r for r in rows if r[name_column][:1] in "=+-@\t\r"]
    number = "Average_score" if command == "league" else "recomputed"
    assert all(float(r[number]) == float(r[number]) for r in rows if r[number])  # still plain numbers
