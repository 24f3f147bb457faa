"""What the wheel ships: every package and every data file the code reads."""

import tomllib
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


def test_the_compiled_modules_are_built_from_the_pinned_renderer():
    """setup.py compiles the WeasyPrint and pydyf sources of the build environment; with the
    same pins as at run time, their copies match the installed sources and are used."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {dep for dep in pyproject["project"]["dependencies"] if "==" in dep}
    build = set(pyproject["build-system"]["requires"])
    assert {"weasyprint==70.0", "pydyf==0.13.0"} <= pins & build
