"""Data periods are written in words a screen reader reads as dates.

NHS England writes a metric's period as free text ("Apr 25 - Mar 26 vs Apr 24 - Mar 25",
"Jun-25", "2025/26"), which a screen reader reads as "April 25 ... March 26 versus ...".
``words.period`` writes a recognised pattern in full ("April 2025 to March 2026, compared
with April 2024 to March 2025") and returns anything else exactly as it came. Checked over
every period string in the real published files and the example data, over made-up
periods, and in the packs' "Value (period)" cells.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.config import Config
from reportgen.content import words as W
from reportgen.content.national import Context
from reportgen.content.pack import METRIC_COLUMNS, pack_document
from reportgen.load import load
from reportgen.model import Document, Table, walk
from reportgen.release import make_context
from reportgen.render.html import render_html
from tests.shared_data import ACUTE_Q1_DATA, MH_DATA, ROOT, shared_file

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SHORT = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
FULL = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")


def _periods() -> list[str]:
    files = [shared_file(MH_DATA), shared_file(ACUTE_Q1_DATA), *sorted((ROOT / "data").glob("example-*-data.csv"))]
    found: set[str] = set()
    for path in files:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        found |= set(frame["Reporting_date"])
    return sorted(p for p in found if p.strip())


def _years(text: str) -> list[str]:
    """Every year named, as four digits: "Apr 25" -> 2025, "2025/26" -> 2025 and 2026, "25/26" -> both."""
    out = []
    for token in re.findall(r"\d{4}/\d{2}|\d{2}/\d{2}|\d{4}|(?<=[A-Za-z] )\d{2}\b|(?<=-)\d{2}\b", text):
        if "/" in token:
            first, second = token.split("/")
            first = first if len(first) == 4 else "20" + first
            out += [first, first[:2] + second]
        else:
            out.append(token if len(token) == 4 else "20" + token)
    return out


def _check(original: str, written: str) -> None:
    assert isinstance(written, str)
    # plain text, never markup: nothing that a writer would have to escape is added or taken away
    for mark in "<>&\"'":
        assert written.count(mark) == original.count(mark), (original, written)
    if written == original:
        return
    assert " vs " not in written and not re.search(r"\bvs\b", written), written
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", written), written
    # the same months, in the same order, now in full
    assert [m[:3] for m in FULL.findall(written)] == [m[:3] for m in re.findall(
        r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b", original)], (original, written)
    # every year it names is a year the original names, with four digits
    assert set(re.findall(r"\b\d{4}\b", written)) <= set(_years(original)), (original, written)
    assert not re.search(r"\b\d{2}/\d{2}\b|\b\d{4}/\d{2}\b", written), written


def test_every_period_in_the_files_is_written_in_words_or_left_as_it_is():
    periods = _periods()
    assert len(periods) >= 20
    changed = 0
    for original in periods:
        written = W.period(original)
        _check(original, written)
        if SHORT.search(original) or " vs " in original:
            # every period with a short month name or "vs" in the real files has a pattern that is recognised
            assert written != original, original
        changed += written != original
    assert changed >= 15


def test_the_examples_read_as_dates():
    assert W.period("Apr 25 - Mar 26 vs Apr 24 - Mar 25") == (
        "April 2025 to March 2026, compared with April 2024 to March 2025")
    assert W.period("Jan 25 - Dec 25") == "January to December 2025"
    assert W.period("Jun-25") == "June 2025"
    assert W.period("2025/26") == "2025 to 2026"
    assert W.period("Q4 2025/26") == "Q4 2025/26"  # the documents' own quarter names stay as they are


_MON = st.sampled_from([m[:3] for m in MONTHS])
_YY = st.integers(min_value=0, max_value=99).map(lambda y: f"{y:02d}")


@given(_MON, _YY, _MON, _YY, st.booleans())
def test_any_month_range_reads_as_dates(first, first_year, last, last_year, versus):
    text = f"{first} {first_year} - {last} {last_year}"
    if versus:
        text += f" vs {first} {first_year} - {last} {last_year}"
    written = W.period(text)
    _check(text, written)
    assert written != text and written.endswith(f"{MONTHS[[m[:3] for m in MONTHS].index(last)]} 20{last_year}")


@given(st.text(max_size=60))
def test_unrecognised_text_comes_back_as_it_is(text):
    written = W.period(text)
    _check(text, written)
    if not (SHORT.search(text) or re.search(r"\d", text)):
        assert written == text


@pytest.fixture(scope="module", params=["real", "example"])
def pack(request) -> tuple[Context, str]:
    config = Config.load()
    paths = [shared_file(MH_DATA)] if request.param == "real" else [ROOT / "data"]
    dataset = load(paths, config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    codes = list(ctx.result.trusts.trust_code)
    return ctx, codes


def test_pack_value_cells_give_periods_in_words(pack):
    ctx, codes = pack
    seen = 0
    for code in codes[:12]:
        doc = pack_document(ctx, code, formats=("html",))
        tables = [b for b, _ in walk(doc.blocks) if isinstance(b, Table) and b.columns == METRIC_COLUMNS]
        assert tables
        for table in tables:
            for row in table.rows:
                value = row[1]
                assert " vs " not in value and not SHORT.search(value), value
                seen += "(" in value
        page = render_html(doc)
        assert " vs " not in page
    assert seen


def test_a_period_is_text_never_markup():
    hostile = '<b onmouseover="x">Apr 25 - Mar 26</b> & more'
    assert W.period(hostile) == hostile  # not recognised: returned as it is, for the writers to escape
    doc = Document("Periods", (Table("Periods", ("Metric", "Value (period)"), (("A", f"1 ({W.period(hostile)})"),)),))
    page = render_html(doc)
    assert "<b onmouseover" not in page and "&lt;b onmouseover=" in page
