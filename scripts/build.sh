#!/usr/bin/env bash
# Sets reportgen up (scripts/setup.sh: system packages, .venv, pinned Python packages) and builds
# every document from the shipped example data in data/ into output/: the national league-table
# document, a briefing pack per trust and the site. Extra arguments go to `reportgen build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m reportgen build --data data --out output "$@"
