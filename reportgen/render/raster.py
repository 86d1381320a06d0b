"""PNG pictures of the SVG charts, for the Word writer (Word has no reliable SVG support).

The PNG is the SVG of ``reportgen.render.svg`` rasterised by CairoSVG, so
Word shows the same chart as the HTML and PDF: one drawing, two outputs.
Text is set in Liberation Sans (the SVG's first font family, metric-compatible
with Arial), found through fontconfig as WeasyPrint finds it; ``chart_font``
checks it is installed, so that a machine without it fails with one clear
sentence instead of drawing in a fallback font.
"""
from __future__ import annotations

import subprocess
from functools import lru_cache

import cairosvg

from ..model import Chart
from .svg import WORD_COLUMN_MM, chart_svg

#: Pixels per inch of the Word pictures (print quality).
DPI = 200
CHART_FONT = "Liberation Sans"


class ChartFontError(RuntimeError):
    """The font the charts are drawn in is not installed."""


@lru_cache(maxsize=1)
def chart_font() -> str:
    """The file of the charts' font, as fontconfig resolves it; an error if it is missing."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{CHART_FONT}:style=Regular"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (FileNotFoundError, subprocess.SubprocessError, OSError):
        raise ChartFontError(
            "fc-match (fontconfig) did not answer, so the chart font cannot be found; install fontconfig "
            "and fonts-liberation2 (scripts/setup.sh does).") from None
    family, _, path = out.partition("\n")
    if CHART_FONT not in [f.strip() for f in family.split(",")]:
        raise ChartFontError(
            f"the chart font {CHART_FONT} is not installed (fontconfig offers {family or 'nothing'} instead); "
            f"install fonts-liberation2 (scripts/setup.sh does).")
    return path.strip()


def width_px(column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> int:
    return round(column_mm / 25.4 * dpi)


def svg_png(svg: str, column_mm: float = WORD_COLUMN_MM, dpi: int = DPI) -> bytes:
    """Rasterise an SVG chart to a PNG ``column_mm`` wide at ``dpi``."""
    chart_font()
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px(column_mm, dpi),
                            background_color="white", unsafe=False)


def chart_png(chart: Chart, *, title: str, id_prefix: str = "chart") -> bytes:
    """The PNG of ``chart``: its SVG (``chart_svg``) rasterised for a Word page."""
    return svg_png(chart_svg(chart, title=title, id_prefix=id_prefix))
