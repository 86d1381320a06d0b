"""reportgen as its users install it: the wheel and sdist, the example data, the first-run messages."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import reportgen
from reportgen.cli import main
from reportgen.resources import example_data_files

ROOT = Path(__file__).resolve().parent.parent
TRUST = "X6988"  # an acute trust of the example data


def _env_without_checkout() -> dict[str, str]:
    """The environment with nothing that would import reportgen from this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


# --- the version, the licence, the typing marker -----------------------------------

def test_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject.split("[tool.")[0]
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.strip() == f"reportgen, version {reportgen.__version__}"


def test_licences_and_typing_marker_are_there():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "reportgen contributors" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (ROOT / "reportgen" / "py.typed").is_file()
    ofl = (ROOT / "reportgen" / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl


def test_every_subpackage_is_in_the_wheel_list():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "reportgen").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_installed_versions_are_the_locked_ones():
    """scripts/setup.sh installs exactly requirements.lock: a new dependency needs scripts/lock.sh."""
    from importlib.metadata import distributions

    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        if os.environ.get("CI"):
            pytest.fail("CI runs the tests in the checkout's .venv, as scripts/test.sh does")
        pytest.skip("checks the checkout's .venv, which scripts/test.sh runs the tests in")
    locked = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            locked[_canonical(name)] = version.strip()
    installed = {_canonical(d.metadata["Name"]): d.version for d in distributions()}
    for tool in ("reportgen", "pip", "setuptools", "wheel"):
        installed.pop(tool, None)
    unpinned = sorted(set(installed) - set(locked))
    assert not unpinned, f"installed but not in requirements.lock (run scripts/lock.sh): {unpinned}"
    differ = {n: (v, locked[n]) for n, v in installed.items() if v != locked[n]}
    assert not differ, f"installed version differs from requirements.lock: {differ}"


# --- example data and the first run ---------------------------------------------------

def test_example_data_command_writes_the_shipped_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["example-data", "ex"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "ex").iterdir())
    assert written == sorted(p.name for p in example_data_files())
    assert "FICTIONAL-EXAMPLE-DATA.md" in written and len([n for n in written if n.endswith(".csv")]) == 6
    for src in example_data_files():
        assert (tmp_path / "ex" / src.name).read_bytes() == src.read_bytes()
    # a second run rewrites the same files; a folder of other CSV files is refused
    assert CliRunner().invoke(main, ["example-data", "ex"]).exit_code == 0
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "nhs-data.csv").write_text("x\n")
    refused = CliRunner().invoke(main, ["example-data", "mine"])
    assert refused.exit_code == 2 and "already holds other CSV files (nhs-data.csv)" in refused.output
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["nhs-data.csv"]


def test_no_data_folder_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["league", "--out", "league.csv"])
    assert result.exit_code == 2
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "pass --data with NHS England's NHS Oversight Framework CSV files" in message
    assert "reportgen example-data data" in message
    assert not (tmp_path / "league.csv").exists()


def test_missing_pango_is_one_sentence_naming_what_to_install(tmp_path):
    # WeasyPrint raises this OSError at import when the Pango library cannot be loaded; a package
    # of that name ahead on the path stands in for a machine without libpango.
    stand_in = tmp_path / "nopango" / "weasyprint"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object "
        "file: No such file or directory\")\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "nopango"), str(ROOT)])}
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", "--data", str(ROOT / "data"),
                          "--out", str(out), "--trust", TRUST], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "needs the Pango library" in lines[0] and "apt-get install libpango-1.0-0" in lines[0]
    assert "--formats html,docx" in lines[0]
    assert not out.exists()


# --- the wheel and the sdist ----------------------------------------------------------

@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """The sdist, and the wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (wheel,) = out.glob("reportgen-*.whl")
    (sdist,) = out.glob("reportgen-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.mark.slow
def test_wheel_holds_what_an_installed_reportgen_needs(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    version = reportgen.__version__
    for needed in ("reportgen/py.typed", "reportgen/fonts/LiberationSans-Regular.ttf",
                   "reportgen/fonts/LiberationSans-Bold.ttf", "reportgen/fonts/OFL.txt",
                   "reportgen/years/nof-2025-26.toml", "reportgen/templates/style.css.j2",
                   "reportgen/example_data/FICTIONAL-EXAMPLE-DATA.md",
                   f"reportgen-{version}.dist-info/licenses/LICENSE"):
        assert needed in names, needed
    assert len([n for n in names if n.startswith("reportgen/example_data/example-")]) == 6
    assert any(n.startswith("reportgen/templates/prose/") and n.endswith(".md") for n in names)


@pytest.mark.slow
def test_sdist_holds_the_tests_and_the_scripts(dists):
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tracked = subprocess.run(["git", "ls-files", "tests", "scripts", "data", "reportgen", "templates"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    missing = [n for n in tracked if n not in names]
    assert not missing, f"tracked files the sdist lacks: {missing}"
    for needed in ("LICENSE", "README.md", "requirements.lock", "pyproject.toml", ".ci/run",
                   "tools/package.json", "tools/package-lock.json"):
        assert needed in names, needed


@pytest.mark.slow
def test_installed_wheel_builds_a_pack_from_another_folder(dists, tmp_path):
    """CI's install check: the wheel in a fresh virtual environment, used from an empty folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python, exe = venv / "bin" / "python", venv / "bin" / "reportgen"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                              "--constraint", str(ROOT / "requirements.lock"), str(dists["wheel"])],
                             capture_output=True, text=True, timeout=1800, env=_env_without_checkout())
    assert install.returncode == 0, install.stderr[-3000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _env_without_checkout()

    def reportgen_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=work, env=env, capture_output=True, text=True, timeout=1800)

    where = subprocess.run([str(python), "-c", "import reportgen; print(reportgen.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(venv) in where and str(ROOT) not in where, where
    first = reportgen_cli("build", "--trust", TRUST, "--formats", "html")
    assert first.returncode == 2 and "reportgen example-data data" in first.stderr, first.stderr
    wrote = reportgen_cli("example-data")
    assert wrote.returncode == 0, wrote.stderr
    built = reportgen_cli("build", "--trust", TRUST, "--formats", "html,pdf,docx")
    assert built.returncode == 0, built.stderr[-3000:]
    quarter = work / "output" / "2025-26-q4"
    for suffix, magic in (("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-"), ("docx", b"PK")):
        pack = quarter / "trusts" / f"{TRUST}.{suffix}"
        assert pack.read_bytes().startswith(magic), pack
    assert (quarter / "index.html").is_file() and (work / "output" / "index.html").is_file()
