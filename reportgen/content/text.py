"""Wording shared by every document: numbers, ranks, segments, missing values."""
from __future__ import annotations

import math

from ..model import NO_DATA, NOT_APPLICABLE

#: The only two words a table cell holds in place of a figure. Each document explains each one it uses, once, in
#: the section whose tables use it.
PLACEHOLDERS = (NO_DATA, NOT_APPLICABLE)


def placeholders_used(*tables) -> set[str]:
    """The placeholders that the data cells of these tables (``model.Table``) hold."""
    return {cell for t in tables for row in t.rows for cell in row[1:] if cell in PLACEHOLDERS}


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return isinstance(value, str) and value.strip() == ""


def score(value, decimals: int = 2) -> str:
    """A score to 2 dp, or "no data"."""
    return NO_DATA if missing(value) else f"{float(value):.{decimals}f}"


def number(value, decimals: int = 2) -> str:
    """A figure written for a reader: thousands separated, trailing zeros dropped, "no data" if missing.

    Its unit is written by ``words.quantity``, in words."""
    if missing(value):
        return NO_DATA
    v = float(value)
    text = f"{v:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{v:,.0f}"
    return "0" if text in ("-0", "") else text


def text(value) -> str:
    return NO_DATA if missing(value) else str(value)


def ordinal(n: int) -> str:
    n = int(n)
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_ordinal(rank: int, tied_with: int) -> str:
    """ "12th", or "joint 12th" when other trusts share the rank."""
    return f"{'joint ' if tied_with else ''}{ordinal(rank)}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def rank_cell(rank, tied_with: int) -> str:
    """A rank for a table cell, with a tie said in words: "12 (tied)"."""
    if missing(rank):
        return NO_DATA
    return f"{int(rank)} (tied)" if tied_with > 0 else str(int(rank))


def rank_phrase(rank, size: int, plural_type: str, tied_with: int = 0) -> str:
    """ "12th of 61 mental health and community trusts", ties said as such."""
    if missing(rank):
        return NO_DATA
    base = f"{ordinal(rank)} of {size} {plural_type}"
    if tied_with:
        return f"joint {base} (tied with {count(tied_with, 'other trust')})"
    return base


def segment_name(segment) -> str:
    return NO_DATA if missing(segment) else f"Segment {int(segment)}"


def yes_no(flag) -> str:
    if missing(flag):
        return NO_DATA
    return "Yes" if bool(flag) else "No"


def likely_range(value) -> str:
    return NOT_APPLICABLE if missing(value) else str(value)


def join_words(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def slug(text_: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text_.lower()).strip("-")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def long_date(iso: str) -> str:
    """``"2026-03-31"`` -> ``"31 March 2026"`` (GOV.UK style; no locale involved)."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    return f"{day} {MONTHS[month - 1]} {year}"
