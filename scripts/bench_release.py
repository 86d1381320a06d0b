#!/usr/bin/env python3
"""Benchmark: the whole release against its floor, and the rebuilds, in one run.

    python3 scripts/bench_release.py [--jobs 2] [--data data] [--json FILE] [--stock-floor]

On a copy of the input (by default the 205-trust example), reports:

- the release's wall time (load, compute, the national document, every pack in
  HTML, PDF and Word, the site), built into an empty folder;
- the floor: WeasyPrint alone (``HTML(string=...).write_pdf(pdf_variant="pdf/ua-1")``,
  one ``FontConfiguration`` per process) on the same print HTML of every
  document, in ``--jobs`` processes, summed over the documents and divided by
  the jobs; and the ratio of the two. It is the WeasyPrint the release runs:
  with the chart labels drawn as whole strings where the installed WeasyPrint
  was checked for it (``reportgen.render.weasyprint_svg_text``) and its
  user-agent stylesheet without the rules for every element's pseudo-elements
  (``reportgen.render.weasyprint_ua``), and the cycle collector paused while it
  renders (``reportgen.render.pdf.collector_paused``), as the PDF writer does, the garbage the
  render leaves collected within the timed span; the stylesheet
  of "(continued)" lines and the PDF repair are the release's own, not the floor's.
  With ``--stock-floor``, also WeasyPrint as installed (its own SVG text drawing
  and user-agent stylesheet, the collector as it comes) on the same HTML, the floor
  without those three changes;
- the same ratio in CPU seconds (the release's processes against WeasyPrint's
  own calls), which a busy machine disturbs less than wall time;
- the worker time of each stage (wall and CPU seconds) and the peak memory of one worker;
- ``reportgen build`` again with nothing changed (first checking every
  document's key, then the same request again), after one trust's value
  changed, ``--trust`` for that trust after another change, and ``--trust`` with
  ``--no-national`` (its pack alone) after a third (whole processes).

It measures; it does not enforce a limit. On a shared machine read the ratio:
the release and its floor run under the same load one after the other.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import io
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CTX = None


_FONTS = None
#: True in a floor process that runs WeasyPrint as installed, without reportgen's two changes to it.
_STOCK = False


def _floor_task(args) -> tuple[str, float, float, float]:
    """WeasyPrint alone on one document's print HTML: wall and CPU seconds (the HTML is made first, untimed),
    and the CPU seconds of the collection after it, which they include."""
    kind, code, formats = args
    import weasyprint

    from reportgen.release import freeze_survivors
    from reportgen.render.html import render_html
    from reportgen.render.pdf import collector_paused
    from reportgen.render.weasyprint_ua import HTML as LeanHTML

    HTML = weasyprint.HTML if _STOCK else LeanHTML
    if kind == "national":
        from reportgen.content.national import national_document

        doc = national_document(_CTX, formats)
    else:
        from reportgen.content.pack import pack_document

        doc = pack_document(_CTX, code, formats)
    html = render_html(doc, for_pdf=True)
    # as the PDF writer renders: the cycle collector paused (WeasyPrint as installed: as it comes)
    paused = contextlib.nullcontext() if _STOCK else collector_paused()
    t0, c0 = time.perf_counter(), time.process_time()
    with paused:
        HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", font_config=_FONTS)
    # The garbage the render leaves (its boxes, styles and PDF objects, held in reference cycles) is part of
    # rendering a document. With the collector paused none of it is collected during the render; the
    # collector, on again, frees it at its next automatic collection, as the with block ends (inside the
    # timed span). The explicit collection here, timed and reported apart, makes sure nothing is left over;
    # measured, it finds nothing (0.0 CPU s over a release).
    c1 = time.process_time()
    gc.collect()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    collect = time.process_time() - c1
    freeze_survivors()  # as the release's workers do after each pack, untimed
    return code, wall, cpu, collect


def _warm(stock: bool) -> None:
    global _FONTS, _STOCK
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from reportgen.render import weasyprint_svg_text
    from reportgen.render.weasyprint_ua import HTML as LeanHTML

    _STOCK = stock
    if stock:  # WeasyPrint's own SVG text drawing, whatever this process inherited
        if weasyprint_svg_text.installed():
            raise SystemExit("the stock floor's process inherited the changed SVG text drawing")
        HTML = weasyprint.HTML
    else:
        weasyprint_svg_text.install()  # as the PDF writer does: the floor is the WeasyPrint the release runs
        HTML = LeanHTML
    _FONTS = FontConfiguration()  # one per process, as WeasyPrint's documentation advises for many documents
    HTML(string="<html lang=en><title>x</title><p>warm</p></html>").write_pdf(
        pdf_variant="pdf/ua-1", font_config=_FONTS)


def floor(ctx, codes: list[str], formats: tuple[str, ...], jobs: int,
          stock: bool = False) -> dict[str, tuple[float, float, float]]:
    """Every document's (wall, CPU, CPU of the collection after it) seconds in WeasyPrint alone, in ``jobs``
    processes (``stock``: as installed)."""
    global _CTX
    _CTX = ctx
    tasks = [("national", "national", formats)] + [("pack", c, formats) for c in codes]
    # As the release does before its workers fork: this process's objects (the data, the results) are frozen
    # out of the collector's reach, so a floor process's collections do not walk them again and again.
    gc.collect()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_warm, initargs=(stock,)) as pool:
            return {code: (wall, cpu, collect)
                    for code, wall, cpu, collect in pool.imap_unordered(_floor_task, tasks, chunksize=1)}
    finally:
        gc.unfreeze()


def change_one_value(data: Path, raw_prefix: str, quarter: str, delta: float, code: str | None = None) -> str:
    """Change one trust's first raw metric value in the quarter by ``delta``; return the trust's code."""
    for path in sorted(data.glob("*.csv")):
        lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        header = next(csv.reader([lines[0]]))
        col = {name: i for i, name in enumerate(header)}
        if "Metric_ID" not in col:
            continue
        for n, line in enumerate(lines[1:], start=1):
            row = next(csv.reader([line]))
            if (row[col["Quarter"]] == quarter and row[col["Metric_ID"]].startswith(raw_prefix)
                    and row[col["Value"]] not in ("", "NA") and (code is None or row[col["Trust_code"]] == code)):
                row[col["Value"]] = f"{float(row[col['Value']]) + delta:.2f}"
                buf = io.StringIO()
                csv.writer(buf, lineterminator=line[len(line.rstrip("\r\n")):]).writerow(row)
                lines[n] = buf.getvalue()
                path.write_text("".join(lines), encoding="utf-8-sig")
                return row[col["Trust_code"]]
    raise SystemExit(f"no raw value to change in {data}")


def cli(*args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reportgen", "build", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"reportgen build {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, proc.stderr.strip().splitlines()[-1]


def written_since(folder: Path, t: float) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime > t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="a folder of CSV files")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--stock-floor", action="store_true",
                        help="also time WeasyPrint as installed, without the release's three changes to it "
                             "(whole-string SVG text, the lean user-agent stylesheet, the paused collector), on the "
                             "same HTML (the floor before those changes)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    try:
        data = work / "data"
        shutil.copytree(args.data, data)
        out = work / "out"
        formats = ("html", "pdf", "docx")

        t_start, cpu_start = time.perf_counter(), os.times()
        from reportgen.config import Config
        from reportgen.load import load
        from reportgen.release import build, make_context
        from reportgen.render.weasyprint_svg_text import installable

        config = Config.load()
        dataset = load([data], config)
        ctx = make_context(dataset, config, dataset.latest_quarter)
        report = build(ctx, out, formats, jobs=args.jobs)
        wall = time.perf_counter() - t_start
        cpu_end = os.times()
        cpu = sum(getattr(cpu_end, f) - getattr(cpu_start, f)
                  for f in ("user", "system", "children_user", "children_system"))
        if report.failures:
            raise SystemExit(f"{len(report.failures)} packs failed: {report.failures[:3]}")
        s = report.seconds
        codes = list(ctx.result.trusts["trust_code"])

        timed = floor(ctx, codes, formats, args.jobs)
        bare = {k: w for k, (w, _, _) in timed.items()}
        floor_s = sum(bare.values()) / args.jobs
        floor_cpu = sum(c for _, c, _ in timed.values())
        floor_collect_cpu = sum(g for _, _, g in timed.values())
        per_pack = statistics.median(v for k, v in bare.items() if k != "national")
        per_pack_cpu = statistics.median(c for k, (_, c, _) in timed.items() if k != "national")
        stock = floor(ctx, codes, formats, args.jobs, stock=True) if args.stock_floor else None

        folder = out / report.out_dir.name
        common = ["--data", str(data), "--out", str(out), "--jobs", str(args.jobs)]
        t = time.time()
        checked, _ = cli(*common)  # every document's key checked (the build above recorded no request)
        checked_files = written_since(folder, t)
        t = time.time()
        same, _ = cli(*common)  # the same request again
        same_files = written_since(folder, t)
        code = change_one_value(data, config.raw_prefix, ctx.quarter, 0.01)
        t = time.time()
        one, _ = cli(*common)
        one_files = written_since(folder, t)
        change_one_value(data, config.raw_prefix, ctx.quarter, 0.01, code)
        t = time.time()
        alone, _ = cli(*common, "--trust", code)
        alone_files = written_since(folder, t)
        change_one_value(data, config.raw_prefix, ctx.quarter, 0.01, code)
        t = time.time()
        pack_only, _ = cli(*common, "--trust", code, "--no-national")
        pack_only_files = written_since(folder, t)

        stages = {k[5:]: v for k, v in s.items() if k.startswith("pack ")}
        stages.update({k: v for k, v in s.items() if k.startswith(("national ", "downloads"))})
        figures = {
            "documents": 1 + report.packs, "jobs": args.jobs, "release_wall_s": wall, "floor_s": floor_s,
            "ratio": wall / floor_s, "floor_per_pack_s": per_pack, "floor_national_s": bare["national"],
            "release_cpu_s": cpu, "floor_cpu_s": floor_cpu, "cpu_ratio": cpu / floor_cpu,
            "floor_per_pack_cpu_s": per_pack_cpu, "floor_svg_text_whole_strings": installable(),
            "floor_collect_cpu_s": floor_collect_cpu,
            "rebuild_nothing_changed_s": same, "rebuild_keys_checked_s": checked, "rebuild_one_trust_s": one,
            "trust_alone_s": alone, "trust_no_national_s": pack_only,
            "worker_stage_s": stages, "worker_peak_mb": report.worker_peak_kb / 1024,
            "national_worker_peak_mb": report.national_peak_kb / 1024,
        }
        if stock is not None:
            figures.update({
                "stock_floor_s": sum(w for w, _, _ in stock.values()) / args.jobs,
                "stock_floor_cpu_s": sum(c for _, c, _ in stock.values()),
                "stock_floor_collect_cpu_s": sum(g for _, _, g in stock.values()),
                "stock_floor_per_pack_cpu_s": statistics.median(c for k, (_, c, _) in stock.items()
                                                                if k != "national"),
                "stock_floor_national_cpu_s": stock["national"][1],
            })
        print(f"release: {report.packs} packs x 3 formats, the national document and the site, --jobs {args.jobs}: "
              f"{wall:.1f} s wall")
        print(f"floor (WeasyPrint alone on the same HTML, summed over {1 + report.packs} documents / {args.jobs} "
              f"jobs): {floor_s:.1f} s; ratio {wall / floor_s:.2f}; per pack (median) {per_pack:.3f} s; "
              f"national document {bare['national']:.2f} s")
        print(f"the floor's WeasyPrint draws chart labels as whole strings: {'yes' if installable() else 'no'}")
        print(f"CPU time (steadier on a shared machine): release {cpu:.1f} s, floor {floor_cpu:.1f} s, ratio "
              f"{cpu / floor_cpu:.2f}; floor per pack (median) {per_pack_cpu:.3f} s; of the floor, the collection "
              f"after each render {floor_collect_cpu:.1f} s (without it: ratio "
              f"{cpu / (floor_cpu - floor_collect_cpu):.2f})")
        if stock is not None:
            print(f"stock WeasyPrint (as installed) on the same HTML: {figures['stock_floor_s']:.1f} s wall over "
                  f"{args.jobs} jobs (release ratio {wall / figures['stock_floor_s']:.2f}), "
                  f"{figures['stock_floor_cpu_s']:.1f} CPU s (ratio {cpu / figures['stock_floor_cpu_s']:.2f}); "
                  f"per pack (median) {figures['stock_floor_per_pack_cpu_s']:.3f} CPU s; national document "
                  f"{figures['stock_floor_national_cpu_s']:.2f} CPU s")
        print(f"rebuild, nothing changed: {same:.2f} s ({same_files} files written); the same with every "
              f"document's key checked: {checked:.2f} s ({checked_files} files written)")
        print(f"rebuild, one value of trust {code} changed: {one:.2f} s ({one_files} files written)")
        print(f"--trust {code} after another change: {alone:.2f} s ({alone_files} files written)")
        print(f"--trust {code} --no-national after a third change: {pack_only:.2f} s ({pack_only_files} files "
              f"written)")
        print("worker time by stage (wall): " + ", ".join(
            f"{k} {v:.1f} s" for k, v in sorted(stages.items()) if not k.endswith(" cpu")))
        print("worker time by stage (CPU): " + ", ".join(
            f"{k[:-4]} {v:.1f} s" for k, v in sorted(stages.items()) if k.endswith(" cpu")))
        print(f"peak memory of one worker: {report.worker_peak_kb / 1024:.0f} MB (the national document's: "
              f"{report.national_peak_kb / 1024:.0f} MB)")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
