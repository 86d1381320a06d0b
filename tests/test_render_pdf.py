"""The PDF writer: PDF/UA-1 (page-validation), exact tags and metadata (pikepdf), determinism."""
from __future__ import annotations

import logging

import pikepdf
import pytest

from reportgen.model import Document, Figure, Paragraph, Section, Table, walk
from reportgen.render.html import render_html
from reportgen.render.pdf import PdfRenderError, fold_structure, html_to_pdf, render_pdf, repair
from tests import checkers, pdf_content
from tests.conftest import AWKWARD_NAME, FIGURE_ALT, LONG_TABLE_ROWS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdf_path(sample_outputs):
    return sample_outputs["pdf"]


@pytest.fixture(scope="module")
def facts(pdf_path):
    return checkers.pdf_facts(pdf_path)


def test_passes_pdf_ua_1(pdf_path):
    assert checkers.pdfua_failures(pdf_path) == []


def test_language_title_and_metadata(facts, sample_document):
    assert facts["lang"] == "en-GB"
    assert facts["title"] == sample_document.title
    assert facts["xmp_title"] == sample_document.title
    assert facts["display_doc_title"] is True
    assert facts["marked"] is True
    assert str(facts["pdfua_part"]) == "1"
    assert facts["author"] == sample_document.author
    assert facts["subject"] == sample_document.subject
    assert facts["keywords"] == ", ".join(sample_document.keywords)
    assert facts["created"].startswith("D:20250910")
    assert facts["modified"].startswith("D:20250910")


def test_figures_carry_the_model_alt_text(facts, sample_document):
    alts = [b.alt for b, _ in walk(sample_document.blocks) if isinstance(b, Figure)]
    assert facts["figure_alts"] == alts
    assert facts["figure_alts"][0] == FIGURE_ALT


def test_every_font_is_embedded(facts):
    assert facts["fonts_embedded"], facts["fonts_not_embedded"]


def test_each_table_is_one_table_with_one_header(facts, sample_document):
    assert facts["pages"] >= 4, "the long table must cross pages for this test to mean anything"
    assert facts["table_count"] == 3
    for table in facts["tables"]:
        assert table["theads"] == 1 and table["thead_rows"] == 1
        assert table["captions"] == 1
        assert table["tbodies"] == 1
    assert facts["table_rows"] == [3 + 1, LONG_TABLE_ROWS + 1, 4 + 1]
    assert facts["parts"] == 1, "<main> is one /Part, not one per page"


def test_headings_never_skip_a_level(facts, sample_document):
    levels = [int(h[1]) for h in facts["headings"]]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert levels == [1] + [d for b, d in walk(sample_document.blocks) if isinstance(b, Section)]


def test_continuation_rows_know_their_column_headers(pdf_path):
    """Cells moved from later pages get the /THead cells added to their /Headers."""
    with pikepdf.open(pdf_path) as pdf:
        tables = [e for e in checkers._struct_elements(pdf) if e.S == "/Table"]
        big = tables[1]
        head = next(k for k in big.K if k.S == "/THead")
        header_ids = [bytes(c.ID) for c in head.K[0].K]
        body = next(k for k in big.K if k.S == "/TBody")
        rows = list(body.K)
        assert len(rows) == LONG_TABLE_ROWS
        for row in rows:
            assert row.P.objgen == body.objgen
            cells = list(row.K)
            assert cells[0].S == "/TH"
            row_header = bytes(cells[0].ID)
            for j, cell in enumerate(cells[1:], start=1):
                headers = {bytes(h) for h in cell.A.Headers}
                assert row_header in headers and header_ids[j] in headers
        # /IDTree maps every element /ID, and every /Headers entry names one of them (not a repeated header
        # cell of a later page, which left the tree)
        ids = id_tree_names(pdf.Root.StructTreeRoot.IDTree)
        assert set(header_ids) <= ids
        named = [bytes(h) for e in checkers._struct_elements(pdf) if "/A" in e and "/Headers" in e.A
                 for h in e.A.Headers]
        assert named and set(named) <= ids, set(named) - ids


def id_tree_names(node) -> set[bytes]:
    """Every key of a name tree (its /Names pairs, through its /Kids)."""
    found = set()
    if "/Names" in node:
        found |= {bytes(node.Names[i]) for i in range(0, len(node.Names), 2)}
    for kid in node.get("/Kids", []):
        found |= id_tree_names(kid)
    return found


def test_text_is_extractable_with_awkward_names(pdf_path):
    text = " ".join(checkers.pdf_text(pdf_path).split())  # a wrapped cell breaks at a space
    assert AWKWARD_NAME in text
    assert "Page 1 of" in text


def test_output_is_byte_identical(sample_document, pdf_path):
    assert render_pdf(sample_document) == pdf_path.read_bytes()


def test_short_document_without_date_is_also_reproducible():
    doc = Document("Short", (Paragraph.of("Hello"),), lang="en-GB")
    first = render_pdf(doc)
    assert first == render_pdf(doc)
    with pikepdf.open(__import__("io").BytesIO(first)) as pdf:
        assert "/CreationDate" not in pdf.docinfo
        assert pdf.Root.Lang == "en-GB"


def test_weasyprint_errors_are_failures():
    # no lang: WeasyPrint only logs an ERROR; the writer must raise
    with pytest.raises(PdfRenderError, match="lang"):
        html_to_pdf("<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>")
    # an image without alt text
    import base64

    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>').decode()
    with pytest.raises(PdfRenderError, match="alt"):
        html_to_pdf('<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body>'
                    f'<img src="data:image/svg+xml;base64,{svg}" style="width:4px"></body></html>')


def test_no_weasyprint_error_or_warning_while_rendering_the_sample(sample_document, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(sample_document)
    noise = [r.getMessage() for r in caplog.records
             if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert noise == []  # not even warnings (e.g. CSS WeasyPrint ignores)


def test_no_fragment_is_left_to_fold(pdf_path):
    """No /Part follows a /Part, and no /Table without a caption follows a /Table, among any element's kids."""
    with pikepdf.open(pdf_path) as pdf:
        for elem in [pdf.Root.StructTreeRoot] + checkers._struct_elements(pdf):
            kids = [k for k in checkers._kids(elem) if checkers._is_elem(k)]
            for before, after in zip(kids, kids[1:]):
                assert not (before.S == after.S == "/Part")
                first = next((k for k in checkers._kids(after) if checkers._is_elem(k)), None)
                assert not (before.S == after.S == "/Table" and (first is None or first.S != "/Caption"))


def test_raw_weasyprint_output_really_is_split(sample_document):
    """Guards the premise: without folding, WeasyPrint gives a /Table per page, and a /Part per page."""
    html = render_html(sample_document, for_pdf=True)
    raw = html_to_pdf(html)
    with pikepdf.open(__import__("io").BytesIO(raw)) as pdf:
        kinds = [str(e.S) for e in checkers._struct_elements(pdf)]
    assert kinds.count("/Table") >= 3 + 3 and kinds.count("/Part") >= 4
    counts: dict[str, int] = {}
    html_to_pdf(html, finisher=lambda document, pdf: counts.update(fold_structure(pdf)))
    assert counts["Table"] == kinds.count("/Table") - 3 and counts["Part"] == kinds.count("/Part") - 1


def test_file_identifier_is_the_digest_of_the_file_without_it(pdf_path):
    """The trailer /ID: two 16-byte strings, the MD5 of the file as written before the entry was added, and
    nothing in the file moved by adding it (qpdf finds every object where the cross-reference stream says)."""
    import hashlib
    import re

    data = pdf_path.read_bytes()
    with pikepdf.open(pdf_path) as pdf:
        ids = [bytes(s) for s in pdf.trailer.ID]
        assert pdf.check_pdf_syntax() == []
    assert len(ids) == 2 and ids[0] == ids[1] and len(ids[0]) == 16
    entry = re.search(rb"/ID \[<([0-9a-f]{32})> <\1>\]", data)
    assert entry is not None and bytes.fromhex(entry.group(1).decode()) == ids[0]
    assert hashlib.md5(data[:entry.start()] + data[entry.end():]).digest() == ids[0]


def test_every_structure_element_in_the_file_is_in_its_tree(pdf_path):
    """The elements the repair leaves out of the tree (repeated header rows, folded fragments, page
    numbers) are not left in the file as structure elements that no tree reaches."""
    with pikepdf.open(pdf_path) as pdf:
        in_file = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem"]
        assert len(in_file) == len(checkers._struct_elements(pdf))


def _list_in_columns(items: int) -> str:
    """A page whose list is set in two columns, each item a link long enough to wrap in its column."""
    links = "".join(f'<li><a href="#t{i}">Trust {i}, with a name long enough to wrap in a column</a></li>'
                    for i in range(items))
    rows = "".join(f'<p id="t{i}">Row {i}</p>' for i in range(items))
    return ('<!DOCTYPE html><html lang="en-GB"><head><title>Columns</title><style>@page { size: A6 } '
            'ul { column-count: 2 } li { break-inside: avoid }</style></head>'
            f'<body><h1>Columns</h1><ul>{links}</ul>{rows}</body></html>')


def test_a_list_in_columns_reads_as_one_list_of_whole_links(tmp_path):
    """WeasyPrint tags each column of a list as a list of its own, and each line of a link as a link of its
    own; after the repair a page's list holds its items, and each item is one link with an annotation a line."""
    html, items = _list_in_columns(30), 30
    raw, fixed = tmp_path / "raw.pdf", tmp_path / "fixed.pdf"
    raw.write_bytes(html_to_pdf(html))
    fixed.write_bytes(html_to_pdf(html, finisher=lambda document, pdf: repair(pdf, lang="en-GB")))
    with pikepdf.open(raw) as pdf:  # the premise
        elements = checkers._struct_elements(pdf)
        assert any(e.S == "/L" and {k.S for k in checkers._kids(e) if checkers._is_elem(k)} == {"/L"}
                   for e in elements)
        assert sum(1 for e in elements if e.S == "/Link") > items
    found = pdf_content.lists(fixed)
    assert len(found) == 1 and len(found[0]) == items
    assert [[set(link.targets) for link in links] for links in found[0]] == [[{f"#t{i}"}] for i in range(items)]
    assert all(len(links[0].boxes) >= 2 for links in found[0])  # each wrapped, one annotation a line
    with pikepdf.open(fixed) as pdf:
        kinds = [str(e.S) for e in checkers._struct_elements(pdf)]
        assert kinds.count("/Link") == items
        assert len([o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                    and o.get("/Type") == "/StructElem"]) == len(kinds)
        parents = pdf_content._parent_tree(pdf)  # each annotation's entry names the /Link that holds it
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                link = parents[int(annot.StructParent)]
                assert link.S == "/Link" and annot.objgen in [k.Obj.objgen for k in checkers._kids(link)
                                                              if isinstance(k, pikepdf.Dictionary) and "/Obj" in k]
    assert pdf_content.untreed_content(fixed) == []
    assert checkers.pdfua_failures(fixed) == []


def test_table_without_rows_across_pages_still_renders():
    table = Table("Empty-ish", ("Trust", "Value"), (("Only", "1"),), numeric=(False, True))
    doc = Document("One row", (Section("S", (table,)),))
    facts_pdf = render_pdf(doc)
    import io

    with pikepdf.open(io.BytesIO(facts_pdf)) as pdf:
        tables = [e for e in checkers._struct_elements(pdf) if e.S == "/Table"]
        assert len(tables) == 1


def _wide_table(columns: int = 11) -> Table:
    names = [f"Example Linnetby NHS Foundation Trust (X{i:04d})" for i in range(20)]
    cols = ("Trust",) + tuple(f"Domain {j}: {'score' if j % 2 else 'rank'}" for j in range(1, columns))
    rows = tuple((n,) + tuple("1.32" if j % 2 else f"{100 + i} of 134" for j in range(1, columns))
                 for i, n in enumerate(names))
    return Table("A wide table", cols, rows, numeric=(False,) + (True,) * (columns - 1))


def test_wide_tables_fit_the_page():
    doc = Document("Wide", (Section("Scores", (_wide_table(),)),))
    assert "wide" in render_html(doc, for_pdf=True).split('id="table-1"')[1][:40]
    render_pdf(doc)  # raises if anything runs off the page


def test_wide_table_prints_on_landscape_pages_at_9pt_with_its_heading(tmp_path):
    doc = Document("Wide", (Paragraph.of("Before the table."),
                            Section("Scores", (_wide_table(),)), Section("After", (Paragraph.of("Text."),))))
    path = tmp_path / "wide.pdf"
    path.write_bytes(render_pdf(doc))
    sizes = pdf_content.table_text_sizes(path)
    assert sizes and min(size for _, size in sizes) >= 9.0 - 0.01, sorted({round(s, 2) for _, s in sizes})
    with pikepdf.open(path) as pdf:
        landscape = [float(p.mediabox[2]) > float(p.mediabox[3]) for p in pdf.pages]
    assert landscape[0] is False and landscape[-1] is False, landscape  # the rest of the text stays portrait
    table_pages = {page for page, _ in sizes}
    assert all(landscape[n - 1] for n in table_pages), (table_pages, landscape)
    heading_page = next(n for n in range(1, len(landscape) + 1) if "Scores" in pdf_content.page_text(path, n))
    assert heading_page == min(table_pages), "the heading is left behind on a page of its own"


def test_content_running_off_the_page_is_an_error(monkeypatch):
    from reportgen.render import html as html_writer

    monkeypatch.setattr(html_writer, "WIDE_TABLE_CHARS", 10**6)  # no small print for wide tables
    doc = Document("Wide", (Section("Scores", (_wide_table(15),)),))
    with pytest.raises(PdfRenderError, match="runs off the page"):
        render_pdf(doc)


def test_header_row_never_ends_a_page_alone():
    """Before folding, no table fragment is a caption and header row without body rows."""
    import io

    table = Table("Long", ("Trust", "Score"), tuple((f"Trust {i}", str(i)) for i in range(40)),
                  numeric=(False, True))
    for filler in range(26, 31):  # 28 puts the header row last on page 1 without the fix
        doc = Document("Orphans", tuple(Paragraph.of(f"Filler paragraph {i}.") for i in range(filler)) + (table,))
        raw = html_to_pdf(render_html(doc, for_pdf=True))
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            for elem in checkers._struct_elements(pdf):
                if elem.S == "/Table":
                    kinds = [str(k.S) for k in elem.K]
                    assert "/THead" not in kinds or "/TBody" in kinds, (filler, kinds)


def test_a_process_that_wrote_a_pdf_ends_without_a_message():
    """WeasyPrint's font configuration is dropped before the interpreter ends: its clean-up would otherwise
    print "Exception ignored in FontConfiguration.__del__" as the process exits (here, as a worker leaves
    it: a pack's PDF written, then what survived frozen)."""
    import subprocess
    import sys
    from pathlib import Path

    code = """
import gc
import reportgen.release as R
from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.load import load
from reportgen.render.html import render_html
from reportgen.render.pdf import html_to_pdf
dataset = load(["data"], Config.load())
ctx = R.make_context(dataset, dataset.config, dataset.latest_quarter)
code = ctx.result.trusts.trust_code.iloc[0]
html_to_pdf(render_html(R.placed(pack_document(ctx, code, ("pdf",)), ctx, code, packs=True), for_pdf=True))
gc.collect()
gc.freeze()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
