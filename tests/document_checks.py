"""Checks every built document must pass, in all three formats, against its model.

Shared by the national document tests and the trust pack tests, so that both
are held to exactly the same standard.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from reportgen.model import Document, Figure, Section, Table, walk
from tests import checkers, pdf_content

#: The smallest type a printed table may use, in points.
PRINT_TABLE_MIN_PT = 9.0
#: The body type size of the print stylesheet (templates/style.css.j2), in points.
PRINT_BODY_PT = 10.0


def model_tables(doc: Document | Section) -> list[Table]:
    """Every table of a document or section in reading order, figure data tables included."""
    out = []
    for block, _ in walk(doc.blocks):
        if isinstance(block, Table):
            out.append(block)
        elif isinstance(block, Figure) and block.data is not None:
            out.append(block.data)
    return out


def model_figures(doc: Document | Section) -> list[Figure]:
    """Every figure of a document or section in reading order, those inside notes included."""
    return [b for b, _ in walk(doc.blocks) if isinstance(b, Figure)]


def model_alts(doc: Document) -> list[str]:
    return [f.alt for f in model_figures(doc)]


class _Structure(HTMLParser):
    """Headings, tables and their header cells, as an HTML parser sees them."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.tables: list[dict] = []
        self.lang = None
        self._in_row = False
        self._cells: list[tuple[str, dict]] = []
        self._section = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables.append({"caption": False, "rows": [], "merged": False})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag in ("thead", "tbody"):
            self._section = tag
        if tag == "tr" and self.tables:
            self._cells = []
            self.tables[-1]["rows"].append((self._section, self._cells))
        if tag in ("td", "th") and self.tables:
            if "colspan" in a or "rowspan" in a:
                self.tables[-1]["merged"] = True
            self._cells.append((tag, a))


def html_structure(path: Path) -> _Structure:
    parser = _Structure()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


def check_html(path: Path, doc: Document) -> None:
    violations = checkers.axe_violations(path)
    assert not violations, checkers.describe_axe(violations)
    errors = checkers.vnu_errors(path)
    assert not errors, errors
    s = html_structure(path)
    assert s.lang == "en-GB"
    assert s.headings[0] == 1 and s.headings.count(1) == 1
    for before, after in zip(s.headings, s.headings[1:]):
        assert after <= before + 1, f"heading level skips from h{before} to h{after}"
    tables = model_tables(doc)
    assert len(s.tables) == len(tables)
    for table, model in zip(s.tables, tables):
        assert table["caption"], model.caption
        assert not table["merged"]
        head = [r for sec, r in table["rows"] if sec == "thead"]
        body = [r for sec, r in table["rows"] if sec == "tbody"]
        assert len(head) == 1 and all(tag == "th" and a.get("scope") == "col" for tag, a in head[0])
        assert len(body) == len(model.rows)
        for row in body:
            assert row[0][0] == "th" and row[0][1].get("scope") == "row"
            assert all(tag == "td" for tag, _ in row[1:])


def check_pdf(path: Path, doc: Document) -> None:
    failures = checkers.pdfua_failures(path)
    assert not failures, failures
    facts = checkers.pdf_facts(path)
    assert facts["lang"] == "en-GB"
    assert facts["title"] == doc.title
    assert facts["display_doc_title"]
    assert str(facts["pdfua_part"]) == "1"
    assert facts["fonts_embedded"], facts["fonts_not_embedded"]
    assert facts["figure_alts"] == model_alts(doc)
    tables = model_tables(doc)
    # One /Table per table, however many pages it runs over, with every row.
    assert facts["table_count"] == len(tables)
    assert facts["table_rows"] == [len(t.rows) + 1 for t in tables]
    assert all(t["theads"] == 1 for t in facts["tables"])
    # No table text (caption, headers, cells) smaller than 9 point: a wide table prints on landscape pages.
    small = sorted({(page, round(size, 2)) for page, size in pdf_content.table_text_sizes(path)
                    if size < PRINT_TABLE_MIN_PT - 0.01})
    assert not small, f"table text below {PRINT_TABLE_MIN_PT} pt (page, size): {small[:10]}"


def word_table_sizes(path: Path) -> list[int]:
    """The size (``w:sz``, half-points) of every run inside a table of a .docx file."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as zf:
        body = etree.fromstring(zf.read("word/document.xml"))
    sizes = []
    for run in body.iter(f"{w}r"):
        if next(run.iterancestors(f"{w}tbl"), None) is None or not "".join(run.itertext()).strip():
            continue
        sz = run.find(f"{w}rPr/{w}sz")
        assert sz is not None, "a table run without its own size"
        sizes.append(int(sz.get(f"{w}val")))
    return sizes


def check_docx(path: Path, doc: Document, tmp: Path) -> None:
    facts = checkers.docx_facts(path)
    sizes = word_table_sizes(path)
    assert sizes and min(sizes) >= 2 * PRINT_TABLE_MIN_PT, f"Word table text at {min(sizes) / 2} pt"
    assert facts["default_lang"] == "en-GB" and facts["normal_lang"] == "en-GB"
    assert facts["title"] == doc.title
    levels = [1 if h.lower() == "title" else int(h.split()[-1]) for h in facts["headings"]]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1
    tables = model_tables(doc)
    assert len(facts["tables"]) == len(tables)
    for table, model in zip(facts["tables"], tables):
        assert table["caption"] is None  # no tblCaption repeating the visible caption
        assert table["visible_caption"] == model.caption
        assert table["first_row_header"]
        assert table["rows"] == len(model.rows) + 1
    assert [p["descr"] for p in facts["pictures"]] == model_alts(doc)
    for name, colour in facts["style_colours"].items():
        if name.lower().startswith(("heading", "title")):
            assert checkers.contrast_ratio(colour, "FFFFFF") >= 4.5, (name, colour)
    exported = checkers.docx_to_pdf(path, tmp)
    # LibreOffice 7.4 writes /Tabs as a string on pages with links; that one bug is set aside, proven.
    failures = checkers.libreoffice_pdfua_failures(exported)
    assert not failures, failures


def pdf_reading_text(path: Path) -> str:
    return checkers.pdf_text(path, raw=True)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def league_facts(text: str, trusts: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """For each (name, code): the rank and segment read from the league-table row in a text."""
    flat = collapse(text)
    out = {}
    for name, code in trusts:
        # the rank, then (where loaded) its likely range, then the segment
        pattern = re.escape(f"{name} ({code})") + r" (\d+(?: \(tied\))?)(?: \d+ to \d+)? (Segment \d)"
        m = re.search(pattern, flat)
        out[code] = (m.group(1), m.group(2)) if m else None
    return out


def same_facts_in_all_formats(paths: dict[str, Path], trusts: list[tuple[str, str]]) -> dict:
    texts = {
        "html": checkers.html_text(paths["html"]),
        "pdf": pdf_reading_text(paths["pdf"]),
        "docx": checkers.docx_text(paths["docx"]),
    }
    return {fmt: league_facts(t, trusts) for fmt, t in texts.items()}
