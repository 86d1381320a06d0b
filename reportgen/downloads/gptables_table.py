"""gptables' table writer, with its per-cell work done once per column.

Why: gptables (``GPWorksheet._write_table_elements``) builds a data frame of
format dictionaries by assigning it row by row, fills it through pandas
``apply`` and ``np.vectorize``, then for every cell works out the format's
key, the cell's type and its width again. For the quarter's spreadsheet (about
100,000 cells, most in the metrics sheet) that was two thirds of the time of
writing the XLSX. Every cell of a column has the same format (the theme's data
format, the column's alignment and number format), so here each column's
header and data formats are worked out once, each cell goes to XlsxWriter's
``write`` as gptables would send it, and a width is measured once per distinct
text of a column.

What stays gptables': the checks and their messages (blank cells become
empty, no all-empty table or row, no cell of symbols only), the alignment rule
(a column is right-aligned when its cells other than shorthand such as ``[x]``
are numbers, by pandas' own ``convert_dtypes``), the formats (from the theme),
the column widths (its own measure, ``_get_longest_line`` and
``_get_scaling_factor``), the table marked as an Excel table, and anything
that is not plain text or a number (a link, rich text, a blank), which goes
through its ``_smart_write``. The workbook is the same, byte for byte.

When: only on a gptables release listed in ``CHECKED`` whose table-writing
methods are, source for source, the ones this was written against
(``STOCK_SHA256``), and only for a table with no index columns and column
formats alone (what ``reportgen.downloads.xlsx`` writes); anything else is
written by gptables' own method.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import re
import warnings
from math import ceil

import numpy as np
import pandas as pd
from gptables.core.gptable import FormatList
from gptables.core.wrappers import GPWorksheet
from xlsxwriter.utility import cell_autofit_width

#: gptables releases whose table writer this was checked against.
CHECKED = ("2.0.2",)

#: The methods of ``GPWorksheet`` whose work ``write_table_elements`` does, and the SHA-256 of their sources
#: (concatenated in this order) in those releases.
STOCK_METHODS = ("_write_table_elements", "_apply_column_alignments", "_apply_additional_formatting",
                 "_apply_format", "_write_array", "_smart_write", "_calculate_column_widths",
                 "_get_scaling_factor", "_get_longest_line", "_get_cell_string", "_set_column_widths",
                 "_mark_data_as_worksheet_table")
STOCK_SHA256 = "e11f992261884083c236d8f5a15ac15f613c8800fd29cbd7e8416797f9eeac1d"

_BLANK = re.compile(r"^\s*$")  # gptables: a cell of white space only is an empty cell
_SYMBOLS_ONLY = re.compile("^[^a-zA-Z0-9]*$")  # gptables refuses such a cell
_SHORTHAND = re.compile(r"\[[\w\s]+\]")  # gptables: shorthand such as [x] does not count for alignment
#: The cell types whose emptiness is told here as pandas tells it; a table holding any other is gptables'.
_PLAIN = (str, float, int, type(None), dict, FormatList)


def stock_sha256() -> str:
    """SHA-256 of the installed gptables' table-writing methods' sources."""
    source = "".join(inspect.getsource(getattr(GPWorksheet, name)) for name in STOCK_METHODS)
    return hashlib.sha256(source.encode()).hexdigest()


@functools.cache
def usable() -> bool:
    """Whether the installed gptables is one this was checked against (asked once per process)."""
    from importlib.metadata import version

    return version("gptables") in CHECKED and stock_sha256() == STOCK_SHA256


def _right_aligned(header: list, rows: list[list], dtypes: list) -> list[bool] | None:
    """gptables' ``_apply_column_alignments``: shorthand cells taken out, each column typed by pandas'
    ``convert_dtypes`` from the type it had (text stays text; numbers were objects once gptables put the header
    row above them), right-aligned when numeric; the first column (there are no index columns) never. None
    when a header is itself shorthand (gptables then keeps the header row in the typing)."""
    if any(_SHORTHAND.search(h) for h in header):
        return None
    short = {v for row in rows for v in row if type(v) is str and _SHORTHAND.search(v)}  # cells are str, not subclasses
    out = []
    for c, dtype in enumerate(dtypes):
        values = [np.nan if type(v) is str and v in short else v for v in (row[c] for row in rows)]
        kind = pd.Series(values, dtype=dtype if isinstance(dtype, pd.StringDtype) else object).convert_dtypes().dtype
        out.append(c > 0 and pd.api.types.is_numeric_dtype(kind))
    return out


def write_table_elements(ws: GPWorksheet, pos: list, gptable, auto_width: bool) -> list | None:
    """gptables' ``_write_table_elements`` for ``ws``, with each column's formats worked out once; None (and
    nothing written) when the table is not one this covers, for gptables' own method to write."""
    table = gptable.table
    header = list(table.columns)
    if (gptable.index_columns or gptable.index_levels or not header
            or not all(isinstance(h, str) for h in header) or len(set(header)) != len(header)):
        return None
    extra: dict[int, list[dict]] = {}
    for item in gptable.additional_formatting:
        if list(item) != ["column"] or set(item["column"]) != {"columns", "format"}:
            return None
        for col in item["column"]["columns"]:
            if col not in header:
                return None
            extra.setdefault(header.index(col), []).append(item["column"]["format"])
    rows = table.to_numpy(dtype=object).tolist()
    # a blank cell becomes empty as pandas' replace makes it: None in a column of objects, NaN in one of text
    blank = [None if table[h].dtype == object else np.nan for h in header]
    texts = set()
    for row in rows:
        for v in row:
            if type(v) is str:
                texts.add(v)
            elif not isinstance(v, _PLAIN) or isinstance(v, bool):
                return None
            elif isinstance(v, str):  # a subclass of str, not hashed as its text
                return None
    blanks = {v for v in texts if _BLANK.search(v)}
    if blanks:
        for row in rows:
            for c, v in enumerate(row):
                if type(v) is str and v in blanks:
                    row[c] = blank[c]

    # gptables' checks, in its order (only rows with an empty cell can fail the first two)
    empty = [e for e in ([v is None or (isinstance(v, float) and v != v) for v in row] for row in rows) if any(e)]
    if not rows or (len(empty) == len(rows) and all(all(e) for e in empty)):
        raise ValueError(f"""
            {gptable.table_name} contains only null or whitespace cells.
            Please provide alternative table containing data.
            """)
    if any(all(e) for e in empty):
        raise ValueError(f"""
            Empty or null row found in {gptable.table_name}.
            Please remove blank rows before passing data to GPTable.
            """)
    if empty:
        warnings.warn(f"""
            Empty or null cell found in {gptable.table_name}. The reason for
            missingness should be included in the `GPTable.instructions` attribute.
            There should only be one reason otherwise a shorthand should be
            provided in the `instructions` or `legend` attribute.
            Guidance on shorthand can be found at:
            https://analysisfunction.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
            """, stacklevel=2)
    if any(_SYMBOLS_ONLY.search(v) for v in texts - blanks):
        raise ValueError(f"""
            Cell found in {gptable.table_name} containing only special characters,
            replace with alphanumeric characters before inputting to GPTable.
            Guidance on symbols in tables can be found at:
            https://analysisfunction.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
            """)

    theme, wb = ws.theme, ws._workbook
    heads: list[dict] = []
    cells: list[dict] = []
    aligned = _right_aligned(header, rows, list(table.dtypes))
    if aligned is None:
        return None
    for c, right in enumerate(aligned):
        head, cell = {}, {}
        head.update(theme.column_heading_format)
        cell.update(theme.data_format)
        align = {"align": "right" if right else "left"}
        head.update(align)
        cell.update(align)
        for fmt in extra.get(c, ()):  # a column's format applies to its header too, as gptables has it
            head.update(fmt)
            cell.update(fmt)
        heads.append(head)
        cells.append(cell)

    top = gptable.data_range[0]
    # what XlsxWriter's write() does with a non-empty text and a number when it converts no text and has no
    # handler of its own for a type
    plain = not (ws.strings_to_formulas or ws.strings_to_urls or ws.strings_to_numbers or ws.write_handlers)
    put_text = ws.write_string if plain else ws.write
    put_number = ws.write_number if plain else ws.write
    data = [header, *rows]
    made: list = [None] * len(header)  # each column's data Format, made when first used as gptables makes it
    for r, values in enumerate(data):
        dicts = heads if r == 0 else cells
        for c, v in enumerate(values):
            t = type(v)
            if (t is str and v) or (t is float and v == v) or t is int:  # NaN: gptables writes a blank
                if r == 0:
                    fmt = wb.add_format(dicts[c])
                else:
                    fmt = made[c]
                    if fmt is None:
                        fmt = made[c] = wb.add_format(dicts[c])
                (put_text if t is str else put_number)(top + r, c, v, fmt)
            else:
                ws._smart_write(top + r, c, v, dicts[c].copy())

    if auto_width:
        widths = []
        for c in range(len(header)):
            best = 0
            seen_head: dict[str, int] = {}
            seen: dict[str, int] = {}
            for r, values in enumerate(data):
                v = values[c]
                line = ws._get_longest_line(v) if type(v) is not str or "\n" in v else v
                memo = seen_head if r == 0 else seen
                if line in memo:
                    continue
                width = memo[line] = ceil(cell_autofit_width(line)
                                          * ws._get_scaling_factor(heads[c] if r == 0 else cells[c], line))
                best = max(best, width)
            widths.append(best)
        ws._set_column_widths(widths)

    ws.add_table(*gptable.data_range, {
        "header_row": True, "autofilter": False,
        "columns": [{"header": h, "header_format": wb.add_format(d)} for h, d in zip(header, heads)],
        "style": None, "name": gptable.table_name})
    return [top + len(data), 0]
