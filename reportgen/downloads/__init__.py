"""Data downloads: every league table and metric of a quarter as CSV files and as one
accessible spreadsheet (XLSX and ODS), written once per quarter into ``<quarter>/data/``.

``write_downloads`` writes them; ``listing`` names them, with their format and
size, for the site and the documents that link them. File names come from the
quarter and the configured trust types, never from the data, except each
trust's own CSV, named by its checked trust code.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..outputs import inside
from ..quarters import slug as quarter_slug
from . import columns as C

DATA_DIR = "data"
TRUSTS_DIR = "trust-metrics"  # not "trusts", the packs folder's name
_TRUST_CODE = re.compile(r"^[A-Z0-9]{3,5}$")


@dataclass(frozen=True)
class Download:
    name: str  # the file's name inside DATA_DIR
    title: str  # what it holds, for a link's text
    fmt: str  # "CSV", "XLSX" or "ODS"
    size: int = 0  # bytes; 0 when not written

    @property
    def href(self) -> str:
        """Its address relative to the quarter's folder."""
        return f"{DATA_DIR}/{self.name}"


def _type_slug(trust_type: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", trust_type.lower()))


def planned(quarter: str, trust_types, plural) -> list[tuple[Download, dict[str, str] | None]]:
    """Every quarter file, with its columns' descriptions (None for the spreadsheets)."""
    s = quarter_slug(quarter)
    out: list[tuple[Download, dict[str, str] | None]] = [
        (Download(f"{s}-league-{_type_slug(t)}.csv", f"League table of {plural(t)}", "CSV"), C.LEAGUE)
        for t in trust_types]
    out += [
        (Download(f"{s}-domains.csv", "Service (domain) league tables", "CSV"), C.DOMAINS),
        (Download(f"{s}-metrics.csv", "Every trust's metrics", "CSV"), C.METRICS),
        (Download(f"{s}-comparison.csv", "Comparison with NHS England's published figures", "CSV"), C.COMPARISON),
        (Download(f"{s}-comparison-summary.csv", "Comparison with NHS England's published figures: counts",
                  "CSV"), C.COMPARISON_SUMMARY),
        (Download(f"{s}-data-dictionary.csv", "Data dictionary: what each column holds", "CSV"), C.DICTIONARY),
        (Download(f"{s}-league-tables.xlsx", "All the tables in one spreadsheet", "XLSX"), None),
        (Download(f"{s}-league-tables.ods", "All the tables in one spreadsheet", "ODS"), None),
    ]
    return out


def listing(ctx, folder: Path) -> list[Download]:
    """The quarter's downloads with the size of each file written in ``folder`` (0 if absent)."""
    out = []
    for d, _ in planned(ctx.quarter, ctx.result.trust_types, ctx.config.plural):
        path = Path(folder) / DATA_DIR / d.name
        out.append(Download(d.name, d.title, d.fmt, path.stat().st_size if path.is_file() else 0))
    return out


def trust_csv(code: str) -> str | None:
    """A trust's own CSV (its rows of the metrics file), relative to the quarter's folder; None for a code
    that is not a plain trust code, which never becomes a file name."""
    return f"{DATA_DIR}/{TRUSTS_DIR}/{code}.csv" if _TRUST_CODE.fullmatch(str(code)) else None


def data_folders(folder: Path) -> tuple[Path, ...]:
    """The folders the downloads are written in, inside the quarter's ``folder``."""
    return (Path(folder) / DATA_DIR, Path(folder) / DATA_DIR / TRUSTS_DIR)


def spreadsheet_key(book) -> str:
    """The key of the spreadsheets: every field of the workbook, its tables' cells, and what writes them.

    Known before the files are made, so unchanged spreadsheets are not even made again."""
    from importlib.metadata import version

    from ..incremental import environment_key

    h = hashlib.sha256()
    parts = [environment_key(), f"gptables {version('gptables')}", f"xlsxwriter {version('xlsxwriter')}",
             book.title, *book.intro, *book.about, *book.contact, book.subject, *book.keywords,
             book.created.isoformat()]
    for sheet in book.sheets:
        parts += [sheet.name, sheet.table_name, sheet.title, *sheet.subtitles, repr(sorted(sheet.formats.items())),
                  repr(sheet.links), sheet.frame.to_csv(index=False, lineterminator="\n")]
    for part in parts:
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def write_downloads(ctx, folder: Path, ledger=None) -> dict:
    """Write the quarter's CSV files, data dictionary, spreadsheets and per-trust CSV files.

    Returns each file as ``{name inside the quarter's folder: incremental.Output}``. With a ``ledger``
    (``incremental.Ledger`` of the quarter's folder), a file that would not change is left as it is."""
    from ..csvsafe import csv_text, safe_frame, whole_numbers
    from ..incremental import Ledger, bytes_key
    from .csvfiles import dictionary_frame
    from .ods import write_ods
    from .spreadsheet import workbook
    from .tables import build_tables
    from .xlsx import write_xlsx

    ledger = ledger if ledger is not None else Ledger(Path(folder), force=True)
    inside(Path(folder), DATA_DIR)  # the data folder lies inside the quarter's folder
    tables = build_tables(ctx)
    plan = planned(ctx.quarter, ctx.result.trust_types, ctx.config.plural)
    frames = [*tables.leagues.values(), tables.domains, tables.metrics, tables.comparison,
              tables.comparison_summary]
    csvs = [(d, described) for d, described in plan if described is not None]
    dictionary = dictionary_frame({d.name: described for d, described in csvs})
    frames.append(dictionary)
    outputs = {}

    def put(name: str, text: str) -> None:
        outputs[name] = ledger.produce(name, bytes_key(text), lambda: text)

    for (d, _), frame in zip(csvs, frames):
        put(d.href, "\ufeff" + csv_text(frame))
    book = workbook(ctx, tables, dictionary)
    key = spreadsheet_key(book)
    for d, _ in plan:
        if d.fmt in ("XLSX", "ODS"):
            make = write_xlsx if d.fmt == "XLSX" else write_ods
            outputs[d.href] = ledger.produce(d.href, f"{d.fmt}:{key}", lambda make=make: make(book))
    # Each trust's rows of the metrics file, as that file writes them (whole numbers without ".0"), neutralised
    # once for all trusts.
    for code, text in trust_rows_csv(safe_frame(whole_numbers(tables.metrics))).items():
        name = trust_csv(str(code))
        if name is not None:
            put(name, "\ufeff" + text)
    return outputs


def trust_rows_csv(frame) -> dict[str, str]:
    """Each trust's rows of ``frame`` as CSV (its header, then the rows in order), by trust code in order of first
    appearance; a row without a code is in none. The frame is written as CSV once and cut into its records
    (a record ends at a line end outside quotes: its quotes so far are even), which is what writing each
    trust's rows on their own gives, since a row's text depends on that row alone."""
    text = frame.to_csv(index=False, lineterminator="\n")
    header, _, body = text.partition("\n")
    records: list[str] = []
    pending = ""
    for line in body.split("\n")[:-1]:
        pending += line + "\n"
        if pending.count('"') % 2 == 0:
            records.append(pending)
            pending = ""
    codes = frame["Trust_code"].tolist()
    if pending or len(records) != len(codes):  # not cut as expected: each trust's rows written on their own
        return {code: rows.to_csv(index=False, lineterminator="\n")
                for code, rows in frame.groupby("Trust_code", sort=False)}
    parts: dict[str, list[str]] = {}
    for code, record in zip(codes, records):
        if isinstance(code, str):
            parts.setdefault(code, [header + "\n"]).append(record)
    return {code: "".join(lines) for code, lines in parts.items()}
