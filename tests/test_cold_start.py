"""A command imports only the stages it uses: a start of the command pays for nothing else."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "fixtures" / "license-export-wheat.json"
KEY = ROOT / "fixtures" / "sign" / "dev-rsa.p12"

# Runs the command in a fresh interpreter and prints which of these were imported (a built-in
# signer named loads no other signer: NCANode's module is not imported to sign with a key).
HEAVY = ["weasyprint", "docx", "pyhanko", "signxml", "fastapi", "uvicorn", "httpx", "aiohttp",
         "pypdf", "pypdfium2", "watchfiles", "PIL",
         "kzdocs.sign.ncanode"]  # fmt: skip
COMMAND = """
import json, os, sys
from kzdocs.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
heavy = [name for name in json.loads(os.environ["HEAVY"]) if name in sys.modules]
sys.stderr.write("\\n" + json.dumps([code, heavy]))
"""


def _imported(*argv: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, *argv],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "HEAVY": json.dumps(HEAVY), "KZDOCS_KEY_PASSWORD": "test"},
    )  # fmt: skip
    code, heavy = json.loads(done.stderr.splitlines()[-1])
    assert code == 0, done.stderr
    return heavy


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["kinds"], []),
        (["validate", str(RECORD)], []),
        (["render", str(RECORD), "--format", "html"], []),
        (["render", str(RECORD), "--format", "xml"], []),
        (["render", str(RECORD), "--format", "pdf", "-o", "{out}/a.pdf"], ["weasyprint", "PIL"]),
        (["render", str(RECORD), "--format", "docx", "-o", "{out}/a.docx"], ["docx"]),
        (
            ["render", str(RECORD), "--format", "pdf", "-o", "{out}/a.pdf", "--sign", str(KEY)],
            ["weasyprint", "signxml", "PIL"],  # kzdocs' own PAdES: no pyHanko, so no aiohttp
        ),
    ],
    ids=["kinds", "validate", "html", "xml", "pdf", "docx", "signed-pdf"],
)
def test_a_command_imports_only_the_stages_it_uses(tmp_path, argv, expected):
    argv = [arg.replace("{out}", str(tmp_path)) for arg in argv]
    assert sorted(_imported(*argv)) == sorted(expected)


IMPORTED_BY = """
import json, sys
exec(sys.argv[1])
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


@pytest.mark.parametrize(
    "statement",
    [
        "import kzdocs",
        "from kzdocs.cli import run",
        # The parser of every command: `kzdocs render … --format pdf` starts its PDF engine
        # (kzdocs.pdfahead) once its arguments are read, before any stage is imported.
        "from kzdocs.cli import _parser; _parser().parse_args(['render', 'a.json'])",
    ],
    ids=["kzdocs", "command", "parser"],
)
def test_importing_kzdocs_or_its_command_loads_no_stage(statement):
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY, statement],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    loaded = set(json.loads(done.stdout))
    # The command tunes its process (kzdocs.ownprocess) before any of these is imported.
    assert loaded.isdisjoint({"pydantic", "jinja2", "babel", "lxml", *HEAVY}), loaded


def test_every_public_name_is_its_home_modules_and_render_stays_the_function():
    import kzdocs
    import kzdocs.render as render_module  # binds the submodule's name in the package

    for name in kzdocs.__all__:
        home = importlib.import_module(kzdocs._HOME_OF[name])
        assert getattr(kzdocs, name) is getattr(home, name), name
    assert render_module is kzdocs.render is sys.modules["kzdocs.render"].render
    assert set(kzdocs._HOME_OF) == set(kzdocs.__all__)
    assert set(dir(kzdocs)) >= set(kzdocs.__all__)
