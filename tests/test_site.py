"""The site: each quarter's index page and the list of quarters.

Built from the real mental-health file, with one trust renamed to a name that
needs escaping, one placed in segment 5 and one without an average score, fake
pack sizes for a few trusts and small dummy national files. Checked with
axe-core in headless Chromium (before and after the sort and filter controls
are used, the sort driven by the keyboard), the Nu Html Checker, and by reading
the markup.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from reportgen.config import Config
from reportgen.content import site
from reportgen.content.limits import parse_range
from reportgen.load import load
from reportgen.quarters import slug
from reportgen.release import make_context
from tests import checkers
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file

QUARTER = "Q4 2025/26"
EARLIER = "Q2 2025/26"
FORMATS = ("html", "pdf", "docx")
AWKWARD = "Ysbyty & <Gwynedd> \"Quoted\" O'Brien Café – Ñandú NHS Trust"
NATIONAL_BYTES = {"html": 900, "pdf": 1_300_000, "docx": 46_080}
NATIONAL_TEXT = {"html": "League tables (Web page, 900 bytes)", "pdf": "League tables (PDF, 1.2 MB)",
                 "docx": "League tables (Word, 45 KB)"}
PACK_BYTES = {"html": 46_000, "pdf": 184_320, "docx": 61_440}
PACK_TEXT = {"html": "Web page, 45 KB", "pdf": "PDF, 180 KB", "docx": "Word, 60 KB"}


# ---------------------------------------------------------------------------
# Building the site once


def _altered(ctx, quarter: str, edits: dict[str, dict]) -> object:
    """The context for ``quarter`` with some trusts' fields replaced."""
    result = ctx.results[quarter]
    trusts = result.trusts.copy()
    for code, fields in edits.items():
        for column, value in fields.items():
            trusts.loc[trusts.trust_code == code, column] = value
    results = dict(ctx.results)
    results[quarter] = dataclasses.replace(result, trusts=trusts)
    return dataclasses.replace(ctx, results=results, quarter=quarter)


@pytest.fixture(scope="module")
def base_ctx():
    config = Config.load()
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    return make_context(dataset, config, QUARTER)


@pytest.fixture(scope="module")
def codes(base_ctx) -> dict[str, str]:
    """Trusts given a special role in the tests, by code."""
    t = base_ctx.result.trusts
    league = list(t.trust_code)
    return {"awkward": league[2], "segment5": league[-3], "no_score": league[len(league) // 2],
            "pdf_only": league[7]}


@pytest.fixture(scope="module")
def ctx(base_ctx, codes):
    return _altered(base_ctx, QUARTER, {
        codes["awkward"]: {"trust_name": AWKWARD},
        codes["segment5"]: {"final_segment": 5.0},
        codes["no_score"]: {"average_score": math.nan},
    })


@pytest.fixture(scope="module")
def sizes(ctx, codes) -> dict[str, dict[str, int]]:
    built = list(ctx.result.trusts.trust_code)[:5] + [codes["no_score"]]
    out = {code: dict(PACK_BYTES) for code in built}
    out[codes["pdf_only"]] = {"pdf": PACK_BYTES["pdf"]}
    return out


def _national_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, n in NATIONAL_BYTES.items():
        (folder / f"league-tables.{fmt}").write_bytes(b"x" * n)


def _build(out: Path, ctx, sizes) -> list[Path]:
    folder = out / slug(ctx.quarter)
    _national_files(folder)
    return site.write_site(ctx, out, folder, FORMATS, sizes)


@pytest.fixture(scope="module")
def built(tmp_path_factory, ctx, sizes):
    out = tmp_path_factory.mktemp("site")
    (out / "notes").mkdir()
    (out / "notes" / "index.html").write_text("not a quarter", encoding="utf-8")
    (out / "2024-25-q1").mkdir()  # a quarter folder with no index page: not listed
    # the later quarter first, so that the order listed cannot be the order written
    paths = _build(out, ctx, sizes)
    _build(out, dataclasses.replace(ctx, quarter=EARLIER), {})
    return {"out": out, "paths": paths, "page": out / slug(QUARTER) / "index.html", "top": out / "index.html"}


@pytest.fixture(scope="module")
def tree(built):
    return lxml_html.document_fromstring(built["page"].read_text(encoding="utf-8"))


def body_rows(tree):
    return tree.xpath('//table[@id="trusts"]/tbody/tr')


def row_of(tree, code: str):
    rows = [r for r in body_rows(tree) if r.xpath("string(td[1])") == code]
    assert len(rows) == 1, code
    return rows[0]


# ---------------------------------------------------------------------------
# Wording


@pytest.mark.parametrize("n, words", [
    (1, "1 byte"), (900, "900 bytes"), (1023, "1023 bytes"), (1024, "1 KB"), (46_080, "45 KB"),
    (1_048_063, "1023 KB"), (1_048_576, "1.0 MB"), (1_300_000, "1.2 MB"),
])
def test_file_sizes_in_words(n, words):
    assert site.file_size(n) == words


def test_quarter_labels_from_folder_names():
    assert site.quarter_label("2025-26-q4") == "Q4 2025/26"
    assert site.quarter_label("2025-27-q4") is None
    assert site.quarter_label("2025-26-q5") is None
    assert site.quarter_label("notes") is None


# ---------------------------------------------------------------------------
# The quarter's page, read as markup


def test_paths_written_are_returned(built):
    assert built["paths"] == [built["page"], built["top"]]
    assert all(p.is_file() for p in built["paths"])


def test_page_language_title_skip_link_headings(tree):
    assert tree.get("lang") == "en-GB"
    title = "NHS Oversight Framework Q4 2025/26: league tables and trust briefing packs"
    assert tree.findtext("head/title") == title
    assert [h.text_content() for h in tree.iter("h1")] == [title]
    skip = tree.body[0]
    assert skip.tag == "a" and skip.get("href") == "#main" and tree.get_element_by_id("main").tag == "main"
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert not tree.xpath("//script[@src] | //link[@rel='stylesheet'] | //img")  # self-contained
    assert "fictional" not in tree.text_content().lower()


def test_every_trust_in_one_table_with_caption_and_scopes(tree, ctx):
    tables = tree.xpath("//table")
    assert len(tables) == 1
    table = tables[0]
    assert table.xpath("string(caption)").strip()
    heads = table.xpath("thead/tr/th")
    assert heads and all(th.get("scope") == "col" for th in heads)
    assert [th.text_content() for th in heads] == [
        "Trust", "Code", "Trust type", "Region", "Segment", "Rank", "Average score",
        "Briefing pack: web page", "Briefing pack: PDF", "Briefing pack: Word"]
    rows = body_rows(tree)
    assert len(rows) == len(ctx.result.trusts) == 61
    for row in rows:
        cells = list(row)
        assert cells[0].tag == "th" and cells[0].get("scope") == "row"
        assert all(c.tag == "td" for c in cells[1:])
        assert len(cells) == len(heads)
        assert all(c.text_content().strip() for c in cells), "no empty cell"
        assert not any(c.get("colspan") or c.get("rowspan") for c in cells)
    assert len(tree.xpath('//tbody//th[@scope="row"]')) == len(rows)
    assert {r.xpath("string(td[1])") for r in rows} == set(ctx.result.trusts.trust_code)


def test_rows_in_league_order_type_then_rank(tree, ctx):
    t = ctx.result.trusts.set_index("trust_code")
    order = [r.xpath("string(td[1])") for r in body_rows(tree)]
    types = list(ctx.result.trust_types)
    keys = [(types.index(t.loc[c, "trust_type"]), int(t.loc[c, "league_rank"])) for c in order]
    assert keys == sorted(keys)


def test_segment_rank_and_score_in_words(tree, ctx, codes):
    t = ctx.result.trusts.set_index("trust_code")
    seen_likely: list[bool] = []
    for row in body_rows(tree):
        code = row.xpath("string(td[1])")
        segment, rank, score = (row.xpath(f"string(td[{i}])") for i in (4, 5, 6))
        r = t.loc[code]
        assert segment.startswith(f"Segment {int(r.final_segment)}")
        expected_rank = f"{int(r.league_rank)} of {int(r.league_size)}"
        rank_likely, score_likely = parse_range(r.likely_range_of_rank), parse_range(r.likely_range_of_average_score)
        notes = (["tied"] if r.tied else []) + ([f"likely {rank_likely[0]:.0f} to {rank_likely[1]:.0f}"]
                                                if rank_likely else [])
        assert rank == expected_rank + (f" ({'; '.join(notes)})" if notes else "")
        if code == codes["no_score"]:
            assert score == "no data"
        else:  # the uncertainty shown where NHS England publishes it
            assert score == f"{r.average_score:.2f}" + (
                f" (likely {score_likely[0]:.2f} to {score_likely[1]:.2f})" if score_likely else "")
        seen_likely.append(bool(rank_likely and score_likely))
    assert row_of(tree, codes["segment5"]).xpath("string(td[4])") == "Segment 5 (Recovery Support Programme)"
    assert any("(tied" in r.xpath("string(td[5])") for r in body_rows(tree))
    assert any(seen_likely)


def test_national_links_carry_format_and_size(tree):
    links = {a.get("href"): a.text_content() for a in tree.xpath('//ul[@class="file-list"]//a')}
    assert links == {f"league-tables.{fmt}": NATIONAL_TEXT[fmt] for fmt in FORMATS}


def test_pack_links_carry_format_and_size_and_missing_packs_say_not_built(tree, ctx, sizes, codes):
    for code in ctx.result.trusts.trust_code:
        row = row_of(tree, code)
        name = row.xpath("string(th)")
        cells = row.xpath("td")[-3:]
        for fmt, cell in zip(FORMATS, cells):
            links = cell.xpath("a")
            if fmt in sizes.get(code, {}):
                assert len(links) == 1
                assert links[0].get("href") == f"trusts/{code}.{fmt}"
                visible = "".join(links[0].xpath("text() | span[@class='nowrap']/text()"))
                assert visible == PACK_TEXT[fmt]
                assert links[0].text_content() == f"{PACK_TEXT[fmt]} (briefing pack for {name})"
            else:
                assert not links and cell.text_content() == "not built"
    pdf_only = row_of(tree, codes["pdf_only"]).xpath("td")[-3:]
    assert [c.text_content() for c in pdf_only][::2] == ["not built", "not built"]
    assert pdf_only[1].text_content().startswith("PDF, 180 KB")


def test_awkward_name_is_escaped_and_shown_right(built, tree, codes):
    source = built["page"].read_text(encoding="utf-8")
    assert "<Gwynedd>" not in source
    assert "Ysbyty &amp; &lt;Gwynedd&gt;" in source
    assert row_of(tree, codes["awkward"]).xpath("string(th)") == AWKWARD
    assert AWKWARD in tree.xpath('string(//a[contains(@href, "' + codes["awkward"] + '.pdf")])')


def test_controls_are_hidden_until_the_script_runs(tree):
    controls = tree.get_element_by_id("trust-controls")
    assert controls.get("hidden") is not None
    assert not tree.xpath("//thead//button")  # the script makes the sort buttons
    labels = {lab.get("for"): lab.text_content() for lab in tree.iter("label")}
    assert labels == {"filter-name": "Trust name contains", "filter-type": "Trust type", "filter-region": "Region"}
    script = tree.xpath("//script")
    assert len(script) == 1 and "sortBy" in script[0].text and "scrolls" in script[0].text


def test_no_packs_built_says_not_built_everywhere(tmp_path, ctx):
    _build(tmp_path, ctx, {})
    page = lxml_html.document_fromstring((tmp_path / slug(QUARTER) / "index.html").read_text(encoding="utf-8"))
    cells = page.xpath('//table[@id="trusts"]/tbody/tr/td[position() > 6]')
    assert len(cells) == 3 * len(ctx.result.trusts)
    assert {c.text_content() for c in cells} == {"not built"}
    assert not page.xpath("//tbody//a")


def test_fictional_data_said_in_title_note_and_quarter_list(tmp_path, ctx):
    _build(tmp_path, dataclasses.replace(ctx, fictional=True), {})
    page = lxml_html.document_fromstring((tmp_path / slug(QUARTER) / "index.html").read_text(encoding="utf-8"))
    title = page.findtext("head/title")
    assert title.endswith(" (fictional example data)")
    assert page.xpath("string(//h1)") == title
    note = page.xpath('//main//div[@role="note"]')
    assert note and "invented" in note[0].text_content()
    top = lxml_html.document_fromstring((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert [a.text_content() for a in top.xpath("//main//li/a")] == ["Q4 2025/26 (fictional example data)"]


# ---------------------------------------------------------------------------
# The list of quarters


def test_quarter_list_newest_first(built):
    top = lxml_html.document_fromstring(built["top"].read_text(encoding="utf-8"))
    assert top.get("lang") == "en-GB"
    assert top.findtext("head/title") == site.SITE_TITLE
    links = [(a.get("href"), a.text_content()) for a in top.xpath("//main//li/a")]
    assert links == [("2025-26-q4/index.html", "Q4 2025/26"), ("2025-26-q2/index.html", "Q2 2025/26")]
    page = lxml_html.document_fromstring(built["page"].read_text(encoding="utf-8"))
    assert page.xpath('//nav[@aria-label="Breadcrumb"]/a/@href') == ["../index.html"]


# ---------------------------------------------------------------------------
# Determinism


def test_two_builds_are_byte_identical(tmp_path, built, ctx, sizes):
    first = {p: p.read_bytes() for p in built["paths"]}
    again = _build(built["out"], ctx, sizes)
    assert {p: p.read_bytes() for p in again} == first
    elsewhere = _build(tmp_path, ctx, sizes)
    assert elsewhere[0].read_bytes() == first[built["page"]]
    assert not list(built["out"].rglob(".reportgen-*"))  # no temporaries left


# ---------------------------------------------------------------------------
# In a browser: axe-core, keyboard sorting, filtering, no JavaScript



def _browser():
    checkers.require(checkers.CHROMIUM.exists(), f"Chromium ({checkers.CHROMIUM})")
    checkers.require(checkers.AXE_JS.exists(), f"axe-core ({checkers.AXE_JS})")
    return checkers.browser()  # the session's one Chromium (a second Playwright cannot start)


def _axe(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(checkers.AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", checkers.AXE_TAGS)
    return result["violations"]


def _codes_shown(page) -> list[str]:
    return page.eval_on_selector_all(
        "#trusts tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.cells[1].textContent)")


def _expected(ctx, column: str, descending: bool) -> list[str]:
    """Codes in the order a sort on ``column`` should give: missing last, ties in league order."""
    order = site.league_order(ctx).reset_index(drop=True)
    key = pd.to_numeric(order[column], errors="coerce")
    position = list(range(len(order)))
    sign = -1 if descending else 1
    ranked = sorted(position, key=lambda i: (pd.isna(key[i]), 0 if pd.isna(key[i]) else sign * key[i], i))
    return [order.trust_code[i] for i in ranked]


@pytest.mark.slow
def test_axe_clean_on_both_pages_as_built(built):
    for path in (built["page"], built["top"]):
        violations = checkers.axe_violations(path)
        assert not violations, checkers.describe_axe(violations)


@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(built):
    assert checkers.vnu_errors(built["page"], built["top"]) == []


@pytest.mark.slow
def test_sort_by_keyboard_and_filter_then_axe_still_clean(built, ctx, codes):
    context = _browser().new_context(viewport={"width": 1280, "height": 1024}, offline=True)
    try:
        page = context.new_page()
        page.goto(built["page"].resolve().as_uri(), wait_until="load")
        assert page.is_visible("#trust-controls")
        assert page.text_content("#trust-count") == "Showing 61 of 61 trusts"
        assert page.locator("#trusts thead th button").count() == 7
        violations = _axe(page)
        assert not violations, checkers.describe_axe(violations)

        # reach the "Average score" sort button with the keyboard alone, then press Enter
        page.focus("#filter-region")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Average score":
                break
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        header = page.locator("#trusts thead th", has_text="Average score")
        assert header.get_attribute("aria-sort") is None
        page.keyboard.press("Enter")
        assert header.get_attribute("aria-sort") == "ascending"
        assert page.text_content("#sort-status") == "Sorted by average score, best first"
        assert page.get_attribute("#sort-status", "aria-live") == "polite"
        assert _codes_shown(page) == _expected(ctx, "average_score", descending=False)
        assert _codes_shown(page)[-1] == codes["no_score"]  # "no data" last
        page.keyboard.press("Space")  # the same button again reverses the order
        assert header.get_attribute("aria-sort") == "descending"
        assert page.text_content("#sort-status") == "Sorted by average score, worst first"
        assert _codes_shown(page) == _expected(ctx, "average_score", descending=True)
        assert page.locator("#trusts thead th[aria-sort]").count() == 1

        rank = page.locator("#trusts thead th", has_text="Rank")
        rank.locator("button").focus()
        page.keyboard.press("Enter")
        assert rank.get_attribute("aria-sort") == "ascending"
        assert header.get_attribute("aria-sort") is None
        assert page.text_content("#sort-status") == "Sorted by rank within trust type, best first"
        assert _codes_shown(page) == _expected(ctx, "league_rank", descending=False)

        # filter by region: only that region's trusts, and the count says so
        page.select_option("#filter-region", "London")
        london = set(ctx.result.trusts.loc[ctx.result.trusts.region == "London", "trust_code"])
        shown = _codes_shown(page)
        assert set(shown) == london and len(shown) == len(london)
        assert page.text_content("#trust-count") == f"Showing {len(london)} of 61 trusts"
        assert page.get_attribute("#trust-count", "role") == "status"
        page.select_option("#filter-type", "Mental health and community trust")
        assert len(_codes_shown(page)) == len(london)
        violations = _axe(page)
        assert not violations, checkers.describe_axe(violations)

        page.select_option("#filter-region", "")
        assert page.text_content("#trust-count") == "Showing 61 of 61 trusts"
        assert len(_codes_shown(page)) == 61
    finally:
        context.close()


@pytest.mark.slow
def test_search_by_name_rank_within_type_and_back_to_league_order(tmp_path, ctx, codes):
    league = list(ctx.result.trusts.trust_code)
    mixed = _altered(ctx, QUARTER, {league[-1]: {"trust_type": "Acute trust", "league_rank": 1.0, "league_size": 2},
                                    league[-2]: {"trust_type": "Acute trust", "league_rank": 2.0, "league_size": 2}})
    folder = tmp_path / slug(QUARTER)
    _national_files(folder)
    site.write_site(mixed, tmp_path, folder, FORMATS, {})
    context = _browser().new_context(viewport={"width": 1280, "height": 1024}, offline=True)
    try:
        page = context.new_page()
        page.goto((folder / "index.html").resolve().as_uri(), wait_until="load")
        initial = _codes_shown(page)
        assert not page.is_visible("#league-order")  # nothing to go back to yet

        # search by trust name: case and accents ignored
        page.fill("#filter-name", "CAFE")
        assert _codes_shown(page) == [codes["awkward"]]
        assert page.text_content("#trust-count") == "Showing 1 of 61 trusts"
        page.fill("#filter-name", "ñandú")
        assert _codes_shown(page) == [codes["awkward"]]
        page.fill("#filter-name", "")
        assert len(_codes_shown(page)) == 61

        # rank sorts within trust type: the types never interleave, ranks rise within each
        page.locator("#trusts thead th", has_text="Rank").locator("button").click()
        shown = _codes_shown(page)
        types = page.eval_on_selector_all("#trusts tbody tr", "rows => rows.map(r => r.dataset.type)")
        changes = sum(1 for a, b in zip(types, types[1:]) if a != b)
        assert changes == 1, types
        assert {shown.index(league[-1]), shown.index(league[-2])} in ({0, 1}, {59, 60})
        assert shown.index(league[-1]) < shown.index(league[-2])  # rank 1 before rank 2 of its type
        page.locator("#trusts thead th", has_text="Average score").locator("button").click()
        assert _codes_shown(page) != initial

        # and back to league order, announced
        assert page.is_visible("#league-order")
        page.click("#league-order")
        assert _codes_shown(page) == initial
        assert page.locator("#trusts thead th[aria-sort]").count() == 0
        assert page.text_content("#sort-status") == "Shown in league order"
        assert not page.is_visible("#league-order")
        violations = _axe(page)
        assert not violations, checkers.describe_axe(violations)
    finally:
        context.close()


@pytest.mark.slow
def test_without_javascript_every_row_shows_and_no_control_is_offered(built, ctx):
    context = _browser().new_context(viewport={"width": 1280, "height": 1024}, offline=True,
                                     java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(built["page"].resolve().as_uri(), wait_until="load")
        rows = page.locator("#trusts tbody tr")
        assert rows.count() == len(ctx.result.trusts)
        assert all(rows.nth(i).is_visible() for i in range(rows.count()))
        assert not page.is_visible("#trust-controls")
        assert page.locator("#trusts thead button").count() == 0
        assert page.locator("#trusts thead th[aria-sort]").count() == 0
    finally:
        context.close()
