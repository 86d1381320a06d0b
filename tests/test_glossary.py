"""The glossary defines its terms as the documents use them, as a list of definitions.

- Web page: a ``<dl>``, each term a ``<dt>`` followed by its ``<dd>``.
- PDF (printed from the same markup by WeasyPrint): one list (/L) holding an item for
  each term and each definition, in that order.
- Word, which has no definition list: the project's bulleted list, each item starting
  with its term in bold.
- A quartile is defined as a cut point, as the tables and cut-offs use it; the median
  and middle half that the packs' tables show are defined too.
"""
from __future__ import annotations

import io
import re

import docx
import pikepdf
import pytest
from lxml import html as lxml_html

from reportgen.config import Config
from reportgen.content.national import glossary, national_document
from reportgen.content.pack import METRIC_COLUMNS
from reportgen.load import load
from reportgen.model import BulletList, Document, Section
from reportgen.release import make_context
from reportgen.render.docx import render_docx
from reportgen.render.html import render_html
from reportgen.render.pdf import render_pdf
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file


@pytest.fixture(scope="module")
def terms() -> BulletList:
    blocks = glossary(Config.load())
    lists = [b for b in blocks if isinstance(b, BulletList)]
    assert len(lists) == 1 and lists[0].terms
    return lists[0]


@pytest.fixture(scope="module")
def national_page() -> str:
    config = Config.load()
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    return render_html(national_document(make_context(dataset, config, dataset.latest_quarter)))


def _definitions(page: str) -> list[tuple[str, str]]:
    tree = lxml_html.fromstring(page)
    heading = tree.get_element_by_id("glossary")
    section = heading.getparent()
    assert section.tag == "section"
    assert not section.findall(".//ul") and not section.findall(".//ol"), "the glossary is not a bulleted list"
    lists = section.findall(".//dl")
    assert len(lists) == 1
    children = list(lists[0])
    assert [c.tag for c in children] == ["dt", "dd"] * (len(children) // 2), "each term is followed by its definition"
    return [(children[k].text_content().strip(), children[k + 1].text_content().strip())
            for k in range(0, len(children), 2)]


def test_the_glossary_is_a_definition_list_on_the_web_page(national_page, terms):
    pairs = _definitions(national_page)
    assert len(pairs) == len(terms.items) >= 10
    for term, definition in pairs:
        assert term and not term.endswith(":"), term
        assert definition[:1].isupper() and definition.endswith("."), definition
    assert [t for t, _ in pairs] == sorted((t for t, _ in pairs), key=str.casefold), "terms from A to Z"


def test_terms_are_defined_as_they_are_used(national_page):
    defined = dict(_definitions(national_page))
    quartile = defined["Quartile"]
    # a cut point, as in "the lower quartile" and the cut-offs, not one of four groups
    assert quartile.startswith("A point") and "one of four" not in quartile, quartile
    # the packs' tables show a peer median and the middle half of peers: both are defined
    used = " ".join(METRIC_COLUMNS + ("Middle half of peers", "Peer median")).lower()
    for term in ("Median", "Middle half"):
        assert term.lower() in used and term in defined, term
    assert "lower quartile" in defined["Middle half"] and "upper quartile" in defined["Middle half"]


def _small_document(terms: BulletList) -> Document:
    return Document(title="Glossary", blocks=(Section("Glossary", (terms,), id="glossary"),), slug="glossary")


def _structure(node, out: list) -> None:
    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])
        out.append((str(node.S), [str(k.S) for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]))
        for kid in kids:
            _structure(kid, out)


def test_pdf_tags_the_definitions_as_one_list_of_items(terms):
    pdf = pikepdf.open(io.BytesIO(render_pdf(_small_document(terms))))
    found: list = []
    root = pdf.Root.StructTreeRoot.K
    for node in (list(root) if isinstance(root, pikepdf.Array) else [root]):
        _structure(node, found)
    lists = [kids for tag, kids in found if tag == "/L"]
    assert len(lists) == 1
    assert lists[0] == ["/LI"] * (2 * len(terms.items)), "an item for each term and each definition"
    items = [kids for tag, kids in found if tag == "/LI"]
    assert all(kids == ["/LBody"] for kids in items)


def test_word_writes_each_term_in_bold_at_the_start_of_a_list_item(terms):
    document = docx.Document(io.BytesIO(render_docx(_small_document(terms))))
    items = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert len(items) == len(terms.items)
    for paragraph, (term, _) in zip(items, terms.definitions()):
        first = next(r for r in paragraph.runs if r.text)
        assert first.bold and re.sub(r":$", "", first.text.strip()) == term, paragraph.text
