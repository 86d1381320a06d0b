"""Time the quarter's data downloads: the frames, the CSV text, the XLSX and the ODS.

    python3 scripts/bench_downloads.py [--data data] [--repeat 3]

Prints the best wall-clock seconds of each stage, the rows of the largest tables
and the size of each spreadsheet. The default input is the fictional example
data (every trust type, 205 trusts), the largest quarter reportgen writes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportgen.config import Config  # noqa: E402
from reportgen.csvsafe import csv_text  # noqa: E402
from reportgen.downloads.ods import write_ods  # noqa: E402
from reportgen.downloads.spreadsheet import workbook  # noqa: E402
from reportgen.downloads.tables import build_tables  # noqa: E402
from reportgen.downloads.xlsx import write_xlsx  # noqa: E402
from reportgen.load import load  # noqa: E402
from reportgen.release import make_context  # noqa: E402


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = Config.load()
    dataset = load(args.data or [Path("data")], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    seconds, tables = best(lambda: build_tables(ctx), args.repeat)
    print(f"{ctx.quarter}, {len(ctx.result.trusts)} trusts: metrics {len(tables.metrics)} rows, "
          f"comparison {len(tables.comparison)} rows")
    print(f"frames        {seconds:6.2f} s")
    frames = [*tables.leagues.values(), tables.domains, tables.metrics, tables.comparison]
    seconds, _ = best(lambda: [csv_text(f) for f in frames], args.repeat)
    print(f"CSV text      {seconds:6.2f} s")
    import pandas as pd

    book = workbook(ctx, tables, pd.DataFrame({"File": ["f"], "Column": ["c"], "Description": ["d"]}))
    seconds, data = best(lambda: write_xlsx(book), args.repeat)
    print(f"XLSX          {seconds:6.2f} s  {len(data) / 1024:.0f} KB")
    seconds, data = best(lambda: write_ods(book), args.repeat)
    print(f"ODS           {seconds:6.2f} s  {len(data) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
