"""The Word writer: python-docx, built-in styles, accessibility metadata.

- Headings use Word's built-in ``Heading N`` styles: the document title is
  Heading 1 and a section is one level deeper than the one it sits in, as in
  the HTML, so no level is skipped. Heading (and caption, title, subtitle)
  colours are overridden: the default template's blues are below 4.5:1.
- The language is set where readers look for it: ``w:lang`` in the styles'
  docDefaults and the Normal style, and ``w:themeFontLang`` in the settings,
  as well as the core properties.
- Tables have a visible caption paragraph (Caption style) before them, a
  ``w:tblDescription`` saying what the rows and columns are (no
  ``w:tblCaption``: it would announce the caption a second time), a header
  row marked ``w:tblHeader`` (repeats on each page and tells readers it is a
  header), and the row headers bold. No empty
  paragraph follows a table: the next paragraph gets space before it.
- Charts are PNG pictures, rasterised from the same SVG as the HTML's at
  ``raster.DPI`` (200 dpi or more), whose ``docPr`` carries the alt text
  (``descr``) but no ``title``: the Caption paragraph below the picture
  names it once.
- Links: a section with an id gets a bookmark of that name, so every internal
  link has its target; links to other documents are resolved by
  ``reportgen.render.links`` (absolute with a site address, otherwise named in
  words; never to the document itself).
- The output is byte-identical for the same document: fixed core dates from
  ``Document.date`` and fixed zip entry times.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import Unmarshaller
from docx.opc.part import PartFactory, XmlPart
from docx.opc.pkgreader import PackageReader
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.package import Package
from docx.shared import Cm, Emu, Pt, RGBColor, Twips

from ..model import BulletList, Document, Figure, Note, Paragraph, Run, Section, Table
from .links import resolve
from .palette import COLOURS, WORD_HEADING, contrast_ratio
from .raster import chart_png
from .svg import WORD_COLUMN_MM

FONT = "Arial"
MAX_HEADING_LEVEL = 9
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)  # A4
MARGIN = Cm(2.5)
TEXT_WIDTH = Cm(16)  # A4 portrait less the margins
LANDSCAPE_TEXT_WIDTH = Cm(24.7)  # A4 landscape less the margins
TABLE_FONT_SIZES = (10, 9)  # the largest that fits is used; never below 9 pt, as in the PDF
PORTRAIT_MIN_FONT = 9  # a table that needs smaller type in portrait goes on landscape pages
CHAR_EM = 0.56  # average Arial advance, digits included
CELL_MARGIN_TWIPS = 72  # 3.6 pt either side of a cell's text
PICTURE_WIDTH = Cm(WORD_COLUMN_MM / 10)  # the chart text is sized for this width
#: Space before the paragraph that follows a table (instead of an empty paragraph).
AFTER_TABLE = Pt(10)
#: Used when a document has no date, so that output stays reproducible.
FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# w:pPr children that come after w:shd (ECMA-376 CT_PPrBase order)
_AFTER_SHD = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
              "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
              "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
              "w:sectPr", "w:pPrChange")


def _hex(name: str) -> str:
    return COLOURS[name].lstrip("#").upper()


def _rgb(name: str) -> RGBColor:
    return RGBColor.from_string(_hex(name))


# --- elements written directly (python-docx's proxies cost more per table cell than the XML they make) ---

_W_TR, _W_TR_PR, _W_CANT_SPLIT, _W_TBL_HEADER = qn("w:tr"), qn("w:trPr"), qn("w:cantSplit"), qn("w:tblHeader")
_W_TC, _W_TC_PR, _W_TC_W, _W_SHD = qn("w:tc"), qn("w:tcPr"), qn("w:tcW"), qn("w:shd")
_W_P, _W_P_PR, _W_JC = qn("w:p"), qn("w:pPr"), qn("w:jc")
_W_R, _W_R_PR, _W_B, _W_SZ, _W_T, _W_TAB, _W_BR = (
    qn("w:r"), qn("w:rPr"), qn("w:b"), qn("w:sz"), qn("w:t"), qn("w:tab"), qn("w:br"))
_W_BOOKMARK_START, _W_BOOKMARK_END = qn("w:bookmarkStart"), qn("w:bookmarkEnd")
_W_TYPE, _W_W, _W_VAL, _W_COLOR, _W_FILL, _W_ID, _W_NAME = (
    qn("w:type"), qn("w:w"), qn("w:val"), qn("w:color"), qn("w:fill"), qn("w:id"), qn("w:name"))
_W_TBL_PR, _W_TBL_DESCRIPTION, _W_SECT_PR = qn("w:tblPr"), qn("w:tblDescription"), qn("w:sectPr")
_W_P_STYLE, _W_KEEP_NEXT, _W_NUM_PR, _W_ILVL, _W_NUM_ID = (
    qn("w:pStyle"), qn("w:keepNext"), qn("w:numPr"), qn("w:ilvl"), qn("w:numId"))
_W_HYPERLINK, _W_ANCHOR, _W_HISTORY, _R_ID, _W_R_STYLE, _W_U = (
    qn("w:hyperlink"), qn("w:anchor"), qn("w:history"), qn("r:id"), qn("w:rStyle"), qn("w:u"))
_XML_SPACE = qn("xml:space")
_W_DRAWING, _WP_EXTENT, _WP_DOC_PR, _A_EXT, _A_BLIP, _PIC_C_NV_PR, _R_EMBED = (
    qn("w:drawing"), qn("wp:extent"), qn("wp:docPr"), qn("a:ext"), qn("a:blip"), qn("pic:cNvPr"), qn("r:embed"))
#: What python-docx writes for a tab and a line break inside a run's text.
_RUN_BREAKS = re.compile(r"(\t|\r|\n)")


def _child(parent, tag: str, attrib: dict[str, str] | None = None):
    """A new last child of ``parent``."""
    element = parent.makeelement(tag, attrib or {})
    parent.append(element)
    return element


def _run(p, text: str, *, bold: bool = False, size_hps: str | None = None):
    """A ``w:r`` appended to the ``w:p`` element ``p``, as python-docx's ``add_run(text)`` writes it
    (a tab becomes ``w:tab``, a line break ``w:br``; a text with spaces at either end keeps them)."""
    r = _child(p, _W_R)
    if bold or size_hps:
        r_pr = _child(r, _W_R_PR)
        if bold:
            _child(r_pr, _W_B)
        if size_hps:
            _child(r_pr, _W_SZ, {_W_VAL: size_hps})
    _run_text(r, text)
    return r


def _run_text(r, text: str) -> None:
    """``text`` appended to the ``w:r`` element ``r``: in ``w:t`` elements, with a ``w:tab`` for each tab
    and a ``w:br`` for each line break, as python-docx's ``Run.text`` writes it."""
    for piece in _RUN_BREAKS.split(text) if text else ():
        if piece == "\t":
            _child(r, _W_TAB)
        elif piece in ("\r", "\n"):
            _child(r, _W_BR)
        elif piece:
            _set_text(_child(r, _W_T), piece)


def _set_text(t, text: str) -> None:
    """The text of a ``w:t`` element; spaces at either end are kept (``xml:space``)."""
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_XML_SPACE, "preserve")


# --- styles and document-wide settings ---------------------------------------

def _set_lang(document, lang: str) -> None:
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for rpr in (rpr_default, document.styles["Normal"].element.get_or_add_rPr()):
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(qn("w:val"), lang)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), lang)


def _set_fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _contrast_ok(hex_value: str) -> bool:
    return contrast_ratio(f"#{hex_value}", COLOURS["background"]) >= 4.5


def _set_styles(document) -> None:
    styles = document.styles
    # Fonts: Arial everywhere (the theme's Calibri/Cambria are not on most machines).
    rpr_default = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default)
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.color.rgb = _rgb("text")
    # Every coloured run style: theme colours removed; headings NHS blue, the rest text colour
    # unless already dark enough.
    for style in styles.element.findall(qn("w:style")):
        rpr = style.find(qn("w:rPr"))
        if rpr is None:
            continue
        name_el = style.find(qn("w:name"))
        name = name_el.get(qn("w:val")) if name_el is not None else ""
        if rpr.find(qn("w:rFonts")) is not None:
            _set_fonts(rpr)
        colour = rpr.find(qn("w:color"))
        if colour is None:
            continue
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            colour.attrib.pop(qn(attr), None)
        lower = name.lower()
        if lower.startswith("heading") or lower.startswith("title"):
            colour.set(qn("w:val"), WORD_HEADING.lstrip("#"))
        elif lower.startswith("subtitle"):
            colour.set(qn("w:val"), _hex("text_secondary"))
        elif colour.get(qn("w:val")) not in ("auto",) and not _contrast_ok(colour.get(qn("w:val"))):
            colour.set(qn("w:val"), _hex("text"))
    for level, size in zip(range(1, 10), (20, 16, 13, 12, 11, 11, 11, 11, 11)):
        font = styles[f"Heading {level}"].font
        font.size = Pt(size)
        font.color.rgb = RGBColor.from_string(WORD_HEADING.lstrip("#"))
        font.bold = True
        font.italic = False
    # The template's subtitle is italic with spaced letters: harder to read for some dyslexic readers.
    subtitle = styles["Subtitle"]
    subtitle.font.italic = False
    for spacing in subtitle.element.iter(qn("w:spacing")):
        if spacing.getparent().tag == qn("w:rPr"):
            spacing.getparent().remove(spacing)
    caption = styles["Caption"]
    caption.font.size = Pt(11)
    caption.font.bold = True
    caption.font.color.rgb = _rgb("text")
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(4)
    # The Title style's border is the theme blue; not used, but keep it legible.
    for border in styles["Title"].element.iter(qn("w:bottom")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            border.attrib.pop(qn(attr), None)
        border.set(qn("w:color"), WORD_HEADING.lstrip("#"))
    if "Hyperlink" not in [s.name for s in styles]:
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.base_style = styles["Default Paragraph Font"]
        link.font.color.rgb = _rgb("link")
        link.font.underline = True
        link.unhide_when_used = True
        link.priority = 99


def _set_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = Cm(2.2)
    # Page numbers in the footer ("Page X of Y"); readers treat footers as artifacts.
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("Page ")
    _field(p, "PAGE", "1")
    p.add_run(" of ")
    _field(p, "NUMPAGES", "1")
    for r in p.runs:
        r.font.size = Pt(9)
        r.font.color.rgb = _rgb("text_secondary")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "18")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), _hex("text_secondary"))
    rpr.append(color)
    rpr.append(sz)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = placeholder
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


#: Word's limit on the length of a core property (title, subject...); the text itself is never shortened.
PROPERTY_LIMIT = 255


def _property(text: str) -> str:
    """``text`` shortened, with an ellipsis, to fit a core property."""
    return text if len(text) <= PROPERTY_LIMIT else text[:PROPERTY_LIMIT - 1].rstrip() + "\u2026"


def _core_properties(document, doc: Document) -> None:
    when = FALLBACK_DATE
    if doc.date:
        day = dt.date.fromisoformat(doc.date[:10])
        when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    cp = document.core_properties
    cp.title = _property(doc.title)
    cp.author = _property(doc.author)
    cp.subject = _property(doc.subject)
    cp.keywords = _property(", ".join(doc.keywords))
    cp.language = doc.lang
    cp.comments = ""
    cp.category = ""
    cp.last_modified_by = doc.author
    cp.revision = 1
    cp.created = when
    cp.modified = when


# --- inline content ---------------------------------------------------------

def _add_hyperlink(p, part, run: Run) -> None:
    """A ``w:hyperlink`` appended to the ``w:p`` element ``p`` of ``part``: to a bookmark, or to an
    address related to the part."""
    href = run.href or ""
    if href.startswith("#"):
        link = _child(p, _W_HYPERLINK, {_W_ANCHOR: bookmark_name(href[1:])})
    else:
        link = _child(p, _W_HYPERLINK, {_R_ID: part.relate_to(href, RT.HYPERLINK, is_external=True)})
    link.set(_W_HISTORY, "1")
    r = _child(link, _W_R)
    rpr = _child(r, _W_R_PR)
    _child(rpr, _W_R_STYLE, {_W_VAL: "Hyperlink"})
    if run.strong:
        _child(rpr, _W_B)
    _child(rpr, _W_COLOR, {_W_VAL: _hex("link")})
    _child(rpr, _W_U, {_W_VAL: "single"})
    t = _child(r, _W_T)
    t.text = run.text
    t.set(_XML_SPACE, "preserve")


def bookmark_name(element_id: str) -> str:
    """A Word bookmark name for an element id: letters, digits and underscores, at most 40."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", element_id)
    if not name[:1].isalpha():
        name = "s" + name
    return name[:40]


def _bookmark_element(p, name: str, number: int) -> None:
    """A bookmark around the content of the ``w:p`` element ``p`` (after its properties)."""
    start = p.makeelement(_W_BOOKMARK_START, {_W_ID: str(number), _W_NAME: name})
    ppr = p.find(_W_P_PR)
    p.insert(p.index(ppr) + 1 if ppr is not None else 0, start)
    _child(p, _W_BOOKMARK_END, {_W_ID: str(number)})


def _add_runs(p, part, runs: Iterable[Run], doc: Document | None = None) -> None:
    """The runs appended to the ``w:p`` element ``p`` of ``part``; links resolved for ``doc``."""
    for run in runs:
        if run.href and doc is not None:
            target = resolve(doc, "docx", run.href, run.text)
            if run.optional and target.href is None and not target.self_link:
                continue
            run = Run(target.text, strong=run.strong, href=target.href)
        if run.href:
            _add_hyperlink(p, part, run)
        else:
            _run(p, run.text, bold=run.strong)


# --- blocks -------------------------------------------------------------------

class _Writer:
    def __init__(self, document, doc: Document) -> None:
        self.document = document
        self.doc = doc
        self.landscape = False
        self.bookmarks: set[str] = set()
        self.pictures = 0
        #: The body's last ``w:sectPr``: every block is placed before it, as python-docx places them.
        self.end = document.element.body.find(_W_SECT_PR)
        self._characters: dict[int, tuple[Table, tuple[list[int], list[int]]]] = {}
        numbering = document.part.numbering_part.element
        list_number = document.styles["List Number"].element
        num_id = int(list_number.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val")))
        self.numbering = numbering
        self.ordered_abstract = numbering.num_having_numId(num_id).abstractNumId.val

    @property
    def body(self):
        return self.document.element.body

    def paragraph(self, text: str = "", style: str | None = None, *, keep_next: bool | None = None):
        """A ``w:p`` at the end of the body, as python-docx's ``add_paragraph(text, style)`` writes it,
        with ``paragraph_format.keep_with_next = keep_next`` when that is given. Written as elements:
        python-docx places each child by searching the names of those that may follow it."""
        p = self.end.makeelement(_W_P, {})
        self.end.addprevious(p)
        if style is not None or keep_next is not None:
            p_pr = _child(p, _W_P_PR)
            style_id = self.document.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH) if style else None
            if style_id is not None:  # None: the default paragraph style, named by no pStyle
                _child(p_pr, _W_P_STYLE, {_W_VAL: style_id})
            if keep_next is not None:
                _child(p_pr, _W_KEEP_NEXT, {} if keep_next else {_W_VAL: "0"})
        if text:
            _run(p, text)
        return p

    def characters(self, table: Table) -> tuple[list[int], list[int]]:
        """``_characters(table)``, worked out once per table: a section's orientation needs it too."""
        found = self._characters.get(id(table))
        if found is None or found[0] is not table:
            found = self._characters[id(table)] = (table, _characters(table))
        return found[1]

    def heading(self, text: str, level: int):
        """A heading paragraph, as python-docx's ``add_heading(text, level)`` writes it."""
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def runs(self, runs: Iterable[Run]) -> None:
        """A paragraph of ``runs``."""
        _add_runs(self.paragraph(), self.document.part, runs, self.doc)

    def blocks(self, blocks, depth: int) -> None:
        for block in blocks:
            if isinstance(block, Section):
                self.section(block, depth)
            elif isinstance(block, Paragraph):
                self.runs(block.runs)
            elif isinstance(block, BulletList):
                self.list(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Note):
                self.note(block, depth)
            else:
                raise TypeError(f"cannot render block of type {type(block).__name__}")

    def section(self, section: Section, depth: int) -> None:
        if depth > MAX_HEADING_LEVEL:
            raise ValueError(f"section {section.heading!r} would need heading level {depth}; "
                             f"Word has only {MAX_HEADING_LEVEL}")
        self._orient(any(_needs_landscape(t, self.characters(t)) for t in _direct_tables(section)))
        heading = self.heading(section.heading, depth)
        if section.id and bookmark_name(section.id) not in self.bookmarks:
            self.bookmarks.add(bookmark_name(section.id))
            _bookmark_element(heading, bookmark_name(section.id), len(self.bookmarks))
        self.blocks(section.blocks, depth + 1)

    def _orient(self, landscape: bool) -> None:
        """Start a new page section in the other orientation, if it changes."""
        if landscape == self.landscape:
            return
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (
            (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT))
        self.landscape = landscape

    def list(self, block: BulletList) -> None:
        if block.ordered:
            num = self.numbering.add_num(self.ordered_abstract)
            num.add_lvlOverride(ilvl=0).add_startOverride(1)
        for item in block.items:
            p = self.paragraph(style="List Number" if block.ordered else "List Bullet")
            if block.ordered:  # after the pStyle: w:numPr comes after it in w:pPr
                num_pr = _child(p.find(_W_P_PR), _W_NUM_PR)
                _child(num_pr, _W_ILVL, {_W_VAL: "0"})
                _child(num_pr, _W_NUM_ID, {_W_VAL: str(num.numId)})
            _add_runs(p, self.document.part, item.runs, self.doc)

    def table(self, table: Table) -> None:
        self.paragraph(table.caption, "Caption", keep_next=True)
        numeric = table.numeric or (False,) * len(table.columns)
        widths, size = _column_widths(table, LANDSCAPE_TEXT_WIDTH if self.landscape else TEXT_WIDTH,
                                      self.characters(table))
        style_id = self.document.part.get_style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        twips = tuple(int(w.twips) for w in widths)
        template, header, body = _table_template(style_id, twips, tuple(numeric), str(round(size * 2)))
        tbl = copy.deepcopy(template)  # one copy in C; the rows are copies of a template row (below)
        self.end.addprevious(tbl)
        # The visible Caption paragraph names the table; a ``w:tblCaption`` with the same
        # text would be announced a second time, so the table has only a description.
        _child(tbl.find(_W_TBL_PR), _W_TBL_DESCRIPTION, {_W_VAL: table_description(table)})  # comes last in tblPr
        for i, texts in enumerate((table.columns, *table.rows)):
            tr = copy.deepcopy(header if i == 0 else body)  # one copy in C, not an element at a time
            tbl.append(tr)
            for t, text in zip(tr.iter(_W_T), texts):
                if text and not _RUN_BREAKS.search(text):
                    _set_text(t, text)
                else:  # empty, or with tabs or line breaks: written as any run's text
                    r = t.getparent()
                    r.remove(t)
                    _run_text(r, text)
            if i > 0 and table.row_ids:  # a row other blocks link to (the A to Z list)
                name = bookmark_name(table.row_ids[i - 1])
                if name not in self.bookmarks:
                    self.bookmarks.add(name)
                    _bookmark_element(tr.find(_W_TC).find(_W_P), name, len(self.bookmarks))

    def figure(self, figure: Figure) -> None:
        self.picture(chart_png(figure.chart, title=figure.alt), figure.alt)
        self.paragraph(figure.caption, "Caption", keep_next=False)
        if figure.data is not None:
            self.table(figure.data)

    def picture(self, png: bytes, alt: str) -> None:
        """A paragraph holding the picture ``png``, ``PICTURE_WIDTH`` wide, with the alt text ``alt`` (``descr``;
        no title: the Caption paragraph below names it): as python-docx's ``add_run().add_picture(png, width)``
        writes it, its image part and relationship made by python-docx, its ``wp:inline`` a copy of one that
        python-docx made (``_inline_template``) with this picture's numbers. The shape's id is python-docx's
        next id, one more than the largest ``id`` in the document, which only the pictures' ``wp:docPr`` sets
        (their ``pic:cNvPr`` has 0)."""
        r_id, image = self.document.part.get_or_add_image(io.BytesIO(png))
        cx, cy = (str(int(length)) for length in image.scaled_dimensions(PICTURE_WIDTH, None))
        self.pictures += 1
        inline = copy.deepcopy(_inline_template())
        for element in inline.iter(_WP_EXTENT, _A_EXT):
            element.set("cx", cx)
            element.set("cy", cy)
        doc_pr = inline.find(_WP_DOC_PR)
        doc_pr.set("id", str(self.pictures))
        doc_pr.set("name", f"Picture {self.pictures}")
        doc_pr.set("descr", alt)
        for c_nv_pr in inline.iter(_PIC_C_NV_PR):
            c_nv_pr.set("name", image.filename)
            c_nv_pr.set("descr", alt)
        for blip in inline.iter(_A_BLIP):
            blip.set(_R_EMBED, r_id)
        _child(_child(self.paragraph(keep_next=True), _W_R), _W_DRAWING).append(inline)

    def note(self, note: Note, depth: int) -> None:
        start = len(self.body)
        _run(self.paragraph(keep_next=True), note.title, bold=True)
        self.blocks(note.blocks, depth)
        # shade and border every paragraph of the note: Word draws them as one box
        end = len(self.body) - (1 if self.body[-1].tag == qn("w:sectPr") else 0)
        for element in list(self.body)[start - 1 if start else 0:end]:
            if element.tag == qn("w:p"):
                _box(element, note.kind)


@lru_cache(maxsize=1)
def _inline_template():
    """A picture's ``wp:inline`` as python-docx's ``CT_Inline.new_pic_inline`` makes it (numbers to be set)."""
    return CT_Inline.new_pic_inline(1, "rId1", "image.png", Emu(1), Emu(1))


@lru_cache(maxsize=128)
def _table_template(style_id: str | None, widths: tuple[int, ...], numeric: tuple[bool, ...], size_hps: str):
    """A table with no rows and no description, and its header and body rows, as python-docx's
    ``add_table`` and its table setters write them: kept for the process, because tables of the same
    column widths recur in every pack, and each table is then a copy made in C by lxml.

    ``widths`` in twips; the table is left-aligned, of fixed layout (Word and LibreOffice use these
    widths), with ``CELL_MARGIN_TWIPS`` either side of each cell's text."""
    tbl = CT_Tbl.new_tbl(0, len(widths), Emu(0))
    tbl.tblStyle_val = style_id
    tbl_pr = tbl.tblPr
    tbl_pr.alignment = WD_TABLE_ALIGNMENT.LEFT
    tbl_pr.autofit = False
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(widths)))
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        m = OxmlElement(side)
        m.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tbl_pr.append(look)
    for attr, value in (("w:val", "04A0"), ("w:firstRow", "1"), ("w:lastRow", "0"),
                        ("w:firstColumn", "1"), ("w:lastColumn", "0"),
                        ("w:noHBand", "0"), ("w:noVBand", "1")):
        look.set(qn(attr), value)
    for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths):
        grid_col.w = Twips(width)
    texts = [str(w) for w in widths]
    return (tbl, _table_row(tbl, texts, numeric, size_hps, header=True),
            _table_row(tbl, texts, numeric, size_hps, header=False))


def _table_row(tbl, widths: list[str], numeric, size_hps: str, *, header: bool):
    """A ``w:tr`` (not placed in ``tbl``) whose cells each hold one run of placeholder text: the row
    that each header or body row of a table copies. Rows never split across pages; the header row
    repeats on each page and is shaded; header cells and row headers (the first column) are bold;
    numbers are right-aligned."""
    tr = tbl.makeelement(_W_TR, {})
    tr_pr = _child(tr, _W_TR_PR)
    _child(tr_pr, _W_CANT_SPLIT)
    if header:
        _child(tr_pr, _W_TBL_HEADER)
    for j, width in enumerate(widths):
        tc = _child(tr, _W_TC)
        tc_pr = _child(tc, _W_TC_PR)
        _child(tc_pr, _W_TC_W, {_W_TYPE: "dxa", _W_W: width})
        if header:
            _child(tc_pr, _W_SHD, {_W_VAL: "clear", _W_COLOR: "auto", _W_FILL: _hex("stripe")})
        p = _child(tc, _W_P)
        if numeric[j]:
            _child(_child(p, _W_P_PR), _W_JC, {_W_VAL: "right"})
        _run(p, "cell", bold=header or j == 0, size_hps=size_hps)
    return tr


def table_description(table: Table) -> str:
    """What a table holds, for ``w:tblDescription`` (the caption is its title already)."""
    rows = len(table.rows)
    return (f"{rows} row{'s' if rows != 1 else ''}, one for each {table.columns[0].lower()}; "
            f"columns: {', '.join(table.columns)}.")


def _space_after_tables(body) -> None:
    """Space before each paragraph that follows a table; a table that ends the body gets
    the one paragraph Word needs after it."""
    for tbl in body.iterchildren(qn("w:tbl")):
        following = tbl.getnext()
        if following is None or following.tag != qn("w:p"):
            p = OxmlElement("w:p")
            tbl.addnext(p)
            continue
        ppr = following.get_or_add_pPr()
        style = ppr.find(qn("w:pStyle"))
        if style is not None and style.get(qn("w:val"), "").startswith("Heading"):
            continue  # headings have their own space before
        spacing = ppr.find(qn("w:spacing"))
        if spacing is None:
            spacing = OxmlElement("w:spacing")
            ppr.insert_element_before(spacing, *_AFTER_SHD[_AFTER_SHD.index("w:spacing") + 1:])
        if spacing.get(qn("w:before")) is None:
            spacing.set(qn("w:before"), str(int(AFTER_TABLE.pt * 20)))


def _direct_tables(section: Section) -> list[Table]:
    """The tables a section shows itself (figures' data tables included), not its subsections'."""
    found = []
    for block in section.blocks:
        if isinstance(block, Table):
            found.append(block)
        elif isinstance(block, Figure) and block.data is not None:
            found.append(block.data)
        elif isinstance(block, Note):
            found.extend(b for b in block.blocks if isinstance(b, Table))
    return found


def _needs_landscape(table: Table, characters: tuple[list[int], list[int]] | None = None) -> bool:
    """Whether a table's narrowest columns need more than the portrait width at ``PORTRAIT_MIN_FONT``
    (``characters``: the table's ``_characters``, if known)."""
    need, _ = characters or _characters(table)
    return sum(need) * CHAR_EM * PORTRAIT_MIN_FONT > _available(table, TEXT_WIDTH)


def _available(table: Table, text_width) -> float:
    """The width (pt) a table's text may take: the text width less the cells' margins."""
    return text_width.pt - len(table.columns) * 2 * CELL_MARGIN_TWIPS / 20


def _characters(table: Table) -> tuple[list[int], list[int]]:
    """Per column, the characters it needs (longest word or number) and would like (longest cell, up to 40).

    A column needs room for its longest word (text wraps at spaces) or its
    longest number (numbers never wrap); row headers get at least 14 characters.
    """
    numeric = table.numeric or (False,) * len(table.columns)
    need, want = [], []
    for j, header in enumerate(table.columns):
        cells = [row[j] for row in table.rows]
        words = [len(w) for text in (header, *(() if numeric[j] else cells)) for w in text.split()]
        longest_word = max(words + [1])
        if numeric[j]:
            n = max([len(c) for c in cells] + [longest_word])
            w = n
        else:
            n = longest_word
            w = min(max([len(c) for c in cells] + [n]), 40)
        if j == 0:
            n, w = max(n, 14), max(w, 14)
        need.append(n + 1)
        want.append(w + 1)
    return need, want


def _column_widths(table: Table, text_width=TEXT_WIDTH,
                   characters: tuple[list[int], list[int]] | None = None) -> tuple[list, float]:
    """Column widths (EMU) filling the text width, and the font size (pt) that makes them fit.

    Each column gets what it needs (``_characters``) at the largest of
    ``TABLE_FONT_SIZES`` that fits; whatever is left goes to the columns that
    would like more.
    """
    need, want = characters or _characters(table)
    available = _available(table, text_width)
    for size in TABLE_FONT_SIZES:
        char = CHAR_EM * size
        if sum(need) * char <= available:
            break
    widths_pt = [n * char for n in need]
    if sum(widths_pt) > available:  # even the smallest type does not fit: long words will break
        widths_pt = [w * available / sum(widths_pt) for w in widths_pt]
    spare = available - sum(widths_pt)
    extra = [max(w - n, 0) * char for n, w in zip(need, want)]
    if spare > 0 and sum(extra) >= spare:  # share the room among columns that want more
        widths_pt = [wp + spare * e / sum(extra) for wp, e in zip(widths_pt, extra)]
    elif spare > 0:  # every column gets what it wants; the rest goes by those wishes
        widths_pt = [w * char for w in want]
        rest = available - sum(widths_pt)
        widths_pt = [wp + rest * wp / sum(widths_pt) for wp in widths_pt]
    margins = 2 * CELL_MARGIN_TWIPS / 20
    return [Pt(w + margins) for w in widths_pt], size


def _shade(cell, colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), _hex(colour))
    tc_pr.append(shd)


def _box(p, kind: str) -> None:
    """Shade a paragraph of a note. No paragraph border: LibreOffice's PDF/UA export
    leaves paragraph borders untagged (neither artifact nor content)."""
    fill = _hex("note_warning_bg" if kind == "warning" else "note_info_bg")
    ppr = p.get_or_add_pPr()
    if ppr.find(qn("w:shd")) is None:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        ppr.insert_element_before(shd, *_AFTER_SHD)
    ind = ppr.get_or_add_ind()
    if ind.get(qn("w:left")) is None:
        ind.set(qn("w:left"), "284")
    ind.set(qn("w:right"), "284")


#: The deflate level of a Word file's parts (zipfile's and zlib's default).
ZIP_LEVEL = 6
#: How many parts' deflated bytes a process keeps, by the part's bytes: the parts every document has the same
#: (styles, theme, settings, font table, footer, thumbnail...) are deflated once, and used again while each
#: document's own parts come and go.
DEFLATED_KEPT = 32
_DOS_DATE = (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2]
_DOS_TIME = ZIP_DATE[3] << 11 | ZIP_DATE[4] << 5 | ZIP_DATE[5] // 2
_ZIP_VERSION = 20  # zipfile's DEFAULT_VERSION: what it writes as the version that made and may read each entry
_ZIP_UNIX = 3  # entries made on Unix, so that their mode (rw-r--r--) is read
_ZIP_UTF8_NAME = 0x800


@lru_cache(maxsize=DEFLATED_KEPT)
def _deflated(data: bytes) -> bytes:
    """``data`` deflated as zipfile deflates an entry (raw deflate at ``ZIP_LEVEL``)."""
    compressor = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Zip:
    """python-docx's physical package writer (``write(pack_uri, blob)``), writing the zip file byte for byte as
    ``zipfile`` writes it from ``ZipInfo`` entries dated ``ZIP_DATE``, made on Unix with mode 644, each part
    deflated at ``ZIP_LEVEL`` (a PNG, deflated already, and every part with ``deflate=False``: stored).

    Written here because zipfile cannot take bytes deflated already: a part the same in every document is
    deflated once per process (``_deflated``). ``tests/test_render_docx.py`` checks the bytes against
    zipfile's own."""

    def __init__(self, deflate: bool = True) -> None:
        self.deflate = deflate
        self.out = io.BytesIO()
        self.central: list[bytes] = []

    def write(self, pack_uri, blob: bytes) -> None:
        name, flags = pack_uri.membername, 0
        try:
            encoded = name.encode("ascii")
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _ZIP_UTF8_NAME
        if len(blob) * 1.05 > zipfile.ZIP64_LIMIT:
            raise ValueError(f"the Word file's part {name} is too large for a zip file without ZIP64")
        deflated = self.deflate and pack_uri.ext != "png"
        data = _deflated(blob) if deflated else blob
        method = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
        crc, offset = zlib.crc32(blob), self.out.tell()
        fields = (flags, method, _DOS_TIME, _DOS_DATE, crc, len(data), len(blob), len(encoded))
        self.out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _ZIP_VERSION, 0, *fields, 0) + encoded)
        self.out.write(data)
        self.central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", _ZIP_VERSION, _ZIP_UNIX, _ZIP_VERSION, 0,
                                        *fields, 0, 0, 0, 0, 0o644 << 16, offset) + encoded)

    def close(self) -> bytes:
        """The zip file: the entries written, then their central directory."""
        start = self.out.tell()
        self.out.write(b"".join(self.central))
        count, size = len(self.central), self.out.tell() - start
        self.out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))
        return self.out.getvalue()


def _package_bytes(document, deflate: bool = True) -> bytes:
    """The Word package of ``document``: the parts python-docx's ``Document.save`` writes, in its order
    (``deflate=False``: every part stored, for a package that is only ever read again in this process)."""
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    writer: Any = _Zip(deflate)  # python-docx's writer interface: write(pack_uri, blob)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    return writer.close()


#: Style ids by (name, type), for documents opened from ``_styled_blank``: they all have the same styles.
_STYLE_IDS: dict = {}


def _remember_style_ids(document) -> None:
    """Look each style name up once per process, not once per paragraph.

    python-docx finds a style by name, and then the default style of its type, by
    scanning every style in the part on each call. Every document starts from the
    same ``_styled_blank`` and adds no style, so the answer for a name is kept for
    the process.
    """
    part = document.part
    look_up = part.get_style_id

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return look_up(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in _STYLE_IDS:
            _STYLE_IDS[key] = look_up(style_or_name, style_type)
        return _STYLE_IDS[key]

    part.get_style_id = get_style_id


#: The styles the writer asks for by name. The blank keeps these, those its own parts use (the footer,
#: the list numbering), each style's default, and the styles these are based on, followed by or linked to.
WRITER_STYLES = ("Normal", "Title", "Subtitle", "Caption", "List Bullet", "List Number", "Table Grid",
                 "Hyperlink", *(f"Heading {level}" for level in range(1, MAX_HEADING_LEVEL + 1)))
_STYLE_REFERENCES = tuple(qn(tag) for tag in ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink"))
_STYLE_LINKS = tuple(qn(tag) for tag in ("w:basedOn", "w:next", "w:link"))


def _drop_styles_with_effects(document) -> None:
    """Drop python-docx's template part ``stylesWithEffects.xml``: a second copy of the styles for
    Word 2010 alone (438 KB of XML), which later versions of Word and LibreOffice do not read."""
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            document.part.drop_rel(r_id)


def _keep_used_styles(document) -> None:
    """Remove the template's styles that no document uses (about 140 of 165, most of them table
    styles), so that each document parses, writes and compresses only the styles it has.
    Word offers its built-in styles all the same (the latent styles stay)."""
    styles = document.styles
    element = styles.element
    by_id = {style.get(qn("w:styleId")): style for style in element.findall(qn("w:style"))}
    keep = {styles[name].style_id for name in WRITER_STYLES}
    keep |= {style_id for style_id, style in by_id.items() if style.get(qn("w:default")) in ("1", "true")}
    for part in document.part.package.iter_parts():
        xml = getattr(part, "_element", None)
        if xml is not None and xml is not element:
            keep |= {ref.get(qn("w:val")) for tag in _STYLE_REFERENCES for ref in xml.iter(tag)}
    todo = list(keep)
    while todo:
        style = by_id.get(todo.pop())
        for link in style.iterchildren(*_STYLE_LINKS) if style is not None else ():
            if link.get(qn("w:val")) not in keep:
                keep.add(link.get(qn("w:val")))
                todo.append(link.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            element.remove(style)


def _drop_thumbnail(document) -> None:
    """Leave out the template's thumbnail: a picture of a blank page, which file browsers would show as
    the document's preview."""
    rels = document.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


@lru_cache(maxsize=4)
def _styled_blank(lang: str) -> bytes:
    """python-docx's default template with this project's styles, page and language ``lang`` set up,
    saved once per process and language: opening it is faster than setting them up again for every
    document (the same bytes result). Its parts are stored, not deflated: each document reads them
    again, and writes its own package deflated."""
    document = docx.Document()
    _drop_thumbnail(document)
    _drop_styles_with_effects(document)
    _set_styles(document)
    _set_page(document)
    _keep_used_styles(document)
    _set_lang(document, lang)
    return _package_bytes(document, deflate=False)


class _KeptBlank:
    """The styled blank of one language as python-docx reads it (``PackageReader``: each part's name, content
    type and bytes, and the relationships), with each XML part's class and parsed root, kept for the process:
    a document is then opened by python-docx's own ``Unmarshaller`` from these, each XML part's root a copy
    made in C by lxml, instead of the package being read from its zip and every part parsed again."""

    def __init__(self, blank: bytes) -> None:
        reader = PackageReader.from_file(io.BytesIO(blank))
        self.sparts = tuple(reader.iter_sparts())
        self.srels = tuple(reader.iter_srels())
        self.xml: dict[str, tuple[type, Any]] = {}
        for partname, content_type, reltype, blob in self.sparts:
            part = PartFactory(partname, content_type, reltype, blob, None)  # type: ignore[arg-type]
            if isinstance(part, XmlPart):
                self.xml[partname] = (type(part), part.element)

    # what ``Unmarshaller.unmarshal`` reads from a ``PackageReader``
    def iter_sparts(self):
        return iter(self.sparts)

    def iter_srels(self):
        return iter(self.srels)

    def part(self, partname, content_type: str, reltype: str, blob: bytes, package):
        """A part of a new document: as ``PartFactory`` makes it, an XML part from a copy of its kept root."""
        kept = self.xml.get(partname)
        if kept is None:
            return PartFactory(partname, content_type, reltype, blob, package)
        part_class, element = kept
        return part_class(partname, content_type, copy.deepcopy(element), package)

    def open(self):
        """A new python-docx ``Document`` of the blank, as ``docx.Document`` opens it."""
        package = Package()
        Unmarshaller.unmarshal(self, package, self.part)
        document_part = package.main_document_part
        if document_part.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
            raise ValueError(f"the styled blank's main part is {document_part.content_type}")
        return document_part.document


@lru_cache(maxsize=4)
def _kept_blank(lang: str) -> _KeptBlank:
    return _KeptBlank(_styled_blank(lang))


def render_docx(doc: Document) -> bytes:
    """The document as a Word file (bytes, deterministic)."""
    document = _kept_blank(doc.lang).open()
    _remember_style_ids(document)
    _core_properties(document, doc)
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty paragraph, if any
        body.remove(p)
    writer = _Writer(document, doc)
    writer.heading(doc.title, 1)
    if doc.subtitle:
        writer.paragraph(doc.subtitle, "Subtitle")
    for link in doc.related:
        if not resolve(doc, "docx", link.href, link.text).self_link:
            writer.runs((Run(link.text, href=link.href),))
    writer.blocks(doc.blocks, 2)
    _space_after_tables(body)
    return _package_bytes(document)
