"""PNG pictures of the SVG charts, for the Word writer (Word has no reliable SVG support).

The PNG is the SVG of ``reportgen.render.svg`` rasterised by CairoSVG, so
Word shows the same chart as the HTML and PDF: one drawing, two outputs.
Text is set in the Liberation Sans shipped in ``reportgen/fonts/``, which
``chart_font`` adds to fontconfig (as Cairo finds fonts) under a family name
of its own, so the chart is the same on every machine whatever fonts it has;
a machine whose fontconfig cannot be loaded fails with one clear sentence.
"""
from __future__ import annotations

from functools import lru_cache

import cairosvg

from .. import fonts
from ..model import Chart
from .svg import FONT_FAMILY, WORD_COLUMN_MM, chart_svg

#: Pixels per inch of the Word pictures (print quality).
DPI = 200


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


def width_px(column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> int:
    return round(column_mm / 25.4 * dpi)


def svg_png(svg: str, column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> bytes:
    """Rasterise an SVG chart to a PNG ``column_mm`` wide at ``dpi``."""
    chart_font()
    svg = fonts.use_shipped_family(svg, FONT_FAMILY)
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px(column_mm, dpi),
                            background_color="white", unsafe=False)


def chart_png(chart: Chart, *, title: str, id_prefix: str = "chart") -> bytes:
    """The PNG of ``chart``: its SVG (``chart_svg``) rasterised for a Word page."""
    return svg_png(chart_svg(chart, title=title, id_prefix=id_prefix))
