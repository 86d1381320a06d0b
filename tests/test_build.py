"""The release build: every pack, byte-identical rebuilds, interruption, refused codes, failures."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.config import Config
from reportgen.load import load
from tests.shared_data import ROOT

DATA = ROOT / "data"
QUARTER_DIR = "2025-26-q4"
pytestmark = pytest.mark.slow


def reportgen(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          cwd=ROOT, **kw)


def complete(path: Path) -> bool:
    """A file that was written to the end: a PDF with its trailer, a readable zip, a closed page."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return data.rstrip().endswith(b"%%EOF")
    if path.suffix == ".docx":
        try:
            with zipfile.ZipFile(path) as zf:
                return zf.testzip() is None
        except zipfile.BadZipFile:
            return False
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    return True


def test_full_build_writes_every_pack_in_every_format(tmp_path):
    out = tmp_path / "out"
    proc = reportgen("build", "--data", str(DATA), "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    folder = out / QUARTER_DIR
    dataset = load([DATA], Config.load())
    codes = set(dataset.metrics.loc[dataset.metrics.quarter == "Q4 2025/26", "trust_code"])
    assert len(codes) == 205
    for fmt in ("html", "pdf", "docx"):
        built = {p.stem for p in (folder / "trusts").glob(f"*.{fmt}")}
        assert built == codes, fmt
        assert (folder / f"league-tables.{fmt}").is_file()
    assert all(complete(p) for p in (folder / "trusts").iterdir())
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count('scope="row"') == 205
    assert (out / "index.html").is_file()
    assert not list(out.rglob(".reportgen-*"))
    # Plain progress lines when not on a terminal.
    assert "Trust packs: 205 of 205 done" in proc.stderr


def test_building_twice_gives_byte_identical_files(tmp_path):
    args = ["build", "--data", str(DATA), "--trust", "X7821", "--trust", "X7107", "--jobs", "2", "--quiet"]
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        proc = reportgen(*args, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""  # --quiet
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    assert len([f for f in files_a if f.parent == Path(QUARTER_DIR, "trusts")]) == 6  # the packs, not data/trusts
    for rel in files_a:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def _sigint_as_at_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_an_interrupted_build_leaves_no_partial_file(tmp_path):
    out = tmp_path / "out"
    # Ctrl-C as at a terminal: a process started in the background by a non-interactive shell inherits
    # SIGINT ignored, and Python then never turns it into KeyboardInterrupt, so the build is given it back.
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--data", str(DATA), "--out", str(out),
                             "--jobs", "2", "--quiet"], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_at_a_terminal)
    trusts = out / QUARTER_DIR / "trusts"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if trusts.is_dir() and len(list(trusts.glob("*.pdf"))) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files, "some packs were written before the interruption"
    assert not [p for p in files if p.name.startswith(".reportgen-")]
    assert all(complete(p) for p in files)
    assert len(list(trusts.glob("*.pdf"))) < 205


def test_sigterm_stops_the_build_cleanly(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--data", str(DATA), "--out", str(out),
                             "--jobs", "2", "--quiet"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    trusts = out / QUARTER_DIR / "trusts"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (trusts.is_dir() and any(trusts.glob("*.docx"))):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    assert not [p for p in out.rglob(".reportgen-*")]
    assert all(complete(p) for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("code", ["../../etc/passwd", "X7821/..", "x1001", "RYY;rm", "", "ABCDEFG"])
def test_a_trust_code_is_never_a_path(tmp_path, code):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out), "--trust", code])
    assert result.exit_code == 2
    assert "is not a trust code" in result.output
    assert not out.exists()


def test_an_unknown_trust_code_is_refused_before_writing(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out), "--trust", "X9999"])
    assert result.exit_code == 2
    assert "X9999" in result.output
    assert not out.exists()


def test_one_failing_pack_is_reported_and_the_rest_are_built(tmp_path, monkeypatch):
    import reportgen.content.pack as pack

    real = pack.pack_document

    def flaky(ctx, code, formats=("html", "pdf", "docx")):
        if code == "X7821":
            raise RuntimeError("the chart could not be drawn")
        return real(ctx, code, formats)

    monkeypatch.setattr(pack, "pack_document", flaky)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out), "--jobs", "1",
                                       "--formats", "html", "--trust", "X7821", "--trust", "X7107"])
    assert result.exit_code == 1
    assert "the pack of trust X7821 failed: RuntimeError: the chart could not be drawn" in result.output
    trusts = out / QUARTER_DIR / "trusts"
    assert (trusts / "X7107.html").is_file()
    assert not (trusts / "X7821.html").exists()


def _national_recording_pid(*args):
    """The national task, leaving a file named after the process that ran it."""
    import reportgen.release as release

    part = release.__dict__["_real_national_task"](*args)
    (Path(os.environ["REPORTGEN_TEST_PIDS"]) / f"national-{os.getpid()}").touch()
    return part


def _pack_recording_pid(args):
    """A pack task, once the national document is built, leaving a file named after its process."""
    import reportgen.release as release

    pids = Path(os.environ["REPORTGEN_TEST_PIDS"])
    waited = 0
    while not any(pids.glob("national-*")) and waited < 30_000:  # the national worker finishes first
        time.sleep(0.01)
        waited += 1
    (pids / f"pack-{os.getpid()}").touch()
    return release.__dict__["_real_pack_task"](args)


def test_the_national_documents_worker_counts_against_the_memory_limit(tmp_path, monkeypatch):
    """Its peak is reported, and a worker past the limit after the national document builds no pack."""
    import reportgen.release as release

    config = Config.load()
    dataset = load([DATA], config)
    ctx = release.make_context(dataset, config, dataset.latest_quarter)
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("REPORTGEN_TEST_PIDS", str(pids))
    monkeypatch.setattr(release, "WORKER_MEMORY_LIMIT_KB", 1)  # every worker is past it after any task
    monkeypatch.setattr(release, "_real_national_task", release._national_task, raising=False)
    monkeypatch.setattr(release, "_real_pack_task", release._pack_task, raising=False)
    monkeypatch.setattr(release, "_national_task", _national_recording_pid)
    monkeypatch.setattr(release, "_pack_task", _pack_recording_pid)
    report = release.build(ctx, tmp_path / "out", ("html",), trusts=["X7821", "X7107", "X89"], jobs=2)
    assert report.packs == 3 and not report.failures
    assert report.national_peak_kb > 0 and report.worker_peak_kb >= report.national_peak_kb
    national = {p.name.split("-")[1] for p in pids.glob("national-*")}
    packs = {p.name.split("-")[1] for p in pids.glob("pack-*")}
    assert len(national) == 1 and len(packs) == 3  # each worker replaced after its task
    assert not national & packs


def test_no_packs_writes_the_national_document_and_the_site(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out), "--no-packs",
                                       "--formats", "html"])
    assert result.exit_code == 0, result.output
    folder = out / QUARTER_DIR
    assert (folder / "league-tables.html").is_file()
    assert not (folder / "trusts").exists()
    assert "not built" in (folder / "index.html").read_text(encoding="utf-8")


def test_bad_formats_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(tmp_path / "o"),
                                       "--formats", "html,rtf"])
    assert result.exit_code == 2
    assert "--formats 'html,rtf'" in result.output


# ---------------------------------------------------------------------------
# Work done beside the main process before the workers start (release.beside)


def _answer(x):
    return {"pid": os.getpid(), "twice": x * 2}


def _refuse(x):
    from reportgen.errors import InputError

    raise InputError(f"refused {x}")


@pytest.mark.skipif(sys.platform == "win32", reason="beside() runs in the same process where there is no fork")
def test_work_beside_runs_in_another_process_and_returns_its_answer():
    # In a new process, as the command line calls it: with no thread but the main one (earlier tests in this
    # process may leave threads running, and beside() then rightly works in the process itself).
    script = ("import os; from reportgen.release import beside; from tests.test_build import _answer; "
              "got = beside(_answer, 21)(); print(got['twice'], got['pid'] != os.getpid())")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "True"]


def test_an_error_beside_is_raised_where_the_answer_is_asked_for():
    from reportgen.errors import InputError
    from reportgen.release import beside

    wait = beside(_refuse, 7)
    with pytest.raises(InputError, match="refused 7"):
        wait()


@pytest.mark.skipif(sys.platform == "win32", reason="beside() runs in the same process where there is no fork")
def test_work_beside_whose_process_dies_is_done_here_instead():
    from reportgen.release import beside

    calls = []

    def here_or_there(x):
        if calls or os.getpid() != parent:
            os._exit(3)  # the forked process dies without an answer
        calls.append(x)
        return x + 1

    parent = os.getpid()
    assert beside(here_or_there, 1)() == 2
    assert calls == [1]


def test_the_context_is_the_same_whether_the_comparison_is_made_beside_or_here(monkeypatch):
    import pandas as pd

    from reportgen import release

    dataset = load([ROOT / "data"], Config.load())
    quarter = dataset.latest_quarter
    beside_ctx = release.make_context(dataset, dataset.config, quarter)
    monkeypatch.setattr(release, "beside", lambda fn, *args: lambda: fn(*args))
    here_ctx = release.make_context(dataset, dataset.config, quarter)
    pd.testing.assert_frame_equal(beside_ctx.reconciliation.detail, here_ctx.reconciliation.detail)
    assert beside_ctx.reconciliation.detail["figure"].str.contains("within-type").any()


def test_work_beside_is_done_here_while_other_threads_run():
    import threading

    from reportgen.release import beside

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert beside(_answer, 1)()["pid"] == os.getpid()
    finally:
        stop.set()
        other.join()
