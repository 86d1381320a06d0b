"""Where each link of a document goes, in each format.

Content writes links between documents as relative addresses on the site
(``X5101.pdf``, ``../league-tables.html#limits``). Those work on the site, but
die once a PDF or Word file is downloaded or emailed, so each writer asks
``resolve`` what to write:

- a link inside the document (``#id``) and an absolute address stay as they are;
- a link to the document itself, in the same format, is no link at all (the
  HTML page marks it ``aria-current``; the PDF and Word files leave it out
  where it only names another format of themselves);
- in the web page, relative links stay relative;
- in a PDF or Word file, with the site's address (``Document.site_url``, from
  ``--site-url``), the link becomes absolute; without one it becomes words that
  name the other file and where it is on the site, rather than a dead link.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..errors import InputError
from ..model import BulletList, Document, Paragraph, Section, walk

#: The formats whose files leave the site (downloaded, emailed).
PORTABLE = ("pdf", "docx")
FORMAT_NAMES = {"html": "web page", "pdf": "PDF", "docx": "Word document", "xlsx": "spreadsheet"}

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Target:
    """What a writer does with one link."""

    href: str | None      # the address to link to; None: write ``text`` without a link
    text: str             # the words to show
    self_link: bool = False  # the link points at this very file


def own_path(doc: Document, fmt: str) -> str:
    """The document's file, from the site root (or from its own folder without a path)."""
    base = doc.path or doc.slug
    return f"{base}.{fmt}"


def _split(href: str) -> tuple[str, str]:
    address, _, fragment = href.partition("#")
    return address, fragment


def _where(own: str, target: str) -> str:
    """Words for where ``target`` lies on the site, from the folder of ``own``."""
    here = posixpath.dirname(own)
    there = posixpath.dirname(target)
    if here == there:
        return "in the same folder as this file"
    if there == posixpath.dirname(here):
        return "one folder up from this file"
    return f"in the folder {there}" if there else "in its top folder"


def resolve(doc: Document, fmt: str, href: str, text: str) -> Target:
    """What the writer for ``fmt`` should write for a link ``href`` shown as ``text``."""
    if href.startswith("#") or _SCHEME.match(href):
        return Target(href, text)
    own = own_path(doc, fmt)
    address, fragment = _split(href)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(own), address)) if address else own
    if target == own:
        if fragment:  # a section of this same file
            return Target("#" + fragment, text)
        return Target(None, text, self_link=True)
    if fmt not in PORTABLE:
        return Target(href, text)
    if doc.site_url:
        base = doc.site_url.rstrip("/") + "/"
        return Target(urljoin(base, target) + (f"#{fragment}" if fragment else ""), text)
    name = posixpath.basename(target)
    return Target(None, f"{text} ({name} on the site, {_where(own, target)})")


def check_site_url(value: str) -> str:
    """The site's address as given to ``--site-url``: an absolute http(s) address, or ""."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(c.isspace() or c in '<>"' for c in value):
        raise InputError(f"--site-url '{value}' is not a web address such as https://example.org/oversight/.")
    return value.rstrip("/") + "/"


def _section_headings(doc: Document) -> dict[str, str]:
    return {b.id: b.heading for b, _ in walk(doc.blocks) if isinstance(b, Section) and b.id}


def _runs(doc: Document):
    for link in doc.related:
        yield link.href, link.text
    for block, _ in walk(doc.blocks):
        paragraphs: list[Paragraph] = []
        if isinstance(block, Paragraph):
            paragraphs = [block]
        elif isinstance(block, BulletList):
            paragraphs = list(block.items)
        for p in paragraphs:
            for run in p.runs:
                if run.href:
                    yield run.href, run.text


def link_descriptions(doc: Document, fmt: str) -> dict[str, str]:
    """Each link target written in ``fmt`` -> words describing it (PDF /Contents)."""
    headings = _section_headings(doc)
    found: dict[str, str] = {}
    for href, text in _runs(doc):
        target = resolve(doc, fmt, href, text)
        if target.href is None or target.href in found:
            continue
        if target.href.startswith("#"):
            heading = headings.get(target.href[1:])
            found[target.href] = (f"Go to the section \u201c{heading}\u201d of this document" if heading
                                  else f"Go to \u201c{text}\u201d in this document")
        else:
            host = urlsplit(target.href).netloc
            found[target.href] = f"Open \u201c{text}\u201d" + (f" on {host}" if host else "") + f": {target.href}"
    return found
