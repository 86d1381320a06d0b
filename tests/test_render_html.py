"""The HTML writer: structure, escaping, colours, determinism, axe-core and the Nu Html Checker."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from reportgen.model import Document, Figure, Paragraph, Section, Table, walk
from reportgen.render import palette
from reportgen.render.html import render_html, stylesheet
from reportgen.resources import templates_dir
from tests import checkers
from tests.conftest import AWKWARD_NAME, FIGURE_ALT, LONG_TABLE_ROWS

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str):
    return lxml_html.document_fromstring(text)


@pytest.fixture(scope="module")
def page(sample_document):
    return render_html(sample_document)


@pytest.fixture(scope="module")
def tree(page):
    return parse(page)


def heading_levels(tree) -> list[int]:
    return [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def test_templates_dir_is_the_checkout_folder():
    folder = templates_dir()
    assert (folder / "document.html.j2").is_file()
    assert (folder / "blocks.html.j2").is_file()
    assert (folder / "style.css.j2").is_file()
    # names must stay within the packaged globs (*.j2, *.css, *.md, prose/*)
    for path in folder.iterdir():
        if path.is_file():
            assert path.suffix in (".j2", ".css", ".md"), path.name


def test_templates_dir_prefers_the_installed_package_folder(tmp_path, monkeypatch):
    import reportgen
    from reportgen import resources

    package = tmp_path / "site-packages" / "reportgen"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(reportgen, "__file__", str(package / "__init__.py"))
    resources.templates_dir.cache_clear()
    try:
        assert resources.templates_dir() == (package / "templates").resolve()
    finally:
        monkeypatch.undo()
        resources.templates_dir.cache_clear()
    assert resources.templates_dir() == Path(reportgen.__file__).resolve().parent.parent / "templates"


def test_page_language_title_skip_link_and_main(tree, sample_document):
    assert tree.get("lang") == "en-GB"
    assert tree.findtext("head/title") == sample_document.title
    assert len(tree.findall("head/title")) == 1
    skip = tree.body[0]
    assert skip.tag == "a" and skip.get("href") == "#main"
    mains = tree.findall(".//main")
    assert len(mains) == 1 and mains[0].get("id") == "main"
    h1s = tree.findall(".//h1")
    assert [h.text_content() for h in h1s] == [sample_document.title]
    meta = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
    assert meta["author"] == sample_document.author
    assert meta["description"] == sample_document.subject
    assert meta["dcterms.created"] == sample_document.date


def test_headings_follow_section_depth_and_never_skip(tree, sample_document):
    levels = heading_levels(tree)
    assert levels[0] == 1 and levels.count(1) == 1
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, levels
    expected = [1] + [depth for block, depth in walk(sample_document.blocks) if isinstance(block, Section)]
    assert levels == expected
    texts = [h.text_content() for h in tree.iter("h2", "h3", "h4", "h5", "h6")]
    assert texts == [b.heading for b, _ in walk(sample_document.blocks) if isinstance(b, Section)]


def test_related_links_are_a_labelled_nav_near_the_top(tree, sample_document):
    nav = tree.find(".//nav")
    assert nav is not None and nav.get("aria-label")
    main = tree.find(".//main")
    assert list(main).index(nav) <= 3
    links = [(a.text_content(), a.get("href")) for a in nav.iter("a")]
    assert links == [(link.text, link.href) for link in sample_document.related]


def test_every_table_has_caption_column_and_row_headers(tree, sample_document):
    tables = tree.findall(".//table")
    model_tables = [b for b, _ in walk(sample_document.blocks) if isinstance(b, Table)]
    model_tables += [b.data for b, _ in walk(sample_document.blocks) if isinstance(b, Figure)]
    assert len(tables) == len(model_tables) == 3
    ids = set()
    for table in tables:
        caption = table.find("caption")
        assert caption is not None and caption.text_content().strip()
        assert table.index(caption) == 0
        head_cells = table.findall("thead/tr/*")
        assert head_cells and all(c.tag == "th" and c.get("scope") == "col" for c in head_cells)
        rows = table.findall("tbody/tr")
        assert rows
        for row in rows:
            cells = list(row)
            assert cells[0].tag == "th" and cells[0].get("scope") == "row"
            assert all(c.tag == "td" for c in cells[1:])
            assert len(cells) == len(head_cells)
            assert all(c.text_content().strip() for c in cells), "no empty cells"
        assert not table.xpath(".//*[@colspan or @rowspan]")
        # a scroll box around it; the inline script makes it a focusable region only when
        # it scrolls (tests/test_browser_a11y.py), never named by the caption
        wrap = table.getparent()
        assert wrap.get("class") == "table-wrap"
        assert wrap.get("role") is None and wrap.get("tabindex") is None and wrap.get("aria-labelledby") is None
        ids.add(caption.get("id"))
    assert len(ids) == len(tables)


def test_numeric_columns_are_right_aligned(tree, sample_document):
    table = tree.get_element_by_id("league-table")
    header = [th.get("class") for th in table.findall("thead/tr/th")]
    assert header == [None, "num", "num", "num", "num"]
    first = table.find("tbody/tr")
    assert [c.get("class") for c in first] == [None, "num", "num", "num", "num"]
    assert re.search(r"\.num\s*\{[^}]*text-align:\s*right", stylesheet(False))


def test_long_table_has_every_row(tree):
    table = tree.get_element_by_id("league-table")
    assert len(table.findall("tbody/tr")) == LONG_TABLE_ROWS


def test_awkward_names_are_escaped_not_mangled(page, tree):
    row_headers = [th.text_content() for th in tree.xpath("//th[@scope='row']")]
    assert AWKWARD_NAME in row_headers
    assert "A &amp; B &lt;Trust&gt;" in page
    assert "<Trust>" not in page
    svg_texts = ["".join(t.itertext()) for t in tree.iter(f"{SVG}text", "text")]
    assert any("A & B <Trust>" in t for t in svg_texts)
    caption = [c.text_content() for c in tree.iter("caption")]
    assert "Table 1: Trusts with awkward names & symbols (<escaping> test)" in caption


def test_figure_is_svg_with_title_desc_caption_and_data_table_after(tree):
    figures = tree.findall(".//figure")
    assert len(figures) == 2
    for figure in figures:
        svg = figure.find(f"{SVG}svg")
        if svg is None:
            svg = figure.find("svg")
        assert svg is not None and svg.get("role") == "img"
        title_id = svg.get("aria-labelledby")
        desc_id = svg.get("aria-describedby")
        title = tree.get_element_by_id(title_id)
        desc = tree.get_element_by_id(desc_id)
        assert title.tag.endswith("title") and title.getparent() is svg and svg.index(title) == 0
        assert desc.tag.endswith("desc") and desc.text_content().strip()
        assert figure.find("figcaption").text_content().strip()
        following = figure.getnext()
        assert following.get("class") == "table-wrap" and following.find("table") is not None
    first_svg = figures[0][0]
    assert first_svg[0].text_content() == FIGURE_ALT


def test_notes_have_no_heading_and_a_strong_title(tree, sample_document):
    notes = tree.xpath("//div[@role='note']")
    assert len(notes) == 2
    for note in notes:
        assert not note.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
        assert note[0].tag == "p" and note[0][0].tag == "strong"
    assert notes[0][0].text_content() == "Fictional data"
    assert "note-warning" in notes[0].get("class")


def test_inline_runs_links_and_bold(tree):
    link = tree.xpath("//a[@href='https://www.england.nhs.uk/nhs-oversight-framework/']")[0]
    assert link.text_content() == "NHS Oversight Framework"
    assert "every acute trust" in [s.text_content() for s in tree.iter("strong")]
    assert [len(x.findall("li")) for x in tree.iter("ol")] == [2]


def test_self_contained_no_network(page):
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ["<script>"]  # one inline script (scroll regions), nothing fetched
    assert "<link" not in page
    assert "@import" not in page
    assert "url(" not in page.replace("url(#", "")  # SVG pattern fills only
    assert not re.search(r'\ssrc="', page)


def test_output_is_deterministic(sample_document):
    assert render_html(sample_document) == render_html(sample_document)
    assert render_html(sample_document, for_pdf=True) == render_html(sample_document, for_pdf=True)


def test_pdf_variant_drops_screen_only_parts(sample_document):
    tree = parse(render_html(sample_document, for_pdf=True))
    assert not tree.xpath("//a[@class='skip-link']")
    assert not tree.xpath("//div[@class='table-wrap']")
    assert not tree.xpath("//section")  # flat: WeasyPrint splits every block per page
    # header rows repeat on every printed page (the PDF writer marks the copies as artifacts)
    assert re.search(r"thead\s*\{\s*display:\s*table-header-group", stylesheet(True))
    assert heading_levels(tree)[0] == 1


def test_print_stylesheet_has_only_page_numbers_in_margins():
    css = stylesheet(False)
    assert "@media print" in css
    margin_boxes = re.findall(r"@(top|bottom|left|right)-[a-z-]+", css)
    assert margin_boxes == ["bottom"]
    assert 'counter(page)' in css


def test_unknown_block_and_too_deep_sections_are_refused():
    deep: Section = Section("level 7", (Paragraph.of("x"),))
    for n in range(6, 1, -1):
        deep = Section(f"level {n}", (deep,))
    with pytest.raises(ValueError, match="heading level 7"):
        render_html(Document("t", (deep,)))
    with pytest.raises(TypeError):
        render_html(Document("t", ("not a block",)))


# --- colours ---------------------------------------------------------------

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b")


def test_every_colour_in_css_and_svg_comes_from_the_palette(page):
    used = {c.upper() for c in HEX.findall(page)}
    allowed = {c.upper() for c in palette.COLOURS.values()}
    assert used, "expected colours in the page"
    assert used <= allowed, used - allowed


@pytest.mark.parametrize("fg,bg,kind", palette.CONTRAST_PAIRS)
def test_palette_contrast(fg, bg, kind):
    ratio = checkers.contrast_ratio(palette.COLOURS[fg], palette.COLOURS[bg])
    assert ratio >= palette.MINIMUM[kind], f"{fg} on {bg}: {ratio:.2f}:1 < {palette.MINIMUM[kind]}:1"


def test_contrast_ratio_matches_known_values():
    assert checkers.contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert checkers.contrast_ratio("#4F81BD", "#FFFFFF") == pytest.approx(4.03, abs=0.01)
    assert checkers.contrast_ratio("#005EB8", "#FFFFFF") == pytest.approx(6.38, abs=0.01)
    assert palette.contrast_ratio("#005EB8", "#FFFFFF") == pytest.approx(6.38, abs=0.01)


def test_text_and_marks_on_white_are_all_checked():
    pairs = {(fg, bg) for fg, bg, _ in palette.CONTRAST_PAIRS}
    for name in ("text", "text_secondary", "heading", "link", "link_visited", "bar", "bar_highlight",
                 "reference_line", "axis", "chart_text", "focus_outline"):
        assert (name, "background") in pairs, name


# --- real checkers -----------------------------------------------------------------

@pytest.mark.slow
def test_axe_finds_no_violations(sample_outputs):
    violations = checkers.axe_violations(sample_outputs["html"])
    assert violations == [], checkers.describe_axe(violations)


@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(sample_outputs):
    errors = checkers.vnu_errors(sample_outputs["html"], sample_outputs["pdf_html"])
    assert errors == []


@pytest.mark.slow
def test_checkers_do_catch_problems(tmp_path: Path):
    """Negative control: the same checkers report a page with known faults."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        "<h1>x</h1><h3>skipped</h3><img src='data:,'><p style='color:#999;background:#fff'>low</p>"
        "<table><tr><td colspan=0>x</td></tr></table><div><li>stray</li></div></body></html>",
        encoding="utf-8",
    )
    ids = {v["id"] for v in checkers.axe_violations(bad)}
    assert {"html-has-lang", "image-alt", "color-contrast", "heading-order"} <= ids
    assert checkers.vnu_errors(bad)
