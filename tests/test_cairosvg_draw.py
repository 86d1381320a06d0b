"""Word charts: plain leaf elements drawn with less of CairoSVG's Python (render.cairosvg_draw).

Each picture is drawn twice, by CairoSVG's own ``Surface.draw`` and by the leaner one, and the PNGs are compared
byte for byte: every kind of chart, every chart of all the example's packs (as the Word writer draws them, base
and overlay) and the national document's, and pictures with the attributes that send an element back to
CairoSVG's own drawing (clips, masks, opacity, markers, gradients, patterns, dashes, transforms)."""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path

import cairosvg
import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.pack import pack_document
from reportgen.load import load
from reportgen.release import make_context
from reportgen.render import cairosvg_draw, raster
from tests.document_checks import model_figures
from tests.shared_data import ROOT
from tests.test_cairosvg_text import AWKWARD, NOT_PLAIN, labels
from tests.test_render_svg import ALL_CHARTS


@contextmanager
def stock_draw():
    """CairoSVG's own ``Surface.draw``, for the time of the block (which raster does not then install)."""
    set_up = raster._leaves_drawn_leaner
    raster._leaves_drawn_leaner = lambda: False
    cairosvg_draw.uninstall(raster._OpaqueSurface)
    raster._base.cache_clear()
    try:
        yield
        assert not cairosvg_draw.installed(raster._OpaqueSurface)
    finally:
        raster._leaves_drawn_leaner = set_up
        raster._base.cache_clear()
        assert cairosvg_draw.install(raster._OpaqueSurface)


def digest(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()


def both(draw) -> tuple[str, str]:
    """The SHA-256 of the PNG ``draw()`` makes with CairoSVG's own ``Surface.draw``, and with the leaner one."""
    with stock_draw():
        stock = digest(draw())
    return stock, digest(draw())


def lean_taken(monkeypatch) -> list[tuple[str, bool]]:
    """For each element drawn from now on, its tag and whether it took the leaner path."""
    taken: list[tuple[str, bool]] = []
    lean = cairosvg_draw._lean

    def spy(node):
        found = lean(node)
        taken.append((node.tag, found))
        return found

    monkeypatch.setattr(cairosvg_draw, "_lean", spy)
    return taken


def test_the_locked_cairosvg_is_one_checked_and_the_charts_use_it():
    assert cairosvg.VERSION in cairosvg_draw.CHECKED
    assert cairosvg_draw.stock_sha256() == cairosvg_draw.STOCK_SHA256
    raster.svg_png(labels('<text x="4" y="20">x</text>'))
    assert cairosvg_draw.installed(raster._OpaqueSurface)


def test_another_cairosvg_is_left_to_draw_as_it_does(monkeypatch):
    class Surface(raster._OpaqueSurface):
        pass

    monkeypatch.setattr(cairosvg, "VERSION", "2.9.2")
    assert not cairosvg_draw.installable()
    assert not cairosvg_draw.install(Surface) and not cairosvg_draw.installed(Surface)
    monkeypatch.undo()
    monkeypatch.setattr(cairosvg_draw, "STOCK_SHA256", ("0" * 64, cairosvg_draw.STOCK_SHA256[1]))
    assert not cairosvg_draw.install(Surface) and "draw" not in Surface.__dict__


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_every_kind_of_chart_has_cairosvg_own_pixels(monkeypatch, name):
    taken = lean_taken(monkeypatch)
    stock, lean = both(lambda: raster.chart_png(ALL_CHARTS[name](), title="t"))
    assert stock == lean, name
    assert any(found for _, found in taken), name


def test_labels_have_cairosvg_own_pixels(monkeypatch):
    taken = lean_taken(monkeypatch)
    stock, lean = both(lambda: raster.svg_png(AWKWARD))
    assert stock == lean
    assert [found for tag, found in taken if tag == "text"] == [True] * 8


@pytest.mark.parametrize("element", NOT_PLAIN)
def test_text_cairosvg_draws_letter_by_letter_has_its_own_pixels(element):
    stock, lean = both(lambda: raster.svg_png(labels(element)))
    assert stock == lean, element


DEFS = ('<defs><linearGradient id="g"><stop offset="0" stop-color="#005EB8"/><stop offset="1" stop-color="#DA291C"/>'
        '</linearGradient><pattern id="p" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="4" height="4" fill="#330072"/></pattern><clipPath id="c"><rect x="0" y="0" width="200" '
        'height="130"/><text x="220" y="40">Clip</text></clipPath><mask id="m"><rect width="400" height="260" '
        'fill="white" opacity="0.5"/></mask><marker id="a" markerWidth="6" markerHeight="6" refX="3" refY="3">'
        '<circle cx="3" cy="3" r="2" fill="#DA291C"/></marker></defs>')

#: Elements of each kind, with attributes drawn here and attributes that send the element to CairoSVG's draw.
SHAPES = (
    '<rect x="10" y="10" width="120" height="40" fill="#D8DDE0" stroke="#4C6272" stroke-width="2"/>',
    '<rect x="10.5" y="60.25" width="80" height="30" rx="6" fill="url(#g)" stroke="url(#p)" stroke-width="5"/>',
    '<rect x="150" y="10" width="0" height="40" fill="#DA291C"/>',
    '<circle cx="200" cy="30" r="9" fill="#FFFFFF" stroke="#212B32" stroke-width="3"/>',
    '<line x1="10" y1="120" x2="390" y2="120" stroke="#4C6272" stroke-dasharray="4 2" stroke-dashoffset="1"/>',
    '<line x1="10" y1="130" x2="390" y2="130" stroke="#4C6272" stroke-dasharray="0 0"/>',
    '<line x1="10" y1="140" x2="390" y2="150" stroke="#4C6272" stroke-width="6" stroke-linecap="round"/>',
    '<line x1="10" y1="160" x2="390" y2="150" stroke="#4C6272" stroke-width="6" stroke-linecap="square"/>',
    '<path d="M20 200L60 170L100 200" fill="none" stroke="#005EB8" stroke-width="5" stroke-linejoin="round"/>',
    '<path d="M120 200L160 170L200 200" fill="none" stroke="#005EB8" stroke-width="5" stroke-linejoin="bevel" '
    'stroke-miterlimit="2"/>',
    '<path d="M220 200L260 170L300 200" fill="none" stroke="#005EB8" stroke-width="2" marker-mid="url(#a)"/>',
    '<path d="M10 250h40v-20h-40Z M20 245h20v-10h-20Z" fill="#007F3B" fill-rule="evenodd"/>',
    '<path d="M60 250 L bad" fill="#007F3B"/>',
    '<polygon points="330,170 345,185 330,200 315,185" fill="#FFB81C" stroke="#212B32"/>',
    '<polyline points="350,170 360,200 370,170" fill="none" stroke="#212B32" stroke-width="2"/>',
    '<circle cx="240" cy="30" r="9" fill="#330072" opacity="0.5"/>',
    '<circle cx="260" cy="30" r="9" fill="#330072" fill-opacity="0.5" stroke="#000" stroke-opacity="0.3"/>',
    '<rect x="280" y="20" width="30" height="30" fill="#330072" clip-path="url(#c)"/>',
    '<rect x="320" y="20" width="30" height="30" fill="#330072" mask="url(#m)"/>',
    '<rect x="360" y="20" width="30" height="30" fill="#330072" visibility="hidden"/>',
    '<rect x="360" y="60" width="30" height="30" fill="#330072" display="none"/>',
    '<rect x="300" y="60" width="30" height="30" fill="#330072" transform="rotate(20 315 75)" '
    'shape-rendering="crispEdges"/>',
    '<g transform="translate(140 60) scale(1.5)" fill="#005EB8"><rect width="20" height="10"/>'
    '<text x="0" y="24" font-size="9">In a group</text><circle cx="30" cy="5" r="4" stroke="#000"/></g>',
    '<text x="200" y="240" text-anchor="middle" fill="url(#g)" font-weight="bold">Gradient text</text>',
    '<text x="390" y="240" text-anchor="end" text-rendering="optimizeSpeed" fill="#212B32">Fast text</text>',
    '<text x="10" y="90" fill="#212B32" opacity="0.6">Faint text</text>',
)


def test_shapes_and_attributes_have_cairosvg_own_pixels(monkeypatch):
    taken = lean_taken(monkeypatch)
    stock, lean = both(lambda: raster.svg_png(labels(DEFS, *SHAPES)))
    assert stock == lean
    drawn = {tag for tag, found in taken if found}
    assert {"rect", "circle", "line", "path", "polygon", "polyline", "text"} <= drawn
    assert {tag for tag, found in taken if not found} >= {"svg", "g", "circle", "rect"}


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_alone_has_cairosvg_own_pixels(shape):
    stock, lean = both(lambda: raster.svg_png(labels(DEFS, shape)))
    assert stock == lean, shape


#: A value of each attribute that sends an element to CairoSVG's own ``Surface.draw``.
NOT_LEAN = {"font": "bold 12px sans-serif", "transform-origin": "center", "mask": "url(#m)", "filter": "url(#f)",
            "opacity": "0.5", "clip": "rect(1, 1, 1, 1)", "clip-path": "url(#c)", "stroke-opacity": "0.5",
            "fill-opacity": "0.5", "display": "inline", "visibility": "visible", "marker": "url(#a)",
            "marker-start": "url(#a)", "marker-mid": "url(#a)", "marker-end": "url(#a)"}


def test_every_attribute_cairosvg_alone_handles_is_named():
    assert set(NOT_LEAN) == set(cairosvg_draw._NOT_LEAN)


@pytest.mark.parametrize("attribute", sorted(NOT_LEAN))
def test_an_element_with_work_only_cairosvg_does_goes_to_it(monkeypatch, attribute):
    taken = lean_taken(monkeypatch)
    shape = f'<path d="M4 4h20v20h-20Z" fill="#005EB8" {attribute}="{NOT_LEAN[attribute]}"/>'
    stock, lean = both(lambda: raster.svg_png(labels(DEFS, shape)))
    assert stock == lean
    assert ("path", False) in taken and ("path", True) not in taken


def test_every_example_packs_and_national_charts_have_cairosvg_own_pixels():
    config = Config.load()
    dataset = load([Path(ROOT / "data")], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    codes = list(ctx.result.trusts.trust_code)
    assert len(codes) == 205
    figures = [f for code in codes for f in model_figures(pack_document(ctx, code, ("docx",)))]
    national = model_figures(national_document(ctx))
    assert len(figures) >= 2 * len(codes) and len(national) >= 3
    with stock_draw():
        stock = [digest(raster.chart_png(f.chart, title=f.alt)) for f in figures + national]
    lean = [digest(raster.chart_png(f.chart, title=f.alt)) for f in figures + national]
    different = [f.id for f, a, b in zip(figures + national, stock, lean, strict=True) if a != b]
    assert not different
