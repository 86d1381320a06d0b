#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs reportgen, its test
# dependencies and the accessibility checkers (Chromium, LibreOffice Writer, Java
# for the Nu Html Checker, poppler-utils), then runs ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --checkers
python3 -m ruff check .
python3 -m mypy reportgen
exec python3 -m pytest "$@"
