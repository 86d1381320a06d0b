#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: sets reportgen up with its test dependencies and
# the accessibility checkers (scripts/setup.sh --checkers: Chromium, LibreOffice Writer, Java for
# the Nu Html Checker, poppler-utils, npm, and .venv with the pinned Python packages), then runs
# ruff, mypy and pytest in that environment. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --checkers
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy reportgen
exec .venv/bin/python -m pytest "$@"
