"""The PDF engine started ahead in a forked child (kzdocs.pdfahead): the same bytes as the PDF
rendered in the process, for every kind and language, signed and unsigned; the same errors;
a child that fails leaves the PDF to the process; no child outlives the command."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from kzdocs import pdfahead, prepare
from kzdocs.errors import MissingGlyphError, RenderError, ResourceBlockedError
from kzdocs.forms import KINDS, LANGS
from kzdocs.golden.keys import signing_keys
from kzdocs.pdf import PdfMeta, render_pdf
from kzdocs.render import ASTANA

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the engine ahead needs fork")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
KEY = FIXTURES / "sign" / "dev-rsa.p12"
KEYS = signing_keys(KEY, "test")
SIGNED_AT = datetime(2026, 3, 20, 10, 0, tzinfo=ASTANA)
# The command's engine ahead needs two cores (pytest's own process may have threads: the tests
# of the engine itself start it directly).
TWO_CORES = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False
META = PdfMeta("Test", "kk", "kzdocs tests", datetime(2026, 3, 2, tzinfo=ASTANA), b"seed")


def _record(kind: str) -> dict:
    path = next(p for p in sorted(FIXTURES.glob(f"{kind}-*.json")))
    return json.loads(path.read_text(encoding="utf-8"))


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture
def by_the_child(monkeypatch):
    """Calls a function with an engine started ahead, and with the PDF stage of this process
    made to fail: what it returns can only have come from the child."""

    def here(*args):
        raise AssertionError("rendered in this process, not by the engine started ahead")

    def call(function, *args, **kwargs):
        with monkeypatch.context() as patched:
            engine = pdfahead.AheadEngine()
            pid = engine.pid
            patched.setattr(pdfahead, "_started", engine)
            patched.setattr(pdfahead, "_render_here", here)
            try:
                return function(*args, **kwargs)
            finally:
                pdfahead.stop()
                assert _reaped(pid)

    return call


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_child_renders_the_same_bytes_for_every_kind_and_language(by_the_child, kind, signed):
    record = _record(kind)
    signer = KEYS.signer_for(prepare(record).document) if signed else None
    prepared = prepare(record, signer=signer, signed_at=SIGNED_AT)
    for lang in LANGS:
        here = prepared.pdf(lang)
        assert by_the_child(prepared.pdf, lang) == here, (kind, lang)
        assert here.startswith(b"%PDF-") and (b"/ByteRange" in here) is signed


def _html(body: str) -> str:
    return f'<!DOCTYPE html><html lang="kk"><head><title>T</title></head><body>{body}</body></html>'


@pytest.mark.parametrize(
    ("error", "html", "meta"),
    [
        (MissingGlyphError, _html("<p>Қазақстан 中文</p>"), META),
        (ResourceBlockedError, _html('<img src="https://example.com/seal.png">'), META),
        (RenderError, _html("<p>Қазақстан</p>"), SimpleNamespace(**{**vars(META), "lang": "en"})),
    ],
    ids=["missing-glyph", "resource-blocked", "render-error"],
)
def test_a_documents_error_comes_back_as_the_same_error(by_the_child, error, html, meta):
    with pytest.raises(error) as here:
        render_pdf(html, meta=meta)
    with pytest.raises(error) as there:
        by_the_child(lambda: pdfahead.render_pdf_ahead(html, meta=meta)())
    assert type(there.value) is type(here.value)
    assert str(there.value) == str(here.value)


@pytest.mark.parametrize("when", ["before-the-document", "while-rendering"])
def test_a_child_that_dies_leaves_the_pdf_to_this_process(monkeypatch, when):
    html = _html("<p>Қазақстан</p>")
    expected = render_pdf(html, meta=META)
    engine = pdfahead.AheadEngine()
    monkeypatch.setattr(pdfahead, "_started", engine)
    if when == "before-the-document":
        os.kill(engine.pid, signal.SIGKILL)
        os.waitpid(engine.pid, 0)
        engine.pid = 0  # reaped here
    pdf = pdfahead.render_pdf_ahead(html, meta=META)
    if when == "while-rendering":
        os.kill(engine.pid, signal.SIGKILL)
    assert pdf() == expected
    pdfahead.stop()


@pytest.mark.parametrize(
    ("switch", "runnable", "cores", "expected"),
    [
        ("", 1, 2, True),  # only this process runs: a core is free for the child
        ("", 2, 2, False),  # every core taken: the child would only add the fork
        ("", 1, 1, False),
        ("1", 5, 2, True),
        ("1", 1, 1, False),
        ("0", 1, 2, False),
    ],
)
def test_an_engine_is_started_ahead_only_where_it_can_pay(
    monkeypatch, switch, runnable, cores, expected
):
    monkeypatch.setenv(pdfahead.SWITCH, switch)
    monkeypatch.setattr(pdfahead, "_runnable", lambda: runnable)
    monkeypatch.setattr(pdfahead.threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert pdfahead.can_start() is expected
    monkeypatch.setattr(pdfahead.threading, "active_count", lambda: 2)
    assert pdfahead.can_start() is False  # never fork a process with other threads


def test_one_engine_renders_one_document_and_stop_reaps_an_unused_one(monkeypatch):
    engine = pdfahead.AheadEngine()
    monkeypatch.setattr(pdfahead, "_started", engine)
    pid = engine.pid
    pdfahead.stop()
    assert _reaped(pid) and pdfahead._started is None
    pdfahead.stop()  # nothing left to stop: no error


# -- the command --------------------------------------------------------------------------------

# The command as the console script runs it (`kzdocs.cli:run`, a process of kzdocs' own); prints
# its exit code and which libraries the command's own process (not its child) imported.
COMMAND = """
import json, os, sys
from kzdocs.cli import run
sys.argv = ["kzdocs", *sys.argv[1:]]
code = run()
heavy = [name for name in ("weasyprint", "PIL", "pyhanko", "pydantic") if name in sys.modules]
sys.stderr.write("\\n" + json.dumps([code, heavy]))
sys.exit(code)
"""
SIGNING = ["--sign", str(KEY), "--signed-at", SIGNED_AT.isoformat()]


# The command's environment: its key's password, and the engine ahead whatever the load (the
# tests' own processes keep the cores busy).
ENV = {**os.environ, "KZDOCS_KEY_PASSWORD": "test", pdfahead.SWITCH: "1"}


@pytest.mark.skipif(not TWO_CORES, reason="one core: no engine is started ahead")
@pytest.mark.parametrize("switch", ["1", "0"], ids=["ahead", "switched-off"])
@pytest.mark.parametrize("signing", [[], SIGNING], ids=["unsigned", "signed"])
def test_the_command_renders_its_pdf_in_a_child_the_same_bytes(tmp_path, signing, switch):
    from kzdocs.cli import main

    record = FIXTURES / "license-export-wheat.json"
    argv = ["render", str(record), "--format", "pdf", *signing]
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, *argv, "-o", str(tmp_path / "child.pdf")],
        capture_output=True, text=True, timeout=120, check=False,
        env={**ENV, pdfahead.SWITCH: switch},
    )  # fmt: skip
    code, heavy = json.loads(done.stderr.splitlines()[-1])
    assert code == 0, done.stderr
    # WeasyPrint is the child's, not the command's, unless switched off.
    assert ("weasyprint" in heavy, "PIL" in heavy) == (switch == "0", switch == "0")
    assert "pyhanko" not in heavy  # the command signs the PDF itself, without pyHanko
    os.environ["KZDOCS_KEY_PASSWORD"] = "test"
    try:
        assert main([*argv, "-o", str(tmp_path / "here.pdf")]) == 0
    finally:
        del os.environ["KZDOCS_KEY_PASSWORD"]
    assert (tmp_path / "child.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # ended, not yet reaped by init


@pytest.mark.skipif(sys.platform != "linux" or not TWO_CORES, reason="Linux's /proc, two cores")
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM)]
)
def test_ctrl_c_or_sigterm_leave_no_child_and_no_file(tmp_path, signum, code):
    out = tmp_path / "out"
    argv = ["render", str(FIXTURES / "license-export-wheat.json"), "--format", "pdf", *SIGNING]
    command = subprocess.Popen(
        [sys.executable, "-c", COMMAND, *argv, "-o", str(out / "a.pdf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _children(command.pid) and command.poll() is None:
            assert time.monotonic() < deadline, "no engine was started ahead"
            time.sleep(0.005)
        children = _children(command.pid)
        # Not in the very moment of the fork: a signal during its at-fork hooks is ignored by
        # Python ("Exception ignored in … _releaseLock"), whatever the command does.
        time.sleep(0.05)
        command.send_signal(signum)
        _, stderr = command.communicate(timeout=60)
    finally:
        command.kill()
    if not children:
        pytest.skip("the command ended before its child was seen")
    assert command.returncode == code, stderr
    deadline = time.monotonic() + 10
    while not all(_gone(child) for child in children):
        assert time.monotonic() < deadline, f"the command's child {children} outlived it"
        time.sleep(0.01)
    assert not out.exists() or not list(out.iterdir())
