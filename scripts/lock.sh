#!/usr/bin/env bash
# Re-pins requirements.lock: the exact version of every package that reportgen and its test
# extras install, resolved afresh in a new virtual environment with the system Python.
# Run it after changing the dependencies in pyproject.toml; commit the result with that change.
# scripts/setup.sh installs with `--constraint requirements.lock`, so CI, scripts/build.sh and
# scripts/test.sh all get these versions (and a PDF is byte-identical only for the same lock).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --root-user-action=ignore ".[test]"
{
  echo "# The exact versions scripts/setup.sh installs (as pip constraints) for reportgen and its"
  echo "# [test] extras, resolved with $("$tmp/venv/bin/python" --version). Regenerate with scripts/lock.sh."
  "$tmp/venv/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable | grep -iv '^reportgen[=@ ]'
} > requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages pinned" >&2
