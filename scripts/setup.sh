#!/usr/bin/env bash
# Installs what reportgen needs on a fresh machine.
#   scripts/setup.sh            the Python package and its dependencies
#   scripts/setup.sh --checkers also the tools the tests use to prove accessibility:
#                               Chromium (axe-core), the Nu Html Checker (Java),
#                               LibreOffice Writer, poppler-utils
set -euo pipefail
cd "$(dirname "$0")/.."

checkers=0
[ "${1:-}" = "--checkers" ] && checkers=1

# What the documents need at run time: Pango for WeasyPrint, Cairo for CairoSVG (the Word
# charts), and the fonts the
# documents and charts are laid out with (Liberation Sans, metric-compatible with Arial).
need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libcairo.so.2' || need+=(libcairo2)
command -v fc-match >/dev/null || need+=(fontconfig)
fc-list 2>/dev/null | grep -qi 'Liberation Sans' || need+=(fonts-liberation2)
if [ "$checkers" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium chromium-driver)
  command -v soffice >/dev/null || need+=(libreoffice-writer)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v java >/dev/null || need+=(default-jre-headless)
  command -v npm >/dev/null || need+=(npm)
fi
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ "$checkers" = 1 ]; then
  # axe-core and the Nu Html Checker come from the npm registry into tools/.
  if [ ! -f tools/node_modules/axe-core/axe.min.js ] || [ ! -f tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
    (cd tools && npm install --no-audit --no-fund --silent)
  fi
fi

extras=""; [ "$checkers" = 1 ] && extras="[test]"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e ".${extras}"
