"""The README's two commands are what a fresh machine runs; CI runs the second one exactly."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme)[:2]


def test_readme_opens_with_install_and_render_then_install_and_test():
    render, tests = _commands()
    assert "pip install" in render and "kzdocs render fixtures/" in render
    assert "pip install" in tests and tests.endswith("pytest")


def test_ci_runs_the_readme_test_command_exactly():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci
