"""Bar charts as PNG, for the Word writer (Word has no reliable SVG support).

Drawn with Pillow, following the SVG writer's layout (``reportgen.render.svg``):
the same viewBox width of ``WIDTH`` units scaled to ``width_in * dpi`` pixels,
the same margins, bands, ticks (``value_axis``), label columns, reference-line
rows and highlight marks (hatch, outline, bold label with ``HIGHLIGHT_SUFFIX``).
Text is measured with the real font instead of the SVG's estimates, so labels
are wrapped, shortened (keeping the highlight suffix) or rotated where they
would otherwise collide or be clipped.

The picture is composed directly in palette indices: shapes and lines are
pixel-snapped and drawn in palette colours; text is drawn anti-aliased into a
coverage layer and mapped onto a ramp of blends of the text colour over the
background, and the hatch onto a ramp of blends of its two colours. So every
pixel is a palette colour or a blend of two, the PNG is a small 8-bit palette
image, and no colour quantisation is needed. There is no randomness, clock or
metadata (only the resolution), so the same chart gives the same bytes.

The font is Liberation Sans (Arial's metrics, as the SVG assumes) or else
DejaVu Sans, found once per process with fontconfig's ``fc-match``.
"""
from __future__ import annotations

import io
import math
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from ..model import Bar, BarChart
from .palette import rgb
from .svg import FONT_SIZE, HIGHLIGHT_SUFFIX, LINE_HEIGHT, MAX_LABEL_WIDTH, TITLE_SIZE, WIDTH, _fmt, value_axis

DPI = 150
WIDTH_IN = 6.3           # fits an A4 page with 2.5 cm margins (the Word writer's 16 cm)
FONT_FAMILIES = ("Liberation Sans", "DejaVu Sans")
COMPRESS_LEVEL = 6

EDGE = 4.0               # units kept clear at the picture's edges
ROTATED_MAX_WIDTH = 300  # longest rotated category label (units) before it is shortened
ROTATED_MIN_SPACING = 14  # units between neighbouring rotated labels, across their lines
ELLIPSIS = "\u2026"


class ChartFontError(RuntimeError):
    """No usable TrueType font for the PNG charts."""


# --- fonts -------------------------------------------------------------------------

def _fc_match(pattern: str) -> tuple[list[str], str]:
    out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", pattern], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    family, _, path = out.partition("\n")
    return [f.strip() for f in family.split(",")], path.strip()


@lru_cache(maxsize=1)
def font_files() -> tuple[str, str]:
    """(regular, bold) TrueType files of the first of ``FONT_FAMILIES`` installed."""
    tried = []
    for family in FONT_FAMILIES:
        try:
            families, regular = _fc_match(f"{family}:style=Regular")
            bold_families, bold = _fc_match(f"{family}:bold")
        except FileNotFoundError:
            raise ChartFontError(
                "fc-match (fontconfig) is not installed, so no font can be found for the Word charts; "
                "install fontconfig and fonts-liberation2 or fonts-dejavu-core") from None
        except (subprocess.SubprocessError, OSError) as exc:
            tried.append(f"{family} ({exc})")
            continue
        # fc-match always answers, with a fallback font if the family is missing
        if family in families and regular.lower().endswith((".ttf", ".otf")):
            if family not in bold_families or not bold.lower().endswith((".ttf", ".otf")):
                bold = regular
            return regular, bold
        tried.append(f"{family} (fc-match gave {', '.join(families) or 'nothing'})")
    raise ChartFontError("no TrueType font for the Word charts: tried " + "; ".join(tried)
                         + ". Install fonts-liberation2 or fonts-dejavu-core.")


@lru_cache(maxsize=8)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    regular, bold_file = font_files()
    return ImageFont.truetype(bold_file if bold else regular, size_px, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=8192)
def _length_px(size_px: int, bold: bool, text: str) -> float:
    return _font(size_px, bold).getlength(text)


# --- palette -----------------------------------------------------------------------

TEXT_LEVELS = 160        # text anti-aliasing: blends of chart_text over the background
HATCH_LEVELS = 32        # hatch anti-aliasing: blends of the hatch colour over the highlight


def _blend(fg: tuple[int, int, int], bg: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(f * t + b * (1 - t)) for f, b in zip(fg, bg))  # type: ignore[return-value]


@dataclass(frozen=True)
class _Palette:
    index: dict[str, int]          # palette colour name -> index
    text_lut: tuple[int, ...]      # text coverage 0-255 -> index
    hatch_lut: tuple[int, ...]     # hatch coverage 0-255 -> index
    data: bytes                    # the PLTE entries, 3 bytes each


@lru_cache(maxsize=1)
def _palette() -> _Palette:
    entries: list[tuple[int, int, int]] = []
    index: dict[str, int] = {}
    for name in ("background", "bar", "bar_highlight", "bar_highlight_hatch", "bar_outline", "axis",
                 "reference_line", "chart_text"):
        colour = rgb(name)
        if colour not in entries:
            entries.append(colour)
        index[name] = entries.index(colour)

    def ramp(fg: str, bg: str, levels: int) -> tuple[int, ...]:
        by_level = {0: index[bg], levels: index[fg]}
        for k in range(1, levels):
            colour = _blend(rgb(fg), rgb(bg), k / levels)
            if colour not in entries:
                entries.append(colour)
            by_level[k] = entries.index(colour)
        return tuple(by_level[round(c * levels / 255)] for c in range(256))

    text_lut = ramp("chart_text", "background", TEXT_LEVELS)
    hatch_lut = ramp("bar_highlight_hatch", "bar_highlight", HATCH_LEVELS)
    assert len(entries) <= 256
    return _Palette(index, text_lut, hatch_lut, b"".join(bytes(c) for c in entries))


@lru_cache(maxsize=8)
def _hatch_lut(period: int, stripe: float) -> bytes:
    """Palette index of the hatch at each residue of ``x + y`` modulo ``period``.

    The stripes run at 45 degrees ("/"), ``stripe`` wide out of ``period``,
    measured along ``x + y``; each pixel gets the share of it they cover.
    """
    lut = _palette().hatch_lut
    out = []
    steps = 64
    for r in range(period):
        covered = 0.0
        for k in range(steps):  # x + y over a pixel is triangular on [r, r + 2]
            u = r + 2 * (k + 0.5) / steps
            weight = u - r if u - r <= 1 else r + 2 - u
            if u % period < stripe:
                covered += weight
        out.append(lut[min(255, round(255 * covered / (steps / 2)))])
    return bytes(out)


# --- text fitting ------------------------------------------------------------------

def _break_word(word: str, max_px: float, measure) -> list[str]:
    pieces, current = [], ""
    for ch in word:
        if current and measure(current + ch) > max_px:
            pieces.append(current)
            current = ch
        else:
            current += ch
    return pieces + ([current] if current else [])


def _wrap(text: str, max_px: float, measure) -> list[str]:
    """Greedy word wrap with the real font; words wider than a line are broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if measure(word) > max_px:
            if current:
                lines.append(current)
            *full, current = _break_word(word, max_px, measure)
            lines.extend(full)
            continue
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > max_px:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _fit(label: str, suffix: str, max_px: float, max_lines: int, measure) -> list[str]:
    """``label`` (then ``suffix``) in at most ``max_lines`` lines of ``max_px``.

    If it does not fit, the label (never the suffix) is shortened with an ellipsis.
    """
    def attempt(text: str) -> list[str]:
        return _wrap(f"{text} {suffix}" if suffix else text, max_px, measure)

    lines = attempt(label)
    if len(lines) <= max_lines:
        return lines
    lo, hi = 0, len(label)  # the longest prefix that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(attempt(label[:mid].rstrip() + ELLIPSIS)) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    cut = label[:lo]
    space = cut.rfind(" ")
    if space >= 0.6 * lo:  # rather at the end of a word, unless that loses much
        cut = cut[:space]
    return attempt(cut.rstrip(" ,;:-\u2013") + ELLIPSIS)[:max_lines]


# --- drawing -----------------------------------------------------------------------

class _Canvas:
    """A picture in palette indices plus a layer of text coverage, in SVG units."""

    def __init__(self, width_px: int, scale: float) -> None:
        self.width_px = width_px
        self.s = scale
        self.font_px = max(6, round(FONT_SIZE * scale))
        self.title_px = max(6, round(TITLE_SIZE * scale))
        self.pal = _palette()
        self.items: list = []  # drawing deferred until the height is known

    # measuring, in units
    def measure(self, bold: bool = False, title: bool = False):
        size = self.title_px if title else self.font_px
        s = self.s
        return lambda text: _length_px(size, bold, text) / s

    def width(self, text: str, bold: bool = False, title: bool = False) -> float:
        return self.measure(bold, title)(text)

    # recording
    def rect(self, x1: float, y1: float, x2: float, y2: float, *, highlight: bool,
             gap_x: float = 0.0, gap_y: float = 0.0) -> None:
        self.items.append(("rect", x1, y1, x2, y2, highlight, gap_x, gap_y))

    def hline(self, x1: float, x2: float, y: float, colour: str, width: float = 1, dash=None) -> None:
        self.items.append(("line", x1, y, x2, y, colour, width, dash))

    def vline(self, x: float, y1: float, y2: float, colour: str, width: float = 1, dash=None) -> None:
        self.items.append(("line", x, y1, x, y2, colour, width, dash))

    def text(self, x: float, y: float, content: str, *, anchor: str = "start", bold: bool = False,
             title: bool = False) -> None:
        """One line of text with its baseline at ``y``, kept inside the picture."""
        w = self.width(content, bold, title)
        start = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
        start = max(EDGE, min(start, WIDTH - EDGE - w))
        self.items.append(("text", start, y, content, bold, title))

    def block(self, x: float, y: float, lines: list[str], *, angle: float, bold: bool = False,
              title: bool = False) -> None:
        """Lines of text, right-aligned, turned ``angle`` degrees anticlockwise about
        the middle of their right edge, which is put at (``x``, ``y``)."""
        self.items.append(("block", x, y, tuple(lines), angle, bold, title))

    def block_extent(self, lines: list[str], angle: float, bold: bool = False,
                     title: bool = False) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of ``block`` relative to its anchor, in units."""
        w = max(self.width(t, bold, title) for t in lines)
        h = len(lines) * LINE_HEIGHT
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        xs, ys = [], []
        for dx, dy in ((-w, -h / 2), (0, -h / 2), (-w, h / 2), (0, h / 2)):
            xs.append(c * dx + s * dy)
            ys.append(-s * dx + c * dy)
        return min(xs), min(ys), max(xs), max(ys)

    # rendering
    def render(self, height: float, dpi: int) -> bytes:
        s, pal = self.s, self.pal
        size = (self.width_px, max(1, round(height * s)))
        image = Image.new("L", size, pal.index["background"])
        draw = ImageDraw.Draw(image)
        layer = Image.new("L", size, 0)
        text_draw = ImageDraw.Draw(layer)
        text_draw.fontmode = "L"
        for item in self.items:
            kind = item[0]
            if kind == "rect":
                self._draw_rect(image, draw, *item[1:])
            elif kind == "line":
                self._draw_line(draw, *item[1:])
            elif kind == "text":
                _, x, y, content, bold, title = item
                font = _font(self.title_px if title else self.font_px, bold)
                text_draw.text((x * s, y * s), content, fill=255, font=font, anchor="ls")
            else:
                self._draw_block(layer, *item[1:])
        # text over everything, as blends of the text colour over the background
        mask = layer.point([0] + [255] * 255)
        image.paste(layer.point(list(pal.text_lut)), (0, 0), mask)
        out = Image.frombytes("P", size, image.tobytes())
        out.putpalette(pal.data)
        buf = io.BytesIO()
        out.save(buf, format="PNG", optimize=False, compress_level=COMPRESS_LEVEL, dpi=(dpi, dpi))
        return buf.getvalue()

    def _px(self, v: float) -> int:
        return round(v * self.s)

    def _snap(self, a: float, b: float, gap: float) -> tuple[int, int]:
        """Pixel edges of a band from ``a`` to ``b`` less ``gap``: the band's edges are
        snapped first, then the gap (at least a pixel) taken out, so thin bars keep even gaps."""
        pa, pb = self._px(a), self._px(b)
        if gap > 0:
            g = max(1, round(gap * self.s))
            pa, pb = pa + g // 2, pb - (g - g // 2)
        return pa, pb

    def _draw_rect(self, image, draw, x1, y1, x2, y2, highlight, gap_x, gap_y) -> None:
        # the band's edges are snapped first, then the gap taken out of it, so that
        # thin bars keep even gaps
        px1, px2 = self._snap(x1, x2, gap_x)
        py1, py2 = self._snap(y1, y2, gap_y)
        idx = self.pal.index
        if not highlight:
            if px2 > px1 and py2 > py1:
                draw.rectangle((px1, py1, px2 - 1, py2 - 1), fill=idx["bar"])
            return
        w, h = px2 - px1, py2 - py1
        outline = max(1, min(round(2 * self.s), min(w, h) // 4))
        if w < 2 * outline + 1 or h < 2 * outline + 1:
            # too thin for a hatch (a zero-length bar): its outline only, as the SVG's stroke
            if w <= 0:
                px1, px2 = px1 - outline, px1 + outline
            if h <= 0:
                py1, py2 = py1 - outline, py1 + outline
            draw.rectangle((px1, py1, px2 - 1, py2 - 1), fill=idx["bar_outline"])
            return
        period = max(3, round(6 * math.sqrt(2) * self.s))
        lut = _hatch_lut(period, period / 3)
        start = px1 + py1
        diag = bytes(lut[d % period] for d in range(start, start + w + h))
        hatch = Image.frombytes("L", (w, h), b"".join(diag[j:j + w] for j in range(h)))
        image.paste(hatch, (px1, py1))
        draw.rectangle((px1, py1, px2 - 1, py2 - 1), outline=idx["bar_outline"], width=outline)

    def _draw_line(self, draw, x1, y1, x2, y2, colour, width, dash) -> None:
        t = max(1, round(width * self.s))
        fill = self.pal.index[colour]
        if y1 == y2:  # horizontal
            y = self._px(y1) - t // 2
            a, b = sorted((self._px(x1), self._px(x2)))
            segments = self._dashes(a, b, dash)
            for p, q in segments:
                draw.rectangle((p, y, q - 1 if q > p else p, y + t - 1), fill=fill)
        else:
            x = self._px(x1) - t // 2
            a, b = sorted((self._px(y1), self._px(y2)))
            for p, q in self._dashes(a, b, dash):
                draw.rectangle((x, p, x + t - 1, q - 1 if q > p else p), fill=fill)

    def _dashes(self, a: int, b: int, dash) -> list[tuple[int, int]]:
        if not dash:
            return [(a, b + 1)]
        on, off = (max(1, round(v * self.s)) for v in dash)
        return [(p, min(p + on, b + 1)) for p in range(a, b + 1, on + off)]

    def _draw_block(self, layer, x, y, lines, angle, bold, title) -> None:
        s = self.s
        size_px = self.title_px if title else self.font_px
        font = _font(size_px, bold)
        pad = 3
        w = math.ceil(max(_length_px(size_px, bold, t) for t in lines))
        h = math.ceil(len(lines) * LINE_HEIGHT * s)
        flat = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
        flat_draw = ImageDraw.Draw(flat)
        flat_draw.fontmode = "L"
        ax, ay = pad + w, pad + h / 2  # the anchor: middle of the right edge
        for k, line in enumerate(lines):
            baseline = ay + ((k - (len(lines) - 1) / 2) * LINE_HEIGHT + FONT_SIZE * 0.35) * s
            flat_draw.text((ax, baseline), line, fill=255, font=font, anchor="rs")
        tx, ty = x * s, y * s
        if angle == 90:  # lossless
            turned = flat.transpose(Image.Transpose.ROTATE_90)
            # (px, py) -> (py, W - px)
            ox, oy = round(tx - ay), round(ty - (flat.width - ax))
            layer.paste(255, (ox, oy), turned)
            return
        c, sn = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        xs, ys = [], []
        for px_, py_ in ((0, 0), (flat.width, 0), (0, flat.height), (flat.width, flat.height)):
            dx, dy = px_ - ax, py_ - ay
            xs.append(tx + c * dx + sn * dy)
            ys.append(ty - sn * dx + c * dy)
        ox, oy = math.floor(min(xs)), math.floor(min(ys))
        ow, oh = math.ceil(max(xs)) - ox, math.ceil(max(ys)) - oy
        # output pixel (i, j) is canvas point (ox + i, oy + j); map it back onto ``flat``
        data = (c, -sn, ax + c * (ox - tx) - sn * (oy - ty),
                sn, c, ay + sn * (ox - tx) + c * (oy - ty))
        turned = flat.transform((ow, oh), Image.Transform.AFFINE, data, resample=Image.Resampling.BICUBIC)
        layer.paste(255, (ox, oy), turned)


# --- layouts (as svg._draw_horizontal and svg._draw_vertical) ---------------------------

def _suffix(bar: Bar) -> str:
    return HIGHLIGHT_SUFFIX if bar.highlight else ""


def _full(bar: Bar) -> str:
    return f"{bar.label} {HIGHLIGHT_SUFFIX}" if bar.highlight else bar.label


def _ref_text(value: float, label: str) -> str:
    return f"{label}: {_fmt(value)}"


def _reference_rows(refs: list[tuple[float, str, float, float]]) -> list[int]:
    """The order, top row first, of the reference-line labels of a horizontal chart.

    ``refs`` are (x of the line, text, label start, label end), left to right. A
    line runs down from its own row, so a label whose span holds another line's x
    goes above that line's row. Among the labels free to go next, the leftmost goes
    first (the SVG's order); on a cycle, the leftmost left.
    """
    must_follow = {j: {k for k, (_, _, a, b) in enumerate(refs) if k != j and a - 2 <= refs[j][0] <= b + 2}
                   for j in range(len(refs))}
    order: list[int] = []
    left = list(range(len(refs)))
    while left:
        ready = [j for j in left if not (must_follow[j] & set(left))]
        nxt = ready[0] if ready else left[0]
        order.append(nxt)
        left.remove(nxt)
    return order


def _horizontal(chart: BarChart, cv: _Canvas) -> float:
    axis = value_axis(chart)
    n = max(len(chart.bars), 1)
    labels = chart.show_category_labels
    if labels:
        widest = max((cv.width(_full(b), b.highlight) for b in chart.bars), default=0.0)
        label_w = min(MAX_LABEL_WIDTH, max(widest, cv.width(chart.category_label, True, True))) + 10
        wrapped = [_fit(b.label, _suffix(b), label_w - 10, 3, cv.measure(b.highlight)) for b in chart.bars]
        bands = [max(24.0, len(lines) * LINE_HEIGHT + 9) for lines in wrapped]
    else:
        label_w = 12.0
        wrapped = [[] for _ in chart.bars]
        band = max(3.0, min(24.0, 420.0 / n))
        bands = [band] * n
    side_labels = [] if labels else [b for b in chart.bars if b.highlight]
    side_w = 0.0
    if side_labels:
        side_w = min(220.0, max(cv.width(_full(b), True) for b in side_labels)) + 16
    left = label_w + 8
    right = WIDTH - 24 - side_w
    top = 14 + (TITLE_SIZE + 6) + 18 * len(chart.reference_lines)
    bottom = top + sum(bands)
    height: float = bottom + 22 + TITLE_SIZE + 14

    def x_of(v: float) -> float:
        v = min(max(v, axis.lo), axis.hi)
        return left + (v - axis.lo) / (axis.hi - axis.lo) * (right - left)

    if chart.category_label:
        title = _fit(chart.category_label, "", WIDTH - 2 * EDGE, 1, cv.measure(True, True))[0]
        cv.text(left - 8 if labels else left, 14 + TITLE_SIZE, title,
                anchor="end" if labels else "start", bold=True, title=True)
    base = x_of(max(axis.lo, min(0.0, axis.hi)))
    y: float = top
    side_next = 0.0  # the highest baseline the next side label may take
    for bar, band, lines in zip(chart.bars, bands, wrapped):
        gap = band * (0.2 if band >= 8 else 0.15 if band >= 4 else 0.0)
        x1, x2 = sorted((base, x_of(bar.value)))
        cv.rect(x1, y, x2, y + band, highlight=bar.highlight, gap_y=gap)
        if lines:
            first = y + band / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
            for k, line in enumerate(lines):
                cv.text(left - 8, first + k * LINE_HEIGHT, line, anchor="end", bold=bar.highlight)
        if bar.highlight and not labels:
            cy = y + band / 2
            cv.hline(x2 + 3, right + 10, cy, "bar_outline", 1)
            side = _fit(bar.label, HIGHLIGHT_SUFFIX, side_w - 16, 3, cv.measure(True))
            first = max(cy + FONT_SIZE * 0.35, side_next)
            for k, line in enumerate(side):
                cv.text(right + 14, first + k * LINE_HEIGHT, line, bold=True)
            side_next = first + len(side) * LINE_HEIGHT
            height = max(height, side_next + 4)
        y += band
    # value axis along the bottom
    cv.hline(left, right, bottom, "axis", 1)
    cv.vline(base, top, bottom, "axis", 1)
    for tick in axis.ticks:
        x = x_of(tick)
        cv.vline(x, bottom, bottom + 5, "axis", 1)
        cv.text(x, bottom + 5 + FONT_SIZE, _fmt(tick), anchor="middle")
    title = _fit(chart.value_label, "", WIDTH - 2 * EDGE, 1, cv.measure(True, True))[0]
    cv.text((left + right) / 2, bottom + 22 + TITLE_SIZE, title, anchor="middle", bold=True, title=True)
    # reference lines, each labelled in its own row above the plot; a line runs down
    # from its own row, so it must not cross the label of any row below it
    spans: list[tuple[float, str, float, float]] = []
    for value, label in sorted(chart.reference_lines, key=lambda r: r[0]):
        x = x_of(value)
        text = _fit(_ref_text(value, label), "", WIDTH - 2 * EDGE, 1, cv.measure())[0]
        w = cv.width(text)
        if x + 4 + w > WIDTH - EDGE:  # no room to the right: the label ends at the line
            start = max(EDGE, x - 4 - w)
        else:
            start = x + 4
        spans.append((x, text, start, start + w))
    row_of = {k: r for r, k in enumerate(_reference_rows(spans))}
    refs = [(*span, 14 + TITLE_SIZE + 6 + 18 * row_of[k] + FONT_SIZE) for k, span in enumerate(spans)]
    for x, text, start, _end, label_y in refs:
        # the line, broken where it would still cross a label below its own (only if
        # no order of the rows avoids that)
        y = label_y + 4
        for _x, _t, a, b, other_y in sorted(refs, key=lambda r: r[4]):
            if other_y > label_y and a - 2 <= x <= b + 2:
                cv.vline(x, y, other_y - FONT_SIZE, "reference_line", 1.5, dash=(5, 3))
                y = other_y + 4
        cv.vline(x, y, bottom, "reference_line", 1.5, dash=(5, 3))
        cv.text(start, label_y, text)
    return height


def _vertical(chart: BarChart, cv: _Canvas) -> float:
    axis = value_axis(chart)
    n = max(len(chart.bars), 1)
    bars = chart.bars
    labels = chart.show_category_labels
    tick_w = max(cv.width(_fmt(t)) for t in axis.ticks) if axis.ticks else 20
    plot_h = 260.0
    title_lines = _fit(chart.value_label, "", plot_h + 60, 2, cv.measure(True, True))
    left = 12 + TITLE_SIZE + 8 + tick_w + 8 + (len(title_lines) - 1) * LINE_HEIGHT
    refs = sorted(chart.reference_lines, key=lambda r: -r[0])
    ref_w = min(max((cv.width(_ref_text(v, lb)) for v, lb in refs), default=0.0), 200.0)
    ref_lines = [_fit(lb + ":", _fmt(v), ref_w, 2, cv.measure()) for v, lb in refs]
    right = WIDTH - 12 - (ref_w + 10 if refs else 0)
    side_labels = [b for b in bars if b.highlight] if not labels else []
    top = 14 + TITLE_SIZE + 8 + (LINE_HEIGHT * 2 + 6 if side_labels else 0)
    bottom = top + plot_h
    band = (right - left) / n
    # category labels: wrapped under each bar when every word fits, else turned
    upright = False
    wrapped: list[list[str]] = []
    if labels and band >= 56:
        wrapped = [_wrap(_full(b), band - 6, cv.measure(b.highlight)) for b in bars]
        upright = all(len(lines) <= 5 and max(cv.width(t, b.highlight) for t in lines) <= band - 6
                      for b, lines in zip(bars, wrapped))
    angle, shown = 45.0, list(range(len(bars)))
    if labels and not upright:
        across = band * math.sin(math.radians(45))
        if across < ROTATED_MIN_SPACING:
            angle, across = 90.0, band
        if across < ROTATED_MIN_SPACING:  # too many to label every one: every k-th, and the highlighted
            step = math.ceil(ROTATED_MIN_SPACING / band)
            marked = [i for i, b in enumerate(bars) if b.highlight]
            shown = sorted(set(marked) | {i for i in range(0, len(bars), step)
                                          if all(abs(i - m) >= step for m in marked)})
        max_lines = max(1, min(2, int((across - 2) // LINE_HEIGHT)))
        max_w = ROTATED_MAX_WIDTH if max_lines == 1 else ROTATED_MAX_WIDTH / 2
        wrapped = [_fit(b.label, _suffix(b), max_w, max_lines, cv.measure(b.highlight)) for b in bars]
        extents = [cv.block_extent(lines, angle, b.highlight) for b, lines in zip(bars, wrapped)]
        # turned labels reach left of their bars: widen the left margin until none is clipped
        for _ in range(6):
            band = (right - left) / n
            short = max(EDGE - (left + (i + 0.5) * band + extents[i][0]) for i in shown)
            if short <= 0:
                break
            left += short / (1 - 0.5 / n) + 0.5
        band = (right - left) / n
        label_h = max(9 + extents[i][3] for i in shown) + 6
    elif upright:
        label_h = max(len(lines) for lines in wrapped) * LINE_HEIGHT + 10
    else:
        label_h = 8.0
    height = bottom + label_h + 8 + TITLE_SIZE + 14

    def y_of(v: float) -> float:
        v = min(max(v, axis.lo), axis.hi)
        return bottom - (v - axis.lo) / (axis.hi - axis.lo) * plot_h

    base = y_of(max(axis.lo, min(0.0, axis.hi)))
    # value axis on the left, its title turned
    cv.vline(left, top, bottom, "axis", 1)
    cv.hline(left, right, base, "axis", 1)
    for tick in axis.ticks:
        y = y_of(tick)
        cv.hline(left - 5, left, y, "axis", 1)
        cv.text(left - 8, y + FONT_SIZE * 0.35, _fmt(tick), anchor="end")
    # anchor of a block turned 90 degrees: the middle of its right edge, at the top;
    # keep it inside the picture
    title_w = max(cv.width(t, True, True) for t in title_lines)
    title_top = max(EDGE, min((top + bottom) / 2 - title_w / 2, height - EDGE - title_w))
    title_x = 12 + TITLE_SIZE - FONT_SIZE * 0.35 + (len(title_lines) - 1) * LINE_HEIGHT / 2
    cv.block(title_x, title_top, title_lines, angle=90, bold=True, title=True)
    # bars and their labels
    gap = band * (0.2 if band >= 8 else 0.15 if band >= 4 else 0.0)
    side_placed: list[tuple[float, float, int]] = []
    for i, bar in enumerate(bars):
        x = left + i * band
        y1, y2 = sorted((base, y_of(bar.value)))
        cv.rect(x, y1, x + band, y2, highlight=bar.highlight, gap_x=gap)
        cx = x + band / 2
        if upright:
            for k, line in enumerate(wrapped[i]):
                cv.text(cx, bottom + 6 + FONT_SIZE + k * LINE_HEIGHT, line, anchor="middle", bold=bar.highlight)
        elif labels:
            if i in shown:
                cv.block(cx + 1, bottom + 9, wrapped[i], angle=angle, bold=bar.highlight)
        elif bar.highlight:
            # (3 units higher than the SVG's, clear of the top tick label)
            cv.vline(cx, y1 - 3, top - 6, "bar_outline", 1)
            text = _fit(bar.label, HIGHLIGHT_SUFFIX, WIDTH - 2 * EDGE, 1, cv.measure(True))[0]
            w = cv.width(text, True)
            start = max(EDGE, min(cx - w / 2, WIDTH - EDGE - w))
            # a second highlighted bar's label goes one line higher if the two would meet
            row = 0
            while any(r == row and not (start + w + 6 < a or start > b + 6) for a, b, r in side_placed):
                row += 1
            side_placed.append((start, start + w, row))
            cv.text(start, top - 11 - row * LINE_HEIGHT, text, bold=True)
    if chart.category_label:
        title = _fit(chart.category_label, "", WIDTH - 2 * EDGE, 1, cv.measure(True, True))[0]
        cv.text((left + right) / 2, bottom + label_h + 8 + TITLE_SIZE, title,
                anchor="middle", bold=True, title=True)
    # reference lines, labelled in the right margin, pushed apart if close
    placed = -math.inf
    for (value, _label), lines in zip(refs, ref_lines):
        y = y_of(value)
        cv.hline(left, right, y, "reference_line", 1.5, dash=(5, 3))
        label_y = max(y + FONT_SIZE * 0.35, placed + LINE_HEIGHT)
        for k, line in enumerate(lines):
            cv.text(right + 6, label_y + k * LINE_HEIGHT, line)
        placed = label_y + (len(lines) - 1) * LINE_HEIGHT
        height = max(height, placed + 8)
    return height


def bar_chart_png(chart: BarChart, *, dpi: int = DPI, width_in: float = WIDTH_IN) -> bytes:
    """Draw ``chart`` as PNG bytes: ``width_in`` inches wide at ``dpi`` (deterministic)."""
    width_px = max(1, round(width_in * dpi))
    canvas = _Canvas(width_px, width_px / WIDTH)
    height = _horizontal(chart, canvas) if chart.horizontal else _vertical(chart, canvas)
    return canvas.render(height, dpi)
