"""Editable copies of the shipped templates, for tests of the template check and golden files."""

from __future__ import annotations

import os
import shutil
from importlib.resources import as_file, files
from pathlib import Path


def copy_templates(folder: Path) -> Path:
    """A copy of the shipped templates in `folder`/templates, for a test to edit."""
    with as_file(files("kzdocs.templates")) as shipped:
        return Path(shutil.copytree(shipped, folder / "templates"))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a template by `new` (`old` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # Jinja reloads a template whose mtime moved: make sure it moves even within one tick.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
