#!/usr/bin/env python3
"""Benchmark: the whole release from the 205-trust example with --jobs 2.

    python3 scripts/bench_release.py [--jobs 2]

Builds the national document, every trust's pack in HTML, PDF and Word, and the
site, and reports wall seconds, packs per second, the peak memory of one worker
and the share of the time spent rendering PDFs. It measures; it does not enforce
a limit.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    t_start = time.perf_counter()
    from reportgen.build import build, make_context
    from reportgen.config import Config
    from reportgen.load import load

    config = Config.load()
    dataset = load([ROOT / "data"], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    with tempfile.TemporaryDirectory() as out:
        report = build(ctx, Path(out), jobs=args.jobs)
    wall = time.perf_counter() - t_start
    s = report.seconds
    worker_busy = sum(v for k, v in s.items() if k.startswith("pack "))
    pdf = s.get("pack pdf", 0.0)
    print(f"{report.packs} packs x 3 formats, the national document and the site with --jobs {args.jobs}: "
          f"{wall:.1f} s wall ({s['packs']:.1f} s for the packs), {report.packs / s['packs']:.2f} packs per second")
    print("worker time by stage: " + ", ".join(f"{k[5:]} {v:.1f} s" for k, v in sorted(s.items())
                                               if k.startswith("pack ")))
    print(f"PDF rendering: {100 * pdf / worker_busy:.0f}% of the pack workers' time; "
          f"peak memory of one worker: {report.worker_peak_kb / 1024:.0f} MB")
    if report.failures:
        print(f"{len(report.failures)} packs failed: {report.failures[:3]}")


if __name__ == "__main__":
    main()
