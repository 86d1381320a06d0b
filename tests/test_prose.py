"""Prose files: Markdown read by markdown-it-py into the document model; facts always literal text."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.content import prose
from reportgen.content.prose import ProseError, parse
from reportgen.model import BulletList, Paragraph, Run, Section
from reportgen.resources import templates_dir
from tests.shared_data import shared_file

HOSTILE_FILE = "[x](javascript:alert(1)).csv"


@pytest.fixture
def prose_dir(tmp_path, monkeypatch):
    """A prose folder of one's own, for writing test templates into."""
    folder = tmp_path / "templates"
    (folder / "prose").mkdir(parents=True)
    monkeypatch.setattr(prose, "templates_dir", lambda: folder)
    prose._environment.cache_clear()
    yield folder / "prose"
    prose._environment.cache_clear()


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.md").write_text(text, encoding="utf-8")


def runs(blocks) -> list[Run]:
    out: list[Run] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out += b.runs
        elif isinstance(b, BulletList):
            for item in b.items:
                out += item.runs
        elif isinstance(b, Section):
            out += runs(b.blocks)
    return out


def test_a_list_after_a_line_of_text_is_a_list():
    blocks = parse("Some intro:\n- item one\n- item two\n")
    assert blocks == (Paragraph((Run("Some intro:"),)),
                      BulletList((Paragraph((Run("item one"),)), Paragraph((Run("item two"),))), ordered=False))


def test_a_wrapped_list_item_stays_one_item():
    blocks = parse("- first item\n  wraps here\n- second\n\n1. one\n2. two\n")
    assert blocks[0] == BulletList((Paragraph((Run("first item wraps here"),)), Paragraph((Run("second"),))))
    assert isinstance(blocks[1], BulletList) and blocks[1].ordered and len(blocks[1].items) == 2


def test_bold_links_escapes_and_headings():
    blocks = parse("Intro.\n\n## Part\n\nSee **this** and [NHS](https://example.org/a_(b)); \\*not bold\\*.\n\n"
                   "### Deeper\n\nText.\n")
    assert blocks[0] == Paragraph((Run("Intro."),))
    part = blocks[1]
    assert isinstance(part, Section) and part.heading == "Part"
    para = part.blocks[0]
    assert isinstance(para, Paragraph)
    assert Run("this", strong=True) in para.runs
    assert Run("NHS", href="https://example.org/a_(b)") in para.runs
    assert para.text.endswith("; *not bold*.")
    deeper = part.blocks[1]
    assert isinstance(deeper, Section) and deeper.heading == "Deeper"


@pytest.mark.parametrize("markdown, line, what", [
    ("Fine.\n\nSome *important* words.\n", 3, "italics"),
    ("Fine.\n\nRun `--quarter` now.\n", 3, "code"),
    ("# Title\n", 1, "# heading"),
    ("- one\n  - nested\n", 2, "a list inside a list"),
    ("Fine.\n\n<b>bold</b>\n", 3, "HTML"),
    ("Fine.\n\n> quoted\n", 3, "block quote"),
    ("Fine.\n\n![chart](c.png)\n", 3, "image"),
    ("Fine.\n\n---\n", 3, "horizontal rule"),
])
def test_markdown_the_model_cannot_carry_is_refused_with_file_and_line(prose_dir, markdown, line, what):
    write(prose_dir, "bad", "{# a comment line #}\n" + markdown)
    with pytest.raises(ProseError) as info:
        prose.render("bad")
    message = str(info.value)
    assert f"{prose_dir / 'bad.md'}, line {line + 1}: " in message, message
    assert what in message


def test_facts_are_literal_text_never_markup(prose_dir):
    write(prose_dir, "facts", "The data are in {{ files | join(\", \") }}.\n\n- {{ name }}\n\n{{ start }}\n")
    files = [HOSTILE_FILE, "[y](https://evil.example/).csv", "**bold**.csv"]
    blocks = prose.render("facts", files=files, name="<b>A</b> & _B_ `C`",
                          start="1. Not a list\n\n# nor a heading")
    assert not any(r.href for r in runs(blocks))
    assert not any(r.strong for r in runs(blocks))
    first = blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text == f"The data are in {HOSTILE_FILE}, [y](https://evil.example/).csv, **bold**.csv."
    assert blocks[1] == BulletList((Paragraph((Run("<b>A</b> & _B_ `C`"),)),))
    assert blocks[2] == Paragraph((Run("1. Not a list # nor a heading"),))


def test_every_shipped_prose_file_parses():
    for path in sorted((templates_dir() / "prose").glob("*.md")):
        prose._checked_source(path.stem, path.read_text(encoding="utf-8"), str(path))


def test_a_hostile_data_file_name_is_never_a_link_in_the_documents(tmp_path):
    from reportgen.content.national import national_document
    from reportgen.load import load
    from reportgen.release import make_context
    from reportgen.render.html import render_html

    data = tmp_path / HOSTILE_FILE
    shutil.copy(shared_file("nhs-oversight-framework-mental-health-and-community-trust-data.csv"), data)
    dataset = load([data], Config.load())
    ctx = make_context(dataset, dataset.config, dataset.latest_quarter)
    html = render_html(national_document(ctx, ("html",)))
    assert 'href="javascript' not in html
    assert HOSTILE_FILE in html


def test_a_misspelt_fact_or_a_template_error_names_the_file_and_line(prose_dir):
    write(prose_dir, "misspelt", "{# Facts: quarter. #}\nFirst paragraph.\n\nFigures for {{ quartr }}.\n")
    with pytest.raises(ProseError) as info:
        prose.render("misspelt", quarter="Q4 2025/26")
    assert str(info.value).startswith(f"{prose_dir / 'misspelt.md'}, line 4: 'quartr' is undefined; "
                                      f"the facts this passage receives are quarter.")
    write(prose_dir, "unclosed", "Text.\n\n{% if quarter %}Open.\n")
    with pytest.raises(ProseError, match=r"unclosed\.md, line 3: "):
        prose.render("unclosed", quarter="Q4 2025/26")
