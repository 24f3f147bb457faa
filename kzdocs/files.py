"""Writing output files (whole or not at all), and the user's cache folder."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from kzdocs.errors import OutputError


def cache_folder() -> Path:
    """$KZDOCS_CACHE_DIR, else the platform's per-user cache folder + kzdocs."""
    if folder := os.environ.get("KZDOCS_CACHE_DIR"):
        return Path(folder)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "kzdocs" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kzdocs"


def write_atomically(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a reader never sees half a document. A file that cannot be
    written raises `OutputError` naming it and the reason."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(str(path), _reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide documents from their readers
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(str(path), _reason(exc)) from None
        raise


def _reason(exc: OSError) -> str:
    # mkdir over a file says only "File exists", which names neither the file nor the problem.
    if isinstance(exc, FileExistsError):
        return f"{exc.filename} is a file, not a folder"
    if isinstance(exc, NotADirectoryError):
        return f"a part of {exc.filename} is a file, not a folder"
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
