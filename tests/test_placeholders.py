"""A cell without a figure says so in one of two words, consistently, and the document explains them.

- Only "no data" (the files hold no such figure) and "not applicable" (the measure never
  has such a figure: NHS England publishes it as a score only) stand in for a figure.
- No row pairs contradictory placeholders: a measure published as a score only has no
  value, median or rank, and nothing else is "not applicable"; an area with no score has
  no rank.
- Each placeholder a section's tables use is explained once, in words, in that section.

Checked on the model every writer walks (HTML, PDF and Word take the same cells and
paragraphs), for the national document and packs, on the real file (with and without its
league table) and the example data.
"""
from __future__ import annotations

import pytest

from reportgen.config import Config
from reportgen.content import text as T
from reportgen.content.national import national_document
from reportgen.content.pack import METRIC_COLUMNS, pack_document
from reportgen.load import load
from reportgen.model import BulletList, Figure, Note, Paragraph, Section, Table, walk
from reportgen.release import make_context
from tests.document_checks import model_tables
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

RETIRED = ("not scored", "score only", "not known")


def _paths(name):
    if name == "real":
        return [shared_file(MH_DATA), shared_file(MH_LEAGUE)]
    if name == "real without league table":
        return [shared_file(MH_DATA)]
    return [ROOT / "data"]


@pytest.fixture(scope="module", params=["real", "real without league table", "example"])
def documents(request):
    config = Config.load()
    dataset = load(_paths(request.param), config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    t = ctx.result.trusts
    domains = ctx.result.domains
    # trusts with a missing area score first (their packs use every placeholder), then a spread of others
    lacking = sorted(set(t.trust_code) - set(domains.groupby("trust_code").filter(
        lambda g: len(g) == len(config.domains)).trust_code))
    codes = list(dict.fromkeys(lacking[:3] + list(t.trust_code)[::15]))
    return [national_document(ctx)] + [pack_document(ctx, code, formats=("html",)) for code in codes]


def _prose(section: Section) -> str:
    texts = []
    for block, _ in walk(section.blocks):
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, BulletList):
            texts += [item.text for item in block.items]
        elif isinstance(block, Note):
            texts.append(block.title)
    return "\n".join(texts)


def test_only_two_placeholders_and_each_is_explained_once_where_it_is_used(documents):
    used_anywhere = set()
    for doc in documents:
        for section in (b for b in doc.blocks if isinstance(b, Section)):
            tables = model_tables(section)
            for table in tables:
                for row in table.rows:
                    for cell in row[1:]:
                        assert cell.strip().lower() not in RETIRED, (doc.title, table.caption, row)
            used = {cell for t in tables for row in t.rows for cell in row[1:] if cell in (T.NO_DATA, T.NOT_APPLICABLE)}
            used_anywhere |= used
            prose = _prose(section).lower()
            for placeholder in used:
                assert prose.count(f'"{placeholder}"') == 1, (doc.title, section.heading, placeholder, prose)
    assert used_anywhere == {T.NO_DATA, T.NOT_APPLICABLE}


def test_no_row_pairs_contradictory_placeholders(documents):
    rows = 0
    for doc in documents:
        for table, _ in walk(doc.blocks):
            if isinstance(table, Figure) and table.data is not None:
                table = table.data
            if not isinstance(table, Table):
                continue
            if table.columns == METRIC_COLUMNS:
                for name, value, score, median, rank in table.rows:
                    rows += 1
                    score_only = value == T.NOT_APPLICABLE
                    # a measure published as a score only has no value, median or rank; nothing else is "n/a"
                    assert (median == T.NOT_APPLICABLE) == score_only, (name, value, median)
                    assert (rank == T.NOT_APPLICABLE) == score_only, (name, value, rank)
                    assert score != T.NOT_APPLICABLE, (name, score)
                    if value == T.NO_DATA:
                        assert rank == T.NO_DATA, (name, value, rank)
            elif table.id == "domains" or table.id.startswith("domains-"):
                step = 2 if table.id.startswith("domains-") else None
                for row in table.rows:
                    pairs = [(row[k], row[k + 1]) for k in range(1, len(row), 2)] if step else [(row[1], row[4])]
                    for score, rank in pairs:
                        assert (score == T.NO_DATA) == (rank == T.NO_DATA), (table.caption, row)
            for row in table.rows:
                assert not any(cell in RETIRED for cell in row), (table.caption, row)
    assert rows


def test_retired_placeholders_are_not_mentioned(documents):
    for doc in documents:
        for section in (b for b in doc.blocks if isinstance(b, Section)):
            for word in RETIRED:
                assert f'"{word}"' not in _prose(section).lower(), (doc.title, section.heading, word)
