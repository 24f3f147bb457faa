"""Compiled copies of WeasyPrint's busiest modules, used in place of the .py files.

A licence spends most of its ~39 ms in WeasyPrint's pure-Python layout and drawing. At install
time setup.py compiles those modules, unchanged, with Cython; at import time this finder loads
each compiled copy instead of the .py file, but only when the installed .py file is byte for
byte the source it was compiled from (its sha256 is in the manifest). Any other case leaves the
module pure Python: no compiler at install time, another WeasyPrint since, or the switch
KZDOCS_PURE_PYTHON=1. Either way the PDF bytes are the same: CI checks the golden files with
the compiled modules, and a test compares the two renderings.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib.abc import MetaPathFinder
from importlib.machinery import ExtensionFileLoader, ModuleSpec, PathFinder
from importlib.resources import files
from importlib.resources.abc import Traversable, TraversableResources
from pathlib import Path

PURE_PYTHON_SWITCH = "KZDOCS_PURE_PYTHON"
FOLDER = "compiled-modules"  # in the kzdocs.pdf package, as setup.py writes it
MANIFEST = "manifest.json"


@dataclass
class CompiledModules(MetaPathFinder):
    """Finds the compiled copy of a listed module whose installed source is the one compiled."""

    folder: Path
    sources: dict[str, str]  # module → sha256 of the source it was compiled from
    binaries: dict[str, str]  # module → file name in `folder`
    loaded: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if name not in self.sources:
            return None
        source = PathFinder.find_spec(name, path)
        binary = self.folder / self.binaries[name]
        usable = source is not None and source.has_location and binary.is_file()
        if not usable or not _same(source, self.sources[name]):
            self.rejected.append(name)
            return None
        loader = _Loader(name, str(binary), Path(source.origin).parent)
        spec = ModuleSpec(name, loader, origin=str(binary))
        spec.submodule_search_locations = source.submodule_search_locations
        spec.has_location = True
        self.loaded.append(name)
        return spec


def _same(source: ModuleSpec, sha256: str) -> bool:
    return hashlib.sha256(Path(source.origin).read_bytes()).hexdigest() == sha256


class _Loader(ExtensionFileLoader):
    """Loads a compiled copy; its package data (WeasyPrint's own stylesheets) is still read
    from the folder of the .py file it replaces."""

    def __init__(self, name: str, path: str, source_folder: Path):
        super().__init__(name, path)
        self.source_folder = source_folder

    def get_resource_reader(self, name: str) -> TraversableResources:
        return _Folder(self.source_folder)


class _Folder(TraversableResources):
    def __init__(self, folder: Path):
        self.folder = folder

    def files(self) -> Traversable:
        return self.folder


def read_manifest(folder: Path) -> CompiledModules | None:
    """The finder for the compiled copies in `folder`, or None if it has none for this Python."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("python") != sys.implementation.cache_tag:
        return None
    modules = data["modules"]
    return CompiledModules(
        folder,
        sources={name: entry["sha256"] for name, entry in modules.items()},
        binaries={name: entry["file"] for name, entry in modules.items()},
    )


_finder: CompiledModules | None = None


def install() -> CompiledModules | None:
    """Put the finder first on sys.meta_path (once); do nothing under KZDOCS_PURE_PYTHON=1."""
    global _finder
    if _finder is not None or os.environ.get(PURE_PYTHON_SWITCH, "") not in ("", "0"):
        return _finder
    folder = files("kzdocs.pdf") / FOLDER
    _finder = read_manifest(folder) if isinstance(folder, Path) else None  # not from a zip
    if _finder is not None:
        sys.meta_path.insert(0, _finder)
    return _finder


def compiled_modules() -> tuple[str, ...]:
    """The modules running from a compiled copy in this process, sorted."""
    return tuple(sorted(_finder.loaded)) if _finder else ()
