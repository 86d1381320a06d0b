"""The PDF writer: the HTML page through WeasyPrint as PDF/UA-1, then repaired.

WeasyPrint tags the PDF (structure tree, /Lang, /Alt from the SVG
``<title>``), but a table that crosses a page break becomes one /Table per
page (Kozea/WeasyPrint#2903) and ``<main>`` one /Part per page. ``fold_structure``
joins those pieces with pikepdf, so each table is one /Table with one /THead
and every data cell still names its column headers.

Header rows repeat on every printed page. WeasyPrint tags each repeated copy
as a /THead of that page's /Table; the fold drops those copies from the
structure tree and ``mark_artifacts`` rewrites their marked content in the
page content streams as ``/Artifact``, as it does the page numbers (margin
boxes, which WeasyPrint tags but leaves out of the tree). So every marked
sequence on every page is either reached from the structure tree or an
artifact. A page that a table runs on to names it, "<caption> (continued)",
above the repeated header row, in the top margin (``CONTINUED_CSS``): margin-box
content too, so also an artifact. Header cells get a /Scope and link
annotations a /Contents that describes the target.

The output is
byte-identical for the same document: dates come from ``Document.date``
(also as ``SOURCE_DATE_EPOCH`` while WeasyPrint writes, so that fontTools,
its font subsetter where HarfBuzz's is missing, stamps that date into the
fonts rather than the clock), the typeface is the one shipped in
``reportgen/fonts/``, and the file /ID is derived from the content.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..fonts import SHIPPED_FAMILY
from ..model import Document
from .html import render_html
from .links import link_descriptions
from .palette import COLOURS
from .weasyprint_svg_text import install as _whole_string_svg_text

LOGGER_NAME = "weasyprint"


class PdfRenderError(RuntimeError):
    """WeasyPrint reported an error (missing alt text, language, bad SVG...)."""


class _Collect(logging.Handler):
    """Collects ERROR records logged by WeasyPrint in this thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@lru_cache(maxsize=1)
def _font_config():
    # One FontConfiguration per process: fontconfig set-up is the slow part.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


#: Paged-media rules only WeasyPrint reads (CSS Generated Content for Paged Media, which the
#: page's own stylesheet leaves out so that it stays valid CSS): a table that runs on from an
#: earlier page is named above its repeated header row, "<caption> (continued)". The first body
#: row's header cell (``data-continued``, printed by the templates) sets the string and the last
#: row's clears it, so its value at the start of a page is set only while a table runs across that
#: page. ``mark_artifacts`` marks this line, like the page number, as a pagination artifact.
#: The rules match one cell, not its row: WeasyPrint shares one computed style between siblings
#: that match the same rules, and a row matched by a rule of its own has all its cells styled again
#: (half this stylesheet's cost, about 5 CPU ms an example pack; the same PDF).
CONTINUED_CSS = """
@media print {
  @page {
    @top-left {
      content: string(continued, start);
      font-family: %(family)s;
      font-size: 9pt;
      font-weight: bold;
      color: %(colour)s;
      vertical-align: bottom;
      padding-bottom: 3mm;
    }
  }
  tbody > tr > th[data-continued] { string-set: continued attr(data-continued); }
  tbody > tr:last-child > th:first-child { string-set: continued ""; }
}
"""


@lru_cache(maxsize=1)
def _continued_stylesheet():
    """Parsed once per process: a WeasyPrint stylesheet can be given to any number of documents."""
    import weasyprint

    return weasyprint.CSS(string=CONTINUED_CSS % {"family": SHIPPED_FAMILY, "colour": COLOURS["text"]})


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off while WeasyPrint renders a document, and on again after.

    A document's boxes, styles and fonts live until it is written, and the collector, run every few
    hundred new objects, walks them again and again as they grow: a sixth of the national document's
    render here. ``render_pdf`` collects them once, when the PDF is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Raw WeasyPrint PDF/UA-1 output for a page; raises on any logged ERROR."""
    from .weasyprint_ua import HTML  # no style for every element's ::marker, footnote and note pseudo-elements

    _whole_string_svg_text()  # chart labels shaped and drawn as whole strings, where WeasyPrint was checked
    handler = _Collect()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        with collector_paused():
            document = HTML(string=html, base_url=base_url).render(
                stylesheets=[_continued_stylesheet()], font_config=_font_config(), pdf_variant="pdf/ua-1")
            if handler.messages:
                raise PdfRenderError("WeasyPrint reported: " + "; ".join(handler.messages))
            too_wide = overflowing(document)
            if too_wide:
                raise PdfRenderError("content runs off the page (it would be cut off): " + "; ".join(too_wide[:5]))
            pdf = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        raise PdfRenderError("WeasyPrint reported: " + "; ".join(handler.messages))
    return pdf


def overflowing(document, tolerance: float = 1.0) -> list[str]:
    """Boxes whose right edge passes the page's content area (they would be clipped).

    Checks text and replaced boxes (what a reader sees); one message per element.
    """
    from weasyprint.formatting_structure import boxes

    found: list[str] = []
    seen: set = set()

    def visit(box, right: float, page_number: int) -> None:
        if isinstance(box, boxes.MarginBox):
            return
        if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
            edge = box.position_x + box.margin_width()
            if edge > right + tolerance:
                element = getattr(box, "element", None)
                key = (page_number, id(element))
                if key not in seen:
                    seen.add(key)
                    text = box.text if isinstance(box, boxes.TextBox) else f"<{box.element_tag}>"
                    found.append(f"page {page_number}: {text[:40]!r} ends {edge - right:.0f}px past the margin")
            return
        for child in getattr(box, "children", ()):
            visit(child, right, page_number)

    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        visit(page_box, right, number)
    return found


#: The date stamped into a document that has none (as the Word writer does).
FALLBACK_DATE = dt.date(2000, 1, 1)
_ENVIRON_LOCK = threading.Lock()


def source_date_epoch(date: str) -> int:
    """``Document.date`` (ISO, may be empty) as seconds since 1970, midnight UTC."""
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        day = FALLBACK_DATE
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


@contextmanager
def _source_date(date: str) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` set to the document's date while WeasyPrint runs, then restored."""
    with _ENVIRON_LOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(date))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def render_pdf(doc: Document) -> bytes:
    """The document as a tagged PDF/UA-1 file (bytes, deterministic)."""
    with _source_date(doc.date):
        raw = html_to_pdf(render_html(doc, for_pdf=True))
    # WeasyPrint's boxes, styles and PDF objects are held in reference cycles, which only the cycle
    # collector frees: collected now, their memory is reused by pikepdf rather than added to it.
    gc.collect()
    return finish_pdf(raw, lang=doc.lang, link_descriptions=link_descriptions(doc, "pdf"))


def finish_pdf(raw: bytes, *, lang: str, link_descriptions: dict[str, str] | None = None) -> bytes:
    """Repair WeasyPrint's structure tree and catalogue; save deterministically."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        repeated_headers: list = []
        tree = _read_tree(pdf)  # read once; the repairs below walk it in Python
        fold_structure(pdf, repeated_headers, tree)
        mark_artifacts(pdf, repeated_headers, tree)
        scope_header_cells(pdf, tree)
        group_figures(pdf, tree)
        describe_links(pdf, link_descriptions or {})
        root = pdf.Root
        root.Lang = String(lang)
        if Name.ViewerPreferences not in root:
            root.ViewerPreferences = Dictionary()
        root.ViewerPreferences.DisplayDocTitle = True
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


# --- structure tree repair -------------------------------------------------
#
# The tree is read from the PDF once (``_read_tree``) into ``_Elem`` objects, and each repair walks those
# in Python: reading a dictionary's keys through pikepdf costs a microsecond or more each time, and four
# repairs each reading the whole tree was most of ``finish_pdf``'s time. The fold changes the PDF and the
# ``_Elem`` tree alike, so the later repairs see the folded tree.

# pikepdf makes a new Name for each ``Name.X`` attribute read: made once here.
_A, _ID, _K, _MCID, _PG, _S, _TYPE = (Name(n) for n in ("/A", "/ID", "/K", "/MCID", "/Pg", "/S", "/Type"))
_MCR = Name("/MCR")


class _Elem:
    """A structure element as read once: its dictionary, its /S (as text, "/Table") and its kids in order,
    each an ``_Elem`` or what the PDF holds there (an MCID, a marked-content or object reference)."""

    __slots__ = ("obj", "tag", "kids", "_elements")

    def __init__(self, obj, tag: str | None, kids: list) -> None:
        self.obj, self.tag, self.kids = obj, tag, kids
        self._elements: list[_Elem] | None = None

    def elements(self) -> list[_Elem]:
        """The kids that are structure elements, in order."""
        if self._elements is None:
            self._elements = [k for k in self.kids if type(k) is _Elem]
        return self._elements

    def descendants(self) -> Iterator[_Elem]:
        """Every element below this one, depth first, each before its kids, kids in order."""
        stack = self.elements()[::-1]
        while stack:
            elem = stack.pop()
            yield elem
            stack.extend(reversed(elem.elements()))

    def set_kids(self, kids: list) -> None:
        """Replace the kids, in the PDF as an array."""
        self.kids, self._elements = kids, None
        self.obj.K = Array([k.obj if type(k) is _Elem else k for k in kids])

    def append(self, kid) -> None:
        """Add a kid at the end, in the PDF to the /K array."""
        self.kids.append(kid)
        self._elements = None
        self.obj.K.append(kid.obj if type(kid) is _Elem else kid)


def _is_struct(obj) -> bool:
    """A structure element: a dictionary with an /S (a marked-content or object reference has none)."""
    return isinstance(obj, Dictionary) and _S in obj


def _kids(elem) -> list:
    k = elem.get(_K)
    if k is None:
        return []
    if isinstance(k, Array):
        return list(k)
    return [k]


def _read(obj, tag: str | None) -> _Elem:
    kids = _kids(obj)
    for i, kid in enumerate(kids):
        if type(kid) is not int and isinstance(kid, Dictionary):  # an MCID is read as an int
            kid_tag = kid.get(_S)
            if kid_tag is not None:
                kids[i] = _read(kid, str(kid_tag))
    return _Elem(obj, tag, kids)


def _read_tree(pdf: pikepdf.Pdf) -> _Elem | None:
    """The StructTreeRoot and every element reached from it, or None for an untagged PDF."""
    root = pdf.Root.get(Name.StructTreeRoot)
    return None if root is None else _read(root, None)


def _tag(elem) -> str | None:
    return elem.tag if type(elem) is _Elem else None


def _is_continuation(table: _Elem) -> bool:
    """A table fragment without a caption continues the one before it (every table has one)."""
    first = next(iter(table.elements()), None)
    return first is not None and first.tag != "/Caption"


def _body_rows(table: _Elem) -> list[_Elem]:
    """The rows of a table fragment, header rows (repeated copies) left out."""
    rows = []
    for kid in table.elements():
        if kid.tag == "/TR":
            rows.append(kid)
        elif kid.tag in ("/TBody", "/TFoot"):
            rows.extend(k for k in kid.elements() if k.tag == "/TR")
    return rows


def _cells(row: _Elem) -> list[_Elem]:
    return [k for k in row.elements() if k.tag in ("/TH", "/TD")]


def _column_header_ids(table: _Elem) -> dict[int, list]:
    """Column index -> the /ID strings of the header cells above it (from /THead)."""
    ids: dict[int, list] = {}
    for part in table.elements():
        if part.tag != "/THead":
            continue
        for row in (k for k in part.elements() if k.tag == "/TR"):
            for j, cell in enumerate(_cells(row)):
                if _ID in cell.obj:
                    ids.setdefault(j, []).append(cell.obj.ID)
    return ids


def _join_table(target: _Elem, fragment: _Elem, repeated_headers: list) -> None:
    """Move the rows of ``fragment`` into the first /TBody of ``target``.

    The fragment's /THead is a repeated copy of the header row: it is left out
    of the tree and added to ``repeated_headers``, to be marked as an artifact.
    """
    repeated_headers.extend(k.obj for k in fragment.elements() if k.tag == "/THead")
    body = next((k for k in target.elements() if k.tag == "/TBody"), None)
    if body is None:
        # Only the caption and header row fitted on the first page: adopt the
        # fragment's first /TBody whole, then move any further rows into it.
        body = next((k for k in fragment.elements() if k.tag == "/TBody"), None)
        if body is None:
            raise ValueError("continuation table has no /TBody")
        body.obj.P = target.obj
        target.append(body)
    headers = _column_header_ids(target)
    for row in _body_rows(fragment):
        if row.obj.P.objgen != body.obj.objgen:
            row.obj.P = body.obj
            body.append(row)
        for j, cell in enumerate(_cells(row)):
            if cell.tag != "/TD" or j not in headers:
                continue
            attrs = cell.obj.get(_A)
            if attrs is None:
                cell.obj.A = Dictionary(O=Name.Table, Headers=Array())
                attrs = cell.obj.A
            if Name.Headers not in attrs:
                attrs.Headers = Array()
            present = {bytes(h) for h in attrs.Headers}
            for h in headers[j]:
                if bytes(h) not in present:
                    attrs.Headers.append(h)


def _fold_children(elem: _Elem, counts: dict[str, int], repeated_headers: list) -> None:
    """Join continuation /Part and /Table fragments among ``elem``'s kids, recursively."""
    kids = elem.kids
    if not kids:
        return
    kept: list = []
    for kid in kids:
        previous = kept[-1] if kept and type(kept[-1]) is _Elem else None
        if previous is not None and previous.tag == "/Part" and _tag(kid) == "/Part":
            for grandkid in kid.kids:
                if type(grandkid) is _Elem:
                    grandkid.obj.P = previous.obj
                previous.append(grandkid)
            counts["Part"] += 1
            continue
        if previous is not None and previous.tag == "/Table" and _tag(kid) == "/Table" and _is_continuation(kid):
            _join_table(previous, kid, repeated_headers)
            counts["Table"] += 1
            continue
        kept.append(kid)
    if len(kept) != len(kids):
        elem.set_kids(kept)
    for kid in elem.elements():
        _fold_children(kid, counts, repeated_headers)


def _id_tree(root: _Elem, pdf) -> None:
    """Add the /IDTree that ISO 32000-1 14.7.2 requires when elements carry /ID."""
    found: dict[bytes, object] = {}
    for elem in root.descendants():
        if _ID in elem.obj:
            found[bytes(elem.obj.ID)] = elem.obj
    if not found:
        return
    names: list = []
    for key in sorted(found):
        names += (String(key), found[key])
    root.obj.IDTree = pdf.make_indirect(Dictionary(Names=Array(names)))


def fold_structure(pdf: pikepdf.Pdf, repeated_headers: list | None = None,
                   tree: _Elem | None = None) -> dict[str, int]:
    """Join per-page /Part and /Table fragments. Returns how many were folded.

    The /THead elements of repeated header rows are dropped from the tree and
    appended to ``repeated_headers``. ``tree``: the PDF's tree as ``_read_tree`` read it
    (read here if not given), folded too.
    """
    counts = {"Part": 0, "Table": 0}
    if repeated_headers is None:
        repeated_headers = []
    tree = tree or _read_tree(pdf)
    if tree is None:
        return counts
    # Document-level /Part pieces first, so continuation tables become siblings.
    for top in tree.elements():
        _fold_children(top, counts, repeated_headers)
    _id_tree(tree, pdf)
    return counts


# --- artifacts: repeated header rows and page numbers ---------------------------

def _marked_content(elem, page=None):
    """Yield ``(page objgen, MCID)`` for every marked-content reference under ``elem``."""
    page = elem.get(_PG, page)
    for kid in _kids(elem):
        if isinstance(kid, int):
            yield page.objgen, int(kid)
        elif isinstance(kid, Dictionary) and kid.get(_TYPE) == _MCR:
            yield kid.get(_PG, page).objgen, int(kid.get(_MCID))
        elif _is_struct(kid):
            yield from _marked_content(kid, page)


#: How WeasyPrint opens a marked-content sequence of a structure element: ``/Tag <</MCID n>> BDC``
#: (a name, a one-key property list and the operator, separated by white space).
_MCID_BDC = re.compile(rb"/([A-Za-z][A-Za-z0-9]*)\s+<<\s*/MCID\s+(\d+)\s*>>\s+BDC\b")


def _rewrite_marked_content(pdf: pikepdf.Pdf, page, repeated: set[int], pagination: set[int]) -> int:
    """Turn the MCID sequences in ``repeated`` into ``/Artifact BMC`` and those in
    ``pagination`` into ``/Artifact <</Type /Pagination>> BDC``. Returns how many.

    The page's one content stream is edited where each such sequence opens and left as it is
    elsewhere (parsing and rewriting every operator of every page was most of the PDF's repair
    time). A page whose stream is not as WeasyPrint writes it (several streams, or a sequence
    not found exactly once) is rewritten operator by operator instead."""
    if not repeated and not pagination:
        return 0
    contents = page.obj.get(Name.Contents)
    if isinstance(contents, pikepdf.Stream):
        data = contents.read_bytes()
        wanted = repeated | pagination
        found = [int(m.group(2)) for m in _MCID_BDC.finditer(data)]
        if sorted(mcid for mcid in found if mcid in wanted) == sorted(wanted):

            def artifact(match: re.Match) -> bytes:
                mcid = int(match.group(2))
                if mcid in repeated:
                    return b"/Artifact BMC"
                if mcid in pagination:
                    return b"/Artifact <</Type /Pagination>> BDC"
                return match.group(0)

            page.obj.Contents = pdf.make_stream(_MCID_BDC.sub(artifact, data))
            return len(wanted)
    return _rewrite_operators(pdf, page, repeated, pagination)


def _rewrite_operators(pdf: pikepdf.Pdf, page, repeated: set[int], pagination: set[int]) -> int:
    """``_rewrite_marked_content`` by parsing and rewriting every operator of the page."""
    changed = 0
    ops: list = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            ops.append(instruction)
            continue
        operands, operator = list(instruction.operands), instruction.operator
        if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], Dictionary) \
                and Name.MCID in operands[1]:
            mcid = int(operands[1].MCID)
            if mcid in repeated:
                operands, operator = [Name.Artifact], pikepdf.Operator("BMC")
                changed += 1
            elif mcid in pagination:
                operands = [Name.Artifact, Dictionary(Type=Name.Pagination)]
                changed += 1
        ops.append((operands, operator))
    if changed:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
    return changed


def mark_artifacts(pdf: pikepdf.Pdf, repeated_headers: list, tree: _Elem | None = None) -> dict[str, int]:
    """Mark repeated header rows and untreed content (page numbers) as artifacts.

    A marked sequence whose ParentTree element is not reached from the
    StructTreeRoot is either a repeated header row (``repeated_headers``) or
    margin-box content: it becomes an artifact and its ParentTree entry null.
    ``tree``: the PDF's tree as ``_read_tree`` read it (read here if not given).
    """
    counts = {"repeated header": 0, "pagination": 0}
    tree = tree or _read_tree(pdf)
    if tree is None:
        return counts
    repeated: dict[tuple, set[int]] = {}
    for head in repeated_headers:
        for page, mcid in _marked_content(head):
            repeated.setdefault(page, set()).add(mcid)
    reachable = {elem.obj.objgen for elem in tree.descendants()}
    nums = tree.obj.ParentTree.get(Name.Nums, Array())
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        key = page.obj.get(Name.StructParents)
        if key is None or int(key) not in by_key:
            continue
        entries = by_key[int(key)]
        if not isinstance(entries, Array):
            continue
        mine = repeated.get(page.obj.objgen, set())
        orphans = set()
        for mcid, elem in enumerate(entries):
            if isinstance(elem, Dictionary) and elem.objgen not in reachable:
                entries[mcid] = None
                if mcid not in mine:
                    orphans.add(mcid)
        _rewrite_marked_content(pdf, page, mine, orphans)
        counts["repeated header"] += len(mine)
        counts["pagination"] += len(orphans)
    return counts


# --- table header scope and link descriptions ------------------------------------

def scope_header_cells(pdf: pikepdf.Pdf, tree: _Elem | None = None) -> None:
    """/Scope /Column on header-row cells and /Scope /Row on row headers (the HTML's scope).

    ``tree``: the PDF's tree as ``_read_tree`` read it (read here if not given)."""
    def visit(elem: _Elem, scope) -> None:
        for kid in elem.elements():
            if kid.tag == "/THead":
                visit(kid, _COLUMN)
            elif kid.tag in ("/TBody", "/TFoot"):
                visit(kid, _ROW)
            elif kid.tag == "/TH" and scope is not None:
                if _A not in kid.obj:
                    kid.obj.A = Dictionary(O=Name.Table)
                kid.obj.A.Scope = scope
            elif kid.tag == "/TR":
                visit(kid, scope)
            else:
                visit(kid, None)

    tree = tree or _read_tree(pdf)
    if tree is not None:
        visit(tree, None)


_COLUMN, _ROW = Name("/Column"), Name("/Row")


def group_figures(pdf: pikepdf.Pdf, tree: _Elem | None = None) -> int:
    """An HTML ``<figure>`` becomes /NonStruct, which readers flatten, leaving the /Figure and its
    /Caption unrelated siblings; a /Div groups them (the caption its last child). Returns how many.

    ``tree``: the PDF's tree as ``_read_tree`` read it (read here if not given)."""
    found = 0
    tree = tree or _read_tree(pdf)
    for elem in tree.descendants() if tree is not None else ():
        tags = {k.tag for k in elem.elements()}
        if elem.tag == "/NonStruct" and "/Figure" in tags and "/Caption" in tags:
            elem.obj.S = Name.Div
            elem.tag = "/Div"
            found += 1
    return found


def describe_links(pdf: pikepdf.Pdf, descriptions: dict[str, str]) -> None:
    """Give every link annotation a /Contents that describes its target (Matterhorn 28-012)."""
    for page in pdf.pages:
        for annot in page.obj.get(Name.Annots, Array()):
            if annot.get(Name.Subtype) != Name.Link:
                continue
            action = annot.get(Name.A)
            if action is not None and Name.URI in action:
                target = str(action.URI)
            elif Name.Dest in annot and isinstance(annot.Dest, (String, Name)):
                target = "#" + str(annot.Dest).lstrip("/")
            else:
                target = str(annot.get(Name.Contents, ""))
            text = descriptions.get(target)
            if text is None:
                text = f"Link to {target}"
            annot.Contents = String(text)
