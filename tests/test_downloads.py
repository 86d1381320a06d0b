"""Data downloads: the CSV files, their data dictionary, and the XLSX and ODS spreadsheets.

Built from the real mental health and community file (Q4 2025/26) and read back
with openpyxl (XLSX), with odfpy through pandas and by parsing content.xml (ODS),
and with Python's csv module. The spreadsheet's league table is compared with the
league CSV, the national document's table and NHS England's published league table.
"""
from __future__ import annotations

import csv
import io
import math
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree

from reportgen.config import Config
from reportgen.content import national, pack
from reportgen.downloads import DATA_DIR, listing, trust_csv, write_downloads
from reportgen.downloads import columns as C
from reportgen.downloads.spreadsheet import CONTENTS, COVER, NOTES, short_name
from reportgen.league import COLUMNS as LEAGUE_COLUMNS
from reportgen.load import load
from reportgen.release import build, make_context
from tests import checkers
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

QUARTER = "Q4 2025/26"
MH = "Mental health and community trust"
LEAGUE_SHEET = f"League_{short_name(MH)}"
SHORTHAND = {C.NOT_AVAILABLE, C.NOT_APPLICABLE}
NUMERIC_HEADERS = {"League": ("Average score", "Segment", "Rank"), "Domains": ("Domain score", "Rank"),
                   "Metrics": ("Trusts reporting",), "Comparison": ("Match", "Rounding", "Mismatch")}
HOSTILE = {
    "=HYPERLINK(\"http://example.com\",\"Click\")": "formula",
    "+1+2 Trust": "plus",
    "-2+3 Trust": "minus",
    "@SUM(A1) Trust": "at",
    "[Click here](http://example.com) Trust": "markdown link",
}
ODS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
       "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "xlink": "http://www.w3.org/1999/xlink"}


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def config() -> Config:
    return Config.load()


@pytest.fixture(scope="module")
def ctx(config):
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    return make_context(dataset, config, QUARTER)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, ctx) -> Path:
    out = tmp_path_factory.mktemp("downloads") / "2025-26-q4"
    write_downloads(ctx, out)
    return out


@pytest.fixture(scope="module")
def files(ctx, folder) -> dict[str, Path]:
    """Each download by its format or its table: "league", "domains", ..., "xlsx", "ods"."""
    out = {}
    for d in listing(ctx, folder):
        key = d.fmt.lower() if d.fmt != "CSV" else re.sub(r"^\d{4}-\d{2}-q\d-", "", d.name)[:-4]
        out[key] = folder / d.href
    return out


@pytest.fixture(scope="module")
def xlsx(files):
    return openpyxl.load_workbook(files["xlsx"])


@pytest.fixture(scope="module")
def ods_frames(files) -> dict[str, pd.DataFrame]:
    return pd.read_excel(files["ods"], engine="odf", sheet_name=None, header=None)


@pytest.fixture(scope="module")
def ods_xml(files):
    with zipfile.ZipFile(files["ods"]) as z:
        return etree.fromstring(z.read("content.xml"))


def read_csv_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), f"{path.name}: no byte-order mark"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_table(ws) -> tuple[list[str], list[list]]:
    """The one table of a worksheet: (headers, rows of values)."""
    assert len(ws.tables) == 1, f"{ws.title}: {len(ws.tables)} tables"
    table = next(iter(ws.tables.values()))
    cells = [[c.value for c in row] for row in ws[table.ref]]
    return [str(h) for h in cells[0]], cells[1:]


def ods_table(frame: pd.DataFrame, header_row: int) -> tuple[list[str], list[list]]:
    rows = frame.iloc[header_row:].dropna(how="all", axis=1).values.tolist()
    return [str(h) for h in rows[0]], rows[1:]


def ods_ranges(root) -> dict[str, tuple[str, int, int]]:
    """Each database range: sheet -> (range name, first row, last row), rows 1-based."""
    out = {}
    for r in root.iter(f"{{{ODS['table']}}}database-range"):
        address = r.get(f"{{{ODS['table']}}}target-range-address")
        m = re.fullmatch(r"'(.+)'\.A(\d+):'(.+)'\.[A-Z]+(\d+)", address)
        assert m and m.group(1) == m.group(3), address
        assert r.get(f"{{{ODS['table']}}}contains-header") == "true"
        out[m.group(1)] = (r.get(f"{{{ODS['table']}}}name"), int(m.group(2)), int(m.group(4)))
    return out


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------
# The files


def test_every_download_is_written_and_listed_with_its_size(ctx, folder, files):
    listed = listing(ctx, folder)
    assert [d.fmt for d in listed].count("XLSX") == 1 and [d.fmt for d in listed].count("ODS") == 1
    assert all(d.size == (folder / d.href).stat().st_size > 0 for d in listed)
    assert set(files) >= {"league-mental-health-and-community-trust", "domains", "metrics", "comparison",
                          "data-dictionary", "xlsx", "ods"}
    for code in ctx.result.trusts.trust_code:
        rows = read_csv_rows(folder / trust_csv(code))
        assert rows[0] == list(C.METRICS)
        assert {r[2] for r in rows[1:]} == {code}


def test_league_csv_is_nhs_englands_layout_with_the_computed_figures(ctx, files):
    rows = read_csv_rows(files["league-mental-health-and-community-trust"])
    assert rows[0] == list(LEAGUE_COLUMNS)
    t = ctx.result.trusts
    assert [r[4] for r in rows[1:]] == list(t.trust_code)
    for r, trust in zip(rows[1:], t.itertuples()):
        assert float(r[6]) == trust.average_score and float(r[8]) == trust.adjusted_segment
        assert float(r[10]) == trust.league_rank


def test_csv_writes_ranks_segments_and_counts_as_whole_numbers(files):
    """An analyst reads "31", not "31.0": a column of whole numbers is written without a decimal point,
    and a missing one stays empty."""
    import csv

    checked = 0
    for key, path in files.items():
        if path.suffix != ".csv":
            continue
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
        for column in ("Rank", "Segment", "Trusts_ranked", "Scores_in_domain", "Trusts_reporting"):
            cells = [r[column] for r in rows if r.get(column)]
            checked += len(cells)
            assert all(c.lstrip("-").isdigit() for c in cells), (key, column, cells[:3])
    assert checked


def test_data_dictionary_names_every_column_of_every_csv(files, xlsx):
    dictionary = read_csv_rows(files["data-dictionary"])
    assert dictionary[0] == list(C.DICTIONARY)
    described: dict[str, list[str]] = {}
    for name, column, text in dictionary[1:]:
        assert text.strip(), f"{name} {column}: no description"
        described.setdefault(name, []).append(column)
    for path in files.values():
        if path.suffix == ".csv":
            assert described[path.name] == read_csv_rows(path)[0], path.name
    headers, rows = xlsx_table(xlsx["Columns"])
    assert rows == [r for r in dictionary[1:]]


def test_metric_rows_are_the_packs_rows(ctx, files):
    rows = pd.read_csv(files["metrics"], encoding="utf-8-sig", keep_default_na=False)
    for code in list(ctx.result.trusts.trust_code)[::15]:
        mine = rows[rows.Trust_code == code].set_index("Metric_ID")
        expected = pack.metric_rows(ctx, code).set_index("metric_id")
        assert sorted(mine.index) == sorted(expected.index), code
        for mid, e in expected.iterrows():
            got = mine.loc[mid]
            for col, ecol in (("Score", "score"), ("Value", "value"), ("Peer_median", "median"), ("Rank", "rank")):
                g = float(got[col]) if got[col] != "" else math.nan
                assert (math.isnan(g) and pd.isna(e[ecol])) or g == float(e[ecol]), (code, mid, col)
            assert (got["Counts_in_average"] == "Yes") == (mid in set(
                ctx.result.items[ctx.result.items.trust_code == code].item)) or got["Combined_into"], (code, mid)


# ---------------------------------------------------------------------------
# XLSX


def test_xlsx_cover_contents_and_notes(xlsx, ctx):
    assert xlsx.sheetnames[:3] == [COVER, CONTENTS, NOTES]
    cover = [c.value for c in xlsx[COVER]["A"] if c.value]
    assert cover[0].startswith(f"NHS Oversight Framework {QUARTER}")
    text = "\n".join(cover)
    for word in ("Source: NHS England", MH_DATA, "Publisher:", "Date: figures for the quarter ending 31 March 2026",
                 "Contact:"):
        assert word in text, word
    assert "fictional" not in text.lower()  # the real file is not fictional
    headers, rows = xlsx_table(xlsx[CONTENTS])
    assert headers == ["Sheet name", "Sheet title"]
    assert [r[0] for r in rows] == [n for n in xlsx.sheetnames if n != CONTENTS]
    ws = xlsx[CONTENTS]
    table = next(iter(ws.tables.values()))
    for row in list(ws[table.ref])[1:]:
        name = row[0].value
        assert row[0].hyperlink is not None and row[0].hyperlink.location == f"'{name}'!A1", name
        assert row[1].value == xlsx[name]["A1"].value  # the title of the sheet it links to
    headers, notes = xlsx_table(xlsx[NOTES])
    assert headers == ["Note number", "Note text"]
    assert any(C.NOT_AVAILABLE in n[1] and C.NOT_APPLICABLE in n[1] for n in notes)
    assert [n[0] for n in notes] == [f"[note {i}]" for i in range(1, len(notes) + 1)]
    referred = set(re.findall(r"\[note \d+\]", " ".join(
        str(c.value) for ws in xlsx.worksheets if ws.title != NOTES for c in ws["A"][:3] if c.value)))
    assert referred <= {n[0] for n in notes} and referred


def test_xlsx_one_table_per_sheet_title_in_a1_no_merged_or_empty_cells(xlsx):
    for ws in xlsx.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        assert isinstance(ws["A1"].value, str) and ws["A1"].value.strip(), ws.title
        if ws.title == COVER:
            assert not ws.tables
            continue
        headers, rows = xlsx_table(ws)
        table = next(iter(ws.tables.values()))
        assert table.headerRowCount == 1, ws.title
        assert len(set(headers)) == len(headers) and all(h.strip() for h in headers), ws.title
        assert rows, ws.title
        for r in rows:
            assert all(v is not None and str(v).strip() != "" for v in r), (ws.title, r)
        # nothing below or beside the table
        top_left, bottom_right = table.ref.split(":")
        assert ws.max_row == int(re.sub(r"[A-Z]", "", bottom_right)), ws.title
        assert ws.max_column == len(headers), ws.title


def test_xlsx_numbers_are_stored_as_numbers_with_formats(xlsx):
    for ws in xlsx.worksheets:
        kind = next((k for k in NUMERIC_HEADERS if ws.title.startswith(k)), None)
        if kind is None:
            continue
        table = next(iter(ws.tables.values()))
        cells = list(ws[table.ref])
        headers = [c.value for c in cells[0]]
        for header in NUMERIC_HEADERS[kind]:
            i = headers.index(header)
            column = [row[i] for row in cells[1:]]
            assert any(c.data_type == "n" for c in column), (ws.title, header)
            for c in column:
                assert c.data_type == "n" or c.value in SHORTHAND, (ws.title, header, c.value)
    league = xlsx[LEAGUE_SHEET]
    headers, _ = xlsx_table(league)
    row = list(league[next(iter(league.tables.values())).ref])[1]
    assert row[headers.index("Average score")].number_format == "0.00"
    assert row[headers.index("Rank")].number_format == "0"
    widths = [league.column_dimensions[chr(65 + i)].width for i in range(len(headers))]
    assert all(w and w > 5 for w in widths) and widths[headers.index("Trust name")] > 40


def test_xlsx_has_fixed_properties(xlsx):
    assert xlsx.properties.created.isoformat() == "2026-03-31T00:00:00"
    assert xlsx.properties.title.startswith("NHS Oversight Framework")


# ---------------------------------------------------------------------------
# ODS


def test_ods_has_the_same_sheets_titles_and_tables_as_the_xlsx(xlsx, ods_frames, ods_xml):
    assert list(ods_frames) == xlsx.sheetnames
    ranges = ods_ranges(ods_xml)
    assert set(ranges) == set(xlsx.sheetnames) - {COVER}
    for name, frame in ods_frames.items():
        assert frame.iloc[0, 0] == xlsx[name]["A1"].value, name
        if name == COVER:
            assert [v for v in frame[0].tolist() if isinstance(v, str)] == [
                c.value for c in xlsx[COVER]["A"] if c.value]
            continue
        table_name, first, last = ranges[name]
        assert table_name == next(iter(xlsx[name].tables))
        headers, rows = ods_table(frame, first - 1)
        x_headers, x_rows = xlsx_table(xlsx[name])
        assert headers == x_headers, name
        assert len(rows) == len(x_rows) == last - first, name
        for a, b in zip(rows, x_rows):
            assert len(a) == len(b) and all(
                (isinstance(u, (int, float)) and isinstance(v, (int, float)) and math.isclose(u, v))
                or str(u) == str(v) for u, v in zip(a, b)), (name, a, b)


def test_ods_cells_no_merges_no_formulas_numbers_typed_and_contents_linked(ods_xml, xlsx):
    t, o = ODS["table"], ODS["office"]
    assert not list(ods_xml.iter(f"{{{t}}}covered-table-cell"))
    for cell in ods_xml.iter(f"{{{t}}}table-cell"):
        assert cell.get(f"{{{t}}}formula") is None
        assert cell.get(f"{{{t}}}number-columns-spanned") is None
        kind = cell.get(f"{{{o}}}value-type")
        if kind == "float":
            float(cell.get(f"{{{o}}}value"))
        else:
            assert kind == "string"
    sheets = {s.get(f"{{{t}}}name"): s for s in ods_xml.iter(f"{{{t}}}table")}
    league = sheets[LEAGUE_SHEET]
    rows = league.findall(f"{{{t}}}table-row")
    header = [c.xpath("string()") for c in rows[ods_ranges(ods_xml)[LEAGUE_SHEET][1] - 1]]
    first = rows[ods_ranges(ods_xml)[LEAGUE_SHEET][1]]
    score = first.findall(f"{{{t}}}table-cell")[header.index("Average score")]
    assert score.get(f"{{{o}}}value-type") == "float" and score.get(f"{{{t}}}style-name")
    links = [a.get(f"{{{ODS['xlink']}}}href") for a in sheets[CONTENTS].iter(f"{{{ODS['text']}}}a")]
    assert links == [f"#'{n}'.A1" for n in xlsx.sheetnames if n != CONTENTS]


def test_libreoffice_calc_opens_the_ods_with_its_tables_links_and_number_formats(tmp_path, files, xlsx, ods_xml):
    """LibreOffice Calc reads the ODS and saves it as XLSX: each database range becomes a table."""
    saved = openpyxl.load_workbook(checkers.convert_with_libreoffice(files["ods"], tmp_path, "xlsx"))
    assert saved.sheetnames == xlsx.sheetnames
    for name in xlsx.sheetnames:
        assert saved[name]["A1"].value == xlsx[name]["A1"].value, name
        if name == COVER:
            continue
        assert [t.ref for t in saved[name].tables.values()] == [t.ref for t in xlsx[name].tables.values()], name
        assert xlsx_table(saved[name]) == xlsx_table(xlsx[name]), name
    row = list(saved[LEAGUE_SHEET][next(iter(saved[LEAGUE_SHEET].tables.values())).ref])[1]
    assert [c.number_format for c in row if c.data_type == "n"] == ["0.00", "0", "0"]
    links = {row[0].value: row[0].hyperlink.location for row in list(saved[CONTENTS].iter_rows(min_row=5))}
    assert links == {n: f"'{n}'!A1" for n in xlsx.sheetnames if n != CONTENTS}


# ---------------------------------------------------------------------------
# The same figures everywhere


def test_spreadsheet_league_equals_league_csv_and_national_table(ctx, files, xlsx, ods_frames, ods_xml, config):
    csv_rows = read_csv_rows(files["league-mental-health-and-community-trust"])
    headers, x_rows = xlsx_table(xlsx[LEAGUE_SHEET])
    assert headers == [C.header(c) for c in csv_rows[0]]
    _, o_rows = ods_table(ods_frames[LEAGUE_SHEET], ods_ranges(ods_xml)[LEAGUE_SHEET][1] - 1)
    for c, x, o in zip(csv_rows[1:], x_rows, o_rows):
        for cv, xv, ov in zip(c, x, o):
            if is_number(cv):
                assert float(cv) == xv == ov, (c, x)
            else:
                assert (cv or C.NOT_AVAILABLE) == xv == ov, (c, x)
    table = national.league_table(ctx.result, MH, config)
    assert len(table.rows) == len(x_rows)
    col = {name: i for i, name in enumerate(table.columns)}
    for row, x in zip(table.rows, x_rows):
        ours = dict(zip(headers, x))
        assert row[col["Trust"]] == f"{ours['Trust name']} ({ours['Trust code']})"
        assert int(row[col["Rank"]].split()[0]) == ours["Rank"]
        segment = row[col["Segment"]]
        assert segment.startswith(f"Segment {ours['Segment']}") or f"ranked in segment {ours['Segment']}" in segment
        assert row[col["Average score"]] == f"{ours['Average score']:.2f}"
        assert row[col["In financial deficit"]] == ours["Trust in financial deficit"]


def test_spreadsheet_league_equals_nhs_englands_published_q4_table(xlsx):
    published = pd.read_csv(shared_file(MH_LEAGUE), encoding="utf-8-sig")
    published = published[published.Quarter == QUARTER].set_index("Trust_code")
    headers, rows = xlsx_table(xlsx[LEAGUE_SHEET])
    ours = pd.DataFrame(rows, columns=headers).set_index("Trust code")
    assert sorted(ours.index) == sorted(published.index) and len(ours) == 61
    for code, p in published.iterrows():
        o = ours.loc[code]
        assert o["Average score"] == p.Average_score, code
        assert o["Segment"] == p.Segment and o["Rank"] == p.Rank, code
        assert o["Trust in financial deficit"] == p.Trust_in_financial_deficit, code
        assert o["Likely range of average score"] == p.Likely_range_of_average_score, code
        assert o["Likely range of rank"] == p.Likely_range_of_rank, code
    assert ours.loc["RYY", "Rank"] == 1 and ours.loc["RWR", "Segment"] == 3 and ours.loc["RWR", "Rank"] == 31


def test_downloads_are_byte_identical_when_written_again(tmp_path, ctx, folder):
    again = tmp_path / "2025-26-q4"
    write_downloads(ctx, again)
    first = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in first:
        assert (folder / rel).read_bytes() == (again / rel).read_bytes(), rel


# ---------------------------------------------------------------------------
# Hostile names and units


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, config):
    """The real file with five trusts renamed to text a spreadsheet could take for a formula or a link."""
    src = tmp_path_factory.mktemp("hostile-input")
    data = pd.read_csv(shared_file(MH_DATA), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    league = pd.read_csv(shared_file(MH_LEAGUE), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    codes = list(league[league.Quarter == QUARTER].Trust_code)[:len(HOSTILE)]
    renamed = dict(zip(codes, HOSTILE))
    for frame in (data, league):
        frame["Trust_name"] = [renamed.get(c, n) for c, n in zip(frame.Trust_code, frame.Trust_name)]
    data.to_csv(src / MH_DATA, index=False)
    league.to_csv(src / MH_LEAGUE, index=False)
    ctx = make_context(load([src / MH_DATA, src / MH_LEAGUE], config), config, QUARTER)
    out = tmp_path_factory.mktemp("hostile") / "2025-26-q4"
    write_downloads(ctx, out)
    return ctx, out, renamed


def test_no_csv_text_cell_can_start_a_formula(hostile):
    ctx, out, renamed = hostile
    paths = list((out / DATA_DIR).rglob("*.csv"))
    assert len(paths) > 60
    seen = set()
    for path in paths:
        for row in read_csv_rows(path):
            for cell in row:
                if not is_number(cell):
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
                    seen.add(cell)
    for name in HOSTILE:
        assert (("'" + name) if name[0] in "=+-@" else name) in seen, name


def test_spreadsheets_keep_hostile_names_as_plain_text(hostile):
    ctx, out, renamed = hostile
    book = next((out / DATA_DIR).glob("*.xlsx"))
    wb = openpyxl.load_workbook(book)
    ws = wb[LEAGUE_SHEET]
    headers, _ = xlsx_table(ws)
    col = headers.index("Trust name")
    found = {}
    for row in list(ws[next(iter(ws.tables.values())).ref])[1:]:
        cell = row[col]
        if cell.value in HOSTILE:
            found[cell.value] = cell
    assert set(found) == set(HOSTILE)
    for name, cell in found.items():
        assert cell.data_type == "s" and cell.hyperlink is None, name
    with zipfile.ZipFile(book) as z:
        assert not any("<f>" in z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    ods = next((out / DATA_DIR).glob("*.ods"))
    with zipfile.ZipFile(ods) as z:
        root = etree.fromstring(z.read("content.xml"))
    texts = {c.xpath("string()"): c for c in root.iter(f"{{{ODS['table']}}}table-cell")}
    for name in HOSTILE:
        cell = texts[name]
        assert cell.get(f"{{{ODS['office']}}}value-type") == "string"
        assert cell.get(f"{{{ODS['table']}}}formula") is None and not list(cell.iter(f"{{{ODS['text']}}}a"))


# ---------------------------------------------------------------------------
# Fictional example data: every trust type, and the cover says so


def test_example_data_workbook_has_a_league_sheet_per_type_and_says_fictional(tmp_path, config):
    dataset = load([ROOT / "data"], config)
    ctx = make_context(dataset, config, QUARTER)
    assert ctx.fictional
    out = tmp_path / "2025-26-q4"
    write_downloads(ctx, out)
    wb = openpyxl.load_workbook(next((out / DATA_DIR).glob("*.xlsx")))
    types = ctx.result.trust_types
    assert len(types) == 3
    assert [n for n in wb.sheetnames if n.startswith("League_")] == [f"League_{short_name(t)}" for t in types]
    cover = " ".join(c.value for c in wb[COVER]["A"] if c.value)
    assert "fictional example data" in cover and "invented" in cover
    assert all("fictional example data" in ws["A1"].value for ws in wb.worksheets)
    with zipfile.ZipFile(next((out / DATA_DIR).glob("*.ods"))) as z:
        root = etree.fromstring(z.read("content.xml"))
    cover = next(t for t in root.iter(f"{{{ODS['table']}}}table") if t.get(f"{{{ODS['table']}}}name") == COVER)
    assert "invented" in cover.xpath("string()")
    for t in types:
        _, rows = xlsx_table(wb[f"League_{short_name(t)}"])
        assert len(rows) == int((ctx.result.trusts.trust_type == t).sum())


# ---------------------------------------------------------------------------
# Links from the site, the national document and the packs


def test_site_national_document_and_pack_link_the_downloads(tmp_path, ctx):
    code = ctx.result.trusts.trust_code.iloc[0]
    report = build(ctx, tmp_path, ("html",), packs=True, trusts=[code], jobs=1)
    folder = report.out_dir
    index = (folder / "index.html").read_text(encoding="utf-8")
    for d in listing(ctx, folder):
        assert d.size > 0
        assert f'href="{d.href}"' in index, d.name
        assert re.search(rf'href="{re.escape(d.href)}">[^<]*\({d.fmt}, <span class="nowrap">'
                         rf'(\d+ bytes|\d+ KB|\d+\.\d MB)</span>\)', index), d.name
    page = (folder / "league-tables.html").read_text(encoding="utf-8")
    hrefs = set(re.findall(r'href="(data/[^"]+)"', page))
    assert hrefs == {d.href for d in listing(ctx, folder)}
    assert all((folder / h).is_file() for h in hrefs)
    pack_page = (folder / "trusts" / f"{code}.html").read_text(encoding="utf-8")
    target = re.search(r'href="(\.\./data/trust-metrics/[^"]+\.csv)"', pack_page).group(1)
    rows = read_csv_rows((folder / "trusts" / target).resolve())
    assert {r[2] for r in rows[1:]} == {code}
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_each_trust_s_rows_are_what_writing_them_alone_gives():
    from reportgen.downloads import trust_rows_csv

    frame = pd.DataFrame({
        "Trust_code": ["R1", "R1", "R2", None, "R1", "R3"],
        "Trust_name": ['A "quoted" name', "two\nlines", "'=SUM(A1)", "no code", 'end quote"', "plain"],
        "Value": [1.5, float("nan"), 0.1, 2.0, -0.0, 1e-7],
        "Rank": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
    })
    alone = {code: rows.to_csv(index=False, lineterminator="\n")
             for code, rows in frame.groupby("Trust_code", sort=False)}
    assert trust_rows_csv(frame) == alone
    assert list(trust_rows_csv(frame)) == ["R1", "R2", "R3"]


def test_each_trusts_csv_holds_its_rows_of_the_metrics_csv_as_written_there(folder, files):
    """A trust's own CSV is the metrics file's header and that trust's rows, character for character (whole
    numbers written "75", not "75.0", as in the metrics file)."""
    header, *rows = files["metrics"].read_text(encoding="utf-8-sig").splitlines(keepends=True)
    code_at = next(csv.reader([header])).index("Trust_code")
    by_trust: dict[str, list[str]] = {}
    for row in rows:
        by_trust.setdefault(next(csv.reader([row]))[code_at], []).append(row)
    assert len(by_trust) == 61
    for code, lines in by_trust.items():
        own = (folder / trust_csv(code)).read_text(encoding="utf-8-sig")
        assert own == header + "".join(lines), code
