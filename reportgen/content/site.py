"""The site: one index page per quarter and one page listing the quarters.

``OUT/<quarter-slug>/index.html`` links the national league-table document in
each format built and every trust's briefing pack, in one table that can be
sorted and filtered by a small inline script (the page is complete without
it). ``OUT/index.html`` lists every quarter built in ``OUT``, newest first.

Pages go through the HTML writer's one strict, autoescaping Jinja environment
and reuse its stylesheet and palette, so the site looks like the documents.
Nothing here depends on the time or the machine: building twice from the same
input gives byte-identical pages.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from markupsafe import Markup

import reportgen

from ..downloads.links import site_links
from ..outputs import PACKS_DIR, inside, write_atomic
from ..quarters import slug as quarter_slug
from ..quarters import sort_key
from ..render.html import environment, stylesheet
from . import text as T
from .limits import parse_range
from .national import NATIONAL_NAME, Context

INDEX = "index.html"
SITE_TEMPLATE = "site.html.j2"
QUARTERS_TEMPLATE = "quarters.html.j2"
SITE_TITLE = "NHS Oversight Framework: league tables and trust briefing packs"
FICTIONAL_SUFFIX = " (fictional example data)"
NOT_BUILT = "not built"

#: How each format is named in link text and column headers.
FORMAT_WORDS = {"html": "Web page", "pdf": "PDF", "docx": "Word"}

_SLUG = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")
_TITLE = re.compile(r"<title>([^<]*)</title>")


# ---------------------------------------------------------------------------
# Wording


def file_size(n: int) -> str:
    """A file size for a reader, in the binary units GOV.UK uses: "512 bytes", "45 KB", "1.2 MB"."""
    n = int(n)
    if n < 1024:
        return T.count(n, "byte")
    kb = int(n / 1024 + 0.5)
    if kb < 1024:
        return f"{kb} KB"
    return f"{n / 1024 ** 2:.1f} MB"


def format_word(fmt: str) -> str:
    return FORMAT_WORDS.get(fmt, fmt.upper())


def page_title(quarter: str, fictional: bool) -> str:
    title = f"NHS Oversight Framework {quarter}: league tables and trust briefing packs"
    return title + FICTIONAL_SUFFIX if fictional else title


def rank_text(rank, size, tied: bool, likely=None) -> str:
    """ "12 of 61", "4 of 61 (tied)", "12 of 61 (likely 8 to 20)", "4 of 61 (tied; likely 1 to 9)", or
    "no data". ``likely``: NHS England's published likely range of rank, when its league table is loaded."""
    if T.missing(rank):
        return T.NO_DATA
    notes = (["tied"] if tied else []) + ([f"likely {likely[0]:.0f} to {likely[1]:.0f}"] if likely else [])
    return f"{int(rank)} of {int(size)}" + (f" ({'; '.join(notes)})" if notes else "")


def score_text(score, likely=None) -> str:
    """ "1.32", "1.32 (likely 1.02 to 1.53)" with NHS England's published likely range, or "no data"."""
    if T.missing(score):
        return T.NO_DATA
    return T.score(score) + (f" (likely {likely[0]:.2f} to {likely[1]:.2f})" if likely else "")


def segment_text(final_segment, recovery_segment: int) -> str:
    if T.missing(final_segment):
        return T.NO_DATA
    name = T.segment_name(final_segment)
    if int(final_segment) == recovery_segment:
        name += " (Recovery Support Programme)"
    return name


def _sentence_case(words: str) -> str:
    return words[:1].upper() + words[1:]


def _number(value) -> str:
    """A sort key for the script: the plain number, or "" when missing."""
    return "" if T.missing(value) else repr(float(value))


# ---------------------------------------------------------------------------
# What the quarter's page shows


@dataclass(frozen=True)
class FileLink:
    fmt: str
    href: str
    word: str           # "PDF"
    size: str           # "180 KB"; "" when not built
    built: bool

    @property
    def text(self) -> str:
        """The visible link text, "PDF, 180 KB", or "not built"."""
        return f"{self.word}, {self.size}" if self.built else NOT_BUILT


@dataclass(frozen=True)
class TrustRow:
    code: str
    name: str
    trust_type: str
    region: str
    segment: str
    segment_value: str
    rank: str
    rank_value: str
    score: str
    score_value: str
    packs: tuple[FileLink, ...]


def league_order(ctx: Context) -> pd.DataFrame:
    """The quarter's trusts in league order: type (as configured), then rank, then name."""
    t = ctx.result.trusts
    types = {name: i for i, name in enumerate(ctx.result.trust_types)}
    key = pd.DataFrame({
        "type": t["trust_type"].map(types).fillna(len(types)),
        "rank": pd.to_numeric(t["league_rank"], errors="coerce").astype(float),
        "name": t["trust_name"].astype(str),
        "code": t["trust_code"].astype(str),
    }, index=t.index)
    order = key.sort_values(["type", "rank", "name", "code"], na_position="last", kind="mergesort").index
    return t.loc[order]


def trust_rows(ctx: Context, formats: tuple[str, ...], sizes: dict[str, dict[str, int]]) -> list[TrustRow]:
    recovery = int(ctx.config["recovery_support"]["segment"])
    rows = []
    for r in league_order(ctx).itertuples():
        code = str(r.trust_code)
        built = sizes.get(code, {})
        packs = tuple(
            FileLink(fmt, f"{PACKS_DIR}/{quote(code)}.{fmt}", format_word(fmt), file_size(built[fmt]), True)
            if fmt in built else FileLink(fmt, "", format_word(fmt), "", False)
            for fmt in formats)
        rows.append(TrustRow(
            code=code, name=T.text(r.trust_name), trust_type=T.text(r.trust_type), region=T.text(r.region),
            segment=segment_text(r.final_segment, recovery), segment_value=_number(r.final_segment),
            rank=rank_text(r.league_rank, r.league_size, bool(r.tied), parse_range(r.likely_range_of_rank)),
            rank_value=_number(r.league_rank),
            score=score_text(r.average_score, parse_range(r.likely_range_of_average_score)),
            score_value=_number(r.average_score),
            packs=packs,
        ))
    return rows


def national_links(folder: Path, formats: tuple[str, ...]) -> list[FileLink]:
    links = []
    for fmt in formats:
        path = folder / f"{NATIONAL_NAME}.{fmt}"
        if path.is_file():
            links.append(FileLink(fmt, path.name, format_word(fmt), file_size(path.stat().st_size), True))
        else:
            links.append(FileLink(fmt, "", format_word(fmt), "", False))
    return links


# ---------------------------------------------------------------------------
# Pages


def quarter_page(ctx: Context, folder: Path, formats: tuple[str, ...], sizes: dict[str, dict[str, int]]) -> str:
    rows = trust_rows(ctx, formats, sizes)
    types = [t for t in ctx.result.trust_types]
    types += sorted({r.trust_type for r in rows} - set(types))
    regions = sorted({r.region for r in rows}, key=str.casefold)
    return environment().get_template(SITE_TEMPLATE).render(
        title=page_title(ctx.quarter, ctx.fictional),
        quarter=ctx.quarter,
        fictional=ctx.fictional,
        national=national_links(folder, formats),
        downloads=site_links(ctx, folder, file_size),
        formats=[(fmt, format_word(fmt)) for fmt in formats],
        rows=rows,
        types=types,
        plurals={t: _sentence_case(ctx.config.plural(t) if t in ctx.result.trust_types else t) for t in types},
        regions=regions,
        recovery_segment=int(ctx.config["recovery_support"]["segment"]),
        any_not_built=any(not p.built for r in rows for p in r.packs),
        any_likely=any("likely" in r.rank or "likely" in r.score for r in rows),
        css=Markup(stylesheet(False)),
        generator=f"reportgen {reportgen.__version__}",
    )


@dataclass(frozen=True)
class QuarterEntry:
    label: str
    href: str
    fictional: bool


def quarter_label(folder_name: str) -> str | None:
    """``"2025-26-q4"`` -> ``"Q4 2025/26"``; None for a folder that is not a quarter's."""
    m = _SLUG.match(folder_name)
    if not m:
        return None
    year, end, q = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if (year + 1) % 100 != end:
        return None
    label = f"Q{q} {year}/{end:02d}"
    return label if quarter_slug(label) == folder_name else None


def _says_fictional(index: Path) -> bool:
    """Whether a quarter's page (as this module writes it) says its data are fictional."""
    m = _TITLE.search(index.read_text(encoding="utf-8", errors="replace"))
    return m is not None and html.unescape(m.group(1)).endswith(FICTIONAL_SUFFIX)


def built_quarters(out_dir: Path) -> list[QuarterEntry]:
    """Every quarter folder in ``out_dir`` that holds an index page, newest first."""
    entries = []
    if out_dir.is_dir():
        for sub in out_dir.iterdir():
            label = quarter_label(sub.name)
            index = sub / INDEX
            if label and index.is_file():
                entries.append(QuarterEntry(label, f"{sub.name}/{INDEX}", _says_fictional(index)))
    return sorted(entries, key=lambda e: sort_key(e.label), reverse=True)


def quarters_page(out_dir: Path) -> str:
    entries = built_quarters(out_dir)
    return environment().get_template(QUARTERS_TEMPLATE).render(
        title=SITE_TITLE,
        quarters=entries,
        any_fictional=any(e.fictional for e in entries),
        css=Markup(stylesheet(False)),
        generator=f"reportgen {reportgen.__version__}",
    )


def write_site(ctx: Context, out_dir: Path, folder: Path, formats: tuple[str, ...],
               sizes: dict[str, dict[str, int]]) -> list[Path]:
    """Write the quarter's index page in ``folder`` and the list of quarters in ``out_dir``.

    ``sizes`` maps a trust code to the byte size of each format of its pack that
    was built; a trust not in it shows "not built". The national document's sizes
    are read from the files in ``folder``. Returns the paths written.
    """
    out_dir, folder = Path(out_dir), Path(folder)
    written = [write_atomic(inside(out_dir, folder.name, INDEX), quarter_page(ctx, folder, tuple(formats), sizes))]
    written.append(write_atomic(inside(out_dir, INDEX), quarters_page(out_dir)))
    return written


def write_site_if_changed(ctx: Context, out_dir: Path, ledger, formats: tuple[str, ...],
                          sizes: dict[str, dict[str, int]]) -> dict:
    """As ``write_site``, but a page whose bytes would not change is left as it is.

    Returns the quarter's page as ``{INDEX: incremental.Output}`` for the quarter's manifest;
    the list of quarters, outside the quarter's folder, is rewritten only when it differs."""
    from ..incremental import bytes_key

    out_dir, folder = Path(out_dir), Path(ledger.folder)
    page = quarter_page(ctx, folder, tuple(formats), sizes)
    outputs = {INDEX: ledger.produce(INDEX, bytes_key(page), lambda: page)}
    top, listing = inside(out_dir, INDEX), quarters_page(out_dir)
    try:
        same = top.read_text(encoding="utf-8") == listing
    except OSError:
        same = False
    if not same:
        write_atomic(top, listing)
    return outputs
