"""Chart alt text holds the chart's message only, in other words than the caption.

A screen reader reads a chart's alt text (its accessible name in HTML, /Alt in
the PDF, ``descr`` in Word: every writer takes ``Figure.alt``), then its
caption, then the data table. So the alt states the message, never repeats the
caption, never lists every value (the table does) and is written in sentences
that each start with a capital letter.
"""
from __future__ import annotations

import re

import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.pack import pack_document
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


def test_alt_text_states_a_message_not_every_value(figures):
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
