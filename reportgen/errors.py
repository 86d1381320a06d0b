"""Errors that reach the user as one plain sentence, and the one way any text reaches the terminal."""
from __future__ import annotations

import re
import unicodedata

#: A trust code as NHS England and ODS write it: the one rule for codes from the data and from --trust.
TRUST_CODE = re.compile(r"[A-Z0-9]{3,5}")
TRUST_CODE_RULE = "3 to 5 capital letters and digits, such as RYY"

# Control, format (bidirectional overrides, zero-width), separator and unassigned code points.
_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def printable(text: object) -> str:
    """``text`` with every character that could move a terminal's cursor, recolour it or reorder it
    written as an escape (``\\x1b``, ``\\u202e``), so text from the data prints as what it is."""
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in _UNSAFE:
            n = ord(ch)
            out.append(f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")
        else:
            out.append(ch)
    return "".join(out)


class InputError(Exception):
    """Bad input: the message names the file, line and column and what was expected."""


class ConfigError(Exception):
    """A methodology configuration or option that cannot be used."""
