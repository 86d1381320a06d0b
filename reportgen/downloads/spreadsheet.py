"""The quarter's accessible spreadsheet, laid out to the Analysis Function's guidance
"Releasing statistics in spreadsheets", as one format-neutral ``Workbook`` that the
XLSX writer (``xlsx``, gptables) and the ODS writer (``ods``) both write.

Sheets: a cover, a contents sheet linking every sheet, notes, the column
descriptions, then one table per sheet. Each table sheet has its title in A1,
a line saying what the sheet holds, one header row and no blank cell: a cell
without a figure holds ``[x]`` (not available) or ``[z]`` (not applicable),
explained in the notes. Numbers are stored as numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ..quarters import end_date
from . import columns as C
from .tables import Tables

COVER = "Cover"
CONTENTS = "Contents"
NOTES = "Notes"
COLUMNS_SHEET = "Columns"
INSTRUCTIONS = "This worksheet contains one table. Some cells refer to notes, which are on the Notes worksheet."

#: Number formats, by column name; other numeric columns keep the general format.
FORMATS = {
    "Average_score": "0.00", "Domain_score": "0.00", "Score": "0.00", "Value": "0.00", "Peer_median": "0.00",
    "Peer_lower_quartile": "0.00", "Peer_upper_quartile": "0.00", "Published": "0.00",
    "Segment": "0", "Domain_segment": "0", "Rank": "0", "Scores_in_domain": "0", "Trusts_ranked": "0",
    "Trusts_reporting": "0", "Match": "0", "Rounding": "0", "Mismatch": "0",
}


@dataclass(frozen=True)
class Sheet:
    """One worksheet holding one table."""

    name: str  # the tab's name
    table_name: str  # the table's name (letters, digits and underscores)
    title: str  # cell A1
    subtitles: tuple[str, ...]  # lines under the title
    frame: pd.DataFrame  # one header row; every cell a number or non-empty text
    formats: dict[str, str] = field(default_factory=dict)  # column header -> number format
    links: tuple[str, ...] = ()  # headers of columns whose cells are sheet names, each a link to that sheet


@dataclass(frozen=True)
class Workbook:
    title: str
    intro: tuple[str, ...]
    about: tuple[str, ...]
    contact: tuple[str, ...]
    sheets: tuple[Sheet, ...]  # contents, notes, columns, then the tables
    created: datetime  # a fixed date, so that the file is the same on every build
    subject: str
    keywords: tuple[str, ...]


def short_name(trust_type: str) -> str:
    """A tab-name word for a trust type: "Mental health and community trust" -> "mental_health_community"."""
    words = [w for w in re.findall(r"[a-z0-9]+", trust_type.lower()) if w not in ("trust", "trusts", "and")]
    return "_".join(words) or "trusts"


def _cells(frame: pd.DataFrame, not_applicable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Headers in words and no empty cell: ``[z]`` where ``not_applicable``, else ``[x]``."""
    out = frame.astype(object).copy()
    empty = out.isna() | out.map(lambda v: isinstance(v, str) and not v.strip())
    if not_applicable is not None:
        na = not_applicable.reindex(columns=out.columns, fill_value=False).fillna(False).astype(bool)
        out = out.mask(empty & na, C.NOT_APPLICABLE)
        empty = empty & ~na
    out = out.mask(empty, C.NOT_AVAILABLE)
    out.columns = [C.header(c) for c in frame.columns]
    return out.reset_index(drop=True)


def _formats(frame: pd.DataFrame) -> dict[str, str]:
    return {C.header(c): FORMATS[c] for c in frame.columns if c in FORMATS}


def _metrics_not_applicable(m: pd.DataFrame) -> pd.DataFrame:
    score_only = m["Value_metric_ID"] == ""
    na = pd.DataFrame(False, index=m.index, columns=m.columns)
    for col in ("Value_metric_ID", "Value", "Units", "Data_period", "Peer_median", "Peer_lower_quartile",
                "Peer_upper_quartile", "Rank"):
        na[col] = score_only
    na["Combined_into"] = True
    return na


def notes(ctx) -> list[str]:
    """The notes, in order: note N is ``notes(ctx)[N - 1]``. Numbers come from the configuration."""
    cfg = ctx.config
    decimals = cfg.decimals
    recovery = int(cfg["recovery_support"]["segment"])
    out = [
        f"{C.NOT_AVAILABLE} means not available: the input holds no figure for that cell. {C.NOT_APPLICABLE} means "
        f"not applicable, for example the value of a metric that NHS England publishes only as a score.",
        "Scores run from 1 (best) to 4 (worst). Segment 1 has the fewest challenges and segment 4 the most. A lower "
        "average score and a lower rank are better.",
        f"Trusts are ranked among trusts of the same type by segment, then by average score to {decimals} decimal "
        f"places. Trusts with the same segment and average share the lowest rank and the next rank is skipped. "
        f"Segment {recovery} (the Recovery Support Programme) is not shown: the rank uses the segment from 1 to 4 "
        f"that the trust's scores give.",
        f"Status match means equal as published; rounding means a difference of at most {cfg.tolerance}, because "
        f"the published components are themselves rounded; mismatch means a larger difference.",
        "Every column is described on the Columns worksheet and in the data dictionary CSV file published beside "
        "this workbook.",
    ]
    if ctx.fictional:
        out.append("Every trust, name, code and figure in this workbook is invented: it is fictional example data "
                   "and says nothing about any real NHS trust.")
    return out


def _note(n: int) -> str:
    return f"[note {n}]"


def workbook(ctx, tables: Tables, dictionary: pd.DataFrame) -> Workbook:
    cfg, q = ctx.config, ctx.quarter
    fictional = " (fictional example data)" if ctx.fictional else ""
    plurals = [cfg.plural(t) for t in tables.leagues]
    all_notes = notes(ctx)
    about_cols = _note(5)
    na = _note(1)
    data_sheets: list[Sheet] = []
    for ttype, frame in tables.leagues.items():
        name = f"League_{short_name(ttype)}"[:31]
        data_sheets.append(Sheet(
            name=name, table_name=name.lower(),
            title=f"League table of {cfg.plural(ttype)}, {q}{fictional}",
            subtitles=(f"{len(frame)} trusts, best first. Scores, segments and ranks: {_note(2)} {_note(3)}. "
                       f"Shorthand: {na}. Columns: {about_cols}.",),
            frame=_cells(frame), formats=_formats(frame)))
    data_sheets.append(Sheet(
        name="Domains", table_name="domains",
        title=f"Service (domain) league tables, {q}{fictional}",
        subtitles=(f"One row for each trust and domain, by trust type, domain and rank. {_note(2)} Shorthand: {na}. "
                   f"Columns: {about_cols}.",),
        frame=_cells(tables.domains), formats=_formats(tables.domains)))
    m = tables.metrics
    data_sheets.append(Sheet(
        name="Metrics", table_name="metrics",
        title=f"Every trust's metrics, {q}{fictional}",
        subtitles=(f"One row for each trust and each metric scored for its type, in league table order. "
                   f"{_note(2)} Shorthand: {na}. Columns: {about_cols}.",),
        frame=_cells(m, _metrics_not_applicable(m)), formats=_formats(m)))
    summary = tables.comparison_summary
    data_sheets.append(Sheet(
        name="Comparison", table_name="comparison",
        title=f"reportgen's figures compared with NHS England's published ones, {q}{fictional}",
        subtitles=(f"How many comparisons of each kind of figure match, differ by rounding or mismatch {_note(4)}. "
                   f"Every comparison, trust by trust, is in the comparison CSV file. Columns: {about_cols}.",),
        frame=_cells(summary), formats=_formats(summary)))

    columns_sheet = Sheet(
        name=COLUMNS_SHEET, table_name="columns", title=f"What each column holds{fictional}",
        subtitles=("One row for each column of each CSV file; the worksheet of the same table names the column "
                   "with spaces in place of underscores.",),
        frame=_cells(dictionary))
    notes_sheet = Sheet(
        name=NOTES, table_name="notes", title=f"Notes{fictional}",
        subtitles=("Notes are referred to as [note N] in the other worksheets.",),
        frame=pd.DataFrame({"Note number": [_note(i) for i in range(1, len(all_notes) + 1)],
                            "Note text": all_notes}))
    listed = (notes_sheet, columns_sheet, *data_sheets)
    title = f"NHS Oversight Framework {q}: league tables and metrics{fictional}"
    contents_sheet = Sheet(
        name=CONTENTS, table_name="contents", title=f"Table of contents{fictional}",
        subtitles=("Each sheet name links to the sheet.",),
        frame=pd.DataFrame({"Sheet name": [COVER] + [s.name for s in listed],
                            "Sheet title": [title] + [s.title for s in listed]}),
        links=("Sheet name",))

    publisher = cfg.publisher
    name, contact, data_publisher = publisher.name_text, publisher.contact_text, publisher.data_publisher
    files = ", ".join(ctx.sources) if ctx.sources else "none named"
    intro = [f"This workbook holds, for {q}: the league tables of {', '.join(plurals)}; the service (domain) league "
             f"tables; every trust's metrics; and how reportgen's figures compare with NHS England's published ones. "
             f"Each is also published as a CSV file beside this workbook, with every comparison trust by trust."]
    if ctx.fictional:
        intro.append(all_notes[-1])
    intro.append("The Contents worksheet links to every worksheet; the Notes worksheet explains the shorthand.")
    day = date.fromisoformat(end_date(q))
    about = (
        f"Source: {data_publisher}, NHS Oversight Framework data files ({files}). League tables, segments and "
        f"ranks are computed from them by reportgen under the {cfg.title} rules.",
        f"Publisher: {name}.",
        f"Date: figures for the quarter ending {day.day} {day:%B %Y}.",
        "Methodology: the national league tables document beside this workbook explains how the tables are "
        "derived and what they can and cannot tell you.",
    )
    return Workbook(
        title=title,
        intro=tuple(intro), about=about, contact=(f"Contact: {contact}.",),
        sheets=(contents_sheet, *listed), created=datetime(day.year, day.month, day.day),
        subject=f"{cfg.title} league tables and metrics, {q}",
        keywords=("NHS Oversight Framework", "league tables", q))
