"""The document model: what every writer walks.

A handful of frozen dataclasses. This is the single place where the structure
that assistive technology relies on is decided: headings and their levels,
tables with captions, column headers and row headers, figures with alt text
and the data behind them. The content stage builds these; the writers in
``reportgen.render`` only walk them and never decide content.

Heading levels are not stored: a ``Section`` nested inside another is one
level deeper, and the document title is level 1, so no writer can skip a level.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

NO_DATA = "no data"
NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Run:
    """A piece of inline text. ``href`` makes it a link; ``strong`` bold. An ``optional`` link is
    left out, text and all, where it cannot be followed (a PDF or Word file built without the
    site's address), instead of being named in words."""

    text: str
    strong: bool = False
    href: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]

    @staticmethod
    def of(*parts: str | Run) -> Paragraph:
        return Paragraph(tuple(p if isinstance(p, Run) else Run(p) for p in parts))

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class BulletList:
    """A list, one paragraph an item. ``terms`` makes it a list of definitions: each item's first run is the
    term (bold, ending in a colon) and the rest its definition. The web page writes it as a ``<dl>`` (so the
    PDF's list has an item for each term and for each definition); Word, which has no definition list, as a
    bulleted list with each term in bold."""

    items: tuple[Paragraph, ...]
    ordered: bool = False
    terms: bool = False

    def __post_init__(self) -> None:
        if self.terms:
            for item in self.items:
                runs = [r for r in item.runs if r.text]
                if not (len(runs) > 1 and runs[0].strong and runs[0].text.rstrip().endswith(":")):
                    raise ValueError(f"definition {item.text!r} does not start with its term in bold and a colon")

    def definitions(self) -> tuple[tuple[str, tuple[Run, ...]], ...]:
        """``(term, runs of its definition)`` for each item of a list of terms."""
        out = []
        for item in self.items:
            first, *rest = [r for r in item.runs if r.text]
            if rest and not rest[0].href:  # the definition starts as a sentence of its own: "The body that…"
                text = rest[0].text.lstrip()
                rest[0] = Run(text[:1].upper() + text[1:], rest[0].strong, rest[0].href, rest[0].optional)
            out.append((first.text.rstrip().removesuffix(":"), tuple(r for r in rest if r.text)))
        return tuple(out)


@dataclass(frozen=True)
class Table:
    """A data table.

    ``columns`` are the column header texts, the first being the header of the
    row-header column. Each row is ``(row_header, cells...)``: ``rows[i][0]`` is
    the row header (for example a trust name) and the rest are data cells, all
    already formatted as text. No cell is ever empty: content writes
    ``NO_DATA`` or ``NOT_APPLICABLE``. ``numeric`` flags, per column, which
    columns hold numbers (writers right-align them). No merged cells exist.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    id: str = ""
    row_ids: tuple[str, ...] = ()  # optional anchors, one per row, so other blocks can link to a row

    def __post_init__(self) -> None:
        width = len(self.columns)
        if self.row_ids and len(self.row_ids) != len(self.rows):
            raise ValueError(f"table {self.caption!r}: {len(self.row_ids)} row ids for {len(self.rows)} rows")
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"table {self.caption!r}: row {row!r} has {len(row)} cells, expected {width}")
            if any(cell.strip() == "" for cell in row):
                raise ValueError(f"table {self.caption!r}: row {row[0]!r} has an empty cell")
        if self.numeric and len(self.numeric) != width:
            raise ValueError(f"table {self.caption!r}: numeric flags do not match the columns")


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart. ``highlight`` marks the bar the chart is about."""

    label: str
    value: float
    highlight: bool = False


@dataclass(frozen=True)
class BarChart:
    """A chart specification; writers draw it (SVG for HTML/PDF, PNG for Word).

    ``horizontal`` bars read left to right. ``reference_lines`` are labelled
    vertical/horizontal lines at a value (for example segment cut-offs or peer
    quartiles). ``value_min``/``value_max`` fix the axis range.
    """

    bars: tuple[Bar, ...]
    value_label: str
    category_label: str
    value_min: float = 0.0
    value_max: float | None = None
    horizontal: bool = True
    show_category_labels: bool = True
    reference_lines: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class DotRow:
    """One row of a dot plot: a trust's value against its peers' middle half and median.

    ``value`` None means the trust has no value for the row ("no data").
    ``note`` is shown to the right of the plot (for example the value and rank).
    """

    label: str
    value: float | None
    lower: float | None = None   # peer lower quartile (left end of the band)
    median: float | None = None  # peer median (the tick)
    upper: float | None = None   # peer upper quartile (right end of the band)
    note: str = ""


@dataclass(frozen=True)
class DotPlot:
    """One row per category: a band for the peers' middle half, a tick for
    their median and a labelled dot for the trust, on one shared axis.

    ``lower_is_better`` puts "better" at the low end of the axis (scores run
    from 1, best, to 4, worst); the axis is marked "better" and "worse".
    ``key`` is a line under the plot saying what dot, band and tick are.
    """

    rows: tuple[DotRow, ...]
    value_label: str
    value_min: float = 1.0
    value_max: float = 4.0
    lower_is_better: bool = True
    key: str = ""


@dataclass(frozen=True)
class StripPoint:
    """One trust in a caterpillar chart: its value and, where known, its likely range."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    highlight: bool = False


@dataclass(frozen=True)
class Cutoff:
    """A segment boundary on a caterpillar chart.

    A known cut-off has ``low == high``. When only the highest value in the
    better segment and the lowest in the worse one are known, the boundary
    lies somewhere between them and is drawn as a narrow zone.
    """

    low: float
    high: float
    label: str = ""


@dataclass(frozen=True)
class Caterpillar:
    """Every trust of a type in rank order, each as a dot at its value with its
    likely range as a line where known; segment cut-offs as dashed lines with
    the segments named beside the plot. With ``show_labels`` it is a list, best
    at the top; without, a strip, best on the left (``best_where`` says which).

    ``segments`` name the spaces between the cut-offs (one more than the
    cut-offs). ``highlight_label`` is the text (one entry a line) written beside
    the highlighted trust. ``show_labels`` writes every trust's label on the
    left (for short tables only).
    """

    points: tuple[StripPoint, ...]
    value_label: str
    value_min: float = 1.0
    value_max: float = 4.0
    lower_is_better: bool = True
    cutoffs: tuple[Cutoff, ...] = ()
    segments: tuple[str, ...] = ()
    highlight_label: tuple[str, ...] = ()
    show_labels: bool = False
    key: str = ""

    @property
    def best_where(self) -> str:
        """Where the best trust is drawn, in words for a key or alt text."""
        return "at the top" if self.show_labels else "on the left"

Chart: TypeAlias = BarChart | DotPlot | Caterpillar


@dataclass(frozen=True)
class Figure:
    """A chart with its alt text (states the message) and its data as a table.

    ``data`` None means the figure's data are in another table of the document
    (for example the league table), which the caption must name: no table is
    shown twice."""

    chart: Chart
    alt: str
    caption: str
    data: Table | None = None
    id: str = ""


@dataclass(frozen=True)
class Note:
    """A callout box, for example "fictional example data" or a caveat."""

    title: str
    blocks: tuple[Block, ...]
    kind: str = "info"  # "info" or "warning"


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    id: str = ""


Block: TypeAlias = Paragraph | BulletList | Table | Figure | Note | Section


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Document:
    """A whole document. ``title`` is its level-1 heading and metadata title."""

    title: str
    blocks: tuple[Block, ...]
    subtitle: str = ""
    author: str = "reportgen"
    subject: str = ""
    keywords: tuple[str, ...] = ()
    lang: str = "en-GB"
    slug: str = "document"
    date: str = ""  # ISO date the data were published or built for; not the wall clock
    related: tuple[Link, ...] = field(default=())  # links shown at the top (for example other formats)
    path: str = ""  # where the build writes it, from the site root, without extension ("2025-26-q4/trusts/X5101")
    site_url: str = ""  # the site's address (--site-url); PDF and Word links between documents need it


def walk(blocks: tuple[Block, ...], depth: int = 2):
    """Yield ``(block, heading_depth)`` for every block, depth first.

    ``depth`` is the heading level a Section at this level would take.
    """
    for block in blocks:
        yield block, depth
        if isinstance(block, Section):
            yield from walk(block.blocks, depth + 1)
        elif isinstance(block, Note):
            yield from walk(block.blocks, depth)
