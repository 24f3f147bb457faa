"""Builds kzdocs' compiled copies of WeasyPrint's busiest modules (see kzdocs/pdf/compiled.py).

Everything else about the package is in pyproject.toml. The copies are optional: without Cython
or a C compiler, or with a WeasyPrint whose sources cannot be found, the install goes on and
kzdocs renders with pure-Python WeasyPrint, to the same bytes, only slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The modules a document's layout and drawing spend their time in (profiled with cProfile and
# perf on the fixtures; docs/performance.md), unchanged sources compiled by Cython. A name missing
# from the installed packages is skipped.
MODULES = (
    "cffi.api",
    "cssselect2",
    "cssselect2.tree",
    "fontTools.misc.sstruct",
    "fontTools.ttLib.sfnt",
    "pydyf",
    "tinycss2.ast",
    "tinycss2.color4",
    "tinycss2.color5",
    "tinycss2.parser",
    "tinycss2.tokenizer",
    "weasyprint",
    "weasyprint.anchors",
    "weasyprint.css",
    "weasyprint.css.computed_values",
    "weasyprint.css.counters",
    "weasyprint.css.functions",
    "weasyprint.document",
    "weasyprint.draw",
    "weasyprint.draw.border",
    "weasyprint.draw.color",
    "weasyprint.draw.text",
    "weasyprint.formatting_structure.boxes",
    "weasyprint.formatting_structure.build",
    "weasyprint.html",
    "weasyprint.layout",
    "weasyprint.layout.absolute",
    "weasyprint.layout.background",
    "weasyprint.layout.block",
    "weasyprint.layout.float",
    "weasyprint.layout.inline",
    "weasyprint.layout.leader",
    "weasyprint.layout.min_max",
    "weasyprint.layout.page",
    "weasyprint.layout.percent",
    "weasyprint.layout.table",
    "weasyprint.matrix",
    "weasyprint.pdf",
    "weasyprint.pdf.fonts",
    "weasyprint.pdf.stream",
    "weasyprint.stacking",
    "weasyprint.text.ffi",
    "weasyprint.text.fonts",
    "weasyprint.text.line_break",
    "weasyprint.urls",
    "webencodings",
)
# Python's semantics, unchanged: functions stay Python functions (binding), and annotations
# are not turned into type checks Python would not make.
DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False}
# No debug information: the copies take 14 MB instead of 76, and build in 2.5 minutes, not 3.
CFLAGS = [] if sys.platform == "win32" else ["-g0"]
# Where the compiled copies go, inside the kzdocs.pdf package; not an importable name.
FOLDER = "compiled-modules"
MANIFEST = "manifest.json"
SKIP = "KZDOCS_NO_COMPILE"  # set to install without compiling


def source_of(module: str) -> Path | None:
    """The installed .py file of `module`, found without importing anything."""
    top, *rest = module.split(".")
    spec = find_spec(top)
    if spec is None or spec.origin is None:
        return None
    if not rest:
        return Path(spec.origin)
    base = Path(spec.origin).parent.joinpath(*rest)
    return next((p for p in (base / "__init__.py", base.with_suffix(".py")) if p.is_file()), None)


class BuildCompiledModules(build_ext):
    """Translate the sources found with Cython, compile each one optionally, and write the
    manifest of what was built from which source bytes. An editable install gets its copies
    in the source tree (kzdocs/pdf/compiled-modules/, ignored by git)."""

    def finalize_options(self) -> None:
        self.distribution.ext_modules = self._translated(self.distribution.ext_modules or [])
        super().finalize_options()

    def _translated(self, extensions: list[Extension]) -> list[Extension]:
        if not extensions:
            return []
        try:
            from Cython.Build import cythonize
        except ImportError:
            self.warn("Cython is missing: WeasyPrint stays pure Python")
            return []
        translated = []
        for extension in extensions:
            try:
                translated += cythonize(
                    [extension],
                    build_dir=os.path.join("build", "cython"),
                    compiler_directives=DIRECTIVES,
                    quiet=True,
                )
            except Exception as error:  # a construct Cython cannot translate: keep the .py
                self.warn(f"{extension.name} stays pure Python: {error}")
        return translated

    def run(self) -> None:
        if not self.extensions:
            return
        inplace, self.inplace = self.inplace, False
        self.parallel = self.parallel or os.cpu_count()
        super().run()
        built = self._built_folder()
        self._write_manifest(built)
        if inplace:
            package = self.get_finalized_command("build_py").get_package_dir("kzdocs.pdf")
            shutil.rmtree(os.path.join(package, FOLDER), ignore_errors=True)
            shutil.copytree(built, os.path.join(package, FOLDER))

    def get_ext_fullpath(self, ext_name: str) -> str:
        return os.path.join(self._built_folder(), self.get_ext_filename(ext_name))

    def _built_folder(self) -> str:
        return os.path.join(self.build_lib, "kzdocs", "pdf", FOLDER)

    def _write_manifest(self, folder: str) -> None:
        modules = {
            ext.name: {"file": self.get_ext_filename(ext.name), "sha256": SOURCE_SHA256[ext.name]}
            for ext in self.extensions
            if os.path.exists(os.path.join(folder, self.get_ext_filename(ext.name)))
        }
        manifest = {"python": sys.implementation.cache_tag, "modules": modules}
        with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as file:
            json.dump(manifest, file, indent=1, sort_keys=True)


# sha256 of each module's installed source, as compiled_extensions copied it.
SOURCE_SHA256: dict[str, str] = {}


def compiled_extensions() -> list[Extension]:
    """One optional extension per module whose source is installed, compiled from a copy so
    the installed package is left as it is."""
    extensions = []
    for module in MODULES:
        source = source_of(module)
        if source is None:
            continue
        parts = module.split(".")
        if source.name != "__init__.py":
            parts[-1] += ".py"
        copy = Path("build", "compiled-sources", *parts)
        if source.name == "__init__.py":
            copy /= "__init__.py"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        SOURCE_SHA256[module] = hashlib.sha256(source.read_bytes()).hexdigest()
        extensions.append(Extension(module, [str(copy)], optional=True, extra_compile_args=CFLAGS))
    return extensions


setup(
    cmdclass={"build_ext": BuildCompiledModules},
    ext_modules=[] if os.environ.get(SKIP) else compiled_extensions(),
)
