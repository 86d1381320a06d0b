"""Links that survive download, Word bookmarks, Word tables and pictures.

- Every internal Word link (``w:hyperlink w:anchor``) has its bookmark.
- Links between documents: in the web page they stay relative; in PDF and
  Word they are absolute with a site address (``Document.site_url``), and
  without one the other document is named in words, never a dead relative link;
  no document links to itself in its own format.
- No empty paragraph after a Word table; tables carry a ``w:tblDescription``
  that is not the caption; chart pictures are 200 dpi or more at their printed size.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from reportgen.errors import InputError
from reportgen.model import Document, Link, Paragraph, Run, Section, Table
from reportgen.render.docx import render_docx
from reportgen.render.html import render_html
from reportgen.render.links import check_site_url, resolve
from reportgen.render.pdf import render_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
SITE = "https://example.org/oversight/"


def pack_like(site_url: str = "") -> Document:
    """A document placed as a pack is: trusts/X5101 inside a quarter's folder, linking out."""
    table = Table("Scores", ("Trust", "Score"), (("Example Trust", "2.10"),), numeric=(False, True))
    return Document(
        "Briefing", (
            Paragraph.of("See ", Run("what the tables cannot tell you", href="../league-tables.html#limits"),
                         " and the ", Run("segment changes", href="#changes-detail"), "."),
            Section("Scores", (table, Paragraph.of("After the table."))),
            Section("Segment changes", (Paragraph.of("None."),), id="changes-detail"),
        ),
        related=(Link("This briefing as a web page", "X5101.html"), Link("This briefing as a PDF", "X5101.pdf"),
                 Link("This briefing as a Word document", "X5101.docx"),
                 Link("The national league tables", "../league-tables.html"), Link("All trusts", "../index.html")),
        slug="2025-26-q4-X5101", path="2025-26-q4/trusts/X5101", site_url=site_url)


def _docx_parts(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        document = etree.fromstring(zf.read("word/document.xml"))
        rels = etree.fromstring(zf.read("word/_rels/document.xml.rels"))
        media = {n: zf.read(n) for n in zf.namelist() if n.startswith("word/media/")}
    targets = {r.get("Id"): r.get("Target") for r in rels if r.get("TargetMode") == "External"}
    return document, targets, media


def _word_links(data: bytes) -> list[tuple[str, str]]:
    document, targets, _ = _docx_parts(data)
    found = []
    for link in document.iter(f"{W}hyperlink"):
        text = "".join(link.itertext())
        anchor = link.get(f"{W}anchor")
        found.append((text, "#" + anchor if anchor else targets[link.get(f"{R}id")]))
    return found


def _pdf_links(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [str(a.A.URI) for p in pdf.pages for a in p.obj.get("/Annots", [])
                if a.get("/A") is not None and "/URI" in a.A]


def test_every_internal_word_link_has_its_bookmark():
    document, _, _ = _docx_parts(render_docx(pack_like()))
    anchors = {link.get(f"{W}anchor") for link in document.iter(f"{W}hyperlink") if link.get(f"{W}anchor")}
    bookmarks = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
    assert anchors, "the document must have an internal link for this test to mean anything"
    assert anchors <= bookmarks, anchors - bookmarks


def test_without_a_site_address_pdf_and_word_name_other_documents_in_words():
    doc = pack_like()
    for links in (_pdf_links(render_pdf(doc)), [t for _, t in _word_links(render_docx(doc))]):
        assert all(t.startswith("#") for t in links), links  # nothing relative, nothing dead
    text = " ".join(render_html(doc, for_pdf=True).split())
    assert "The national league tables (league-tables.html on the site, one folder up from this file)" in text
    assert "what the tables cannot tell you (league-tables.html on the site" in text


def test_with_a_site_address_links_between_documents_are_absolute_and_never_to_themselves():
    doc = pack_like(SITE)
    pdf = _pdf_links(render_pdf(doc))
    word = [t for _, t in _word_links(render_docx(doc))]
    for own, links in (("X5101.pdf", pdf), ("X5101.docx", word)):
        external = [t for t in links if not t.startswith("#")]
        assert f"{SITE}2025-26-q4/league-tables.html#limits" in external
        assert f"{SITE}2025-26-q4/index.html" in external
        assert f"{SITE}2025-26-q4/trusts/X5101.html" in external
        assert all(t.startswith(SITE) for t in external), external
        assert not any(t.endswith(own) for t in links), f"{own} links to itself"


def test_web_page_keeps_relative_links_and_marks_itself_current():
    html = render_html(pack_like(SITE))
    assert 'href="../league-tables.html#limits"' in html
    assert 'href="X5101.html"' not in html
    assert '<span aria-current="page">This briefing as a web page</span>' in html


def test_a_link_to_a_section_of_the_same_file_stays_internal():
    doc = pack_like()
    assert resolve(doc, "pdf", "X5101.pdf#scores", "scores").href == "#scores"
    assert resolve(doc, "html", "https://www.england.nhs.uk/", "NHS England").href == "https://www.england.nhs.uk/"


@pytest.mark.parametrize("bad", ["example.org", "ftp://example.org/", "https://", "https://a.org/?q=1",
                                 'https://a.org/"x'])
def test_a_site_address_must_be_a_web_address(bad):
    with pytest.raises(InputError, match="--site-url"):
        check_site_url(bad)
    assert check_site_url("https://example.org/nof") == "https://example.org/nof/"


def test_no_empty_paragraph_after_a_word_table(sample_document):
    document, _, _ = _docx_parts(render_docx(sample_document))
    body = document.find(f"{W}body")
    tables = list(body.iter(f"{W}tbl"))
    assert tables
    for tbl in tables:
        following = tbl.getnext()
        assert following is not None
        if following.tag == f"{W}p" and following.find(f"{W}pPr/{W}sectPr") is None:
            assert "".join(following.itertext()).strip(), "an empty paragraph follows a table"


def test_word_tables_describe_themselves_in_other_words_than_the_caption(sample_document):
    document, _, _ = _docx_parts(render_docx(sample_document))
    for tbl in document.iter(f"{W}tbl"):
        caption = "".join(tbl.getprevious().itertext())
        description = tbl.find(f"{W}tblPr/{W}tblDescription").get(f"{W}val")
        assert description and description != caption and "columns:" in description


def test_word_captions_are_announced_once(sample_document):
    """The visible Caption paragraph names a table or picture; no ``w:tblCaption`` or picture
    ``title`` repeats it (screen readers announce both)."""
    document, _, _ = _docx_parts(render_docx(sample_document))
    tables = list(document.iter(f"{W}tbl"))
    pictures = list(document.iter(f"{WP}docPr"))
    assert tables and pictures
    for tbl in tables:
        assert tbl.find(f"{W}tblPr/{W}tblCaption") is None, "w:tblCaption repeats the visible caption"
        assert tbl.find(f"{W}tblPr/{W}tblDescription") is not None
    for doc_pr in pictures:
        assert not doc_pr.get("title"), "the picture's title repeats the caption below it"
        assert doc_pr.get("descr")


def test_word_chart_pictures_are_at_least_200_dpi(sample_document):
    document, _, media = _docx_parts(render_docx(sample_document))
    extents = [int(e.get("cx")) for e in document.iter(f"{WP}extent")]
    images = [Image.open(io.BytesIO(data)) for name, data in sorted(media.items())]
    assert extents and len(images) == len(extents)
    for cx, image in zip(extents, images):
        inches = cx / 914400
        assert image.width / inches >= 200, f"{image.width} px over {inches:.2f} in"


def test_same_document_name_in_another_folder_is_not_a_self_link():
    doc = replace(pack_like(), related=(Link("A namesake", "../X5101.pdf"),))
    assert resolve(doc, "pdf", "../X5101.pdf", "A namesake").self_link is False


def test_a_bad_site_address_is_one_sentence_and_exit_2(tmp_path):
    from click.testing import CliRunner

    from reportgen.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--data", str(tmp_path), "--out", str(out),
                                       "--site-url", "example.org/nof"])
    assert result.exit_code == 2
    assert "--site-url 'example.org/nof' is not a web address" in result.output
    assert not out.exists()


def test_word_subtitle_is_upright_without_letter_spacing():
    doc = Document("Title", (Paragraph.of("Text."),), subtitle="A subtitle")
    with zipfile.ZipFile(io.BytesIO(render_docx(doc))) as zf:
        styles = etree.fromstring(zf.read("word/styles.xml"))
    subtitle = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "Subtitle")
    rpr = subtitle.find(f"{W}rPr")
    italic = rpr.find(f"{W}i")
    assert italic is None or italic.get(f"{W}val") in ("0", "false")
    assert rpr.find(f"{W}spacing") is None
