"""Links to the data downloads, for the site, the national document and each trust's pack."""
from __future__ import annotations

from pathlib import Path

from ..model import BulletList, Link, Paragraph, Run, Section
from . import listing, planned, trust_csv

FORMAT_WORDS = {"CSV": "CSV file", "XLSX": "Excel spreadsheet (XLSX)", "ODS": "OpenDocument spreadsheet (ODS)"}


def national_section(ctx) -> Section:
    """The national document's list of the quarter's downloads (relative to the quarter's folder)."""
    items = tuple(Paragraph.of(Run(f"{d.title} ({FORMAT_WORDS[d.fmt]})", href=d.href))
                  for d, _ in planned(ctx.quarter, ctx.result.trust_types, ctx.config.plural))
    return Section("The figures as data", (
        Paragraph.of("You can download every table in this document, and each trust's measures, to work with. "
                     "The CSV files are safe to open in a spreadsheet. The data dictionary names every column. The "
                     "spreadsheet holds every table, with a cover sheet, a contents list and notes."),
        BulletList(items),
    ), id="downloads")


def pack_links(code: str) -> tuple[Link, ...]:
    """A pack's links to its trust's rows (from ``trusts/CODE.html``)."""
    rel = trust_csv(code)
    return (Link("This trust's metrics as a CSV file", f"../{rel}"),) if rel else ()


def site_links(ctx, folder: Path, size_words) -> list[tuple[str, str, str, str]]:
    """(href, title, format, size in words or "") for each download, for the quarter's page."""
    return [(d.href, d.title, d.fmt, size_words(d.size) if d.size else "") for d in listing(ctx, folder)]
