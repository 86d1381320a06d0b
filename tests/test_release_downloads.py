"""The data downloads are written by a worker process while the others build the packs: the same files as a
build in one process, written atomically, and an error or a dying worker there still leaves no partial file."""
from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

import reportgen.release as release
from reportgen.config import Config
from reportgen.downloads import DATA_DIR
from reportgen.incremental import MANIFEST
from reportgen.load import load
from reportgen.outputs import TMP_PREFIX
from tests.shared_data import ROOT

DATA = ROOT / "data"
QUARTER_DIR = "2025-26-q4"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ctx():
    config = Config.load()
    dataset = load([DATA], config)
    return release.make_context(dataset, config, dataset.latest_quarter)


@pytest.fixture(scope="module")
def codes(ctx):
    t = ctx.result.trusts
    return [c for ttype in ctx.result.trust_types for c in list(t.trust_code[t.trust_type == ttype])[:4]]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_worker_writes_the_downloads_and_they_are_those_of_a_one_process_build(ctx, codes, tmp_path,
                                                                                    monkeypatch):
    serial = release.build(ctx, tmp_path / "serial", ("html",), trusts=codes, jobs=1)
    writers = tmp_path / "writers"
    real = release.write_downloads

    def recorded(*args, **kw):
        with writers.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(*args, **kw)

    monkeypatch.setattr(release, "write_downloads", recorded)
    report = release.build(ctx, tmp_path / "workers", ("html",), trusts=codes, jobs=2)
    assert not report.failures and not report.stopped
    pids = writers.read_text().split()
    assert len(pids) == 1 and pids[0] != str(os.getpid())  # written once, by a worker process
    assert "downloads" in report.seconds and "downloads cpu" in report.seconds
    a, b = files(tmp_path / "serial" / QUARTER_DIR / DATA_DIR), files(tmp_path / "workers" / QUARTER_DIR / DATA_DIR)
    assert a and a == b
    assert {n for n in serial.outputs if n.startswith(f"{DATA_DIR}/")} == \
        {n for n in report.outputs if n.startswith(f"{DATA_DIR}/")}
    assert (tmp_path / "workers" / QUARTER_DIR / MANIFEST).is_file()
    assert not list((tmp_path / "workers").rglob(f"{TMP_PREFIX}*"))
    # the site lists the downloads with their sizes, as in a one-process build
    assert (tmp_path / "serial" / QUARTER_DIR / "index.html").read_bytes() == \
        (tmp_path / "workers" / QUARTER_DIR / "index.html").read_bytes()


def test_an_error_in_the_downloads_stops_the_workers_and_leaves_no_partial_file(ctx, tmp_path, monkeypatch):
    main = os.getpid()
    real = release.write_downloads

    def failing(c, folder, ledger=None):
        if os.getpid() == main:
            return real(c, folder, ledger)
        data = Path(folder) / DATA_DIR
        data.mkdir(parents=True, exist_ok=True)
        # a file cut short as a killed write would leave it, then the error
        (data / f"{TMP_PREFIX}{os.getpid()}-cut.tmp").write_bytes(b"Trust_code,Val")
        raise OSError(28, "No space left on device", str(data / "2025-26-q4-metrics.csv"))

    monkeypatch.setattr(release, "write_downloads", failing)
    out = tmp_path / "out"
    codes = list(ctx.result.trusts.trust_code)
    with pytest.raises(OSError, match="No space left on device"):
        release.build(ctx, out, ("html",), trusts=codes, jobs=2)
    assert not multiprocessing.active_children()  # the workers were stopped
    folder = out / QUARTER_DIR
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    assert not (folder / MANIFEST).exists()
    packs = list((folder / "trusts").glob("*.html"))
    assert len(packs) < len(codes)  # stopped, not finished
    assert all(p.read_bytes().rstrip().endswith(b"</html>") for p in packs)


def test_a_worker_dying_while_writing_the_downloads_stops_the_build_and_they_are_written_all_the_same(
        ctx, codes, tmp_path, monkeypatch):
    main = os.getpid()
    real = release.write_downloads

    def dying(c, folder, ledger=None):
        if os.getpid() != main:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(c, folder, ledger)

    monkeypatch.setattr(release, "write_downloads", dying)
    out = tmp_path / "out"
    report = release.build(ctx, out, ("html",), trusts=codes, jobs=2)
    assert report.stopped and "while writing the data downloads" in report.stopped
    assert "killed by SIGKILL" in report.stopped
    assert not multiprocessing.active_children()
    expected = files(release.build(ctx, tmp_path / "serial", ("html",), trusts=codes, jobs=1,
                                   national=False).out_dir / DATA_DIR)
    assert files(out / QUARTER_DIR / DATA_DIR) == expected
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    assert (out / QUARTER_DIR / "index.html").is_file()


def test_the_national_pdf_is_one_job_and_its_other_formats_another():
    assert release.national_parts(("html", "pdf", "docx")) == [("pdf",), ("html", "docx")]
    assert release.national_parts(("pdf",)) == [("pdf",)]
    assert release.national_parts(("html", "docx")) == [("html", "docx")]


def test_the_national_document_made_in_two_jobs_is_the_one_made_in_one(ctx, codes, tmp_path):
    formats = ("html", "pdf")
    one = release.build(ctx, tmp_path / "one", formats, trusts=codes[:1], jobs=1)
    two = release.build(ctx, tmp_path / "two", formats, trusts=codes[:1], jobs=2)
    assert not two.failures and not two.stopped
    for fmt in formats:
        name = f"league-tables.{fmt}"
        assert (one.out_dir / name).read_bytes() == (two.out_dir / name).read_bytes(), name
        assert two.outputs[name].written
        assert f"national {fmt} cpu" in two.seconds
    manifest_one = (one.out_dir / MANIFEST).read_text(encoding="utf-8")
    assert manifest_one == (two.out_dir / MANIFEST).read_text(encoding="utf-8")


def _national_document_counted(*args, **kwargs):
    """The national document's content, leaving a file for each time it is made, in whichever process."""
    marks = Path(os.environ["REPORTGEN_TEST_MARKS"])
    (marks / f"{os.getpid()}-{len(list(marks.iterdir()))}").touch()
    return release.__dict__["_real_national_document"](*args, **kwargs)


def test_the_national_documents_content_is_made_once_for_its_two_jobs(ctx, codes, tmp_path, monkeypatch):
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("REPORTGEN_TEST_MARKS", str(marks))
    monkeypatch.setattr(release, "_real_national_document", release.national_document, raising=False)
    monkeypatch.setattr(release, "national_document", _national_document_counted)
    report = release.build(ctx, tmp_path / "out", ("html", "pdf", "docx"), trusts=codes[:2], jobs=2)
    assert not report.failures and not report.stopped
    assert len(list(marks.iterdir())) == 1
    for fmt in ("html", "pdf", "docx"):
        assert report.outputs[f"league-tables.{fmt}"].written and f"national {fmt} cpu" in report.seconds
    assert "national content cpu" in report.seconds
