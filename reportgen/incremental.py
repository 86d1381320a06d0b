"""Incremental builds: every output records a key of what it was made from.

A document's key is the SHA-256 of its format, of the whole document model (the
trust's own figures and everything it reads of other trusts: peer medians,
quartiles, cut-offs, ranks, the prose, the configuration's wording) and of the
build environment: reportgen's own code, templates and prose, the versions of
the libraries that draw the files, the installed fonts and the text-layout
libraries. A rebuild renders and writes only the outputs whose key changed; the
others are left as they were, not even rewritten. ``--force`` rebuilds all.

Each quarter's folder holds ``manifest.json``: every file of the release in that
folder with its size, SHA-256 and key. It is what the next build compares with,
and what scripts read to check the files.

A build also records a key of its request (the input files' bytes, the
configuration, the options that change what is written, the environment).
When the same request is made again and every file in the manifest is still as
it was written, nothing is loaded or computed at all.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import reportgen

from .outputs import inside, write_atomic
from .resources import templates_dir

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1

#: The libraries whose version can change the bytes of an output.
LIBRARIES = ("weasyprint", "pydyf", "python-docx", "pillow", "cairosvg", "pypng", "zlib-ng", "tinycss2",
             "cssselect2", "tinyhtml5", "pyphen", "fonttools", "jinja2", "markupsafe", "lxml", "pandas", "numpy",
             "markdown-it-py")
#: The native libraries that lay out and draw text.
NATIVE_LIBRARIES = ("pango-1.0", "pangoft2-1.0", "harfbuzz", "harfbuzz-subset", "fontconfig", "freetype", "cairo")


# ---------------------------------------------------------------------------
# Keys


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _tree_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix not in (".pyc", ".pyo"))


def _stat_text(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path} missing"
    return f"{path} {st.st_size} {st.st_mtime_ns}"


def _fonts() -> list[str]:
    """Every font file fontconfig knows, with its size and time (a font added, removed or updated)."""
    if not shutil.which("fc-list"):
        return ["no fc-list"]
    try:
        out = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ["fc-list failed"]
    files = sorted({line.strip().rstrip(":") for line in out.splitlines() if line.strip()})
    return [_stat_text(f) for f in files]


def _loaded_file(soname: str) -> str | None:
    """The file the dynamic linker loads for ``soname`` (``find_library`` gives only the name), or None."""
    import ctypes

    try:
        ctypes.CDLL(soname)
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(None, 5)[-1]
                if path.startswith("/") and os.path.basename(path).startswith(soname):
                    return path
    except OSError:  # not loadable, or no /proc (not Linux): the name alone
        pass
    return None


def _native_libraries() -> list[str]:
    """Each native library's file, with its size and time (a system update that changes how text is laid out
    or drawn), or its name where the file cannot be found."""
    from ctypes.util import find_library

    found = []
    for name in NATIVE_LIBRARIES:
        soname = find_library(name)
        path = _loaded_file(soname) if soname else None
        found.append(f"{name}: {_stat_text(path) if path else soname or 'absent'}")
    return found


def _library_versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} absent")
    return found


@lru_cache(maxsize=1)
def environment_key() -> str:
    """What every output depends on besides its content: code, templates, prose, libraries, fonts."""
    parts: list[str | bytes] = [f"reportgen {reportgen.__version__}", sys.version]
    package = Path(reportgen.__file__).resolve().parent
    for root in (package, templates_dir()):
        for path in _tree_files(root):
            parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    parts += _library_versions() + _native_libraries() + _fonts()
    return _sha(*parts)


#: Each dataclass's field names, and ``None`` for a type that is not a dataclass (looked up once a type).
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[kind]
    except KeyError:
        names = (tuple(f.name for f in dataclasses.fields(kind))
                 if dataclasses.is_dataclass(kind) else None)
        _FIELDS[kind] = names
        return names


def _canonical(obj: Any) -> Any:
    """A JSON-able form of a document model that holds every field (whatever its repr says)."""
    kind = type(obj)
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if kind is float:
        return repr(obj)  # exact, and nan/inf are JSON-able this way
    names = _field_names(kind)
    if names is not None:
        return [kind.__name__] + [[name, _canonical(getattr(obj, name))] for name in names]
    if isinstance(obj, (list, tuple)):
        return [_canonical(x) for x in obj]
    if isinstance(obj, dict):
        return [[repr(k), _canonical(v)] for k, v in sorted(obj.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(obj, float):
        return repr(obj)
    if isinstance(obj, (str, int, bool)):
        return obj
    return [kind.__name__, repr(obj)]


def document_model(doc: Any) -> str:
    """The document model as canonical JSON: what a document's key is made from, whatever its format."""
    return json.dumps(_canonical(doc), ensure_ascii=False, separators=(",", ":"))


def document_key(doc: Any, fmt: str, model: str | None = None) -> str:
    """The key of one document in one format (``model``: its ``document_model``, if already made)."""
    return _sha("document", environment_key(), fmt, document_model(doc) if model is None else model)


def bytes_key(data: bytes | str) -> str:
    """The key of a file whose bytes are cheap to make (the site's pages): the bytes themselves."""
    return _sha("bytes", data)


def request_key(input_files: Iterable[Path], config_file: Path | None, options: dict[str, Any]) -> str:
    """The key of a whole build request, known before anything is loaded.

    Empty when an input is not a regular file: then the build runs, and the loader says what is wrong."""
    parts: list[str | bytes] = ["request", environment_key(), json.dumps(options, sort_keys=True, default=str)]
    files = [Path(p) for p in input_files] + ([Path(config_file)] if config_file is not None else [])
    for path in files:
        if not path.is_file():
            return ""
        try:
            parts += [path.name, path.read_bytes()]
        except OSError:
            return ""
    return _sha(*parts)


# ---------------------------------------------------------------------------
# What was written


@dataclass(frozen=True)
class Output:
    """One file of the release, as the manifest records it."""

    key: str
    sha256: str
    bytes: int
    written: bool = False  # written by this build (False: left as it was)

    def record(self) -> dict[str, Any]:
        return {"bytes": self.bytes, "sha256": self.sha256, "key": self.key}

    def intact(self, path: Path) -> bool:
        """The file is still as it was written: a regular file of the same size and SHA-256."""
        try:
            if not path.is_file() or path.stat().st_size != self.bytes:
                return False
            with path.open("rb") as fh:
                return hashlib.file_digest(fh, "sha256").hexdigest() == self.sha256
        except OSError:
            return False


def write_output(path: Path, data: bytes | str, key: str) -> Output:
    """Write a file atomically and describe it for the manifest.

    Without ``fsync``: its SHA-256 in the manifest, checked by the next build (``Ledger.current``), finds a
    file a power cut left short, and that build writes it again. An ``fsync`` a file cost 3 to 7 ms of a
    worker's time here, about 830 times in a release."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic(path, payload, durable=False)
    return Output(key, hashlib.sha256(payload).hexdigest(), len(payload), written=True)


@dataclass(frozen=True)
class KeepAsTheyAre:
    """The outputs a build leaves as they are when present (``--no-national``): those in ``folders`` but not
    ``except_names``."""

    folders: tuple[str, ...]
    except_names: frozenset[str] = frozenset()

    def __call__(self, name: str) -> bool:
        return name.startswith(tuple(f"{f}/" for f in self.folders)) and name not in self.except_names


class Ledger:
    """The outputs a quarter's folder held after the last build (its manifest), and which are current."""

    def __init__(self, folder: Path, entries: dict[str, Output] | None = None, force: bool = False,
                 request: str = "", keep: KeepAsTheyAre | None = None):
        self.folder = Path(folder)
        self.entries: dict[str, Output] = dict(entries or {})
        self.force = force
        self.request = request
        self.keep = keep  # outputs left as they are, even out of date, when the file is there and intact
        self.stale: list[str] = []  # those of them this build left out of date

    @classmethod
    def open(cls, folder: Path, force: bool = False) -> Ledger:
        """The folder's manifest; an unreadable or missing one means nothing is current."""
        try:
            raw = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
            if raw.get("format") != MANIFEST_FORMAT:
                raise ValueError("another manifest format")
            entries = {name: Output(str(e["key"]), str(e["sha256"]), int(e["bytes"]))
                       for name, e in raw["files"].items()}
            request = str(raw.get("request", ""))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries, request = {}, ""
        return cls(folder, entries, force, request)

    def subset(self, names: Iterable[str]) -> Ledger:
        """The part of the ledger a worker needs (small to send)."""
        return Ledger(self.folder, {n: self.entries[n] for n in names if n in self.entries}, self.force,
                      keep=self.keep)

    def current(self, name: str, key: str) -> Output | None:
        """The recorded output when its key is ``key`` and the file is intact; else None."""
        entry = self.entries.get(name)
        if self.force or entry is None or entry.key != key or not entry.intact(self.folder / name):
            return None
        return entry

    def write(self, name: str, data: bytes | str, key: str) -> Output:
        """Write the output ``name`` (a path inside the folder, such as ``trusts/RYY.pdf``)."""
        return write_output(inside(self.folder, *name.split("/")), data, key)

    def produce(self, name: str, key: str, make) -> Output:
        """The output ``name``: left as it is when current, else ``make()``'s bytes written.

        An output ``keep`` names is left as it is when its file is there and intact, even out of date: its
        old key stays in the manifest, so the next build that does not keep it writes it again."""
        current = self.current(name, key)
        if current is not None:
            return current
        entry = self.entries.get(name)
        if (self.keep is not None and self.keep(name) and not self.force and entry is not None
                and entry.intact(self.folder / name)):
            self.stale.append(name)
            return entry
        return self.write(name, make(), key)

    def intact(self) -> bool:
        """Every recorded file is still as it was written."""
        return bool(self.entries) and all(e.intact(self.folder / n) for n, e in self.entries.items())

    def others(self, outputs: dict[str, Output]) -> dict[str, Output]:
        """The recorded files not among ``outputs`` that are still intact (left from earlier builds)."""
        return {n: e for n, e in self.entries.items() if n not in outputs and e.intact(self.folder / n)}

    def save(self, outputs: dict[str, Output], request: str = "", others: dict[str, Output] | None = None) -> bool:
        """Record ``outputs`` and the intact ``others`` (by default, worked out here).

        Returns whether the manifest was written (it is not when nothing in it changed)."""
        files = {**(self.others(outputs) if others is None else others), **outputs}
        text = json.dumps({
            "format": MANIFEST_FORMAT,
            "generator": f"reportgen {reportgen.__version__}",
            "request": request,
            "files": {n: files[n].record() for n in sorted(files)},
        }, indent=1, sort_keys=True) + "\n"
        path = self.folder / MANIFEST
        try:
            if path.read_text(encoding="utf-8") == text:
                return False
        except OSError:
            pass
        write_atomic(inside(self.folder, MANIFEST), text)
        return True


def up_to_date(out_dir: Path, request: str) -> Path | None:
    """The quarter folder in ``out_dir`` last built for exactly this request, with every file intact."""
    out_dir = Path(out_dir)
    if not request or not out_dir.is_dir() or not (out_dir / "index.html").is_file():
        return None
    for manifest in sorted(out_dir.glob(f"*/{MANIFEST}")):
        ledger = Ledger.open(manifest.parent)
        if ledger.request == request and ledger.intact():
            return manifest.parent
    return None
