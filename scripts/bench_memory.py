#!/usr/bin/env python3
"""Benchmark: the peak memory of the worker that builds the national document, as the release runs it.

    python3 scripts/bench_memory.py [--data data] [--stages]

Builds the national document and one pack with ``--jobs 2`` (so the national
document is built by a worker process forked from the main process, as in a
full release) and prints that worker's peak resident memory (``ru_maxrss``,
the figure ``scripts/bench_release.py`` reports) beside ``WORKER_MEMORY_LIMIT_KB``,
and its CPU seconds by stage. With ``--stages``, the national PDF is then made
again in this process one stage at a time, with the resident memory reached in
each (Linux: the peak is reset before each stage): HTML parsing, the cascade,
the boxes, layout and ``write_pdf`` (with the PDF/UA repair). Run it on data of several
sizes to see how the peak grows with the number of trusts. It measures; it does
not enforce a limit.
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in MB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line[:5]] = int(line.split()[1]) // 1024
    return found


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def stages(ctx) -> None:
    """The national PDF one stage at a time in this process: the memory each reaches."""
    from weasyprint.css.counters import CounterStyle
    from weasyprint.document import Document, DocumentMetadata, Page
    from weasyprint.formatting_structure.build import build_formatting_structure
    from weasyprint.html import get_html_metadata
    from weasyprint.layout import layout_document
    from weasyprint.pdf import VARIANTS

    from reportgen.content.national import national_document
    from reportgen.render import pdf
    from reportgen.render.html import render_html
    from reportgen.render.links import link_descriptions
    from reportgen.render.weasyprint_ua import HTML

    def stage(name, make):
        _reset_peak()
        c0 = time.process_time()
        made = make()
        s = _status()
        print(f"  {name:<12} reached {s['VmHWM']:4d} MB, then {s['VmRSS']:4d} MB; {time.process_time() - c0:.2f} CPU s")
        return made

    options = dict(__import__("weasyprint").DEFAULT_OPTIONS, stylesheets=[pdf._continued_stylesheet()],
                   pdf_variant="pdf/ua-1")
    for key, value in VARIANTS["pdf/ua-1"][1].items():
        if options.get(key) is None:
            options[key] = value
    fonts, counters = pdf._font_config(), CounterStyle()
    gc.collect()
    print(f"national PDF by stage, in this process (it starts at {_status()['VmRSS']} MB):")
    doc = stage("content", lambda: national_document(ctx))
    held = {"html": stage("HTML", lambda: HTML(string=render_html(doc, for_pdf=True)))}
    html = held["html"]
    held["context"] = stage("cascade", lambda: Document._build_layout_context(html, fonts, counters, {}, options))
    context = held["context"]
    held["root"] = stage("boxes", lambda: build_formatting_structure(
        html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
        context.target_collector, counters, context.footnotes))
    held["pages"] = stage("layout", lambda: list(layout_document(html, held["root"], context)))
    held["document"] = Document([Page(p) for p in held["pages"]], DocumentMetadata(**get_html_metadata(html)),
                                html.url_fetcher, fonts, {}, options["output_intent"])
    html = context = None
    for name in ("pages", "root", "context", "html"):
        held.pop(name)
    descriptions = link_descriptions(doc, "pdf")

    def finisher(document, written) -> None:
        pdf.repair(written, lang=doc.lang, link_descriptions=descriptions)

    with pdf._source_date(doc.date):
        data = stage("write_pdf", lambda: held["document"].write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                                                                       finisher=finisher))
    held.clear()
    stage("collect", gc.collect)
    print(f"  {len(data) // 1024} KB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="input folder (default: the example data)")
    ap.add_argument("--stages", action="store_true", help="then the national PDF stage by stage in this process")
    args = ap.parse_args()

    from reportgen.config import Config
    from reportgen.load import load
    from reportgen.release import WORKER_MEMORY_LIMIT_KB, build, make_context

    config = Config.load()
    dataset = load([args.data], config)
    ctx = make_context(dataset, config, dataset.latest_quarter)
    trusts = list(ctx.result.trusts["trust_code"])
    with tempfile.TemporaryDirectory(prefix="reportgen-memory-") as out:
        report = build(ctx, Path(out), jobs=2, trusts=trusts[:1], force=True)
    if report.failures or report.stopped:
        raise SystemExit(f"the build failed: {report.failures or report.stopped}")
    cpu = ", ".join(f"{k[9:-4]} {v:.2f}" for k, v in report.seconds.items()
                    if k.startswith("national ") and k.endswith(" cpu"))
    print(f"{len(trusts)} trusts: the national document's worker peaked at {report.national_peak_kb / 1024:.0f} MB "
          f"(workers are replaced past {WORKER_MEMORY_LIMIT_KB / 1024:.0f} MB); CPU s: {cpu}")
    if args.stages:
        stages(ctx)


if __name__ == "__main__":
    main()
