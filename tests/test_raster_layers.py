"""A Word chart drawn in two layers (``svg.chart_layers``): the base, kept per process, and the chart's own trust
drawn over a copy of it, gives the PNG of the whole SVG drawn at once, byte for byte."""
from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageChops

from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.load import load
from reportgen.model import Caterpillar, DotPlot, StripPoint
from reportgen.release import make_context
from reportgen.render import raster
from reportgen.render.svg import chart_layers, chart_svg
from tests.document_checks import model_figures
from tests.shared_data import ROOT


@pytest.fixture(scope="module")
def strips() -> dict[str, list[tuple[str, Caterpillar]]]:
    """Each example trust type's strip for its top and bottom trusts and two between, by league rank."""
    config = Config.load()
    dataset = load([ROOT / "data"], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    t = ctx.result.trusts
    out: dict[str, list[tuple[str, Caterpillar]]] = {}
    for ttype in ctx.result.trust_types:
        ranked = list(t[t.trust_type == ttype].sort_values("league_rank").trust_code)
        chosen = dict.fromkeys([ranked[0], ranked[-1], ranked[len(ranked) // 2], ranked[1]])
        out[ttype] = [(code, next(f.chart for f in model_figures(pack_document(ctx, code, ("docx",)))
                                  if isinstance(f.chart, Caterpillar))) for code in chosen]
    assert len(out) >= 3 and all(len(charts) >= 3 for charts in out.values())
    return out


def _whole(chart) -> bytes:
    """The chart's PNG drawn the one-pass way: the whole SVG at once."""
    return raster.svg_png(chart_svg(chart, title="t"))


def _difference(png: bytes, expected: bytes) -> str:
    """Empty if the two PNGs are the same bytes; else how their pixels differ (a short message)."""
    if png == expected:
        return ""
    a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in (png, expected))
    if a.size != b.size:
        return f"{a.size} pixels against {b.size}"
    diff = ImageChops.difference(a, b)
    changed = int(np.any(np.asarray(diff) != 0, axis=2).sum())
    return f"{changed} pixels differ, within {diff.getbbox()}, by up to {max(hi for _, hi in diff.getextrema())}"


def test_every_trust_of_a_type_shares_one_base_and_has_its_own_overlay(strips):
    for ttype, charts in strips.items():
        layers = [chart_layers(chart) for _, chart in charts]
        assert len({base for base, _ in layers}) == 1, ttype
        assert len({overlay for _, overlay in layers}) == len(charts), ttype
        assert all("<text" in overlay and "<polygon" in overlay for _, overlay in layers), ttype


def test_layers_are_the_chart_svg_in_its_order(strips):
    for charts in strips.values():
        for _, chart in charts:
            base, overlay = chart_layers(chart)
            whole = chart_svg(chart, title="t")
            body = whole[whole.index("</desc>") + len("</desc>"):]
            assert body == base[base.index(">") + 1:-len("</svg>")] + overlay[overlay.index(">") + 1:]


def test_composited_png_is_the_whole_svg_drawn_at_once(strips):
    """Top, bottom and middle trusts of each type: the same bytes, so the same pixels."""
    raster._base.cache_clear()
    for ttype, charts in strips.items():
        for code, chart in charts:
            assert not _difference(raster.chart_png(chart, title="t"), _whole(chart)), (ttype, code)
    info = raster._base.cache_info()
    assert info.misses == len(strips)  # one base drawn per type, kept for its other trusts
    assert info.hits == sum(len(charts) for charts in strips.values()) - len(strips)


def test_composited_png_without_likely_ranges_is_the_whole_svg(strips):
    """The highlighted trust with no likely range (no range line or caps, the diamond alone), and a type in
    which no trust has one."""
    for charts in strips.values():
        code, chart = charts[0]
        bare = replace(chart, points=tuple(replace(p, low=None, high=None) if p.highlight else p
                                           for p in chart.points))
        none = replace(chart, points=tuple(replace(p, low=None, high=None) for p in chart.points))
        for c in (bare, none):
            assert not _difference(raster.chart_png(c, title="t"), _whole(c)), code


def test_a_chart_with_nothing_of_its_own_is_drawn_whole(strips):
    _, chart = next(iter(strips.values()))[0]
    plain = replace(chart, points=tuple(replace(p, highlight=False) for p in chart.points), highlight_label=())
    base, overlay = chart_layers(plain)
    assert overlay == ""
    before = raster._base.cache_info().currsize
    assert not _difference(raster.chart_png(plain, title="t"), _whole(plain))
    assert raster._base.cache_info().currsize == before  # nothing kept for it
    dot = DotPlot(rows=(), value_label="Score")
    assert chart_layers(dot)[1] == ""


def test_bases_kept_are_bounded():
    raster._base.cache_clear()
    for k in range(raster.BASES_KEPT + 2):
        points = tuple(StripPoint(f"Trust {i}", 1.2 + 2.5 * i / (8 + k), highlight=(i == 1)) for i in range(8 + k))
        chart = Caterpillar(points, value_label="Average score", highlight_label=("Trust 1",))
        assert not _difference(raster.chart_png(chart, title="t"), _whole(chart))
    info = raster._base.cache_info()
    assert info.misses == raster.BASES_KEPT + 2 and info.currsize == raster.BASES_KEPT
