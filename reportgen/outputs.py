"""Writing files atomically: a reader never sees a half-written output.

Each file is written to a temporary name in the same folder and renamed over
the target only when complete, so a crash or Ctrl-C leaves either the old file
or the new one, never a part. A target that is not a regular file (a symbolic
link, a device, a folder) is never replaced. Every path a build writes is made
by ``inside``, which refuses one that would lie outside the output folder.
Temporaries carry the writing process's id, so a build removes only its own and
those of processes that no longer run, never another running build's.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

TMP_PREFIX = ".reportgen-"
#: The folder, inside a quarter's folder, that holds the trust packs.
PACKS_DIR = "trusts"
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-[A-Za-z0-9_]+\.tmp")


class OutputRefused(Exception):
    """An output path reportgen will not write: the message is one sentence."""


class OutsideOutput(OutputRefused):
    """An output path that would lie outside the folder given with --out."""


def inside(root: str | Path, *names: str) -> Path:
    """``root/names...`` (with ``root`` resolved), after checking that it lies inside ``root``.

    Every output path of a build is made here. Each name must be a plain file or
    folder name (no separator, not ``.`` or ``..``), and the path, with any
    symbolic link already in place followed, must still lie inside ``root``.
    """
    base = Path(root).resolve()
    for name in names:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise OutsideOutput(f"refusing to write {name!r}: not a plain file name inside {root}.")
    path = base.joinpath(*names)
    if not path.resolve().is_relative_to(base) or path.resolve() == base:
        raise OutsideOutput(f"refusing to write {path}: it lies outside {root}.")
    return path


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refusal(path: str | Path) -> str | None:
    """Why ``path`` may not be written (one sentence), or None for a regular file or a missing one."""
    if str(path) == "":
        return "--out '' is empty: give the path of the file to write."
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # missing, or below something that is not a folder: the write itself says which
        return None
    if stat.S_ISREG(mode):
        return None
    return (f"{path} is {_kind(mode)}: reportgen replaces only a regular file or writes a new one, "
            f"so give another path.")


def check_target(path: str | Path) -> None:
    reason = refusal(path)
    if reason:
        raise OutputRefused(reason)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: bytes | str, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` by way of a temporary in the same folder.

    A new file's mode follows the umask; a replaced file keeps its mode. An error
    (a full disk, say) names ``path`` and leaves no temporary. ``durable``: the bytes
    reach the disk before the file takes its name (``fsync``), so that a power cut
    leaves the old file or the new one. A release's files are written without it
    (``incremental.write_output``): the manifest records each file's SHA-256, and
    the next build writes again any file a power cut left short.
    """
    path = Path(path)
    check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp, mode)
        except OSError as exc:  # name the file being written, not the temporary
            raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno or errno.EIO), str(path)) from None
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process's own temporaries are left only by an error it is handling
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(*folders: str | Path) -> None:
    """Remove, in each folder (not below it), temporaries of this process or of one no longer running.

    Files named like a temporary by anyone else, and a running build's, are left alone.
    """
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            m = _TMP_NAME.fullmatch(entry.name)
            if m and entry.is_file(follow_symlinks=False) and not _running(int(m.group(1))):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass
