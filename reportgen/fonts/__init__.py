"""The typeface of the PDF documents and their charts, shipped with reportgen.

Liberation Sans 2.1.5 (regular and bold; metric-compatible with Arial), under the
SIL Open Font Licence 1.1 (``OFL.txt`` beside this module). The PDF's stylesheet
declares it with ``@font-face`` under a family name no installed font has
(``FAMILY``), so WeasyPrint lays out and embeds these very files on every machine,
whatever fonts the system has: a PDF is then the same bytes everywhere.
"""
from __future__ import annotations

from pathlib import Path

#: The family name the stylesheet and the SVG charts ask for: these files and nothing else.
FAMILY = "reportgen Liberation Sans"
#: Weight -> file in this folder.
FILES = {"normal": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}


def font_file(weight: str = "normal") -> Path:
    """The shipped TrueType file of ``weight`` ("normal" or "bold")."""
    return Path(__file__).resolve().parent / FILES[weight]


def font_face_css() -> str:
    """``@font-face`` rules naming the shipped files by ``file:`` URL, for WeasyPrint."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: {weight}; '
        f'src: url("{font_file(weight).as_uri()}") format("truetype"); }}'
        for weight in FILES
    )
