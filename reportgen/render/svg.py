"""Every chart as hand-written SVG: the one source of the HTML, PDF and Word charts.

Three chart types (``reportgen.model``): bar charts (counts, where a longer
bar means more), dot plots (a trust against its peers' middle half and
median, per domain) and caterpillar charts (every trust of a type in rank
order, with likely ranges and segment cut-offs). The HTML and PDF inline the
SVG; Word gets a PNG rasterised from the same SVG (``reportgen.render.raster``).

Pure string building: no plotting library, no randomness, no clock, so the
same chart always gives the same bytes. The SVG passes the Nu Html Checker,
is drawn by WeasyPrint and by CairoSVG, and uses no ``<style>`` element.

Colours: every mark carries a class naming its role (``chart-band``,
``chart-dot-highlight``...) and paints with ``currentColor``, its ``color``
attribute holding the palette colour (``reportgen.render.palette``). So a
stylesheet can restyle a role (for example in forced-colours mode) and
anything that ignores stylesheets still draws the palette colours.

Text size: ``FONT_SIZE`` viewBox units, the smallest text drawn. Charts are
``WIDTH`` units wide and scale to the text column, so the printed size is
``FONT_SIZE * column width / WIDTH``: at least ``MIN_PRINT_PT`` in the PDF
(``PDF_COLUMN_MM``) and in Word (``WORD_COLUMN_MM``).

The highlighted mark (the trust a chart is about) is told apart without
colour: a hatch and outline on a bar, a larger outlined diamond on a dot, and
always a bold label.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from ..model import Bar, BarChart, Caterpillar, Chart, DotPlot
from .palette import COLOURS

#: Added after the label of the highlighted bar (in bold), so that the
#: highlight does not rely on colour or pattern alone.
HIGHLIGHT_SUFFIX = "(highlighted)"

FONT_FAMILY = "'Liberation Sans', Arial, Helvetica, sans-serif"
FONT_SIZE = 14           # every label, in viewBox units: the smallest text drawn
TITLE_SIZE = 14          # axis titles

WIDTH = 680              # viewBox width; CSS scales the chart to its container
MAX_LABEL_WIDTH = 250    # category label column, horizontal charts
LINE_HEIGHT = 17

PDF_COLUMN_MM = 180      # A4 less the print margins (templates/style.css.j2)
WORD_COLUMN_MM = 160     # A4 less Word's margins (reportgen.render.docx.PICTURE_WIDTH)
MIN_PRINT_PT = 9.0


def printed_size_pt(column_mm: float, size: float = FONT_SIZE) -> float:
    """The printed size in points of text of ``size`` units in a chart filling ``column_mm``."""
    return size * (column_mm / 25.4 * 72) / WIDTH


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    ticks: tuple[float, ...]


def _fmt(value: float) -> str:
    """A number for an axis label: at most 2 decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


#: The length of the line that draws a dot (``_Svg.dots``): a hundredth of a unit, far below what a reader sees.
DOT_STROKE = 0.01


def _num(value: float) -> str:
    """A coordinate: 2 decimals at most, so output is stable across platforms."""
    return _fmt(round(value, 2))


def _nice_step(span: float, target: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def value_axis(chart: BarChart) -> _Axis:
    """The value range and tick positions of a chart (shared with the PNG writer)."""
    values = [b.value for b in chart.bars] + [v for v, _ in chart.reference_lines]
    lo = chart.value_min
    if chart.value_max is not None:
        hi = chart.value_max
        step = _nice_step(hi - lo)
    else:
        top = max(values + [lo])
        step = _nice_step(top - lo)
        hi = lo + step * math.ceil((top - lo) / step) if top > lo else lo + step
    lo_tick = math.ceil(round(lo / step, 9)) * step
    ticks = []
    k = 0
    while lo_tick + k * step <= hi + step * 1e-9:
        ticks.append(round(lo_tick + k * step, 10))
        k += 1
    return _Axis(lo, hi, tuple(ticks))


def describe(chart: BarChart) -> str:
    """A short description of the chart's form (its message is in the alt text)."""
    orientation = "Horizontal" if chart.horizontal else "Vertical"
    axis = value_axis(chart)
    by = f" by {chart.category_label.lower()}" if chart.category_label else ""
    parts = [
        f"{orientation} bar chart of {chart.value_label}{by} ({len(chart.bars)} bars), "
        f"axis from {_fmt(axis.lo)} to {_fmt(axis.hi)}."
    ]
    highlighted = [b for b in chart.bars if b.highlight]
    if highlighted:
        names = "; ".join(f"{b.label} ({_fmt(b.value)})" for b in highlighted)
        parts.append(f"Highlighted with a hatch pattern and outline: {names}.")
    if chart.reference_lines:
        lines = "; ".join(f"{label} at {_fmt(value)}" for value, label in chart.reference_lines)
        parts.append(f"Reference lines: {lines}.")
    parts.append("The data are in the table that follows.")
    return " ".join(parts)


# Advance widths of Arial / Liberation Sans (regular), in thousandths of an em.
_ADVANCE = {
    **dict.fromkeys("abdeghnopqu0123456789$#_", 556), **dict.fromkeys("ckvxyzsJ", 500),
    **dict.fromkeys("fjilt", 250), "m": 833, "w": 722, "r": 333,
    **dict.fromkeys("ABEKPSVXY", 667), **dict.fromkeys("CDHNRUw", 722), **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("FTZ", 611), "I": 278, "L": 556, "M": 833, "W": 944,
    **dict.fromkeys(" .,:;!/'|", 278), **dict.fromkeys("()-[]", 333), '"': 355, "%": 889, "&": 667,
    "\u2190": 1000, "\u2192": 1000, "\u2191": 500, "\u2193": 500, "\u2013": 556, "\u2014": 1000,
}
_BOLD_FACTOR = 1.09  # Arial Bold's advances are about 9% wider on average


def _text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """An estimate of the drawn width of ``text`` in viewBox units, from Arial's advance widths."""
    em = sum(_ADVANCE.get(ch, 600) for ch in text) / 1000
    return em * size * (_BOLD_FACTOR if bold else 1.0)


def _wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False,
          max_lines: int = 3) -> list[str]:
    """Break text at spaces into lines no wider than ``width`` (estimated)."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and _text_width(candidate, size, bold) > width and len(lines) < max_lines - 1:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def bar_label(bar: Bar) -> str:
    """The text shown for a bar: its label, plus ``HIGHLIGHT_SUFFIX`` if highlighted."""
    return f"{bar.label} {HIGHLIGHT_SUFFIX}" if bar.highlight else bar.label


def _safe_id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
    return cleaned if cleaned and cleaned[0].isalpha() else f"c-{cleaned or 'chart'}"


def paint(role: str) -> str:
    """The class and colour attributes of a mark in ``role`` (a palette colour name)."""
    return f'class="chart-{role.replace("_", "-")}" color="{COLOURS[role]}"'


class _Svg:
    """A chart's elements in two layers, drawn one after the other: ``parts``, the base, and
    ``overlay_parts``, what a chart draws for its own trust (``overlay``) on top of everything else. Charts
    of the same data for different trusts then share their base (``chart_layers``)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.overlay_parts: list[str] = []
        self._layer = self.parts

    def add(self, text: str) -> None:
        self._layer.append(text)

    @contextmanager
    def overlay(self) -> Iterator[None]:
        """Elements added inside go to the overlay, drawn after every element of the base."""
        self._layer = self.overlay_parts
        try:
            yield
        finally:
            self._layer = self.parts

    def text(self, x: float, y: float, content: str, *, anchor: str = "start",
             bold: bool = False, size: float = FONT_SIZE, rotate: float | None = None,
             colour: str = "chart_text") -> None:
        attrs = [f'x="{_num(x)}"', f'y="{_num(y)}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if bold:
            attrs.append('font-weight="bold"')
        if size != FONT_SIZE:
            attrs.append(f'font-size="{_num(max(size, FONT_SIZE))}"')
        if rotate is not None:
            attrs.append(f'transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"')
        attrs.append(paint(colour))
        attrs.append('fill="currentColor"')
        self.add(f'<text {" ".join(attrs)}>{escape(content, quote=False)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str,
             width: float = 1, dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                 f'{paint(colour)} stroke="currentColor" stroke-width="{_num(width)}"{extra}/>')

    def lines(self, segments: list[tuple[float, float, float, float]], colour: str, width: float) -> None:
        """Many lines of one role as one path: one element to style and draw, not one for each line."""
        if segments:
            d = "".join(f"M{_num(x1)} {_num(y1)}L{_num(x2)} {_num(y2)}" for x1, y1, x2, y2 in segments)
            self.add(f'<path d="{d}" {paint(colour)} fill="none" stroke="currentColor" '
                     f'stroke-width="{_num(width)}"/>')

    def dots(self, centres: list[tuple[float, float]], r: float, colour: str) -> None:
        """Many dots of one role as one path: each dot a line of length ``DOT_STROKE`` with round ends, stroked
        as wide as the dot, which draws a circle of radius ``r``. WeasyPrint reads a path's data in Python and
        turns each arc into curves with trigonometry, so two arcs a dot cost several times more than this;
        the line is not of zero length because a canvas (pdf.js) leaves zero-length lines out."""
        if centres:
            d = "".join(f"M{_num(cx)} {_num(cy)}h{_fmt(DOT_STROKE)}" for cx, cy in centres)
            self.add(f'<path d="{d}" {paint(colour)} fill="none" stroke="currentColor" '
                     f'stroke-width="{_num(2 * r)}" stroke-linecap="round"/>')

    def box(self, x: float, y: float, w: float, h: float, colour: str, *, outline: str | None = None,
            outline_width: float = 1) -> None:
        """A filled rectangle, optionally outlined in another colour (a second, unfilled rectangle)."""
        geometry = f'x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}"'
        self.add(f'<rect {geometry} {paint(colour)} fill="currentColor"/>')
        if outline:
            self.add(f'<rect {geometry} {paint(outline)} fill="none" stroke="currentColor" '
                     f'stroke-width="{_num(outline_width)}"/>')

    def boxes(self, rects: list[tuple[float, float, float, float]], colour: str, *, outline: str) -> None:
        """Many filled rectangles (x, y, width, height) of one role as one path, and their outlines as another."""
        if rects:
            d = "".join(f"M{_num(x)} {_num(y)}h{_num(w)}v{_num(h)}h{_num(-w)}Z" for x, y, w, h in rects)
            self.add(f'<path d="{d}" {paint(colour)} fill="currentColor"/>')
            self.add(f'<path d="{d}" {paint(outline)} fill="none" stroke="currentColor" stroke-width="1"/>')

    def circle(self, cx: float, cy: float, r: float, colour: str) -> None:
        self.add(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" {paint(colour)} fill="currentColor"/>')

    def diamond(self, cx: float, cy: float, r: float, colour: str, outline: str) -> None:
        corners = ((cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy))
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in corners)
        self.add(f'<polygon points="{points}" {paint(colour)} fill="currentColor"/>')
        self.add(f'<polygon points="{points}" {paint(outline)} fill="none" stroke="currentColor" '
                 f'stroke-width="2"/>')

    def rect(self, x: float, y: float, w: float, h: float, *, highlight: bool, pattern_id: str) -> None:
        geometry = f'x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}"'
        if highlight:
            self.add(f'<rect {geometry} class="chart-bar-highlight" fill="url(#{pattern_id})"/>')
            self.add(f'<rect {geometry} {paint("bar_outline")} fill="none" stroke="currentColor" '
                     f'stroke-width="2"/>')
        else:
            self.add(f'<rect {geometry} {paint("bar")} fill="currentColor"/>')


_TEXT_ATTRIBUTES = f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}"'


def _head(prefix: str, width: float, height: float, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
        f'{_TEXT_ATTRIBUTES}>'
        f'<title id="{prefix}-title">{escape(title, quote=False)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc, quote=False)}</desc>'
    )


def _draw(chart: DotPlot | Caterpillar) -> tuple[_Svg, float, float]:
    body = _Svg()
    if isinstance(chart, DotPlot):
        width, height = _draw_dot_plot(chart, body)
    elif isinstance(chart, Caterpillar):
        draw = _draw_caterpillar if chart.show_labels else _draw_strip
        width, height = draw(chart, body)
    else:
        raise TypeError(f"cannot draw a chart of type {type(chart).__name__}")
    return body, width, height


#: How many charts' drawings a process keeps (``_drawn``): a pack has two, drawn for its web page, its PDF and its
#: Word file one after the other.
DRAWINGS_KEPT = 8


@lru_cache(maxsize=DRAWINGS_KEPT)
def _kept_drawing(chart: DotPlot | Caterpillar) -> tuple[str, str, float, float]:
    body, width, height = _draw(chart)
    return "".join(body.parts), "".join(body.overlay_parts), width, height


def _drawn(chart: DotPlot | Caterpillar) -> tuple[str, str, float, float]:
    """``_draw``'s base and overlay elements, as text, and the chart's width and height: kept for the process
    (the last ``DRAWINGS_KEPT`` charts), since a pack's web page, its PDF and its Word file draw the same charts;
    a chart that cannot be hashed (made with lists, say) is drawn each time."""
    try:
        hash(chart)
    except TypeError:
        return _kept_drawing.__wrapped__(chart)
    return _kept_drawing(chart)


def chart_svg(chart: Chart, *, title: str, desc: str | None = None, id_prefix: str = "chart") -> str:
    """Draw any chart as an ``<svg role="img">`` element (the one drawing of every chart).

    ``title`` becomes the SVG ``<title>`` (the accessible name, and the PDF
    /Alt); ``desc`` the ``<desc>`` (default: a description of the chart's form).
    ``id_prefix`` must be unique in the page.
    """
    if isinstance(chart, BarChart):
        return bar_chart_svg(chart, title=title, desc=desc, id_prefix=id_prefix)
    if desc is None:
        desc = describe_dot_plot(chart) if isinstance(chart, DotPlot) else describe_caterpillar(chart)
    base, overlay, width, height = _drawn(chart)
    return _head(_safe_id(id_prefix), width, height, title, desc) + base + overlay + "</svg>"


def chart_layers(chart: DotPlot | Caterpillar) -> tuple[str, str]:
    """The drawing of ``chart_svg`` as two SVG documents of the same size, to be drawn one over the other:
    its base, the same for every trust's chart of the same data (a trust type's caterpillar strip without its
    highlighted trust's marks and label), and its overlay, the chart's own trust (empty if it has none).

    Drawn on one canvas, base first, they are the elements of ``chart_svg`` in its order; neither has a title
    or description, which are not drawn."""
    base, overlay, width, height = _drawn(chart)
    size = _num(width), _num(height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size[0]}" height="{size[1]}" '
            f'viewBox="0 0 {size[0]} {size[1]}" {_TEXT_ATTRIBUTES}>')
    return head + base + "</svg>", head + overlay + "</svg>" if overlay else ""


def bar_chart_svg(chart: BarChart, *, title: str, desc: str | None = None,
                  id_prefix: str = "chart") -> str:
    """Draw a bar chart as an ``<svg role="img">`` element (see ``chart_svg``)."""
    prefix = _safe_id(id_prefix)
    desc = describe(chart) if desc is None else desc
    body = _Svg()
    pattern_id = f"{prefix}-hatch"
    if chart.horizontal:
        width, height = _draw_horizontal(chart, body, pattern_id)
    else:
        width, height = _draw_vertical(chart, body, pattern_id)
    defs = ""
    if any(b.highlight for b in chart.bars):
        defs = (
            f'<defs><pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)">'
            f'<rect x="0" y="0" width="6" height="6" {paint("bar_highlight")} fill="currentColor"/>'
            f'<rect x="0" y="0" width="2" height="6" {paint("bar_highlight_hatch")} fill="currentColor"/>'
            f'</pattern></defs>'
        )
    return _head(prefix, width, height, title, desc) + defs + "".join(body.parts) + "</svg>"


# ---------------------------------------------------------------------------
# Dot plot and caterpillar chart


def _better_worse(lower_is_better: bool) -> tuple[str, str]:
    """The words at the left and right ends of a score axis."""
    return ("\u2190 better", "worse \u2192") if lower_is_better else ("\u2190 worse", "better \u2192")


def _score_ticks(lo: float, hi: float, target: int) -> list[float]:
    step = _nice_step(hi - lo, target)
    first = math.ceil(round(lo / step, 9)) * step
    out, k = [], 0
    while first + k * step <= hi + step * 1e-9:
        out.append(round(first + k * step, 10))
        k += 1
    return out


def _score_axis(svg: _Svg, left: float, right: float, y: float, lo: float, hi: float, label: str,
                lower_is_better: bool, x_of, target: int = 4, decimals: int = 0) -> float:
    """Axis line, ticks, "better"/"worse" ends and title; returns the y below it."""
    ticks = [(x_of(tick), tick) for tick in _score_ticks(lo, hi, target)]
    svg.lines([(left, y, right, y)] + [(x, y, x, y + 5) for x, _ in ticks], "axis", 1)
    for x, tick in ticks:
        svg.text(x, y + 5 + FONT_SIZE, f"{tick:.{decimals}f}", anchor="middle")
    y += 5 + FONT_SIZE + LINE_HEIGHT
    left_word, right_word = _better_worse(lower_is_better)
    svg.text(left, y, left_word, bold=True)
    svg.text(right, y, right_word, anchor="end", bold=True)
    middle = (left + right) / 2
    room = (right - left) - _text_width(left_word, bold=True) - _text_width(right_word, bold=True) - 20
    if _text_width(label) <= room:
        svg.text(middle, y, label, anchor="middle")
    else:
        y += LINE_HEIGHT
        svg.text(middle, y, label, anchor="middle")
    return y


def _key(svg: _Svg, y: float, key: str) -> float:
    for line in _wrap(key, WIDTH - 16, max_lines=6):
        y += LINE_HEIGHT
        svg.text(8, y, line, colour="chart_text")
    return y


def describe_dot_plot(chart: DotPlot) -> str:
    left_word = "better" if chart.lower_is_better else "worse"
    return (f"Dot plot of {chart.value_label}, one row for each of {len(chart.rows)} categories, axis from "
            f"{_fmt(chart.value_min)} ({left_word}) to {_fmt(chart.value_max)}. In each row a band shows the "
            f"peers' middle half, a tick their median and a dot this trust. The data are in the table that follows.")


def _draw_dot_plot(chart: DotPlot, svg: _Svg) -> tuple[float, float]:
    label_w = min(210.0, max((_text_width(r.label) for r in chart.rows), default=0.0))
    labels = [_wrap(r.label, label_w) for r in chart.rows]
    note_w = min(220.0, max((_text_width(r.note, bold=True) for r in chart.rows), default=0.0))
    notes = [_wrap(r.note, note_w, bold=True) if r.note else [] for r in chart.rows]
    left = 8 + label_w + 14
    right = WIDTH - 8 - (note_w + 16 if note_w else 0)
    lo, hi = chart.value_min, chart.value_max

    def x_of(v: float) -> float:
        v = min(max(v, lo), hi)
        return left + (v - lo) / (hi - lo) * (right - left)

    # each role's marks in every row as one element (bands, then medians, then dots): the rows do not overlap
    bands: list[tuple[float, float, float, float]] = []
    medians: list[tuple[float, float, float, float]] = []
    dots: list[tuple[float, float]] = []
    y = 8.0
    for row, label_lines, note_lines in zip(chart.rows, labels, notes):
        lines = max(len(label_lines), len(note_lines), 1)
        band_h = max(28.0, lines * LINE_HEIGHT + 10)
        cy = y + band_h / 2
        if row.lower is not None and row.upper is not None:
            x1, x2 = x_of(row.lower), x_of(row.upper)
            bands.append((x1, cy - 9, max(x2 - x1, 2.0), 18))
        if row.median is not None:
            xm = x_of(row.median)
            medians.append((xm, cy - 14, xm, cy + 14))
        if row.value is not None:
            dots.append((x_of(row.value), cy))
        first = cy - (len(label_lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
        for k, text in enumerate(label_lines):
            svg.text(left - 14, first + k * LINE_HEIGHT, text, anchor="end")
        first = cy - (len(note_lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
        for k, text in enumerate(note_lines):
            svg.text(right + 16, first + k * LINE_HEIGHT, text, bold=(k == 0))
        y += band_h
    svg.boxes(bands, "band", outline="axis")
    svg.lines(medians, "median", 3)
    for xv, cy in dots:
        svg.circle(xv, cy, 9, "background")  # a ring of the background around each dot
    svg.dots(dots, 7, "dot_highlight")
    y += 4
    y = _score_axis(svg, left, right, y, lo, hi, chart.value_label, chart.lower_is_better, x_of)
    if chart.key:
        y = _key(svg, y + 6, chart.key)
    return WIDTH, y + 10


def describe_caterpillar(chart: Caterpillar) -> str:
    where = "top" if chart.show_labels else "left"
    parts = [f"Caterpillar chart of {chart.value_label} for {len(chart.points)} trusts in order, best at the "
             f"{where}, axis from {_fmt(chart.value_min)} to {_fmt(chart.value_max)}"
             f" ({'lower' if chart.lower_is_better else 'higher'} is better)."]
    if any(p.low is not None for p in chart.points):
        parts.append("Each trust's likely range is a line through its dot.")
    if chart.cutoffs:
        parts.append(f"{len(chart.cutoffs)} segment cut-offs are dashed lines.")
    for p in chart.points:
        if p.highlight:
            parts.append(f"Highlighted with a larger outlined diamond and a label: {p.label} ({_fmt(p.value)}).")
    parts.append("The data are in the table that follows.")
    return " ".join(parts)


def _draw_caterpillar(chart: Caterpillar, svg: _Svg) -> tuple[float, float]:
    n = max(len(chart.points), 1)
    show = chart.show_labels
    widest = max((_text_width(p.label, bold=p.highlight) for p in chart.points), default=0.0)
    label_w = min(220.0, widest) if show else 0.0
    left = 12 + (label_w + 10 if show else 0)
    right = WIDTH - 14
    lo, hi = chart.value_min, chart.value_max
    row_h = min(16.0, max(1.8, 240.0 / n))
    if show:
        row_h = max(row_h, LINE_HEIGHT + 1)

    def x_of(v: float) -> float:
        v = min(max(v, lo), hi)
        return left + (v - lo) / (hi - lo) * (right - left)

    top = 8 + LINE_HEIGHT + 8
    bottom = top + n * row_h + 8
    # segments: every other one shaded, named above the plot
    edges = [left] + [x_of((c.low + c.high) / 2) for c in chart.cutoffs] + [right]
    for k in range(len(edges) - 1):
        if k % 2 == 1:
            svg.box(edges[k], top, edges[k + 1] - edges[k], bottom - top, "segment_shade")
    for k, name in enumerate(chart.segments[:len(edges) - 1]):
        span = edges[k + 1] - edges[k]
        text = name if _text_width(name) <= span - 6 else name.split()[-1]
        if _text_width(text) <= span - 4:
            svg.text((edges[k] + edges[k + 1]) / 2, 8 + FONT_SIZE, text, anchor="middle")
    for c in chart.cutoffs:
        if c.high > c.low:
            svg.box(x_of(c.low), top, x_of(c.high) - x_of(c.low), bottom - top, "band")
        x = x_of((c.low + c.high) / 2)
        svg.line(x, top - 4, x, bottom, "reference_line", 1.5, dash="5 3")
    # every trust, then the highlighted ones on top
    dot_r = min(4.5, max(1.5, row_h * 0.42))
    stroke = min(1.6, max(0.8, row_h * 0.45))
    rows = [(top + 4 + (i + 0.5) * row_h, p) for i, p in enumerate(chart.points)]
    highlighted = [(cy, p) for cy, p in rows if p.highlight]
    if show:
        for cy, p in rows:
            svg.text(left - 10, cy + FONT_SIZE * 0.35, p.label, anchor="end", bold=p.highlight)
    # ranges first, so that no range hides another trust's dot
    svg.lines([(x_of(p.low), cy, x_of(p.high), cy) for cy, p in rows
               if not p.highlight and p.low is not None and p.high is not None], "range", stroke)
    svg.dots([(x_of(p.value), cy) for cy, p in rows if not p.highlight], dot_r, "dot")
    for cy, p in highlighted:
        x_lo, x_hi = x_of(p.value), x_of(p.value)
        if p.low is not None and p.high is not None:
            x_lo, x_hi = x_of(p.low), x_of(p.high)
            svg.line(x_lo, cy, x_hi, cy, "dot_highlight", 4)
            svg.line(x_lo, cy - 6, x_lo, cy + 6, "dot_highlight", 2)
            svg.line(x_hi, cy - 6, x_hi, cy + 6, "dot_highlight", 2)
        svg.diamond(x_of(p.value), cy, 8, "dot_highlight", "bar_outline")
        wanted = list(chart.highlight_label) or [p.label]
        widest = max(_text_width(t, bold=True) for t in wanted)
        room_right, room_left = WIDTH - 8 - (x_hi + 14), x_lo - 14 - 8
        on_right = widest <= room_right or room_right >= room_left
        room = room_right if on_right else room_left
        lines = [part for t in wanted for part in _wrap(t, room, bold=True, max_lines=3)]
        text_w = min(max(_text_width(t, bold=True) for t in lines), room)
        block_h = len(lines) * LINE_HEIGHT
        if on_right:
            tx, anchor, bx = x_hi + 14, "start", x_hi + 10
        else:
            tx, anchor, bx = x_lo - 14, "end", x_lo - 18 - text_w
        ty = min(max(cy - block_h / 2, top), bottom - block_h)
        svg.box(bx, ty - 2, text_w + 8, block_h + 4, "background")
        for k, text in enumerate(lines):
            svg.text(tx, ty + FONT_SIZE + k * LINE_HEIGHT - 2, text, anchor=anchor, bold=True)
    y = _score_axis(svg, left, right, bottom, lo, hi, chart.value_label, chart.lower_is_better, x_of,
                    target=6, decimals=1)
    if chart.key:
        y = _key(svg, y + 6, chart.key)
    return WIDTH, y + 10


STRIP_PLOT_HEIGHT = 130.0  # the plot area of a caterpillar strip, in viewBox units


def _label_corner(marks: list[tuple[float, float, float]], x: float, own: tuple[float, float], w: float, h: float,
                  plot: tuple[float, float, float, float]) -> tuple[float, float]:
    """Where the highlighted trust's label goes in a strip: the corner of the plot whose box of ``w`` by ``h``
    hides the fewest trusts' dots and likely ranges (``marks``: x, and the top and bottom of each, in viewBox
    units) and never the trust's own; on a tie, the corner on the trust's side. Returns the text's top left."""
    left, top, right, bottom = plot
    low_y, high_x = bottom - h - 6, right - w - 6
    corners = [(left + 6, low_y), (high_x, top + 6), (left + 6, top + 6), (high_x, low_y)]
    if x > (left + right) / 2:  # the trust's side first, for ties
        corners = [corners[1], corners[0], corners[3], corners[2]]

    def hidden(bx: float, by: float) -> int:
        box_top, box_bottom = by - 2, by - 2 + h
        covered = sum(1 for mx, a, b in marks
                      if bx - 2 <= mx <= bx + w + 2 and min(a, b) - 2 <= box_bottom and max(a, b) + 2 >= box_top)
        if bx - 6 <= x <= bx + w + 6 and min(own) - 6 <= box_bottom and max(own) + 6 >= box_top:
            covered += len(marks) + 1  # never over the trust itself
        return covered

    return min(corners, key=lambda c: hidden(*c))


def _draw_strip(chart: Caterpillar, svg: _Svg) -> tuple[float, float]:
    """A caterpillar chart laid out as a strip: trusts along the axis in the order given (best on the
    left), score up the side with "better" at the top, likely ranges as vertical lines, cut-offs as
    dashed horizontal lines with the segments named at the right."""
    n = max(len(chart.points), 1)
    lo, hi = chart.value_min, chart.value_max
    ticks = _score_ticks(lo, hi, 6)
    tick_w = max(_text_width(f"{t:.1f}") for t in ticks)
    left = 8 + tick_w + 10
    seg_w = max((_text_width(name) for name in chart.segments), default=0.0)
    right = WIDTH - 8 - (seg_w + 10 if chart.segments else 0)
    top = 8 + LINE_HEIGHT + 6  # room for "better" above the plot
    bottom = top + STRIP_PLOT_HEIGHT

    def y_of(v: float) -> float:
        v = min(max(v, lo), hi)
        frac = (v - lo) / (hi - lo)
        return top + (frac if chart.lower_is_better else 1 - frac) * (bottom - top)

    step = (right - left) / n
    # segments: every other one shaded, named at the right
    edges = [y_of(lo)] + [y_of((c.low + c.high) / 2) for c in chart.cutoffs] + [y_of(hi)]
    for k in range(len(edges) - 1):
        if k % 2 == 1:
            svg.box(left, edges[k], right - left, edges[k + 1] - edges[k], "segment_shade")
    names = list(chart.segments[:len(edges) - 1])
    spans = [abs(edges[k + 1] - edges[k]) for k in range(len(names))]
    if names and min(spans) < LINE_HEIGHT + 4:
        # narrow segments: their numbers only, under one heading
        svg.text(right + 8, top - 6, names[0].rsplit(" ", 1)[0] if " " in names[0] else "")
        names = [name.split()[-1] for name in names]
    for k, name in enumerate(names):
        svg.text(right + 8, (edges[k] + edges[k + 1]) / 2 + FONT_SIZE * 0.35, name)
    for c in chart.cutoffs:
        if c.high > c.low:
            svg.box(left, y_of(c.low), right - left, y_of(c.high) - y_of(c.low), "band")
        y = y_of((c.low + c.high) / 2)
        svg.line(left, y, right + 4, y, "reference_line", 1.5, dash="5 3")
    xs = [left + (i + 0.5) * step for i in range(len(chart.points))]
    width = min(1.6, max(0.7, step * 0.45))
    dot_r = min(3.5, max(1.3, step * 0.4))
    # every trust, the highlighted one too (its diamond and range hide its dot and line): the same for each
    # trust's chart of the type, whichever trust it highlights
    svg.lines([(x, y_of(p.low), x, y_of(p.high)) for x, p in zip(xs, chart.points)
               if p.low is not None and p.high is not None], "range", width)
    svg.dots([(x, y_of(p.value)) for x, p in zip(xs, chart.points)], dot_r, "dot")
    # the score axis on the left, "better" at the top
    svg.lines([(left, top, left, bottom), (left, bottom, right, bottom)]
              + [(left - 5, y_of(tick), left, y_of(tick)) for tick in ticks], "axis", 1)
    for tick in ticks:
        svg.text(left - 8, y_of(tick) + FONT_SIZE * 0.35, f"{tick:.1f}", anchor="end")
    best, worst = ("\u2191 better", "\u2193 worse") if chart.lower_is_better else ("\u2191 worse", "\u2193 better")
    svg.text(8, 8 + FONT_SIZE, best, bold=True)
    y = bottom + LINE_HEIGHT
    svg.text(8, y, worst, bold=True)
    # the axis title starts after the "worse" word and wraps, so the two never overlap
    title_left = max(left, 8 + _text_width(worst, bold=True) + 12)
    title = _wrap(f"{chart.value_label} of each trust, best {chart.best_where}", right - title_left)
    for k, line in enumerate(title):
        svg.text(title_left, y + k * LINE_HEIGHT, line)
    y += (len(title) - 1) * LINE_HEIGHT
    if chart.key:
        y = _key(svg, y + 2, chart.key)
    # the highlighted trust on top of everything: the chart's overlay, drawn for each trust on the shared base
    with svg.overlay():
        for x, p in zip(xs, chart.points):
            if not p.highlight:
                continue
            y_lo, y_hi = y_of(p.value), y_of(p.value)
            if p.low is not None and p.high is not None:
                y_lo, y_hi = sorted((y_of(p.low), y_of(p.high)))
                svg.line(x, y_lo, x, y_hi, "dot_highlight", 4)
                svg.line(x - 6, y_lo, x + 6, y_lo, "dot_highlight", 2)
                svg.line(x - 6, y_hi, x + 6, y_hi, "dot_highlight", 2)
            svg.diamond(x, y_of(p.value), 8, "dot_highlight", "bar_outline")
            wanted = list(chart.highlight_label) or [p.label]
            room = (right - left) * 0.62
            lines = [part for t in wanted for part in _wrap(t, room, bold=True, max_lines=3)]
            text_w = min(max(_text_width(t, bold=True) for t in lines), room)
            block_h = len(lines) * LINE_HEIGHT
            marks = [(mx, y_of(q.low) if q.low is not None else y_of(q.value),
                      y_of(q.high) if q.high is not None else y_of(q.value)) for mx, q in zip(xs, chart.points)]
            bx, by = _label_corner(marks, x, (y_lo, y_hi), text_w + 8, block_h + 4, (left, top, right, bottom))
            # the leader runs from the trust's diamond to the nearest point of the label's box
            corner = (min(max(x, bx), bx + text_w + 8), min(max(y_of(p.value), by - 2), by + block_h + 2))
            svg.box(bx, by - 2, text_w + 8, block_h + 4, "background")
            svg.line(x, y_of(p.value), corner[0], corner[1], "bar_outline", 1)
            for k, text in enumerate(lines):
                svg.text(bx + 4, by + FONT_SIZE + k * LINE_HEIGHT - 2, text, bold=True)
    return WIDTH, y + 10


def _draw_horizontal(chart: BarChart, svg: _Svg, pattern_id: str) -> tuple[float, float]:
    axis = value_axis(chart)
    n = max(len(chart.bars), 1)
    labels = chart.show_category_labels
    # category label column
    if labels:
        widest = max((_text_width(bar_label(b), bold=b.highlight) for b in chart.bars), default=0)
        label_w = min(MAX_LABEL_WIDTH, max(widest, _text_width(chart.category_label, TITLE_SIZE, True))) + 10
        wrapped = [_wrap(bar_label(b), label_w - 10, bold=b.highlight) for b in chart.bars]
        bands = [max(24.0, len(lines) * LINE_HEIGHT + 9) for lines in wrapped]
    else:
        label_w = 12.0
        wrapped = [[] for _ in chart.bars]
        band = max(3.0, min(24.0, 420.0 / n))
        bands = [band] * n
    # the highlighted bars' labels go to the right of the plot when categories are unlabelled
    side_labels = [] if labels else [b for b in chart.bars if b.highlight]
    side_w = 0.0
    if side_labels:
        side_w = min(220.0, max(_text_width(bar_label(b), bold=True) for b in side_labels)) + 16
    left = label_w + 8
    right = WIDTH - 24 - side_w
    top = 14 + (TITLE_SIZE + 6) + 18 * len(chart.reference_lines)
    plot_h = sum(bands)
    bottom = top + plot_h
    height = bottom + 22 + TITLE_SIZE + 14

    def x_of(v: float) -> float:
        v = min(max(v, axis.lo), axis.hi)
        return left + (v - axis.lo) / (axis.hi - axis.lo) * (right - left)

    # category axis title above the labels
    if chart.category_label:
        svg.text(left - 8 if labels else left, 14 + TITLE_SIZE, chart.category_label,
                 anchor="end" if labels else "start", bold=True, size=TITLE_SIZE)
    # bars
    base = x_of(max(axis.lo, min(0.0, axis.hi)))
    y: float = top
    for bar, band, lines in zip(chart.bars, bands, wrapped):
        gap = band * (0.2 if band >= 8 else 0.15 if band >= 4 else 0.0)
        x1, x2 = sorted((base, x_of(bar.value)))
        svg.rect(x1, y + gap / 2, x2 - x1, band - gap, highlight=bar.highlight, pattern_id=pattern_id)
        if lines:
            first = y + band / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
            for k, line in enumerate(lines):
                svg.text(left - 8, first + k * LINE_HEIGHT, line, anchor="end", bold=bar.highlight)
        if bar.highlight and not labels:
            cy = y + band / 2
            svg.line(x2 + 3, cy, right + 10, cy, "bar_outline", 1)
            for k, line in enumerate(_wrap(bar_label(bar), side_w - 16, bold=True)):
                svg.text(right + 14, cy + FONT_SIZE * 0.35 + k * LINE_HEIGHT, line, bold=True)
        y += band
    # value axis along the bottom
    svg.lines([(left, bottom, right, bottom), (base, top, base, bottom)]
              + [(x_of(tick), bottom, x_of(tick), bottom + 5) for tick in axis.ticks], "axis", 1)
    for tick in axis.ticks:
        svg.text(x_of(tick), bottom + 5 + FONT_SIZE, _fmt(tick), anchor="middle")
    svg.text((left + right) / 2, bottom + 22 + TITLE_SIZE, chart.value_label,
             anchor="middle", bold=True, size=TITLE_SIZE)
    # reference lines, each with its label in its own row above the plot
    # left to right, top to bottom: a line then only crosses rows whose labels start to its right
    for k, (value, label) in enumerate(sorted(chart.reference_lines, key=lambda r: r[0])):
        x = x_of(value)
        label_y = 14 + TITLE_SIZE + 6 + 18 * k + FONT_SIZE
        svg.line(x, label_y + 3, x, bottom, "reference_line", 1.5, dash="5 3")
        text = f"{label}: {_fmt(value)}"
        anchor = "end" if x + _text_width(text) > WIDTH - 4 else "start"
        svg.text(x + (-4 if anchor == "end" else 4), label_y, text, anchor=anchor)
    return WIDTH, height


def _draw_vertical(chart: BarChart, svg: _Svg, pattern_id: str) -> tuple[float, float]:
    axis = value_axis(chart)
    n = max(len(chart.bars), 1)
    labels = chart.show_category_labels
    tick_w = max(_text_width(_fmt(t)) for t in axis.ticks) if axis.ticks else 20.0
    left = 12 + TITLE_SIZE + 8 + tick_w + 8
    ref_texts = [f"{label}: {_fmt(value)}" for value, label in chart.reference_lines]
    side_labels = [b for b in chart.bars if b.highlight] if not labels else []
    ref_w = max((_text_width(t) for t in ref_texts), default=0.0)
    ref_w = min(ref_w, 200.0)
    right = WIDTH - 12 - (ref_w + 10 if ref_texts else 0)
    top = 14 + TITLE_SIZE + 8 + (LINE_HEIGHT * 2 + 6 if side_labels else 0)
    plot_h = 260.0
    bottom = top + plot_h
    band = (right - left) / n
    # category labels: wrapped under each bar when there is room, else rotated 45 degrees
    upright = labels and band >= 56
    wrapped = [_wrap(bar_label(b), band - 6, bold=b.highlight, max_lines=5) for b in chart.bars] if upright else []
    if upright:
        label_h: float = max(len(lines) for lines in wrapped) * LINE_HEIGHT + 10
    elif labels:
        longest = max((_text_width(bar_label(b), bold=b.highlight) for b in chart.bars), default=0.0)
        label_h = longest * math.sin(math.radians(45)) + FONT_SIZE + 8
    else:
        label_h = 8.0
    height = bottom + label_h + 8 + TITLE_SIZE + 14

    def y_of(v: float) -> float:
        v = min(max(v, axis.lo), axis.hi)
        return bottom - (v - axis.lo) / (axis.hi - axis.lo) * plot_h

    base = y_of(max(axis.lo, min(0.0, axis.hi)))
    # value axis on the left, with its title rotated
    svg.lines([(left, top, left, bottom), (left, base, right, base)]
              + [(left - 5, y_of(tick), left, y_of(tick)) for tick in axis.ticks], "axis", 1)
    for tick in axis.ticks:
        svg.text(left - 8, y_of(tick) + FONT_SIZE * 0.35, _fmt(tick), anchor="end")
    svg.text(12 + TITLE_SIZE, (top + bottom) / 2, chart.value_label, anchor="middle",
             bold=True, size=TITLE_SIZE, rotate=-90)
    # bars and their (rotated) labels
    gap = band * (0.2 if band >= 8 else 0.15 if band >= 4 else 0.0)
    for i, bar in enumerate(chart.bars):
        x = left + i * band
        y1, y2 = sorted((base, y_of(bar.value)))
        svg.rect(x + gap / 2, y1, band - gap, y2 - y1, highlight=bar.highlight, pattern_id=pattern_id)
        cx = x + band / 2
        if upright:
            for k, line in enumerate(wrapped[i]):
                svg.text(cx, bottom + 6 + FONT_SIZE + k * LINE_HEIGHT, line, anchor="middle",
                         bold=bar.highlight)
        elif labels:
            svg.text(cx + 4, bottom + 12, bar_label(bar), anchor="end", bold=bar.highlight, rotate=-45)
        elif bar.highlight:
            svg.line(cx, y1 - 3, cx, top - 4, "bar_outline", 1)
            anchor = "middle"
            if cx - _text_width(bar_label(bar), bold=True) / 2 < 4:
                anchor = "start"
            elif cx + _text_width(bar_label(bar), bold=True) / 2 > WIDTH - 4:
                anchor = "end"
            svg.text(cx, top - 8, bar_label(bar), anchor=anchor, bold=True)
    # category axis title under the labels
    if chart.category_label:
        svg.text((left + right) / 2, bottom + label_h + 8 + TITLE_SIZE, chart.category_label,
                 anchor="middle", bold=True, size=TITLE_SIZE)
    # reference lines, labelled in the right margin, pushed apart if close
    placed: list[float] = []
    for (value, _label), text in sorted(zip(chart.reference_lines, ref_texts), key=lambda p: -p[0][0]):
        y = y_of(value)
        svg.line(left, y, right, y, "reference_line", 1.5, dash="5 3")
        label_y = y + FONT_SIZE * 0.35
        if placed and label_y < placed[-1] + LINE_HEIGHT:
            label_y = placed[-1] + LINE_HEIGHT
        placed.append(label_y)
        svg.text(right + 6, label_y, text)
    return WIDTH, height
