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


# ---------------------------------------------------------------------------
# D2, D10, D13: --out never replaces what it should not; only our own temporaries are removed


def test_d2_league_out_a_symbolic_link_is_refused_and_both_are_kept(tmp_path):
    target = tmp_path / "target.csv"
    target.write_text("prev\n")
    link = tmp_path / "l.csv"
    link.symlink_to("target.csv")
    result = invoke("league", "-q", "--data", str(shared_file(MH_DATA)), "--out", str(link))
    assert_one_sentence(result, 2, f"{link} is a symbolic link")
    assert link.is_symlink() and target.read_text() == "prev\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv", "target.csv"]


@pytest.mark.parametrize(("command", "out", "what"), [
    ("check", "/dev/full", "is a device"),
    ("league", "/dev/stdout", "is a symbolic link"),
    ("league", "/dev/null", "is a device"),
])
def test_d2_out_a_device_is_refused_and_left_as_it_was(command, out, what):
    import os
    import stat

    before = os.lstat(out)
    result = invoke(command, "-q", "--data", str(shared_file(MH_DATA)), "--out", out)
    assert_one_sentence(result, 2, f"{out} {what}")
    after = os.lstat(out)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino


def test_d2_out_a_folder_names_the_folder(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    result = invoke("league", "-q", "--data", str(shared_file(MH_DATA)), "--out", str(folder))
    message = assert_one_sentence(result, 2, f"{folder} is a folder")
    assert ".tmp" not in message
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", ["league", "check", "build"])
def test_d12_an_empty_out_is_refused(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(command, "-q", "--data", str(shared_file(MH_DATA)), "--out", "")
    assert_one_sentence(result, 2, "--out '' is empty")
    assert list(tmp_path.iterdir()) == []


def test_d2_build_out_a_file_is_refused(tmp_path):
    out = tmp_path / "file"
    out.write_text("mine\n")
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--no-packs", "--out", str(out))
    assert_one_sentence(result, 2, f"{out} is not a folder")
    assert out.read_text() == "mine\n"


def test_d2_a_symbolic_link_inside_the_output_folder_is_not_replaced(tmp_path):
    out = tmp_path / "out"
    trusts = out / "2025-26-q4" / "trusts"
    trusts.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("theirs\n")
    (trusts / "RYY.html").symlink_to(elsewhere)
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--trust", "RYY", "--jobs", "1",
                    "--formats", "html", "--out", str(out))
    assert_one_sentence(result, 1, "the pack of trust RYY failed", "lies outside")
    assert elsewhere.read_text() == "theirs\n" and (trusts / "RYY.html").is_symlink()
    assert (out / "2025-26-q4" / "index.html").is_file()  # the site is still written


def test_d10_only_our_own_stale_temporaries_are_removed(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    out = tmp_path / "out"
    quarter = out / "2025-26-q4"
    theirs = [out / "notes" / "drafts" / ".reportgen-my-notes.tmp", out / "other-project" / ".reportgen-abc.tmp",
              out / ".reportgen-1-running.tmp", out / ".reportgen-x.tmp"]
    stale = quarter / f".reportgen-{dead.stdout.strip()}-abc123.tmp"
    for p in [*theirs, stale]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--no-packs", "--formats", "html",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    assert all(p.is_file() for p in theirs)
    assert not stale.exists()


def test_d13_file_modes_follow_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    import os
    import stat

    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    old.write_text("old\n")
    old.chmod(0o640)
    mask = os.umask(0o077)
    try:
        for out in (new, old):
            result = invoke("league", "-q", "--data", str(shared_file(MH_DATA)), "--out", str(out))
            assert result.exit_code == 0, result.output
    finally:
        os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert old.read_text(encoding="utf-8-sig").startswith("Quarter,")


def test_d12_a_write_that_fails_names_the_file_and_leaves_nothing(tmp_path):
    """A real write fault: the file-size limit (as a full disk does, the write fails part way)."""
    import resource
    import signal
    import subprocess
    import sys

    from tests.shared_data import ROOT

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = tmp_path / "out" / "league.csv"
    proc = subprocess.run([sys.executable, "-m", "reportgen", "league", "-q", "--data", str(shared_file(MH_DATA)),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, preexec_fn=limit)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"reportgen: error: cannot write {out}: File too large."
    assert list(out.parent.iterdir()) == []


def test_d13_a_failed_pack_leaves_none_of_its_files(tmp_path, monkeypatch):
    import reportgen.release as build

    real = build.render

    def docx_fails_for_ryy(doc, fmt):
        if fmt == "docx" and "Kent Community" in doc.title:
            raise RuntimeError("the Word file could not be made")
        return real(doc, fmt)

    out = tmp_path / "out"
    trusts = out / "2025-26-q4" / "trusts"
    trusts.mkdir(parents=True)
    (trusts / "RYY.html").write_text("<p>an earlier build</p>")
    monkeypatch.setattr(build, "render", docx_fails_for_ryy)
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--trust", "RYY", "--trust", "R1A",
                    "--jobs", "1", "--formats", "html,docx", "--out", str(out))
    assert_one_sentence(result, 1, "the pack of trust RYY failed")
    assert sorted(p.name for p in trusts.iterdir()) == ["R1A.docx", "R1A.html"]
    assert "RYY" in (out / "2025-26-q4" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# D4: a worker that dies never hangs the build; workers die with their parent


def _children(pid: int) -> list[int]:
    import subprocess

    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _start_build(out: Path, formats: str = "html"):
    import subprocess
    import sys
    import time

    from tests.shared_data import ROOT

    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--data", str(shared_file(MH_DATA)),
                             "--formats", formats, "--jobs", "2", "--out", str(out)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    trusts = out / "2025-26-q4" / "trusts"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if trusts.is_dir() and len(list(trusts.glob("*.html"))) >= 3:
            break
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert proc.poll() is None and len(workers) == 2, "the build had finished before a worker could be stopped"
    return proc, workers


@pytest.mark.slow
def test_d4_a_worker_killed_mid_build_stops_it_names_the_trusts_not_built_and_writes_the_site(tmp_path):
    import os
    import signal

    out = tmp_path / "out"
    # with PDFs, so that the build is still running when a worker is killed, on however fast a machine
    proc, workers = _start_build(out, "html,pdf")
    os.kill(workers[-1], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)  # a hang would end here, not pass
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    line = next(x for x in stderr.splitlines() if "worker process died" in x)
    assert "killed by SIGKILL" in line and "so the build stopped" in line
    folder = out / "2025-26-q4"
    built = {p.stem for p in (folder / "trusts").glob("*.html")}
    not_built = line.split("not built (", 1)[1].split(")", 1)[0].split(", ")
    assert len(built) + len(not_built) == 61 and not built & set(not_built)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("not built") >= len(not_built)
    assert (out / "index.html").is_file()
    assert not list(out.rglob(".reportgen-*"))
    assert all(p.read_bytes().rstrip().endswith(b"</html>") for p in folder.rglob("*.html"))


@pytest.mark.slow
def test_d4_workers_die_with_the_main_process(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "out"
    proc, workers = _start_build(out, "html,pdf")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)
    files = sorted(p.name for p in out.rglob("*") if p.is_file())
    time.sleep(3)
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == files  # nothing more was written


# ---------------------------------------------------------------------------
# D5: no traceback, ever, for anything a user can feed it

KENT = "Kent Community Health NHS Foundation Trust"


def mh_with(tmp_path: Path, text: str, name: str = "mh.csv", encoding: str = "utf-8-sig") -> Path:
    return write_csv(tmp_path / "in", text, name, encoding)


@pytest.mark.parametrize("ch", ["\x07", "\x00", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_d5a_a_control_character_in_a_name_is_bad_input_naming_the_cell(tmp_path, ch):
    text = mh_text()
    line = first_line_with(text, KENT)
    data = mh_with(tmp_path, text.replace(KENT, f"Kent{ch}Community"))
    out = tmp_path / "out"
    for args in (["league", "--out", str(out / "l.csv")],
                 ["build", "--no-packs", "--formats", "docx", "--out", str(out)]):
        result = invoke(*args, "-q", "--data", str(data))
        assert_one_sentence(result, 2, f"{data}, line {line}, column Trust_name:",
                            f"control character U+{ord(ch):04X}")
        assert not out.exists()


def test_d5a_a_nul_far_into_the_file_is_bad_input_too(tmp_path):
    text = mh_text()
    at = text.index(",RYY,", 100_000)
    line = text[:at].count("\n") + 1
    data = mh_with(tmp_path, text[:at] + ",RY\x00Y," + text[at + 5:])
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, f"line {line}, column Trust_code:")


@pytest.mark.slow
def test_d5b_a_very_long_word_in_a_name_wraps_in_the_pdf_and_a_long_name_fits_word(tmp_path):
    import zipfile

    from tests.checkers import pdf_text

    long_word = "L" * 300
    name = f"Kent {long_word} " + " ".join(["Community"] * 30)  # over Word's 255-character property limit
    data = mh_with(tmp_path, mh_text().replace(KENT, name))
    out = tmp_path / "out"
    result = invoke("build", "-q", "--data", str(data), "--trust", "RYY", "--jobs", "1", "--formats", "pdf,docx",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "2025-26-q4"
    for pdf in (folder / "league-tables.pdf", folder / "trusts" / "RYY.pdf"):
        text = pdf_text(pdf)
        assert text.count("L" * 20) >= 300 // 20 - 1 and long_word not in text  # all there, and wrapped
    with zipfile.ZipFile(folder / "trusts" / "RYY.docx") as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
        body = zf.read("word/document.xml").decode("utf-8")
    title = core.split("<dc:title>", 1)[1].split("</dc:title>", 1)[0]
    assert len(title) <= 255 and title.endswith("\u2026") and title.startswith("Kent " + "L" * 100)
    assert long_word in body and name.split(" ")[-1] in body


def test_d5d_old_mac_line_ends_are_read(tmp_path):
    text = mh_text()
    assert '"' in text  # the case that failed: a quoted field in a file with CR-only line ends
    lf = mh_with(tmp_path, text.replace("\r\n", "\n"), "lf.csv")
    cr = mh_with(tmp_path / "cr", text.replace("\r\n", "\r"), "cr.csv")
    outs = []
    for data in (lf, cr):
        out = tmp_path / "out" / f"{data.stem}-league.csv"
        result = invoke("league", "-q", "--data", str(data), "--out", str(out))
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    # Errors in such a file still name the right line.
    bad = mh_with(tmp_path / "cr2", text.replace(",RYY,", ",R/Y,", 1).replace("\r\n", "\r"), "cr.csv")
    result = invoke("league", "-q", "--data", str(bad), "--out", str(tmp_path / "o2" / "l.csv"))
    assert_one_sentence(result, 2, f"line {first_line_with(text, ',RYY,')}, column Trust_code")


def test_d5e_memory_exhaustion_is_one_sentence(tmp_path):
    import resource
    import subprocess
    import sys

    from tests.shared_data import ROOT

    limit = 450 * 2**20

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    huge = tmp_path / "in" / "huge.csv"
    huge.parent.mkdir()
    huge.write_bytes(shared_file(MH_DATA).read_bytes() + b"Q4 2025/26," + b"x" * (96 * 2**20) + b"\n")
    runs = {}
    for data in (shared_file(MH_DATA), huge):
        out = tmp_path / "out" / f"{data.stem}.csv"
        runs[data] = (out, subprocess.run([sys.executable, "-m", "reportgen", "league", "-q", "--data", str(data),
                                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                                          preexec_fn=cap))
    out, plain = runs[shared_file(MH_DATA)]
    assert plain.returncode == 0, plain.stderr  # the limit leaves room for the real file
    out, proc = runs[huge]
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ("reportgen: error: there is not enough memory for this input; nothing partial was left "
                           "(try a smaller input, or a machine with more memory).\n")
    assert not out.exists()
    # With memory to spare, the same file is refused for its 96 MB field, naming the line.
    result = invoke("league", "-q", "--data", str(huge), "--out", str(out))
    assert_one_sentence(result, 2, f"{huge}, line 8773: not a readable CSV file (field larger than field limit")


# ---------------------------------------------------------------------------
# D3: file names and data are literal text in every format


def test_d3_a_file_name_is_never_a_link(tmp_path):
    folder = tmp_path / "d"
    data = write_csv(folder, mh_text(), "[x](javascript:alert%281%29).csv")
    out = tmp_path / "out"
    result = invoke("build", "-q", "--data", str(data), "--no-packs", "--formats", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "javascript:" not in html.split("href=", 1)[-1].split(">", 1)[0]
        assert 'href="javascript' not in html


# ---------------------------------------------------------------------------
# D7: terminal output is safe


def test_d7_escapes_in_a_cell_are_printed_as_escapes(tmp_path):
    text = mh_text()
    line = first_line_with(text, "Mental health and community trust")
    hostile = "\x1b]0;owned\x07\x1b[2J\x1b[31mFAKE: all checks passed"
    data = mh_with(tmp_path, text.replace("Mental health and community trust", hostile + "Mental health", 1))
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    message = assert_one_sentence(result, 2, f"line {line}, column Trust_type")
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07\\x1b[2J" in message


def test_d7_a_name_in_a_warning_cannot_reorder_the_terminal_line(tmp_path):
    text = mh_text()
    name = "Tavistock and Portman NHS Foundation Trust"  # the sparsely scored trust named in a warning
    data = mh_with(tmp_path, text.replace(name, "\u202eTavistock\u200b and Portman"))
    result = invoke("league", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert result.exit_code == 0, result.output
    warning = next(x for x in result.output.splitlines() if x.startswith("reportgen: warning:"))
    assert "\\u202eTavistock\\u200b and Portman (RNK)" in warning
    assert "\u202e" not in result.output


# ---------------------------------------------------------------------------
# D8: every row has every field


def test_d8_a_file_cut_inside_its_last_value_is_bad_input(tmp_path):
    text = mh_text().rstrip("\r\n")
    last = text.count("\n") + 1
    row = text.rsplit("\n", 1)[1]
    cut = text[: len(text) - len(row)] + ",".join(row.split(",")[:12]) + ",3"  # 13 of 17 fields
    data = mh_with(tmp_path, cut)
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, f"{data}, line {last}: the row has 13 fields but the header has 17",
                        "cut short")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("fields", "what"), [(12, "cut short"), (10, "cut short"), (18, "longer than the header")])
def test_d8_a_row_with_the_wrong_number_of_fields_is_bad_input(tmp_path, fields, what):
    lines = mh_text().split("\r\n")
    parts = lines[500].split(",")
    assert len(parts) == 17
    lines[500] = ",".join(parts[:fields] if fields < 17 else parts + ["x"])
    data = mh_with(tmp_path, "\r\n".join(lines))
    result = invoke("check", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "r.csv"))
    assert_one_sentence(result, 2, f"line 501: the row has {fields} fields but the header has 17", what)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# D9, D12: right message, right code


def _without_root_powers(*args: str, cwd=None):
    """Run reportgen as root without the capabilities that let root read anything."""
    import shutil
    import subprocess
    import sys

    from tests.shared_data import ROOT

    capsh = shutil.which("capsh")
    assert capsh, "capsh (libcap2-bin) is needed to drop root's file-reading powers"
    command = " ".join(["exec", sys.executable, "-m", "reportgen", *(f"'{a}'" for a in args)])
    return subprocess.run([capsh, "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
                          capture_output=True, text=True, cwd=cwd or ROOT)


@pytest.mark.parametrize("given", ["file", "folder"])
def test_d9_an_unreadable_input_is_cannot_read_exit_2(tmp_path, given):
    locked = tmp_path / "locked"
    data = write_csv(locked, mh_text(), "mh.csv")
    locked.chmod(0o600)  # listable, not searchable
    tmp_path.chmod(0o755)
    try:
        out = tmp_path / "out" / "l.csv"
        proc = _without_root_powers("league", "-q", "--data", str(data if given == "file" else locked),
                                    "--out", str(out))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"reportgen: error: {data}: cannot read it (Permission denied).\n"
    assert not out.parent.exists()


@pytest.mark.parametrize(("make", "message"), [
    (lambda t: t.replace(",", ";"), "the columns are separated by semicolons"),
    (lambda t: t.replace(",", "\t"), "the columns are separated by tabs"),
    (lambda t: t.replace("\r\n", "\n", 1).replace("\r\n", ",\r\n"),
     "line 2: the row has 18 fields but the header has 17"),
    (lambda t: t.replace("Trust_code", "trust_code").replace("Metric_ID", "metric_id").replace("Quarter", "quarter")
     .replace("Region", "region").replace("Trust_type", "trust_type").replace("Trust_name", "trust_name")
     .replace("Domain", "domain").replace("Units", "units").replace("Value", "value"),
     "column names must be written as NHS England writes them"),
    (lambda t: t.replace("Value,Median_value", "Value,Value", 1), "line 1: the column Value appears more than once"),
])
def test_d12_a_file_in_the_wrong_shape_says_what_is_wrong(tmp_path, make, message):
    data = mh_with(tmp_path, make(mh_text()))
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, str(data), message)
    assert not (tmp_path / "out").exists()


def test_d12_utf16_is_read_or_named(tmp_path):
    text = mh_text()
    with_bom = mh_with(tmp_path, text, "u16.csv", "utf-16")
    reference = mh_with(tmp_path / "ref", text, "u8.csv")
    outs = []
    for data in (reference, with_bom):
        out = tmp_path / "out" / f"{data.stem}.csv"
        result = invoke("league", "-q", "--data", str(data), "--out", str(out))
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    no_bom = mh_with(tmp_path / "nb", text, "u16le.csv", "utf-16-le")
    result = invoke("league", "-q", "--data", str(no_bom), "--out", str(tmp_path / "o2" / "l.csv"))
    assert_one_sentence(result, 2, f"{no_bom}: UTF-16 text without a byte-order mark")


def test_d12_one_bad_byte_names_its_line(tmp_path):
    raw = shared_file(MH_DATA).read_bytes()
    lines = raw.split(b"\r\n")
    lines[1277] = b"\x99" + lines[1277]
    data = tmp_path / "mh.csv"
    data.write_bytes(b"\r\n".join(lines))
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, f"{data}, line 1278: byte 0x99 is not UTF-8 text")


def test_d12_a_zero_width_space_after_a_column_name_is_ignored(tmp_path):
    data = mh_with(tmp_path, mh_text().replace("Quarter", "Quarter\u200b", 1))
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    assert result.exit_code == 0, result.output


def test_d12_a_loop_a_pipe_a_device_and_a_dangling_link_are_each_named(tmp_path):
    import os

    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    dangling = tmp_path / "gone.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    for path, message in ((loop, "a symbolic link that leads back to itself (a loop)"),
                          (fifo, "a named pipe, not a file"), (Path("/dev/null"), "a device, not a file"),
                          (dangling, f"a symbolic link to {tmp_path / 'nowhere.csv'}, which does not exist")):
        result = invoke("league", "-q", "--data", str(path), "--out", str(tmp_path / "out" / "l.csv"))
        assert_one_sentence(result, 2, f"{path}: {message}")
    assert not (tmp_path / "out").exists()


def test_d12_no_data_and_no_data_folder_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("league", "-q", "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, "no --data was given and there is no data/ folder here", "--data")


# ---------------------------------------------------------------------------
# D13: the minor list


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan"])
def test_d13_infinite_and_not_a_number_values_are_refused(tmp_path, value):
    lines = mh_text().split("\r\n")
    parts = lines[1].split(",")
    parts[12] = value
    lines[1] = ",".join(parts)
    data = mh_with(tmp_path, "\r\n".join(lines))
    result = invoke("league", "-q", "--data", str(data), "--out", str(tmp_path / "out" / "l.csv"))
    what = "a number" if value == "nan" else "a finite number"
    assert_one_sentence(result, 2, f"line 2, column Value: '{value}' is not {what}")


@pytest.mark.parametrize("cutoffs", ["inf,inf,inf", "-1e308,0,1e308", "0,0,0", "5,6,7", "1e-400,1,2", "nan,2,3",
                                     "3,2,1"])
def test_d13_cutoffs_must_be_finite_rising_and_within_the_score_range(tmp_path, cutoffs):
    result = invoke("league", "-q", "--data", str(shared_file(MH_DATA)), "--cutoffs", cutoffs,
                    "--out", str(tmp_path / "out" / "l.csv"))
    assert_one_sentence(result, 2, f"--cutoffs '{cutoffs}' must be three rising average scores from 1 to 4")
    assert not (tmp_path / "out").exists()


def test_d13_trust_with_no_packs_is_refused(tmp_path):
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--trust", "RYY", "--no-packs",
                    "--out", str(tmp_path / "out"))
    assert_one_sentence(result, 2, "--trust RYY asks for a pack but --no-packs asks for none")
    assert not (tmp_path / "out").exists()


def test_d13_jobs_is_capped_at_the_work(tmp_path, monkeypatch):
    import reportgen.release as build

    made = []
    real = build._Worker.__init__

    def counted(self, *args, **kw):
        made.append(self)
        real(self, *args, **kw)

    monkeypatch.setattr(build._Worker, "__init__", counted)
    result = invoke("build", "-q", "--data", str(shared_file(MH_DATA)), "--trust", "RYY", "--jobs", "1000",
                    "--formats", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert len(made) == 2  # one pack, and the national document alongside it


@pytest.mark.parametrize("command", ["league", "check"])
def test_d13_an_output_in_a_data_folder_is_refused(tmp_path, command):
    folder = tmp_path / "data"
    write_csv(folder, mh_text(), "mh.csv")
    out = folder / "league.csv"
    result = invoke(command, "-q", "--data", str(folder), "--out", str(out))
    assert_one_sentence(result, 2, f"--out {out} is in the --data folder",
                        "the next run would read it as one of NHS England's files")
    assert sorted(p.name for p in folder.iterdir()) == ["mh.csv"]


def test_d5b_only_an_over_long_run_of_letters_gets_break_opportunities():
    from reportgen.render.html import break_long_words

    assert break_long_words("L" * 25) == "L" * 25
    assert break_long_words("Kent " + "L" * 60) == "Kent " + "\u200b".join(["L" * 10] * 6)
    url = "https://example.invalid/" + "a" * 30 + "1" + "a" * 30
    assert break_long_words(url) == url
    from markupsafe import Markup

    assert break_long_words(Markup("L" * 80)) == "L" * 80
