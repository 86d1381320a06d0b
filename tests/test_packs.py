"""Trust briefing packs, from real and example data, proven accessible in all three formats."""
from __future__ import annotations

import html
import re

import pytest

from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.content.text import ordinal
from reportgen.load import load
from reportgen.model import BulletList, Figure, Note, Paragraph, Section, Table
from reportgen.page_fill import blank_shares
from reportgen.release import make_context, render
from tests import checkers
from tests import document_checks as checks
from tests.shared_data import ACUTE_Q1_DATA, MH_DATA, MH_LEAGUE, ROOT, shared_file

pytestmark = pytest.mark.slow

_CONTEXTS: dict = {}


def context(source: str, quarter: str | None):
    key = (source, quarter)
    if key not in _CONTEXTS:
        config = Config.load()
        if source == "real-acute":
            dataset = load([shared_file(ACUTE_Q1_DATA)], config, quarter="Q1 2025/26")
        else:
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
    out.extend((None, code, f"longest acute {k}") for k, code in enumerate(longest_acute(ctx, 2), start=1))
    return out


def pack_words(blocks) -> int:
    """The words of a pack's document model: its prose, captions and every table cell."""
    n = 0
    for b in blocks:
        if isinstance(b, Section):
            n += len(b.heading.split()) + pack_words(b.blocks)
        elif isinstance(b, Figure):
            n += len(b.caption.split()) + (pack_words([b.data]) if b.data else 0)
        elif isinstance(b, Table):
            n += len(b.caption.split()) + sum(len(" ".join(row).split()) for row in b.rows)
        elif isinstance(b, BulletList):
            n += sum(len(item.text.split()) for item in b.items)
        elif isinstance(b, Paragraph):
            n += len(b.text.split())
        elif isinstance(b, Note):
            n += pack_words(b.blocks)
    return n


def longest_acute(ctx, n: int) -> list[str]:
    """The acute trusts whose packs hold the most words: the example packs that ran to a fifth page had
    four quarters of history, the fictional-data note and the most measures with figures."""
    t = ctx.result.trusts
    acute = [code for code, kind in zip(t.trust_code, t.trust_type) if kind == "Acute trust"]
    words = sorted(((pack_words(pack_document(ctx, code).blocks), code) for code in acute), reverse=True)
    return [code for _, code in words[:n]]


REAL_SAMPLE = [
    (None, "RYY", "top"), (None, "RY2", "bottom"), (None, "RWR", "deficit-capped"),
    (None, "RNK", "fewest metrics"), ("Q1 2025/26", "RW1", "segment 5"),
]
# the real acute file (Q1 2025/26 only): the two packs that ran longest in print (scripts/pack_report.py)
REAL_ACUTE_SAMPLE = [("Q1 2025/26", "RMP", "longest acute 1"), ("Q1 2025/26", "RTX", "longest acute 2")]


def pytest_generate_tests(metafunc):
    if "pack" in metafunc.fixturenames:
        params = [("real",) + p for p in REAL_SAMPLE] + [("real-acute",) + p for p in REAL_ACUTE_SAMPLE]
        ids = [f"real-{p[2]}-{p[1]}" for p in REAL_SAMPLE] + [f"real-acute-{p[2]}-{p[1]}" for p in REAL_ACUTE_SAMPLE]
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
    assert pages <= 4, f"a pack is at most 4 pages: {pages} pages"


def test_every_page_but_the_last_is_at_least_80_per_cent_full(pack):
    _, code, _, _, paths, _ = pack
    shares = blank_shares(paths["pdf"])
    assert len(shares) == checkers.pdf_facts(paths["pdf"])["pages"]
    blank = {page: round(100 * share) for page, share in enumerate(shares[:-1], start=1) if share > 0.2}
    assert not blank, f"{code}: pages more than 20% blank (page: per cent blank): {blank}"


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
            assert "no figures for this trust" in text or "means the published files hold no such figure" in text


def test_every_metric_of_the_type_is_listed(pack):
    ctx, code, _, doc, paths, _ = pack
    row = ctx.result.trust(code)
    q = ctx.metrics[(ctx.metrics.quarter == ctx.quarter) & (ctx.metrics.trust_type == row.trust_type)]
    scored_ids = set(q.metric_id[q.metric_id.str.startswith("OF1")])
    text = html.unescape(paths["html"].read_text(encoding="utf-8"))
    for mid in scored_ids:
        assert f"({mid})" in text, mid
