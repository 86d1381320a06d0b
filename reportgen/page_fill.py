"""How full each printed page of a PDF is: the share of its body area left blank below the last thing
printed on it. ``scripts/pack_report.py`` reports it for every pack and the pack tests check it.

Each page is rendered at 30 dpi in grey with poppler's ``pdftoppm``; a row of pixels with any pixel darker
than 200 of 255 is printed. The body area is the page less the print margins of ``templates/style.css.j2``
(the page number in the bottom margin is not counted).
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

DPI = 30
PAGE_MM = (210.0, 297.0)
BODY_MM = (16.0, 279.0)  # top and bottom of the body area (templates/style.css.j2 @page margins)


def blank_shares(pdf: Path) -> list[float]:
    """For each page, the share of the body area below the lowest printed pixel."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True)
        shares = []
        for png in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            pixels = np.asarray(Image.open(png).convert("L"))
            mm = pixels.shape[0] / PAGE_MM[1]
            top, bottom = int(BODY_MM[0] * mm), int(BODY_MM[1] * mm)
            printed = np.flatnonzero(pixels[top:bottom].min(axis=1) < 200)
            last = top + int(printed[-1]) if len(printed) else top
            shares.append((bottom - last) / (bottom - top))
        return shares
