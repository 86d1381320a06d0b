"""WeasyPrint draws a simple SVG ``<text>`` as one shaped string, not letter by letter.

Why: WeasyPrint lays out and draws SVG text one code point at a time
(``weasyprint/svg/text.py``: a Pango layout for the whole string, then one more
for each character, each drawn as its own text object). Upstream knows this as
a bug, Kozea/WeasyPrint#2249 ("Don't separate combining characters in SVG
text"): it breaks combining characters and ligatures, and it is most of the
cost of a chart's labels in a pack's PDF. The fix proposed there (and in
pull request #2754, closed unmerged) is the one made here: when a ``<text>`` element
positions no glyph of its own, shape and draw its whole string in one layout.

What: ``install()`` replaces WeasyPrint's ``text`` drawing function, for every
SVG tag that uses it, by ``text``, which takes the fast path only for a
``<text>`` element with no child elements, at most one ``x`` and one ``y``, no
``dx``, ``dy``, ``rotate``, ``textLength`` or ``letter-spacing``, left-to-right,
and a string with no space at either end; any other element goes to
WeasyPrint's own function. The text is placed where WeasyPrint places its first
letter, and its bounding box (which ``text-anchor`` middle and end use) spans
the whole shaped string, so anchored labels stay where they were, kerned.

When: only on a WeasyPrint release listed in ``CHECKED`` whose ``text``
function is, source for source, the one this was written against
(``STOCK_SHA256``); on any other WeasyPrint ``install()`` leaves it alone and
returns False, and charts are drawn as WeasyPrint draws them. Remove this
module when WeasyPrint draws unpositioned SVG text as one string (#2249 closed).
"""
from __future__ import annotations

import hashlib
import inspect
from math import inf

#: WeasyPrint releases whose SVG text drawing this was checked against.
CHECKED = ("70.0",)

#: SHA-256 of the source of ``weasyprint.svg.text.text`` in those releases.
STOCK_SHA256 = "67a30c3e181b4a8002350771928b86b26dfef05b2706d0b3c6b46943e41af61b"

#: Attributes that position or space single glyphs: any of them sends a node to WeasyPrint's own path.
_PER_GLYPH = ("dx", "dy", "rotate", "textLength", "lengthAdjust", "letter-spacing")

_stock = None


def stock_sha256() -> str:
    """SHA-256 of the installed WeasyPrint's own SVG ``text`` function's source."""
    import importlib

    module = importlib.import_module("weasyprint.svg.text")
    return hashlib.sha256(inspect.getsource(module.text).encode()).hexdigest()


def installable() -> bool:
    """Whether the installed WeasyPrint is one this was checked against."""
    import weasyprint

    return weasyprint.__version__ in CHECKED and stock_sha256() == STOCK_SHA256


def installed() -> bool:
    """Whether WeasyPrint's SVG tags now draw text with ``text``."""
    import weasyprint.svg as svg

    return svg.TAGS.get("text") is text


def install() -> bool:
    """Use ``text`` for WeasyPrint's SVG text, if the installed WeasyPrint was checked; True if in use."""
    global _stock
    import importlib

    import weasyprint.svg as svg

    if installed():
        return True
    if not installable():
        return False
    stock = importlib.import_module("weasyprint.svg.text").text
    if svg.TAGS.get("text") is not stock or getattr(svg, "text", None) is not stock:
        return False
    _stock = stock
    for tag, function in list(svg.TAGS.items()):
        if function is stock:
            svg.TAGS[tag] = text
    svg.text = text  # draw_node compares TAGS.get(tag) with this name to find text elements
    return True


def _single(node, name: str) -> bool:
    from weasyprint.svg.utils import normalize

    value = node.attrib.get(name)
    return value is None or len(normalize(value).strip().split(" ")) == 1


def whole_string(node) -> bool:
    """Whether a node's text can be shaped and drawn as one string (no glyph placed on its own)."""
    string = node.text
    return (node.tag == "text" and bool(string) and string == string.strip() and len(node._etree_node) == 0
            and _single(node, "x") and _single(node, "y") and node.get("direction", "ltr") == "ltr"
            and not any(node.get(name) is not None for name in _PER_GLYPH))


def text(svg, node, font_size):
    """WeasyPrint's SVG text drawing, with one layout for a whole unpositioned string."""
    if _stock is None or not whole_string(node):
        return _stock(svg, node, font_size)

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    # The style as WeasyPrint's own function builds it.
    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    if weight == "normal":
        weight = 400
    elif weight == "bold":
        weight = 700
    else:
        try:
            weight = int(weight)
        except ValueError:
            weight = 400
    style["font_weight"] = weight
    style["font_size"] = font_size

    layout, _, resume_index, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    if resume_index is not None:  # more than one line: leave it to WeasyPrint
        return _stock(svg, node, font_size)

    x = y = None
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)

    # Vertical alignment, as WeasyPrint's own function does it.
    ascent, descent = font_size * .8, font_size * .2
    y_align = 0
    display_anchor = node.get("display-anchor")
    alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        y_align = -height / 2
    elif display_anchor == "top":
        pass
    elif display_anchor == "bottom":
        y_align = -height
    elif alignment_baseline in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        y_align = ascent
    elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent

    # Placed where WeasyPrint places the first letter; the cursor moves past the whole string.
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + y_align
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)))

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
