#!/usr/bin/env bash
# Sets reportgen up on a fresh machine (Debian 12, Ubuntu 24.04 or alike) with the system Python:
#   1. the system packages it needs, from apt, only those missing;
#   2. a virtual environment in .venv inside the checkout (git-ignored), so pip never touches
#      the system Python (which Debian and Ubuntu refuse: "externally-managed-environment");
#   3. reportgen installed into it, editable, at the exact versions pinned in requirements.lock.
#
#   scripts/setup.sh            what building the documents needs
#   scripts/setup.sh --checkers also the tools the tests use to prove accessibility:
#                               Chromium (axe-core), the Nu Html Checker (Java),
#                               LibreOffice Writer, poppler-utils, npm; and the test extras
#
# PYTHON names the interpreter that makes the environment (default: python3, 3.11 or later).
# The pip step runs again only when requirements.lock, pyproject.toml or the extras change.
set -euo pipefail
cd "$(dirname "$0")/.."

checkers=0
[ "${1:-}" = "--checkers" ] && checkers=1
PYTHON=${PYTHON:-python3}
VENV=.venv

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
# Python with venv and pip (Debian and Ubuntu split them out of python3), and the CA certificates
# pip needs to reach the package index.
if ! command -v "$PYTHON" >/dev/null; then
  need+=(python3 python3-venv python3-pip)
else
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
  "$PYTHON" -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
fi
[ -e /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
# What the documents need at run time: Pango for WeasyPrint; HarfBuzz's subsetter, without which
# WeasyPrint subsets fonts with fontTools (slower; reportgen still stamps the document's date, not
# the clock); Cairo (with fontconfig) for CairoSVG, which draws the Word charts. No system font is
# needed: the PDF and the charts use the Liberation Sans shipped in reportgen/fonts/.
have_lib 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so' || need+=(libharfbuzz-subset0)
have_lib 'libcairo.so.2' || need+=(libcairo2)
have_lib 'libfontconfig.so.1' || need+=(libfontconfig1)
if [ "$checkers" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium chromium-driver)
  command -v soffice >/dev/null || need+=(libreoffice-writer)
  # Calc opens the ODS data download in the tests (tests/test_downloads.py)
  dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v java >/dev/null || need+=(default-jre-headless)
  command -v npm >/dev/null || need+=(npm)
  command -v git >/dev/null || need+=(git)
  # what LibreOffice and Chromium show in place of Arial, metric-compatible
  fc-list 2>/dev/null | grep -qi 'Liberation Sans' || need+=(fontconfig fonts-liberation2)
fi
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: these system packages are missing and need root to install: ${need[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "setup: installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: reportgen needs Python 3.11 or later; $PYTHON is $("$PYTHON" --version 2>&1). Set PYTHON to a newer one." >&2
  exit 1
fi

if [ "$checkers" = 1 ]; then
  # axe-core and the Nu Html Checker come from the npm registry into tools/.
  if [ ! -f tools/node_modules/axe-core/axe.min.js ] || [ ! -f tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
    (cd tools && npm install --no-audit --no-fund --loglevel=error)
  fi
fi

# The virtual environment: made once, remade if it no longer runs (e.g. the system Python moved).
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: making the virtual environment $VENV" >&2
  "$PYTHON" -m venv --clear "$VENV"
fi

extras=""; [ "$checkers" = 1 ] && extras="[test]"
stamp="$VENV/.reportgen-installed"
inputs="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
# Up to date when installed from these very inputs with these extras (or with the test extras,
# which hold everything the plain install has).
if [ "$have" != "$inputs $extras" ] && [ "$have" != "$inputs [test]" ]; then
  echo "setup: installing reportgen$extras into $VENV at the versions in requirements.lock" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    --constraint requirements.lock -e ".$extras"
  echo "$inputs $extras" > "$stamp"
fi
