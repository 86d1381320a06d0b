"""Prose that analysts edit, kept in ``templates/prose/*.md``.

Each file is a Jinja template (strict: a misspelt name is an error, never a
blank) over the facts the content stage passes in, written in a small subset
of Markdown that becomes document-model blocks:

- a blank line separates paragraphs;
- ``## Heading`` opens a subsection of the section the prose is placed in
  (``###`` one level deeper);
- lines starting ``- `` make a bulleted list, ``1. `` a numbered one;
- ``**bold**`` and ``[link text](address)`` inside a line.

Numbers are never typed into the prose: they come in as facts.
"""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2

from ..model import Block, BulletList, Paragraph, Run, Section
from ..resources import templates_dir

_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)")
_ITEM = re.compile(r"^(?:-|\d+\.)\s+")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "prose")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is model text, escaped by each writer
        trim_blocks=True,
        lstrip_blocks=True,
    )


def inline(line: str) -> Paragraph:
    runs: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(line):
        if m.start() > pos:
            runs.append(Run(line[pos:m.start()]))
        if m.group("bold") is not None:
            runs.append(Run(m.group("bold"), strong=True))
        else:
            runs.append(Run(m.group("text"), href=m.group("href")))
        pos = m.end()
    if pos < len(line):
        runs.append(Run(line[pos:]))
    return Paragraph(tuple(runs))


def parse(markdown: str) -> tuple[Block, ...]:
    """Turn the Markdown subset into blocks, nesting ``##`` headings as sections."""
    root: list = []
    stack: list[tuple[int, str, list]] = [(1, "", root)]
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = [ln.strip() for ln in chunk.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        heading = re.match(r"^(#{2,6})\s+(.*)$", lines[0])
        if heading:
            level = len(heading.group(1))
            while stack[-1][0] >= level:
                _close(stack)
            stack.append((level, heading.group(2).strip(), []))
            lines = lines[1:]
            if not lines:
                continue
        target = stack[-1][2]
        if all(_ITEM.match(ln) for ln in lines):
            ordered = lines[0][0].isdigit()
            target.append(BulletList(tuple(inline(_ITEM.sub("", ln)) for ln in lines), ordered=ordered))
        else:
            target.append(inline(" ".join(lines)))
    while len(stack) > 1:
        _close(stack)
    return tuple(root)


def _close(stack) -> None:
    level, heading, blocks = stack.pop()
    stack[-1][2].append(Section(heading, tuple(blocks)))


def render(name: str, **facts) -> tuple[Block, ...]:
    """Render ``templates/prose/<name>.md`` with ``facts`` into blocks."""
    try:
        template = _environment().get_template(f"{name}.md")
    except jinja2.TemplateNotFound:
        raise FileNotFoundError(f"prose template {name}.md is missing from {templates_dir() / 'prose'}") from None
    return parse(template.render(**facts))
