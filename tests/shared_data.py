"""The real published files in ../shared/nof-data/.

Tests read them from there (they are never copied into the project). Where the
folder is absent a test skips with that reason, except under CI (the ``CI``
environment variable set), where its absence is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REPORTGEN_SHARED_DATA", ROOT.parent / "shared" / "nof-data"))

MH_DATA = "nhs-oversight-framework-mental-health-and-community-trust-data.csv"
MH_LEAGUE = "nhs-oversight-framework-mental-health-and-community-trust-league-table.csv"
ACUTE_Q1_DATA = "nhs-oversight-framework-acute-trust-data.csv"
ACUTE_Q3_DERIVED = "derived-q3-2025-26-league-and-domain-scores-from-trustpulse.csv"
ETR = "etr.csv"


def shared_file(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        reason = f"the real published file {path} is absent (../shared/nof-data/ beside the checkout)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; under CI it must be present")
        pytest.skip(reason)
    return path
