"""kzdocs' own processes answer library look-ups from one index (the same answers, the same
libraries loaded, a handful of subprocesses instead of dozens) and collect garbage less often;
a host process is left alone."""

import ctypes.util
import gc
import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from kzdocs import ownprocess
from kzdocs.cli import main

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the index is Linux's only")

# Prints the names WeasyPrint asked for, the shared objects mapped, and the subprocesses run.
IMPORT_WEASYPRINT = """
import ctypes.util, json, subprocess, sys
from kzdocs import ownprocess
from kzdocs.cli import main
if sys.argv[1] == "tuned":
    ownprocess.tune()
asked, started = [], []
find, popen = ctypes.util.find_library, subprocess.Popen.__init__
def recorded(name):
    asked.append(name)
    return find(name)
def counted(self, args, *rest, **options):
    started.append(args[0] if isinstance(args, (list, tuple)) else args)
    popen(self, args, *rest, **options)
ctypes.util.find_library, subprocess.Popen.__init__ = recorded, counted
import weasyprint
with open("/proc/self/maps") as maps:
    mapped = sorted({line.split()[-1] for line in maps if ".so" in line.rsplit("/", 1)[-1]})
print(json.dumps({"asked": asked, "mapped": mapped, "started": started}))
"""

OTHER_NAMES = ["c", "m", "z", "gcc", "gcc_s", "c_nonshared", "stdc++", "ssl", "ld-linux-x86-64",
               "kzdocs-no-such-library", "/lib/no/such.so", "harfbuzz-subset.so"]  # fmt: skip


def _import_weasyprint(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_WEASYPRINT, mode],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def imports() -> dict[str, dict]:
    return {mode: _import_weasyprint(mode) for mode in ("standard", "tuned")}


def test_the_index_answers_every_name_as_find_library(imports):
    asked = imports["standard"]["asked"]
    assert len(asked) >= 20 and "gobject-2.0" in asked  # WeasyPrint 70.0 asks for 22
    index = ownprocess.LibraryIndex(ctypes.util.find_library)
    names = [*dict.fromkeys(asked), *OTHER_NAMES]
    assert {n: index.find(n) for n in names} == {n: ctypes.util.find_library(n) for n in names}


def test_weasyprint_loads_the_same_libraries_with_a_handful_of_subprocesses(imports):
    standard, tuned = imports["standard"], imports["tuned"]
    assert tuned["asked"] == standard["asked"]
    assert tuned["mapped"] == standard["mapped"]
    assert any("libpango-1.0.so" in path for path in tuned["mapped"])
    assert len(standard["started"]) > 2 * len(standard["asked"])  # ldconfig, gcc, ld a name
    assert len(tuned["started"]) <= 3, tuned["started"]  # ldconfig, gcc and ld once each


TUNED_BY_THE_COMMAND = """
import ctypes.util, gc, json, sys
standard, thresholds = ctypes.util.find_library, gc.get_threshold()
import kzdocs, kzdocs.pdf, kzdocs.cli
assert (ctypes.util.find_library, gc.get_threshold()) == (standard, thresholds), "import tuned"
sys.argv = ["kzdocs", *sys.argv[1:]]
assert kzdocs.cli.run() == 0
sys.stderr.write("\\n" + json.dumps([type(ctypes.util.find_library.__self__).__name__,
                                    gc.get_threshold(), gc.get_freeze_count() > 0, gc.isenabled()]))
"""


RECORD = Path(__file__).resolve().parent.parent / "fixtures" / "license-export-wheat.json"


@pytest.mark.parametrize(
    ("argv", "collecting"),
    [(["kinds"], True), (["render", str(RECORD), "--format", "xml"], False)],
    ids=["kinds", "one-document"],
)
def test_the_command_tunes_its_own_process_and_importing_kzdocs_does_not(argv, collecting):
    done = subprocess.run(
        [sys.executable, "-c", TUNED_BY_THE_COMMAND, *argv],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found, thresholds, frozen, enabled = json.loads(done.stderr.splitlines()[-1])
    assert (found, tuple(thresholds), frozen) == ("LibraryIndex", ownprocess.GC_THRESHOLDS, True)
    assert enabled is collecting  # one document, then the end: no collector
    (script,) = entry_points(group="console_scripts", name="kzdocs")
    assert script.value == "kzdocs.cli:run"


def test_main_in_a_host_process_leaves_the_collector_on(capsys):
    assert main(["render", str(RECORD), "--format", "xml"]) == 0
    assert gc.isenabled() and gc.get_threshold() != ownprocess.GC_THRESHOLDS


def test_tune_leaves_a_find_library_replaced_by_someone_else(monkeypatch):
    def theirs(name: str) -> str | None:
        return None

    monkeypatch.setattr(ctypes.util, "find_library", theirs)
    monkeypatch.setattr(ownprocess, "_tuned", False)  # put back after: pytest's process
    thresholds = gc.get_threshold()
    try:
        ownprocess.tune()
    finally:
        gc.set_threshold(*thresholds)  # this test's process is pytest's, not kzdocs' own
    assert ctypes.util.find_library is theirs
