"""Chart alt text says what is drawn; the caption states the message; neither repeats the other.

A screen reader reads a chart's alt text (its accessible name in HTML, /Alt in
the PDF, ``descr`` in Word: every writer takes ``Figure.alt``), then its
caption, then the data table. A sighted reader, on screen or paper, sees only
the caption. So the caption states the chart's message for every reader, and
the alt says in a sentence what is drawn: it never repeats the caption, never
lists every value (the table does) and is written in sentences that each start
with a capital letter.
"""
from __future__ import annotations

import re

import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.pack import pack_document
from reportgen.content.text import ordinal
from reportgen.load import load
from reportgen.model import BarChart, Caterpillar, DotPlot, Figure, walk
from reportgen.release import make_context
from tests.shared_data import MH_DATA, MH_LEAGUE, ROOT, shared_file

#: More figures than this in an alt text is a list of values, not a message.
MOST_NUMBERS = 4
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _figures(paths, trust):
    config = Config.load()
    dataset = load(paths, config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    docs = (national_document(ctx), pack_document(ctx, trust(ctx)))
    return [b for d in docs for b, _ in walk(d.blocks) if isinstance(b, Figure)]


@pytest.fixture(scope="module", params=["real", "example"])
def figures(request):
    if request.param == "real":
        return _figures([shared_file(MH_DATA), shared_file(MH_LEAGUE)], lambda ctx: "RWR")
    # an example trust held in segment 3 by the deficit rule, so every kind of label is drawn
    return _figures([ROOT / "data"],
                    lambda ctx: ctx.result.trusts[ctx.result.trusts.override_applied].trust_code.iloc[0])


def _words(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _values(chart) -> set[str]:
    if isinstance(chart, BarChart):
        return {f"{b.value:g}" for b in chart.bars}
    if isinstance(chart, DotPlot):
        return {f"{r.value:.2f}" for r in chart.rows if r.value is not None}
    if isinstance(chart, Caterpillar):
        return {f"{p.value:.2f}" for p in chart.points}
    raise AssertionError(type(chart))


def test_alt_text_does_not_repeat_the_caption(figures):
    assert figures
    for figure in figures:
        alt, caption = _words(figure.alt), _words(figure.caption)
        assert alt and alt != caption and not alt.startswith(caption), figure.caption
        for sentence in _sentences(figure.alt):
            assert _words(sentence) not in caption, (sentence, figure.caption)
        if figure.data is not None:
            assert alt != _words(figure.data.caption), figure.caption
            assert caption != _words(figure.data.caption), figure.caption


def test_alt_text_does_not_list_every_value(figures):
    for figure in figures:
        numbers = NUMBER.findall(figure.alt)
        assert len(numbers) <= MOST_NUMBERS, figure.alt
        values = _values(figure.chart)
        assert len(values) < 2 or not values <= set(numbers), figure.alt


def test_every_sentence_of_alt_text_starts_with_a_capital(figures):
    for figure in figures:
        for sentence in _sentences(figure.alt):
            assert not sentence[0].islower(), (sentence, figure.alt)
        assert figure.alt.rstrip().endswith("."), figure.alt


def _message_figures(chart) -> set[str]:
    """The counts a chart's message is made of, each computed from what the chart draws."""
    if isinstance(chart, BarChart):  # how many the highlighted bar holds
        return {f"{b.value:g}" for b in chart.bars if b.highlight}
    if isinstance(chart, DotPlot):  # in how many rows the trust is at or better than the median
        rows = [r for r in chart.rows if r.value is not None and r.median is not None]
        return {f"{sum(1 for r in rows if round(r.value, 2) <= round(r.median, 2))} of {len(chart.rows)}"}
    if isinstance(chart, Caterpillar):
        mine = [p for p in chart.points if p.highlight]
        if mine:  # the highlighted trust's position, and how many ranges cross a cut-off
            better = sum(1 for p in chart.points if round(p.value, 2) < round(mine[0].value, 2))
            ranged = sum(1 for p in chart.points if p.low is not None)
            return {f"{ordinal(1 + better)} best"} | ({f"{_crossing(chart)} of {ranged}"} if ranged and chart.cutoffs
                                                       else set())
        return {str(_crossing(chart))}
    raise AssertionError(type(chart))


def _crossing(chart: Caterpillar) -> int:
    """How many likely ranges surely cross a cut-off: pass an exact one, or span the whole of a bracket."""
    def crosses(p, c) -> bool:
        return p.low <= c.low and (p.high > c.high if c.low == c.high else p.high >= c.high)
    return sum(1 for p in chart.points if p.low is not None and p.high is not None
               and any(crosses(p, c) for c in chart.cutoffs))


def test_the_caption_states_the_message(figures):
    """Every chart's visible caption states its message, a count drawn from what the chart shows, since a
    sighted reader on paper meets only the caption; the alt text says what is drawn."""
    for figure in figures:
        for wanted in _message_figures(figure.chart):
            assert re.search(rf"(?<![\d.]){re.escape(wanted)}(?![\d.])", figure.caption), (wanted, figure.caption)


def test_a_caterpillar_is_described_the_way_it_is_drawn(figures):
    """A strip puts the best trust on the left, a named list at the top: its key and alt text say which."""
    caterpillars = [f for f in figures if isinstance(f.chart, Caterpillar)]
    assert caterpillars
    for figure in caterpillars:
        drawn = "at the top" if figure.chart.show_labels else "on the left"
        other = "on the left" if figure.chart.show_labels else "at the top"
        for text in (figure.alt, figure.chart.key, figure.caption):
            assert f"best {other}" not in text, text
        assert f"best {drawn}" in figure.alt, figure.alt
