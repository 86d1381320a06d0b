"""Hand-written SVG charts (bar, dot plot, caterpillar) and their PNG rasters for Word."""
from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET

import pytest

from reportgen.model import Bar, BarChart, Caterpillar, Cutoff, DotPlot, DotRow, StripPoint
from reportgen.render import palette, raster
from reportgen.render import svg as svg_module
from reportgen.render.svg import HIGHLIGHT_SUFFIX, bar_chart_svg, chart_svg, describe, value_axis
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


def subpaths(root, cls: str) -> list[list[tuple]]:
    """The subpaths of the ``<path>`` of class ``cls`` (exactly one): each a list of (command, numbers...)."""
    paths = [e for e in root.iter(f"{NS}path") if e.get("class") == cls]
    assert len(paths) == 1, f"{len(paths)} paths of class {cls}"
    commands = [(m.group(1), *(float(v) for v in m.group(2).split()))
                for m in re.finditer(r"([MLAZhv])([^MLAZhv]*)", paths[0].get("d"))]
    out: list[list[tuple]] = []
    for command in commands:
        if command[0] == "M":
            out.append([])
        if command[0] != "Z":
            out[-1].append(command)
    return out


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
    outline = [r for r in root.iter(f"{NS}rect") if r.get("class") == "chart-bar-outline"
               and (r.get("x"), r.get("y")) == (bar.get("x"), bar.get("y"))]
    assert outline and outline[0].get("color") == palette.COLOURS["bar_outline"]
    assert float(outline[0].get("stroke-width")) >= 2
    pattern = root.find(f".//{NS}pattern")
    assert pattern.get("id") == "f-hatch"
    bold = [t for t in root.iter(f"{NS}text")
            if t.get("font-weight") == "bold" and HIGHLIGHT_SUFFIX in "".join(t.itertext())]
    assert bold, "the highlighted bar's label is bold and says so"
    plain = [r for r in root.iter(f"{NS}rect") if r.get("class") == "chart-bar"]
    assert len(plain) == 4 and {r.get("color") for r in plain} == {palette.COLOURS["bar"]}


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


# --- dot plot and caterpillar -------------------------------------------------------

def dot_plot(n=5) -> DotPlot:
    rows = tuple(DotRow(f"Domain {i}" if i != 1 else AWKWARD_NAME, None if i == 3 else 1.5 + i * 0.4,
                        1.8, 2.2 + i * 0.1, 2.9, note=f"{1.5 + i * 0.4:.2f} ({i + 3}th of 61)") for i in range(n))
    return DotPlot(rows=rows, value_label="Domain score", key="Dot: this trust. Band: middle half. Tick: median.")


def caterpillar(n=61, highlight=17, ranges=True, labels=False) -> Caterpillar:
    points = tuple(StripPoint(f"Trust {i}", 1.4 + 2 * i / n, (1.2 + 2 * i / n) if ranges else None,
                              (1.7 + 2 * i / n) if ranges else None, highlight=(i == highlight)) for i in range(n))
    return Caterpillar(points, value_label="Average score", cutoffs=(Cutoff(2.02, 2.11), Cutoff(2.3, 2.3),
                                                                    Cutoff(2.57, 2.6)),
                       segments=("Segment 1", "Segment 2", "Segment 3", "Segment 4"),
                       highlight_label=("Trust 17: 2.00", "ranked 18th"), show_labels=labels, key="Dot: average.")


ALL_CHARTS = {
    "bar": lambda: chart(6), "bar-vertical": lambda: chart(6, horizontal=False),
    "bar-unlabelled": lambda: chart(134, labels=False, highlight=60), "dot-plot": dot_plot,
    "caterpillar": caterpillar, "caterpillar-acute": lambda: caterpillar(134, highlight=100),
    "caterpillar-labelled": lambda: caterpillar(10, highlight=3, ranges=False, labels=True),
}


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_every_chart_is_accessible_svg_painted_through_classes(name):
    svg = chart_svg(ALL_CHARTS[name](), title="The message", id_prefix="fig")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root[0].text == "The message" and root[1].text
    assert root.get("aria-labelledby") == "fig-title" and root.get("aria-describedby") == "fig-desc"
    assert "<style" not in svg
    allowed = {c.upper() for c in palette.COLOURS.values()}
    for element in root.iter():
        tag = element.tag.replace(NS, "")
        if tag in ("svg", "title", "desc", "defs", "pattern"):
            continue
        # every mark says its role and paints with currentColor, so a stylesheet can restyle it
        assert (element.get("class") or "").startswith("chart-"), (tag, element.attrib)
        for attribute in ("fill", "stroke"):
            value = element.get(attribute)
            assert value in (None, "none", "currentColor") or value.startswith("url(#"), (tag, element.attrib)
        if element.get("class") != "chart-bar-highlight":
            assert element.get("color", "").upper() in allowed, (tag, element.attrib)


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_chart_text_is_at_least_nine_points_in_print(name):
    root = ET.fromstring(chart_svg(ALL_CHARTS[name](), title="t"))
    assert float(root.get("viewBox").split()[2]) == svg_module.WIDTH
    sizes = [float(t.get("font-size") or root.get("font-size")) for t in root.iter(f"{NS}text")]
    assert sizes and min(sizes) >= svg_module.FONT_SIZE
    for column in (svg_module.PDF_COLUMN_MM, svg_module.WORD_COLUMN_MM):
        assert svg_module.printed_size_pt(column, min(sizes)) >= 9.0


def test_print_column_widths_match_the_page_setups():
    from reportgen.render import docx as docx_writer
    from reportgen.render.html import stylesheet

    assert docx_writer.PICTURE_WIDTH == round(svg_module.WORD_COLUMN_MM / 10 * 360000)
    css = stylesheet(True)
    margins = re.search(r"margin: (\d+)mm (\d+)mm (\d+)mm (\d+)mm;", css)
    assert margins and 210 - int(margins.group(2)) - int(margins.group(4)) == svg_module.PDF_COLUMN_MM


def test_dot_plot_draws_band_median_and_dot_and_marks_better_and_worse():
    c = dot_plot()
    root = ET.fromstring(chart_svg(c, title="t"))
    # each role in every row as one path: a band and a median for each of the 5 rows, a dot for 4 of them
    assert len(subpaths(root, "chart-band")) == 5 and len(subpaths(root, "chart-median")) == 5
    assert all(len(b) == 4 and [c[0] for c in b] == ["M", "h", "v", "h"] for b in subpaths(root, "chart-band"))
    dots = subpaths(root, "chart-dot-highlight")
    assert len(dots) == 4  # one row has no value: no dot
    rings = [e for e in root.iter(f"{NS}circle") if e.get("class") == "chart-background"]
    assert [(float(e.get("cx")), float(e.get("cy"))) for e in rings] == [(d[0][1], d[0][2]) for d in dots]
    shown = texts(root)
    assert "\u2190 better" in shown and "worse \u2192" in shown
    assert AWKWARD_NAME in " ".join(shown)
    assert any(t.startswith("2.70") for t in shown)  # each row's note
    # the axis runs from 1 (better) at the left to 4 at the right
    ticks = {t.text: float(t.get("x")) for t in root.iter(f"{NS}text") if t.text in ("1", "4")}
    assert ticks["1"] < ticks["4"]
    xs = [d[0][1] for d in dots]
    assert xs == sorted(xs)  # values rise with the row, so dots move right


def test_dot_plot_can_put_better_on_the_right():
    shown = texts(ET.fromstring(chart_svg(DotPlot(dot_plot().rows, "Value", lower_is_better=False), title="t")))
    assert "\u2190 worse" in shown and "better \u2192" in shown


def test_caterpillar_orders_trusts_and_marks_cutoffs_segments_and_the_highlight():
    c = caterpillar()
    root = ET.fromstring(chart_svg(c, title="t"))
    # every trust's dot in one path: a tiny line stroked with round ends; the highlighted trust's too, under its
    # diamond, so that the path is the same whichever trust is highlighted
    dots = subpaths(root, "chart-dot")
    assert len(dots) == 61 and all(d[1] == ("h", svg_module.DOT_STROKE) and len(d) == 2 for d in dots)
    dot = next(e for e in root.iter(f"{NS}path") if e.get("class") == "chart-dot")
    assert (dot.get("fill"), dot.get("stroke"), dot.get("stroke-linecap")) == ("none", "currentColor", "round")
    assert float(dot.get("stroke-width")) > 100 * svg_module.DOT_STROKE  # a round dot, not a dash
    xs = [d[0][1] for d in dots]  # the centre: where the line starts
    assert xs == sorted(xs)  # in the order given, best on the left
    ys = [d[0][2] for d in dots]
    assert ys == sorted(ys)  # values rise (worse) down the chart: better is up
    ranges = subpaths(root, "chart-range")  # every likely range, one line each, in one path
    assert len(ranges) == 61 and all(r[0][1] == r[1][1] and r[0][2] != r[1][2] for r in ranges)
    dashed = [e for e in root.iter(f"{NS}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 3
    zones = [e for e in root.iter(f"{NS}rect") if e.get("class") == "chart-band"]
    assert len(zones) == 2  # two cut-offs known only as a bracket
    # the highlight: a diamond with a dark outline (shape, not colour) and a bold label
    diamonds = [e for e in root.iter(f"{NS}polygon")]
    assert {d.get("class") for d in diamonds} == {"chart-dot-highlight", "chart-bar-outline"}
    bold = [t.text for t in root.iter(f"{NS}text") if t.get("font-weight") == "bold"]
    assert "Trust 17: 2.00" in bold and "ranked 18th" in bold
    shown = texts(root)
    assert "Segment" in shown and all(str(k) in shown for k in range(1, 5))  # narrow segments: numbers
    assert "\u2191 better" in shown and "\u2193 worse" in shown
    assert "Highlighted" in chart_svg(c, title="t") and "Trust 17" in svg_module.describe_caterpillar(c)


def test_caterpillar_names_segments_in_full_when_they_are_wide():
    c = caterpillar()
    wide = Caterpillar(c.points, "Average score", cutoffs=(Cutoff(1.75, 1.75), Cutoff(2.5, 2.5), Cutoff(3.25, 3.25)),
                       segments=("Segment 1", "Segment 2", "Segment 3", "Segment 4"))
    shown = texts(ET.fromstring(chart_svg(wide, title="t")))
    assert all(f"Segment {k}" in shown for k in range(1, 5))


def test_caterpillar_label_stays_inside_the_chart():
    for highlight in (0, 30, 60):
        root = ET.fromstring(chart_svg(caterpillar(61, highlight=highlight), title="t"))
        for t in root.iter(f"{NS}text"):
            if t.get("font-weight") != "bold":
                continue
            x, width = float(t.get("x")), svg_module._text_width(t.text, bold=True)
            start = x - width if t.get("text-anchor") == "end" else x
            assert 0 <= start and start + width <= svg_module.WIDTH + 1, (highlight, t.text)


def test_caterpillar_label_goes_where_it_hides_the_fewest_trusts():
    """The highlighted trust's label is boxed in a corner of the plot. Here the trust is on the left, where
    every trust's likely range runs from top to bottom, and the top right is empty: the label goes there,
    hiding no dot or range."""
    n = 40
    points = tuple(StripPoint(f"Trust {i}", 1.2 + 2.6 * i / n, 1.0 if i < n // 2 else None,
                              4.0 if i < n // 2 else None, highlight=(i == 5)) for i in range(n))
    c = Caterpillar(points, value_label="Average score", highlight_label=("Trust 5: 1.53", "ranked 6th"))
    root = ET.fromstring(chart_svg(c, title="t"))
    boxes = [e for e in root.iter(f"{NS}rect") if e.get("class") == "chart-background"]
    assert len(boxes) == 1
    x, y, w, h = (float(boxes[0].get(k)) for k in ("x", "y", "width", "height"))
    ranges = subpaths(root, "chart-range")
    assert not any(x <= r[0][1] <= x + w for r in ranges), "the label hides a likely range"
    for d in subpaths(root, "chart-dot"):
        cx, cy = d[0][1], d[0][2]
        assert not (x <= cx <= x + w and y <= cy <= y + h), "the label hides a trust's dot"


def test_caterpillar_names_every_trust_when_asked():
    shown = texts(ET.fromstring(chart_svg(caterpillar(10, highlight=3, ranges=False, labels=True), title="t")))
    assert all(f"Trust {i}" in shown for i in range(10))


# --- PNG for Word: the same SVG, rasterised ----------------------------------------

@pytest.mark.parametrize("name", ["bar", "dot-plot", "caterpillar"])
def test_png_is_the_svg_rasterised_at_print_resolution(name):
    from PIL import Image

    c = ALL_CHARTS[name]()
    png = raster.chart_png(c, title="t")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == raster.chart_png(c, title="t")  # deterministic
    assert b"tIME" not in png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert raster.DPI >= 200
    assert image.width == round(svg_module.WORD_COLUMN_MM / 25.4 * raster.DPI)
    root = ET.fromstring(chart_svg(c, title="t"))
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    assert image.height == pytest.approx(image.width * h / w, abs=2)
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 22)}
    mark = {"bar": "bar_highlight", "dot-plot": "dot_highlight", "caterpillar": "dot_highlight"}[name]
    assert palette.rgb(mark) in colours
    assert palette.rgb("chart_text") in colours


@pytest.mark.parametrize("name", ["bar", "dot-plot", "caterpillar-labelled"])
def test_png_is_opaque_and_holds_the_pixels_cairo_drew(name):
    """The PNG is RGB without transparency, and its own encoder loses nothing: every row but the
    last (which CairoSVG's background may cover only in part) is the one CairoSVG's stock PNG
    writer draws for the same SVG on white."""
    import cairosvg
    from PIL import Image

    from reportgen import fonts

    c = ALL_CHARTS[name]()
    image = Image.open(io.BytesIO(raster.chart_png(c, title="t")))
    assert image.mode == "RGB" and "transparency" not in image.info
    svg = fonts.use_shipped_family(chart_svg(c, title="t"), svg_module.FONT_FAMILY)
    stock = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), output_width=raster.width_px(),
                                                   background_color="white"))).convert("RGB")
    assert stock.size == image.size
    box = (0, 0, image.width, image.height - 1)
    assert image.crop(box).tobytes() == stock.crop(box).tobytes()
    assert image.getpixel((0, image.height - 1)) == (255, 255, 255)


def test_charts_drawn_in_the_kept_memory_are_those_drawn_in_fresh_memory(monkeypatch):
    """Every chart is drawn in memory the process keeps (``raster._PIXELS``), which still holds the chart drawn
    before it: each PNG is the one drawn in fresh memory, whatever was drawn there before, of a larger or a
    smaller size; and a chart no larger than one drawn before takes no new memory."""
    names = ["caterpillar-labelled", "bar-vertical", "dot-plot", "caterpillar", "bar-unlabelled", "bar"]
    charts = {name: ALL_CHARTS[name]() for name in names}
    fresh = {}
    for name in names:
        monkeypatch.setattr(raster, "_PIXELS", raster._Pixels())
        raster._base.cache_clear()
        fresh[name] = raster.chart_png(charts[name], title="t")
    sizes = {name: _png_size(png) for name, png in fresh.items()}
    fresh = {name: _digest(png) for name, png in fresh.items()}  # pytest would print a long diff of bytes
    assert len(set(sizes.values())) >= 4, sizes  # the charts differ in size, so memory is reused across sizes
    monkeypatch.setattr(raster, "_PIXELS", raster._Pixels())
    raster._base.cache_clear()
    for name in names:  # each in memory left by the one before
        assert _digest(raster.chart_png(charts[name], title="t")) == fresh[name], name
    kept = raster._PIXELS.surface, raster._PIXELS.rows
    for name in reversed(names):  # and again, now that the memory is as large as the largest
        assert _digest(raster.chart_png(charts[name], title="t")) == fresh[name], name
        assert raster._PIXELS.surface is kept[0] and raster._PIXELS.rows is kept[1], name


def test_charts_drawn_in_several_threads_at_once_are_those_drawn_one_at_a_time():
    """Each thread draws in memory of its own: charts drawn by four threads at once, each several times, are the
    PNGs drawn one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["caterpillar-labelled", "bar-vertical", "dot-plot", "caterpillar"]
    charts = [ALL_CHARTS[name]() for name in names]
    alone = [_digest(raster.chart_png(chart, title="t")) for chart in charts]

    def draw(k: int) -> list[str]:
        return [_digest(raster.chart_png(charts[k], title="t")) for _ in range(4)]

    with ThreadPoolExecutor(len(charts)) as pool:
        drawn = list(pool.map(draw, range(len(charts))))
    assert drawn == [[digest] * 4 for digest in alone]


def _digest(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()


def _png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(png)).size


def test_png_text_is_set_in_liberation_sans():
    """The raster's text has Liberation Sans's widths, not a fallback font's."""
    from PIL import Image, ImageFont

    path = raster.chart_font()
    assert "LiberationSans" in path.replace(" ", "")
    word = "Wide words measure the font"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="680" height="40" viewBox="0 0 680 40" '
           f'font-family="{svg_module.FONT_FAMILY}" font-size="28"><text x="0" y="30" fill="#000">{word}</text></svg>')
    image = Image.open(io.BytesIO(raster.svg_png(svg, column_mm=680 / 96 * 25.4, dpi=96))).convert("L")
    xs = [x for x in range(image.width) if any(image.getpixel((x, y)) < 128 for y in range(image.height))]
    drawn = xs[-1] - xs[0]
    expected = ImageFont.truetype(path, 28).getlength(word)
    assert drawn == pytest.approx(expected, rel=0.04)
    dejavu = ImageFont.truetype("DejaVuSans.ttf", 28).getlength(word) if Path_exists("DejaVuSans.ttf") else None
    assert dejavu is None or abs(dejavu - expected) / expected > 0.08


def Path_exists(name: str) -> bool:
    from PIL import ImageFont

    try:
        ImageFont.truetype(name, 10)
    except OSError:
        return False
    return True


def test_fontconfig_that_cannot_be_loaded_is_one_clear_sentence(monkeypatch):
    from reportgen import fonts

    def no_fontconfig():
        raise OSError("libfontconfig.so.1: cannot open shared object file")

    monkeypatch.setattr(fonts, "use_in_fontconfig", no_fontconfig)
    with pytest.raises(raster.ChartFontError, match="install fontconfig"):
        raster.chart_font.__wrapped__()


def test_a_chart_is_drawn_once_for_its_web_page_print_and_word_picture():
    """A chart's drawing is kept for the process (``svg._drawn``): its SVG for HTML and its layers for Word come
    from one drawing, and are those drawn afresh; a chart made with lists (not hashable) is drawn each time."""
    from dataclasses import replace

    from reportgen.render.html import chart_svg as html_chart_svg

    svg_module._kept_drawing.cache_clear()
    for name in ("dot-plot", "caterpillar", "caterpillar-labelled"):
        chart = ALL_CHARTS[name]()
        fresh = svg_module._kept_drawing.__wrapped__(chart)
        before = svg_module._kept_drawing.cache_info()
        web = html_chart_svg(chart, "alt", "fig-1")
        base, overlay = svg_module.chart_layers(chart)
        after = svg_module._kept_drawing.cache_info()
        assert (after.misses - before.misses, after.hits - before.hits) == (1, 1), name
        assert web.endswith(fresh[0] + fresh[1] + "</svg>") and base.endswith(fresh[0] + "</svg>")
        assert overlay.endswith(fresh[1] + "</svg>") if fresh[1] else overlay == ""
        assert chart_svg(chart, title="t") == chart_svg(replace(chart), title="t")  # an equal chart: the same SVG
    listed = replace(ALL_CHARTS["caterpillar"](), points=list(ALL_CHARTS["caterpillar"]().points))
    assert chart_svg(listed, title="t") == chart_svg(ALL_CHARTS["caterpillar"](), title="t")
    assert svg_module.chart_layers(listed) == svg_module.chart_layers(ALL_CHARTS["caterpillar"]())
