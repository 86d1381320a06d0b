"""Load stage: reads NHS England's NOF data and league-table CSV files.

Every layout NHS England has used is accepted (with or without a ``Quarter``
column, with or without a byte-order mark, CRLF or LF line ends, any row or
column order). The whole input is checked before anything is computed; the
first problem found stops the run with an ``InputError`` whose message names
the file, the line and the column.

The result is a ``Dataset`` of two tidy frames with lower-case column names:

``metrics``: quarter, region, trust_type, trust_subtype, trust_code,
trust_name, domain, sub_domain, metric_id, metric_description,
reporting_date, units, value, median_value, lower_quartile, upper_quartile,
rank, file, line.

``league``: quarter, region, trust_type, trust_subtype, trust_code,
trust_name, average_score, likely_range_of_average_score, segment, deficit,
rank, likely_range_of_rank, file, line.
"""
from __future__ import annotations

import csv
import difflib
import errno
import io
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import quarters as Q
from .collector import paused
from .config import Config, year_of
from .errors import TRUST_CODE, TRUST_CODE_RULE, ConfigError, InputError

DATA_COLUMNS = (
    "Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain",
    "Sub-domain", "Metric_ID", "Metric_description", "Reporting_date", "Units", "Value",
    "Median_value", "Lower_quartile", "Upper_quartile", "Rank",
)
LEAGUE_COLUMNS = (
    "Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Average_score",
    "Likely_range_of_average_score", "Segment", "Trust_in_financial_deficit", "Rank",
    "Likely_range_of_rank",
)
# The September 2025 (Q1) league table has Reporting_date in place of Quarter.
LEAGUE_COLUMNS_Q1 = tuple("Reporting_date" if c == "Quarter" else c for c in LEAGUE_COLUMNS)

# A folder of invented example data says so with this file; documents built from
# it say they are fictional.
FICTIONAL_MARKER = "FICTIONAL-EXAMPLE-DATA.md"

UTF8_BOM = b"\xef\xbb\xbf"
# Byte-order marks and zero-width characters that some editors leave around a column name.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
# C0 and C1 control characters (tab, line feed and carriage return are allowed in a cell) and non-characters.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")

_NUMERIC_DATA = ("Value", "Median_value", "Lower_quartile", "Upper_quartile", "Rank")
_NUMERIC_LEAGUE = ("Average_score", "Segment", "Rank")


def _snake(column: str) -> str:
    return column.lower().replace("-", "_")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str  # "data" or "league"
    has_quarter: bool
    rows: int
    quarters: tuple[str, ...]
    trust_types: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    metrics: pd.DataFrame
    league: pd.DataFrame
    files: tuple[SourceFile, ...]
    warnings: tuple[str, ...] = field(default=())  # about the input as a whole
    config: Config | None = None  # the year's rules the input was checked against

    def quarter_warnings(self, quarter: str) -> tuple[str, ...]:
        """Warnings about one quarter's figures (trusts scored on far fewer metrics than most)."""
        if self.config is None:
            return ()
        m = self.metrics
        return tuple(_sparse_trust_warnings(m[m["quarter"] == quarter], self.config))

    @property
    def fictional(self) -> bool:
        """True when any input file sits beside the fictional-example-data marker."""
        return any((f.path.parent / FICTIONAL_MARKER).is_file() for f in self.files)

    @cached_property  # the frames are not changed once loaded
    def quarters(self) -> tuple[str, ...]:
        found = set(self.metrics["quarter"].unique()) | set(self.league["quarter"].unique())
        return tuple(sorted(found, key=Q.sort_key))

    @property
    def latest_quarter(self) -> str:
        if not self.quarters:
            raise InputError("the input holds no quarter of data.")
        return self.quarters[-1]

    def trust_types(self, quarter: str) -> tuple[str, ...]:
        m = self.metrics
        return tuple(sorted(set(m.loc[m["quarter"] == quarter, "trust_type"])))


# ---------------------------------------------------------------------------
# Finding files


def _what_is(p: Path) -> str:
    """"folder" or "file", or raise ``InputError`` saying in one sentence what ``p`` is instead."""
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        if p.is_symlink():
            raise InputError(f"{p}: a symbolic link to {os.readlink(p)}, which does not exist.") from None
        raise InputError(f"{p}: no such file or folder.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{p}: a symbolic link that leads back to itself (a loop), not a file.") from None
        raise InputError(f"{p}: cannot read it ({exc.strerror}).") from None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode):
        raise InputError(f"{p}: a named pipe, not a file; give the CSV file itself.")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(f"{p}: a device, not a file; give the CSV file itself.")
    raise InputError(f"{p}: not a regular file; give the CSV file itself.")


def _is_csv_file(x: Path) -> bool:
    if x.suffix.lower() != ".csv":
        return False
    try:
        return stat.S_ISREG(x.stat().st_mode)
    except PermissionError as exc:
        raise InputError(f"{x}: cannot read it ({exc.strerror}).") from None
    except OSError:  # a dangling link, a loop: not a file to read
        return False


def find_csv_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into a sorted list of CSV files."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if _what_is(p) == "folder":
            try:
                entries = list(p.iterdir())
            except OSError as exc:
                raise InputError(f"{p}: cannot read the folder ({exc.strerror}).") from None
            found = sorted(x for x in entries if _is_csv_file(x))
            if not found:
                raise InputError(f"{p}: the folder holds no .csv file.")
            out.extend(found)
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(p)
    return unique


# ---------------------------------------------------------------------------
# Reading one file


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from None
    if not raw.strip():
        raise InputError(f"{path}: the file is empty.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{path}: UTF-16 text (it starts with a UTF-16 byte-order mark) that is not "
                             f"valid UTF-16; save it again as UTF-8.") from None
    head = raw[:4096]
    if b"\x00" in head:
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise InputError(f"{path}: UTF-16 text without a byte-order mark; save it as UTF-8.")
        raise InputError(f"{path}: not a CSV text file (it holds binary data).")
    if raw.startswith(UTF8_BOM):
        try:
            return raw[len(UTF8_BOM):].decode("utf-8")
        except UnicodeDecodeError as exc:
            at = exc.start + len(UTF8_BOM)
            raise InputError(
                f"{path}, line {_line_of(raw, at)}: byte 0x{raw[at]:02X} is not UTF-8 text, "
                f"though the file starts with a UTF-8 byte-order mark."
            ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}, line {_line_of(raw, exc.start)}: byte 0x{raw[exc.start]:02X} is "
                f"not UTF-8 or Windows-1252 text."
            ) from None


def _identify(path: Path, header: list[str]) -> tuple[str, tuple[str, ...]]:
    """Which layout a header belongs to; raises on a missing or misspelt column."""
    hs = set(header)
    candidates = [
        ("data", DATA_COLUMNS),
        ("data", tuple(c for c in DATA_COLUMNS if c != "Quarter")),
        ("league", LEAGUE_COLUMNS),
        ("league", LEAGUE_COLUMNS_Q1),
    ]
    for kind, cols in candidates:
        if set(cols) <= hs:
            return kind, cols
    # Not an exact layout: pick the closest to name what is wrong.
    best_kind, best_cols = max(candidates, key=lambda kc: len(set(kc[1]) & hs))
    overlap = len(set(best_cols) & hs)
    by_case = {h.lower(): h for h in header}
    recased = [(by_case[c.lower()], c) for c in best_cols if c not in hs and c.lower() in by_case]
    if overlap < len(best_cols) / 2 <= overlap + len(recased):
        found, wanted = recased[0]
        raise InputError(
            f"{path}, line 1: column names must be written as NHS England writes them: "
            f"found '{found}' for '{wanted}'."
        )
    if overlap < len(best_cols) / 2:
        raise InputError(
            f"{path}, line 1: not an NHS Oversight Framework data or league-table file "
            f"(its header has none of the expected columns, such as Trust_code, Metric_ID or Average_score)."
        )
    missing = [c for c in best_cols if c not in hs]
    extra = [c for c in header if c not in set(DATA_COLUMNS) | set(LEAGUE_COLUMNS_Q1) | set(LEAGUE_COLUMNS)]
    hints = []
    for m in missing:
        close = difflib.get_close_matches(m, extra, n=1, cutoff=0.6)
        hints.append(f"'{m}'" + (f" (found '{close[0]}')" if close else ""))
    what = "data file" if best_kind == "data" else "league-table file"
    expected = ", ".join(c for c in best_cols)
    plural = "s are" if len(missing) > 1 else " is"
    raise InputError(
        f"{path}, line 1: column{plural} missing: {', '.join(hints)}; an NHS Oversight Framework "
        f"{what} has the columns {expected}."
    )


def _header_name(column: str) -> str:
    return column.strip().strip(INVISIBLE).strip()


def _records(path: Path, text: str) -> tuple[list[str], list[list[str]], np.ndarray]:
    """The header, the rows, and the physical line each row ends on (1 = the header).

    Every row must have exactly as many fields as the header: a row cut short
    (a truncated file) or with an extra field is bad input. Blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    kept: dict[str, str] = {}
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError(f"{path}: the file is empty.")
        if len(header) == 1:
            for sep, name in ((";", "semicolons"), ("\t", "tabs")):
                if sep in header[0]:
                    raise InputError(
                        f"{path}, line 1: the columns are separated by {name}; NHS England's files are "
                        f"separated by commas (save the file again as CSV, comma-separated)."
                    )
        width = len(header)
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                what = "cut short" if len(row) < width else "longer than the header"
                raise InputError(
                    f"{path}, line {reader.line_num}: the row has {len(row)} field{'s' if len(row) != 1 else ''} "
                    f"but the header has {width} (the row is {what})."
                )
            # One str object for each distinct text: a file repeats a few hundred names, codes and labels on
            # tens of thousands of rows. Kept once, the data take a fifth of the memory every worker process
            # inherits, and comparing and hashing them (str caches its hash) is quicker in every step after.
            rows.append([kept.setdefault(c, c) for c in row])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError(f"{path}, line {reader.line_num}: not a readable CSV file ({exc}).") from None
    return [_header_name(h) for h in header], rows, np.array(lines, dtype=int)


def _check_characters(path: Path, frame: pd.DataFrame, lines: np.ndarray, columns) -> None:
    """No cell holds a control character or a non-character: no document format can carry one."""
    for column in columns:
        if not _FORBIDDEN.search("\n".join(frame[column].tolist())):  # the usual case: one search of the column
            continue
        bad = frame[column].str.contains(_FORBIDDEN, regex=True)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            value = frame[column].iloc[i]
            found = _FORBIDDEN.search(value)
            code = ord(found.group(0)) if found else 0
            shown = value if len(value) <= 60 else value[:60] + "..."
            raise InputError(
                f"{path}, line {lines[i]}, column {column}: '{shown}' holds the control character "
                f"U+{code:04X}, which no document can show; remove it."
            )


def _read_frame(path: Path) -> tuple[str, tuple[str, ...], pd.DataFrame, np.ndarray]:
    text = _read_text(path)
    header, rows, lines = _records(path, text)
    repeated = [c for c, n in Counter(header).items() if n > 1 and c]
    if repeated:
        raise InputError(f"{path}, line 1: the column {repeated[0]} appears more than once in the header.")
    kind, cols = _identify(path, header)
    if not rows:
        raise InputError(f"{path}: the file has a header but no rows.")
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    _check_characters(path, frame, lines, cols)
    return kind, cols, frame, lines


def _numeric(path: Path, frame: pd.DataFrame, lines: np.ndarray, column: str) -> pd.Series:
    text = frame[column].str.strip()
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = values.isna() & (text != "")
    infinite = np.isinf(values.to_numpy())
    if bad.any() or infinite.any():
        i = int(np.flatnonzero(bad.to_numpy() | infinite)[0])
        what = "a finite number" if infinite[i] else "a number"
        raise InputError(
            f"{path}, line {lines[i]}, column {column}: '{frame[column].iloc[i]}' is not {what}."
        )
    return values


def _fail_at(path: Path, lines: np.ndarray, mask: pd.Series, column: str, message) -> None:
    if mask.any():
        i = int(np.flatnonzero(mask.to_numpy())[0])
        raise InputError(f"{path}, line {lines[i]}, column {column}: {message(i)}")


def _check_text(path, frame, lines, column) -> None:
    _fail_at(path, lines, frame[column].str.strip() == "", column, lambda i: "the value is blank.")


def _check_codes(path, frame, lines) -> None:
    """Trust codes name files: only a plain code is accepted, the same rule as --trust."""
    codes = frame["Trust_code"].str.strip()
    _fail_at(
        path, lines, ~codes.map(lambda c: TRUST_CODE.fullmatch(c) is not None).astype(bool), "Trust_code",
        lambda i: f"'{codes.iloc[i]}' is not a trust code ({TRUST_CODE_RULE}).",
    )


def _trust_types(path, frame, lines, config: Config) -> pd.Series:
    types = frame["Trust_type"].str.strip()
    canonical = types.map(config.type_aliases)
    accepted = ", ".join(f"'{t}'" for t in config.type_aliases)
    _fail_at(
        path, lines, canonical.isna(), "Trust_type",
        lambda i: f"'{types.iloc[i]}' is not a known trust type (expected one of {accepted}).",
    )
    return canonical


def _quarters(path, frame, lines, config, has_quarter: bool, quarter: str | None, column: str) -> pd.Series:
    if has_quarter:
        raw = frame[column].str.strip()
        norm = raw.map(lambda s: Q.normalise(s))
        known = set(config.quarters)
        _fail_at(
            path, lines, norm.isna() | ~norm.isin(known), column,
            lambda i: f"'{raw.iloc[i]}' is not a quarter of the {config.title} "
            f"(expected one of {', '.join(config.quarters)}).",
        )
        return norm
    if quarter is None:
        raise InputError(
            f"{path}: the file has no Quarter column (the September 2025 layout), so the quarter "
            f"it holds must be given with --quarter, for example --quarter \"{config.quarters[0]}\"."
        )
    return pd.Series(quarter, index=frame.index)


def _check_stated_quarter(path, frame, lines, quarter: str | None) -> None:
    """A quarterless file's summary rows name their quarter in Reporting_date: it must agree."""
    if "Reporting_date" not in frame:
        return
    stated = frame["Reporting_date"].map(lambda s: Q.normalise(s))
    wrong = stated.notna() & (stated != quarter)
    if "Metric_ID" in frame:
        wrong &= frame["Metric_ID"].str.startswith(("OF4", "OF5"))
    _fail_at(
        path, lines, wrong, "Reporting_date",
        lambda i: f"the file says its figures are for {stated.iloc[i]}, but --quarter asks for {quarter}.",
    )


def _read_data(path, frame, lines, cols, config: Config, quarter: str | None) -> pd.DataFrame:
    has_quarter = "Quarter" in cols
    for column in ("Trust_code", "Trust_name", "Metric_ID", "Units"):
        _check_text(path, frame, lines, column)
    _check_codes(path, frame, lines)
    q = _quarters(path, frame, lines, config, has_quarter, quarter, "Quarter")
    if not has_quarter:
        _check_stated_quarter(path, frame, lines, quarter)
    types = _trust_types(path, frame, lines, config)
    out = pd.DataFrame({"quarter": q})
    for c in DATA_COLUMNS[1:]:
        out[_snake(c)] = frame[c].str.strip() if c not in _NUMERIC_DATA else _numeric(path, frame, lines, c)
    out["trust_type"] = types
    out["file"] = str(path)
    out["line"] = lines
    _check_data_values(path, out, lines, config)
    return out


def _check_data_values(path, out: pd.DataFrame, lines, config: Config) -> None:
    ids = out["metric_id"]
    value = out["value"]
    lo, hi = config.score_range
    s = config.summary_ids
    is_score = ids.str.startswith(config.score_prefix) | ids.isin([d.score_id for d in config.domains])
    is_score |= ids == s["average"]
    _fail_at(
        path, lines, is_score & value.notna() & ((value < lo) | (value > hi)), "Value",
        lambda i: f"the score {value.iloc[i]:g} for {ids.iloc[i]} is outside {lo:g} to {hi:g}.",
    )
    segment_ids = [d.segment_id for d in config.domains] + [s["unadjusted_segment"], s["adjusted_segment"]]
    top = config["recovery_support"]["segment"]
    for ids_set, top_segment in ((segment_ids, 4), ([s["final_segment"]], top)):
        seg = ids.isin(ids_set) & value.notna()
        _fail_at(
            path, lines, seg & ~value.isin(range(1, top_segment + 1)), "Value",
            lambda i, t=top_segment: (
                f"the segment {value.iloc[i]:g} for {ids.iloc[i]} is not a whole number from 1 to {t}."
            ),
        )
    flags = ids.isin([s["deficit"], s["recovery_flag"]]) & value.notna()
    _fail_at(
        path, lines, flags & ~value.isin([0, 1]), "Value",
        lambda i: f"the flag {value.iloc[i]:g} for {ids.iloc[i]} is not 0 or 1.",
    )
    key = ["trust_code", "quarter", "metric_id", "units"]
    dup = out.duplicated(key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        row = out.iloc[i]
        first = out[(out[key] == row[key]).all(axis=1)].iloc[0]
        raise InputError(
            f"{path}, line {lines[i]}, column Metric_ID: a second row for trust {row.trust_code}, "
            f"{row.quarter}, metric {row.metric_id} in units '{row.units}' (the first is at line {first.line})."
        )
    domains = {d.name for d in config.domains}
    scored = ids.str.startswith(config.score_prefix)
    _fail_at(
        path, lines, scored & ~out["domain"].isin(domains), "Domain",
        lambda i: f"'{out['domain'].iloc[i]}' is not a scored domain of the {config.title} "
        f"(expected one of {', '.join(sorted(domains))}).",
    )


def _read_league(path, frame, lines, cols, config: Config, quarter: str | None) -> pd.DataFrame:
    has_quarter = "Quarter" in cols
    for column in ("Trust_code", "Trust_name"):
        _check_text(path, frame, lines, column)
    _check_codes(path, frame, lines)
    qcol = "Quarter" if has_quarter else "Reporting_date"
    stated = frame[qcol].map(lambda s: Q.normalise(s))
    if not has_quarter and stated.notna().all() and quarter is None:
        has_quarter = True  # the Q1 layout names the quarter in Reporting_date
    if not has_quarter and quarter is not None:
        _check_stated_quarter(path, frame, lines, quarter)
    q = _quarters(path, frame, lines, config, has_quarter, quarter, qcol)
    types = _trust_types(path, frame, lines, config)
    out = pd.DataFrame({"quarter": q})
    for c in LEAGUE_COLUMNS[1:]:
        out[_snake(c)] = frame[c].str.strip() if c not in _NUMERIC_LEAGUE else _numeric(path, frame, lines, c)
    out["trust_type"] = types
    lo, hi = config.score_range
    avg = out["average_score"]
    _fail_at(
        path, lines, avg.notna() & ((avg < lo) | (avg > hi)), "Average_score",
        lambda i: f"the score {avg.iloc[i]:g} is outside {lo:g} to {hi:g}.",
    )
    seg = out["segment"]
    top = config["recovery_support"]["segment"]
    _fail_at(
        path, lines, seg.notna() & ~seg.isin(range(1, top + 1)), "Segment",
        lambda i: f"the segment {seg.iloc[i]:g} is not a whole number from 1 to {top}.",
    )
    flag = out.pop("trust_in_financial_deficit").str.strip().str.lower()
    _fail_at(
        path, lines, ~flag.isin(["yes", "no"]), "Trust_in_financial_deficit",
        lambda i: f"'{frame['Trust_in_financial_deficit'].iloc[i]}' is not Yes or No.",
    )
    out["deficit"] = flag == "yes"
    dup = out.duplicated(["trust_code", "quarter"], keep="first")
    _fail_at(
        path, lines, dup, "Trust_code",
        lambda i: f"a second row for trust {out['trust_code'].iloc[i]} in {out['quarter'].iloc[i]}.",
    )
    out["file"] = str(path)
    out["line"] = lines
    return out


# ---------------------------------------------------------------------------
# The whole input


def _drop_restated(frames: list[pd.DataFrame], notes: list[str]) -> pd.DataFrame:
    """Where files overlap on (trust type, quarter), keep the later publication's rows.

    A later publication holds every quarter to date and may restate earlier
    ones; the file whose latest quarter is later wins. Two files of the same
    publication holding the same quarter are ambiguous and refused.
    """
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    latest = {f["file"].iloc[0]: max(f["quarter"].unique(), key=Q.sort_key) for f in frames}
    owners: dict[tuple[str, str], str] = {}
    restated: dict[tuple[str, str, str], list[str]] = {}
    for f in frames:
        name = f["file"].iloc[0]
        for key in f[["trust_type", "quarter"]].drop_duplicates().itertuples(index=False):
            key = tuple(key)
            other = owners.get(key)
            if other is None:
                owners[key] = name
                continue
            a, b = Q.sort_key(latest[other]), Q.sort_key(latest[name])
            if a == b:
                raise InputError(
                    f"{name}: holds {key[1]} figures for {key[0].lower()}s that {other} also holds; "
                    f"give only one of the two files."
                )
            winner = name if b > a else other
            restated.setdefault((winner, other if winner == name else name, key[0]), []).append(key[1])
            owners[key] = winner
    for (winner, loser, trust_type), quarters in restated.items():
        listed = ", ".join(sorted(set(quarters), key=Q.sort_key))
        notes.append(f"{listed} {trust_type.lower()} figures are taken from {winner}, the later publication "
                     f"(it restates {loser}).")
    kept = []
    for f in frames:
        name = f["file"].iloc[0]
        own = [key for key, owner in owners.items() if owner == name]
        kept.append(f[pd.MultiIndex.from_arrays([f["trust_type"], f["quarter"]]).isin(own)])
    return pd.concat(kept, ignore_index=True)


def _check_identity(metrics: pd.DataFrame, league: pd.DataFrame) -> None:
    """One trust code has one type and one name in a quarter, across all files."""
    both = pd.concat(
        [metrics[["quarter", "trust_code", "trust_type", "trust_name", "file", "line"]],
         league[["quarter", "trust_code", "trust_type", "trust_name", "file", "line"]]],
        ignore_index=True,
    )
    for column, what in (("trust_type", "type"), ("trust_name", "name")):
        firsts = both.drop_duplicates(["quarter", "trust_code", column])
        clash = firsts.duplicated(["quarter", "trust_code"], keep="first")
        if clash.any():
            row = firsts[clash].iloc[0]
            first = firsts[(firsts.quarter == row.quarter) & (firsts.trust_code == row.trust_code)].iloc[0]
            col = "Trust_type" if column == "trust_type" else "Trust_name"
            raise InputError(
                f"{row.file}, line {row.line}, column {col}: trust {row.trust_code} has the {what} "
                f"'{row[column]}' in {row.quarter}, but '{first[column]}' at {first.file}, line {first.line}."
            )


def _sparse_trust_warnings(metrics: pd.DataFrame, config: Config) -> list[str]:
    """One warning per quarter and trust type naming the trusts scored on far fewer metrics than most."""
    scored = metrics[metrics["metric_id"].str.startswith(config.score_prefix)]
    counts = scored.groupby(["quarter", "trust_type", "trust_code", "trust_name"])["metric_id"].nunique()
    out = []
    for (quarter, ttype), group in counts.groupby(level=[0, 1]):
        typical = int(group.median())
        few = [(code, name, n) for (_, _, code, name), n in group.items() if n < 0.75 * typical]
        if not few:
            continue
        listed = "; ".join(f"{name} ({code}) has {n}" for code, name, n in few)
        out.append(
            f"{quarter}: {len(few)} of the {len(group)} {config.plural(ttype)} have fewer scored metrics than most "
            f"({typical}), so their averages rest on fewer scores: {listed}."
        )
    return out


def _quarter_labels(frames: list[tuple[str, tuple[str, ...], pd.DataFrame]], quarter: str | None) -> set[str]:
    """The quarter labels the input names in its Quarter columns, or else --quarter."""
    labels: set[str] = set()
    for _, cols, frame in frames:
        if "Quarter" in cols:
            labels |= set(frame["Quarter"].dropna().str.strip().unique())
    if not labels and quarter:
        labels.add(quarter)
    return labels


def load(paths: Iterable[str | Path] | str | Path, config: Config | None = None,
         quarter: str | None = None) -> Dataset:
    """Read and check every file; raise ``InputError`` on the first problem.

    Without ``config``, the year's rules are chosen from the quarter labels in
    the data (``Config.for_quarters``). The cycle collector is paused meanwhile (``reportgen.collector``).
    """
    with paused():
        return _load(paths, config, quarter)


def _load(paths: Iterable[str | Path] | str | Path, config: Config | None, quarter: str | None) -> Dataset:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = find_csv_files(paths)
    if not files:
        raise InputError("no input files were given.")
    read = [(path, *_read_frame(path)) for path in files]
    labels = _quarter_labels([(k, c, f) for _, k, c, f, _ in read], quarter)
    if config is None:
        config = Config.for_quarters(labels)
    else:
        years = sorted({y for y in map(year_of, labels) if y})
        if years and config.year not in years:
            raise ConfigError(f"{config.path}: holds the rules of {config.year}, but the input holds quarters of "
                              f"{' and '.join(years)}: give that year's configuration, or leave out --config.")
    if quarter is not None:
        norm = Q.normalise(quarter)
        if norm is None or norm not in config.quarters:
            raise InputError(
                f"--quarter '{quarter}' is not a quarter of the {config.title} "
                f"(expected one of {', '.join(config.quarters)})."
            )
        quarter = norm
    data_frames: list[pd.DataFrame] = []
    league_frames: list[pd.DataFrame] = []
    sources = []
    for path, kind, cols, frame, lines in read:
        reader = _read_data if kind == "data" else _read_league
        tidy = reader(path, frame, lines, cols, config, quarter)
        (data_frames if kind == "data" else league_frames).append(tidy)
        sources.append(SourceFile(
            path=path, kind=kind, has_quarter="Quarter" in cols, rows=len(tidy),
            quarters=tuple(sorted(set(tidy["quarter"]), key=Q.sort_key)),
            trust_types=tuple(sorted(set(tidy["trust_type"]))),
        ))
    del read
    notes: list[str] = []
    metrics = _drop_restated(data_frames, notes)
    league = _drop_restated(league_frames, notes)
    if metrics.empty:
        metrics = pd.DataFrame(columns=["quarter"] + [_snake(c) for c in DATA_COLUMNS[1:]] + ["file", "line"])
    if league.empty:
        league_columns = [_snake(c) for c in LEAGUE_COLUMNS[1:] if c != "Trust_in_financial_deficit"]
        league = pd.DataFrame(columns=["quarter", *league_columns, "deficit", "file", "line"])
    _check_identity(metrics, league)
    if not data_frames:
        raise InputError(
            f"{files[0]}: only league-table files were given; reportgen needs the matching data file "
            f"(nhs-oversight-framework-...-trust-data.csv) to compute the tables."
        )
    return Dataset(metrics=metrics, league=league, files=tuple(sources), warnings=tuple(notes), config=config)
