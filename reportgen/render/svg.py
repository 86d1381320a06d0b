"""Bar charts as hand-written SVG, for the HTML and PDF writers.

Pure string building: no plotting library, no randomness, no clock, so the
same chart always gives the same bytes, and a release's few hundred charts
take milliseconds. The SVG is meant to be inlined in HTML (it passes the Nu
Html Checker) and drawn by WeasyPrint, so it sticks to plain presentation
attributes (no ``<style>``, no CSS classes, no external references).

The highlighted bar is told apart without colour three ways: a hatch pattern,
a dark outline, and its label in bold followed by ``HIGHLIGHT_SUFFIX``.
Colours come from ``reportgen.render.palette``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape

from ..model import Bar, BarChart
from .palette import COLOURS

#: Added after the label of the highlighted bar (in bold), so that the
#: highlight does not rely on colour or pattern alone.
HIGHLIGHT_SUFFIX = "(highlighted)"

FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
FONT_SIZE = 13           # tick and category labels, px (= viewBox units)
TITLE_SIZE = 13          # axis titles
CHAR_WIDTH = 0.56        # average glyph advance of Arial, in em
BOLD_CHAR_WIDTH = 0.61

WIDTH = 720              # viewBox width; CSS scales the chart to its container
MAX_LABEL_WIDTH = 260    # category label column, horizontal charts
LINE_HEIGHT = 15


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    ticks: tuple[float, ...]


def _fmt(value: float) -> str:
    """A number for an axis label: at most 2 decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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


def _text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    return len(text) * size * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH)


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


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def text(self, x: float, y: float, content: str, *, anchor: str = "start",
             bold: bool = False, size: float = FONT_SIZE, rotate: float | None = None,
             colour: str = "chart_text") -> None:
        attrs = [f'x="{_num(x)}"', f'y="{_num(y)}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if bold:
            attrs.append('font-weight="bold"')
        if size != FONT_SIZE:
            attrs.append(f'font-size="{_num(size)}"')
        if rotate is not None:
            attrs.append(f'transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"')
        attrs.append(f'fill="{COLOURS[colour]}"')
        self.add(f'<text {" ".join(attrs)}>{escape(content, quote=False)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str,
             width: float = 1, dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                 f'stroke="{COLOURS[colour]}" stroke-width="{_num(width)}"{extra}/>')

    def rect(self, x: float, y: float, w: float, h: float, *, highlight: bool, pattern_id: str) -> None:
        if highlight:
            self.add(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
                     f'height="{_num(max(h, 0))}" fill="url(#{pattern_id})" '
                     f'stroke="{COLOURS["bar_outline"]}" stroke-width="2"/>')
        else:
            self.add(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
                     f'height="{_num(max(h, 0))}" fill="{COLOURS["bar"]}"/>')


def bar_chart_svg(chart: BarChart, *, title: str, desc: str | None = None,
                  id_prefix: str = "chart") -> str:
    """Draw ``chart`` as an ``<svg role="img">`` element.

    ``title`` becomes the SVG ``<title>`` (the accessible name, and the PDF
    /Alt); ``desc`` the ``<desc>`` (default: ``describe(chart)``).
    ``id_prefix`` must be unique in the page: it prefixes the ids of the
    title, description and hatch pattern.
    """
    prefix = _safe_id(id_prefix)
    desc = describe(chart) if desc is None else desc
    body = _Svg()
    pattern_id = f"{prefix}-hatch"
    if chart.horizontal:
        width, height = _draw_horizontal(chart, body, pattern_id)
    else:
        width, height = _draw_vertical(chart, body, pattern_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}">'
        f'<title id="{prefix}-title">{escape(title, quote=False)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc, quote=False)}</desc>'
    )
    defs = ""
    if any(b.highlight for b in chart.bars):
        defs = (
            f'<defs><pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)">'
            f'<rect x="0" y="0" width="6" height="6" fill="{COLOURS["bar_highlight"]}"/>'
            f'<rect x="0" y="0" width="2" height="6" fill="{COLOURS["bar_highlight_hatch"]}"/>'
            f'</pattern></defs>'
        )
    return head + defs + "".join(body.parts) + "</svg>"


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
    svg.line(left, bottom, right, bottom, "axis", 1)
    svg.line(base, top, base, bottom, "axis", 1)
    for tick in axis.ticks:
        x = x_of(tick)
        svg.line(x, bottom, x, bottom + 5, "axis", 1)
        svg.text(x, bottom + 5 + FONT_SIZE, _fmt(tick), anchor="middle")
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
        longest = max((_text_width(bar_label(b), bold=b.highlight) for b in chart.bars), default=0)
        label_h = longest * math.sin(math.radians(45)) + FONT_SIZE + 8
    else:
        label_h = 8.0
    height = bottom + label_h + 8 + TITLE_SIZE + 14

    def y_of(v: float) -> float:
        v = min(max(v, axis.lo), axis.hi)
        return bottom - (v - axis.lo) / (axis.hi - axis.lo) * plot_h

    base = y_of(max(axis.lo, min(0.0, axis.hi)))
    # value axis on the left, with its title rotated
    svg.line(left, top, left, bottom, "axis", 1)
    svg.line(left, base, right, base, "axis", 1)
    for tick in axis.ticks:
        y = y_of(tick)
        svg.line(left - 5, y, left, y, "axis", 1)
        svg.text(left - 8, y + FONT_SIZE * 0.35, _fmt(tick), anchor="end")
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
