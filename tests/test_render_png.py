"""PNG charts for Word, drawn with Pillow (reportgen.render.png)."""
from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from reportgen.model import Bar, BarChart
from reportgen.render import palette, png
from reportgen.render.png import bar_chart_png
from reportgen.render.svg import HIGHLIGHT_SUFFIX
from tests.conftest import AWKWARD_NAME

ROOT = Path(__file__).resolve().parent.parent

LONG_LABELS = (
    "Preventing people from dying prematurely",
    "Enhancing quality of life for people with long-term conditions",
    "Helping people to recover from episodes of ill health or following injury",
    "Ensuring that people have a positive experience of care",
    "Treating and caring for people in a safe environment and protecting them from avoidable harm",
    "Leadership and capability",
    "Finance and use of resources",
    "Urgent and emergency care",
    "Elective care and diagnostics including cancer waiting times",
    AWKWARD_NAME,
)


def horizontal_long() -> BarChart:
    bars = tuple(Bar(label, 1 + (i * 7 % 10) / 3.5, highlight=(i == 7)) for i, label in enumerate(LONG_LABELS))
    return BarChart(bars,
                    value_label="Domain score (1 best, 4 worst)", category_label="Domain",
                    value_min=1.0, value_max=4.0, reference_lines=((2.5, "Median"), (2.6, "Upper quartile")))


def histogram(n: int = 20, highlight: int = 7) -> BarChart:
    bars = tuple(Bar(f"{1 + b / 10:.2f} to {1 + b / 10 + 0.09:.2f}" + (" (this trust)" if b == highlight else ""),
                     (b * 13 % 17) + 1, highlight=(b == highlight)) for b in range(n))
    return BarChart(bars,
                    value_label="Number of trusts", category_label="Average score band (1 best, 4 worst)",
                    horizontal=False)


def trend() -> BarChart:
    quarters = (("2024/25 Q2", 2.3), ("2024/25 Q3", 2.1), ("2024/25 Q4", 2.4), ("2025/26 Q1", 1.9))
    return BarChart(tuple(Bar(q, s, highlight=(i == 3)) for i, (q, s) in enumerate(quarters)),
                    value_label="Average metric score (1 best, 4 worst)", category_label="Quarter",
                    value_min=1.0, value_max=4.0, horizontal=False)


def unlabelled(horizontal: bool = True) -> BarChart:
    return BarChart(tuple(Bar(f"Trust {i}", 1 + (i * 37 % 100) / 33, highlight=(i == 60)) for i in range(134)),
                    value_label="Score", category_label="Trust", value_min=1, value_max=4,
                    horizontal=horizontal, show_category_labels=False,
                    reference_lines=((2.0, "Lower quartile"), (3.0, "Upper quartile")))


def plain() -> BarChart:
    return BarChart(tuple(Bar(f"Segment {k}", c) for k, c in zip(range(1, 6), (12, 60, 80, 40, 9))),
                    value_label="Number of trusts", category_label="Segment", horizontal=False)


ALL = {"horizontal_long": horizontal_long, "histogram": histogram, "trend": trend,
       "unlabelled": unlabelled, "unlabelled_vertical": lambda: unlabelled(False), "plain": plain}


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def chunks(data: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        out.append(kind)
        pos += 12 + length
    return out


@pytest.mark.parametrize("name", sorted(ALL))
def test_png_decodes_at_the_expected_size(name):
    data = bar_chart_png(ALL[name]())
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = decode(data)
    assert image.format == "PNG" and image.mode == "P"
    assert image.width == round(png.WIDTH_IN * png.DPI) == 945
    assert 250 < image.height < 2000
    assert image.info["dpi"][0] == pytest.approx(150, abs=0.1)
    # only image data, palette and resolution: no time, text or other metadata
    assert set(chunks(data)) == {b"IHDR", b"PLTE", b"pHYs", b"IDAT", b"IEND"}


def test_size_follows_width_and_dpi():
    small, large = decode(bar_chart_png(trend(), dpi=96)), decode(bar_chart_png(trend(), dpi=300, width_in=5))
    assert small.width == round(6.3 * 96) and large.width == 1500
    # same layout, scaled
    assert small.height / small.width == pytest.approx(large.height / large.width, rel=0.02)


@pytest.mark.parametrize("name", sorted(ALL))
def test_png_is_byte_identical_across_calls(name):
    assert bar_chart_png(ALL[name]()) == bar_chart_png(ALL[name]())


def test_png_is_byte_identical_across_processes():
    script = ("import hashlib; from tests.test_render_png import ALL; from reportgen.render.png import bar_chart_png; "
              "print(hashlib.sha256(b''.join(bar_chart_png(ALL[k]()) for k in sorted(ALL))).hexdigest())")
    here = hashlib.sha256(b"".join(bar_chart_png(ALL[k]()) for k in sorted(ALL))).hexdigest()
    for seed in ("1", "999"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120, check=True).stdout.strip()
        assert out == here


def _segment_distance(c, a, b) -> float:
    ab = [y - x for x, y in zip(a, b)]
    ac = [y - x for x, y in zip(a, c)]
    denom = sum(v * v for v in ab)
    t = 0.0 if denom == 0 else max(0.0, min(1.0, sum(p * q for p, q in zip(ab, ac)) / denom))
    return sum((x + t * d - y) ** 2 for x, d, y in zip(a, ab, c)) ** 0.5


@pytest.mark.parametrize("name", sorted(ALL))
def test_colours_are_the_palette_and_blends_of_it(name):
    image = decode(bar_chart_png(ALL[name]())).convert("RGB")
    counts = Counter({rgb: n for n, rgb in image.getcolors(maxcolors=1 << 16)})
    named = {palette.rgb(k) for k in ("background", "bar", "bar_highlight", "bar_highlight_hatch",
                                      "bar_outline", "axis", "reference_line", "chart_text")}
    assert counts.most_common(1)[0][0] == palette.rgb("background")
    assert {rgb for rgb, _ in counts.most_common(3)} <= named
    # anything else is anti-aliasing: a blend of two palette colours
    pairs = [(a, b) for a in named for b in named if a < b]
    for rgb in counts:
        if rgb not in named:
            assert min(_segment_distance(rgb, a, b) for a, b in pairs) <= 2.0, rgb
    # and the palette colours cover most of the picture
    assert sum(n for rgb, n in counts.items() if rgb in named) > 0.9 * image.width * image.height


def _highlight_box(image: Image.Image) -> tuple[int, int, int, int]:
    blue = palette.rgb("bar_highlight")
    indices = Image.frombytes("L", image.size, image.tobytes())
    lookup = [255 if image.getpalette()[3 * i:3 * i + 3] == list(blue) else 0 for i in range(256)]
    box = indices.point(lookup).getbbox()
    assert box, "no pixel of the highlight colour"
    return box


@pytest.mark.parametrize("name", ["horizontal_long", "histogram", "trend"])
def test_highlighted_bar_is_hatched_and_outlined(name):
    image = decode(bar_chart_png(ALL[name]()))
    x0, y0, x1, y1 = _highlight_box(image)
    rgb = image.convert("RGB")
    blue, white, dark = palette.rgb("bar_highlight"), palette.rgb("bar_highlight_hatch"), palette.rgb("bar_outline")
    inner = [(x, y) for y in range(y0 + 1, y1 - 1) for x in range(x0 + 1, x1 - 1)]
    colours = Counter(rgb.getpixel(p) for p in inner)
    assert colours[blue] > 0.3 * len(inner) and colours[white] > 0.1 * len(inner)
    # stripes at 45 degrees ("/"): constant along x + y, changing along x
    along = sum(rgb.getpixel((x, y)) == rgb.getpixel((x + 1, y - 1)) for x, y in inner)
    across = sum(rgb.getpixel((x, y)) == rgb.getpixel((x + 1, y)) for x, y in inner)
    assert along > 0.97 * len(inner) and across < 0.85 * len(inner)
    # a dark outline all round, outside the hatch
    ring = ([(x, y0 - 1) for x in range(x0, x1)] + [(x, y1) for x in range(x0, x1)]
            + [(x0 - 1, y) for y in range(y0, y1)] + [(x1, y) for y in range(y0, y1)])
    assert sum(rgb.getpixel(p) == dark for p in ring) > 0.95 * len(ring)


def test_no_highlight_colour_without_a_highlighted_bar():
    colours = {c for _, c in decode(bar_chart_png(plain())).convert("RGB").getcolors(1 << 16)}
    assert palette.rgb("bar_highlight") not in colours and palette.rgb("bar") in colours


@pytest.mark.parametrize("name", sorted(ALL))
def test_nothing_is_drawn_at_the_edges(name):
    """Labels are kept inside the picture: a margin of background all round."""
    image = decode(bar_chart_png(ALL[name]()))
    bg = png._palette().index["background"]
    w, h = image.size
    for box in ((0, 0, w, 3), (0, h - 3, w, h), (0, 0, 3, h), (w - 3, 0, w, h)):
        assert image.crop(box).getcolors() == [((box[2] - box[0]) * (box[3] - box[1]), bg)], box


def _text_boxes(chart: BarChart) -> list[tuple[float, float, float, float, str]]:
    cv = png._Canvas(945, 945 / png.WIDTH)
    (png._horizontal if chart.horizontal else png._vertical)(chart, cv)
    boxes = []
    for item in cv.items:
        if item[0] == "text":
            _, x, y, text, bold, title = item
            size = png.TITLE_SIZE if title else png.FONT_SIZE
            boxes.append((x, y - 0.75 * size, x + cv.width(text, bold, title), y + 0.22 * size, text))
    return boxes


@pytest.mark.parametrize("name", sorted(ALL))
def test_straight_text_does_not_overlap(name):
    boxes = _text_boxes(ALL[name]())
    assert boxes
    for i, a in enumerate(boxes):
        assert a[0] >= png.EDGE - 0.01 and a[2] <= png.WIDTH - png.EDGE + 0.01, a
        for b in boxes[i + 1:]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a[4], b[4])


def _awkward_references(refs) -> BarChart:
    return BarChart(tuple(Bar(f"Trust {i}", 1 + i / 2, highlight=(i == 2)) for i in range(6)),
                    value_label="Score", category_label="Trust", value_min=1.0, value_max=4.0, reference_lines=refs)


@pytest.mark.parametrize("chart", [
    horizontal_long(), unlabelled(),
    # labels that must end at their line, near the right edge
    _awkward_references(((2.5, "Median"), (3.9, "A very long reference line label near the edge"))),
    _awkward_references(((3.8, "Long label number one"), (3.9, "Long label number two"), (1.5, "Low"))),
    # no order of the rows avoids a crossing: the line is broken instead
    _awkward_references(((2.9, "Upper quartile"), (3.05, "A long label that must flip at the right edge"))),
])
def test_reference_lines_do_not_cross_their_labels(chart):
    cv = png._Canvas(945, 945 / png.WIDTH)
    png._horizontal(chart, cv)
    boxes = _text_boxes(chart)
    lines = [item for item in cv.items if item[0] == "line" and item[5] == "reference_line"]
    assert lines
    for _, x, y1, _x2, y2, *_ in lines:
        for left, top, right, bottom, text in boxes:
            assert not (left - 1 <= x <= right + 1 and y1 < bottom and top < y2), text


def test_long_labels_are_wrapped_and_the_highlight_is_named():
    boxes = _text_boxes(horizontal_long())
    lines = [b[4] for b in boxes]
    assert any(HIGHLIGHT_SUFFIX in line for line in lines)
    # wrapped within the label column (at most 3 lines each), nothing dropped but ellipses
    assert sum(1 for line in lines if line.endswith(png.ELLIPSIS)) <= 1
    assert "Leadership and capability" in lines


def test_fit_shortens_the_label_but_keeps_the_suffix():
    measure = lambda t: 7.0 * len(t)  # noqa: E731
    lines = png._fit("a very long label " * 10, HIGHLIGHT_SUFFIX, 140, 2, measure)
    assert len(lines) == 2 and lines[-1].endswith(HIGHLIGHT_SUFFIX)
    assert png.ELLIPSIS in " ".join(lines)
    assert png._fit("short", "", 140, 1, measure) == ["short"]


def test_crowded_vertical_labels_are_turned():
    def blocks(chart):
        cv = png._Canvas(945, 945 / png.WIDTH)
        png._vertical(chart, cv)
        return [item for item in cv.items if item[0] == "block" and not item[6]]  # not the axis title

    assert not blocks(trend())                            # room under each bar: upright
    assert {b[4] for b in blocks(histogram())} == {45.0}  # as the SVG
    many = blocks(histogram(70, highlight=33))
    assert {b[4] for b in many} == {90.0} and len(many) < 70   # thinned, highlighted one kept
    assert any(HIGHLIGHT_SUFFIX in " ".join(b[3]) for b in many)


def test_a_missing_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(png, "_fc_match", lambda pattern: (["Some Fallback"], "/usr/share/fonts/x.ttf"))
    with pytest.raises(png.ChartFontError, match="Liberation Sans.*DejaVu Sans|install"):
        png.font_files.__wrapped__()

    def missing(pattern):
        raise FileNotFoundError("fc-match")

    monkeypatch.setattr(png, "_fc_match", missing)
    with pytest.raises(png.ChartFontError, match="fontconfig"):
        png.font_files.__wrapped__()


def test_font_is_a_real_truetype_font():
    regular, bold = png.font_files()
    assert Path(regular).is_file() and Path(bold).is_file()
    assert "Liberation" in regular or "DejaVu" in regular


def test_twenty_charts_are_quick():
    charts = [ALL[k]() for k in sorted(ALL)]
    bar_chart_png(charts[0])  # font loading
    sample = (charts * 4)[:20]
    start = time.perf_counter()
    for c in sample:
        bar_chart_png(c)
    per_chart = (time.perf_counter() - start) / len(sample)
    print(f"\nPNG chart: {per_chart * 1000:.1f} ms on average over {len(sample)} charts")
    assert per_chart < 0.050
