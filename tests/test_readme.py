"""The README's two commands are what a fresh machine runs; CI runs the second one exactly."""

import json
import re
import shlex
import shutil
import subprocess

from service_helpers import FIXTURES, ROOT, start_server

from kzdocs import verify

KEY = FIXTURES / "sign" / "dev-rsa.p12"


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


def test_the_readme_s_service_commands_work_as_written(tmp_path):
    """The README's service block run line by line in a fresh folder (test.p12 is the README's
    dev certificate; only the port is a free one instead of 8080)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    block = next(b for b in re.findall(r"```sh\n(.+?)\n```", readme, re.S) if "kzdocs serve" in b)
    lines = block.replace("\\\n", " ").splitlines()
    shutil.copyfile(KEY, tmp_path / "test.p12")
    (tmp_path / "fixtures").symlink_to(FIXTURES)
    serve = next(line for line in lines if line.startswith("kzdocs serve"))
    before = lines[: lines.index(serve)]
    for line in before:
        subprocess.run(["bash", "-c", line], cwd=tmp_path, check=True, timeout=30)
    options = shlex.split(serve.split("#")[0])[2:]
    at = options.index("--port")
    del options[at : at + 2]
    server = start_server(*options, env={"KZDOCS_KEY_PASSWORD": "test"}, cwd=tmp_path)
    try:
        server.wait_ready()
        results = [
            subprocess.run(
                ["bash", "-c", line.replace("http://127.0.0.1:8080", server.url)],
                cwd=tmp_path,
                capture_output=True,
                timeout=60,
            )
            for line in lines[lines.index(serve) + 1 :]
        ]
    finally:
        assert server.stop() == 0
    pdf_made, validation = results
    assert pdf_made.returncode == 0, pdf_made.stderr
    assert verify((tmp_path / "wheat.ru.pdf").read_bytes()).valid
    errors = json.loads(validation.stdout)
    assert errors["error"] == "invalid_record" and errors["errors"][0]["rule"] == "date_range"
