"""The PDF writer's user-agent stylesheet (render.weasyprint_ua): no style is made for a table cell's
pseudo-elements, a list keeps its markers, and a page is drawn exactly as with WeasyPrint's own stylesheet."""
from __future__ import annotations

import io

import pikepdf
import pytest
import weasyprint
from weasyprint.css import StyleFor

from reportgen.render import weasyprint_ua
from reportgen.render.pdf import _font_config

pytestmark = pytest.mark.slow

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Lists and tables</title></head><body>'
        '<ol><li>First</li><li>Second</li></ol><ul><li>A point</li></ul>'
        '<table><caption>Scores</caption><thead><tr><th scope="col">Trust</th><th scope="col">Score</th></tr></thead>'
        '<tbody>' + "".join(f"<tr><td>Trust {i}</td><td>{i / 7:.2f}</td></tr>" for i in range(40)) + '</tbody></table>'
        '<details open><summary>More</summary><p>Text</p></details></body></html>')


def test_the_installed_weasyprint_has_the_rules_it_leaves_out():
    # If this fails, WeasyPrint's own stylesheet changed: check weasyprint_ua.RULES against it again.
    assert weasyprint_ua.lean_text(weasyprint_ua.stock_text()) is not None
    assert weasyprint_ua.lean_stylesheet() is not None


def test_an_unknown_stylesheet_is_left_as_it_is():
    assert weasyprint_ua.lean_text("p { margin: 0 }\n::marker { color: red }") is None


def styles_made(monkeypatch, html_class) -> list[tuple[str, str | None]]:
    made: list[tuple[str, str | None]] = []
    real = StyleFor.set_computed_styles

    def spy(self, element, parent, root=None, pseudo_type=None, **kw):
        made.append((getattr(element, "tag", ""), pseudo_type))
        return real(self, element, parent, root, pseudo_type, **kw)

    monkeypatch.setattr(StyleFor, "set_computed_styles", spy)
    html_class(string=PAGE).render(font_config=_font_config())
    monkeypatch.setattr(StyleFor, "set_computed_styles", real)
    return made


def test_only_list_items_get_pseudo_element_styles(monkeypatch):
    stock = styles_made(monkeypatch, weasyprint.HTML)
    lean = styles_made(monkeypatch, weasyprint_ua.HTML)
    assert ("td", "footnote-call") in stock and ("td", "marker") in stock  # what WeasyPrint's own sheet does
    elements = {(tag, pseudo) for tag, pseudo in lean if pseudo and tag}  # (page margin boxes have no tag)
    assert elements == {("li", "marker"), ("summary", "marker")}
    assert len(lean) < len(stock) / 4


def test_the_page_is_drawn_as_with_weasyprints_own_stylesheet():
    def drawn(html_class) -> list[bytes]:
        data = html_class(string=PAGE).write_pdf(font_config=_font_config(), pdf_variant="pdf/ua-1")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return [page.Contents.read_bytes() for page in pdf.pages]

    stock, lean = drawn(weasyprint.HTML), drawn(weasyprint_ua.HTML)
    assert lean == stock
    assert b"BT" in lean[0]
