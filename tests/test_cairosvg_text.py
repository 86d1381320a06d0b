"""Word chart labels: CairoSVG's plain text drawn with fewer calls into Cairo (render.cairosvg_text).

Each picture is drawn twice, by CairoSVG's own letter-by-letter text drawing and by the one with fewer calls,
and the PNGs are compared byte for byte: every kind of chart, the example packs' charts and the national
document's, and labels with awkward text, each anchor, bold and rotated. Text that positions or spaces single
letters still goes to CairoSVG's own drawing."""
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
from reportgen.render import cairosvg_text, raster
from reportgen.render.svg import FONT_FAMILY, chart_svg
from tests.conftest import AWKWARD_NAME
from tests.document_checks import model_figures
from tests.shared_data import ROOT
from tests.test_render_svg import ALL_CHARTS


@contextmanager
def stock_text():
    """CairoSVG's own text drawing, for the time of the block (which raster does not then install)."""
    set_up = raster._plain_text_drawn_with_fewer_calls
    raster._plain_text_drawn_with_fewer_calls = lambda: False
    cairosvg_text.uninstall()
    try:
        yield
        assert not cairosvg_text.installed()
    finally:
        raster._plain_text_drawn_with_fewer_calls = set_up
        assert cairosvg_text.install()


def both(svg: str) -> tuple[str, str]:
    """The SHA-256 of the PNG of ``svg`` drawn with CairoSVG's own text, and with the one ``raster`` uses."""
    with stock_text():
        stock = raster.svg_png(svg)
    return hashlib.sha256(stock).hexdigest(), hashlib.sha256(raster.svg_png(svg)).hexdigest()


def labels(*texts: str) -> str:
    family = FONT_FAMILY.replace("'", "&apos;")
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="260" viewBox="0 0 400 260" '
            f'font-family="{family}" font-size="14" color="#212B32">' + "".join(texts) + "</svg>")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


AWKWARD = labels(  # each anchor, bold, an arrow, spaces at either end and inside, escaped markup, non-ASCII
    f'<text x="4" y="20" fill="currentColor">{escape(AWKWARD_NAME)}</text>',
    '<text x="396" y="40" text-anchor="end" fill="currentColor">2.58 (77th of 133; 8 measures)</text>',
    '<text x="200" y="60" text-anchor="middle" font-weight="bold" fill="currentColor">\u2190 better</text>',
    '<text x="200" y="80" text-anchor="middle" font-weight="700" fill="currentColor">  two  spaces  </text>',
    '<text x="0" y="100" fill="currentColor">At x 0: Ñandú – café, 1.5%</text>',
    '<text x="120" y="240" transform="rotate(-45 120 240)" text-anchor="end" fill="#005EB8">Rotated label</text>',
    '<text x="10.5" y="140.25" font-size="18" fill="currentColor">Larger, at a fraction</text>',
    '<text x="390" y="160" text-anchor="end" font-weight="bold" fill="currentColor">worse \u2192</text>',
)

NOT_PLAIN = (  # each positions or spaces single letters, or fills by reference: CairoSVG's own drawing
    '<text x="4" y="20" dx="3" fill="currentColor">Shifted</text>',
    '<text x="4 14 24" y="40" fill="currentColor">Each letter placed</text>',
    '<text x="4" y="60" letter-spacing="2" fill="currentColor">Spaced out</text>',
    '<text x="4" y="80" rotate="10" fill="currentColor">Turned letters</text>',
    '<text x="4" y="100" fill="currentColor">In <tspan font-weight="bold">two</tspan> parts</text>',
    '<text x="4" y="120" stroke="#005EB8" fill="currentColor">Outlined</text>',
    '<text x="4" y="140" dominant-baseline="middle" fill="currentColor">Middle</text>',
)


def test_the_locked_cairosvg_is_one_checked_and_the_charts_use_it():
    assert cairosvg.VERSION in cairosvg_text.CHECKED
    assert cairosvg_text.stock_sha256() == cairosvg_text.STOCK_SHA256
    raster.svg_png(labels('<text x="4" y="20">x</text>'))
    assert cairosvg_text.installed()


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_every_kind_of_chart_has_cairosvg_own_pixels(name):
    stock, fast = both(chart_svg(ALL_CHARTS[name](), title="t"))
    assert stock == fast, name
    assert cairosvg_text.installed()


def paths_taken(monkeypatch) -> list[bool]:
    """For each text element drawn from now on, whether it took the path with fewer calls."""
    taken: list[bool] = []
    position = cairosvg_text._position

    def spy(node):
        found = position(node)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(cairosvg_text, "_position", spy)
    return taken


def test_awkward_labels_have_cairosvg_own_pixels(monkeypatch):
    taken = paths_taken(monkeypatch)
    stock, fast = both(AWKWARD)
    assert stock == fast
    assert len(taken) == 2 * 8 and all(taken)  # every label, filled by a second call, took the path with fewer calls


@pytest.mark.parametrize("element", NOT_PLAIN)
def test_text_that_places_single_letters_goes_to_cairosvg(monkeypatch, element):
    taken = paths_taken(monkeypatch)
    stock, fast = both(labels(element))
    assert stock == fast
    assert taken and not any(taken), element


def test_example_packs_and_national_charts_have_cairosvg_own_pixels():
    config = Config.load()
    dataset = load([Path(ROOT / "data")], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    t = ctx.result.trusts
    codes = [c for ttype in ctx.result.trust_types for c in list(t.trust_code[t.trust_type == ttype])[:2]]
    figures = [f for code in codes for f in model_figures(pack_document(ctx, code, ("docx",)))]
    figures += model_figures(national_document(ctx))
    assert len(figures) >= 2 * len(codes) + 3
    for figure in figures:
        stock, fast = both(chart_svg(figure.chart, title=figure.alt))
        assert stock == fast, figure.id
