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
