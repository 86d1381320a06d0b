"""Every colour the writers use, in one place.

The CSS (``templates/style.css.j2``), the SVG charts, the PNG charts and the
Word styles all take their colours from here, so that one test can compute
every contrast pair that matters (``CONTRAST_PAIRS``) and another can check
that no other colour appears in the output.

Colours follow the NHS identity palette, chosen for contrast against white:
text at least 4.5:1 (WCAG 1.4.3), chart marks and focus indicators at least
3:1 (WCAG 1.4.11).
"""
from __future__ import annotations

from types import MappingProxyType

COLOURS = MappingProxyType({
    # page
    "background": "#FFFFFF",
    "text": "#212B32",            # NHS black
    "text_secondary": "#4C6272",  # NHS dark grey
    "heading": "#005EB8",         # NHS blue
    "link": "#005EB8",
    "link_visited": "#330072",    # NHS purple
    "link_hover": "#7C2855",      # NHS plum
    "focus": "#FFEB3B",           # NHS focus yellow (background behind focused text)
    "focus_text": "#212B32",
    "focus_outline": "#212B32",
    # tables
    "rule": "#4C6272",            # table and section rules
    "stripe": "#F0F4F5",          # alternate table rows
    # notes
    "note_info_bg": "#E8EDEE",
    "note_info_border": "#005EB8",
    "note_warning_bg": "#FFF9C4",
    "note_warning_border": "#8A1538",
    # charts
    "bar": "#768692",             # NHS mid grey
    "bar_highlight": "#005EB8",
    "bar_highlight_hatch": "#FFFFFF",
    "bar_outline": "#212B32",
    "axis": "#4C6272",
    "reference_line": "#212B32",
    "chart_text": "#212B32",
    "band": "#D8DDE0",            # NHS pale grey: the peers' middle half (outlined in "axis")
    "median": "#212B32",          # the peers' median tick
    "dot": "#4C6272",             # other trusts' dots in a caterpillar chart
    "range": "#768692",           # other trusts' likely ranges
    "dot_highlight": "#005EB8",   # the trust a chart is about (also told apart by shape and label)
    "segment_shade": "#F0F4F5",   # every other segment's background in a caterpillar chart
})

#: Word's heading colour (python-docx's default template uses #4F81BD, 4.03:1).
WORD_HEADING = COLOURS["heading"]

TEXT = "text"          # needs >= 4.5:1 (WCAG 1.4.3)
GRAPHIC = "graphic"    # needs >= 3:1 (WCAG 1.4.11)
MINIMUM = MappingProxyType({TEXT: 4.5, GRAPHIC: 3.0})

#: (foreground, background, kind): every pair of colours that meet on a page.
CONTRAST_PAIRS: tuple[tuple[str, str, str], ...] = (
    # body text, headings and links on the page and on every tinted background
    *((fg, bg, TEXT)
      for bg in ("background", "stripe", "note_info_bg", "note_warning_bg")
      for fg in ("text", "text_secondary", "heading", "link", "link_visited", "link_hover")),
    ("focus_text", "focus", TEXT),
    ("focus_outline", "background", GRAPHIC),
    ("focus_outline", "focus", GRAPHIC),
    # boxes and rules (they carry no meaning alone, but keep them visible)
    ("rule", "background", GRAPHIC),
    ("rule", "stripe", GRAPHIC),
    ("note_info_border", "background", GRAPHIC),
    ("note_info_border", "note_info_bg", GRAPHIC),
    ("note_warning_border", "background", GRAPHIC),
    ("note_warning_border", "note_warning_bg", GRAPHIC),
    # charts: marks against the page; text on the page
    ("bar", "background", GRAPHIC),
    ("bar_highlight", "background", GRAPHIC),
    ("bar_outline", "background", GRAPHIC),
    ("bar_highlight", "bar_highlight_hatch", GRAPHIC),
    ("axis", "background", GRAPHIC),
    ("reference_line", "background", GRAPHIC),
    ("reference_line", "bar", GRAPHIC),
    ("chart_text", "background", TEXT),
    ("chart_text", "segment_shade", TEXT),
    # dot plots and caterpillar charts
    ("axis", "band", GRAPHIC),
    ("median", "band", GRAPHIC),
    ("dot_highlight", "band", GRAPHIC),
    ("dot_highlight", "background", GRAPHIC),
    ("dot_highlight", "segment_shade", GRAPHIC),
    ("dot", "background", GRAPHIC),
    ("dot", "segment_shade", GRAPHIC),
    ("range", "background", GRAPHIC),
    ("range", "segment_shade", GRAPHIC),
    ("reference_line", "segment_shade", GRAPHIC),
)


def colour(name: str) -> str:
    """The hex value (``#RRGGBB``) of a named colour."""
    return COLOURS[name]


def rgb(name: str) -> tuple[int, int, int]:
    """A named colour as an (r, g, b) tuple of 0-255 integers."""
    value = COLOURS[name].lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(hex_value: str) -> float:
    """WCAG 2 relative luminance of ``#RRGGBB``."""
    value = hex_value.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
