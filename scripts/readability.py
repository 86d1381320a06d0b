"""Print the reading age of every prose section of the national document.

    PYTHONPATH=$PWD python3 scripts/readability.py --data DIR_OR_FILE [--data ...] [--quarter "Q4 2025/26"]

One line per section: reading age (Flesch-Kincaid grade + 5, as
reportgen.content.readability measures it), words, words per sentence and the
longest sentence in words; then the median and the highest reading age.
"""
from __future__ import annotations

import argparse
import statistics

from reportgen.config import Config
from reportgen.content.national import national_document
from reportgen.content.readability import section_readings
from reportgen.load import load
from reportgen.release import make_context


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--quarter")
    ap.add_argument("--limit", type=int, default=25, help="longest sentence allowed, in words")
    args = ap.parse_args()
    config = Config.load()
    dataset = load(args.data, config, args.quarter)
    quarter = args.quarter or dataset.latest_quarter
    doc = national_document(make_context(dataset, config, quarter))
    readings = section_readings(doc.blocks, heading="(opening)")
    print(f"{'Reading age':>11}  {'Words':>5}  {'Per sentence':>12}  {'Longest':>7}  Section")
    for r in readings:
        m = r.reading
        print(f"{r.reading_age:11.1f}  {m.words:5d}  {m.words_per_sentence:12.1f}  {m.longest:7d}  {r.heading}")
        for s in r.long_sentences(args.limit):
            print(f"{'':41}over {args.limit} words: {s}")
    ages = [r.reading_age for r in readings]
    print(f"Median {statistics.median(ages):.1f}, highest {max(ages):.1f}, over {len(readings)} sections.")


if __name__ == "__main__":
    main()
