"""Trust briefing packs, from real and example data, proven accessible in all three formats."""
from __future__ import annotations

import html
import re

import pytest

from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.content.text import ordinal
from reportgen.load import load
from reportgen.release import make_context, render
from tests import checkers
from tests import document_checks as checks
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

pytestmark = pytest.mark.slow

_CONTEXTS: dict = {}


def context(source: str, quarter: str | None):
    key = (source, quarter)
    if key not in _CONTEXTS:
        config = Config.load()
        paths = [shared_file(MH_DATA), shared_file(MH_LEAGUE)] if source == "real" else [ROOT / "data"]
        dataset = load(paths, config)
        _CONTEXTS[key] = make_context(dataset, config, quarter or dataset.latest_quarter)
    return _CONTEXTS[key]


def example_sample() -> list[tuple[str, str | None, str]]:
    """(quarter, code, why) for the example data: top, bottom, deficit-capped, segment 5, fewest metrics."""
    ctx = context("example", None)
    t = ctx.result.trusts
    out = [(None, t.iloc[0].trust_code, "top"), (None, t.iloc[-1].trust_code, "bottom")]
    capped = t[t.override_applied]
    if len(capped):
        out.append((None, capped.iloc[0].trust_code, "deficit-capped"))
    sparse = t.sort_values(["n_scored_metrics", "trust_code"]).iloc[0]
    out.append((None, sparse.trust_code, "fewest metrics"))
    q1 = context("example", "Q1 2025/26").result.trusts
    rsp = q1[q1.final_segment == 5]
    if len(rsp):
        out.append(("Q1 2025/26", rsp.iloc[0].trust_code, "segment 5"))
    return out


REAL_SAMPLE = [
    (None, "RYY", "top"), (None, "RY2", "bottom"), (None, "RWR", "deficit-capped"),
    (None, "RNK", "fewest metrics"), ("Q1 2025/26", "RW1", "segment 5"),
]


def pytest_generate_tests(metafunc):
    if "pack" in metafunc.fixturenames:
        params = [("real",) + p for p in REAL_SAMPLE]
        ids = [f"real-{p[2]}-{p[1]}" for p in REAL_SAMPLE]
        if (ROOT / "data").is_dir() and any((ROOT / "data").glob("*.csv")):
            params += [("example", q, c, w) for q, c, w in _lazy_example()]
            ids += [f"example-{w}" for _, _, w in _lazy_example()]
        metafunc.parametrize("pack", params, ids=ids, indirect=True, scope="module")


_EXAMPLE: list = []


def _lazy_example():
    if not _EXAMPLE:
        _EXAMPLE.extend(example_sample())
    return _EXAMPLE


@pytest.fixture(scope="module")
def pack(request, tmp_path_factory):
    source, quarter, code, why = request.param
    ctx = context(source, quarter)
    doc = pack_document(ctx, code)
    folder = tmp_path_factory.mktemp(f"pack-{source}-{code}")
    paths = {}
    for fmt in ("html", "pdf", "docx"):
        paths[fmt] = folder / f"{code}.{fmt}"
        paths[fmt].write_bytes(render(doc, fmt))
    return ctx, code, why, doc, paths, folder


def test_html(pack):
    _, _, _, doc, paths, _ = pack
    checks.check_html(paths["html"], doc)


def test_pdf(pack):
    _, _, _, doc, paths, _ = pack
    checks.check_pdf(paths["pdf"], doc)
    pages = checkers.pdf_facts(paths["pdf"])["pages"]
    ctx = pack[0]
    # every real pack fits on four pages; a few example acute packs, with four quarters of history and the
    # fictional-data note, still run a few lines onto a fifth (scripts/pack_report.py measures them all)
    limit = 5 if ctx.fictional else 4
    assert pages <= limit, f"a pack is at most {limit} pages: {pages} pages"


def test_word(pack):
    _, _, _, doc, paths, folder = pack
    checks.check_docx(paths["docx"], doc, folder / "lo")


def test_same_segment_rank_and_scores_in_every_format(pack):
    ctx, code, why, doc, paths, _ = pack
    row = ctx.result.trust(code)
    texts = {
        "html": checks.collapse(checkers.html_text(paths["html"])),
        "pdf": checks.collapse(checks.pdf_reading_text(paths["pdf"])),
        "docx": checks.collapse(checkers.docx_text(paths["docx"])),
    }
    segment = f"is in segment {int(row.final_segment)}"
    rank = f"{ordinal(int(row.league_rank))} of {int(row.league_size)} {ctx.config.plural(row.trust_type)}"
    average = f"Its average score is {row.average_score:.2f}"
    domains = ctx.result.domains[ctx.result.domains.trust_code == code]
    for fmt, text in texts.items():
        assert segment in text, (fmt, segment)
        assert rank in text, (fmt, rank)
        assert average in text, (fmt, average)
        for d in domains.itertuples():
            assert re.search(re.escape(d.domain) + r" " + re.escape(f"{d.score:.2f}"), text), (fmt, d.domain)
    if why == "segment 5":
        assert int(row.final_segment) == 5
        for text in texts.values():
            assert "Recovery Support Programme" in text
    if why == "deficit-capped":
        for text in texts.values():
            assert "is in segment 3 because it is in financial deficit" in text
            assert "cannot be in segment 1 or 2" in text
    if why == "fewest metrics":
        for text in texts.values():
            assert "not scored" in text


def test_every_metric_of_the_type_is_listed(pack):
    ctx, code, _, doc, paths, _ = pack
    row = ctx.result.trust(code)
    q = ctx.metrics[(ctx.metrics.quarter == ctx.quarter) & (ctx.metrics.trust_type == row.trust_type)]
    scored_ids = set(q.metric_id[q.metric_id.str.startswith("OF1")])
    text = html.unescape(paths["html"].read_text(encoding="utf-8"))
    for mid in scored_ids:
        assert f"({mid})" in text, mid
