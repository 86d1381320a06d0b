"""Chart alt text states the message in other words than the caption (a screen reader reads both)."""
from __future__ import annotations

import re

import pytest

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.pack import pack_document
from reportgen.load import load
from reportgen.model import Figure, walk
from reportgen.release import make_context
from tests.shared_data import MH_DATA, MH_LEAGUE, shared_file


@pytest.fixture(scope="module")
def figures():
    config = Config.load()
    dataset = load([shared_file(MH_DATA), shared_file(MH_LEAGUE)], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    docs = (national_document(ctx), pack_document(ctx, "RWR"))
    return [b for d in docs for b, _ in walk(d.blocks) if isinstance(b, Figure)]


def _words(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def test_alt_text_does_not_repeat_the_caption(figures):
    assert figures
    for figure in figures:
        alt, caption = _words(figure.alt), _words(figure.caption)
        assert alt and alt != caption and not alt.startswith(caption), figure.caption
        if figure.data is not None:
            assert alt != _words(figure.data.caption), figure.caption
