"""Hand-written SVG charts and their PNG twins for Word."""
from __future__ import annotations

import io
import re
import time
import xml.etree.ElementTree as ET

import pytest

from reportgen.model import Bar, BarChart
from reportgen.render import palette
from reportgen.render.png import bar_chart_png
from reportgen.render.svg import HIGHLIGHT_SUFFIX, bar_chart_svg, describe, value_axis
from tests.conftest import AWKWARD_NAME

NS = "{http://www.w3.org/2000/svg}"


def chart(n=5, *, horizontal=True, labels=True, refs=((2.5, "Median"),), highlight=2, vmax=None):
    bars = tuple(Bar(f"Trust {i}" if i != 1 else AWKWARD_NAME, 1 + (i * 7 % 10) / 3, highlight=(i == highlight))
                 for i in range(n))
    return BarChart(bars=bars, value_label="Score", category_label="Trust", value_min=1.0,
                    value_max=vmax, horizontal=horizontal, show_category_labels=labels,
                    reference_lines=refs)


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize("horizontal", [True, False])
@pytest.mark.parametrize("labels", [True, False])
def test_svg_is_well_formed_with_title_desc_and_accessible_name(horizontal, labels):
    svg = bar_chart_svg(chart(horizontal=horizontal, labels=labels), title="The message", id_prefix="fig-1")
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root[0].tag == f"{NS}title" and root[0].text == "The message"
    assert root[1].tag == f"{NS}desc" and root[1].text
    assert root.get("aria-labelledby") == root[0].get("id") == "fig-1-title"
    assert root.get("aria-describedby") == root[1].get("id") == "fig-1-desc"
    assert root.get("viewBox").startswith("0 0 ")
    assert "<style" not in svg and "class=\"chart\"" in svg


def test_svg_is_deterministic():
    c = chart(40, labels=False)
    assert bar_chart_svg(c, title="t") == bar_chart_svg(c, title="t")


def test_category_labels_shown_or_not():
    shown = texts(ET.fromstring(bar_chart_svg(chart(6), title="t")))
    for i in (0, 3, 5):
        assert f"Trust {i}" in shown
    hidden = texts(ET.fromstring(bar_chart_svg(chart(134, labels=False, highlight=17), title="t")))
    assert not any(t.startswith("Trust ") and HIGHLIGHT_SUFFIX not in t for t in hidden)
    # the highlighted bar is still named, in bold
    assert f"Trust 17 {HIGHLIGHT_SUFFIX}" in hidden


@pytest.mark.parametrize("horizontal", [True, False])
def test_highlight_does_not_rely_on_colour(horizontal):
    root = ET.fromstring(bar_chart_svg(chart(5, horizontal=horizontal), title="t", id_prefix="f"))
    rects = [r for r in root.iter(f"{NS}rect") if r.get("fill", "").startswith("url(")]
    assert len(rects) == 1
    bar = rects[0]
    assert bar.get("fill") == "url(#f-hatch)"
    assert bar.get("stroke") == palette.COLOURS["bar_outline"] and float(bar.get("stroke-width")) >= 2
    pattern = root.find(f".//{NS}pattern")
    assert pattern.get("id") == "f-hatch"
    bold = [t for t in root.iter(f"{NS}text")
            if t.get("font-weight") == "bold" and HIGHLIGHT_SUFFIX in "".join(t.itertext())]
    assert bold, "the highlighted bar's label is bold and says so"
    plain = [r for r in root.iter(f"{NS}rect") if r.get("fill") == palette.COLOURS["bar"]]
    assert len(plain) == 4


@pytest.mark.parametrize("horizontal", [True, False])
def test_axis_ticks_and_reference_lines_are_labelled(horizontal):
    c = chart(5, horizontal=horizontal, refs=((2.5, "Median"), (3.25, "Upper quartile")), vmax=4.0)
    shown = texts(ET.fromstring(bar_chart_svg(c, title="t")))
    assert "Median: 2.5" in shown and "Upper quartile: 3.25" in shown
    for tick in ("1", "2", "3", "4"):
        assert tick in shown
    assert "Score" in shown and "Trust" in shown
    dashed = [ln for ln in ET.fromstring(bar_chart_svg(c, title="t")).iter(f"{NS}line") if ln.get("stroke-dasharray")]
    assert len(dashed) == 2


def test_value_axis_is_nice():
    axis = value_axis(BarChart(bars=(Bar("a", 37.0), Bar("b", 88.0)), value_label="v", category_label="c"))
    assert axis.lo == 0 and axis.hi == 100
    assert axis.ticks == (0, 20, 40, 60, 80, 100)
    fixed = value_axis(chart(vmax=4.0))
    assert fixed.lo == 1 and fixed.hi == 4 and fixed.ticks[0] == 1 and fixed.ticks[-1] == 4


def test_text_is_escaped():
    svg = bar_chart_svg(chart(3), title="A & B <c>", id_prefix="x y&z")
    root = ET.fromstring(svg)
    assert root[0].text == "A & B <c>"
    assert AWKWARD_NAME in " ".join(texts(root))  # wrapped over two lines
    assert re.fullmatch(r"[A-Za-z][\w-]*", root[0].get("id"))


def test_description_names_highlight_and_reference_lines():
    text = describe(chart(5))
    assert "Horizontal bar chart" in text and "5 bars" in text
    assert "Trust 2" in text and "Median at 2.5" in text


def test_colours_all_come_from_the_palette():
    allowed = {c.upper() for c in palette.COLOURS.values()}
    for horizontal in (True, False):
        svg = bar_chart_svg(chart(8, horizontal=horizontal), title="t")
        used = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", svg)}
        assert used <= allowed


def test_four_hundred_charts_are_quick():
    c = chart(134, labels=False, highlight=60, refs=((2.0, "a"), (3.0, "b")))
    start = time.perf_counter()
    for i in range(400):
        bar_chart_svg(c, title="t", id_prefix=f"c{i}")
    assert time.perf_counter() - start < 5.0


# --- PNG for Word -----------------------------------------------------------------

@pytest.mark.parametrize("horizontal,labels", [(True, True), (True, False), (False, True)])
def test_png_is_deterministic_and_has_no_timestamp(horizontal, labels):
    c = chart(12, horizontal=horizontal, labels=labels)
    first = bar_chart_png(c)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == bar_chart_png(c)
    assert b"tIME" not in first
    assert b"Software" not in first


def test_png_uses_the_palette_and_shows_the_highlight():
    from PIL import Image

    image = Image.open(io.BytesIO(bar_chart_png(chart(6)))).convert("RGB")
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 20)}
    assert palette.rgb("bar") in colours
    assert palette.rgb("bar_highlight") in colours
    assert image.info.get("dpi", (150, 150))[0] == pytest.approx(150, abs=1)
