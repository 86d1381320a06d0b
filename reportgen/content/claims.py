"""Every sentence a pack's verdict may say, each with the condition under which it is true.

A ``Rule`` pairs a condition on the trust's standing (``reportgen.content.standing``)
with the words it allows. ``claims(s, group)`` returns the sentences of a group
whose conditions hold, in order; nothing else writes the verdict. The property
test (``tests/test_claims.py``) checks every claim said, for every trust in
every quarter of the real and example data, against the computed results.

Groups: ``segment`` (which segment and why), ``position`` (rank and average
with their likely ranges), ``better`` and ``worse`` (what would change the
segment), ``change`` (since the previous quarter), ``down`` and ``up`` (the
scores that pull the average down most and help it most) and ``questions``
(for the board).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..changes import AVERAGE_MOVED, CUTOFF_MOVED, OVERRIDE_APPLIED, OVERRIDE_REMOVED
from . import text as T
from .standing import Driver, TrustStanding, better_edge, worse_edge

RECOVERY = "Recovery Support Programme"


@dataclass(frozen=True)
class Claim:
    key: str
    text: str


@dataclass(frozen=True)
class Rule:
    key: str
    group: str
    when: Callable[[TrustStanding], bool]
    say: Callable[[TrustStanding], str]


def _words(items: list[str]) -> str:
    return T.join_words(items)


def _rank(s: TrustStanding, rank: int | None = None) -> str:
    rank = s.rank if rank is None else rank
    return T.rank_ordinal(rank, s.tied_with if rank == s.rank else 0)


def _range(lo: float, hi: float) -> str:
    return f"{lo:.2f} to {hi:.2f}"


def _bracket(bounds: tuple[float, float]) -> str:
    lo, hi = bounds
    return f"{lo:.2f}" if lo == hi else f"between {lo:.2f} and {hi:.2f}"


# --- conditions ------------------------------------------------------------------------

def in_recovery(s: TrustStanding) -> bool:
    return s.recovery is True and s.final != s.adjusted


def held_by_deficit(s: TrustStanding) -> bool:
    return s.override and not in_recovery(s)


def deficit_no_effect(s: TrustStanding) -> bool:
    return s.deficit and not s.override and not in_recovery(s)


def on_scores(s: TrustStanding) -> bool:
    return not s.deficit and not in_recovery(s)


def average_about_same(s: TrustStanding) -> bool:
    """The previous average lies inside this quarter's likely range (or, with no range, within the
    configured threshold of a change in score)."""
    p = s.previous
    if p is None:
        return False
    if s.average_range:
        return s.average_range[0] <= p.average <= s.average_range[1]
    return abs(s.average - p.average) <= s.change_threshold + 1e-9


def rank_about_same(s: TrustStanding) -> bool:
    p = s.previous
    return p is not None and s.rank_range is not None and s.rank_range[0] <= p.rank <= s.rank_range[1]


def better_target(s: TrustStanding) -> int | None:
    """The next better segment the trust could reach on its score, or None (segment 5, segment 1, or held
    in segment 3 by the deficit rule). A trust in deficit cannot reach segment 1 or 2 on its score alone."""
    if in_recovery(s) or s.adjusted == 1 or s.override:
        return None
    return s.adjusted - 1


def _edge_known(s: TrustStanding) -> bool:
    target = better_target(s)
    return target is not None and better_edge(s, target) is not None


def on_scores_words(s: TrustStanding) -> str:
    """ "segment" or, where the Recovery Support Programme is involved, "segment on scores"."""
    p = s.previous
    return "segment on scores" if in_recovery(s) or (p is not None and p.final != p.adjusted) else "segment"


def segment_changed(s: TrustStanding) -> bool:
    return s.previous is not None and s.change_reason is not None


def recovery_left(s: TrustStanding) -> bool:
    """Both files publish the programme flag, and the trust was in it last quarter and is not now."""
    p = s.previous
    return (p is not None and p.recovery_published and p.final != p.adjusted and s.recovery is False)


def recovery_entered(s: TrustStanding) -> bool:
    p = s.previous
    return p is not None and p.recovery_published and p.final == p.adjusted and in_recovery(s)


# --- the sentences ---------------------------------------------------------------------

def _segment_recovery(s: TrustStanding) -> str:
    scores = (f"Its scores alone would put it in segment {s.unadjusted}, and the deficit rule moves it to "
              f"segment {s.adjusted}." if s.override else f"Its scores put it in segment {s.adjusted}.")
    return (f"{s.short} is in segment {s.final}. NHS England has placed it in the {RECOVERY} for intensive "
            f"support. {scores} In the league table it is ranked among the segment {s.adjusted} trusts, by its "
            f"average score.")


def _segment_override(s: TrustStanding) -> str:
    return (f"{s.short} is in segment {s.adjusted} because it is in financial deficit. A trust in deficit cannot "
            f"be in segment 1 or 2. On its scores alone it would be in segment {s.unadjusted}.")


def _segment_deficit(s: TrustStanding) -> str:
    return (f"{s.short} is in segment {s.adjusted} because of its scores. It is in financial deficit, but that "
            f"does not change its segment. The deficit rule only moves trusts out of segments 1 and 2.")


def _segment_scores(s: TrustStanding) -> str:
    return f"{s.short} is in segment {s.adjusted} because of its scores. It is not in financial deficit."


def _recovery_unknown(s: TrustStanding) -> str:
    return (f"NHS England's file for {s.quarter} does not say whether the trust is still in the {RECOVERY}. "
            f"It was in the programme in {_words(list(s.recovery_before))}. The segment shown is the one its "
            f"scores give.")


def _position_rank(s: TrustStanding) -> str:
    text = f"It ranks {_rank(s)} of {s.size} {s.plural}"
    if s.rank_range:
        text += f", but its likely range is {T.ordinal(s.rank_range[0])} to {T.ordinal(s.rank_range[1])}"
    return text + "."


def _position_average(s: TrustStanding) -> str:
    text = f"Its average score is {s.average:.2f}"
    if s.average_range:
        text += f" (likely range {_range(*s.average_range)})"
    return text + f", from {T.count(s.n_items, 'score')}. Scores run from 1 (best) to 4 (worst)."


def _position_no_ranges(s: TrustStanding) -> str:
    return (f"We cannot show likely ranges, because NHS England's league-table file for {s.quarter} is not in the "
            f"data we used.")


def _position_scores_alone(s: TrustStanding) -> str:
    return f"On its average alone it would rank {T.ordinal(s.scores_rank or 0)}."


def _better_recovery(s: TrustStanding) -> str:
    return f"Leaving segment {s.final} is a decision for NHS England, not a matter of scores."


def _better_top(s: TrustStanding) -> str:
    return "It is already in segment 1, the best."


def _better_leave_deficit(s: TrustStanding) -> str:
    return f"If it got out of deficit, its average this quarter would put it in segment {s.unadjusted}."


def _need(s: TrustStanding, target: int) -> str:
    edge = better_edge(s, target)
    assert edge is not None
    return f"its average would need to fall by about {s.average - edge:.2f}, to {edge:.2f} or lower"


def _better_deficit_3(s: TrustStanding) -> str:
    return f"To reach segment 2, it would need to get out of deficit. Also, {_need(s, 2)}."


def _better_deficit_4(s: TrustStanding) -> str:
    return f"To reach segment 3, {_need(s, 3)}. While in deficit, it cannot rise above segment 3."


def _better_scores(s: TrustStanding) -> str:
    return f"To reach segment {s.adjusted - 1}, {_need(s, s.adjusted - 1)}."


def _better_unknown(s: TrustStanding) -> str:
    return f"We cannot say how far it is from segment {better_target(s)}: no trust here is in that segment."


def _worse_bottom(s: TrustStanding) -> str:
    return "It is in segment 4, the last."


def _worse_cut(s: TrustStanding) -> str:
    edge = worse_edge(s, s.adjusted)
    assert edge is not None
    if s.exact_cutoffs:
        return (f"It would fall to segment {s.adjusted + 1} if its average rose above {edge:.2f}, "
                f"a rise of more than {edge - s.average:.2f}.")
    return (f"It would fall to segment {s.adjusted + 1} if its average rose by about {edge - s.average:.2f}, "
            f"to {edge:.2f} or more.")


def _worse_deficit(s: TrustStanding) -> str:
    return "If it went into financial deficit, it would be placed in segment 3."


def _approximate(s: TrustStanding) -> str:
    return "These are rough figures, because the cut-offs also depend on other types of trust."


def _change_none(s: TrustStanding) -> str:
    return "There is no earlier quarter in the data for this trust, so we cannot show a change."


def _change_segment_same(s: TrustStanding) -> str:
    p = s.previous
    assert p is not None
    return f"Its {on_scores_words(s)} is the same as in {p.quarter}: segment {s.adjusted}."


def _change_segment_reason(s: TrustStanding) -> str:
    p = s.previous
    assert p is not None
    where = "On scores, it" if on_scores_words(s) != "segment" else "It"
    move = f"{where} moved from segment {p.adjusted} to {s.adjusted}"
    if s.change_reason == OVERRIDE_APPLIED:
        return f"{move} because it went into financial deficit."
    if s.change_reason == OVERRIDE_REMOVED:
        return f"{move} because it left financial deficit."
    if s.change_reason == AVERAGE_MOVED:
        return f"{move} as its average changed from {p.average:.2f} to {s.average:.2f}."
    if s.change_reason == CUTOFF_MOVED:
        k = min(p.adjusted, s.adjusted)
        return (f"{move} because the cut-off moved, not because of its own average. The cut-off between "
                f"segments {k} and {k + 1} was {_bracket(p.bounds[k - 1])} in {p.quarter} and is "
                f"{_bracket(s.bounds[k - 1])} now.")
    return f"{move} on a small change in its average, from {p.average:.2f} to {s.average:.2f}."


def _change_recovery_left(s: TrustStanding) -> str:
    p = s.previous
    assert p is not None
    return f"In {p.quarter} it was in the {RECOVERY}. NHS England's file shows it has now left."


def _change_recovery_entered(s: TrustStanding) -> str:
    return f"NHS England has placed it in the {RECOVERY} since last quarter."


def _change_average(s: TrustStanding) -> str:
    p = s.previous
    assert p is not None
    if average_about_same(s) and segment_changed(s) and s.average_range:
        return (f"This change in its average is inside its likely range of {_range(*s.average_range)}, so it may "
                f"not be a real change.")
    if average_about_same(s):
        inside = (f", inside its likely range of {_range(*s.average_range)}" if s.average_range
                  else f", a change of {s.change_threshold:.2f} or less")
        return f"Its average is about the same: {p.average:.2f} in {p.quarter} and {s.average:.2f} now{inside}."
    word = "improved" if s.average < p.average else "worsened"
    return f"Its average {word}, from {p.average:.2f} in {p.quarter} to {s.average:.2f} now."


def _change_rank(s: TrustStanding) -> str:
    p = s.previous
    assert p is not None
    if s.rank_range is None:
        return f"It ranked {T.ordinal(p.rank)} then and {_rank(s)} now."
    if rank_about_same(s):
        return (f"Its rank is about the same: {T.ordinal(p.rank)} then and {_rank(s)} now, "
                f"inside its likely range.")
    word = "rose" if s.rank < p.rank else "fell"
    return f"Its rank {word} from {T.ordinal(p.rank)} to {_rank(s)}, beyond its likely range."


def driver_text(d: Driver) -> str:
    """One score that counts, named in words with its value, unit and peer median."""
    details = [f"{d.value}; median {d.median}" if d.value else f"median score {d.median}" if d.median else ""]
    if d.wider_population:
        details.append(f"scored against {d.wider_population}")
    inside = "; ".join(x for x in details if x)
    return f"{d.name[:1].upper()}{d.name[1:]}: score {d.score:.2f}" + (f" ({inside})." if inside else ".")


def _questions(s: TrustStanding) -> list[str]:
    out = []
    if in_recovery(s) or s.recovery_unknown:
        out.append(f"What must we do to leave the {RECOVERY}? Who decides, and when?")
    if s.deficit:
        out.append("What is our plan to get out of deficit? When will we be out of it?")
    if s.down:
        out.append(f"Our worst score is for {s.down[0].name}. Why is that? What would help?")
    if s.change_reason == CUTOFF_MOVED:
        out.append("Our segment changed because the cut-off moved. Did our own results change at all?")
    if s.rank_range and (s.rank_range[1] - s.rank_range[0]) >= s.size / 4:
        out.append(f"Our rank could be anywhere from {T.ordinal(s.rank_range[0])} to "
                   f"{T.ordinal(s.rank_range[1])}. Which of our own figures show real change?")
    return out[:2]


RULES: tuple[Rule, ...] = (
    Rule("segment.recovery", "segment", in_recovery, _segment_recovery),
    Rule("segment.override", "segment", held_by_deficit, _segment_override),
    Rule("segment.deficit-no-effect", "segment", deficit_no_effect, _segment_deficit),
    Rule("segment.scores", "segment", on_scores, _segment_scores),
    Rule("segment.recovery-unknown", "segment", lambda s: s.recovery_unknown, _recovery_unknown),
    Rule("position.rank", "position", lambda s: True, _position_rank),
    Rule("position.scores-alone", "position",
         lambda s: s.scores_rank is not None and s.scores_rank != s.rank, _position_scores_alone),
    Rule("position.average", "position", lambda s: True, _position_average),
    Rule("position.no-ranges", "position", lambda s: s.rank_range is None and s.average_range is None,
         _position_no_ranges),
    Rule("better.recovery", "better", in_recovery, _better_recovery),
    Rule("better.top", "better", lambda s: not in_recovery(s) and s.adjusted == 1, _better_top),
    Rule("better.leave-deficit", "better", lambda s: not in_recovery(s) and s.override, _better_leave_deficit),
    Rule("better.deficit-3", "better", lambda s: better_target(s) == 2 and s.deficit and _edge_known(s),
         _better_deficit_3),
    Rule("better.deficit-4", "better", lambda s: better_target(s) == 3 and s.deficit and _edge_known(s),
         _better_deficit_4),
    Rule("better.scores", "better", lambda s: better_target(s) is not None and not s.deficit and _edge_known(s),
         _better_scores),
    Rule("better.unknown", "better", lambda s: better_target(s) is not None and not _edge_known(s),
         _better_unknown),
    Rule("worse.bottom", "worse", lambda s: not in_recovery(s) and s.adjusted == 4, _worse_bottom),
    Rule("worse.cut", "worse",
         lambda s: not in_recovery(s) and s.adjusted < 4 and worse_edge(s, s.adjusted) is not None, _worse_cut),
    Rule("worse.deficit", "worse", lambda s: not in_recovery(s) and not s.deficit and s.adjusted < 3,
         _worse_deficit),
    Rule("worse.approximate", "worse", lambda s: not in_recovery(s) and not s.exact_cutoffs, _approximate),
    Rule("change.none", "change", lambda s: s.previous is None, _change_none),
    Rule("change.recovery-left", "change", recovery_left, _change_recovery_left),
    Rule("change.recovery-entered", "change", recovery_entered, _change_recovery_entered),
    Rule("change.segment-same", "change",
         lambda s: s.previous is not None and s.change_reason is None, _change_segment_same),
    Rule("change.segment", "change", segment_changed, _change_segment_reason),
    Rule("change.average", "change", lambda s: s.previous is not None, _change_average),
    Rule("change.rank", "change", lambda s: s.previous is not None, _change_rank),
)


def claims(s: TrustStanding, group: str) -> list[Claim]:
    """The sentences of ``group`` whose conditions hold for ``s``, in order."""
    out = [Claim(rule.key, rule.say(s)) for rule in RULES if rule.group == group and rule.when(s)]
    if group == "down":
        out = [Claim(f"down.{d.item}", driver_text(d)) for d in s.down]
    elif group == "up":
        out = [Claim(f"up.{d.item}", driver_text(d)) for d in s.up]
    elif group == "questions":
        out = [Claim(f"question.{k}", q) for k, q in enumerate(_questions(s))]
    return out
