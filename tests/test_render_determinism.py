"""Every writer gives the same bytes for the same document, in any process."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import hashlib
from tests.conftest import make_sample_document
from reportgen.render.docx import render_docx
from reportgen.render.html import render_html
from reportgen.render.pdf import render_pdf
doc = make_sample_document()
for data in (render_html(doc).encode(), render_pdf(doc), render_docx(doc)):
    print(hashlib.sha256(data).hexdigest())
"""


@pytest.mark.slow
def test_same_bytes_across_processes_and_hash_seeds(sample_outputs):
    expected = [hashlib.sha256(sample_outputs[k].read_bytes()).hexdigest() for k in ("html", "pdf", "docx")]
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Auckland" if seed == "1" else "UTC"}
        out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300, check=True).stdout.split()
        assert out == expected, f"PYTHONHASHSEED={seed}"


# The PDF alone, with WeasyPrint's font subsetter chosen by the first argument: HarfBuzz's
# (libharfbuzz-subset0) or fontTools', which stamps SOURCE_DATE_EPOCH, else the clock, into fonts.
PDF_SCRIPT = """
import hashlib, sys
import weasyprint.pdf.fonts as weasyprint_fonts
assert hasattr(weasyprint_fonts, "harfbuzz_subset"), "WeasyPrint no longer chooses its subsetter this way"
if sys.argv[1] == "fonttools":
    weasyprint_fonts.harfbuzz_subset = None
elif not weasyprint_fonts.harfbuzz_subset:
    sys.exit("libharfbuzz-subset0 is not installed (scripts/setup.sh installs it)")
from tests.conftest import make_sample_document
from reportgen.render.pdf import render_pdf
import io, pikepdf
data = render_pdf(make_sample_document())
with pikepdf.open(io.BytesIO(data)) as pdf:
    fonts = {str(o.BaseFont).split("+")[-1] for o in pdf.objects
             if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font" and "/BaseFont" in o}
assert fonts == {"reportgen-Liberation-Sans", "reportgen-Liberation-Sans-Bold"}, fonts
print(hashlib.sha256(data).hexdigest())
"""

# Two machines' worth of clocks: no SOURCE_DATE_EPOCH in London's winter, and another date in
# Auckland; the wall clock moves on between the runs as well.
CLOCKS = (
    {"TZ": "Europe/London", "SOURCE_DATE_EPOCH": None},
    {"TZ": "Pacific/Auckland", "SOURCE_DATE_EPOCH": "86400"},
)


def _pdf_hash(subsetter: str, clock: dict[str, str | None]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update({k: v for k, v in clock.items() if v is not None})
    run = subprocess.run([sys.executable, "-c", PDF_SCRIPT, subsetter], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_same_pdf_under_other_clocks_and_time_zones(subsetter, sample_outputs):
    hashes = [_pdf_hash(subsetter, clock) for clock in CLOCKS]
    assert hashes[0] == hashes[1], f"{subsetter}: the PDF depends on the clock or the time zone"
    if subsetter == "harfbuzz":  # and on neither in this process, with its own clock and zone
        assert hashes[0] == hashlib.sha256(sample_outputs["pdf"].read_bytes()).hexdigest()


def test_source_date_epoch_is_the_documents_date():
    from reportgen.render.pdf import source_date_epoch

    assert source_date_epoch("2026-03-31") == 1774915200  # 2026-03-31T00:00:00Z
    assert source_date_epoch("") == source_date_epoch("2000-01-01") == 946684800


NO_FONTS_SCRIPT = """
import hashlib
from tests.conftest import make_sample_document
from reportgen.render.docx import render_docx
from reportgen.render.pdf import render_pdf
doc = make_sample_document()
for data in (render_pdf(doc), render_docx(doc)):
    print(hashlib.sha256(data).hexdigest())
"""


@pytest.mark.slow
def test_same_pdf_and_word_charts_on_a_machine_without_fonts(sample_outputs, tmp_path):
    """The typeface is the one shipped in reportgen/fonts/, not the system's: with fontconfig shown
    no font at all, the PDF and the Word file (its charts drawn by CairoSVG) are the same bytes."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
                    f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.stdout.strip() == "", "the stand-in configuration still shows system fonts"
    run = subprocess.run([sys.executable, "-c", NO_FONTS_SCRIPT], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = [hashlib.sha256(sample_outputs[k].read_bytes()).hexdigest() for k in ("pdf", "docx")]
    assert run.stdout.split() == expected
