"""Prose that analysts edit, kept in ``templates/prose/*.md``.

Each file is a Jinja template (strict: a misspelt name is an error, never a
blank) over the facts the content stage passes in, written in the Markdown
(CommonMark, read by markdown-it-py) that the document model can carry:

- paragraphs, separated by a blank line;
- ``## Heading`` opens a subsection of the section the prose is placed in
  (``###`` one level deeper, down to ``######``);
- bulleted (``- ``) and numbered (``1. ``) lists, one paragraph per item, not nested;
- ``**bold**`` and ``[link text](address)`` inside a paragraph.

Anything else (italics, code, images, quotes, tables, HTML, nested lists, a
``#`` title) is refused with the prose file and line, never printed as
literal Markdown.

Facts are text, never markup: every value a template substitutes is
escaped before the Markdown is read, so a file or trust name such as
``[x](javascript:alert(1)).csv`` stays literal text. Numbers are never typed
into the prose: they come in as facts.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ConfigError
from ..model import Block, BulletList, Paragraph, Run, Section
from ..resources import templates_dir

_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_SPACE = re.compile(r"\s+")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def literal(value: Any) -> str:
    """A fact as Markdown that reads back as exactly its text: every punctuation mark escaped, one line."""
    return _PUNCTUATION.sub(r"\\\1", _SPACE.sub(" ", str(value)))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "prose")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: facts are escaped by ``finalize``; each writer escapes its output
        finalize=literal,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # CommonMark with HTML recognised (so that it can be refused), no typographic replacements.
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})


class ProseError(ConfigError):
    """A prose file holds Markdown the document model cannot carry."""


_BLOCK_NAMES = {
    "blockquote_open": "a block quote", "code_block": "an indented code block", "fence": "a code block",
    "hr": "a horizontal rule", "html_block": "HTML", "table_open": "a table",
}
_INLINE_NAMES = {
    "em_open": "italics (*text* or _text_)", "code_inline": "code (`text`)", "image": "an image",
    "html_inline": "HTML", "s_open": "strikethrough",
}


class _Reader:
    """Walks markdown-it's tokens into model blocks, refusing what the model cannot carry."""

    def __init__(self, where: str):
        self.where = where

    def refuse(self, token: Token | None, what: str) -> ProseError:
        line = f", line {token.map[0] + 1}" if token is not None and token.map else ""
        return ProseError(f"{self.where}{line}: {what} cannot be carried into the documents; use paragraphs, "
                          f"## headings, - or 1. lists (not nested), **bold** and [links](address) only.")

    def blocks(self, tokens: list[Token]) -> tuple[Block, ...]:
        root: list = []
        stack: list[tuple[int, str, list]] = [(1, "", root)]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                if level < 2:
                    raise self.refuse(tok, "a # heading (the document title level)")
                text = self.paragraph(tokens[i + 1], tok).text.strip()
                while stack[-1][0] >= level:
                    _close(stack)
                stack.append((level, text, []))
                i += 3
            elif tok.type == "paragraph_open":
                stack[-1][2].append(self.paragraph(tokens[i + 1], tok))
                i += 3
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                end = _closing(tokens, i)
                stack[-1][2].append(self.list(tokens[i + 1:end], tok))
                i = end + 1
            else:
                raise self.refuse(tok, _BLOCK_NAMES.get(tok.type, f"Markdown of the kind '{tok.type}'"))
        while len(stack) > 1:
            _close(stack)
        return tuple(root)

    def list(self, inner: list[Token], opening: Token) -> BulletList:
        items = []
        i = 0
        while i < len(inner):
            tok = inner[i]
            if tok.type != "list_item_open":
                raise self.refuse(tok, "this list")
            end = _closing(inner, i)
            body = inner[i + 1:end]
            nested = next((t for t in body if t.type in ("bullet_list_open", "ordered_list_open")), None)
            if nested is not None:
                raise self.refuse(nested, "a list inside a list")
            paragraphs = [j for j, t in enumerate(body) if t.type == "paragraph_open"]
            if len(paragraphs) != 1 or len(body) != 3:
                other = next((t for t in body if t.type not in ("paragraph_open", "inline", "paragraph_close")),
                             tok)
                raise self.refuse(other, _BLOCK_NAMES.get(other.type, "a list item of more than one paragraph"))
            items.append(self.paragraph(body[1], body[0]))
            i = end + 1
        return BulletList(tuple(items), ordered=opening.type == "ordered_list_open")

    def paragraph(self, inline: Token, opening: Token) -> Paragraph:
        runs: list[Run] = []
        strong = 0
        href: str | None = None
        for child in inline.children or ():
            kind = child.type
            if kind == "text":
                _add(runs, Run(child.content, strong=strong > 0, href=href))
            elif kind in ("softbreak", "hardbreak"):
                _add(runs, Run(" ", strong=strong > 0, href=href))
            elif kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "link_open":
                if href is not None:
                    raise self.refuse(opening, "a link inside a link")
                href = str(child.attrs.get("href", ""))
            elif kind == "link_close":
                href = None
            else:
                raise self.refuse(opening, _INLINE_NAMES.get(kind, f"Markdown of the kind '{kind}'"))
        return Paragraph(tuple(runs))


def _add(runs: list[Run], run: Run) -> None:
    """Append a run, joining it to the previous one when they look the same."""
    if runs and runs[-1].strong == run.strong and runs[-1].href == run.href:
        runs[-1] = Run(runs[-1].text + run.text, strong=run.strong, href=run.href)
    else:
        runs.append(run)


def _closing(tokens: list[Token], i: int) -> int:
    """The index of the token that closes ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    raise ValueError("unbalanced Markdown tokens")


def _close(stack) -> None:
    level, heading, blocks = stack.pop()
    stack[-1][2].append(Section(heading, tuple(blocks)))


def parse(markdown: str, where: str = "prose") -> tuple[Block, ...]:
    """Turn Markdown into blocks, nesting ``##`` headings as sections; refuse what the model cannot carry."""
    return _Reader(where).blocks(_markdown().parse(markdown))


@cache
def _checked_source(name: str, source: str, filename: str) -> None:
    """Check the prose file's own Markdown, with its Jinja tags blanked so that line numbers stay the file's."""
    blanked = _JINJA.sub(lambda m: "x" * (m.group(0).startswith("{{")) + "\n" * m.group(0).count("\n"), source)
    parse(blanked, filename)


def _template_line(exc: BaseException, filename: str) -> str:
    """", line N" of the prose file where rendering failed, from the traceback Jinja rewrites for templates."""
    tb = exc.__traceback__
    line = ""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = f", line {tb.tb_lineno}"
        tb = tb.tb_next
    return line


def render(name: str, /, **facts) -> tuple[Block, ...]:
    """Render ``templates/prose/<name>.md`` with ``facts`` into blocks."""
    env = _environment()
    try:
        template = env.get_template(f"{name}.md")
    except jinja2.TemplateNotFound:
        raise FileNotFoundError(f"prose template {name}.md is missing from {templates_dir() / 'prose'}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ProseError(f"{exc.filename or name}, line {exc.lineno}: {exc.message}.") from None
    filename = template.filename or name
    assert env.loader is not None
    source = env.loader.get_source(env, f"{name}.md")[0]
    _checked_source(name, source, filename)
    try:
        text = template.render(**facts)
    except jinja2.UndefinedError as exc:
        known = ", ".join(sorted(facts)) or "none"
        raise ProseError(f"{filename}{_template_line(exc, filename)}: {exc.message}; the facts this passage "
                         f"receives are {known}.") from None
    return _parsed(text, filename)


@lru_cache(maxsize=64)
def _parsed(text: str, where: str) -> tuple[Block, ...]:
    """``parse``, once for each rendered text: many packs' passages read the same (the blocks are immutable)."""
    return parse(text, where)
