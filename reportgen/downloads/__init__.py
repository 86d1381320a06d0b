"""Data downloads: every league table and metric of a quarter as CSV files and as one
accessible spreadsheet (XLSX and ODS), written once per quarter into ``<quarter>/data/``.

``write_downloads`` writes them; ``listing`` names them, with their format and
size, for the site and the documents that link them. File names come from the
quarter and the configured trust types, never from the data, except each
trust's own CSV, named by its checked trust code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..outputs import inside, write_atomic
from ..quarters import slug as quarter_slug
from . import columns as C

DATA_DIR = "data"
TRUSTS_DIR = "trusts"
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


def write_downloads(ctx, folder: Path) -> list[Path]:
    """Write the quarter's CSV files, data dictionary, spreadsheets and per-trust CSV files; return the paths."""
    from ..csvsafe import safe_frame, write_csv
    from .csvfiles import dictionary_frame
    from .ods import write_ods
    from .spreadsheet import workbook
    from .tables import build_tables
    from .xlsx import write_xlsx

    quarter_folder = Path(folder)
    folder = inside(quarter_folder, DATA_DIR)
    tables = build_tables(ctx)
    plan = planned(ctx.quarter, ctx.result.trust_types, ctx.config.plural)
    frames = [*tables.leagues.values(), tables.domains, tables.metrics, tables.comparison,
              tables.comparison_summary]
    csvs = [(d, described) for d, described in plan if described is not None]
    dictionary = dictionary_frame({d.name: described for d, described in csvs})
    frames.append(dictionary)
    written = []
    for (d, _), frame in zip(csvs, frames):
        write_csv(inside(folder, d.name), frame, bom=True)
        written.append(inside(folder, d.name))
    book = workbook(ctx, tables, dictionary)
    for d, _ in plan:
        if d.fmt == "XLSX":
            written.append(write_atomic(inside(folder, d.name), write_xlsx(book)))
        elif d.fmt == "ODS":
            written.append(write_atomic(inside(folder, d.name), write_ods(book)))
    # Each trust's rows of the metrics file, neutralised once for all trusts.
    for code, rows in safe_frame(tables.metrics).groupby("Trust_code", sort=False):
        if trust_csv(str(code)) is not None:
            text = rows.to_csv(index=False, lineterminator="\n")
            written.append(write_atomic(inside(folder, TRUSTS_DIR, f"{code}.csv"), "\ufeff" + text))
    return written
