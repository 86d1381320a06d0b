"""Chart labels in the PDF: a simple SVG <text> shaped and drawn as one string (render.weasyprint_svg_text).

Each label is drawn by WeasyPrint twice here, by its own letter-by-letter function and by the whole-string
one, and the two are compared: the same words in the same places (text-anchor start, middle and end), the
whole string as one text-showing operator. Anything that places single glyphs still goes letter by letter.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest
import weasyprint

from reportgen.render import weasyprint_svg_text as fast
from reportgen.render.pdf import _font_config, html_to_pdf
from tests import checkers

pytestmark = pytest.mark.slow

LABELS = (  # (attributes, text): each anchor, bold, an arrow from another font, digits and punctuation
    ('x="20" y="30"', "Effectiveness and experience"),
    ('x="380" y="60" text-anchor="end"', "2.58 (77th of 133; 8 measures)"),
    ('x="200" y="90" text-anchor="middle" font-weight="bold"', "\u2190 better"),
    ('x="200" y="120" text-anchor="middle"', "Area score"),
    ('x="380" y="150" text-anchor="end" font-weight="bold"', "worse \u2192"),
)


def page(labels=LABELS, extra: str = "") -> str:
    texts = "".join(f'<text {attrs} fill="currentColor">{text}</text>' for attrs, text in labels)
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Labels</title>'
            '<style>@page { size: 400px 200px; margin: 0 } body { margin: 0 } svg { display: block }</style></head>'
            '<body><svg xmlns="http://www.w3.org/2000/svg" role="img" width="400" height="200" viewBox="0 0 400 200" '
            'font-family="&quot;reportgen Liberation Sans&quot;, sans-serif" font-size="14" color="#212B32">'
            f'<title>Labels</title>{texts}{extra}</svg></body></html>')


@contextmanager
def letter_by_letter():
    """WeasyPrint's own SVG text function for the duration (the whole-string one put back after)."""
    import weasyprint.svg as svg

    assert fast.install()
    stock = fast._stock
    tags = [tag for tag, function in svg.TAGS.items() if function is fast.text]
    for tag in tags:
        svg.TAGS[tag] = stock
    svg.text = stock
    try:
        yield
    finally:
        for tag in tags:
            svg.TAGS[tag] = fast.text
        svg.text = fast.text


def weasy(html: str) -> bytes:
    """WeasyPrint alone (html_to_pdf would put the whole-string function back)."""
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", font_config=_font_config())


def words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float]]:
    """Each word pdftotext reads: (word, left, right, baseline-ish bottom), in points."""
    exe = shutil.which("pdftotext")
    checkers.require(exe is not None, "pdftotext (poppler-utils)")
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([exe, "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(w, float(x1), float(x2), float(y2)) for x1, _y1, x2, y2, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def text_operators(pdf: bytes) -> int:
    """Text-showing operators on the first page and in every form it draws (an anchored label is a form)."""
    def count(stream, resources) -> int:
        n = sum(1 for _, op in pikepdf.parse_content_stream(stream) if str(op) in ("Tj", "TJ"))
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                n += count(xobject, xobject.get("/Resources") or resources)
        return n

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        first = doc.pages[0]
        return count(first.obj, first.obj.get("/Resources"))


def test_this_weasyprint_is_one_the_fast_path_was_checked_against():
    # On another WeasyPrint the charts are drawn letter by letter (install() refuses): check this module
    # against it (the comparisons below), then add its version and its function's hash, or remove the module
    # if WeasyPrint now shapes unpositioned SVG text as one string (Kozea/WeasyPrint#2249).
    assert weasyprint.__version__ in fast.CHECKED, weasyprint.__version__
    assert fast.stock_sha256() == fast.STOCK_SHA256
    assert fast.install() and fast.installed()


def test_refused_on_a_weasyprint_it_was_not_checked_against(monkeypatch):
    monkeypatch.setattr(fast, "CHECKED", ("0.0",))
    assert not fast.installable()
    monkeypatch.setattr(fast, "CHECKED", (weasyprint.__version__,))
    monkeypatch.setattr(fast, "STOCK_SHA256", "0" * 64)
    assert not fast.installable()


def test_pdf_writer_uses_it():
    html_to_pdf(page())
    assert fast.installed()


def test_labels_are_whole_strings_in_the_same_places(tmp_path):
    html = page()
    whole = weasy(html)
    with letter_by_letter():
        letters = weasy(html)
    assert text_operators(whole) == len(LABELS)
    assert text_operators(letters) == sum(len(text.replace(" ", "")) for _, text in LABELS)  # a space draws nothing
    got, expected = words(whole, tmp_path), words(letters, tmp_path)
    assert [w for w, *_ in got] == [w for w, *_ in expected] == " ".join(t for _, t in LABELS).split()
    for (word, left, right, bottom), (_, left0, right0, bottom0) in zip(got, expected):
        # kerned as one string, a word may sit a fraction of a point from where single letters put it
        assert abs(left - left0) < 0.5 and abs(right - right0) < 0.5 and abs(bottom - bottom0) < 0.1, word
    # text-anchor: the end of an end-anchored label at x=380 px (285 pt), a middle-anchored one centred on 150 pt
    by_word = {w: (left, right) for w, left, right, _ in got}
    assert abs(by_word["measures)"][1] - 285) < 1.0 and abs(by_word["\u2192"][1] - 285) < 1.0
    area, score = by_word["Area"], by_word["score"]
    assert abs((area[0] + score[1]) / 2 - 150) < 1.0


@pytest.mark.parametrize("attrs", ['x="20" y="30" dx="0 2"', 'x="20 30 40" y="30"', 'x="20" y="30" rotate="5"',
                                   'x="20" y="30" letter-spacing="2"', 'x="20" y="30" textLength="120"'])
def test_a_label_that_places_its_glyphs_goes_letter_by_letter(attrs):
    pdf = html_to_pdf(page(((attrs, "Area score"),)))
    assert text_operators(pdf) == len("Areascore")  # each letter but the space


def test_a_label_with_a_child_element_goes_letter_by_letter():
    pdf = html_to_pdf(page((), extra='<text x="20" y="30">Area <tspan font-weight="bold">score</tspan></text>'))
    assert text_operators(pdf) == len("Areascore")  # each letter but the space
