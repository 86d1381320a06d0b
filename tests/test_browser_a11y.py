"""What a browser shows and announces, beyond axe: reflow, forced colours, scroll regions,
print, and a screen-reader transcript.

Built once from NHS England's real mental health and community trust file: the
national document, one trust's pack (RWR) and the quarter's site index, as web
pages, opened in Debian's Chromium through Playwright.

- Reflow (WCAG 1.4.10): at 320, 640 and 1,280 CSS px the page never scrolls
  sideways (``scrollWidth <= innerWidth``) and every table caption wraps within
  the viewport.
- Forced colours, dark and light: chart text and lines take the system text
  colour (contrast against the system background), and the highlighted mark is
  painted differently from the others.
- A table region is a focusable, named region only when it scrolls.
- Printed from the browser, long tables repeat their header row on every page.
- Transcript: the Chromium accessibility tree (role, name, level, in order) of
  each page, compared with the reviewed copy in ``tests/transcripts/``. When a
  change in what a screen reader hears is intended, regenerate the copies with
  ``REPORTGEN_UPDATE_TRANSCRIPTS=1 PYTHONPATH=$PWD python3 -m pytest tests/test_browser_a11y.py -k transcript``
  and read the diff as a reviewer would before committing it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.load import load
from reportgen.release import build, make_context
from tests import checkers
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file

pytestmark = pytest.mark.slow

TRUST = "RWR"
WIDTHS = (320, 640, 1280)
TRANSCRIPTS = Path(__file__).parent / "transcripts"
UPDATE = "REPORTGEN_UPDATE_TRANSCRIPTS"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    config = Config.load()
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    out = tmp_path_factory.mktemp("browser")
    report = build(ctx, out, formats=("html",), trusts=[TRUST], jobs=1)
    folder = report.out_dir
    return {
        "national": folder / "league-tables.html",
        "pack": folder / "trusts" / f"{TRUST}.html",
        "index": folder / "index.html",
    }


@pytest.fixture(scope="module")
def browser():
    checkers.require(checkers.CHROMIUM.exists(), f"Chromium ({checkers.CHROMIUM})")
    return checkers.browser()


def _open(browser, path: Path, width: int = 1280, **context_options):
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True, **context_options)
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    return context, page


# --- reflow -------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["national", "pack", "index"])
def test_no_sideways_scrolling(pages, browser, name, width):
    context, page = _open(browser, pages[name], width)
    try:
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} at {width}px is {scroll}px wide"
        cut = page.evaluate("""(w) => Array.from(document.querySelectorAll('caption')).map(c => {
              const r = c.getBoundingClientRect();
              return [c.textContent.trim().slice(0, 60), Math.round(r.left), Math.round(r.right)];
            }).filter(([t, l, r]) => l < 0 || r > w)""", inner)
        assert cut == [], f"{name} at {width}px: captions past the viewport: {cut}"
    finally:
        context.close()


# --- chart text at 200% zoom (WCAG 1.4.4) ------------------------------------------------

CHART_TEXT_PX = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg.chart')) {
    for (const t of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
      if (size < smallest) smallest = size;
    }
  }
  return smallest;
}"""


def _chart_text_px(browser, path: Path, width: int, zoom: int = 1) -> float:
    """The smallest chart text, in CSS px, on a page ``width`` CSS px wide shown at ``zoom``."""
    context, page = _open(browser, path, width, device_scale_factor=zoom)
    try:
        return page.evaluate(CHART_TEXT_PX)
    finally:
        context.close()


@pytest.mark.parametrize("name", ["national", "pack"])
def test_chart_text_doubles_at_200_percent_zoom_and_stays_readable_at_320px(pages, browser, name):
    """A window 1,280 px wide zoomed to 200 % lays the page out 640 CSS px wide, each CSS px two device
    pixels: chart text must then be at least twice its size at 100 %, so at least as many CSS px. The
    chart keeps its size in rem and scrolls inside its figure instead of shrinking with the column."""
    normal = _chart_text_px(browser, pages[name], 1280)
    zoomed = _chart_text_px(browser, pages[name], 640, zoom=2)
    phone = _chart_text_px(browser, pages[name], 320)
    assert normal >= 12, f"{name}: chart text {normal:.1f}px at 1,280px"
    assert 2 * zoomed >= 2 * normal - 0.1, \
        f"{name}: chart text at 200 % zoom is {100 * zoomed / normal:.0f} % of its size at 100 %"
    assert phone >= normal - 0.05, f"{name}: chart text {phone:.1f}px at 320px against {normal:.1f}px at 1,280px"


# --- forced colours -----------------------------------------------------------------

def _luminance(rgb: tuple[int, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ratio(a: str, b: str) -> float:
    ca, cb = (tuple(int(x) for x in re.findall(r"\d+", c)[:3]) for c in (a, b))
    hi, lo = sorted((_luminance(ca), _luminance(cb)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


CHART_PAINT = """() => {
  const canvas = getComputedStyle(document.body).backgroundColor;
  const root = getComputedStyle(document.documentElement).backgroundColor;
  const out = {canvas: canvas === 'rgba(0, 0, 0, 0)' ? root : canvas, text: [], lines: [], marks: [], highlights: []};
  for (const svg of document.querySelectorAll('svg.chart')) {
    for (const el of svg.querySelectorAll('text')) out.text.push(getComputedStyle(el).fill);
    for (const el of svg.querySelectorAll('line, polyline, path')) {
      const s = getComputedStyle(el); if (s.stroke !== 'none') out.lines.push(s.stroke);
    }
    for (const el of svg.querySelectorAll('rect, circle, polygon, path')) {
      if (el.closest('defs')) continue;
      const s = getComputedStyle(el);
      const cls = el.getAttribute('class') || '';
      if (/chart-(background|segment-shade)/.test(cls)) continue;  // backgrounds, meant to be Canvas
      const highlighted = /highlight/.test(cls) || /^url\\(/.test(el.getAttribute('fill') || '')
                          || /url\\(/.test(s.fill);
      const paint = (s.fill === 'none' ? '' : 'fill ' + s.fill) +
                    (s.stroke === 'none' || parseFloat(s.strokeWidth) === 0 ? '' : ' stroke ' + s.stroke);
      (highlighted ? out.highlights : out.marks).push(paint);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("name", ["national", "pack"])
def test_charts_follow_forced_colours(pages, browser, name, scheme):
    context, page = _open(browser, pages[name], forced_colors="active", color_scheme=scheme)
    try:
        paint = page.evaluate(CHART_PAINT)
    finally:
        context.close()
    canvas = paint["canvas"]
    assert paint["text"], f"{name} has no chart text: nothing to test"
    low = sorted({c for c in paint["text"] if _ratio(c, canvas) < 4.5})
    assert low == [], f"chart text below 4.5:1 on {canvas}: {low}"
    low = sorted({c for c in paint["lines"] if _ratio(c, canvas) < 3})
    assert low == [], f"chart lines below 3:1 on {canvas}: {low}"
    # a mark is seen when its fill or its outline stands out from the background
    low = sorted({m for m in paint["marks"]
                  if not any(_ratio(c, canvas) >= 3 for c in re.findall(r"rgba?\([^)]*\)", m))})
    assert low == [], f"chart marks below 3:1 on {canvas}: {low}"
    if paint["highlights"]:
        assert not set(paint["highlights"]) <= set(paint["marks"]), \
            "the highlighted mark is painted like every other mark"


# --- scroll regions -----------------------------------------------------------------

def test_table_regions_are_focusable_only_when_they_scroll(pages, browser):
    for name in ("national", "pack", "index"):
        for width in (320, 1280):
            context, page = _open(browser, pages[name], width)
            try:
                wraps = page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap')).map(w => ({
                    scrolls: w.scrollWidth > w.clientWidth, tabindex: w.getAttribute('tabindex'),
                    role: w.getAttribute('role'), label: w.getAttribute('aria-label') || ''}))""")
            finally:
                context.close()
            assert wraps, name
            for w in wraps:
                if w["scrolls"]:
                    assert w["tabindex"] == "0" and w["role"] == "region" and w["label"], (name, width, w)
                else:
                    assert w["tabindex"] is None and w["role"] is None, (name, width, w)
            if width == 320:
                assert any(w["scrolls"] for w in wraps), f"{name}: nothing scrolls at 320px; the test proves little"
            # a chart's figure scrolls (keeping its text legible) and can then be reached by keyboard
            context, page = _open(browser, pages[name], width)
            try:
                figures = page.evaluate("""() => Array.from(document.querySelectorAll('figure.figure')).map(f =>
                    [f.scrollWidth > f.clientWidth, f.getAttribute('tabindex')])""")
            finally:
                context.close()
            for scrolls, tabindex in figures:
                assert tabindex == ("0" if scrolls else None), (name, width, scrolls, tabindex)


def test_captions_are_not_the_names_of_their_regions(pages, browser):
    """A screen reader would read a long caption twice: as the region's name and the table's."""
    context, page = _open(browser, pages["national"], 320)
    try:
        names = page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap[role=region]'))
            .map(w => [w.getAttribute('aria-labelledby'), w.getAttribute('aria-label'),
                       w.querySelector('caption').textContent])""")
    finally:
        context.close()
    assert names
    for labelledby, label, caption in names:
        assert labelledby is None and label and label != caption


# --- transcript ---------------------------------------------------------------------

#: Roles that carry no meaning of their own: their children are read in their place.
_TRANSPARENT = {"generic", "none", "presentation", "LineBreak", "InlineTextBox", "RootWebArea"}


def _ax_tree(context, page) -> tuple[dict, str]:
    """Chromium's full accessibility tree (CDP ``Accessibility.getFullAXTree``): nodes by id, and the root."""
    cdp = context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}
    root = next(n["nodeId"] for n in nodes if not n.get("parentId"))
    return by_id, root


def _value(node: dict, key: str) -> str:
    return " ".join(str((node.get(key) or {}).get("value", "")).split())


def _texts(by_id: dict, ids: list[str]) -> list[str]:
    """The static text under ``ids``, in order; a node of any other meaningful role stops the walk."""
    found: list[str] = []
    for node_id in ids:
        node = by_id.get(node_id)
        if node is None or node.get("ignored"):
            continue
        role = _value(node, "role")
        if role == "StaticText":
            found.append(_value(node, "name"))
        elif role in _TRANSPARENT or role in ("strong", "emphasis"):
            found.extend(_texts(by_id, node.get("childIds", [])))
        else:
            found.append("\0")  # something more than text
    return found


def _squash(text: str) -> str:
    return "".join(text.split())


def _transcript(by_id: dict, node_id: str, depth: int = 0, lines: list[str] | None = None) -> list[str]:
    """What a screen reader meets, in order: one line per node with its role, level and name.

    Ignored nodes and roles without meaning are skipped (their children are kept); a table
    row is one line of its cells' names; text that only repeats its parent's name is left out."""
    if lines is None:
        lines = []
    node = by_id[node_id]
    role, name = _value(node, "role"), _value(node, "name")
    children = node.get("childIds", [])
    if node.get("ignored") or role in _TRANSPARENT or (role == "StaticText" and not name):
        for child in children:
            _transcript(by_id, child, depth, lines)
        return lines
    if role == "row":
        cells = [_value(by_id[c], "name") for c in children if c in by_id and not by_id[c].get("ignored")]
        lines.append("  " * depth + "row: " + " | ".join(cells))
        return lines
    if role == "StaticText":
        lines.append("  " * depth + name)
        return lines
    parts = [role]
    for prop in node.get("properties", []):
        if prop["name"] in ("level", "checked", "pressed", "expanded", "selected", "disabled", "sort"):
            value = prop["value"].get("value")
            if value not in (None, False, "none", "false"):
                parts.append(f"{prop['name']} {value}" if value is not True else prop["name"])
    lines.append("  " * depth + " ".join(parts) + (f": {name}" if name else ""))
    if role in ("img", "image"):  # a chart's parts are not read: its name is
        return lines
    if name and _squash(" ".join(_texts(by_id, children))) == _squash(name):
        return lines  # the children only spell out the name (a link's text in several pieces)
    for child in children:
        kid = by_id.get(child)
        if kid is not None and _value(kid, "role") == "StaticText" and _value(kid, "name") == name:
            continue
        _transcript(by_id, child, depth + 1, lines)
    return lines


def _sizes_as_words(text: str) -> str:
    """A download's size ("CSV, 11 KB") as "N KB": the size is announced, but its figure moves with every
    change to the file and says nothing about what a screen reader meets."""
    return re.sub(r"\b\d[\d,.]* (bytes|KB|MB)\b", r"N \1", text)


@pytest.mark.parametrize("name", ["national", "pack", "index"])
def test_screen_reader_transcript_matches_the_reviewed_copy(pages, browser, name):
    context, page = _open(browser, pages[name], 1280)
    try:
        by_id, root = _ax_tree(context, page)
    finally:
        context.close()
    text = _sizes_as_words("\n".join(_transcript(by_id, root)) + "\n")
    reviewed = TRANSCRIPTS / f"{name}.txt"
    if os.environ.get(UPDATE):
        reviewed.parent.mkdir(exist_ok=True)
        reviewed.write_text(text, encoding="utf-8")
    assert reviewed.is_file(), f"no reviewed transcript {reviewed}: run with {UPDATE}=1 and review it"
    expected = reviewed.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                 "reviewed", "now", n=1))[:80])
        pytest.fail(f"what a screen reader hears on the {name} page changed; if intended, regenerate "
                    f"with {UPDATE}=1 and review:\n{diff}", pytrace=False)


# --- browser print ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["index", "national"])
def test_browser_print_repeats_table_headers_on_every_page(pages, browser, name, tmp_path):
    from tests import pdf_content

    context, page = _open(browser, pages[name])
    try:
        page.emulate_media(media="print")
        pdf = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4")
        heading = "Average score" if name == "index" else None
        if heading is None:  # the national document's longest table: its last column heading
            heading = page.evaluate("""() => { const t = Array.from(document.querySelectorAll('table'))
                .sort((a, b) => b.rows.length - a.rows.length)[0];
                return t.tHead.rows[0].cells[t.tHead.rows[0].cells.length - 1].textContent.trim(); }""")
            first_row = page.evaluate("""() => { const t = Array.from(document.querySelectorAll('table'))
                .sort((a, b) => b.rows.length - a.rows.length)[0];
                return [t.caption.textContent.trim().split(/\\s+/).slice(0, 6).join(' '),
                        t.tBodies[0].rows[t.tBodies[0].rows.length - 1].cells[0].textContent.trim()]; }""")
    finally:
        context.close()
    import pikepdf

    with pikepdf.open(pdf) as doc:
        count = len(doc.pages)
    texts = [" ".join(pdf_content.page_text(pdf, n).split()) for n in range(1, count + 1)]
    if name == "index":
        table_pages = [i for i, t in enumerate(texts) if "Briefing pack" in t or "of 61" in t]
    else:
        start = next(i for i, t in enumerate(texts) if first_row[0] in t)  # the page with the caption
        end = next(i for i, t in enumerate(texts) if first_row[1] in t and i >= start)
        table_pages = list(range(start, end + 1))
    assert len(table_pages) >= 2, "the table must cross pages for this test to mean anything"
    # a heading that wraps in its cell may come out interleaved with its neighbours: look for its words
    missing = [i + 1 for i in table_pages if not all(w in texts[i].split() for w in heading.split())]
    assert missing == [], f"{name}: printed pages {missing} lack the column heading {heading!r}"
