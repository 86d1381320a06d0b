"""CairoSVG draws a chart's plain leaf elements with less of its own Python: the same calls into Cairo.

Why: for every element, CairoSVG's ``Surface.draw`` parses the element's mask, filter and clip-path URLs, its
clip rectangle and opacities, deep-copies the text cursor, sets the font options even for a shape, looks for
markers, and lays a ``<text>`` out twice (once for an outline that only a stroke would use). A Word chart is
thirty or so such elements: this was about a quarter of the time CairoSVG took to draw a dot plot.

What: ``draw`` takes its own path only for a leaf element (``path``, ``circle``, ``rect``, ``line``, ``polygon``,
``polyline`` or ``text``, with no children) that has none of the attributes ``_NOT_LEAN`` names (masks, filters,
clips, opacities, markers, display and visibility, font shorthand, transform origin); any other element goes to
CairoSVG's own ``Surface.draw``. On its path it makes the calls into Cairo that decide what is drawn, with the
same numbers in the same order as ``Surface.draw``: save; the element's transform; the move to its x and y; line
cap and join, dashes and miter limit; the shape's own drawing (CairoSVG's function for the tag); antialias; for
a text the font options; the fill and the stroke, each inside a save and restore; and the restore. A shape's
font options are left alone (they would be restored at once, and a shape draws no glyphs). A plain text
(``render.cairosvg_text.plain``) is laid out once, by the fill: the first layout only set a cursor that
``Surface.draw`` puts back before the fill, and a bounding box that the fill's layout sets again. So the pixels
are CairoSVG's own (``tests/test_cairosvg_draw.py`` compares them on every kind of chart and every example
chart).

When: only on a CairoSVG release listed in ``CHECKED`` whose ``Surface.draw`` and ``draw_markers`` are, source
for source, those this was written against (``STOCK_SHA256``); on any other CairoSVG ``install`` leaves the
surface class alone and returns False, and charts are drawn by CairoSVG's own ``Surface.draw``.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Any

import cairosvg
from cairosvg import surface as _surface
from cairosvg.helpers import PointError, normalize, size, transform

from . import cairosvg_text

#: CairoSVG releases whose ``Surface.draw`` this was checked against.
CHECKED = ("2.9.1",)

#: SHA-256 of the source of ``cairosvg.surface.Surface.draw`` and of ``cairosvg.surface.draw_markers``.
STOCK_SHA256 = ("4c2dd71682bcdf52c60601606640d1283a6b7b8d36d208d359273933dc41d836",
                "2b86ec4b23f634616888b9a8700ec3d0fffb9de01b0fc6aee21fde1ef21ddcda")

_STOCK = _surface.Surface.draw

#: The element kinds drawn here, when they have no children.
_LEAVES = frozenset(("path", "circle", "rect", "line", "polygon", "polyline", "text"))

#: Attributes ``Surface.draw`` reads whose work is not done here: an element with any goes to ``Surface.draw``.
_NOT_LEAN = ("font", "transform-origin", "mask", "filter", "opacity", "clip", "clip-path",
             "stroke-opacity", "fill-opacity", "display", "visibility", "marker", "marker-start", "marker-mid",
             "marker-end")

_cairo = _surface.cairo
_paint = _surface.paint
_gradient_or_pattern = _surface.gradient_or_pattern
_SHAPE_ANTIALIAS = _surface.SHAPE_ANTIALIAS
_TEXT_ANTIALIAS = _surface.TEXT_ANTIALIAS
_TEXT_HINT_STYLE = _surface.TEXT_HINT_STYLE
_TEXT_HINT_METRICS = _surface.TEXT_HINT_METRICS


def stock_sha256() -> tuple[str, str]:
    """SHA-256 of the installed CairoSVG's ``Surface.draw``'s source and of its ``draw_markers``'."""
    return tuple(hashlib.sha256(inspect.getsource(f).encode()).hexdigest()  # type: ignore[return-value]
                 for f in (_STOCK, _surface.draw_markers))


def installable() -> bool:
    """Whether the installed CairoSVG is one this was checked against."""
    return cairosvg.VERSION in CHECKED and stock_sha256() == STOCK_SHA256


def _lean(node: Any) -> bool:
    """Whether ``node`` is drawn here (see the module's description)."""
    if node.tag not in _LEAVES or node.children:
        return False
    return not any(a in node for a in _NOT_LEAN)


def draw(surface: Any, node: Any) -> None:
    """Draw ``node`` (and its children) as CairoSVG's ``Surface.draw`` does (see the module's description)."""
    if not _lean(node):
        return _STOCK(surface, node)
    if (("width" in node and size(surface, node["width"]) == 0)
            or ("height" in node and size(surface, node["height"]) == 0)):
        return None
    context = surface.context
    old_parent_node = surface.parent_node
    old_font_size = surface.font_size
    old_context_size = surface.context_width, surface.context_height
    surface.parent_node = node
    surface.font_size = size(surface, node.get("font-size", "12pt"))
    context.save()
    transform(surface, node.get("transform"))
    context.move_to(size(surface, node.get("x"), "x"), size(surface, node.get("y"), "y"))
    line_cap = node.get("stroke-linecap")
    if line_cap == "square":
        context.set_line_cap(_cairo.LINE_CAP_SQUARE)
    if line_cap == "round":
        context.set_line_cap(_cairo.LINE_CAP_ROUND)
    join_cap = node.get("stroke-linejoin")
    if join_cap == "round":
        context.set_line_join(_cairo.LINE_JOIN_ROUND)
    if join_cap == "bevel":
        context.set_line_join(_cairo.LINE_JOIN_BEVEL)
    dash_array = normalize(node.get("stroke-dasharray", "")).split()
    if dash_array:
        dashes = [size(surface, dash) for dash in dash_array]
        if sum(dashes):
            context.set_dash(dashes, size(surface, node.get("stroke-dashoffset")))
    context.set_miter_limit(float(node.get("stroke-miterlimit", 4)))
    tag = node.tag
    drawer = _surface.TAGS[tag]
    is_text = drawer is _surface.text
    plain_text = (is_text and drawer is cairosvg_text.text and surface.stroke_and_fill
                  and cairosvg_text.plain(node))
    cursor: tuple[Any, ...] = surface.cursor_position, surface.cursor_d_position, surface.text_path_width
    if is_text:  # the cursor as CairoSVG's deep copy keeps it (lists copied, numbers and tuples as they are)
        cursor = tuple(list(c) if isinstance(c, list) else c for c in cursor)
    if not plain_text:
        try:
            drawer(surface, node)
        except PointError:
            pass
    context.set_antialias(_SHAPE_ANTIALIAS.get(node.get("shape-rendering"), _cairo.ANTIALIAS_DEFAULT))
    if is_text:
        rendering = node.get("text-rendering")
        font_options = context.get_font_options()
        font_options.set_antialias(_TEXT_ANTIALIAS.get(rendering, _cairo.ANTIALIAS_DEFAULT))
        font_options.set_hint_style(_TEXT_HINT_STYLE.get(rendering, _cairo.HINT_STYLE_DEFAULT))
        font_options.set_hint_metrics(_TEXT_HINT_METRICS.get(rendering, _cairo.HINT_METRICS_DEFAULT))
        context.set_font_options(font_options)
    if surface.stroke_and_fill:
        context.save()
        paint_source, paint_color = _paint(node.get("fill", "black"))
        if node.get("fill-rule") == "evenodd":
            context.set_fill_rule(_cairo.FILL_RULE_EVEN_ODD)
        if not _gradient_or_pattern(surface, node, paint_source, 1.0):
            context.set_source_rgba(*surface.map_color(paint_color, 1.0))
        if is_text:
            surface.cursor_position, surface.cursor_d_position, surface.text_path_width = cursor
            _surface.text(surface, node, draw_as_text=True)
        else:
            context.fill_preserve()
        context.restore()
        context.save()
        context.set_line_width(size(surface, node.get("stroke-width", "1")))
        paint_source, paint_color = _paint(node.get("stroke"))
        if not _gradient_or_pattern(surface, node, paint_source, 1.0):
            context.set_source_rgba(*surface.map_color(paint_color, 1.0))
        context.stroke()
        context.restore()
    if getattr(node, "vertices", None):
        node.vertices.clear()  # as draw_markers leaves them, with no marker to draw
    if tag == "text":
        surface.cursor_position = [0, 0]
        surface.cursor_d_position = [0, 0]
        surface.text_path_width = 0
    context.restore()
    surface.parent_node = old_parent_node
    surface.font_size = old_font_size
    surface.context_width, surface.context_height = old_context_size
    return None


def installed(cls: type) -> bool:
    """Whether ``cls`` (a CairoSVG surface class) draws its elements by ``draw``."""
    return cls.__dict__.get("draw") is draw


def install(cls: type) -> bool:
    """Have ``cls``, a subclass of CairoSVG's ``Surface``, draw by ``draw`` if the installed CairoSVG was
    checked; True if it does."""
    if installed(cls):
        return True
    if not installable() or "draw" in cls.__dict__:
        return False
    cls.draw = draw  # type: ignore[attr-defined]
    return True


def uninstall(cls: type) -> None:
    """Give ``cls`` CairoSVG's own ``Surface.draw`` back."""
    if installed(cls):
        del cls.draw  # type: ignore[attr-defined]
