"""The HTML writer: one self-contained, accessible page per document.

A walk over the document model that hands each block to its Jinja macro
(``templates/blocks.html.j2``, one macro per block type). Python only works
out what the templates cannot: heading levels (from nesting depth), unique
ids, and the chart SVG. The same HTML, with ``for_pdf=True``, is what
WeasyPrint turns into the PDF.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

import reportgen

from .. import fonts
from ..model import BulletList, Chart, Document, Figure, Note, Paragraph, Section, Table
from ..resources import templates_dir
from . import palette, svg
from .columns import print_widths
from .links import resolve
from .svg import chart_svg as _chart_svg

MAX_HEADING_LEVEL = 6
SCREEN_FONT_FAMILY = 'Arial, "Liberation Sans", Helvetica, sans-serif'
#: Print: the typeface shipped in reportgen/fonts/ (declared by @font-face), and only that.
PDF_FONT_FAMILY = fonts.SHIPPED_FAMILY


@dataclass
class Node:
    """A block with what the templates need to render it."""

    kind: str                  # paragraph | list | table | figure | note | section
    block: Any
    level: int = 0             # heading level of a section
    id: str = ""               # element id (sections: the heading's id)
    caption_id: str = ""       # tables
    classes: str = ""          # tables: "short" (keep on one page), "wide" (landscape print pages);
    #                            sections: "wide" when their first block is a wide table (the heading goes with it)
    widths: tuple[float, ...] = ()  # tables: each column's printed width, per cent (``columns.print_widths``)
    svg: Markup = Markup("")   # figures: the chart
    data: Node | None = None  # figures: their data table
    row_ids: list[str] = field(default_factory=list)  # tables: an id for each row, where rows are linked to
    children: list[Node] = field(default_factory=list)


#: A run of letters this long (no real word is) gets invisible break opportunities, so that a name from the data
#: made of one enormous word wraps in a table cell instead of running off the page.
LONG_WORD = 60
_LONG_WORD = re.compile(rf"[^\W\d_]{{{LONG_WORD},}}")


def break_long_words(value):
    """Every text value the templates print: a zero-width space every 10 letters of an over-long word."""
    if isinstance(value, str) and not isinstance(value, Markup) and _LONG_WORD.search(value):
        return _LONG_WORD.sub(lambda m: "\u200b".join(m.group(0)[i:i + 10] for i in range(0, len(m.group(0)), 10)),
                              value)
    return value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one strict, autoescaping Jinja environment (built once per process)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=break_long_words,
    )
    env.globals["colour"] = palette.COLOURS
    return env


@lru_cache(maxsize=2)
def stylesheet(for_pdf: bool) -> str:
    """The page's CSS, with colours from the palette (rendered once per process)."""
    if for_pdf:  # the shipped typeface, by file, whatever the system has
        font_faces, font_family = fonts.font_face_css(), PDF_FONT_FAMILY
    else:
        font_faces, font_family = "", SCREEN_FONT_FAMILY
    return environment().get_template("style.css.j2").render(
        c=palette.COLOURS, for_pdf=for_pdf, font_faces=Markup(font_faces), font_family=Markup(font_family))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "section"


class _Ids:
    """Hands out ids, each once per page."""

    def __init__(self) -> None:
        self.used: set[str] = {"main"}
        self.counts: dict[str, int] = {}

    def take(self, wanted: str) -> str:
        wanted = re.sub(r"\s+", "-", wanted.strip()) or "id"
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}-{n}"
        self.used.add(candidate)
        return candidate

    def next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.take(f"{kind}-{self.counts[kind]}")


#: Tables with up to this many rows are kept on one printed page.
SHORT_TABLE_ROWS = 15
#: Estimated narrowest width of a table, in characters, beyond which it prints on landscape pages.
WIDE_TABLE_CHARS = 80


def min_table_chars(table: Table) -> int:
    """A rough narrowest width in characters: numbers do not wrap, text wraps at spaces."""
    numeric = table.numeric or (False,) * len(table.columns)
    total = 0
    for j, column in enumerate(table.columns):
        cells = [row[j] for row in table.rows]
        words = [w for text in [column, *(cells if not numeric[j] else [])] for w in text.split()]
        widest = max([len(w) for w in words] + ([len(c) for c in cells] if numeric[j] else []) + [1])
        total += widest + 3  # padding
    return total


def _table_classes(table: Table) -> str:
    classes = []
    if len(table.rows) <= SHORT_TABLE_ROWS:
        classes.append("short")
    if min_table_chars(table) > WIDE_TABLE_CHARS:
        classes.append("wide")
    return " ".join(classes)


def _table_node(table: Table, ids: _Ids, fallback: str | None = None) -> Node:
    table_id = ids.take(table.id) if table.id else (ids.take(fallback) if fallback else ids.next("table"))
    classes = _table_classes(table)
    return Node("table", table, id=table_id, caption_id=ids.take(f"{table_id}-caption"),
                classes=classes, widths=print_widths(table, "wide" in classes.split()),
                row_ids=[ids.take(r) for r in table.row_ids])


def _nodes(blocks, depth: int, ids: _Ids) -> list[Node]:
    nodes = []
    for block in blocks:
        if isinstance(block, Section):
            if depth > MAX_HEADING_LEVEL:
                raise ValueError(f"section {block.heading!r} would need heading level {depth}; "
                                 f"HTML has only {MAX_HEADING_LEVEL}")
            node = Node("section", block, level=depth,
                        id=ids.take(block.id or _slug(block.heading)))
            node.children = _nodes(block.blocks, depth + 1, ids)
            first = node.children[0] if node.children else None
            if first is not None and first.kind in ("table", "section") and "wide" in first.classes.split():
                node.classes = "wide"
        elif isinstance(block, Paragraph):
            node = Node("paragraph", block)
        elif isinstance(block, BulletList):
            node = Node("list", block)
        elif isinstance(block, Table):
            node = _table_node(block, ids)
        elif isinstance(block, Figure):
            fig_id = ids.take(block.id) if block.id else ids.next("figure")
            node = Node("figure", block, id=fig_id,
                        svg=Markup(_figure_svg(block.chart, block.alt, f"{fig_id}-chart")))
            node.data = (_table_node(block.data, ids, fallback=f"{fig_id}-data" if not block.data.id else None)
                         if block.data is not None else None)
        elif isinstance(block, Note):
            if block.kind not in ("info", "warning"):
                raise ValueError(f"note {block.title!r}: unknown kind {block.kind!r}")
            node = Node("note", block)
            node.children = _nodes(block.blocks, depth, ids)
        else:
            raise TypeError(f"cannot render block of type {type(block).__name__}")
        nodes.append(node)
    return nodes


def render_html(doc: Document, *, for_pdf: bool = False) -> str:
    """The document as one self-contained HTML page.

    ``for_pdf`` drops what only makes sense on screen (the skip link, the
    scrollable table regions) and flattens sections, so that WeasyPrint's
    structure tree stays simple; the print stylesheet is always included.
    """
    ids = _Ids()
    nodes = _nodes(doc.blocks, 2, ids)
    fmt = "pdf" if for_pdf else "html"
    page = environment().get_template("document.html.j2").render(
        doc=doc,
        resolve_link=lambda href, text: resolve(doc, fmt, href, text),
        nodes=nodes,
        for_pdf=for_pdf,
        css=Markup(stylesheet(for_pdf)),
        generator=f"reportgen {reportgen.__version__}",
        keywords=", ".join(doc.keywords),
    )
    if for_pdf:  # the charts too in the shipped typeface (the screen's SVG names system fonts)
        page = fonts.use_shipped_family(page, svg.FONT_FAMILY)
    return page


@lru_cache(maxsize=16)
def _figure_svg(chart: Chart, title: str, id_prefix: str) -> str:
    """A figure's SVG, drawn once for a document's web page and its PDF (a pack's few latest charts are kept)."""
    return _chart_svg(chart, title=title, id_prefix=id_prefix)


def chart_svg(chart: Chart, alt: str, id_prefix: str = "chart") -> str:
    """One chart's SVG, as the HTML writer inlines it (for tests and previews)."""
    return _chart_svg(chart, title=alt, id_prefix=id_prefix)
