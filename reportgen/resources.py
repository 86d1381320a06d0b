"""Where the packaged resources (templates, stylesheets, prose) live.

From a checkout the templates are the top-level ``templates/`` folder; in an
installed wheel ``pyproject.toml`` maps that folder to the package
``reportgen.templates``, next to this module.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import reportgen


@cache
def templates_dir() -> Path:
    """The folder holding the Jinja templates, CSS and prose files."""
    package = Path(reportgen.__file__).resolve().parent
    installed = package / "templates"
    if installed.is_dir():
        return installed
    checkout = package.parent / "templates"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"reportgen templates not found: looked in {installed} and {checkout}"
    )
