"""The spreadsheet's tables written with each column's formats worked out once (``downloads.gptables_table``):
the same XLSX, byte for byte, as gptables' own table writer, on the real mental health file's quarter and on
a table of awkward cells; gptables' own writer for anything else, or on a gptables it was not checked against."""
from __future__ import annotations

import hashlib
import io
import warnings
from datetime import datetime
from importlib.metadata import version

import numpy as np
import pandas as pd
from gptables.core.gptable import GPTable

from reportgen.config import Config
from reportgen.downloads import gptables_table as fast
from reportgen.downloads import planned
from reportgen.downloads.csvfiles import dictionary_frame
from reportgen.downloads.spreadsheet import INSTRUCTIONS, Sheet, Workbook, workbook
from reportgen.downloads.tables import build_tables
from reportgen.downloads.xlsx import _Workbook, write_xlsx
from reportgen.load import load
from reportgen.release import make_context
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def both(book: Workbook, monkeypatch) -> tuple[bytes, bytes]:
    """The XLSX written by gptables' own table writer, and by ``gptables_table`` (checked to write every table)."""
    written = []
    original = fast.write_table_elements

    def counted(*args):
        out = original(*args)
        written.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(fast, "usable", lambda: False)
        theirs = write_xlsx(book)
    with monkeypatch.context() as m:
        m.setattr(fast, "write_table_elements", counted)
        ours = write_xlsx(book)
    assert written and all(written), "every table was written by gptables_table"
    return theirs, ours


def test_this_gptables_is_one_the_table_writer_was_checked_against():
    # On another gptables every table is written by gptables' own method: compare the two writers on it
    # (the tests below), then add its version and the methods' hash.
    assert version("gptables") in fast.CHECKED, version("gptables")
    assert fast.stock_sha256() == fast.STOCK_SHA256
    assert fast.usable()


def test_refused_on_a_gptables_it_was_not_checked_against(monkeypatch):
    try:
        fast.usable.cache_clear()
        monkeypatch.setattr(fast, "CHECKED", ("0.0",))
        assert not fast.usable()
        fast.usable.cache_clear()
        monkeypatch.setattr(fast, "CHECKED", (version("gptables"),))
        monkeypatch.setattr(fast, "STOCK_SHA256", "0" * 64)
        assert not fast.usable()
    finally:
        fast.usable.cache_clear()


def test_the_real_quarters_spreadsheet_is_the_same_bytes(monkeypatch):
    config = Config.load()
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    for quarter in dataset.quarters:
        ctx = make_context(dataset, config, quarter)
        tables = build_tables(ctx)
        plan = planned(ctx.quarter, ctx.result.trust_types, ctx.config.plural)
        dictionary = dictionary_frame({d.name: described for d, described in plan if described is not None})
        theirs, ours = both(workbook(ctx, tables, dictionary), monkeypatch)
        assert digest(ours) == digest(theirs), quarter


def awkward_book() -> Workbook:
    n = 6
    frame = pd.DataFrame({
        "Name": ["Alpha", "Beta\nsecond line", "=SUM(A1)", "Delta [note 1]", "Epsilon", "ZETA TRUST"],
        "Blank sometimes": ["x", "   ", "y", "", "z", "w"],  # white space alone becomes an empty cell
        "Units": ["%", "count", "%", "rate", "[x]", "£"],  # symbols alone go in as rich text
        "Score": [1.25, 2.0, np.nan, 4.0, 3.5, -0.0],  # a float column; NaN is written blank
        "Rank": [1, 2, 3, 4, 5, 6],  # integers
        "All shorthand": ["[x]"] * n,  # text: left-aligned
        "Mixed": [1.5, "[z]", 2.0, "[x]", 3.0, 4.0],  # numbers apart from shorthand: right-aligned
        "Objects": pd.Series(["[x]"] * n, dtype=object),  # shorthand alone, as objects: typed as numbers
    })
    table = Sheet(name="Awkward", table_name="awkward", title="A table of awkward cells",
                  subtitles=("Every kind of cell the writer meets.",), frame=frame,
                  formats={"Score": "0.00", "Rank": "0", "Mixed": "0.00"})
    contents = Sheet(name="Contents", table_name="contents", title="Contents", subtitles=("Links.",),
                     frame=pd.DataFrame({"Sheet name": ["Awkward"], "Sheet title": ["A table of awkward cells"]}),
                     links=("Sheet name",))
    return Workbook(title="Awkward", intro=("Intro.",), about=("About.",), contact=("Contact.",),
                    sheets=(contents, table), created=datetime(2026, 3, 31), subject="Test", keywords=("test",))


def test_a_table_of_awkward_cells_is_the_same_bytes(monkeypatch):
    theirs, ours = both(awkward_book(), monkeypatch)
    assert digest(ours) == digest(theirs)


def test_white_space_cells_are_emptied_as_gptables_empties_them(monkeypatch):
    # write_xlsx sends such a cell as rich text (symbols only); gptables' writer itself empties one
    frame = pd.DataFrame({"Name": ["a", "b", "c"], "Text": pd.Series(["x", "   ", ""], dtype=object),
                          "Words": ["y", " ", "z"], "Value": [1.0, 2.5, 3.0]})

    def book() -> bytes:
        buf = io.BytesIO()
        wb = _Workbook(buf, {"in_memory": True})
        table = GPTable(table=frame.copy(), table_name="t", title="T", subtitles=[], instructions=INSTRUCTIONS,
                        index_columns={}, additional_formatting=[{"column": {"columns": ["Value"],
                                                                             "format": {"num_format": "0.00"}}}])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb.add_worksheet("Sheet").write_gptable(table, True, [])
        wb.close()
        return buf.getvalue()

    with monkeypatch.context() as m:
        m.setattr(fast, "usable", lambda: False)
        theirs = book()
    assert digest(book()) == digest(theirs)


def test_a_table_it_does_not_cover_is_left_to_gptables():
    wb = _Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet("Sheet")
    frame = pd.DataFrame({"Name": ["a", "b"], "Value": [1.0, 2.0]})
    by_row = GPTable(table=frame, table_name="t", title="T", subtitles=[], instructions=INSTRUCTIONS,
                     index_columns={}, additional_formatting=[{"row": {"rows": [1], "format": {"bold": True}}}])
    by_row._set_data_range()
    assert fast.write_table_elements(ws, [0, 0], by_row, True) is None
    assert not ws.table  # nothing written
    ws.write_gptable(by_row, True, [])  # gptables' own writer takes it
    assert ws.table
