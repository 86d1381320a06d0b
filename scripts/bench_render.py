"""Time the writers on synthetic documents of about 5 and 20 PDF pages.

    python3 scripts/bench_render.py [--repeat 3]

Prints, per document size: PDF pages, and the best wall-clock seconds of
render_html, render_pdf (WeasyPrint and the PDF/UA repair) and render_docx. The first
render in a process pays for imports and font set-up, so it is timed apart.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportgen.model import Bar, BarChart, Document, Figure, Note, Paragraph, Run, Section, Table  # noqa: E402


def synthetic(sections: int, rows: int = 30) -> Document:
    blocks = [Note("Fictional data", (Paragraph.of("Made-up numbers for timing."),), kind="warning")]
    for s in range(sections):
        names = [f"Trust {s:02d}-{i:03d} NHS Foundation Trust" for i in range(rows)]
        values = [1 + ((i * 37 + s) % 100) / 33 for i in range(rows)]
        table = Table(
            caption=f"Table {s + 1}: scores in group {s + 1}",
            columns=("Trust", "Score", "Rank", "Segment"),
            rows=tuple((n, f"{v:.2f}", str(i + 1), str(1 + int(v) % 4)) for i, (n, v) in enumerate(zip(names, values))),
            numeric=(False, True, True, True),
        )
        chart = BarChart(tuple(Bar(n, v, highlight=(i == 3)) for i, (n, v) in enumerate(zip(names, values))),
                         value_label="Score", category_label="Trust", value_min=1, value_max=4,
                         show_category_labels=rows <= 30, reference_lines=((2.5, "Median"),))
        blocks.append(Section(f"Group {s + 1}", (
            Paragraph.of("Scores for this group, with the ", Run("methodology", href="https://example.org/"), "."),
            Figure(chart, alt=f"Trust {s:02d}-003 scores {values[3]:.2f}.", caption=f"Figure {s + 1}", data=table),
        )))
    return Document("Benchmark document", tuple(blocks), date="2025-09-10")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import pikepdf

    from reportgen.render.docx import render_docx
    from reportgen.render.html import render_html
    from reportgen.render.pdf import render_pdf

    start = time.perf_counter()
    render_pdf(synthetic(1, 5))
    print(f"first render in this process (imports, fonts): {time.perf_counter() - start:.2f} s")
    for label, sections in (("about 5 pages", 2), ("about 20 pages", 9)):
        doc = synthetic(sections)
        with pikepdf.open(io.BytesIO(render_pdf(doc))) as pdf:
            pages = len(pdf.pages)
        t_html = best(lambda doc=doc: render_html(doc), args.repeat)
        t_pdf = best(lambda doc=doc: render_pdf(doc), args.repeat)
        t_docx = best(lambda doc=doc: render_docx(doc), args.repeat)
        print(f"{label}: {pages} PDF pages; html {t_html:.3f} s, pdf {t_pdf:.2f} s, docx {t_docx:.2f} s")


if __name__ == "__main__":
    main()
