#!/usr/bin/env bash
# Installs reportgen and builds every document from the shipped example data in data/
# into output/: the national league-table document, a briefing pack per trust and the site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m reportgen build --data data --out output "$@"
