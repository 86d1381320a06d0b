"""WeasyPrint's user-agent stylesheet without its rules for every element's pseudo-elements.

Why: the stylesheet WeasyPrint applies to every page (``weasyprint/css/html5_ua.css``) styles the
``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-call``, ``::note-marker`` and
``::note-callback`` of every element (rules with no element before the ``::``). WeasyPrint makes a
computed style for each pseudo-element that a rule matches and keeps it until the document is
written: six styles for each table cell, none of them used (a cell has no marker, and the
documents have no footnotes or notes). In the 205-trust national document they are 35,000 of its
37,000 computed styles, the largest part of its memory that grows with the number of trusts.

What: ``HTML`` is ``weasyprint.HTML`` with ``lean_stylesheet()`` in place of that stylesheet: the
``::marker`` rule applies to the elements that are list items (``li`` and ``summary``, as the same
stylesheet makes them), and the footnote and note rules are left out (a page using
``float: footnote`` or CSS notes would lose their default numbering; the documents use neither).
Everything else is WeasyPrint's text, so the documents are drawn as before, byte for byte.

When: only if each of those rules is found in the installed WeasyPrint's stylesheet, line for line,
as written in ``RULES``; otherwise ``lean_stylesheet()`` is None and ``HTML`` uses WeasyPrint's own.
"""
from __future__ import annotations

from functools import lru_cache

import weasyprint

#: Each rule of WeasyPrint's user-agent stylesheet that styles a pseudo-element of every element,
#: and what takes its place (None: nothing).
RULES: dict[str, str | None] = {
    "::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }":
        "li::marker, summary::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }",
    "::footnote-call { content: counter(footnote); vertical-align: super; font-size: smaller; "
    "line-height: inherit }": None,
    '::footnote-marker { content: counter(footnote) ". " }': None,
    "::note-call { content: counter(note); vertical-align: super; font-size: smaller; line-height: inherit }": None,
    '::note-marker { content: counter(note) ". " }': None,
    '::note-callback { content: "\u202f↩" }': None,
}


def stock_text() -> str:
    """The installed WeasyPrint's user-agent stylesheet."""
    from importlib.resources import files

    from weasyprint import css

    return (files(css) / "html5_ua.css").read_text("utf-8")


def lean_text(text: str) -> str | None:
    """``text`` with ``RULES`` applied, or None if any of them is not one of its lines."""
    lines = text.split("\n")
    if any(lines.count(rule) != 1 for rule in RULES):
        return None
    return "\n".join(RULES[line] or "" if line in RULES else line for line in lines)


@lru_cache(maxsize=1)
def lean_stylesheet() -> weasyprint.CSS | None:
    """The user-agent stylesheet with ``RULES`` applied (parsed once per process), or None."""
    from weasyprint.css.counters import CounterStyle

    text = lean_text(stock_text())
    if text is None:
        return None
    # Its @counter-style rules are WeasyPrint's own, already in the counter styles every page starts with.
    return weasyprint.CSS(string=text, counter_style=CounterStyle())


class HTML(weasyprint.HTML):
    """``weasyprint.HTML`` with the lean user-agent stylesheet, where the installed WeasyPrint allows it."""

    def _ua_stylesheets(self, forms=False):
        from weasyprint.html import UA_STYLESHEET

        sheets = super()._ua_stylesheets(forms)
        lean = lean_stylesheet()
        if lean is None:
            return sheets
        return [lean if sheet is UA_STYLESHEET else sheet for sheet in sheets]
