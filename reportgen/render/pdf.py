"""The PDF writer: the HTML page through WeasyPrint as PDF/UA-1, repaired as WeasyPrint writes it.

WeasyPrint tags the PDF (structure tree, /Lang, /Alt from the SVG
``<title>``), but a table that crosses a page break becomes one /Table per
page (Kozea/WeasyPrint#2903) and ``<main>`` one /Part per page. ``fold_structure``
joins those pieces, so each table is one /Table with one /THead and every data
cell still names its column headers.

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

A list set in columns is tagged as one list per column inside the page's list,
and a link that wraps as one /Link per line: ``join_column_lists`` gives the
page's /L its items back, and ``join_split_links`` makes each link one /Link
with an annotation for each of its lines.

The repairs (``repair``) run as ``write_pdf``'s finisher, on WeasyPrint's own PDF
objects before they are written: the file is written once, already repaired, and
never read back.

The output is
byte-identical for the same document: dates come from ``Document.date``
(also as ``SOURCE_DATE_EPOCH`` while WeasyPrint writes, so that fontTools,
its font subsetter where HarfBuzz's is missing, stamps that date into the
fonts rather than the clock), the typeface is the one shipped in
``reportgen/fonts/``, and the file /ID is derived from the content.
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import pydyf

from ..collector import paused as collector_paused
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

    # Dropped before the interpreter tears its modules down: its __del__ removes a temporary folder with
    # shutil.rmtree, which is None by then ("Exception ignored in FontConfiguration.__del__").
    atexit.register(_font_config.cache_clear)
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


def html_to_pdf(html: str, *, base_url: str | None = None, finisher: Callable | None = None) -> bytes:
    """WeasyPrint's PDF/UA-1 output for a page; raises on any logged ERROR.

    ``finisher(document, pdf)`` is given the ``pydyf.PDF`` before it is written (``repair`` does its work
    there); without one the output is WeasyPrint's own, unrepaired."""
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
            pdf = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finisher)
            del document  # its garbage is then all young when the collector is on again, and freed in one pass
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
    descriptions = link_descriptions(doc, "pdf")

    def finisher(document, pdf) -> None:
        repair(pdf, lang=doc.lang, link_descriptions=descriptions)

    with _source_date(doc.date):
        data = html_to_pdf(render_html(doc, for_pdf=True), finisher=finisher)
    return with_file_identifier(data)


def with_file_identifier(data: bytes) -> bytes:
    """The PDF with a file identifier (ISO 32000-1 14.4) derived from its content: the MD5 of the file as
    written, twice, in its trailer dictionary.

    pydyf writes an identifier only by serialising and compressing every object a second time to hash it
    (about 15 CPU ms an 8-page pack, more than the whole repair). The trailer dictionary is the last thing
    in the file and no offset points inside it, so the entry is added there without moving anything an
    offset names."""
    start = data.rindex(b"startxref")
    trailer = data.index(b"<<", int(data[start + 9:].split()[0])) + 2
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().encode("ascii")
    return data[:trailer] + b"/ID [<" + digest + b"> <" + digest + b">]" + data[trailer:]


def repair(pdf, *, lang: str, link_descriptions: dict[str, str] | None = None) -> None:
    """Repair WeasyPrint's structure tree, content and catalogue in ``pdf``, the ``pydyf.PDF`` that
    ``write_pdf`` passes to its finisher before writing it."""
    repeated_headers: list[_Elem] = []
    tree = _read_tree(pdf)  # read once; the repairs below walk it in Python
    fold_structure(pdf, repeated_headers, tree)
    join_column_lists(tree)
    join_split_links(pdf, tree)
    reached = list(tree.descendants()) if tree is not None else []  # the folded tree's elements
    mark_artifacts(pdf, repeated_headers, tree, reached)
    scope_header_cells(tree)
    group_figures(reached)
    describe_links(pdf, link_descriptions or {})
    _blank_unreached(pdf, tree, reached)
    pdf.catalog["Lang"] = pydyf.String(lang)
    preferences = pdf.catalog.get("ViewerPreferences")
    if not isinstance(preferences, pydyf.Dictionary):
        preferences = pdf.catalog["ViewerPreferences"] = pydyf.Dictionary()
    preferences["DisplayDocTitle"] = "true"


# --- structure tree repair -------------------------------------------------
#
# ``repair`` runs as WeasyPrint's finisher: it gets the ``pydyf.PDF`` before it is written, every object
# still a Python object (a dictionary, an array, each page's content stream a list of operators). An
# indirect object is ``pdf.objects[number]``, referred to as ``b"<number> 0 R"``; a name is a ``str``
# ("/Table"). The tree is read once (``_read_tree``) into ``_Elem`` objects and each repair walks those;
# the fold changes the PDF's dictionaries and the ``_Elem`` tree alike, so the later repairs see the
# folded tree. Nothing is parsed or serialised twice: the PDF is written once, repaired.


#: The null object, as pydyf writes a ``bytes`` value: as it is.
_NULL = b"null"


def _number(reference: bytes) -> int:
    """The object number of a reference, ``b"12 0 R"`` -> 12."""
    return int(reference.split(b" ", 1)[0])


def _resolve(pdf, value):
    """The object a reference names, or the value itself if it is not a reference."""
    return pdf.objects[_number(value)] if type(value) is bytes else value


def _text(value) -> str:
    """A PDF string or name as text."""
    if isinstance(value, pydyf.String):
        string = value.string
        return string.decode("latin-1") if isinstance(string, bytes) else str(string)
    return str(value)


class _Elem:
    """A structure element as read once: its dictionary, its reference, its /S (as text, "/Table") and its
    kids in order, each an ``_Elem`` or what the PDF holds there (an MCID, a reference to an object
    reference or a marked-content reference)."""

    __slots__ = ("obj", "number", "ref", "tag", "kids", "_elements")

    def __init__(self, obj, number: int, ref: bytes | None, tag: str | None, kids: list) -> None:
        self.obj, self.number, self.ref, self.tag, self.kids = obj, number, ref, tag, kids
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
        self.obj["K"] = pydyf.Array([k.ref if type(k) is _Elem else k for k in kids])

    def append(self, kid) -> None:
        """Add a kid at the end, in the PDF to the /K array."""
        self.kids.append(kid)
        self._elements = None
        k = self.obj.get("K")
        if not isinstance(k, list):
            k = self.obj["K"] = pydyf.Array([] if k is None else [k])
        k.append(kid.ref if type(kid) is _Elem else kid)


def _kids(obj) -> list:
    k = obj.get("K")
    if k is None:
        return []
    if isinstance(k, list):
        return list(k)
    return [k]


def _read(pdf, number: int, ref: bytes, tag: str | None) -> _Elem:
    obj = pdf.objects[number]
    kids = _kids(obj)
    for i, kid in enumerate(kids):
        if type(kid) is bytes:  # a reference; an MCID is an int
            kid_number = _number(kid)
            target = pdf.objects[kid_number]
            kid_tag = target.get("S") if isinstance(target, dict) else None
            if kid_tag is not None:
                kids[i] = _read(pdf, kid_number, kid, str(kid_tag))
    return _Elem(obj, number, ref, tag, kids)


def _read_tree(pdf) -> _Elem | None:
    """The StructTreeRoot and every element reached from it, or None for an untagged PDF."""
    ref = pdf.catalog.get("StructTreeRoot")
    return None if ref is None else _read(pdf, _number(ref), ref, None)


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
                if "ID" in cell.obj:
                    ids.setdefault(j, []).append(cell.obj["ID"])
    return ids


def _join_table(target: _Elem, fragment: _Elem, repeated_headers: list) -> None:
    """Move the rows of ``fragment`` into the first /TBody of ``target``.

    The fragment's /THead is a repeated copy of the header row: it is left out
    of the tree and added to ``repeated_headers``, to be marked as an artifact.
    """
    repeated_headers.extend(k for k in fragment.elements() if k.tag == "/THead")
    body = next((k for k in target.elements() if k.tag == "/TBody"), None)
    if body is None:
        # Only the caption and header row fitted on the first page: adopt the
        # fragment's first /TBody whole, then move any further rows into it.
        body = next((k for k in fragment.elements() if k.tag == "/TBody"), None)
        if body is None:
            raise ValueError("continuation table has no /TBody")
        body.obj["P"] = target.ref
        target.append(body)
    headers = _column_header_ids(target)
    # the repeated header cells leave the tree: a moved cell names the first header row's cells instead
    dropped = {_text(h) for ids in _column_header_ids(fragment).values() for h in ids}
    for row in _body_rows(fragment):
        if row.obj.get("P") != body.ref:
            row.obj["P"] = body.ref
            body.append(row)
        for j, cell in enumerate(_cells(row)):
            if cell.tag != "/TD" or j not in headers:
                continue
            attrs = cell.obj.get("A")
            if attrs is None:
                attrs = cell.obj["A"] = pydyf.Dictionary({"O": "/Table", "Headers": pydyf.Array()})
            if "Headers" not in attrs:
                attrs["Headers"] = pydyf.Array()
            elif dropped:
                attrs["Headers"] = pydyf.Array(h for h in attrs["Headers"] if _text(h) not in dropped)
            present = {_text(h) for h in attrs["Headers"]}
            for h in headers[j]:
                if _text(h) not in present:
                    attrs["Headers"].append(h)


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
                    grandkid.obj["P"] = previous.ref
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


def _string_bytes(text: str) -> bytes:
    """A text string's bytes as pydyf writes them (ASCII, or UTF-16BE after a byte order mark): the order
    of a name tree's keys."""
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return b"\xfe\xff" + text.encode("utf-16-be")


def _id_tree(root: _Elem, pdf) -> None:
    """Add the /IDTree that ISO 32000-1 14.7.2 requires when elements carry /ID."""
    found: dict[str, bytes | None] = {}
    for elem in root.descendants():
        if "ID" in elem.obj:
            found[_text(elem.obj["ID"])] = elem.ref
    if not found:
        return
    names: list = []
    for key in sorted(found, key=_string_bytes):
        names += (pydyf.String(key), found[key])
    id_tree = pydyf.Dictionary({"Names": pydyf.Array(names)})
    pdf.add_object(id_tree)
    root.obj["IDTree"] = id_tree.reference


def fold_structure(pdf, repeated_headers: list | None = None, tree: _Elem | None = None) -> dict[str, int]:
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


def join_column_lists(tree: _Elem | None) -> int:
    """Make a list set in columns one /L on each page again. Returns how many column lists were joined.

    WeasyPrint tags each column box of a multi-column list as a list of its own, so a page's /L holds
    one /L per column and no /LI: a screen reader would announce a list of two lists. Such an /L (whose
    kids are all /L: a nested HTML list always follows an /LI) takes its column lists' items, in order."""
    if tree is None:
        return 0
    joined = 0
    for elem in list(tree.descendants()):
        columns = elem.elements()
        if elem.tag != "/L" or not columns or len(columns) != len(elem.kids) \
                or any(k.tag != "/L" for k in columns):
            continue
        items: list = []
        for column in columns:
            for kid in column.kids:
                if type(kid) is _Elem:
                    kid.obj["P"] = elem.ref
                items.append(kid)
        elem.set_kids(items)
        joined += len(columns)
    return joined


def _link_targets(pdf, link: _Elem) -> tuple[str, ...]:
    """Where the annotations of a /Link element go ("#name" or the URI), in order; () if it has none."""
    targets = []
    for kid in link.kids:
        if type(kid) is not bytes:
            continue
        objr = _resolve(pdf, kid)
        if not isinstance(objr, dict) or objr.get("Type") != "/OBJR":
            continue
        annot = _resolve(pdf, objr["Obj"])
        action = _resolve(pdf, annot.get("A"))
        if isinstance(action, dict) and "URI" in action:
            targets.append(_text(action["URI"]))
        else:
            targets.append("#" + _text(annot.get("Dest", "")).lstrip("/"))
    return tuple(targets)


def _parent_tree(pdf, tree: _Elem) -> tuple[list, dict[int, int], dict[bytes, list]]:
    """The ParentTree's /Nums array, the index in it of each key's value, and each page's array of
    marked-content entries (MCID -> structure element), by page reference."""
    nums = _resolve(pdf, tree.obj["ParentTree"]).get("Nums", [])
    value_at = {int(nums[i]): i + 1 for i in range(0, len(nums), 2)}
    page_entries: dict[bytes, list] = {}
    for ref, page in _pages(pdf):
        key = page.get("StructParents")
        entries = _resolve(pdf, nums[value_at[int(key)]]) if key is not None and int(key) in value_at else None
        if isinstance(entries, list):
            page_entries[ref] = entries
    return nums, value_at, page_entries


def join_split_links(pdf, tree: _Elem | None) -> int:
    """Make each link that wraps onto more lines one /Link element. Returns how many pieces were joined.

    WeasyPrint makes a /Link element, with its own annotation, for each line a link's text is set on, so a
    screen reader announces a wrapped link as two links. A /Link element may hold several annotations
    where the geometry of its text needs them (ISO 32000-1, 14.8.4.4.2): a /Link that directly follows
    another in the same parent, on the same page, with annotations to the same place, moves its kids
    (annotations and marked content) into that one, and the ParentTree names that one for them."""
    if tree is None:
        return 0
    nums: list = []
    value_at: dict[int, int] = {}  # ParentTree key -> index of its value in /Nums
    page_entries: dict[bytes, list] = {}  # page reference -> its ParentTree array (MCID -> element)
    joined = 0
    for elem in [tree, *tree.descendants()]:
        kids = elem.kids
        if sum(1 for k in kids if type(k) is _Elem and k.tag == "/Link") < 2:
            continue
        if not value_at:  # read the ParentTree once, when there may be something to join
            nums, value_at, page_entries = _parent_tree(pdf, tree)
        kept: list = []
        for kid in kids:
            previous = kept[-1] if kept and type(kept[-1]) is _Elem else None
            if (previous is None or previous.tag != "/Link" or _tag(kid) != "/Link"
                    or previous.obj.get("Pg") != kid.obj.get("Pg")
                    or not (targets := _link_targets(pdf, kid))
                    or set(targets) != set(_link_targets(pdf, previous))):
                kept.append(kid)
                continue
            entries = page_entries.get(kid.obj.get("Pg"), [])
            for grandkid in kid.kids:
                if type(grandkid) is int:
                    if grandkid < len(entries):
                        entries[grandkid] = previous.ref
                elif type(grandkid) is _Elem:
                    grandkid.obj["P"] = previous.ref
                else:
                    item = _resolve(pdf, grandkid)
                    if isinstance(item, dict) and item.get("Type") == "/OBJR":
                        key = _resolve(pdf, item["Obj"]).get("StructParent")
                        if key is not None and int(key) in value_at:
                            nums[value_at[int(key)]] = previous.ref
                    elif isinstance(item, dict) and item.get("Type") == "/MCR":
                        mcr_entries = page_entries.get(item.get("Pg", kid.obj.get("Pg")), [])
                        if int(item["MCID"]) < len(mcr_entries):
                            mcr_entries[int(item["MCID"])] = previous.ref
                previous.append(grandkid)
            joined += 1
        if len(kept) != len(kids):
            elem.set_kids(kept)
    return joined


# --- artifacts: repeated header rows and page numbers ---------------------------

def _marked_content(pdf, elem: _Elem, page: bytes | None = None) -> Iterator[tuple[bytes | None, int]]:
    """Yield ``(page reference, MCID)`` for every marked-content reference under ``elem``."""
    page = elem.obj.get("Pg", page)
    for kid in elem.kids:
        if type(kid) is int:
            yield page, kid
        elif type(kid) is _Elem:
            yield from _marked_content(pdf, kid, page)
        else:
            target = _resolve(pdf, kid)
            if isinstance(target, dict) and target.get("Type") == "/MCR":
                yield target.get("Pg", page), int(target["MCID"])


def _pages(pdf) -> Iterator[tuple[bytes, pydyf.Dictionary]]:
    """Each page's reference and dictionary, in order."""
    for number in pdf.pages["Kids"][::3]:
        yield f"{number} 0 R".encode("ascii"), pdf.objects[number]


#: What a marked-content sequence becomes: a repeated header row an artifact, a page number (or other
#: margin-box content) a pagination artifact.
_REPEATED, _PAGINATION = b"/Artifact BMC", b"/Artifact <</Type /Pagination>> BDC"


def _rewrite_marked_content(stream, repeated: set[int], pagination: set[int]) -> int:
    """Turn the MCID sequences in ``repeated`` into ``/Artifact BMC`` and those in ``pagination``
    into ``/Artifact <</Type /Pagination>> BDC`` in a page's content stream. Returns how many.

    WeasyPrint opens a structure element's marked-content sequence with three operands in the stream's
    list: the tag ("/Span"), a property list dictionary with only an /MCID, and ``BDC``; the three
    become one."""
    if not repeated and not pagination:
        return 0
    items = stream.stream
    kept: list = []
    start = changed = 0
    dictionary = pydyf.Dictionary
    for i in [i for i, kind in enumerate(map(type, items)) if kind is dictionary]:
        item = items[i]
        mcid = item.get("MCID")
        if mcid in repeated:
            replacement = _REPEATED
        elif mcid in pagination:
            replacement = _PAGINATION
        else:
            continue
        if i == 0 or len(item) != 1 or i + 1 == len(items) or items[i + 1] != b"BDC" \
                or not isinstance(items[i - 1], str) or not items[i - 1].startswith("/"):
            continue
        kept += items[start:i - 1]
        kept.append(replacement)
        start = i + 2
        changed += 1
    if changed:
        kept += items[start:]
        stream.stream = kept
    return changed


def mark_artifacts(pdf, repeated_headers: list[_Elem], tree: _Elem | None = None,
                   reached: list[_Elem] | None = None) -> dict[str, int]:
    """Mark repeated header rows and untreed content (page numbers) as artifacts.

    A marked sequence whose ParentTree element is not reached from the
    StructTreeRoot is either a repeated header row (``repeated_headers``) or
    margin-box content: it becomes an artifact and its ParentTree entry null.
    ``tree``: the PDF's tree as ``_read_tree`` read it (read here if not given); ``reached``: its elements.
    """
    counts = {"repeated header": 0, "pagination": 0}
    tree = tree or _read_tree(pdf)
    if tree is None:
        return counts
    repeated: dict[bytes | None, set[int]] = {}
    for head in repeated_headers:
        for page, mcid in _marked_content(pdf, head):
            repeated.setdefault(page, set()).add(mcid)
    reachable = {elem.ref for elem in (tree.descendants() if reached is None else reached)}
    page_entries = _parent_tree(pdf, tree)[2]
    for ref, page in _pages(pdf):
        entries = page_entries.get(ref)
        if entries is None:
            continue
        mine = repeated.get(ref, set())
        orphans = set()
        for mcid, elem in enumerate(entries):
            if type(elem) is bytes and elem not in reachable:
                entries[mcid] = _NULL
                if mcid not in mine:
                    orphans.add(mcid)
        contents = page.get("Contents")
        for stream in (contents if isinstance(contents, list) else [contents]):
            _rewrite_marked_content(_resolve(pdf, stream), mine, orphans)
        counts["repeated header"] += len(mine)
        counts["pagination"] += len(orphans)
    return counts


def _blank_unreached(pdf, tree: _Elem | None, reached: list[_Elem]) -> None:
    """Empty the structure elements the repairs left out of the tree (repeated header rows, the table and
    /Part fragments folded into others, margin-box content), so that the file holds no structure element
    that is not in its tree. Any the ParentTree still names (an annotation's parent) is kept."""
    if tree is None:
        return
    kept = {elem.number for elem in reached}
    refs = {elem.ref for elem in reached}
    for value in _resolve(pdf, tree.obj["ParentTree"]).get("Nums", ())[1::2]:
        for ref in (value if isinstance(value, list) else [value]):
            if type(ref) is bytes and ref != _NULL and ref not in refs:
                kept.add(_number(ref))
    for obj in pdf.objects:
        if type(obj) is pydyf.Dictionary and obj.number not in kept and obj.get("Type") == "/StructElem":
            obj.clear()


# --- table header scope and link descriptions ------------------------------------

def scope_header_cells(tree: _Elem | None) -> None:
    """/Scope /Column on header-row cells and /Scope /Row on row headers (the HTML's scope)."""
    def visit(elem: _Elem, scope) -> None:
        for kid in elem.elements():
            if kid.tag == "/THead":
                visit(kid, "/Column")
            elif kid.tag in ("/TBody", "/TFoot"):
                visit(kid, "/Row")
            elif kid.tag == "/TH" and scope is not None:
                attrs = kid.obj.get("A")
                if attrs is None:
                    attrs = kid.obj["A"] = pydyf.Dictionary({"O": "/Table"})
                attrs["Scope"] = scope
            elif kid.tag == "/TR":
                visit(kid, scope)
            else:
                visit(kid, None)

    if tree is not None:
        visit(tree, None)


def group_figures(elements: Iterable[_Elem]) -> int:
    """An HTML ``<figure>`` becomes /NonStruct, which readers flatten, leaving the /Figure and its
    /Caption unrelated siblings; a /Div groups them (the caption its last child). Returns how many.

    ``elements``: the structure tree's elements."""
    found = 0
    for elem in elements:
        if elem.tag != "/NonStruct":
            continue
        tags = {k.tag for k in elem.elements()}
        if "/Figure" in tags and "/Caption" in tags:
            elem.obj["S"] = "/Div"
            elem.tag = "/Div"
            found += 1
    return found


def describe_links(pdf, descriptions: dict[str, str]) -> None:
    """Give every link annotation a /Contents that describes its target (Matterhorn 28-012)."""
    for _, page in _pages(pdf):
        for ref in _resolve(pdf, page.get("Annots", ())):
            annot = _resolve(pdf, ref)
            if annot.get("Subtype") != "/Link":
                continue
            action = _resolve(pdf, annot.get("A"))
            dest = annot.get("Dest")
            if isinstance(action, dict) and "URI" in action:
                target = _text(action["URI"])
            elif isinstance(dest, (pydyf.String, str)):
                target = "#" + _text(dest).lstrip("/")
            else:
                target = _text(annot.get("Contents", ""))
            text = descriptions.get(target)
            if text is None:
                text = f"Link to {target}"
            annot["Contents"] = pydyf.String(text)
