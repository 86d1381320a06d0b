#!/usr/bin/env bash
# Remakes the README's pictures, docs/screenshot-pack.png and docs/screenshot-site.png: the example
# data built as web pages, shot with headless Chromium, then shrunk to a 64-colour palette with Pillow.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m reportgen build --data data --out "$tmp/out" --formats html --quiet
shoot() {  # page, picture
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars \
    --window-size=1120,1250 --screenshot="$2" "file://$1" 2>/dev/null
}
shoot "$tmp/out/2025-26-q4/trusts/X6988.html" "$tmp/pack.png"
shoot "$tmp/out/2025-26-q4/index.html" "$tmp/site.png"
"$PY" - "$tmp" <<'PYTHON'
import sys
from PIL import Image
for name in ("pack", "site"):
    image = Image.open(f"{sys.argv[1]}/{name}.png").convert("RGB")
    image = image.crop((0, 0, image.width, min(image.height, 1150)))
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        f"docs/screenshot-{name}.png", optimize=True)
PYTHON
ls -l docs/screenshot-*.png
