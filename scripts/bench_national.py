#!/usr/bin/env python3
"""Benchmark: the national league-table document of the 205-trust example, seconds per stage.

    python3 scripts/bench_national.py

Reports load and compute, content, HTML, PDF and Word in one process, then the
whole process as a user runs it (`reportgen build --no-packs`, all three
formats, fresh interpreter). It measures; it does not enforce a limit.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    t0 = time.perf_counter()
    from reportgen.config import Config
    from reportgen.content.national import national_document
    from reportgen.load import load
    from reportgen.release import make_context, render

    t_import = time.perf_counter() - t0
    config = Config.load()
    t0 = time.perf_counter()
    dataset = load([ROOT / "data"], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    t_compute = time.perf_counter() - t0
    t0 = time.perf_counter()
    doc = national_document(ctx)
    t_content = time.perf_counter() - t0
    times = {}
    for fmt in ("html", "pdf", "docx"):
        t0 = time.perf_counter()
        data = render(doc, fmt)
        times[fmt] = (time.perf_counter() - t0, len(data))
    print(f"imports {t_import:.2f} s; load and compute {t_compute:.2f} s; content {t_content:.2f} s; "
          + "; ".join(f"{fmt} {s:.2f} s ({n // 1024} KB)" for fmt, (s, n) in times.items()))
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen", "build", "--data", str(ROOT / "data"), "--out", out,
                        "--no-packs", "--quiet"], check=True)
        wall = time.perf_counter() - t0
    print(f"whole process, reportgen build --no-packs (html, pdf, docx and the site): {wall:.2f} s")


if __name__ == "__main__":
    main()
