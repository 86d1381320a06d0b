"""Every claim a pack's verdict makes, checked against the computed results for every trust in every
quarter of the real mental health and community file (with its league table), the real acute Q1 file
and the example data; and the false sentences of the old packs pinned as impossible."""
from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from reportgen.changes import cutoff_bounds
from reportgen.config import Config
from reportgen.content import claims as C
from reportgen.content import text as T
from reportgen.content.claims import claims
from reportgen.content.limits import parse_range
from reportgen.content.pack import pack_document
from reportgen.content.readability import long_sentences, reading_age, section_readings
from reportgen.content.standing import standing
from reportgen.load import load
from reportgen.model import BulletList, Paragraph, Section, Table
from reportgen.release import make_context
from tests.shared_data import ACUTE_Q1_DATA, MH_DATA, MH_LEAGUE, ROOT, shared_file

pytestmark = pytest.mark.slow

GROUPS = ("segment", "position", "better", "worse", "change", "down", "up", "questions")
SEGMENT_REASONS = {"segment.recovery", "segment.override", "segment.deficit-no-effect", "segment.scores"}

_CONTEXTS: dict = {}


def base_context(source: str):
    if source not in _CONTEXTS:
        config = Config.load()
        if source == "mh":
            dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
        elif source == "acute":
            dataset = load([shared_file(ACUTE_Q1_DATA)], config, quarter="Q1 2025/26")
        else:
            dataset = load([ROOT / "data"], config)
        _CONTEXTS[source] = make_context(dataset, config, dataset.latest_quarter)
    return _CONTEXTS[source]


def contexts(source: str):
    ctx = base_context(source)
    return [dataclasses.replace(ctx, quarter=q) for q in sorted(ctx.results)]


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])-?\d+\.\d\d(?!\d)", text)]


def unit_words(quantity: str) -> str:
    """The words of a quantity without its figure, singular: "0.9 days" and "1 day" both give "day"."""
    words = re.sub(r"-?\d[\d,]*(\.\d+)?", " ", quantity).split()
    return " ".join(w[:-1] if w.endswith("s") and w not in ("is",) else w for w in words)


def observed_or_exact(result, value: float, target: int, side: str) -> bool:
    """``value`` is where the cut-off next to segment ``target`` surely lies, on ``side``:
    "better" -- a value this low or lower is in ``target`` or better;
    "worse" -- a value this high (or above it, with exact cut-offs) is in ``target`` + 1 or worse."""
    t = result.trusts
    cut = result.cutoffs
    if cut.values is not None:
        c = cut.values[target - 1]
        return value <= c + 1e-9 if side == "better" else (c - 0.01 < value <= c + 1e-9)
    same = t[np.isclose(t.average_score, value)]
    if side == "better":
        return bool(((same.unadjusted_segment <= target)).any()) and value == t[
            t.unadjusted_segment <= target].average_score.max()
    return bool((same.unadjusted_segment >= target + 1).any()) and value == t[
        t.unadjusted_segment >= target + 1].average_score.min()


def check_trust(ctx, code: str) -> list[str]:
    """Every claim said for one trust in one quarter, checked against the results; returns the claim keys."""
    r = ctx.result
    row = r.trust(code)
    s = standing(ctx, code)
    said = {g: claims(s, g) for g in GROUPS}
    keys = [c.key for g in GROUPS for c in said[g]]
    text = " ".join(c.text for g in GROUPS for c in said[g])
    final, adj, unadj = int(row.final_segment), int(row.adjusted_segment), int(row.unadjusted_segment)
    deficit = bool(row.deficit)
    ids = ctx.config.summary_ids
    q = ctx.quarter_metrics

    # -- which segment and why: exactly one reason
    reasons = SEGMENT_REASONS & set(keys)
    assert len(reasons) == 1, (code, keys)
    reason = reasons.pop()
    if reason == "segment.recovery":
        assert final == 5 and bool(row.recovery_support) and bool(row.recovery_published)
        # "ranked among the segment N trusts, by its average score": its rank comes after every trust of its
        # type in a better segment and before every one in a worse, on the segment its scores give
        assert f"ranked among the segment {adj} trusts" in said["segment"][0].text
        peers = r.trusts[r.trusts.trust_type == row.trust_type]
        assert (peers[peers.adjusted_segment < adj].league_rank < row.league_rank).all(), code
        assert (peers[peers.adjusted_segment > adj].league_rank > row.league_rank).all(), code
    elif reason == "segment.override":
        assert deficit and unadj in (1, 2) and adj == 3 and final == adj
        assert f"would be in segment {unadj}" in said["segment"][0].text
    elif reason == "segment.deficit-no-effect":
        assert deficit and unadj == adj and adj in (3, 4)
    else:
        assert not deficit and unadj == adj
    first = said["segment"][0].text
    assert f"is in segment {final}" in first or f"is in segment {adj}" in first
    # segment 5 never silently disappears
    flags = q[(q.trust_code == code) & (q.metric_id == ids["recovery_flag"])]
    earlier = [p for p in ctx.results if _before(p, ctx.quarter)]
    in_before = [p for p in earlier if _final(ctx.results[p], code) == 5]
    if flags.empty and in_before:
        assert "segment.recovery-unknown" in keys, code
        assert "Recovery Support Programme" in text
    if "segment.recovery-unknown" in keys:
        assert flags.empty and in_before

    # -- rank and average, with the published likely ranges when loaded
    rank_text = said["position"][0].text
    assert f"{T.ordinal(int(row.league_rank))} of {int(row.league_size)}" in rank_text
    rr = parse_range(row.likely_range_of_rank)
    if rr:
        assert f"{T.ordinal(int(rr[0]))} to {T.ordinal(int(rr[1]))}" in rank_text
    avg_text = next(c.text for c in said["position"] if c.key == "position.average")
    assert f"{row.average_score:.2f}" in avg_text
    ar = parse_range(row.likely_range_of_average_score)
    if ar:
        assert f"{ar[0]:.2f} to {ar[1]:.2f}" in avg_text
    if "position.scores-alone" in keys:
        t = r.trusts[r.trusts.trust_type == row.trust_type]
        alone = int((t.average_score.round(2) < round(float(row.average_score), 2)).sum()) + 1
        claim = next(c.text for c in said["position"] if c.key == "position.scores-alone")
        assert T.ordinal(alone) in claim and alone != int(row.league_rank)

    # -- what would change it
    for c in said["better"]:
        m = re.search(r"reach segment (\d)", c.text)
        if m:
            target = int(m.group(1))
            assert target < adj and final == adj
            if deficit and target <= 2:
                assert "out of deficit" in c.text, c.text  # the deficit rule is honest
            edge = re.search(r"to (\d\.\d\d) or lower", c.text)
            dist = re.search(r"by about (\d\.\d\d)", c.text)
            assert edge and dist
            assert observed_or_exact(r, float(edge.group(1)), target, "better"), (code, c.text)
            assert math.isclose(float(dist.group(1)), round(float(row.average_score) - float(edge.group(1)), 2),
                                abs_tol=0.006)
        if c.key == "better.recovery":
            assert final == 5
        if c.key == "better.top":
            assert adj == 1 and final == 1
        if c.key == "better.leave-deficit":
            assert deficit and adj == 3 and f"segment {unadj}" in c.text
    for c in said["worse"]:
        if c.key == "worse.cut":
            m = re.search(r"fall to segment (\d)", c.text)
            assert m and int(m.group(1)) == adj + 1
            edge = re.search(r"(?:above|to) (\d\.\d\d)", c.text)
            assert edge and observed_or_exact(r, float(edge.group(1)), adj, "worse"), (code, c.text)
        if c.key == "worse.bottom":
            assert adj == 4
        if c.key == "worse.deficit":
            assert not deficit and adj < 3
    if final == 5:
        assert not any(re.search(r"reach segment", c.text) for c in said["better"])

    # -- since last quarter
    prev = s.previous
    if prev is None:
        assert keys.count("change.none") == 1
    else:
        p = ctx.results[prev.quarter].trust(code)
        change_text = " ".join(c.text for c in said["change"])
        inside = ar[0] <= float(p.average_score) <= ar[1] if ar else (
            abs(float(p.average_score) - float(row.average_score)) <= ctx.config.change_threshold + 1e-9)
        if inside:
            assert "improved" not in change_text and "worsened" not in change_text, (code, change_text)
        else:
            assert ("improved" in change_text) == (float(row.average_score) < float(p.average_score))
        if int(p.adjusted_segment) != adj:
            assert f"from segment {int(p.adjusted_segment)} to {adj}" in change_text
            if "cut-off moved" in change_text:
                # with last quarter's cut-off, its new average would have kept its old segment
                k = min(int(p.adjusted_segment), adj)
                lo, hi = cutoff_bounds(ctx.results[prev.quarter].cutoffs)[k - 1]
                now = float(row.average_score)
                assert (now <= lo + 1e-9) if adj > int(p.adjusted_segment) else (now >= hi - 1e-9)
                assert "between segments" in change_text
        else:
            assert "moved from segment" not in change_text
        if rr:
            rank_inside = rr[0] <= int(p.league_rank) <= rr[1]
            assert ("about the same" in said["change"][-1].text) == rank_inside

    # -- the scores pulling the average down most and helping most: only scores that count
    items = r.items[r.items.trust_code == code]
    avg = float(row.average_score)
    worst = items[items.score > avg + 1e-9].sort_values("score", ascending=False, kind="stable")
    best = items[items.score < avg - 1e-9].sort_values("score", kind="stable")
    for group, frame in (("down", worst), ("up", best)):
        got = [c.key.split(".", 1)[1] for c in said[group]]
        assert set(got) <= set(items["item"]), (code, got)
        scores = [float(items.set_index("item").loc[g, "score"]) for g in got]
        expected = sorted(frame.score.tolist(), reverse=(group == "down"))[:3]
        assert scores == pytest.approx(expected), (code, group, got)
        for c, sc in zip(said[group], scores):
            assert f"score {sc:.2f}" in c.text
        for d in getattr(s, group):
            if d.value and d.median != T.NO_DATA:
                # a median has the unit its value has: "1 day; median 0.9 days", never "median 0.9"
                assert unit_words(d.median) == unit_words(d.value), (code, d.value, d.median)
                assert f"{d.value}; median {d.median}" in C.driver_text(d)
            assert not re.search(r"\bOF\d{4}\b|\bHCAI\b", c.text), c.text  # codes in tables only
            assert not re.search(r"\d count\b|(?<![\d.])1 days\b|\bmins\b", c.text), c.text  # units in words
    if "down" in keys or said["down"]:
        assert all(float(items.set_index("item").loc[c.key.split(".", 1)[1], "score"]) > avg for c in said["down"])

    # -- questions follow from the facts
    qs = " ".join(c.text for c in said["questions"])
    assert ("deficit" in qs) <= deficit
    assert len(said["questions"]) <= 2

    # -- plain English in every claim
    for g in GROUPS:
        for c in said[g]:
            assert not long_sentences(c.text), c.text
            assert not re.search(r"\b(nhs|mrsa|mh|cqc)\b", c.text), c.text  # acronyms keep their capitals
    return keys


def _before(a: str, b: str) -> bool:
    from reportgen.quarters import sort_key

    return sort_key(a) < sort_key(b)


def _final(result, code: str) -> int | None:
    t = result.trusts[result.trusts.trust_code == code]
    return int(t.final_segment.iloc[0]) if len(t) else None


@pytest.mark.parametrize("source", ["mh", "acute", "example"])
def test_every_claim_for_every_trust_and_quarter_is_true(source):
    seen: set[str] = set()
    n = 0
    for ctx in contexts(source):
        for code in ctx.result.trusts.trust_code:
            seen.update(check_trust(ctx, code))
            n += 1
    assert n >= {"mh": 244, "acute": 134, "example": 820}[source]
    # the property test reached the cases that matter in each input
    expected = {"segment.scores", "segment.deficit-no-effect", "position.rank", "position.average",
                "worse.cut", "worse.bottom", "better.scores"}
    expected |= {"mh": {"segment.override", "segment.recovery", "segment.recovery-unknown", "change.segment",
                        "better.deficit-3", "better.leave-deficit"},
                 "acute": {"segment.recovery", "better.recovery", "better.deficit-3", "change.none"},
                 "example": {"segment.override", "segment.recovery", "better.leave-deficit"}}[source]
    assert expected <= seen, expected - seen


# --- the false sentences of the old packs, pinned as impossible --------------------------------------

def pack_text(ctx, code: str) -> str:
    doc = pack_document(ctx, code)
    out = []

    def walk(blocks):
        for b in blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, BulletList):
                out.extend(i.text for i in b.items)
            elif isinstance(b, Section):
                walk(b.blocks)
            elif isinstance(b, Table):
                out.append(" ".join(" ".join(r) for r in b.rows))
    walk(doc.blocks)
    return "\n".join(out)


def test_no_trust_in_deficit_is_told_a_fall_in_its_average_would_reach_segment_1_or_2():
    for source in ("mh", "acute", "example"):
        for ctx in contexts(source):
            t = ctx.result.trusts
            for code in t.trust_code[t.deficit]:
                for c in claims(standing(ctx, code), "better"):
                    assert "would be enough" not in c.text
                    if re.search(r"reach segment [12]\b", c.text):
                        assert "out of deficit" in c.text, (code, c.text)


def test_limits_say_the_deficit_rule_only_moves_trusts_out_of_segments_1_and_2():
    ctx = base_context("mh")
    text = pack_text(ctx, "RY2")  # in deficit and in segment 4
    assert "whatever its score" not in text
    assert "A trust in financial deficit cannot be in segment 1 or 2." in text
    assert "is in segment 4 because of its scores. It is in financial deficit, but that does not change" in text


def test_drivers_never_name_a_score_that_does_not_count_or_helps():
    ctx = base_context("mh")
    q1 = dataclasses.replace(ctx, quarter="Q4 2025/26")
    s = standing(q1, "RW1")
    counted = set(q1.result.items[q1.result.items.trust_code == "RW1"]["item"])
    for d in s.down:
        assert d.item in counted and d.score > s.average
        assert d.item not in ("OF1081", "OF1079")  # replaced by the combined finance score
    # RWR's real drag: sickness absence, scored against all types of trust, is named and explained
    rwr = standing(ctx, "RWR")
    assert rwr.down[0].item == "OF1082"
    assert "scored against all types of trust" in C.driver_text(rwr.down[0])
    acute = base_context("acute")
    for code in acute.result.trusts.trust_code:
        for d in standing(acute, code).down:
            assert "count" not in d.value and "count" not in d.median


def test_likely_range_of_rank_is_shown_when_the_league_table_is_loaded():
    ctx = base_context("mh")
    rank = claims(standing(ctx, "RXT"), "position")[0].text
    assert "joint 45th of 61" in rank and "11th to 58th" in rank


def test_small_changes_are_about_the_same_not_improved_or_worsened():
    ctx = base_context("mh")
    change = " ".join(c.text for c in claims(standing(ctx, "RWR"), "change"))
    assert "about the same: 2.06 in Q3 2025/26 and 2.12 now" in change
    assert "worsened" not in change and "improved" not in change


def test_a_segment_change_caused_by_the_cut_off_says_so_with_the_cut_offs():
    ctx = base_context("mh")
    change = " ".join(c.text for c in claims(standing(ctx, "RX4"), "change"))
    assert "from segment 3 to 4 because the cut-off moved" in change
    assert "between 2.70 and 2.74 in Q3 2025/26" in change and "between 2.57 and 2.60 now" in change


def test_segment_5_does_not_silently_disappear():
    ctx = base_context("mh")
    for quarter in ("Q3 2025/26", "Q4 2025/26"):
        q = dataclasses.replace(ctx, quarter=quarter)
        text = pack_text(q, "RW1")
        assert "does not say whether the trust is still in the Recovery Support Programme" in text
        assert "segment 5 not published" in text  # in the quarter-by-quarter table
        assert "It is in segment 1, the best segment" not in text


def test_units_and_acronyms_in_words():
    acute = base_context("acute")
    text = pack_text(acute, "RGT")
    assert "count against" not in text and " 1 days" not in text and not re.search(r"\d count\b", text)
    assert "a acute" not in text and "an acute trust" in text
    for bad in (" mrsa", " nhs", " mh "):
        assert bad not in text
    if "MRSA" in text:
        assert re.search(r"[Mm]eticillin-resistant Staphylococcus aureus \(MRSA\)", text)  # M: starts an item


@pytest.mark.parametrize("source", ["mh", "acute", "example"])
def test_every_prose_section_of_every_pack_is_plain(source):
    """Reading age 12 or lower, sentences of 25 words or fewer, no metric code in prose."""
    ctx = base_context(source)
    worst: list[tuple[float, str, str]] = []
    for code in ctx.result.trusts.trust_code:
        doc = pack_document(ctx, code)
        for reading in section_readings(doc.blocks, heading="(opening)"):
            worst.append((reading.reading_age, code, reading.heading))
            assert not reading.long_sentences(25), (code, reading.heading, reading.long_sentences(25))
            for t in reading.texts:
                assert not re.search(r"\bOF\d{4}\b", t), (code, t)
    worst.sort(reverse=True)
    assert worst[0][0] <= 12.0, worst[:5]


def test_reading_age_is_measured_as_specified():
    assert reading_age("The cat sat. The dog ran.") < reading_age(
        "Organisational considerations necessitate comprehensive evaluation.")


@pytest.mark.parametrize("source", ["mh", "acute", "example"])
def test_the_peers_chart_and_table_say_joint_exactly_when_the_rank_is_shared(source):
    """The caterpillar's label and the "Its rank" row give a shared rank as "joint", as the verdict does, and
    an unshared one without it, for every trust in every quarter."""
    from reportgen.content.pack import peers_section
    from reportgen.model import Caterpillar, Figure, walk

    tied = untied = 0
    for ctx in contexts(source):
        for code in ctx.result.trusts.trust_code:
            s = standing(ctx, code)
            figure = next(b for b, _ in walk((peers_section(ctx, s),)) if isinstance(b, Figure))
            chart, table = figure.chart, figure.data
            assert isinstance(chart, Caterpillar) and table is not None
            row = dict(table.rows)["Its rank"]
            said = f"{'joint ' if s.tied_with else ''}{T.ordinal(s.rank)}"
            assert f"ranked {said}" in " ".join(chart.highlight_label), (code, chart.highlight_label)
            assert row.startswith(f"{said} of {s.size}"), (code, row)
            tied, untied = tied + bool(s.tied_with), untied + (not s.tied_with)
    assert tied and untied  # both cases reached
