"""Measure the briefing packs: pages, blank space per page and reading age per section.

    PYTHONPATH=$PWD python3 scripts/pack_report.py --data DIR_OR_FILE [--data ...] [--quarter "Q4 2025/26"]
        [--trust CODE ...] [--every N] [--no-pdf]

For each pack (every trust of the quarter, or the ones named, or every Nth):
the PDF's number of pages and, for each page, the share of its body area left
blank below the last thing printed on it (rendered at 30 dpi with poppler's
pdftoppm, ``reportgen.page_fill``); and the reading age (Flesch-Kincaid grade + 5, as
``reportgen.content.readability`` measures it) and longest sentence of every
prose section. Prints the distribution of pages, the worst blank share of any
page but the last, and per section the median and highest reading age.
"""
from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
from pathlib import Path

from reportgen.config import Config
from reportgen.content.pack import pack_document
from reportgen.content.readability import section_readings
from reportgen.load import load
from reportgen.page_fill import blank_shares
from reportgen.release import make_context, placed, render


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--quarter")
    ap.add_argument("--trust", action="append", default=[])
    ap.add_argument("--every", type=int, default=1, help="measure every Nth trust only")
    ap.add_argument("--no-pdf", action="store_true", help="reading ages only")
    ap.add_argument("--limit", type=int, default=25, help="longest sentence allowed, in words")
    args = ap.parse_args()
    config = Config.load()
    dataset = load(args.data, config, quarter=args.quarter)
    quarter = args.quarter or dataset.latest_quarter
    ctx = make_context(dataset, config, quarter)
    codes = args.trust or list(ctx.result.trusts.trust_code)[:: args.every]
    pages: collections.Counter = collections.Counter()
    worst_blank: list[tuple[float, str, int]] = []
    last_blank: list[float] = []
    ages: dict[str, list[float]] = collections.defaultdict(list)
    long_ones: list[tuple[str, str]] = []
    longest: dict[str, int] = collections.defaultdict(int)
    with tempfile.TemporaryDirectory() as tmp:
        for code in codes:
            # placed where the build writes it, so its links to other files read as in the release
            doc = placed(pack_document(ctx, code), ctx, code, packs=True)
            for r in section_readings(doc.blocks, heading="(opening)"):
                ages[r.heading if not r.heading.startswith("Since ") else "Since (last quarter)"].append(
                    r.reading_age)
                key = r.heading if not r.heading.startswith("Since ") else "Since (last quarter)"
                longest[key] = max(longest[key], r.reading.longest)
                long_ones.extend((code, s) for s in r.long_sentences(args.limit))
            if args.no_pdf:
                continue
            pdf = Path(tmp) / f"{code}.pdf"
            pdf.write_bytes(render(doc, "pdf"))
            shares = blank_shares(pdf)
            pages[len(shares)] += 1
            for k, share in enumerate(shares[:-1], start=1):
                worst_blank.append((share, code, k))
            last_blank.append(shares[-1])
            print(f"{code}: {len(shares)} pages, blank " + ", ".join(f"{100 * s:.0f}%" for s in shares),
                  file=sys.stderr)
    print(f"{len(codes)} packs, {quarter}, from {', '.join(args.data)}")
    if pages:
        dist = ", ".join(f"{n} pages: {pages[n]}" for n in sorted(pages))
        print(f"Pages: maximum {max(pages)}; {dist}")
        if worst_blank:
            shares = sorted(worst_blank, reverse=True)
            share, code, page = shares[0]
            median = statistics.median(s for s, _, _ in shares)
            print(f"Blank share of pages before the last: median {100 * median:.0f}%, "
                  f"highest {100 * share:.0f}% ({code} page {page}); "
                  f"{sum(1 for s, _, _ in shares if s > 0.2)} of {len(shares)} pages more than 20% blank")
        print(f"Blank share of last pages: median {100 * statistics.median(last_blank):.0f}%")
    print(f"{'Median':>6}  {'Highest':>7}  {'Longest':>7}  Section (reading age; longest sentence in words)")
    for heading, values in ages.items():
        print(f"{statistics.median(values):6.1f}  {max(values):7.1f}  {longest[heading]:7d}  {heading}")
    print(f"Sentences over {args.limit} words: {len(long_ones)}")
    for code, sentence in long_ones[:10]:
        print(f"  {code}: {sentence}")


if __name__ == "__main__":
    main()
