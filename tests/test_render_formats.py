"""The three formats say the same thing: headings, captions and awkward names survive every writer."""
from __future__ import annotations

import re

import pytest

from reportgen.model import Figure, Section, Table, walk
from tests import checkers
from tests.conftest import AWKWARD_NAME

pytestmark = pytest.mark.slow


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def expected_strings(doc) -> list[str]:
    strings = [doc.title, AWKWARD_NAME]
    for block, _ in walk(doc.blocks):
        if isinstance(block, Section):
            strings.append(block.heading)
        elif isinstance(block, Table):
            strings.append(block.caption)
        elif isinstance(block, Figure):
            strings += [block.caption, block.data.caption]
    return strings


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_headings_captions_and_names_in_every_format(fmt, sample_outputs, sample_document):
    path = sample_outputs[fmt]
    text = {"html": checkers.html_text, "pdf": checkers.pdf_text, "docx": checkers.docx_text}[fmt](path)
    flat = squash(text)
    missing = [s for s in expected_strings(sample_document) if squash(s) not in flat]
    assert missing == []
