"""The national document answers readers' questions in order, and its A to Z list
finds every trust: its row in the league table and its briefing pack."""
from __future__ import annotations

import html
import re

import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.readability import section_readings
from reportgen.load import load
from reportgen.model import BulletList, Section
from reportgen.outputs import PACKS_DIR
from reportgen.release import build, make_context, render
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

ORDER = ("main-points", "about", "contents", "find-a-trust", "league-tables", "limits", "derivation", "changes",
         "domain-tables", "downloads", "sources", "accessibility")


@pytest.fixture(scope="module", params=["real", "real without league table", "example"])
def ctx(request):
    config = Config.load()
    if request.param == "example":
        paths = [ROOT / "data"]
    elif request.param == "real":
        paths = [shared_file(MH_DATA), shared_file(MH_LEAGUE)]
    else:
        paths = [shared_file(MH_DATA)]
    dataset = load(paths, config)
    return make_context(dataset, config, dataset.latest_quarter)


def _sections(doc):
    return [b for b in doc.blocks if isinstance(b, Section)]


def test_sections_come_in_the_order_readers_ask(ctx):
    doc = national_document(ctx)
    assert tuple(s.id for s in _sections(doc)) == ORDER
    main = _sections(doc)[0]
    points = main.blocks[0]
    assert isinstance(points, BulletList) and 3 <= len(points.items) <= 6
    assert all(re.search(r"\d", p.text) for p in points.items), "every main point has a number"
    contents = _sections(doc)[2].blocks[0]
    assert [r.href for p in contents.items for r in p.runs] == [f"#{i}" for i in ORDER[3:]]


def test_a_to_z_lists_every_trust_once_and_links_resolve(ctx):
    doc = national_document(ctx)
    page = render(doc, "html").decode("utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    find = _sections(doc)[3]
    items = find.blocks[1].items
    codes = [re.search(r"\(([A-Z0-9]{3,5})\)", p.runs[0].text).group(1) for p in items]
    assert sorted(codes) == sorted(ctx.result.trusts.trust_code) and len(set(codes)) == len(codes)
    names = [p.runs[0].text.casefold() for p in items]
    assert names == sorted(names)
    for p, code in zip(items, codes):
        assert p.runs[0].href == f"#row-{code}" and f"row-{code}" in ids
        assert p.runs[-1].href == f"{PACKS_DIR}/{code}.html"
        # the pack link's name is plain words, unique out of context: no brackets for a screen reader to read
        assert code in p.runs[-1].text and not re.search(r"[()\[\]]", p.runs[-1].text), p.runs[-1].text
    # Every link inside the page has its target.
    for href in re.findall(r'href="#([^"]+)"', page):
        assert html.unescape(href) in ids, href
    # The row a trust's link goes to is that trust's row.
    code = codes[0]
    row = re.search(rf'<tr id="row-{code}">(.*?)</tr>', page, re.S).group(1)
    assert f"({code})" in row


def test_pack_links_only_to_packs_that_are_built(ctx, tmp_path):
    code = str(ctx.result.trusts.trust_code.iloc[0])
    report = build(ctx, tmp_path, ("html",), packs=True, trusts=[code], jobs=1)
    national = report.out_dir / "league-tables.html"
    page = national.read_text(encoding="utf-8")
    pack_links = re.findall(rf'href="({PACKS_DIR}/[^"#]+)"', page)
    assert pack_links == [f"{PACKS_DIR}/{code}.html"]
    assert (national.parent / pack_links[0]).is_file()
    none = national_document(ctx, packs=frozenset())
    assert not any(r.href and r.href.startswith(PACKS_DIR) for p in _sections(none)[3].blocks[1].items
                   for r in p.runs)


def test_every_prose_section_is_plain(ctx):
    doc = national_document(ctx)
    for reading in section_readings(doc.blocks, heading="(opening)"):
        assert reading.reading_age <= 12, (reading.heading, round(reading.reading_age, 1))
        assert not reading.long_sentences(25), (reading.heading, reading.long_sentences(25))


def test_a_count_of_one_takes_a_singular_verb(ctx):
    """"1 is in segment 1", never "1 are": the counts come from the data, so the verb must follow them."""
    doc = national_document(ctx)
    text = " ".join(t for reading in section_readings(doc.blocks, heading="(opening)") for t in reading.texts)
    assert not re.search(r"(?<![\d.,])1 (are|were|have)\b", text), re.findall(r".{60}(?<![\d.,])1 are\b.{20}", text)
    assert not re.search(r"(?<![\d.,])1 of the \d+ trusts in segment \d are\b", text)


def test_statements_the_review_found_false_are_gone(ctx):
    doc = national_document(ctx)
    text = html.unescape(re.sub(r"<[^>]+>", " ", render(doc, "html").decode("utf-8")))
    text = re.sub(r"\s+", " ", text)
    assert "whatever its score" not in text
    assert "Most scores come from" not in text
    assert "Mismatch" not in text
    assert "holds no Recovery Support Programme placements" not in text
    assert "not applicable" not in text.split("League tables for each area")[0]
    t = ctx.result.trusts
    if t.likely_range_of_rank.isna().all():
        assert "Likely range" not in text.split("What league tables can")[0].split("Find a trust")[-1]
        assert "Add it to show how uncertain each rank is" in text
    if not t.recovery_published.any():
        assert f"file for {ctx.quarter} does not say which trusts are in the Recovery Support Programme" in text


def test_word_links_from_the_a_to_z_list_reach_their_rows(ctx):
    import io
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    data = render(national_document(ctx), "docx")
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    bookmarks = {b.get(f"{w}name") for b in body.iter(f"{w}bookmarkStart")}
    anchors = {link.get(f"{w}anchor") for link in body.iter(f"{w}hyperlink") if link.get(f"{w}anchor")}
    rows = {a for a in anchors if a.startswith("row_")}
    assert len(rows) == len(ctx.result.trusts)
    assert anchors <= bookmarks, sorted(anchors - bookmarks)[:5]


def test_pack_links_are_left_out_where_they_cannot_be_followed(ctx):
    """A PDF built without the site's address leaves out the pack links instead of naming every file in words;
    with the address they are absolute links."""
    import dataclasses

    from reportgen.render.html import render_html

    doc = dataclasses.replace(national_document(ctx), path="2025-26-q4/league-tables", site_url="")
    assert f'href="{PACKS_DIR}/' in render_html(doc)
    assert "briefing pack for" not in render_html(doc, for_pdf=True).lower()
    with_site = dataclasses.replace(doc, site_url="https://example.org/oversight/")
    assert f'href="https://example.org/oversight/2025-26-q4/{PACKS_DIR}/' in render_html(with_site, for_pdf=True)
