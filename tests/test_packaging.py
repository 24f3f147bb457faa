"""What the wheel ships: every package and every data file the code reads."""

import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]


def test_every_package_folder_is_listed_for_the_wheel():
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "kzdocs").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk | {"kzdocs.templates"} == set(_setuptools()["packages"])


def test_templates_are_the_package_kzdocs_templates():
    assert _setuptools()["package-dir"]["kzdocs.templates"] == "templates"
    shipped = files("kzdocs.templates")
    assert shipped.joinpath("kk").is_dir() and shipped.joinpath("ru").is_dir()


def test_pinned_renderer():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "weasyprint==70.0" in project["dependencies"]


def test_the_build_needs_nothing_but_setuptools():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert [req.split(">")[0] for req in pyproject["build-system"]["requires"]] == ["setuptools"]
    assert not (ROOT / "setup.py").exists()


def test_the_wheel_is_pure_python_and_holds_only_kzdocs(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "kzdocs", "templates"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name, **({} if copy is shutil.copy else {"ignore": _CACHES}))
    build = (
        "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)],
        cwd=source, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    wheel = tmp_path / done.stdout.strip().splitlines()[-1]
    assert wheel.name == "kzdocs-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        assert "Root-Is-Purelib: true" in archive.read("kzdocs-0.1.0.dist-info/WHEEL").decode()
    assert tops == {"kzdocs", "kzdocs-0.1.0.dist-info"}
    assert not [n for n in archive.namelist() if n.endswith((".so", ".pyd", ".c"))]
    # The compiled message catalogues ship in the wheel: a fresh install speaks kk and ru.
    catalogues = {f"kzdocs/locale/{lang}/LC_MESSAGES/kzdocs.mo" for lang in ("kk", "ru")}
    assert catalogues <= set(archive.namelist())


_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")


def test_kzdocs_claims_no_module_of_another_distribution():
    claimed = packages_distributions()
    assert [top for top, owners in claimed.items() if "kzdocs" in owners] == ["kzdocs"]
    assert claimed["weasyprint"] == ["weasyprint"] and claimed["pydyf"] == ["pydyf"]


HOST_STATE = """
import ctypes.util, gc, locale, logging, sys
def state():
    return (list(sys.meta_path), list(sys.path_hooks), gc.isenabled(), gc.get_threshold(),
            locale.setlocale(locale.LC_ALL), logging.getLogger().handlers[:],
            sys.getrecursionlimit(), ctypes.util.find_library)
before = state()
import kzdocs, kzdocs.pdf, kzdocs.docx, kzdocs.sign
during = []
gc.callbacks.append(lambda phase, info: during.append(phase))
record = kzdocs.load_record(sys.argv[1])
kzdocs.render(record, format="pdf")
kzdocs.render(record, format="docx")
gc.collect()
assert state() == before, (before, state())
assert during, "the collector kept running during the renders"
print("unchanged")
"""


def test_importing_and_rendering_leave_the_host_process_as_it_was():
    fixture = ROOT / "fixtures" / "license-export-wheat.json"
    done = subprocess.run(
        [sys.executable, "-c", HOST_STATE, str(fixture)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.stdout.strip() == "unchanged", done.stderr
