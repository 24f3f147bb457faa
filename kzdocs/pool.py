"""Worker processes for a batch: each renders one record at a time and reports every file it
writes, so a worker that dies costs only its record, and an interrupted batch stops them all
within seconds knowing exactly which files are on disk."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from kzdocs import ownprocess

# Seconds a stopped worker has to finish the file it is writing before it is killed.
GRACE = 2.0
# A record whose worker dies this many times is reported failed; a worker killed by accident
# (or by the OOM killer on a neighbour's behalf) costs one retry, not the record.
ATTEMPTS = 2

Deliver = Callable[[Any], None]


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back: a file is written and reported, or neither."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no masks, nothing to hold
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Stopped(BaseException):
    """Raised in a worker by SIGTERM: the batch is being stopped."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def _serve(conn: Connection, work: Callable[..., Any], warm: Callable[[], None]) -> None:
    """A worker's life: `work(task, report)` for each task received, until told to stop."""
    ownprocess.tune()  # a process of kzdocs' own, even when the batch runs in a host's
    # Ctrl-C reaches the whole process group; the parent decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "pthread_sigmask"):  # held by the parent while it started this worker
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    with contextlib.suppress(_Stopped, EOFError, BrokenPipeError):
        warm()
        while (task := conn.recv()) is not None:
            result = work(task, lambda message: _send(conn, ("written", message)))
            _send(conn, ("done", result))


def _send(conn: Connection, message: tuple[str, Any]) -> None:
    with signals_held():  # never half a message in the pipe
        conn.send(message)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: Any = None


@dataclass
class Pool:
    """`size` worker processes running `work(task, report) -> result` on tasks; `report(item)`
    called in a worker reaches `on_report(task, item)` in the parent at once; `clean_up(task)`
    runs for every task whose worker died or was stopped in the middle of it; each worker is
    started inside `forking()` (what a forked worker may take over from the parent)."""

    work: Callable[..., Any]
    warm: Callable[[], None]
    size: int
    on_report: Callable[[Any, Any], None]
    clean_up: Callable[[Any], None]
    forking: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext
    workers: list[_Worker] = field(default_factory=list)
    deaths: Counter = field(default_factory=Counter)

    def run(self, tasks: list[Any], deliver: Deliver, died: Callable[[Any, str], Any]) -> None:
        """Deliver each task's result; a task whose worker died ATTEMPTS times delivers
        `died(task, reason)` instead."""
        queue = deque(tasks)
        while queue or self._busy():
            self._assign(queue)
            for worker in self._ready(self.workers):
                self._read(worker, deliver)
                if not worker.process.is_alive() or worker.conn.closed:
                    self._bury(worker, queue, deliver, died)

    def stop(self, deliver: Deliver) -> list[Any]:
        """Stop every worker (SIGTERM, then SIGKILL after GRACE); the tasks left unfinished."""
        for worker in self.workers:
            worker.process.terminate()
        deadline = time.monotonic() + GRACE
        while (alive := [w for w in self.workers if w.process.is_alive()]) and (
            left := deadline - time.monotonic()
        ) > 0:
            for worker in self._ready(alive, left):
                self._read(worker, deliver)
        for worker in self.workers:  # a worker that ended between two looks left its last words
            self._read(worker, deliver)
        unfinished = [w.task for w in self.workers if w.task is not None]
        self.close()
        for task in unfinished:
            self.clean_up(task)
        return unfinished

    def close(self) -> None:
        """Kill whatever still runs and wait for it: no process outlives the batch."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.conn.close()
        self.workers.clear()

    def _busy(self) -> bool:
        return any(w.task is not None for w in self.workers)

    def _assign(self, queue: deque) -> None:
        while queue and len(self.workers) < self.size:
            self.workers.append(self._start())
        for worker in self.workers:
            if worker.task is None and queue:
                worker.task = queue.popleft()
                try:
                    worker.conn.send(worker.task)
                except OSError:  # it died idle: its task goes back, its death is found next
                    queue.appendleft(worker.task)
                    worker.task = None

    def _start(self) -> _Worker:
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.Process(
            target=_serve, args=(child, self.work, self.warm), daemon=True
        )
        # The worker installs its own handlers before it takes a signal.
        with signals_held(), self.forking():
            process.start()
        child.close()
        return _Worker(process, parent)

    def _ready(self, workers: list[_Worker], timeout: float | None = None) -> list[_Worker]:
        """The workers that sent something or died (waiting at most `timeout` seconds)."""
        waitables = {w.conn: w for w in workers if not w.conn.closed}
        waitables |= {w.process.sentinel: w for w in workers}
        ready = wait(list(waitables), timeout)
        return list({id(waitables[r]): waitables[r] for r in ready}.values())

    def _read(self, worker: _Worker, deliver: Deliver) -> None:
        """Take every message the worker has sent (a dead one's last words included)."""
        try:
            while worker.conn.poll():
                with signals_held():  # a message taken is a message counted
                    kind, payload = worker.conn.recv()
                    if kind == "written":
                        self.on_report(worker.task, payload)
                    else:
                        worker.task = None
                        deliver(payload)
        except (EOFError, OSError):
            worker.conn.close()

    def _bury(self, worker: _Worker, queue: deque, deliver: Deliver, died) -> None:
        worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)  # a new one starts with the next task
        if worker.task is None:
            return
        self.clean_up(worker.task)
        self.deaths[worker.task] += 1
        if self.deaths[worker.task] < ATTEMPTS:
            queue.appendleft(worker.task)
        else:
            deliver(died(worker.task, _reason(worker.process.exitcode)))


def _reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    return f"exited with code {exitcode}"
