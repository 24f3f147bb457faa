"""The PDF engine started ahead, in a forked child of a process of kzdocs' own that renders one
PDF and ends (`kzdocs render RECORD --format pdf -o FILE`).

Such a call has two chains of work that need nothing of each other until the end: WeasyPrint's
import and the engine's set-up (half the call), and everything else: kzdocs' stages, the
record's validation, its HTML and, signed, the key, the XML signature and its QR codes. On two
cores the child does the first while the command does the second; the command then hands the
child the HTML and gets the PDF's bytes back, and imports what signs a PDF while it waits.

The child runs the very engine the command would (`kzdocs.pdf.default_engine`) on the very
same input, so the bytes are the same. The errors of a document (`MissingGlyphError`,
`ResourceBlockedError`, `RenderError`) come back as the same errors; any other failure of the
child, its death included, and a machine without `fork`, a second core or with threads already
running, make the command render in its own process instead, as it did before, which meets the
same error itself. So does a machine whose every core is busy at the start (other processes
running or ready to run): there the child would only add the fork's cost to the same work.
`KZDOCS_PDF_AHEAD=0` never starts it, `=1` starts it whatever the load.

The child dies with the command (Linux: the kernel kills it; elsewhere it ends at the end of
its pipe) and is killed and reaped when the command ends (`stop()`); it writes no file but the
engine's font cache, atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, BinaryIO

from kzdocs.errors import MissingGlyphError, RenderError, ResourceBlockedError

__all__ = ["SWITCH", "AheadEngine", "can_start", "render_pdf_ahead", "start", "stop"]

SWITCH = "KZDOCS_PDF_AHEAD"
_PIPE_SIZE = 1 << 20  # Linux's most for a user's pipe by default; a document is ~30 kB
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when the thread that forked it ends
_started: AheadEngine | None = None


def can_start() -> bool:
    """Whether an engine started ahead can pay now: fork, one thread, and a core free for the
    child (`KZDOCS_PDF_AHEAD`: 0 never, 1 whenever fork and two cores allow it)."""
    switch = os.environ.get(SWITCH, "")
    if switch == "0" or not hasattr(os, "fork") or threading.active_count() > 1:
        return False  # a process with other threads must not fork (their locks come along)
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on
    else:
        cores = os.cpu_count() or 1
    return cores >= 2 and (switch == "1" or _runnable() < cores)


def _runnable() -> float:
    """Processes running or ready to run now, this one included: with every core taken, the
    child would only slow the command down (its work is the same, plus the fork's)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as loadavg:  # Linux: "… 1/123 4567"
            return int(loadavg.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        pass
    try:
        return os.getloadavg()[0] + 1  # elsewhere the last minute's average, and this process
    except OSError:
        return 1


def start() -> None:
    """Start this process's PDF engine in a child now, for the one PDF this process will render
    (`render_pdf_ahead`); nothing where it cannot pay (`can_start`). Only in a process kzdocs
    started itself: see `kzdocs.ownprocess.one_document`."""
    global _started
    if _started is None and can_start():
        with contextlib.suppress(OSError):  # no more processes or pipes: render here
            _started = AheadEngine()


def stop() -> None:
    """End the child, if it is still there (the command ends, or failed before its PDF)."""
    global _started
    if _started is not None:
        _started.close()
        _started = None


def render_pdf_ahead(html: str, *, meta: Any, xml: bytes | None = None) -> Callable[[], bytes]:
    """Start rendering one PDF; the function returned gives its bytes (`kzdocs.pdf.render_pdf`'s).

    The engine started ahead renders it, if there is one (it renders one document); otherwise,
    or if it fails for any reason but the document's own, the PDF is rendered in this process
    when its bytes are asked for. `meta` is the pipeline's Metadata or a PdfMeta."""
    engine = _started
    if engine is not None and engine.submit(html, meta, xml):
        return lambda: _result_of(engine, html, meta, xml)
    return lambda: _render_here(html, meta, xml)


def _result_of(engine: AheadEngine, html: str, meta: Any, xml: bytes | None) -> bytes:
    try:
        pdf = engine.result()
    finally:
        engine.close()
    return _render_here(html, meta, xml) if pdf is None else pdf


def _render_here(html: str, meta: Any, xml: bytes | None) -> bytes:
    from kzdocs.pdf import render_pdf

    return render_pdf(html, meta=meta, xml=xml)


class AheadEngine:
    """A forked child that sets up the PDF engine at once and then renders one document."""

    def __init__(self) -> None:
        import fcntl  # POSIX, as fork is

        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: the document fits, the command need not
            with contextlib.suppress(OSError):  # wait for the child to be ready to read it
                fcntl.fcntl(jobs_write, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()  # nothing of the command's written twice
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(jobs_write)
            os.close(results_read)
            _child(parent, jobs_read, results_write)
        os.close(jobs_read)
        os.close(results_write)
        self._jobs: BinaryIO | None = os.fdopen(jobs_write, "wb")
        self._results: BinaryIO | None = os.fdopen(results_read, "rb")

    def submit(self, html: str, meta: Any, xml: bytes | None) -> bool:
        """Hand the child its document; False if it has had one, or is gone."""
        if self._jobs is None or self._jobs.closed:
            return False
        fields = dataclasses.asdict(meta) if dataclasses.is_dataclass(meta) else vars(meta)
        try:
            pickle.dump((html, fields, xml), self._jobs, protocol=pickle.HIGHEST_PROTOCOL)
            self._jobs.close()
        except (OSError, ValueError, AttributeError):
            self.close()
            return False
        return True

    def result(self) -> bytes | None:
        """The PDF's bytes; raises the document's error; None if the child failed otherwise."""
        try:
            answer = pickle.load(self._results)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
            return None  # died, or ended without a word: the command renders the PDF itself
        return _answered(answer)

    def close(self) -> None:
        """Kill the child if it still runs, and reap it."""
        for stream in (self._jobs, self._results):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._jobs = self._results = None
        if self.pid:
            with contextlib.suppress(OSError):  # already reaped, or gone
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


# What the child sends back: ("pdf", bytes), or (error's name, the argument it is made from).
_ERRORS: dict[str, tuple[type[RenderError | ResourceBlockedError], str]] = {
    "MissingGlyphError": (MissingGlyphError, "characters"),
    "ResourceBlockedError": (ResourceBlockedError, "url"),
    "RenderError": (RenderError, ""),
}


def _answered(answer: Any) -> bytes | None:
    if not isinstance(answer, tuple) or len(answer) != 2:
        return None
    kind, value = answer
    if kind == "pdf" and isinstance(value, bytes):
        return value
    if kind in _ERRORS and isinstance(value, str):
        raise _ERRORS[kind][0](value)
    return None


def _portable(error: Exception) -> tuple[str, str] | None:
    """A document's error as the child sends it; None for any other error."""
    for name, (kind, argument) in _ERRORS.items():
        if type(error) is kind:
            return name, getattr(error, argument) if argument else str(error)
    return None


def _child(parent: int, jobs: int, results: int) -> None:
    """Set the engine up, render the one document asked for, send its bytes; then end, running
    none of the command's exit handlers."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
        _die_with(parent)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)  # the record on stdin and the document on stdout are the command's
        os.dup2(devnull, 1)
        from kzdocs.pdf import default_engine

        engine = default_engine()
        with os.fdopen(jobs, "rb") as source:
            html, fields, xml = pickle.load(source)
        try:
            answer: Any = ("pdf", engine.render(html, meta=SimpleNamespace(**fields), xml=xml))
        except (RenderError, ResourceBlockedError) as error:
            answer = _portable(error)
        with os.fdopen(results, "wb") as sink:
            pickle.dump(answer, sink, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)  # after any error too: the command renders the PDF itself and meets it


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when the command ends, however it ends (Linux)."""
    if sys.platform != "linux":
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the command ended before the request was made
        os._exit(0)
