"""CairoSVG draws a plain SVG ``<text>`` with fewer calls into Cairo: the same glyphs at the same places.

Why: CairoSVG (``cairosvg/text.py``) goes through a ``<text>`` element twice, letter by letter: first to build
the glyphs' outlines (a path, stroked only if the text has a stroke), then to draw each letter with
``show_text``, inside a save, two moves, a rotation and a restore, after asking Cairo for the letter's extents.
That is about a dozen calls through cffi a letter, and most of the time a Word chart took to draw.

What: ``install()`` replaces CairoSVG's ``text`` drawing function, for every tag that uses it, by ``text``,
which takes its own path only for a ``<text>`` element with no child elements, one ``x`` and one ``y``, no
``dx``, ``dy``, ``rotate``, ``letter-spacing``, text path, stroke, baseline alignment or ``text-rendering``,
and no gradient or pattern fill, filter, mask or clip (which would read its bounding box); any other element
goes to CairoSVG's own function. For each letter it makes the calls that decide what is drawn, with the same
numbers in the same order: ``move_to`` the cursor, ``rel_move_to`` the text-anchor offset, ``show_text`` the
letter; the cursor then moves by the letter's advance, Cairo's own, asked once per font, size and
transformation and kept. The outline path is left out (with no stroke, CairoSVG strokes it in a transparent
colour, which draws nothing); the cursor is set as CairoSVG sets it, and so is the bounding box on a picture
that defines a gradient, pattern or marker (the only things that read it). So the pixels are CairoSVG's own
(``tests/test_cairosvg_text.py`` compares them on every kind of chart).

When: only on a CairoSVG release listed in ``CHECKED`` whose ``text`` function and ``Surface.draw`` (which calls
``text`` a second time to fill it) are, source for source, those this was written against (``STOCK_SHA256``);
on any other CairoSVG ``install()`` leaves it alone and returns False, and charts are drawn as CairoSVG draws
them.
"""
from __future__ import annotations

import hashlib
import inspect
from math import inf
from typing import Any

import cairosvg
from cairosvg import surface as _surface
from cairosvg import text as _text
from cairosvg.bounding_box import is_valid_bounding_box
from cairosvg.helpers import normalize, size

#: CairoSVG releases whose text drawing this was checked against.
CHECKED = ("2.9.1",)

#: SHA-256 of the source of ``cairosvg.text.text`` and of ``cairosvg.surface.Surface.draw`` in those releases.
STOCK_SHA256 = ("74ff57a26c0b806b7b2fd04e05d34a7e1ccac474afe42f672bcbfc21fba6a11d",
                "4c2dd71682bcdf52c60601606640d1283a6b7b8d36d208d359273933dc41d836")

_STOCK = _text.text

#: Attributes that take a text element off the plain path (it then goes to CairoSVG's own ``text``).
_NOT_PLAIN = ("dx", "dy", "rotate", "letter-spacing", "text-rendering", "display-anchor", "dominant-baseline",
              "alignment-baseline", "startOffset")

#: Each letter's extents, by font, size and transformation, then letter; cleared past ``_KEPT`` fonts.
_extents: dict[tuple, dict[str, tuple[float, ...]]] = {}
_KEPT = 100


def stock_sha256() -> tuple[str, str]:
    """SHA-256 of the installed CairoSVG's ``text`` function's source and of its ``Surface.draw``'s."""
    return tuple(hashlib.sha256(inspect.getsource(f).encode()).hexdigest()  # type: ignore[return-value]
                 for f in (_STOCK, _surface.Surface.draw))


def installable() -> bool:
    """Whether the installed CairoSVG is one this was checked against."""
    return cairosvg.VERSION in CHECKED and stock_sha256() == STOCK_SHA256


def installed() -> bool:
    """Whether CairoSVG's text elements are now drawn by ``text``."""
    return _surface.TAGS.get("text") is text


def _position(node: Any) -> tuple[str, str] | None:
    """The x and y of a plain text element (see the module's description), or None for any other."""
    if not node.text or node.children or node.tag != "text" or any(a in node for a in _NOT_PLAIN):
        return None
    if node.get_href() or node.parent.get_href():
        return None
    stroke = node.get("stroke")
    if stroke and stroke.strip() != "none":
        return None
    if any(a in node for a in ("filter", "mask", "clip-path")) or "url(" in (node.get("fill") or ""):
        return None  # these would read the text's bounding box
    x, y = (normalize(node.get(a) or "").strip() for a in ("x", "y"))
    if not x or not y or " " in x or " " in y:
        return None
    return x, y


def plain(node: Any) -> bool:
    """Whether ``text`` draws ``node`` on its own path (a plain text element) rather than by CairoSVG's."""
    return _position(node) is not None


def text(surface: Any, node: Any, draw_as_text: bool = False) -> None:
    """Draw a text ``node`` as CairoSVG's ``text`` does (see the module's description)."""
    position = _position(node)
    if position is None:
        return _STOCK(surface, node, draw_as_text)
    context = surface.context
    family = (node.get("font-family") or "sans-serif").split(",")[0].strip("\"' ")
    slant = getattr(_surface.cairo, f'font_slant_{node.get("font-style")}'.upper(), _surface.cairo.FONT_SLANT_NORMAL)
    weight = node.get("font-weight")
    if weight and weight.isdigit() and int(weight) >= 550:
        weight = "bold"
    weight = getattr(_surface.cairo, f"font_weight_{weight}".upper(), _surface.cairo.FONT_WEIGHT_NORMAL)
    context.select_font_face(family, slant, weight)
    context.set_font_size(surface.font_size)
    content = node.text
    x_bearing, _, width, _ = context.text_extents(content)[:4]
    x = size(surface, position[0], "x")
    y = size(surface, position[1], "y")
    anchor = node.get("text-anchor")
    x_align: float = 0
    if anchor == "middle":
        x_align = - (width / 2 + x_bearing)
    elif anchor == "end":
        x_align = - (width + x_bearing)
    y_align = 0
    key = (family, slant, weight, surface.font_size, context.get_matrix().as_tuple(), type(surface.cairo))
    if len(_extents) > _KEPT:
        _extents.clear()
    kept = _extents.setdefault(key, {})
    cursor_d = surface.cursor_d_position
    if x:
        cursor_d[0] = 0
    if y:
        cursor_d[1] = 0
    d_x, d_y = cursor_d
    moved = bool(d_x or d_y)
    aligned = bool(x_align or y_align)
    # the bounding box of CairoSVG's points for each letter, kept as four numbers (no tuple a letter to collect);
    # CairoSVG reads it only for a gradient, pattern or marker (``calculate_bounding_box``), so it is worked out
    # only on a picture that defines one
    boxed = bool(surface.gradients or surface.patterns or surface.markers)
    low_x = low_y = inf
    high_x = high_y = -inf
    for letter in content:
        extents = kept.get(letter)
        if extents is None:
            extents = kept[letter] = tuple(context.text_extents(letter))
        if draw_as_text and not letter.isspace():
            context.move_to(x, y)
            if moved:
                context.rel_move_to(d_x, d_y)
            if aligned:
                context.rel_move_to(x_align, y_align)
            context.show_text(letter)
        x = x + extents[4]
        if boxed:
            ax, bx = x + x_align + d_x, x + x_align + extents[4] + d_x
            ay, by = y + y_align + d_y, y + y_align + extents[3] + d_y
            low_x, high_x = min(low_x, ax, bx), max(high_x, ax, bx)
            low_y, high_y = min(low_y, ay, by), max(high_y, ay, by)
    surface.cursor_position = (x, y)
    bounding_box = (low_x, low_y, high_x - low_x, high_y - low_y)
    if boxed and is_valid_bounding_box(bounding_box):
        node["text_bounding_box"] = bounding_box
    return None


def install() -> bool:
    """Use ``text`` for CairoSVG's text elements, if the installed CairoSVG was checked; True if in use."""
    if installed():
        return True
    if not installable() or _surface.TAGS.get("text") is not _STOCK or _surface.text is not _STOCK:
        return False
    for tag, drawer in list(_surface.TAGS.items()):
        if drawer is _STOCK:
            _surface.TAGS[tag] = text
    _surface.text = text  # Surface.draw compares TAGS[tag] with this name to fill a text element by text
    return True


def uninstall() -> None:
    """Give CairoSVG its own ``text`` back."""
    for tag, drawer in list(_surface.TAGS.items()):
        if drawer is text:
            _surface.TAGS[tag] = _STOCK
    _surface.text = _STOCK
