"""The spreadsheet as XLSX, written by gptables (the Analysis Function's own library for
its spreadsheet guidance) on XlsxWriter.

No text is ever taken for a formula, a web address or a link: XlsxWriter's
string conversions are off, and the worksheet turns off gptables' parsing of
Markdown links in text; the contents sheet's links are given as links.
The file is the same on every build: XlsxWriter dates the parts of the zip
1 January 1980 and the document's creation date is the quarter's end.
"""
from __future__ import annotations

import io
import re
import warnings

import gptables as gpt
from gptables.core.gptable import FormatList
from gptables.core.wrappers import GPWorkbook, GPWorksheet
from xlsxwriter.workbook import Workbook as XlsxWorkbook

from . import gptables_table
from .spreadsheet import COVER, INSTRUCTIONS, Sheet, Workbook


class _Worksheet(GPWorksheet):
    def _parse_urls(self, sheet) -> None:
        """No text becomes a link: a Markdown-looking link in a cell, or in an input file's name on the
        cover, stays text. The contents sheet's links are given as links, not parsed from text."""

    def _write_table_elements(self, pos, gptable, auto_width):
        """gptables' own, with each column's formats worked out once (``gptables_table``) where it applies."""
        if gptables_table.usable():
            done = gptables_table.write_table_elements(self, pos, gptable, auto_width)
            if done is not None:
                return done
        return super()._write_table_elements(pos, gptable, auto_width)


class _Workbook(GPWorkbook):
    def add_worksheet(self, name=None, gridlines="hide_all"):
        worksheet = XlsxWorkbook.add_worksheet(self, name, _Worksheet)
        worksheet.theme = self.theme
        worksheet._workbook = self
        worksheet.hide_gridlines({"show_all": 0, "hide_printed": 1, "hide_all": 2}[gridlines])
        return worksheet


_SYMBOLS_ONLY = re.compile(r"^[^a-zA-Z0-9]*$")


def _symbols_only(value):
    """gptables refuses a cell of symbols only (it expects such shorthand in brackets), but a unit such as
    "%" is data: such a cell goes in as gptables' rich-text type with no extra format, which it writes
    as the same plain text."""
    if isinstance(value, str) and _SYMBOLS_ONLY.match(value):
        return FormatList([{}, value])
    return value


def _gptable(sheet: Sheet) -> gpt.GPTable:
    frame = sheet.frame.map(_symbols_only)
    for col in sheet.links:
        frame[col] = [{str(v): f"internal:'{v}'!A1"} for v in frame[col]]
    formatting = [{"column": {"columns": [col], "format": {"num_format": fmt}}}
                  for col, fmt in sheet.formats.items()]
    return gpt.GPTable(table=frame, table_name=sheet.table_name, title=sheet.title, subtitles=list(sheet.subtitles),
                       instructions=INSTRUCTIONS, index_columns={}, additional_formatting=formatting)


def write_xlsx(book: Workbook) -> bytes:
    buf = io.BytesIO()
    wb = _Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                         "strings_to_numbers": False})
    wb.set_properties({"title": book.title, "subject": book.subject, "author": "reportgen",
                       "keywords": ", ".join(book.keywords), "created": book.created})
    cover = gpt.Cover(title=book.title, intro=list(book.intro), about=list(book.about),
                      contact=list(book.contact), cover_label=COVER)
    ws = wb.add_worksheet(cover.cover_label)
    ws.write_cover(cover)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gptables warns of notes it did not number itself
        for sheet in book.sheets:
            wb.add_worksheet(sheet.name).write_gptable(_gptable(sheet), True, [])
    wb.close()
    return buf.getvalue()
