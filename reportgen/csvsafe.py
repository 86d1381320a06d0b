"""CSV that is safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula; a trust
name such as ``=HYPERLINK(...)`` would run. Following OWASP's advice on CSV
injection, such a cell gets a leading apostrophe, which spreadsheets show as
text and do not evaluate. Numbers are left as numbers: ``-13.24`` in a numeric
column is still ``-13.24``. Every CSV reportgen writes goes through
``write_csv``.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pandas as pd

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` with a leading apostrophe if it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric columns unchanged."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            # a column is mapped only if a cell needs it: most hold no text a spreadsheet would take for a formula
            if any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values.tolist()):
                out[column] = values.map(neutralise)
    return out


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each float column whose every value is a whole number (a rank, a segment, a count) as
    integers, so that CSV says ``31``, not ``31.0``; a missing value stays missing."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            known = values.dropna()
            if len(known) and bool((known == known.round()).all()) and bool((known.abs() < 2**53).all()):
                out[column] = values.round().astype("Int64")
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text: no index, LF line ends, whole numbers without ``.0``, text cells neutralised."""
    buf = io.StringIO()
    safe_frame(whole_numbers(frame)).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def write_csv(path_or_buffer: str | Path | IO[str], frame: pd.DataFrame, bom: bool = False) -> None:
    """Write ``frame`` as spreadsheet-safe CSV to a text buffer, or atomically to a file (UTF-8)."""
    text = ("\ufeff" if bom else "") + csv_text(frame)
    if isinstance(path_or_buffer, (str, Path)):
        from .outputs import write_atomic

        write_atomic(path_or_buffer, text)
    else:
        path_or_buffer.write(text)
