"""Compiled templates kept by kzdocs' own processes: the same pages as compiled afresh, kept
only in a private folder, only by the command, never by a host's process, and anew whenever
the source or the environment differs."""

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from kzdocs import ownprocess
from kzdocs.html import render_html
from kzdocs.records import load_record
from kzdocs.templatecache import CompiledTemplates, compiled_for

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))


def _command(cache: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "kzdocs", "render", *map(str, FIXTURES), "--lang", "kk,ru",
         "--format", "html", "-o", str(out)],
        env={**os.environ, "KZDOCS_CACHE_DIR": str(cache)}, check=True, timeout=300,
        capture_output=True,
    )  # fmt: skip


def _kept(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (cache / "templates").iterdir()}


def test_the_command_keeps_compiled_templates_and_renders_the_same_pages(tmp_path):
    cache = tmp_path / "cache"
    _command(cache, tmp_path / "first")
    kept = _kept(cache)
    assert len(kept) >= 10  # every kind's page and layouts, in both languages
    _command(cache, tmp_path / "second")
    assert _kept(cache) == kept  # all read back, none compiled and written again
    for path in (cache / "templates").iterdir():
        path.write_bytes(path.read_bytes()[:20])  # cut short: compiled anew
    _command(cache, tmp_path / "third")
    for fixture in FIXTURES:
        record = load_record(fixture)
        for lang in ("kk", "ru"):
            name = f"{fixture.stem}.{lang}.html"
            fresh = render_html(record, lang)  # this process compiles its own
            for run in ("first", "second", "third"):
                assert (tmp_path / run / name).read_text(encoding="utf-8") == fresh, (run, name)


LIBRARY_USE = """
import sys, kzdocs
kzdocs.render(kzdocs.load_record(sys.argv[1]), format="html")
"""


def test_a_host_process_keeps_nothing(tmp_path):
    subprocess.run(
        [sys.executable, "-c", LIBRARY_USE, str(FIXTURES[0])],
        env={**os.environ, "KZDOCS_CACHE_DIR": str(tmp_path)}, check=True, timeout=120,
    )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tuned(monkeypatch, tmp_path) -> Path:
    monkeypatch.setattr(ownprocess, "_tuned", True)
    monkeypatch.setenv("KZDOCS_CACHE_DIR", str(tmp_path))
    return tmp_path / "templates"


def test_the_folder_is_made_private(tuned):
    assert ownprocess.template_cache_folder() == tuned
    assert tuned.stat().st_mode & 0o777 == 0o700


def test_a_folder_others_may_enter_or_a_link_is_refused(tuned, tmp_path):
    tuned.mkdir(parents=True)
    tuned.chmod(0o755)
    assert ownprocess.template_cache_folder() is None
    tuned.rmdir()
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    tuned.symlink_to(tmp_path / "elsewhere")
    assert ownprocess.template_cache_folder() is None


def _env(**options) -> jinja2.Environment:
    return SandboxedEnvironment(loader=jinja2.DictLoader({"t": "{{ x }}\n"}), **options)


def test_code_is_kept_for_one_source_and_one_environment():
    assert compiled_for(_env(autoescape=True)) == compiled_for(_env(autoescape=True))
    assert compiled_for(_env(autoescape=True)) != compiled_for(_env(autoescape=False))
    assert compiled_for(_env()) != compiled_for(_env(trim_blocks=True))
    assert compiled_for(_env()) != compiled_for(jinja2.Environment())
    filtered = _env()
    filtered.filters["amount"] = jinja2.pass_context(lambda context, value: value)
    assert compiled_for(filtered) != compiled_for(_env())
    cache = CompiledTemplates(Path("/nonexistent"), _env())
    assert cache.get_source_checksum("{{ x }}") != cache.get_source_checksum("{{ y }}")


def test_a_folder_that_cannot_be_written_costs_only_the_compile(tmp_path):
    env = _env(autoescape=True)
    env.bytecode_cache = CompiledTemplates(tmp_path / "gone", env)
    assert env.get_template("t").render(x="<b>") == "&lt;b&gt;"
