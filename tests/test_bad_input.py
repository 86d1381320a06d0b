"""Bad input: one plain sentence naming file, line and column; exit code 2; nothing written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import main
from tests.shared_data import ETR, shared_file

HEADER = ("Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Domain,Sub-domain,Metric_ID,"
          "Metric_description,Reporting_date,Units,Value,Median_value,Lower_quartile,Upper_quartile,Rank")


def row(code="XA1", name="Example Vale NHS Trust", metric="OF1061", value="2.5", units="score",
        quarter="Q4 2025/26", ttype="Mental health and community trust", domain="Patient safety"):
    return (f"{quarter},London,{ttype},Community,{code},{name},{domain},Safety,{metric},"
            f"Raising concerns,2024,{units},{value},,,,")


def good_rows():
    out = []
    for code, name, score in (("XA1", "Example Vale NHS Trust", "1.5"), ("XA2", "Sample Hill NHS Trust", "3.0")):
        out.append(row(code, name, "OF1061", score))
        out.append(row(code, name, "OF1084", score, domain="People and workforce"))
        out.append(row(code, name, "OF5004", "0.0", units="flag", domain="Summary"))
        out.append(row(code, name, "OF5003", "2.0", units="segment", domain="Summary"))
    return out


def write(tmp_path: Path, lines, name="data.csv", bom=True) -> Path:
    path = tmp_path / name
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(tmp_path: Path, *args: str):
    out = tmp_path / "out" / "league.csv"
    result = CliRunner().invoke(main, ["league", *args, "--out", str(out)])
    return result, out


def assert_refused(result, out: Path, *fragments: str):
    assert result.exit_code == 2, result.output
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert message.startswith("reportgen: error: "), message
    assert "Traceback" not in message
    assert len(message.strip().splitlines()) == 1, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_good_input_is_accepted(tmp_path):
    data = write(tmp_path, [HEADER, *good_rows()])
    result, out = run(tmp_path, "--data", str(data))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfQuarter,")


def test_missing_file(tmp_path):
    result, out = run(tmp_path, "--data", str(tmp_path / "nope.csv"))
    assert_refused(result, out, "nope.csv", "no such file or folder")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result, out = run(tmp_path, "--data", str(empty))
    assert_refused(result, out, "empty.csv", "the file is empty")


def test_a_file_that_is_not_a_nof_csv(tmp_path):
    # The ODS trust extract: a CSV, but not one of NHS England's NOF files.
    result, out = run(tmp_path, "--data", str(shared_file(ETR)))
    assert_refused(result, out, "etr.csv", "line 1", "not an NHS Oversight Framework data or league-table file")


def test_misspelt_column(tmp_path):
    data = write(tmp_path, [HEADER.replace("Metric_ID", "Metric_Id"), *good_rows()])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 1", "'Metric_ID' (found 'Metric_Id')", "Trust_code")


def test_missing_column(tmp_path):
    header = HEADER.replace(",Units", "")
    lines = [header] + [",".join(r.split(",")[:11] + r.split(",")[12:]) for r in good_rows()]
    data = write(tmp_path, lines)
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 1", "'Units'")


def test_non_numeric_value(tmp_path):
    rows = good_rows()
    rows[2] = row("XA1", "Example Vale NHS Trust", "OF5004", "n/a", units="flag", domain="Summary")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 4", "column Value", "'n/a' is not a number")


def test_score_outside_one_to_four(tmp_path):
    rows = good_rows()
    rows[4] = row("XA2", "Sample Hill NHS Trust", "OF1061", "4.5")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 6", "column Value", "4.5", "OF1061", "outside 1 to 4")


def test_duplicate_row(tmp_path):
    rows = good_rows() + [row("XA1", "Example Vale NHS Trust", "OF1061", "1.6")]
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 10", "second row for trust XA1", "OF1061", "line 2")


def test_one_code_under_two_types(tmp_path):
    rows = good_rows()
    rows[1] = row("XA1", "Example Vale NHS Trust", "OF1084", "1.5", ttype="Acute trust", domain="People and workforce")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 3", "column Trust_type", "XA1", "Acute trust")


def test_one_code_under_two_names(tmp_path):
    rows = good_rows()
    rows[3] = row("XA1", "Example Dale NHS Trust", "OF5003", "2.0", units="segment", domain="Summary")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 5", "column Trust_name", "Example Dale NHS Trust")


def test_unknown_trust_type(tmp_path):
    rows = good_rows()
    rows[0] = row(ttype="Dental trust")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 2", "column Trust_type", "'Dental trust' is not a known trust type")


def test_unknown_quarter(tmp_path):
    rows = good_rows()
    rows[0] = row(quarter="Q5 2025/26")
    data = write(tmp_path, [HEADER, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "line 2", "column Quarter", "Q5 2025/26")


def test_quarterless_file_needs_quarter(tmp_path):
    header = HEADER.replace("Quarter,", "", 1)
    rows = [r.split(",", 1)[1] for r in good_rows()]
    data = write(tmp_path, [header, *rows])
    result, out = run(tmp_path, "--data", str(data))
    assert_refused(result, out, "data.csv", "no Quarter column", "--quarter")
    # With --quarter it is read, LF or CRLF, with or without a BOM.
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    result, out = run(tmp_path, "--data", str(crlf), "--quarter", "Q3 2025/26")
    assert result.exit_code == 0, result.output
    assert b"Q3 2025/26" in out.read_bytes()


def test_bad_quarter_option(tmp_path):
    data = write(tmp_path, [HEADER, *good_rows()])
    result, out = run(tmp_path, "--data", str(data), "--quarter", "Q2 2025/26")
    assert_refused(result, out, "--quarter", "Q4 2025/26 only")


def test_few_scored_metrics_is_a_warning_not_an_error(tmp_path):
    rows = good_rows()
    for code in ("XA3", "XA4", "XA5"):
        for metric, dom in (("OF1061", "Patient safety"), ("OF1084", "People and workforce"),
                            ("OF1082", "People and workforce"), ("OF1086", "Finance and productivity")):
            rows.append(row(code, f"Trust {code}", metric, "2.0", domain=dom))
        rows.append(row(code, f"Trust {code}", "OF5004", "1.0", units="flag", domain="Summary"))
        rows.append(row(code, f"Trust {code}", "OF5003", "3.0", units="segment", domain="Summary"))
    data = write(tmp_path, [HEADER, *rows], bom=False)
    result, out = run(tmp_path, "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "warning: Q4 2025/26: 2 of the 5 mental health and community trusts have fewer scored metrics than " \
           "most (4)" in result.output
    assert "Example Vale NHS Trust (XA1) has 2" in result.output
    assert out.exists()


def test_no_traceback_from_the_real_command(tmp_path):
    out = tmp_path / "x.csv"
    proc = subprocess.run([sys.executable, "-m", "reportgen", "league", "--data", str(tmp_path / "missing"),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"reportgen: error: {tmp_path / 'missing'}: no such file or folder."
    assert not out.exists()


def test_an_output_that_cannot_be_written_is_one_sentence(tmp_path):
    data = write(tmp_path, [HEADER, *good_rows()])
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = CliRunner().invoke(main, ["league", "--data", str(data), "--out", str(blocker / "league.csv")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"reportgen: error: cannot write {blocker}")
    assert "Traceback" not in result.output
