"""The Word writer: OOXML facts, determinism, and a LibreOffice PDF/UA round trip."""
from __future__ import annotations

import io
import re
import zipfile

import pikepdf
import pytest

from reportgen.model import Document, Figure, Paragraph, Run, Section, Table, walk
from reportgen.render import palette
from reportgen.render.docx import render_docx
from tests import checkers
from tests.conftest import AWKWARD_NAME, LONG_TABLE_ROWS
from tests.document_checks import model_tables


@pytest.fixture(scope="module")
def docx_path(sample_outputs):
    return sample_outputs["docx"]


@pytest.fixture(scope="module")
def facts(docx_path):
    return checkers.docx_facts(docx_path)


def test_language_is_set_where_readers_look(facts):
    assert facts["default_lang"] == "en-GB"
    assert facts["normal_lang"] == "en-GB"
    assert facts["theme_font_lang"] == "en-GB"
    assert facts["language"] == "en-GB"


def test_core_properties(facts, sample_document):
    assert facts["title"] == sample_document.title
    assert facts["creator"] == sample_document.author
    assert facts["subject"] == sample_document.subject
    assert facts["keywords"] == ", ".join(sample_document.keywords)
    assert facts["created"] == facts["modified"] == "2025-09-10T00:00:00Z"


def test_headings_use_built_in_styles_and_never_skip(facts, sample_document):
    levels = [int(h.split()[-1]) for h in facts["headings"]]
    assert all(h.lower().startswith("heading ") for h in facts["headings"])
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert levels == [1] + [d for b, d in walk(sample_document.blocks) if isinstance(b, Section)]


def test_heading_and_caption_colours_have_contrast(facts):
    for name, value in facts["style_colours"].items():
        if value in (None, "auto"):
            continue
        ratio = checkers.contrast_ratio(f"#{value}", "#FFFFFF")
        assert ratio >= 4.5, f"style {name!r} colour #{value} is {ratio:.2f}:1"
    for level in range(1, 7):
        assert facts["style_colours"][f"heading {level}"].upper() == palette.WORD_HEADING.lstrip("#").upper()


def test_tables_have_captions_header_rows_and_row_headers(facts, sample_document):
    expected = model_tables(sample_document)
    assert len(facts["tables"]) == len(expected)
    for found, table in zip(facts["tables"], expected):
        assert found["caption"] is None  # the visible caption alone names it (no tblCaption)
        assert found["visible_caption"] == table.caption
        assert found["first_row_header"] is True and found["header_rows"] == 1
        assert found["first_column_bold"] is True
        assert found["rows"] == len(table.rows) + 1
        assert found["style"] == "TableGrid"
    assert facts["tables"][1]["rows"] == LONG_TABLE_ROWS + 1


def test_pictures_carry_alt_text(facts, sample_document):
    figures = [b for b, _ in walk(sample_document.blocks) if isinstance(b, Figure)]
    assert [p["descr"] for p in facts["pictures"]] == [f.alt for f in figures]
    assert [p["title"] for p in facts["pictures"]] == [None for f in figures]  # the caption below names it


def test_links_are_real_hyperlinks(docx_path, facts):
    # three in the text; of the two related links, to the Word file itself (none) and
    # to the PDF (named in words: the sample has no site address)
    assert facts["hyperlinks"] == 3
    with zipfile.ZipFile(docx_path) as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://www.england.nhs.uk/nhs-oversight-framework/"' in rels
    assert 'TargetMode="External"' in rels


def test_text_keeps_awkward_names(docx_path):
    text = checkers.docx_text(docx_path)
    assert AWKWARD_NAME in text
    assert "Fictional data" in text


def test_notes_are_shaded_not_headings(docx_path):
    with zipfile.ZipFile(docx_path) as zf:
        xml = zf.read("word/document.xml").decode()
    fill = palette.COLOURS["note_warning_bg"].lstrip("#")
    assert xml.count(f'w:fill="{fill}"') >= 2  # title and body of the "Fictional data" note
    assert "Fictional data" not in re.findall(r'w:pStyle w:val="Heading\d"/>.*?<w:t>([^<]*)', xml)


def test_output_is_byte_identical_with_fixed_zip_dates(sample_document, docx_path, facts):
    assert render_docx(sample_document) == docx_path.read_bytes()
    assert facts["zip_dates"] == [(1980, 1, 1, 0, 0, 0)]


def test_every_style_named_is_defined_and_no_more_than_those(docx_path):
    """The template's unused styles are left out, but every style a part names (paragraph, run,
    table and list styles, and what each style is based on, followed by or linked to) is there."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(docx_path) as zf:
        names = zf.namelist()
        parts = {n: zf.read(n) for n in names if n.startswith("word/") and n.endswith(".xml")}
    assert not any("stylesWithEffects" in n for n in names)
    from lxml import etree

    styles = etree.fromstring(parts.pop("word/styles.xml"))
    defined = {s.get(f"{w}styleId"): s for s in styles.iter(f"{w}style")}
    named = {e.get(f"{w}val") for xml in parts.values() for e in etree.fromstring(xml).iter()
             if e.tag in (f"{w}pStyle", f"{w}rStyle", f"{w}tblStyle", f"{w}numStyleLink", f"{w}styleLink")}
    named |= {e.get(f"{w}val") for s in defined.values() for e in s
              if e.tag in (f"{w}basedOn", f"{w}next", f"{w}link")}
    assert {"Heading1", "Heading2", "Caption", "TableGrid", "ListBullet", "ListNumber", "Hyperlink"} <= named
    assert named <= set(defined), named - set(defined)
    assert len(defined) < 50  # the template's 165, less its unused table, list and text styles


@pytest.mark.parametrize("text", ["plain", "", " leading", "trailing ", "a\tb", "line\nbreak\r\nand\rmore", "\t",
                                  "<&> \"quoted\" 'x'", "\u00a0no-break\u00a0", "Ysbyty \u0175\u0177 \u2013 \u2265 5"])
@pytest.mark.parametrize("bold", [False, True])
def test_runs_written_directly_are_those_python_docx_writes(text, bold):
    """Table cells and plain text are written as elements, not through python-docx's proxies:
    the same XML as ``Paragraph.add_run`` (tabs, line breaks, spaces kept at either end)."""
    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    from reportgen.render.docx import _run

    document = docx.Document()
    ours, theirs = document.add_paragraph(), document.add_paragraph()
    _run(ours._p, text, bold=bold, size_hps="18")
    run = theirs.add_run(text)
    run.font.size = docx.shared.Pt(9)
    run.bold = bold or None
    assert etree.tostring(ours._p) == etree.tostring(theirs._p)
    assert ours.text == theirs.text == text.replace("\r\n", "\n\n").replace("\r", "\n")
    assert (ours._p.find(qn("w:r")).find(qn("w:rPr")).find(qn("w:b")) is not None) is bold


@pytest.mark.parametrize("text", ["plain", "", " spaced ", "a\tb", "line\nbreak"])
@pytest.mark.parametrize("style", [None, "Normal", "Heading 1", "Heading 9", "Subtitle", "Caption", "List Bullet"])
@pytest.mark.parametrize("keep_next", [None, True, False])
def test_paragraphs_written_directly_are_those_python_docx_writes(text, style, keep_next):
    """Body paragraphs are written as elements before the body's sectPr: the same XML, in the same
    place, as python-docx's ``add_paragraph(text, style)`` and ``paragraph_format.keep_with_next``."""
    import docx
    from lxml import etree

    from reportgen.render.docx import _styled_blank, _Writer

    def body(document):
        return [etree.tostring(e) for e in document.element.body]

    doc = Document("T", ())
    ours, theirs = (docx.Document(io.BytesIO(_styled_blank("en-GB"))) for _ in range(2))
    _Writer(ours, doc).paragraph(text, style, keep_next=keep_next)
    paragraph = theirs.add_paragraph(text, style)
    if keep_next is not None:
        paragraph.paragraph_format.keep_with_next = keep_next
    assert body(ours) == body(theirs)
    assert body(ours)[-1].startswith(b"<w:sectPr")


def test_headings_written_directly_are_those_python_docx_writes():
    import docx
    from lxml import etree

    from reportgen.render.docx import _styled_blank, _Writer

    ours, theirs = (docx.Document(io.BytesIO(_styled_blank("en-GB"))) for _ in range(2))
    writer = _Writer(ours, Document("T", ()))
    for level in range(0, 10):
        writer.heading(f"Level {level}", level)
        theirs.add_heading(f"Level {level}", level)
    assert [etree.tostring(e) for e in ours.element.body] == [etree.tostring(e) for e in theirs.element.body]


def test_table_properties_are_those_python_docx_writes():
    """The table copied from the per-process template has the properties and grid python-docx's table
    API writes: Table Grid, left-aligned, fixed layout, its widths, cell margins, header row and first
    column marked in tblLook, and a description (no tblCaption)."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from lxml import etree

    from reportgen.render.docx import CELL_MARGIN_TWIPS, _column_widths, table_description

    table = Table("Scores", ("Trust", "Score", "Rank"), (("A", "1.00", "1st"), ("B", "2.00", "2nd")),
                  numeric=(False, True, False))
    with zipfile.ZipFile(io.BytesIO(render_docx(Document("T", (Section("S", (table,)),))))) as zf:
        ours = etree.fromstring(zf.read("word/document.xml")).find(f".//{qn('w:tbl')}")

    widths, _ = _column_widths(table)
    theirs = docx.Document().add_table(rows=0, cols=3)
    theirs.style = "Table Grid"
    theirs.alignment = WD_TABLE_ALIGNMENT.LEFT
    theirs.autofit = False
    tbl_pr = theirs._tbl.tblPr
    tbl_pr.find(qn("w:tblW")).set(qn("w:type"), "dxa")
    tbl_pr.find(qn("w:tblW")).set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margins.append(OxmlElement(side, {qn("w:w"): str(CELL_MARGIN_TWIPS), qn("w:type"): "dxa"}))
    tbl_pr.find(qn("w:tblLook")).addprevious(margins)
    tbl_pr.append(OxmlElement("w:tblDescription", {qn("w:val"): table_description(table)}))
    for column, width in zip(theirs.columns, widths):
        column.width = width
    for tag in ("w:tblPr", "w:tblGrid"):
        assert etree.tostring(ours.find(qn(tag))) == etree.tostring(theirs._tbl.find(qn(tag)))
    look = ours.find(qn("w:tblPr")).find(qn("w:tblLook"))
    assert (look.get(qn("w:firstRow")), look.get(qn("w:firstColumn"))) == ("1", "1")


def test_table_templates_kept_for_the_process_are_not_changed_by_a_document():
    """Tables of the same widths in two documents are copies of one template: each document holds its
    own cells, and the first renders to the same bytes after the second."""
    first = Table("Scores", ("Trust", "Score"), (("Alpha", "1.00"), ("Beta", "2.00")), numeric=(False, True))
    second = Table("Scores", ("Trust", "Score"), (("Gamma", "3.00"), ("Delta", "4.00")), numeric=(False, True),
                   row_ids=("gamma", "delta"))
    docs = [Document("T", (Section("S", (t,)),)) for t in (first, second)]
    before = render_docx(docs[0])
    xml = [zipfile.ZipFile(io.BytesIO(render_docx(d))).read("word/document.xml").decode() for d in docs]
    assert "Alpha" in xml[0] and "Gamma" not in xml[0] and "bookmarkStart" not in xml[0]
    assert "Gamma" in xml[1] and "Alpha" not in xml[1] and 'w:name="gamma"' in xml[1]
    assert render_docx(docs[0]) == before


def test_ordered_lists_restart_numbering():
    doc = Document("Lists", (
        Section("A", (BulletListOf("one", "two", ordered=True),)),
        Section("B", (BulletListOf("three", "four", ordered=True),)),
    ))
    with zipfile.ZipFile(io.BytesIO(render_docx(doc))) as zf:
        xml = zf.read("word/document.xml").decode()
    num_ids = re.findall(r'<w:numId w:val="(\d+)"/>', xml)
    assert len(num_ids) == 4 and num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]


def BulletListOf(*items, ordered=False):
    from reportgen.model import BulletList

    return BulletList(tuple(Paragraph.of(i) for i in items), ordered=ordered)


# --- LibreOffice round trip ---------------------------------------------------------

LIBREOFFICE_TABS_RULE = checkers.TABS_RULE


@pytest.fixture(scope="module")
def libreoffice_pdf(docx_path, tmp_path_factory):
    return checkers.docx_to_pdf(docx_path, tmp_path_factory.mktemp("libreoffice"))


@pytest.mark.slow
def test_libreoffice_pdf_ua_export_passes_page_validation(libreoffice_pdf, tmp_path):
    """LibreOffice's PDF/UA export of the .docx passes page-validation UA-1.

    The one exception is LibreOffice's own: 7.4 writes the page tab order as a
    string, ``/Tabs(S)``, where ISO 32000-1 (table 30) wants the name ``/Tabs/S``.
    Nothing in the .docx decides that. So: any failure other than that rule
    fails the test, and once that one token is corrected, nothing fails.
    """
    failures = checkers.pdfua_failures(libreoffice_pdf)
    other = [f for f in failures if f["rule_id"] != LIBREOFFICE_TABS_RULE]
    assert other == []
    with pikepdf.open(libreoffice_pdf) as pdf:
        tabs = [p.obj.get("/Tabs") for p in pdf.pages if "/Annots" in p.obj]
        assert tabs, "the document has links, so some page has annotations"
        if failures:
            assert all(isinstance(t, pikepdf.String) and str(t) == "S" for t in tabs)
        for p in pdf.pages:
            if "/Tabs" in p.obj:
                p.obj.Tabs = pikepdf.Name.S
        fixed = tmp_path / "tabs-fixed.pdf"
        pdf.save(fixed)
    assert checkers.pdfua_failures(fixed) == []
    assert checkers.libreoffice_pdfua_failures(libreoffice_pdf) == []


@pytest.mark.slow
def test_libreoffice_pdf_keeps_language_title_headings_tables_and_alt(libreoffice_pdf, sample_document):
    facts = checkers.pdf_facts(libreoffice_pdf)
    assert facts["lang"] == "en-GB"
    assert facts["title"] == sample_document.title
    assert facts["display_doc_title"] is True
    assert str(facts["pdfua_part"]) == "1"
    assert facts["fonts_embedded"]
    levels = [int(h[1]) for h in facts["headings"]]
    assert levels == [1] + [d for b, d in walk(sample_document.blocks) if isinstance(b, Section)]
    # LibreOffice tags one /Table per table; the repeated header rows are artifacts
    assert facts["table_rows"] == [len(t.rows) + 1 for t in model_tables(sample_document)]
    figures = [b for b, _ in walk(sample_document.blocks) if isinstance(b, Figure)]
    # LibreOffice's /Alt is the picture's description (it would prefix a title: "title - descr")
    assert facts["figure_alts"] == [f.alt for f in figures]
    assert AWKWARD_NAME in checkers.pdf_text(libreoffice_pdf).replace("\n", " ")


def test_table_rows_are_those_python_docx_cells_write():
    """Rows are copied from a template row and filled in; each cell is what python-docx's cell API
    writes: width, header shading, bold header and row headers, right-aligned numbers, the type size,
    tabs, line breaks and spaces at either end kept, and a bookmark on a linked row's header."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from lxml import etree

    from reportgen.render.docx import _column_widths, bookmark_name

    table = Table("Awkward cells", ("Trust", "Score", "Note"),
                  (("A\tB", "1.00", " leading and trailing "), ("Line\nbreak", "2.00", "x\r\ny")),
                  numeric=(False, True, False), row_ids=("trust-a", "trust-b"))
    with zipfile.ZipFile(io.BytesIO(render_docx(Document("T", (Section("S", (table,)),))))) as zf:
        ours = etree.fromstring(zf.read("word/document.xml")).find(f".//{qn('w:tbl')}")

    widths, size = _column_widths(table)
    theirs = docx.Document().add_table(rows=1 + len(table.rows), cols=3)
    for i, row in enumerate(theirs.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for j, (cell, text) in enumerate(zip(row.cells, table.columns if i == 0 else table.rows[i - 1])):
            cell.width = widths[j]
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
            run.bold = (i == 0 or j == 0) or None
            if table.numeric[j]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if i == 0:
                shd = OxmlElement("w:shd", {qn("w:val"): "clear", qn("w:color"): "auto",
                                            qn("w:fill"): palette.COLOURS["stripe"].lstrip("#").upper()})
                cell._tc.get_or_add_tcPr().append(shd)
    for i, (tr, row_id) in enumerate(zip(theirs._tbl.tr_lst[1:], table.row_ids), start=1):
        p = tr.tc_lst[0].p_lst[0]
        p.insert(0, OxmlElement("w:bookmarkStart", {qn("w:id"): str(i), qn("w:name"): bookmark_name(row_id)}))
        p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): str(i)}))
    ours_rows = [etree.tostring(tr) for tr in ours.iterchildren(qn("w:tr"))]
    assert ours_rows == [etree.tostring(tr) for tr in theirs._tbl.tr_lst]
    assert "<w:tab/>" in ours_rows[1].decode() and "<w:br/>" in ours_rows[2].decode()


def test_wide_tables_go_on_landscape_pages_and_fit():
    from reportgen.render.docx import LANDSCAPE_TEXT_WIDTH, TEXT_WIDTH

    cols = ("Trust",) + tuple(f"{d}: {k}" for d in ("Access to services", "Patient safety", "Finance and productivity",
                                                    "People and workforce", "Effectiveness and experience")
                              for k in ("score", "rank"))
    rows = tuple((f"Example Trust {i} NHS Foundation Trust",) + ("1.52", "118 of 134") * 5 for i in range(30))
    wide = Table("Domain scores", cols, rows, numeric=(False,) + (True,) * 10)
    narrow = Table("Segments", ("Trust", "Segment"), (("A", "1"), ("B", "2")), numeric=(False, True))
    doc = Document("Wide", (Section("Before", (narrow,)), Section("Domains", (wide,)), Section("After", (narrow,))))
    with zipfile.ZipFile(io.BytesIO(render_docx(doc))) as zf:
        xml = zf.read("word/document.xml").decode()
    sections = re.findall(r"<w:sectPr.*?</w:sectPr>", xml, re.S)
    orients = ["landscape" if 'w:orient="landscape"' in s else "portrait" for s in sections]
    assert orients == ["portrait", "landscape", "portrait"]
    grids = [sum(map(int, re.findall(r'w:gridCol w:w="(\d+)"', g)))
             for g in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", xml, re.S)]
    assert grids[0] <= TEXT_WIDTH.twips + 5 and grids[2] <= TEXT_WIDTH.twips + 5
    assert TEXT_WIDTH.twips < grids[1] <= LANDSCAPE_TEXT_WIDTH.twips + 5
    assert 'w:tblLayout w:type="fixed"' in xml
    # no table type below 9 pt (w:sz is in half-points), the wide table's included
    sizes = [int(v) for v in re.findall(r'<w:sz w:val="(\d+)"/>', xml.split("<w:tbl>", 1)[1])]
    assert sizes and min(sizes) >= 18, sorted(set(sizes))


@pytest.mark.slow
def test_only_the_proven_libreoffice_tabs_bug_is_set_aside(sample_outputs, tmp_path):
    """A page with links and no /Tabs at all is still a failure."""
    with pikepdf.open(sample_outputs["pdf"]) as pdf:
        for page in pdf.pages:
            if "/Annots" in page.obj and "/Tabs" in page.obj:
                del page.obj["/Tabs"]
        broken = tmp_path / "no-tabs.pdf"
        pdf.save(broken)
    assert LIBREOFFICE_TABS_RULE in {f["rule_id"] for f in checkers.pdfua_failures(broken)}
    assert LIBREOFFICE_TABS_RULE in {f["rule_id"] for f in checkers.libreoffice_pdfua_failures(broken)}


# --- the package: zip entries and the kept blank ---------------------------------------------------------

def _zipfile_package(entries, deflate: bool = True) -> bytes:
    """A Word package written by zipfile, as the writer wrote it before it wrote its own zip: each entry
    dated 1980-01-01, made on Unix with mode 644, deflated at level 6 unless a PNG or ``deflate`` is False."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for pack_uri, blob in entries:
            entry = zipfile.ZipInfo(pack_uri.membername, date_time=(1980, 1, 1, 0, 0, 0))
            deflated = deflate and pack_uri.ext != "png"
            entry.compress_type = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            target.writestr(entry, blob, compresslevel=6 if deflated else None)
    return out.getvalue()


def _entries(document) -> list:
    """The (part name, bytes) python-docx's PackageWriter writes for ``document``, in its order."""
    from docx.opc.pkgwriter import PackageWriter

    class Entries(list):
        def write(self, pack_uri, blob):
            self.append((pack_uri, blob))

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    entries = Entries()
    PackageWriter._write_content_types_stream(entries, package.parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, package.parts)
    return entries


def _same(ours: bytes, theirs: bytes) -> bool:
    """Whether two files are the same bytes (a bool: pytest's diff of two long byte strings takes minutes)."""
    return ours == theirs


def _rendered_documents(monkeypatch, *docs):
    """The python-docx documents ``render_docx`` packages for ``docs``."""
    from reportgen.render import docx as writer

    caught = []
    package_bytes = writer._package_bytes

    def catch(document, deflate=True):
        if deflate:  # not the styled blank, stored once per process
            caught.append(document)
        return package_bytes(document, deflate)

    monkeypatch.setattr(writer, "_package_bytes", catch)
    for doc in docs:
        render_docx(doc)
    monkeypatch.setattr(writer, "_package_bytes", package_bytes)
    return caught


def test_the_zip_is_the_one_zipfile_writes(monkeypatch, sample_document):
    """The writer's own zip (which deflates a part the same in every document once) is, byte for byte, the
    zip zipfile writes from the same entries: deflated or stored, with a PNG, a repeated part, an empty part
    and a name that is not ASCII."""
    from docx.opc.packuri import PackURI

    from reportgen.render import docx as writer

    for document in _rendered_documents(monkeypatch, sample_document, sample_document):
        entries = _entries(document)
        assert any(uri.ext == "png" for uri, _ in entries)
        for deflate in (True, False):
            assert _same(writer._package_bytes(document, deflate), _zipfile_package(entries, deflate)), deflate
    odd = [(PackURI("/word/a.xml"), b"<a/>" * 500), (PackURI("/word/empty.xml"), b""),
           (PackURI("/word/media/\u0175y.png"), b"\x89PNG not deflated"), (PackURI("/word/b.xml"), b"<a/>" * 500),
           (PackURI("/docProps/caf\u00e9.xml"), bytes(range(256)) * 40)]
    for deflate in (True, False):
        zip_file = writer._Zip(deflate)
        for uri, blob in odd:
            zip_file.write(uri, blob)
        assert _same(zip_file.close(), _zipfile_package(odd, deflate)), deflate


def test_documents_opened_from_the_kept_blank_are_those_python_docx_opens(sample_document):
    """Each document is opened from the styled blank's parts kept for the process, not read from its zip: it is
    the package python-docx's ``docx.Document`` opens from the blank (the same parts, of the same classes, and
    the same bytes), after another document was written from it, and holds XML of its own."""
    import docx
    from docx.opc.part import XmlPart

    from reportgen.render import docx as writer

    blank = writer._styled_blank("en-GB")
    theirs = docx.Document(io.BytesIO(blank))
    render_docx(sample_document)  # a document written from the kept blank before
    ours, other = writer._kept_blank("en-GB").open(), writer._kept_blank("en-GB").open()

    def parts(document):
        return [(type(p), p.partname, p.content_type) for p in document.part.package.iter_parts()]

    assert parts(ours) == parts(theirs) and len(parts(ours)) > 10
    assert [(r.rId, r.reltype, r.target_ref) for r in ours.part.package.rels.values()] == \
        [(r.rId, r.reltype, r.target_ref) for r in theirs.part.package.rels.values()]
    assert _same(writer._package_bytes(ours), writer._package_bytes(theirs))
    assert _same(writer._package_bytes(ours, deflate=False), blank)
    kept = writer._kept_blank("en-GB").xml
    assert len(kept) >= 5
    for mine, others in zip(ours.part.package.iter_parts(), other.part.package.iter_parts()):
        if isinstance(mine, XmlPart):
            assert mine.element is not others.element and mine.element is not kept[mine.partname][1]


def test_pictures_are_those_python_docx_add_picture_writes(monkeypatch, sample_document):
    """A chart's picture (its inline a copy of one python-docx made, its shape id counted) is, byte for byte in
    the whole file, the one python-docx's ``add_run().add_picture(png, width)`` writes, with the alt text set on
    ``wp:docPr`` and ``pic:cNvPr``: for the sample document, and for a document showing the same chart twice
    (one image part) between two others."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph as DocxParagraph

    from reportgen.render import docx as writer

    figures = [b for b, _ in walk(sample_document.blocks) if isinstance(b, Figure)]
    assert len(figures) == 2
    again = Document("Pictures", (Section("One", (figures[0], figures[1])), Section("Two", (figures[0],)),
                                  Paragraph((Run("after"),))))
    ours = [render_docx(doc) for doc in (sample_document, again)]

    def python_docx_picture(self, png, alt):
        paragraph = DocxParagraph(self.paragraph(keep_next=True), self.document)
        inline = paragraph.add_run().add_picture(io.BytesIO(png), width=writer.PICTURE_WIDTH)._inline
        inline.docPr.set("descr", alt)
        for c_nv_pr in inline.iter(qn("pic:cNvPr")):
            c_nv_pr.set("descr", alt)

    monkeypatch.setattr(writer._Writer, "picture", python_docx_picture)
    theirs = [render_docx(doc) for doc in (sample_document, again)]
    assert _same(ours[0], theirs[0]) and _same(ours[1], theirs[1])
    with zipfile.ZipFile(io.BytesIO(ours[1])) as zf:
        xml = zf.read("word/document.xml").decode()
        assert len([n for n in zf.namelist() if n.startswith("word/media/")]) == 2
    assert re.findall(r'<wp:docPr id="(\d+)" name="Picture (\d+)"', xml) == [("1", "1"), ("2", "2"), ("3", "3")]


def test_no_thumbnail_of_a_blank_page(docx_path):
    """The template's thumbnail (a blank page) is left out: a file browser would show it as the preview."""
    with zipfile.ZipFile(docx_path) as z:
        assert not any("thumbnail" in name for name in z.namelist()), z.namelist()
        assert b"metadata/thumbnail" not in z.read("_rels/.rels")
