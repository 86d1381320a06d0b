#!/usr/bin/env python3
"""Benchmark: load and compute all four quarters, for the example data and the real file.

    python3 scripts/bench_compute.py [--repeat 5]

Reports seconds for loading (reading and checking the CSVs) and for computing
(domain scores, averages, segments, league and domain ranks) every quarter. It
measures; it does not enforce a limit.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from reportgen.config import Config
from reportgen.load import load
from reportgen.methodology import compute_quarter

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "nof-data"


def bench(name: str, paths: list[Path], repeat: int, config: Config) -> None:
    loads, computes = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = load(paths, config)
        t1 = time.perf_counter()
        for q in data.quarters:
            compute_quarter(data.metrics, config, q, league=data.league)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        computes.append(t2 - t1)
    trusts = data.metrics.drop_duplicates(["quarter", "trust_code"]).shape[0]
    print(f"{name}: {len(data.quarters)} quarters, {trusts} trust-quarters, {len(data.metrics)} rows: "
          f"load {statistics.median(loads):.3f} s, compute {statistics.median(computes):.3f} s "
          f"(median of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    config = Config.load()
    bench("example data (205 trusts)", [ROOT / "data"], args.repeat, config)
    mh = REAL / "nhs-oversight-framework-mental-health-and-community-trust-data.csv"
    if mh.exists():
        bench("real mental health and community file (61 trusts)",
              [mh, REAL / "nhs-oversight-framework-mental-health-and-community-trust-league-table.csv"],
              args.repeat, config)
    else:
        print(f"real file not found at {mh}; skipped")


if __name__ == "__main__":
    main()
