"""Property-based fault injection: mutations of the real mental health file, fed to the command line.

Each case takes the real file, drops, duplicates or shuffles rows, corrupts
cells, renames headers, changes the encoding and the line ends, or cuts the
file short (one to four of these), and runs ``league`` or ``check`` through the
real command line (click's runner, in-process, with a fresh output folder).
Whatever the input, there is no traceback, the exit code is 0, 1 or 2, and on
exit 2 nothing is written. The run is derandomised, so CI sees the same cases
every time; ``REPORTGEN_FUZZ_CASES`` sets how many (default 500).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli import main
from tests.shared_data import MH_DATA, shared_file

CASES = int(os.environ.get("REPORTGEN_FUZZ_CASES", "500"))
#: Trusts whose rows make up the file each case mutates: a slice of the real file, so a case takes a fraction of
#: a second (the slice keeps every row of these trusts, in the published order).
TRUSTS = 8

HOSTILE_CELLS = ["", " ", "x", "nan", "inf", "-inf", "1e308", "-0", "9.99", "0", "5", "NA", "\x07", "\x00", "\x1b[2J",
                 "=1+1", "@SUM(1)", "../../x", "a/b", "R\u202eYY", "\ufeff", "\u200b", "\"", "a,b", "a\nb", "a\rb",
                 "L" * 400, "Q5 2025/26", "Q1 2025/26", "Yes", "ｒｙｙ", "\ud7ff", "\ufffe"]
ENCODINGS = ["utf-8-sig", "utf-8", "cp1252", "latin-1", "utf-16", "utf-16-le"]
LINE_ENDS = ["\r\n", "\n", "\r"]


def _base() -> tuple[list[str], list[list[str]]]:
    text = shared_file(MH_DATA).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    code = header.index("Trust_code")
    keep = sorted({r[code] for r in body})[:TRUSTS]
    return header, [r for r in body if r[code] in keep]


def _mutations(n_rows: int, n_cols: int):
    row = st.integers(0, n_rows - 1)
    col = st.integers(0, n_cols - 1)
    return st.one_of(
        st.tuples(st.just("drop"), st.lists(row, min_size=1, max_size=50)),
        st.tuples(st.just("duplicate"), st.lists(row, min_size=1, max_size=5)),
        st.tuples(st.just("shuffle"), st.randoms(use_true_random=False)),
        st.tuples(st.just("corrupt"), row, col, st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=12))),
        st.tuples(st.just("rename"), col, st.sampled_from(["lower", "space", "typo", "blank", "dup"])),
        st.tuples(st.just("cut_row"), row, st.integers(0, 16)),
    )


def _apply(header: list[str], rows: list[list[str]], mutation) -> tuple[list[str], list[list[str]]]:
    kind = mutation[0]
    header, rows = list(header), [list(r) for r in rows]
    if kind == "drop":
        gone = set(mutation[1])
        rows = [r for i, r in enumerate(rows) if i not in gone]
    elif kind == "duplicate":
        for i in mutation[1]:
            rows.insert(i, list(rows[i % len(rows)]))
    elif kind == "shuffle":
        mutation[1].shuffle(rows)
    elif kind == "corrupt" and rows:
        _, i, j, value = mutation
        row = rows[i % len(rows)]
        if j < len(row):
            row[j] = value
    elif kind == "rename":
        _, j, how = mutation
        header[j] = {"lower": header[j].lower(), "space": f" {header[j]} ", "typo": header[j][:-1],
                     "blank": "", "dup": header[(j + 1) % len(header)]}[how]
    elif kind == "cut_row" and rows:
        _, i, keep = mutation
        rows[i % len(rows)] = rows[i % len(rows)][:keep]
    return header, rows


def _encode(header, rows, line_end: str, encoding: str, cut: float | None) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=line_end).writerows([header, *rows])
    data = buf.getvalue().encode(encoding, errors="replace")
    if cut is not None:
        data = data[: int(len(data) * cut)]
    return data


def test_mutated_real_files_never_crash_the_command_line():
    header, rows = _base()
    outcomes: Counter[str] = Counter()

    @settings(max_examples=CASES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations=st.lists(_mutations(len(rows), len(header)), min_size=1, max_size=4),
           line_end=st.sampled_from(LINE_ENDS), encoding=st.sampled_from(ENCODINGS),
           cut=st.one_of(st.none(), st.none(), st.none(), st.floats(0.0, 1.0)),
           command=st.sampled_from(["league", "check"]))
    def case(mutations, line_end, encoding, cut, command):
        h, r = header, rows
        for m in mutations:
            h, r = _apply(h, r, m)
        with tempfile.TemporaryDirectory(prefix="reportgen-fuzz-") as tmp:
            folder = Path(tmp)
            data = folder / "in" / "mh.csv"
            data.parent.mkdir()
            data.write_bytes(_encode(h, r, line_end, encoding, cut))
            out = folder / "out" / "result.csv"
            result = CliRunner().invoke(main, [command, "-q", "--data", str(data), "--out", str(out)])
            outcomes[f"{command} exit {result.exit_code}"] += 1
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                f"{type(result.exception).__name__}: {result.exception}")
            assert "Traceback" not in result.output
            assert result.exit_code in (0, 1, 2), result.output
            written = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
            assert not [p for p in written if p.name.startswith(".reportgen-")], written
            if result.exit_code == 2:
                assert written == [Path("in/mh.csv")], (result.output, written)
                assert result.output.startswith("reportgen: error: ") and result.output.count("\n") == 1
            if result.exit_code == 0:
                assert out.is_file()

    case()
    total = sum(outcomes.values())
    print(f"\n{total} mutated files through the command line: " + ", ".join(
        f"{k}: {v}" for k, v in sorted(outcomes.items())))
    assert total >= CASES
    assert outcomes["league exit 0"] + outcomes["check exit 0"] + outcomes["check exit 1"] > 0
    assert outcomes["league exit 2"] + outcomes["check exit 2"] > CASES // 4


pytestmark = pytest.mark.slow
