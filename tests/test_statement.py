"""The accessibility statement: contact route from the configuration, another format, known
limitations and the date, in the national document (example data)."""
from __future__ import annotations

import dataclasses

import pytest

from reportgen.config import Config, _thaw
from reportgen.content.national import accessibility_section
from reportgen.load import load
from reportgen.model import Section, walk
from reportgen.release import make_context
from tests.shared_data import ROOT


@pytest.fixture(scope="module")
def ctx():
    config = Config.load()
    dataset = load([ROOT / "data"], config)
    return make_context(dataset, config, dataset.latest_quarter)


def _text(section: Section) -> str:
    parts = []
    for block, _ in walk(section.blocks):
        if isinstance(block, Section):
            parts.append(block.heading)
        elif hasattr(block, "text"):
            parts.append(block.text)
        elif hasattr(block, "items"):
            parts.extend(item.text for item in block.items)
    return "\n".join(parts)


def _with_publisher(ctx, **publisher):
    raw = _thaw(ctx.config.raw)
    raw["publisher"] = {**raw.get("publisher", {}), **publisher}
    return dataclasses.replace(ctx, config=Config(raw, ctx.config.path))


def test_statement_gives_contact_format_limitations_and_date(ctx):
    configured = _with_publisher(ctx, name="The Example Analysis Team", contact="analysis@example.org",
                                 response_time="within 5 working days")
    text = _text(accessibility_section(configured))
    assert "Contact The Example Analysis Team: analysis@example.org." in text
    assert "We aim to reply within 5 working days." in text
    assert "another format" in text and "large print" in text
    assert "Known limitations" in text
    assert "Date of this statement" in text and "dated 31 March 2026" in text
    assert "please tell the team" not in text


def test_without_a_configured_contact_the_statement_says_so(ctx):
    unset = _with_publisher(ctx, name="", contact="")
    text = _text(accessibility_section(unset))
    assert "not yet configured" in text
