"""Column widths of the printed tables, worked out once instead of by the layout engine.

With CSS's automatic table layout, WeasyPrint measures the narrowest and widest
width of every cell with Pango before it places a row: for a briefing pack that
is about a third of the PDF's time. The print stylesheet instead gives each table
``table-layout: fixed`` and the widths here, which follow the same rule as the
automatic layout (CSS 2.1, 17.5.2.2) on the shipped font's own advance widths:

- a column is at least as wide as its widest character (cells may break
  anywhere), or its longest number in a data cell (which never wraps), and would
  like to be as wide as its longest cell;
- the first column (the row headers) takes the share the stylesheet gave it;
- a column that would be narrower than its longest word is widened to it, at
  the expense of those with room to spare, so that no word is broken;
- when every other column fits at its widest, the spare width goes first to the
  row headers, up to their widest, and then to the others in proportion to what they
  would like;
- otherwise the rest of the width goes to every column, the row headers included, in
  proportion to what more they would like, or, when it is short, in proportion to what they need beyond their
  narrowest.

A cell narrower than its text still wraps (``overflow-wrap: anywhere``), and
``reportgen.render.pdf`` still refuses a page whose content runs off it.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from ..model import Table

#: The content width of an A4 page with the print margins (15 mm each side), in points: portrait
#: (210 mm) for normal tables, landscape (297 mm) for wide ones (the print stylesheet's ``@page wide``).
PAGE_WIDTH_PT = {False: (210 - 30) / 25.4 * 72, True: (297 - 30) / 25.4 * 72}
#: Print type size and the cell's horizontal padding, in points: (normal tables, wide tables).
FONT_PT = {False: 9.0, True: 9.0}
PADDING_PT = {False: 6.0, True: 6.0}
FIRST_PADDING_PT = 2.5  # the first column's left padding (0.25rem at 10pt)
#: The row headers' share of the width, as the print stylesheet gives it.
FIRST_SHARE = {False: 0.32, True: 0.20}
#: Added to every measured width: kerning and rounding never make a text wider than this allows.
SLACK = 1.04


@cache
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    """The shipped font's advance width of each character, its units per em, and a default advance."""
    from fontTools.ttLib import TTFont

    from ..fonts import FILES

    font = TTFont(Path(__file__).resolve().parent.parent / "fonts" / FILES["bold" if bold else "normal"],
                  lazy=True)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items()}
    default = max(widths.values())
    return widths, font["head"].unitsPerEm, default


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of ``text`` on one line in the shipped font, in points."""
    widths, per_em, default = _advances(bold)
    return sum(widths.get(ord(ch), default) for ch in text) * size_pt / per_em * SLACK


@lru_cache(maxsize=16384)
def _cell_needs(text: str, size: float, bold: bool, nowrap: bool) -> tuple[float, float, float]:
    """(narrowest, longest word, widest) width of one cell. Kept for the cells that recur from pack to
    pack (headers, measure names, common figures); bounded, so a worker's memory stays flat."""
    whole = text_width(text, size, bold)
    if nowrap:
        return whole, whole, whole
    longest = max((text_width(w, size, bold) for w in text.split()), default=0.0)
    # A cell that may wrap can break anywhere (``overflow-wrap: anywhere``): its narrowest is one character.
    narrowest = max((text_width(c, size, bold) for c in set(text)), default=0.0)
    return narrowest, longest, whole


def _needs(cells: list[tuple[str, bool, bool]], size: float) -> tuple[float, float, float]:
    """(narrowest, longest word, widest) width of a column's cells: (text, bold, never wrapped) triples."""
    narrowest = word = widest = 0.0
    for text, bold, nowrap in cells:
        lo, longest, whole = _cell_needs(text, size, bold, nowrap)
        narrowest = max(narrowest, lo)
        word = max(word, longest)
        widest = max(widest, whole)
    return narrowest, word, widest


def _whole_words(widths: list[float], words: list[float]) -> list[float]:
    """Widen a column too narrow for its longest word, taking the width from those with room to spare."""
    short = sum(max(0.0, n - w) for w, n in zip(widths, words))
    spare = sum(max(0.0, w - n) for w, n in zip(widths, words))
    if short <= 0 or spare < short:
        return widths
    return [n if w < n else w - (w - n) * short / spare for w, n in zip(widths, words)]


def print_widths(table: Table, wide: bool) -> tuple[float, ...]:
    """Each column's share of the printed table's width, in per cent (they add up to 100)."""
    size, pad = FONT_PT[wide], PADDING_PT[wide]
    numeric = table.numeric or (False,) * len(table.columns)
    needs, words = [], []
    for j, header in enumerate(table.columns):
        # Headers and row headers are bold; a number in a data cell never wraps (``td.num``).
        cells = [(header, True, False)] + [(row[j], j == 0, numeric[j] and j > 0) for row in table.rows]
        lo, word, hi = _needs(cells, size)
        extra = pad + (FIRST_PADDING_PT if j == 0 else 0.0)
        needs.append((lo + extra, hi + extra))
        words.append(word + extra)
    total = PAGE_WIDTH_PT[wide]
    first = max(needs[0][0], FIRST_SHARE[wide] * total) if len(needs) > 1 else total
    rest = needs[1:]
    room = total - first
    lo_sum, hi_sum = sum(lo for lo, _ in rest), sum(hi for _, hi in rest)
    if not rest:
        widths = [first]
    elif hi_sum <= room:
        # every column as wide as it would like; the spare width goes first to the row headers, which
        # otherwise wrap onto several lines (trust names), then to the rest in proportion
        to_first = min(room - hi_sum, max(0.0, needs[0][1] - first))
        first, room = first + to_first, room - to_first
        widths = [first] + [hi + (room - hi_sum) * hi / hi_sum for _, hi in rest]
    elif lo_sum <= room:
        # each its narrowest (the row headers their share), and what is left in proportion to what more
        # each would like, the row headers included, so that trust names wrap onto fewer lines
        cols = [(first, max(first, needs[0][1]))] + rest
        spread = sum(hi - lo for lo, hi in cols) or 1.0
        widths = [lo + (room - lo_sum) * (hi - lo) / spread for lo, hi in cols]
    else:  # too narrow even so: in proportion to the narrowest (long words wrap anywhere)
        widths = [first] + [lo * room / lo_sum for lo, _ in rest]
    widths = _whole_words(widths, words)
    shares = [round(100 * w / sum(widths), 2) for w in widths]
    shares[0] = round(100 - sum(shares[1:]), 2)
    return tuple(shares)
