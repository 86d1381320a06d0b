"""Incremental builds: a rebuild writes only the files whose inputs changed, and records them all."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.config import DEFAULT_YEAR, YEARS_DIR
from reportgen.incremental import MANIFEST
from reportgen.release import NATIONAL_NAME
from tests.shared_data import ROOT

QUARTER_DIR = "2025-26-q4"
FILES = ("example-ambulance-trust-data.csv", "example-ambulance-trust-league-table.csv")
FORMATS = "html,docx"
pytestmark = pytest.mark.slow


def data_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(ROOT / "data" / name, folder / name)
    return folder


def run(data: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), "--formats", FORMATS,
                                       "--jobs", "2", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``out`` with its inode and modification time: a rewrite changes one of them."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file()}


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def change_x86_value(data: Path) -> None:
    """X86's Q4 Category 2 response time, 37.83 minutes, made 37.91."""
    path = data / FILES[0]
    text = path.read_text(encoding="utf-8-sig")
    row = ("Q4 2025/26,South West,Ambulance trust,Ambulance,X86,Example Brackenwick Ambulance NHS Trust,"
           "Access to services,Urgent and emergency care,OF0017,Average Category 2 ambulance response time,"
           "Q4 2025/26,mins,37.83,")
    assert text.count(row) == 1
    path.write_text(text.replace(row, row.replace("37.83", "37.91")), encoding="utf-8-sig")


@pytest.fixture()
def built(tmp_path):
    data = data_copy(tmp_path / "data")
    out = tmp_path / "out"
    run(data, out)
    return data, out


def test_the_manifest_lists_every_file_of_the_quarter_with_its_sha256(built):
    _, out = built
    folder = out / QUARTER_DIR
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    assert set(manifest["files"]) == on_disk
    assert len([n for n in on_disk if n.startswith("trusts/")]) == 2 * 10  # ten ambulance trusts, two formats
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["bytes"] == len(data)


def test_a_rebuild_with_nothing_changed_writes_nothing(built):
    data, out = built
    before = snapshot(out)
    message = run(data, out)
    assert "Nothing changed" in message
    assert snapshot(out) == before


def test_the_same_inputs_by_another_route_write_no_document(built, tmp_path):
    """A copy of the configuration is another request, so every document's key is checked: none changed."""
    data, out = built
    config = tmp_path / "copy.toml"
    shutil.copyfile(YEARS_DIR / f"{DEFAULT_YEAR}.toml", config)
    before = snapshot(out)
    message = run(data, out, "--config", str(config))
    assert "0 files written" in message
    assert changed(before, snapshot(out)) == {f"{QUARTER_DIR}/{MANIFEST}"}  # it records the new request


def test_force_writes_every_file_again(built):
    data, out = built
    before = snapshot(out)
    run(data, out, "--force")
    after = snapshot(out)
    outputs = {n for n in before if n.startswith(QUARTER_DIR) and not n.endswith(MANIFEST)}
    assert outputs <= changed(before, after)


def test_one_trusts_changed_value_rewrites_its_pack_only(built):
    data, out = built
    change_x86_value(data)
    before = snapshot(out)
    run(data, out)
    # The value appears in X86's pack and in the data downloads that hold every trust's metrics alone: its
    # score, rank and every other trust's figures are as they were.
    downloads = {f"{QUARTER_DIR}/data/{n}" for n in ("2025-26-q4-metrics.csv", "trust-metrics/X86.csv",
                                                     "2025-26-q4-league-tables.xlsx", "2025-26-q4-league-tables.ods")}
    assert changed(before, snapshot(out)) == {f"{QUARTER_DIR}/trusts/X86.html", f"{QUARTER_DIR}/trusts/X86.docx",
                                              f"{QUARTER_DIR}/{MANIFEST}"} | downloads
    assert "37.91" in (out / QUARTER_DIR / "trusts" / "X86.html").read_text(encoding="utf-8")


def test_trust_with_no_national_writes_that_trusts_files_only_and_names_the_data_files_left_out_of_date(built):
    """``--trust X --no-national`` writes X's pack and X's own CSV; the national document and the quarter's
    data files are left as they were, with a warning naming them, and the next whole build writes them."""
    data, out = built
    change_x86_value(data)
    before = snapshot(out)
    output = run(data, out, "--trust", "X86", "--no-national")
    own = {f"{QUARTER_DIR}/trusts/X86.html", f"{QUARTER_DIR}/trusts/X86.docx",
           f"{QUARTER_DIR}/data/trust-metrics/X86.csv"}
    assert changed(before, snapshot(out)) == own | {f"{QUARTER_DIR}/{MANIFEST}"}
    stale = ["data/2025-26-q4-league-tables.ods", "data/2025-26-q4-league-tables.xlsx", "data/2025-26-q4-metrics.csv"]
    warnings = [line for line in output.splitlines() if line.startswith("reportgen: warning: --no-national")]
    assert warnings == [f"reportgen: warning: --no-national left the national document and the quarter's data "
                        f"files as they were, but 3 of those data files ({', '.join(stale)}) no longer match "
                        f"the input: build without --no-national to bring them up to date."]
    # The same request again writes nothing and says so again: it is not "nothing changed".
    before = snapshot(out)
    again = run(data, out, "--trust", "X86", "--no-national")
    assert "Nothing changed" not in again
    assert [line for line in again.splitlines() if line.startswith("reportgen: warning: --no-national")] == warnings
    assert changed(before, snapshot(out)) == set()
    # Their old keys stay in the manifest, so the next whole build writes them, and only them.
    before = snapshot(out)
    assert "warning: --no-national" not in run(data, out)
    assert changed(before, snapshot(out)) == {f"{QUARTER_DIR}/{n}" for n in stale} | {f"{QUARTER_DIR}/{MANIFEST}"}


def test_one_trusts_published_range_rewrites_the_packs_of_its_type_and_the_national_document(built):
    data, out = built
    league = data / FILES[1]
    text = league.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    # The published likely range of X86's average: in the national table, and in the chart of every ambulance
    # trust's pack (each pack charts every trust of its type with its likely range).
    target = [i for i, line in enumerate(lines) if line.startswith("Q4 2025/26,") and ",X86," in line]
    assert len(target) == 1
    cells = lines[target[0]].split(",")
    ranges = [j for j, c in enumerate(cells) if " to " in c]
    cells[ranges[0]] = "1.01 to 3.99"
    lines[target[0]] = ",".join(cells)
    league.write_text("".join(lines), encoding="utf-8-sig")
    before = snapshot(out)
    run(data, out)
    rewritten = changed(before, snapshot(out))
    national = {f"{QUARTER_DIR}/league-tables.html", f"{QUARTER_DIR}/league-tables.docx"}
    pack = {n for n in before if n.startswith(f"{QUARTER_DIR}/trusts/")}  # all ten are ambulance trusts
    assert len(pack) == 2 * 10
    # The quarter's page shows each pack's size, which may or may not change by a whole kilobyte.
    rewritten.discard(f"{QUARTER_DIR}/index.html")
    downloads = {f"{QUARTER_DIR}/data/{n}" for n in ("2025-26-q4-league-ambulance-trust.csv",
                                                     "2025-26-q4-league-tables.xlsx", "2025-26-q4-league-tables.ods")}
    assert rewritten == pack | national | downloads | {f"{QUARTER_DIR}/{MANIFEST}"}


def test_a_file_changed_by_hand_is_written_again(built):
    data, out = built
    pack = out / QUARTER_DIR / "trusts" / "X86.html"
    good = pack.read_bytes()
    pack.write_bytes(good.replace(b"</html>", b"<!-- edited --></html>"))
    before = snapshot(out)
    run(data, out)
    assert changed(before, snapshot(out)) == {f"{QUARTER_DIR}/trusts/X86.html"}
    assert pack.read_bytes() == good


def test_files_a_power_cut_left_short_or_empty_are_written_again(built):
    # a release's files are written without fsync: what a power cut leaves (a file of the right name, cut short
    # or empty) is told from the manifest's size and SHA-256, and written again
    data, out = built
    folder = out / QUARTER_DIR
    cut, empty = folder / "trusts" / "X86.docx", folder / f"{NATIONAL_NAME}.html"
    good = {cut: cut.read_bytes(), empty: empty.read_bytes()}
    cut.write_bytes(good[cut][: len(good[cut]) // 2])
    empty.write_bytes(b"")
    before = snapshot(out)
    run(data, out)
    assert changed(before, snapshot(out)) == {f"{QUARTER_DIR}/trusts/X86.docx", f"{QUARTER_DIR}/{NATIONAL_NAME}.html"}
    assert all(path.read_bytes() == data for path, data in good.items())


def test_a_documents_model_holds_every_field_however_deeply_nested():
    from dataclasses import dataclass, field

    from reportgen.incremental import document_key, document_model

    @dataclass
    class Cell:
        text: str
        value: float
        note: object = None

    @dataclass
    class Doc:
        title: str
        rows: list = field(default_factory=list)
        extra: dict = field(default_factory=dict)

    doc = Doc("T", [(Cell("a", 1.5), Cell("b", float("nan")))], {"k": Cell("c", 0.1, note=("x", 2))})
    model = document_model(doc)
    assert json.loads(model)[0] == "Doc" and "nan" in model and '"note"' in model
    for changed in (Doc("T", [(Cell("a", 1.5), Cell("b", 0.0))], doc.extra),
                    Doc("T", doc.rows, {"k": Cell("c", 0.1, note=("x", 3))}),
                    Doc("T", doc.rows, {"k": Cell("c", 0.1 + 1e-17 + 1e-16, note=("x", 2))})):
        assert document_model(changed) != model
    # the key made from the model in hand is the key made from the document
    assert document_key(doc, "pdf", model) == document_key(doc, "pdf") != document_key(doc, "html", model)


def test_the_key_holds_the_file_size_and_time_of_each_native_library_that_lays_out_or_draws_text():
    # a system update of Pango, HarfBuzz, fontconfig, FreeType or Cairo can change the documents' bytes
    from reportgen.incremental import NATIVE_LIBRARIES, _native_libraries

    entries = _native_libraries()
    assert [e.split(": ", 1)[0] for e in entries] == list(NATIVE_LIBRARIES)
    for entry in entries:
        path, size, mtime = entry.split(": ", 1)[1].rsplit(" ", 2)
        stat = Path(path).stat()
        assert (int(size), int(mtime)) == (stat.st_size, stat.st_mtime_ns), entry
