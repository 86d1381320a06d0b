"""Writing files atomically: a reader never sees a half-written output.

Each file is written to a temporary name in the same folder and renamed over
the target only when complete, so a crash or Ctrl-C leaves either the old file
or the new one, never a part.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

TMP_PREFIX = ".reportgen-"
#: The folder, inside a quarter's folder, that holds the trust packs.
PACKS_DIR = "trusts"


class OutsideOutput(ValueError):
    """An output path that would lie outside the folder given with --out."""


def inside(root: str | Path, *names: str) -> Path:
    """``root/names...``, resolved, after checking that it lies inside ``root``.

    Every output path of a build is made here. Each name must be a plain file or
    folder name (no separator, not ``.`` or ``..``), and the resolved path, with
    any symbolic link already in place followed, must still lie inside ``root``.
    """
    base = Path(root).resolve()
    for name in names:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise OutsideOutput(f"refusing to write {name!r}: not a plain file name inside {root}.")
    path = base.joinpath(*names).resolve()
    if not path.is_relative_to(base) or path == base:
        raise OutsideOutput(f"refusing to write {base.joinpath(*names)}: it lies outside {root}.")
    return path


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def remove_stale_temporaries(folder: str | Path) -> None:
    """Remove temporaries left by a process that was killed outright (SIGKILL)."""
    folder = Path(folder)
    if folder.is_dir():
        for p in folder.rglob(f"{TMP_PREFIX}*.tmp"):
            p.unlink(missing_ok=True)
