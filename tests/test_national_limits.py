"""Every quantified sentence of "what league tables cannot tell you" is true, for every
quarter and trust type in the real published files and in the example data.

Each claim's figures are worked out again here, by plainer code than
``reportgen.content.limits``, from the quarter's results and the input; every
number the sentence states must be one of them (or a quarter, a year, a
configured line), and the key ones must appear as stated.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from reportgen.config import Config
from reportgen.content import limits as L
from reportgen.content import words as W
from reportgen.load import load
from reportgen.release import make_context
from tests.shared_data import ACUTE_Q1_DATA, MH_DATA, MH_LEAGUE, ROOT, shared_file

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:st|nd|rd|th)?%?")


def _inputs(name):
    if name == "mental health, with league table":
        return [shared_file(MH_DATA), shared_file(MH_LEAGUE)], None
    if name == "acute Q1":
        return [shared_file(ACUTE_Q1_DATA)], "Q1 2025/26"
    return [ROOT / "data"], None


SOURCES = ["mental health, with league table", "acute Q1", "example"]


@pytest.fixture(scope="module", params=SOURCES)
def loaded(request):
    config = Config.load()
    paths, quarter = _inputs(request.param)
    dataset = load(paths, config, quarter)
    return request.param, config, dataset


def _contexts(config, dataset):
    for quarter in dataset.quarters:
        yield make_context(dataset, config, quarter)


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _numbers(text: str) -> list[str]:
    return [m.rstrip("%").removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
            for m in _NUMBER.findall(text)]


def _allowed_context(ctx, prev) -> set[str]:
    out = {"1", "2", "3", "4", "5", "10", "25"}  # segments, the top 10, a quarter is 25%
    for q in [ctx.quarter] + ([prev.quarter] if prev else []):
        out |= set(re.findall(r"\d+", q))
    lo, hi = ctx.config.score_range
    out |= {f"{lo:.2f}", f"{hi:.2f}", f"{lo + 1:.2f}"}
    return out


def _check_numbers(claim, allowed: set[str]) -> None:
    for n in _numbers(claim.text):
        assert n in allowed or n.replace(",", "") in allowed, (claim.topic, claim.trust_type, n, claim.text)


def _name_numbers(ctx, ttype) -> set[str]:
    """Numbers that are part of a measure's name ("52 weeks", "2-hour")."""
    m = ctx.metrics[(ctx.metrics.quarter == ctx.quarter) & (ctx.metrics.trust_type == ttype)]
    names = [*m.metric_description.astype(str).unique(),
             *(W.metric_name(ctx.config.score_id_of(i)) for i in m.metric_id.unique())]
    return {x for d in names for x in re.findall(r"\d+", d)}


def _unexpanded(text: str) -> str:
    """The text with each spelt-out acronym ("accident and emergency (A&E)") put back as the acronym."""
    for short, long in W.ACRONYMS.items():
        for words in (long, long[0].upper() + long[1:]):
            text = text.replace(f"{words} ({short})", short)
    return text


def _verify(claim, ctx, prev) -> set[str]:
    """Work the claim's figures out again; return the numbers it may state."""
    r, cfg, t = ctx.result, ctx.config, ctx.result.trusts
    g = t[t.trust_type == claim.trust_type]
    n = len(g)
    allowed = _allowed_context(ctx, prev) | {str(n)}
    text = claim.text
    if claim.topic == L.RANKS:
        spans = [tuple(int(float(x)) for x in str(v).split(" to ")) for v in g.likely_range_of_rank.dropna()]
        if not spans:
            assert not claim.facts["loaded"] and "Add that file" in text
            return allowed
        width = float(np.median([b - a + 1 for a, b in spans]))
        both = sum(1 for a, b in spans if a <= n / 4 and b > 3 * n / 4)
        avg = [tuple(float(x) for x in str(v).split(" to ")) for v in g.likely_range_of_average_score.dropna()]
        cuts = [(float(v), float(v)) for v in r.cutoffs.values] if r.cutoffs.values is not None else \
            [(float(a), float(b)) for a, b in r.cutoffs.brackets]
        crossing = 0
        for lo, hi in avg:
            if any(lo <= a and (hi > b if a == b else hi >= b) for a, b in cuts if a == a and b == b):
                crossing += 1
        assert f"spans {_fmt(width)} places or more" in text
        assert (f"For {both} of them" if both else "For none of them") in text
        assert f"{crossing} of the {len(avg)} trusts" in text or (crossing == 0 and "none of the" in text)
        return allowed | {_fmt(width), str(both), str(crossing), str(len(avg))}
    if claim.topic == L.RELATIVE:
        n4 = int((g.unadjusted_segment == 4).sum())
        assert f"{n4} of the {n} " in text
        extra = {str(n4)}
        if "moved from" in text:
            extra |= set(re.findall(r"\d\.\d\d", text))
            for v in re.findall(r"\d\.\d\d", text):  # each is a bound of a cut-off in one of the two quarters
                bounds = {f"{x:.2f}" for q in (r, prev) for pair in
                          ([(c, c) for c in q.cutoffs.values] if q.cutoffs.values is not None else q.cutoffs.brackets)
                          for x in pair}
                assert v in bounds
        return allowed | extra
    if claim.topic == L.REGRESSION:
        a = prev.trusts[prev.trusts.trust_type == claim.trust_type].set_index("trust_code").average_score
        b = g.set_index("trust_code").average_score
        common = a.index.intersection(b.index)
        a, b = a[common], b[common]
        q25, q75 = a.quantile(0.25), a.quantile(0.75)
        worst = float((b[a >= q75] - a[a >= q75]).mean())
        best = float((b[a <= q25] - a[a <= q25]).mean())
        for change, who in ((worst, "worst averages"), (best, "best quarter")):
            if round(change, 2) == 0:
                continue
            word = "improved" if change < 0 else "worsened"
            assert re.search(f"{who}[^.]*{word} by {abs(change):.2f}", text), (who, change, text)
        return allowed | {f"{abs(worst):.2f}", f"{abs(best):.2f}"}
    if claim.topic == L.CASE_MIX:
        extra = set()
        for _sub, s in g.groupby("trust_subtype"):
            med_rank, med_items = float(s.league_rank.median()), float(s.n_items.median())
            assert f"median rank of {_fmt(med_rank)}, on a median of {_fmt(med_items)} scores" in text
            extra |= {str(len(s)), _fmt(med_rank), _fmt(med_items)}
        top = g[g.league_rank <= 10]
        if n >= 20:
            top_sub, k = Counter(top.trust_subtype).most_common(1)[0]
            assert f"top 10, {k} are" in text
            extra |= {str(len(top)), str(k), str(int((g.trust_subtype == top_sub).sum()))}
        return allowed | extra
    if claim.topic == L.SMALL_NUMBERS:
        items = r.items[r.items.trust_code.isin(g.trust_code)]
        per = items.groupby(["trust_code", "domain"]).size()
        single = per[per == 1]
        assert f"{len(single)} of the {len(per)} domain scores" in text
        assert f"for {single.index.get_level_values(0).nunique()} of the {n} trusts" in text
        return allowed | {str(len(single)), str(len(per)), str(single.index.get_level_values(0).nunique())}
    if claim.topic == L.WEIGHTS:
        items = r.items[r.items.trust_code.isin(g.trust_code)]
        names = [d.name for d in cfg.domains]
        mixes = Counter(tuple(int(((items.trust_code == c) & (items.domain == d)).sum()) for d in names)
                        for c in g.trust_code)
        top = max(mixes.values())
        mix = min(m for m, k in mixes.items() if k == top)
        shares = {d: f"{100 * c / sum(mix):.0f}" for d, c in zip(names, mix) if c}
        for d, share in shares.items():
            assert f"{d.lower()} {share}%" in text or f"{d.lower()} makes up {share}%" in text
        assert f"shared by {top} of the {n}" in text and f"It has {sum(mix)} scores" in text
        return allowed | {str(top), str(sum(mix))} | set(shares.values())
    if claim.topic == L.DEFICIT:
        in3 = g[g.adjusted_segment == 3]
        held = in3[in3.unadjusted_segment.isin([1, 2]) & in3.deficit]
        assert all(held.override_applied)
        if len(held):
            assert f"Of the {len(in3)} {cfg.plural(claim.trust_type)} in segment 3, {len(held)} are" in text
            first = held.sort_values(["average_score", "trust_name"]).iloc[0]
            better = int((g.average_score < first.average_score).sum()) + 1
            assert f"the {better}" in text and first.trust_name in text
            assert re.search(rf"ranked {int(first.league_rank)}(st|nd|rd|th)", text)
            return allowed | {str(len(in3)), str(len(held)), str(better), str(int(first.league_rank))}
        assert "none of the" in text
        return allowed | {str(len(in3))}
    if claim.topic == L.REFRESH:
        m = ctx.metrics[ctx.metrics.trust_type == claim.trust_type]
        extra = _name_numbers(ctx, claim.trust_type)
        for mid in claim.facts["metrics"]:
            assert f"data for {W.metric_name(cfg.score_id_of(mid))}." in _unexpanded(text), (mid, text)
            now = set(m[(m.quarter == r.quarter) & (m.metric_id == mid)].reporting_date.astype(str))
            then = set(m[(m.quarter == prev.quarter) & (m.metric_id == mid)].reporting_date.astype(str))
            assert now != then
            extra |= {x for p in now | then for x in re.findall(r"\d+(?:/\d+)?", p)}
            extra |= {x for p in now | then for x in re.findall(r"\d+", p)}
        code = claim.facts["trust"]
        for sid in claim.facts["scores"]:
            pa = prev.items[(prev.items.trust_code == code) & (prev.items["item"] == sid)].score.iloc[0]
            pb = r.items[(r.items.trust_code == code) & (r.items["item"] == sid)].score.iloc[0]
            assert f"from {pa:.2f} to {pb:.2f}" in text
            extra |= {f"{pa:.2f}", f"{pb:.2f}"}
        rb, rn = int(prev.trust(code).league_rank), int(r.trust(code).league_rank)
        assert re.search(rf"from {rb}(st|nd|rd|th) to {rn}(st|nd|rd|th)", text)
        return allowed | extra | {str(rb), str(rn)}
    if claim.topic == L.CLIFF_EDGE:
        items = r.items[r.items.trust_code.isin(g.trust_code)]
        extra = _name_numbers(ctx, claim.trust_type)
        for raw_id, spec in cfg.raw["metrics"].items():
            s = items[items["item"] == cfg.score_id_of(raw_id)].score
            if spec.get("rule") not in ("target", "floor") or s.empty:
                continue
            edge = 1.0 if spec["rule"] == "target" else 4.0
            k = int((s == edge).sum())
            if spec["rule"] == "target":
                assert (s[s != edge] >= 2.0).all()  # missing a target scores 2.00 or worse, as the text says
            if len(s) == 1:
                assert "the one trust" in text and "1 of 1" not in text
            else:
                assert (f"{k} of the {len(s)} trusts" if k else f"none of the {len(s)} trusts") in text
            line = spec.get("target", spec.get("floor"))
            extra |= {str(k), str(len(s)), _fmt(float(line))}
            # named and measured as the packs name and measure it, not in NHS England's description and units
            units = str(ctx.metrics[ctx.metrics.metric_id == raw_id].units.iloc[0])
            assert f"On {W.metric_name(cfg.score_id_of(raw_id))}," in _unexpanded(text), (raw_id, text)
            assert f"{W.quantity(line, units, raw_id)}." in text, (raw_id, text)
        assert not re.search(r"\b(mins|count|rate)\b|1 of 1 trusts", text), text
        return allowed | extra
    if claim.topic == L.MISSING:
        items = r.items[r.items.trust_code.isin(g.trust_code)]
        counts = items.groupby("item").trust_code.nunique()
        common = set(counts[counts >= n / 2].index)
        lacking = sum(1 for c in g.trust_code if not common <= set(items[items.trust_code == c]["item"]))
        assert f"{cfg.plural(claim.trust_type)}, {lacking if lacking else 'none'} lack" in text
        lo, hi = int(g.n_items.min()), int(g.n_items.max())
        return allowed | {str(lacking), str(lo), str(hi)}
    raise AssertionError(f"no check for topic {claim.topic}")


def test_every_quantified_sentence_is_true_every_quarter_and_type(loaded):
    name, config, dataset = loaded
    seen = set()
    for ctx in _contexts(config, dataset):
        prev = ctx.previous
        claims = L.claims(ctx.result, prev, ctx.metrics, config)
        assert claims, (name, ctx.quarter)
        for claim in claims:
            allowed = _verify(claim, ctx, prev)
            _check_numbers(claim, allowed)
            seen.add(claim.topic)
        for ttype in ctx.result.trust_types:  # every type gets the points that need no earlier quarter
            topics = {c.topic for c in claims if c.trust_type == ttype}
            assert {L.RANKS, L.RELATIVE, L.SMALL_NUMBERS, L.WEIGHTS, L.DEFICIT, L.MISSING} <= topics
            if prev is not None:
                assert L.REGRESSION in topics
    if name != "acute Q1":  # one quarter only: nothing to compare with
        assert {L.REGRESSION, L.REFRESH} <= seen, seen
