"""The compiled copies of WeasyPrint's modules: used only for the exact source they were built
from, switchable off, and rendering the same bytes as pure Python."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from kzdocs.pdf import compiled

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FOLDER = files("kzdocs.pdf") / compiled.FOLDER
BUILT = compiled.read_manifest(FOLDER) if isinstance(FOLDER, Path) else None
needs_build = pytest.mark.skipif(
    BUILT is None, reason="this install has no compiled modules (no compiler, or KZDOCS_NO_COMPILE)"
)

RENDER = """
import sys
from pathlib import Path
from kzdocs import load_record, render
from kzdocs.pdf.compiled import compiled_modules
data = render(load_record(Path(sys.argv[1])), lang=sys.argv[2], format="pdf")
Path(sys.argv[3]).write_bytes(data)
print(",".join(compiled_modules()))
"""


def run_render(fixture: str, lang: str, out: Path, *, pure: bool) -> list[str]:
    """Render in a fresh process; the modules it ran compiled."""
    env = dict(os.environ)
    env.pop(compiled.PURE_PYTHON_SWITCH, None)
    if pure:
        env[compiled.PURE_PYTHON_SWITCH] = "1"
    args = [sys.executable, "-c", RENDER, str(FIXTURES / fixture), lang, str(out)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return [name for name in done.stdout.strip().split(",") if name]


@needs_build
@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", ["license-export-wheat.json", "refusal-several-grounds.json"])
def test_compiled_and_pure_python_render_the_same_bytes(fixture, lang, tmp_path):
    pure = run_render(fixture, lang, tmp_path / "pure.pdf", pure=True)
    fast = run_render(fixture, lang, tmp_path / "compiled.pdf", pure=False)

    assert pure == []
    assert set(fast) == set(BUILT.sources), "every module built is used by a render"
    assert (tmp_path / "pure.pdf").read_bytes() == (tmp_path / "compiled.pdf").read_bytes()


def fake_install(tmp_path: Path, source: str = "VALUE = 1\n") -> tuple[Path, list[str]]:
    """A package `kzfake` with one module, and a compiled-modules folder that claims it."""
    package = tmp_path / "src" / "kzfake"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(source)
    folder = tmp_path / "compiled"
    folder.mkdir()
    digest = hashlib.sha256(b"VALUE = 1\n").hexdigest()
    manifest = {
        "python": sys.implementation.cache_tag,
        "modules": {"kzfake.mod": {"file": "kzfake/mod.so", "sha256": digest}},
    }
    (folder / compiled.MANIFEST).write_text(json.dumps(manifest))
    (folder / "kzfake").mkdir()
    (folder / "kzfake" / "mod.so").write_bytes(b"")  # found, never loaded by these tests
    return folder, [str(package)]


def test_the_compiled_copy_is_found_for_the_source_it_was_built_from(tmp_path):
    folder, path = fake_install(tmp_path)
    finder = compiled.read_manifest(folder)

    spec = finder.find_spec("kzfake.mod", path)

    assert spec.origin == str(folder / "kzfake" / "mod.so")
    assert finder.loaded == ["kzfake.mod"]
    # Package data is still read next to the .py file the copy replaces.
    assert spec.loader.get_resource_reader("kzfake.mod").files() == Path(path[0])


def test_a_listed_copy_that_is_missing_stays_pure_python(tmp_path):
    folder, path = fake_install(tmp_path)
    finder = compiled.read_manifest(folder)
    assert finder.find_spec("kzfake.mod", path) is not None
    (folder / "kzfake" / "mod.so").unlink()

    assert finder.find_spec("kzfake.mod", path) is None
    assert finder.rejected == ["kzfake.mod"]


def test_a_changed_source_stays_pure_python(tmp_path):
    folder, path = fake_install(tmp_path, source="VALUE = 2\n")
    finder = compiled.read_manifest(folder)

    assert finder.find_spec("kzfake.mod", path) is None
    assert finder.rejected == ["kzfake.mod"]
    assert finder.find_spec("kzfake.other", path) is None  # not listed: not ours to find
    assert finder.rejected == ["kzfake.mod"]


def test_copies_built_for_another_python_are_ignored(tmp_path):
    folder, _ = fake_install(tmp_path)
    manifest = json.loads((folder / compiled.MANIFEST).read_text())
    manifest["python"] = "cpython-399"
    (folder / compiled.MANIFEST).write_text(json.dumps(manifest))

    assert compiled.read_manifest(folder) is None
    assert compiled.read_manifest(tmp_path / "nothing-here") is None


@needs_build
def test_the_pure_python_switch_turns_the_copies_off(tmp_path):
    code = (
        "import kzdocs.pdf, weasyprint.layout.block as block; "
        "from kzdocs.pdf.compiled import compiled_modules; "
        "print(block.__file__.endswith('.py'), len(compiled_modules()))"
    )
    env = {**os.environ, compiled.PURE_PYTHON_SWITCH: "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["True", "0"]
    env[compiled.PURE_PYTHON_SWITCH] = "0"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    from_py, count = done.stdout.split()
    assert from_py == "False" and int(count) > 0
