"""Shared fixtures. Others may add theirs here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.model import (
    NO_DATA,
    NOT_APPLICABLE,
    Bar,
    BarChart,
    BulletList,
    Document,
    Figure,
    Link,
    Note,
    Paragraph,
    Run,
    Section,
    Table,
)

AWKWARD_NAME = "A & B <Trust> \"Quoted\" O'Brien Ysbyty Gwynedd – Ñandú Café"
LONG_TABLE_ROWS = 134
FIGURE_ALT = ("Example Trust is ranked 17th of 134 acute trusts, in segment 2; "
              "its score of 2.1 is better than the national median of 2.4.")


def _trust_name(i: int) -> str:
    places = ("Northfield", "Eastbrook", "Southmere", "Westleigh", "Upton", "Kingsbridge", "Ashby")
    kinds = ("Hospitals NHS Foundation Trust", "University Hospitals NHS Trust",
             "Teaching Hospitals NHS Foundation Trust")
    return f"{places[i % len(places)]} {i:03d} {kinds[i % len(kinds)]}"


def make_sample_document() -> Document:
    """A synthetic document exercising every block type and the awkward cases."""
    names = [_trust_name(i) for i in range(1, LONG_TABLE_ROWS + 1)]
    names[16] = "Example Trust"
    scores = [round(1.0 + 3.0 * ((i * 37) % 134) / 133, 2) for i in range(LONG_TABLE_ROWS)]
    scores[16] = 2.1
    order = sorted(range(LONG_TABLE_ROWS), key=lambda i: (scores[i], names[i]))
    ranked = [(names[i], scores[i]) for i in order]

    def segment(score: float) -> str:
        return str(1 + min(3, int((score - 1.0) / 0.75)))

    long_table = Table(
        caption="Table 2: Acute trusts by average metric score, ranked (fictional data)",
        columns=("Trust", "Rank", "Average score", "Segment", "Change since last quarter"),
        rows=tuple(
            (name, str(rank), f"{score:.2f}", segment(score),
             NO_DATA if rank % 29 == 0 else f"{(rank % 7) - 3:+d}")
            for rank, (name, score) in enumerate(ranked, start=1)
        ),
        numeric=(False, True, True, True, True),
        id="league-table",
    )
    awkward_table = Table(
        caption="Table 1: Trusts with awkward names & symbols (<escaping> test)",
        columns=("Trust", "Score", "Segment"),
        rows=(
            (AWKWARD_NAME, "3.25", "3"),
            ("Plain Trust", "1.50", "1"),
            ("Trust with no score", NO_DATA, NOT_APPLICABLE),
        ),
        numeric=(False, True, False),
    )
    chart = BarChart(
        bars=tuple(Bar(name, score, highlight=(name == "Example Trust")) for name, score in ranked),
        value_label="Average metric score (1 is best)",
        category_label="Acute trusts",
        value_min=1.0,
        value_max=4.0,
        horizontal=True,
        show_category_labels=False,
        reference_lines=((2.4, "National median"), (1.75, "Segment 1 cut-off")),
    )
    figure = Figure(
        chart=chart,
        alt=FIGURE_ALT,
        caption="Figure 1: Average metric score of every acute trust, Example Trust highlighted",
        data=long_table,
        id="figure-scores",
    )
    small_chart = BarChart(
        bars=(Bar("Quality of care", 2.0), Bar("Access to services", 2.8, highlight=True),
              Bar("Finance", 1.4), Bar(AWKWARD_NAME, 3.1)),
        value_label="Domain score",
        category_label="Domain",
        value_min=1.0,
        value_max=4.0,
        horizontal=False,
        reference_lines=((2.5, "Peer median"),),
    )
    small_figure = Figure(
        chart=small_chart,
        alt="Access to services is Example Trust's weakest domain, scoring 2.8 against a peer median of 2.5.",
        caption="Figure 2: Example Trust's domain scores",
        data=Table(
            caption="Data for figure 2: domain scores",
            columns=("Domain", "Score"),
            rows=tuple((b.label, f"{b.value:.1f}") for b in small_chart.bars),
            numeric=(False, True),
        ),
    )
    return Document(
        title="NHS Oversight Framework: acute trust league table (synthetic test)",
        subtitle="Quarter 1, 2025 to 2026",
        author="reportgen tests",
        subject="Synthetic document for testing the writers",
        keywords=("NHS Oversight Framework", "league table", "segmentation"),
        slug="synthetic",
        date="2025-09-10",
        related=(Link("Word version of this document", "synthetic.docx"),
                 Link("PDF version of this document", "synthetic.pdf")),
        blocks=(
            Note("Fictional data", (Paragraph.of("Every figure in this document is made up for testing."),),
                 kind="warning"),
            Section("About this document", (
                Paragraph.of("This document is built from the ",
                             Run("NHS Oversight Framework", href="https://www.england.nhs.uk/nhs-oversight-framework/"),
                             " data and shows ", Run("every acute trust", strong=True), " in one league table."),
                BulletList((Paragraph.of("Scores run from 1 (best) to 4."),
                            Paragraph.of("Segments group trusts by score."),
                            Paragraph.of(Run("Bold item", strong=True), " with text after it."))),
                Section("How scores are calculated", (
                    Paragraph.of("Each metric is scored, then averaged within each domain."),
                    BulletList((Paragraph.of("Rank the trusts."), Paragraph.of("Assign segments.")), ordered=True),
                    Section("Rounding", (Paragraph.of("Scores are shown to two decimal places."),)),
                )),
                Note("What the scores cannot tell you", (
                    Paragraph.of("A score summarises many metrics; read it with the ",
                                 Run("methodology", href="https://www.england.nhs.uk/"), "."),
                )),
            )),
            Section("Trusts with awkward names", (awkward_table,)),
            Section("Results", (
                Paragraph.of("The chart shows every acute trust's average metric score."),
                figure,
                Section("Domain scores", (small_figure,)),
            )),
            Section("Further information", (
                Paragraph.of("Contact the analysts at ", Run("england.nhs.uk", href="https://www.england.nhs.uk/"),
                             "."),
            )),
        ),
    )


@pytest.fixture(scope="session")
def sample_document() -> Document:
    return make_sample_document()


@pytest.fixture(scope="session")
def render_dir(tmp_path_factory) -> Path:
    """Where rendered files are written (kept for looking at after a run)."""
    keep = os.environ.get("REPORTGEN_TEST_OUTPUT")
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="session", autouse=True)
def _close_checker_browser():
    """Close the Chromium that tests/checkers.py may have started, once, at the end."""
    yield
    from tests import checkers

    checkers.close_browser()


@pytest.fixture(scope="session")
def sample_outputs(sample_document, render_dir) -> dict[str, Path]:
    """The sample document rendered once per session in every format."""
    from reportgen.render.docx import render_docx
    from reportgen.render.html import render_html
    from reportgen.render.pdf import render_pdf

    paths = {
        "html": render_dir / "sample.html",
        "pdf_html": render_dir / "sample.print.html",
        "pdf": render_dir / "sample.pdf",
        "docx": render_dir / "sample.docx",
    }
    paths["html"].write_text(render_html(sample_document), encoding="utf-8")
    paths["pdf_html"].write_text(render_html(sample_document, for_pdf=True), encoding="utf-8")
    paths["pdf"].write_bytes(render_pdf(sample_document))
    paths["docx"].write_bytes(render_docx(sample_document))
    return paths
