"""PNG pictures of the SVG charts, for the Word writer (Word has no reliable SVG support).

The PNG is the SVG of ``reportgen.render.svg`` rasterised by CairoSVG, so
Word shows the same chart as the HTML and PDF: one drawing, two outputs.
Text is set in the Liberation Sans shipped in ``reportgen/fonts/``, which
``chart_font`` adds to fontconfig (as Cairo finds fonts) under a family name
of its own, so the chart is the same on every machine whatever fonts it has;
a machine whose fontconfig cannot be loaded fails with one clear sentence.
"""
from __future__ import annotations

import io
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache

import cairocffi
import numpy as np
import png
from cairosvg.parser import Tree
from cairosvg.surface import PNGSurface
from zlib_ng import zlib_ng

from .. import fonts
from ..model import BarChart, Chart
from . import cairosvg_draw
from .cairosvg_text import install as _plain_text_drawn_with_fewer_calls
from .svg import FONT_FAMILY, WORD_COLUMN_MM, chart_layers, chart_svg

#: Pixels per inch of the Word pictures (print quality).
DPI = 200
#: zlib-ng level of the PNG. A chart is mostly flat colour, so it deflates well at any level; zlib-ng's level 1
#: makes files about a fifth larger, its level 2 (under 1 ms a chart) about as small as zlib's level 1.
PNG_LEVEL = 2


class _Pixels(threading.local):
    """The one block of memory a thread's chart surfaces draw in, kept and reused, and the one its PNG rows are
    written in: a chart's surface is about 2 MB, and memory the allocator takes fresh from the system for each
    chart is paid for again, a page fault a page (about 1,400 a chart), as it is first written. Each thread has
    its own (Cairo lets other threads run while it draws), and draws one chart at a time."""

    def __init__(self) -> None:
        self.surface = bytearray()
        self.rows = np.empty(0, np.uint8)

    def surface_for(self, width: int, height: int, stride: int) -> bytearray:
        """The surface's memory, for ``height`` rows of ``stride`` bytes (grown if too small)."""
        if len(self.surface) < stride * height:
            self.surface = bytearray(stride * height)
        return self.surface

    def rows_for(self, width: int, height: int) -> np.ndarray:
        """A ``height`` by ``1 + 3 * width`` array for a PNG's rows of RGB pixels (grown if too small)."""
        if self.rows.size < height * (1 + 3 * width):
            self.rows = np.empty(height * (1 + 3 * width), np.uint8)
        return self.rows[:height * (1 + 3 * width)].reshape(height, 1 + 3 * width)


_PIXELS = _Pixels()


def _surface(width: int, height: int, pixels: bytes | None = None) -> cairocffi.ImageSurface:
    """An RGB24 image surface over the thread's kept memory, holding ``pixels`` (RGB24, as Cairo lays them
    out for this size) or else painted white. A thread draws one chart at a time."""
    stride = cairocffi.ImageSurface.format_stride_for_width(cairocffi.FORMAT_RGB24, width)
    memory = _PIXELS.surface_for(width, height, stride)
    if pixels is not None:
        memory[:len(pixels)] = pixels
    surface = cairocffi.ImageSurface.create_for_data(memory, cairocffi.FORMAT_RGB24, width, height, stride)
    if pixels is None:
        context = cairocffi.Context(surface)
        context.set_source_rgb(1, 1, 1)
        context.paint()
    return surface


class _OpaqueSurface(PNGSurface):
    """CairoSVG's PNG surface drawn on white, without alpha, and written with pypng's ``write_chunks``.

    The whole surface is painted white before the chart is drawn (CairoSVG's background covers the
    viewBox, which may end part-way through the last row of pixels), so the picture is opaque and
    its pixels are those the chart shows on a white page.

    Each row is unfiltered; Pillow and libpng try every PNG filter on every row, which took over half of
    the encoding time and, on flat-colour charts, made a larger file."""

    def _create_surface(self, width, height):
        width, height = int(round(width)), int(round(height))
        return _surface(width, height), width, height

    def finish(self):
        surface = self.cairo
        surface.flush()
        width, height = surface.get_width(), surface.get_height()
        png.write_chunks(self.output, _png_chunks(width, height, surface.get_data(), surface.get_stride()))
        surface.finish()


def _png_chunks(width: int, height: int, pixels, stride: int) -> list[tuple[bytes, bytes]]:
    """The chunks of an 8-bit RGB PNG of ``pixels`` (Cairo's RGB24: ``height`` rows of ``stride`` bytes, each
    pixel four bytes, blue, green, red and one unused), each row unfiltered (filter byte 0), deflated by zlib-ng
    at ``PNG_LEVEL``: the deflate stream pypng would write, made about four times faster."""
    rows = _PIXELS.rows_for(width, height)
    rows[:, 0] = 0
    bgrx = np.frombuffer(pixels, np.uint8, count=stride * height).reshape(height, stride)[:, :4 * width]
    bgrx = bgrx.reshape(height, width, 4)
    rgb = rows[:, 1:].reshape(height, width, 3)  # a view: each row's pixels after its filter byte
    for channel in range(3):  # a channel at a time: numpy copies a reversed slice of the last axis slowly
        rgb[:, :, channel] = bgrx[:, :, 2 - channel]
    header = struct.pack("!2I5B", width, height, 8, 2, 0, 0, 0)  # 8 bits a sample, RGB, deflate, no interlace
    return [(b"IHDR", header), (b"IDAT", zlib_ng.compress(rows.data, PNG_LEVEL)), (b"IEND", b"")]


class _OverlaySurface(_OpaqueSurface):
    """An ``_OpaqueSurface`` that starts from a copy of a base's pixels (``_Base``) instead of white, so that
    what CairoSVG draws on it lands on the base as it would have if drawn after the base on one surface."""

    def __init__(self, base: _Base, tree: Tree, output: io.BytesIO, width: int) -> None:
        self.base = base
        super().__init__(tree, output, 96, output_width=width)

    def _create_surface(self, width, height):
        width, height = int(round(width)), int(round(height))
        base = self.base
        if (width, height) != (base.width, base.height):
            raise ValueError(f"an overlay of {width} x {height} pixels on a base of {base.width} x {base.height}")
        return _surface(width, height, base.pixels), width, height


@dataclass(frozen=True)
class _Base:
    """The pixels of a chart's base layer as Cairo drew them (RGB24, ``stride`` bytes a row)."""

    pixels: bytes
    width: int
    height: int
    stride: int


#: How many chart bases a process keeps (the least recently used goes first). A pack has two charts, and each
#: trust type has its own bases: a worker building packs of every type keeps a few, each about 3 MB.
BASES_KEPT = 8


@lru_cache(maxsize=BASES_KEPT)
def _base(svg: str, width: int) -> _Base:
    """The base layer ``svg`` drawn at ``width`` pixels, on white, as ``svg_png`` draws a whole chart."""
    surface = _OpaqueSurface(Tree(bytestring=svg.encode("utf-8"), unsafe=False), None, 96,
                             output_width=width, background_color="white")
    cairo = surface.cairo
    cairo.flush()
    base = _Base(bytes(cairo.get_data()), cairo.get_width(), cairo.get_height(), cairo.get_stride())
    cairo.finish()
    return base


class ChartFontError(RuntimeError):
    """The font the charts are drawn in cannot be made known to fontconfig."""


@lru_cache(maxsize=1)
def chart_font() -> str:
    """The file of the charts' font, made known to fontconfig; an error if fontconfig cannot be loaded."""
    try:
        fonts.use_in_fontconfig()
    except OSError as exc:
        raise ChartFontError(
            f"the fontconfig library could not be loaded ({exc}), so the Word charts cannot be drawn; "
            f"install fontconfig (scripts/setup.sh does).") from None
    return str(fonts.font_file())


def _leaves_drawn_leaner() -> bool:
    """The charts' plain leaf elements drawn with less of CairoSVG's Python (``render.cairosvg_draw``)."""
    return cairosvg_draw.install(_OpaqueSurface)


def _set_up() -> None:
    """The charts' font known to fontconfig, and CairoSVG's plain text drawn with fewer calls into Cairo and its
    plain leaf elements with less of its Python, with the same pixels, where the installed CairoSVG was checked
    (``render.cairosvg_text``, ``render.cairosvg_draw``)."""
    chart_font()
    _plain_text_drawn_with_fewer_calls()
    _leaves_drawn_leaner()


def width_px(column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> int:
    return round(column_mm / 25.4 * dpi)


def svg_png(svg: str, column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> bytes:
    """Rasterise an SVG chart to a PNG ``column_mm`` wide at ``dpi``."""
    _set_up()
    svg = fonts.use_shipped_family(svg, FONT_FAMILY)
    out = io.BytesIO()
    _OpaqueSurface.convert(bytestring=svg.encode("utf-8"), output_width=width_px(column_mm, dpi),
                           background_color="white", unsafe=False, write_to=out)
    return out.getvalue()


def chart_png(chart: Chart, *, title: str, id_prefix: str = "chart") -> bytes:
    """The PNG of ``chart``: its SVG (``chart_svg``) rasterised for a Word page.

    A chart with an overlay (``chart_layers``: its own trust's marks, drawn last) is drawn in two layers: the
    base, the same for every trust of the type, is drawn once per process and kept (``_base``); each chart
    draws only its overlay, on a copy of the base's pixels. The pixels are those of the whole SVG drawn at
    once: the same drawing operations in the same order on the same pixels."""
    if isinstance(chart, BarChart):
        return svg_png(chart_svg(chart, title=title, id_prefix=id_prefix))
    base_svg, overlay_svg = chart_layers(chart)
    if not overlay_svg:
        return svg_png(base_svg)
    _set_up()
    width = width_px()
    base = _base(fonts.use_shipped_family(base_svg, FONT_FAMILY), width)
    out = io.BytesIO()
    overlay = Tree(bytestring=fonts.use_shipped_family(overlay_svg, FONT_FAMILY).encode("utf-8"), unsafe=False)
    _OverlaySurface(base, overlay, out, width).finish()
    return out.getvalue()
