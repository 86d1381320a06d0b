"""The national league-table document, built from real and example data, proven accessible."""
from __future__ import annotations

import html

import pandas as pd
import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.load import load
from reportgen.model import BulletList, Run, Section, walk
from reportgen.release import make_context, render
from tests import document_checks as checks
from tests import pdf_content
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

pytestmark = pytest.mark.slow


def _inputs(source: str):
    if source == "real":
        return [shared_file(MH_DATA), shared_file(MH_LEAGUE)]
    return [ROOT / "data"]


@pytest.fixture(scope="module", params=["real", "example"])
def built(request, tmp_path_factory):
    config = Config.load()
    dataset = load(_inputs(request.param), config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    doc = national_document(ctx)
    folder = tmp_path_factory.mktemp(f"national-{request.param}")
    paths = {}
    for fmt in ("html", "pdf", "docx"):
        paths[fmt] = folder / f"league-tables.{fmt}"
        paths[fmt].write_bytes(render(doc, fmt))
    return request.param, ctx, doc, paths, folder


def test_html_is_accessible(built):
    _, _, doc, paths, _ = built
    checks.check_html(paths["html"], doc)


def test_pdf_is_pdf_ua(built):
    _, _, doc, paths, _ = built
    checks.check_pdf(paths["pdf"], doc)


def test_word_is_accessible(built):
    _, _, doc, paths, folder = built
    checks.check_docx(paths["docx"], doc, folder / "lo")


def test_same_ranks_and_segments_in_every_format(built):
    _, ctx, _, paths, _ = built
    t = ctx.result.trusts
    sample = t.iloc[[0, 1, len(t) // 2, len(t) - 1]]
    deficit = t[t.override_applied]
    if len(deficit):
        sample = pd.concat([sample, deficit.iloc[:1]])
    trusts = [(r.trust_name, r.trust_code) for r in sample.itertuples()]
    found = checks.same_facts_in_all_formats(paths, trusts)
    for r in sample.itertuples():
        expected_rank = f"{int(r.league_rank)}" + (" (tied)" if r.tied else "")
        expected = (expected_rank, f"Segment {int(r.final_segment)}")
        for fmt in ("html", "pdf", "docx"):
            assert found[fmt][r.trust_code] == expected, (fmt, r.trust_code, found[fmt][r.trust_code])


def test_document_says_what_it_must(built):
    source, ctx, doc, paths, _ = built
    text = checks.collapse(html.unescape(paths["html"].read_text(encoding="utf-8")))
    for heading in ("Main points", "About these tables", "Contents", "Find a trust", "League tables",
                    "What league tables can and cannot tell you", "How the league tables are derived",
                    "League tables for each area (domain)", "Sources, comparison and glossary", "Glossary",
                    "Accessibility and contact"):
        assert f">{heading}<" in text, heading
    # The cut-offs and the worked example come from the data.
    assert "A worked example:" in text
    if source == "example":
        assert "fictional example data" in doc.title
        assert ctx.result.cutoffs.source == "pooled"
        for v in ctx.result.cutoffs.values:
            assert f"{v:.2f}" in text
    else:
        assert "fictional" not in text.lower()
        assert "The segments are NHS England's own" in text


def test_each_league_table_is_one_pdf_table_however_many_pages(built):
    source, ctx, doc, paths, _ = built
    from tests import checkers

    facts = checkers.pdf_facts(paths["pdf"])
    t = ctx.result.trusts
    for ttype in ctx.result.trust_types:
        assert int((t.trust_type == ttype).sum()) + 1 in facts["table_rows"]
    if source == "example":
        assert 135 in facts["table_rows"]  # header + 134 acute trusts, in one /Table over several pages
    assert facts["pages"] > 3


def test_find_a_trust_prints_in_two_columns_in_list_order(built):
    """On paper, "Find a trust" (a link to each trust's row, A to Z) is set in two columns, so that a reader
    turns fewer pages of links before the tables (in one column it took pages 2 to 6 of the example). The
    tagged PDF still reads it as the model's list, in order, each item one link (one annotation a line),
    never split between columns or pages, and at the print body size."""
    _, _, doc, paths, _ = built
    section = next(b for b, _ in walk(doc.blocks) if isinstance(b, Section) and b.id == "find-a-trust")
    model = next(b for b in section.blocks if isinstance(b, BulletList))
    expected = [next(r.href for r in item.runs if isinstance(r, Run) and r.href) for item in model.items]
    found = [items for items in pdf_content.lists(paths["pdf"])
             if items and items[0] and items[0][0].targets[:1] == (expected[0],)]
    assert len(found) == 1
    items = found[0]
    assert [len(links) for links in items] == [1] * len(expected)
    assert [set(links[0].targets) for links in items] == [{href} for href in expected]

    placed = []  # (page, left edge, top) of each item
    for links in items:
        boxes = links[0].boxes
        assert len({b[0] for b in boxes}) == 1 and len({round(b[1]) for b in boxes}) == 1, boxes
        placed.append((boxes[0][0], round(boxes[0][1]), max(b[4] for b in boxes)))
    columns = {page: sorted({x for p, x, _ in placed if p == page}) for page, _, _ in placed}
    assert all(len(lefts) <= 2 for lefts in columns.values()), columns
    assert [len(lefts) for lefts in columns.values()].count(2) >= len(columns) - 1, columns  # the last may be short
    # Read down the first column, then down the second, page by page: the layout's order is the list's.
    order = [(page, columns[page].index(x), -top) for page, x, top in placed]
    assert order == sorted(order)
    # No line of the first column reaches the second column's bullets.
    for page, lefts in columns.items():
        if len(lefts) == 2:
            widest = max(b[3] for links in items for b in links[0].boxes if b[0] == page and round(b[1]) == lefts[0])
            assert widest + 10 < lefts[1], (page, widest, lefts)
    mcids = {m for links in items for m in links[0].mcids}
    sizes = {round(size, 2) for page, mcid, size in pdf_content.text_sizes(paths["pdf"]) if (page, mcid) in mcids}
    assert sizes and min(sizes) >= checks.PRINT_BODY_PT - 0.01, sizes
