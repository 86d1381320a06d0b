"""The typeface of the PDF documents and of the charts, shipped with reportgen.

Liberation Sans 2.1.5 (regular and bold; metric-compatible with Arial), under the
SIL Open Font Licence 1.1 (``OFL.txt`` beside this module). It goes by a family
name no installed font has (``FAMILY``), so these very files are used on every
machine, whatever fonts the system has, and a PDF or a Word chart is the same
bytes everywhere:

- the PDF's stylesheet declares them with ``@font-face`` (``font_face_css``), for WeasyPrint;
- ``use_in_fontconfig`` adds them to this process's fontconfig, which Cairo, and
  so CairoSVG (the Word charts), finds fonts through.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from html import escape
from pathlib import Path

#: The family name the stylesheet and the SVG charts ask for: these files and nothing else.
FAMILY = "reportgen Liberation Sans"
#: Weight -> file in this folder.
FILES = {"normal": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}
#: How fontconfig tells Cairo to draw the shipped files (Debian's defaults), whatever the system's settings.
RENDERING = (("antialias", "<bool>true</bool>"), ("hinting", "<bool>true</bool>"),
             ("hintstyle", "<const>hintslight</const>"), ("autohint", "<bool>false</bool>"),
             ("rgba", "<const>none</const>"), ("lcdfilter", "<const>lcddefault</const>"),
             ("embeddedbitmap", "<bool>false</bool>"), ("dpi", "<double>75</double>"))
#: A CSS or SVG font-family value naming the shipped files only.
SHIPPED_FAMILY = f'"{FAMILY}", sans-serif'


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


def use_shipped_family(markup: str, family: str) -> str:
    """``markup`` (HTML or SVG) with each ``font-family="family"`` attribute naming the shipped files."""
    return markup.replace(f'font-family="{escape(family)}"', f'font-family="{escape(SHIPPED_FAMILY)}"')


@cache
def use_in_fontconfig() -> None:
    """Make the shipped files, as ``FAMILY``, part of this process's fontconfig set-up.

    Each file is added as an application font after a scan rule that names its
    family ``FAMILY``, so asking for ``FAMILY`` finds exactly these files. Raises
    OSError when the fontconfig library cannot be loaded.
    """
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    lib = ctypes.CDLL(name)
    lib.FcConfigGetCurrent.restype = ctypes.c_void_p
    lib.FcConfigParseAndLoadFromMemory.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    config = lib.FcConfigGetCurrent()
    rules = "".join(
        f'<match target="scan"><test name="file" compare="eq"><string>{escape(str(font_file(weight)))}</string>'
        f'</test><edit name="family" mode="assign_replace"><string>{escape(FAMILY)}</string></edit></match>'
        for weight in FILES)
    # and how to draw them, the same wherever the system's own settings differ (Debian's defaults)
    rules += (f'<match target="font"><test name="family"><string>{escape(FAMILY)}</string></test>'
              + "".join(f'<edit name="{name}" mode="assign">{value}</edit>' for name, value in RENDERING) + "</match>")
    xml = (f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
           f"<fontconfig>{rules}</fontconfig>")
    if not lib.FcConfigParseAndLoadFromMemory(config, xml.encode("utf-8"), 1):
        raise OSError("fontconfig refused the rule naming reportgen's fonts")
    for weight in FILES:
        if not lib.FcConfigAppFontAddFile(config, str(font_file(weight)).encode()):
            raise OSError(f"fontconfig could not add {font_file(weight)}")
