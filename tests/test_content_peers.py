"""What packs of one trust type share is made once per process (content.peers): a pack made after others
of its type, from the kept figures, is the pack made from nothing."""
from __future__ import annotations

from dataclasses import replace

from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.content.peers import peer_group, trust_row
from reportgen.load import load
from reportgen.release import make_context
from tests.shared_data import MH_DATA, ROOT, shared_file

DATA = ROOT / "data"


def _context(paths, quarter=None):
    config = Config.load()
    dataset = load(paths, config)
    return make_context(dataset, config, quarter or dataset.latest_quarter)


def test_a_pack_made_after_others_of_its_type_is_the_pack_made_alone():
    ctx = _context([DATA])
    t = ctx.result.trusts
    codes = [c for ttype in ctx.result.trust_types for c in list(t.trust_code[t.trust_type == ttype])[:3]]
    shared = [pack_document(ctx, code) for code in codes]  # each after the others of its type, in one context
    assert all(("peer group", ttype) in ctx.memo for ttype in ctx.result.trust_types)
    alone = [pack_document(replace(ctx), code) for code in codes]  # a fresh context for each: nothing kept
    for code, a, b in zip(codes, shared, alone):
        assert a == b, code
        assert repr(a) == repr(b), code


def test_an_earlier_quarter_and_the_real_file_give_the_same_packs_either_way():
    ctx = _context([shared_file(MH_DATA)], "Q2 2025/26")
    codes = list(ctx.result.trusts.trust_code)[:4]
    shared = [pack_document(ctx, code) for code in codes]
    assert [pack_document(replace(ctx), code) for code in codes] == shared


def test_the_kept_figures_are_the_context_s_own():
    ctx = _context([DATA])
    code = str(ctx.result.trusts.trust_code.iloc[0])
    assert trust_row(ctx, code).equals(ctx.result.trust(code))
    assert trust_row(ctx, "X0000") is None
    earlier = replace(ctx, quarter="Q3 2025/26")
    assert earlier.memo == {}  # a context made from another keeps nothing of the first
    ttype = ctx.result.trust(code).trust_type
    assert peer_group(ctx, ttype) is peer_group(ctx, ttype)
    assert trust_row(earlier, code).equals(ctx.results["Q3 2025/26"].trust(code))
