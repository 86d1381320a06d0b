"""The spreadsheet as OpenDocument (ODS), in plain Python, so the build needs no office suite.

odfpy (the library pandas uses for ODS) took about 9 seconds for the 61 mental
health and community trusts alone, as it builds and checks an object for every
cell; a full quarter has some 100,000 cells. So the few XML parts of the
package are written here with the standard library's escaping, and the tests
read the result back with odfpy (through pandas) and with LibreOffice.

The layout is the XLSX one: a cover, then one table per sheet with its title
in A1, a line saying what the sheet holds, one header row, and the table
declared as a database range (ODS's way of marking a range as a table with a
header row). Numbers are stored as numbers with a number style; text is
stored as text, never as a formula. The file is the same on every build: its
metadata carry the quarter's end as their date and every part of the zip is
dated 1 January 1980.
"""
from __future__ import annotations

import io
import numbers
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

import reportgen

from .spreadsheet import COVER, INSTRUCTIONS, Sheet, Workbook

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
COVER_HEADINGS = ("Introductory information", "About these data", "Contact")
CM_PER_CHARACTER = 0.22

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_XMLNS = " ".join(f"xmlns:{k}={quoteattr(v)}" for k, v in _NS.items())
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 does not allow; data holding one still writes a valid file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


class _Styles:
    """Automatic styles, named in the order first used."""

    def __init__(self) -> None:
        self.xml: list[str] = [
            '<style:style style:name="title" style:family="table-cell">'
            '<style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>',
            '<style:style style:name="subtitle" style:family="table-cell">'
            '<style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>',
            '<style:style style:name="header" style:family="table-cell">'
            '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/>'
            '<style:text-properties fo:font-weight="bold"/></style:style>',
            '<style:style style:name="wrap" style:family="table-cell">'
            '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style>',
        ]
        self.numbers: dict[str, str] = {}
        self.columns: dict[str, str] = {}

    def number(self, fmt: str) -> str:
        """The cell style showing ``fmt`` ("0" or "0.00")."""
        if fmt not in self.numbers:
            decimals = len(fmt.split(".")[1]) if "." in fmt else 0
            n = len(self.numbers) + 1
            self.xml.append(
                f'<number:number-style style:name="N{n}"><number:number number:decimal-places="{decimals}" '
                f'number:min-decimal-places="{decimals}" number:min-integer-digits="1"/></number:number-style>'
                f'<style:style style:name="num{n}" style:family="table-cell" style:data-style-name="N{n}">'
                f'<style:paragraph-properties fo:text-align="end"/></style:style>')
            self.numbers[fmt] = f"num{n}"
        return self.numbers[fmt]

    def column(self, width_cm: float) -> str:
        width = f"{width_cm:.1f}cm"
        if width not in self.columns:
            name = f"co{len(self.columns) + 1}"
            self.xml.append(f'<style:style style:name="{name}" style:family="table-column">'
                            f'<style:table-column-properties style:column-width="{width}"/></style:style>')
            self.columns[width] = name
        return self.columns[width]


def _text_cell(text: str, style: str | None = None, href: str | None = None) -> str:
    st = f' table:style-name="{style}"' if style else ""
    body = (f'<text:a xlink:type="simple" xlink:href={_attr(href)}>{_text(text)}</text:a>' if href
            else _text(text))
    return f'<table:table-cell office:value-type="string"{st}><text:p>{body}</text:p></table:table-cell>'


def _number_cell(value: float, fmt: str | None, style: str | None) -> str:
    v = float(value)
    stored = repr(int(v)) if v.is_integer() else repr(v)
    shown = f"{v:.{len(fmt.split('.')[1])}f}" if fmt and "." in fmt else (f"{v:.0f}" if fmt else stored)
    st = f' table:style-name="{style}"' if style else ""
    return (f'<table:table-cell office:value-type="float" office:value="{stored}"{st}>'
            f'<text:p>{shown}</text:p></table:table-cell>')


def _row(*cells: str) -> str:
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


def _width_cm(values) -> float:
    """A column width that fits its longest text, within limits."""
    longest = max((len(str(v)) for v in values), default=8)
    return min(max(longest, 6), 60) * CM_PER_CHARACTER + 0.4


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet(sheet: Sheet, styles: _Styles) -> tuple[str, str]:
    """The sheet's table and its database range."""
    frame = sheet.frame
    out = [f"<table:table table:name={_attr(sheet.name)}>"]
    for col in frame.columns:
        style = styles.column(_width_cm([col, *frame[col].tolist()]))
        out.append(f'<table:table-column table:style-name="{style}"/>')
    out.append(_row(_text_cell(sheet.title, "title")))
    out += [_row(_text_cell(line)) for line in sheet.subtitles]
    out.append(_row(_text_cell(INSTRUCTIONS)))
    first = 1 + len(sheet.subtitles) + 1  # 0-based index of the header row
    out.append(_row(*(_text_cell(str(col), "header") for col in frame.columns)))
    kinds: list[tuple[str | None, str | None, bool]] = []
    for col in frame.columns:
        given = sheet.formats.get(col)
        kinds.append((given, styles.number(given) if given else None, col in sheet.links))
    texts: dict[str, str] = {}  # a plain text cell's XML, made once for each text (names, shorthand repeat)
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for (fmt, number_style, link), value in zip(kinds, values):
            kind = type(value)
            if kind is float or kind is int or (
                    kind is not str and isinstance(value, numbers.Real) and not isinstance(value, bool)):
                cells.append(_number_cell(float(value), fmt, number_style))
            elif link:
                cells.append(_text_cell(str(value), href=f"#{_quoted(str(value))}.A1"))
            else:
                text = str(value)
                cell = texts.get(text)
                if cell is None:
                    cell = texts[text] = _text_cell(text)
                cells.append(cell)
        out.append(_row(*cells))
    out.append("</table:table>")
    last = first + len(frame)
    end = column_letters(len(frame.columns) - 1)
    target = f"{_quoted(sheet.name)}.A{first + 1}:{_quoted(sheet.name)}.{end}{last + 1}"
    rng = (f"<table:database-range table:name={_attr(sheet.table_name)} table:target-range-address={_attr(target)} "
           f'table:contains-header="true" table:display-filter-buttons="false"/>')
    return "".join(out), rng


def _cover(book: Workbook, styles: _Styles) -> str:
    out = [f"<table:table table:name={_attr(COVER)}>",
           f'<table:table-column table:style-name="{styles.column(22.0)}"/>',
           _row(_text_cell(book.title, "title"))]
    for heading, lines in zip(COVER_HEADINGS, (book.intro, book.about, book.contact)):
        out.append(_row(_text_cell(heading, "subtitle")))
        out += [_row(_text_cell(line, "wrap")) for line in lines]
    out.append("</table:table>")
    return "".join(out)


def _content(book: Workbook) -> str:
    styles = _Styles()
    tables = [_cover(book, styles)]
    ranges = []
    for sheet in book.sheets:
        table, rng = _sheet(sheet, styles)
        tables.append(table)
        ranges.append(rng)
    return (f'{_HEAD}<office:document-content {_XMLNS} office:version="1.3">'
            f'<office:automatic-styles>{"".join(styles.xml)}</office:automatic-styles>'
            f'<office:body><office:spreadsheet>{"".join(tables)}'
            f'<table:database-ranges>{"".join(ranges)}</table:database-ranges>'
            f"</office:spreadsheet></office:body></office:document-content>")


def _meta(book: Workbook) -> str:
    created = book.created.strftime("%Y-%m-%dT%H:%M:%S")
    keywords = "".join(f"<meta:keyword>{_text(k)}</meta:keyword>" for k in book.keywords)
    return (f'{_HEAD}<office:document-meta {_XMLNS} office:version="1.3"><office:meta>'
            f"<meta:generator>reportgen {_text(reportgen.__version__)}</meta:generator>"
            f"<dc:title>{_text(book.title)}</dc:title><dc:subject>{_text(book.subject)}</dc:subject>{keywords}"
            f"<dc:language>en-GB</dc:language>"
            f"<meta:creation-date>{created}</meta:creation-date><dc:date>{created}</dc:date>"
            f"</office:meta></office:document-meta>")


def _styles_part() -> str:
    return (f'{_HEAD}<office:document-styles {_XMLNS} office:version="1.3"><office:styles>'
            '<style:default-style style:family="table-cell">'
            '<style:text-properties style:font-name="Arial" fo:font-size="12pt"/></style:default-style>'
            "</office:styles></office:document-styles>")


def _manifest() -> str:
    m = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    entries = "".join(f'<manifest:file-entry manifest:full-path="{p}" manifest:media-type="text/xml"/>'
                      for p in ("content.xml", "styles.xml", "meta.xml"))
    return (f'{_HEAD}<manifest:manifest xmlns:manifest="{m}" manifest:version="1.3">'
            f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MIMETYPE}"/>'
            f"{entries}</manifest:manifest>")


def write_ods(book: Workbook) -> bytes:
    parts = [("mimetype", MIMETYPE), ("content.xml", _content(book)), ("styles.xml", _styles_part()),
             ("meta.xml", _meta(book)), ("META-INF/manifest.xml", _manifest())]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
