"""Where the packaged resources (templates, stylesheets, prose, example data) live.

From a checkout the templates are the top-level ``templates/`` folder and the
example data the top-level ``data/`` folder; in an installed wheel
``pyproject.toml`` maps them to the packages ``reportgen.templates`` and
``reportgen.example_data``, next to this module.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import reportgen


def _resource_dir(installed_name: str, checkout_name: str, what: str) -> Path:
    package = Path(reportgen.__file__).resolve().parent
    installed = package / installed_name
    if installed.is_dir():
        return installed
    checkout = package.parent / checkout_name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"reportgen {what} not found: looked in {installed} and {checkout}")


@cache
def templates_dir() -> Path:
    """The folder holding the Jinja templates, CSS and prose files."""
    return _resource_dir("templates", "templates", "templates")


@cache
def example_data_dir() -> Path:
    """The folder holding the fictional example data (``example-*.csv`` and its note)."""
    return _resource_dir("example_data", "data", "example data")


def example_data_files() -> list[Path]:
    """The shipped example data files: the CSV files and the note saying they are fictional."""
    folder = example_data_dir()
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and (p.suffix == ".csv" and p.name.startswith("example-") or p.suffix == ".md"))
