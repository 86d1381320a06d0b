"""PDF: header rows on every printed page yet one /Table, artifacts, /Scope, link descriptions.

- Long tables repeat their header row on every page (pdftotext of each page);
  the structure tree still has one /Table with one /THead, tagged on the first
  page only, so no repeated copy is tagged content.
- Every marked-content sequence on every page is either reached from the
  structure tree through the ParentTree or an /Artifact (Matterhorn 01-001,
  18-001): page numbers and repeated header rows are artifacts.
- Header cells carry /Scope; link annotations a /Contents that describes the target.
"""
from __future__ import annotations

import io

import pikepdf
import pytest

from reportgen.model import Document, Link, Paragraph, Run, Section, Table
from reportgen.render.html import render_html
from reportgen.render.pdf import html_to_pdf, render_pdf
from tests import checkers, document_checks, pdf_content
from tests.conftest import LONG_TABLE_ROWS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdf_path(sample_outputs):
    return sample_outputs["pdf"]


@pytest.fixture(scope="module")
def tables(pdf_path):
    return pdf_content.tables(pdf_path)


def test_long_table_repeats_its_header_row_on_every_page(pdf_path, tables, sample_document):
    long_table = tables[1]
    pages = sorted(long_table["body_pages"])
    assert len(pages) >= 4, "the long table must cross pages for this test to mean anything"
    columns = ("Trust", "Rank", "Average score", "Segment", "Change since last quarter")
    for n in pages:
        text = pdf_content.page_text(pdf_path, n)
        for column in columns:
            assert column in text, f"page {n} lacks the column heading {column!r}"


def test_continuation_pages_name_the_table_as_continued_in_an_artifact(pdf_path, tables, sample_document,
                                                                        tmp_path):
    """Each page a table runs on to says "<caption> (continued)" above the repeated header row;
    its first page does not, nor does any page after its last. The line is pagination, an artifact:
    removing the artifacts from the page content removes it and nothing of the table."""
    caption = next(t for t in document_checks.model_tables(sample_document) if len(t.rows) == LONG_TABLE_ROWS).caption
    pages = sorted(tables[1]["body_pages"])
    assert len(pages) >= 4
    bare = pdf_content.without_artifacts(pdf_path, tmp_path / "no-artifacts.pdf")
    continued = f"{caption} (continued)"
    for n in range(1, checkers.pdf_facts(pdf_path)["pages"] + 1):
        text = " ".join(pdf_content.page_text(pdf_path, n).split())
        if n in pages[1:]:
            assert continued in text, f"page {n} does not say the table continues"
            tagged = " ".join(pdf_content.page_text(bare, n).split())
            assert "(continued)" not in tagged, f"page {n}: the continued line is tagged content"
            assert "Trust" in tagged or any(str(k) in tagged for k in range(1, 10)), "table text lost"
        else:
            assert continued not in text, f"page {n} says the table continues, but it does not"


def test_one_table_with_one_header_tagged_on_its_first_page_only(pdf_path, tables):
    assert len(tables) == 3
    for table in tables:
        assert table["theads"] == 1
        assert table["header_pages"] == {min(table["body_pages"])}, table
    assert tables[1]["header_cells"] == 5


def test_every_marked_sequence_is_in_the_tree_or_an_artifact(pdf_path):
    marked = pdf_content.marked_content(pdf_path)
    assert any(m.in_artifact for m in marked) and any(m.reached for m in marked)
    assert pdf_content.untreed_content(pdf_path) == []
    # and nothing is both: tagged content inside an artifact is Matterhorn 01-001
    assert [m for m in marked if m.in_artifact and m.mcid is not None and m.reached] == []


def test_raw_weasyprint_output_leaves_page_numbers_untreed(sample_document, tmp_path):
    """Guards the premise of the test above: WeasyPrint alone tags page numbers outside the tree."""
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(html_to_pdf(render_html(sample_document, for_pdf=True)))
    untreed = pdf_content.untreed_content(raw)
    with pikepdf.open(raw) as pdf:
        assert len({m.page for m in untreed}) == len(pdf.pages)


def test_page_numbers_and_continued_lines_are_pagination_artifacts(pdf_path, tables):
    """Margin-box content is marked ``/Artifact <</Type /Pagination>>``: the page number on every page, and
    the "(continued)" line too on each page a table runs on to."""
    continued = sorted(tables[1]["body_pages"])[1:]
    with pikepdf.open(pdf_path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            pagination = [op for op in pikepdf.parse_content_stream(page)
                          if str(op.operator) == "BDC" and op.operands[0] == "/Artifact"
                          and op.operands[1].get("/Type") == "/Pagination"]
            assert len(pagination) >= (2 if n in continued else 1), n


def test_page_numbers_still_print(pdf_path):
    assert "Page 2 of" in pdf_content.page_text(pdf_path, 2)


def test_header_cells_have_scope(tables, pdf_path):
    for table in tables:
        assert table["scopes"] and set(table["scopes"]) == {"/Column"}
    with pikepdf.open(pdf_path) as pdf:
        bodies = [e for e in checkers._struct_elements(pdf) if e.S == "/TBody"]
        row_headers = [c for b in bodies for r in checkers._kids(b) for c in checkers._kids(r)
                       if checkers._is_elem(c) and c.S == "/TH"]
        assert len(row_headers) >= LONG_TABLE_ROWS
        assert {str(c.A.Scope) for c in row_headers} == {"/Row"}


def _annotations(pdf_bytes: bytes) -> list[tuple[str, str]]:
    found = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Link":
                    action = annot.get("/A")
                    target = str(action.URI) if action is not None and "/URI" in action else "(internal)"
                    found.append((target, str(annot.get("/Contents", ""))))
    return found


def test_link_annotations_describe_their_target(pdf_path):
    annotations = _annotations(pdf_path.read_bytes())
    assert annotations
    for target, contents in annotations:
        assert contents and contents != target, (target, contents)
        assert contents.startswith(("Open ", "Go to ")), contents


def test_internal_link_names_the_section():
    doc = Document("Links", (
        Paragraph.of("See ", Run("the changes", href="#changes"), "."),
        Section("Segment changes", (Paragraph.of("None."),), id="changes"),
    ))
    annotations = _annotations(render_pdf(doc))
    assert [c for _, c in annotations] == ["Go to the section \u201cSegment changes\u201d of this document"]


def test_repeated_header_without_folding_would_be_a_second_thead(sample_document):
    """Guards the premise: WeasyPrint alone tags each repeated header row as a /THead."""
    raw = html_to_pdf(render_html(sample_document, for_pdf=True))
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        heads = [e for e in checkers._struct_elements(pdf) if e.S == "/THead"]
    assert len(heads) > 3


def test_one_row_tables_and_links_between_documents_in_a_tiny_pdf():
    table = Table("One row", ("Trust", "Value"), (("Only", "1"),), numeric=(False, True))
    doc = Document("Tiny", (Section("S", (table,)),), related=(Link("As a web page", "tiny.html"),),
                   slug="tiny")
    pdf = render_pdf(doc)
    assert _annotations(pdf) == []  # no site address: the other format is named in words, not linked


def test_each_chart_and_its_caption_are_grouped(pdf_path, sample_document):
    """PDF 1.7 has no way to tie a /Caption to a /Figure; the PDF Association's Tagged PDF Best
    Practice Guide recommends the Caption straight after the Figure, here the two alone in a /Div.
    Not inside the Figure: assistive technology reads a Figure's /Alt and skips its children."""
    with pikepdf.open(pdf_path) as pdf:
        figures = [e for e in checkers._struct_elements(pdf) if e.S == "/Figure"]
        assert figures
        for figure in figures:
            group = figure.P
            kinds = [str(k.S) for k in checkers._kids(group) if checkers._is_elem(k)]
            assert group.S == "/Div" and kinds == ["/Figure", "/Caption"], kinds
            assert not any(checkers._is_elem(k) and k.S == "/Caption" for k in checkers._kids(figure))
