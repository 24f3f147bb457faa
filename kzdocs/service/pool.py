"""The fixed pool of render worker processes, seen from the server's event loop.

A request takes an idle worker or waits, at most `queue` of them at once (beyond that: 429).
A worker that takes longer than the timeout is killed with its process group and replaced (504);
one that dies is replaced and its request answered 503. Nothing waits forever.

The event loop itself talks to the workers over their pipes (non-blocking, no thread in
between), and the moment a worker's answer is read the next waiting task is written to it: a
worker is never idle while a request waits, and a request costs no thread hand-off. A worker may
be recycled after `max_renders` tasks (a safety net against growth in the libraries it uses).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kzdocs.errors import ServiceError
from kzdocs.service.logs import json_event
from kzdocs.service.metrics import Metrics
from kzdocs.service.worker import Setup, run_worker

_log = logging.getLogger("kzdocs.service.pool")
# spawn, not fork: the server process has an event loop and threads that a fork would copy.
_CONTEXT = multiprocessing.get_context("spawn")
# multiprocessing.Connection's framing, which the worker's end reads and writes: a 4-byte
# big-endian length, or -1 and an 8-byte one for 2 GiB and more.
_SIZE, _LONG_SIZE = struct.Struct("!i"), struct.Struct("!Q")
_DIED = ("died",)
_MIB = 1024 * 1024  # what a job gets when its worker went away before answering


class Job:
    """A task waiting for a worker, then running on one."""

    def __init__(self, data: bytes, loop: asyncio.AbstractEventLoop):
        self.data = data  # the pickled task, framed
        self.submitted = time.perf_counter()
        self.sent = 0.0  # when it was written to a worker
        self.worker: Worker | None = None
        self.dispatched: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[tuple[Any, ...]] = loop.create_future()


class Worker:
    """One worker process and the server's end of its pipe, read by the event loop."""

    def __init__(self, setup: Setup):
        conn, child = _CONTEXT.Pipe()  # a socket pair: the loop can read and write it
        self.process = _CONTEXT.Process(
            target=run_worker, args=(child, setup), name="kzdocs-render", daemon=True
        )
        self.process.start()
        child.close()  # so the server sees EOF when the worker dies
        self.pid = self.process.pid
        self.socket = socket.socket(fileno=os.dup(conn.fileno()))
        conn.close()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.job: Job | None = None
        self.renders = 0
        self.retired = False  # replaced: whatever it says now is not listened to

    async def connect(self) -> None:
        # A large limit: a document (or a ZIP of several) is read with few pauses.
        self.reader, self.writer = await asyncio.open_unix_connection(sock=self.socket, limit=_MIB)

    async def receive(self) -> Any:
        """The next message from the worker; EOFError when it is gone."""
        assert self.reader is not None
        try:
            (size,) = _SIZE.unpack(await self.reader.readexactly(4))
            if size == -1:
                (size,) = _LONG_SIZE.unpack(await self.reader.readexactly(8))
            return pickle.loads(await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise EOFError from exc

    def send(self, job: Job) -> None:
        """Write `job` to the worker at once (buffered by the transport if the pipe is full)."""
        assert self.writer is not None
        self.job, job.worker, job.sent = job, self, time.perf_counter()
        self.writer.write(job.data)

    def alive(self) -> bool:
        return not self.retired and self.process.is_alive()

    def kill(self) -> None:
        """Kill the worker and any signer program it started (blocking: run it in a thread)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.kill()  # in case it had not made its own process group yet
        self.process.join(5)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            self.socket.close()


def frame(task: object) -> bytes:
    """`task` as `multiprocessing.Connection.send` writes it."""
    data = pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
    if len(data) > 0x7FFFFFFF:
        return _SIZE.pack(-1) + _LONG_SIZE.pack(len(data)) + data
    return _SIZE.pack(len(data)) + data


class WorkerPool:
    """`workers` processes, a bounded wait for one, and their replacement when they fail."""

    def __init__(
        self,
        setup: Setup,
        workers: int,
        queue: int,
        timeout: float,
        start_timeout: float,
        metrics: Metrics,
        max_renders: int | None = None,
    ):
        self.setup, self.size, self.queue = setup, workers, queue
        self.timeout, self.start_timeout, self.metrics = timeout, start_timeout, metrics
        self.max_renders = max_renders
        self.workers: set[Worker] = set()
        self.idle: deque[Worker] = deque()
        self.pending: deque[Job] = deque()
        self.closed = False
        self.seconds_per_task = 0.05  # a running estimate, for Retry-After
        # Only to start and kill processes (blocking calls, rare): never on a request's path.
        self.threads = ThreadPoolExecutor(workers + 1, thread_name_prefix="kzdocs-pool")
        self.tasks: set[asyncio.Task] = set()
        metrics.watch(self)

    @property
    def ready(self) -> int:
        return sum(worker.alive() for worker in self.workers)

    @property
    def waiting(self) -> int:
        return len(self.pending)

    @property
    def busy(self) -> int:
        return sum(worker.job is not None for worker in self.workers)

    async def start(self) -> None:
        await asyncio.gather(*(self._start_one() for _ in range(self.size)))

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self.threads, Worker, self.setup)
        try:
            await worker.connect()
            await asyncio.wait_for(worker.receive(), self.start_timeout)  # ("ready", pid)
        except BaseException as exc:
            worker.close()
            await loop.run_in_executor(self.threads, worker.kill)
            if isinstance(exc, TimeoutError):
                raise TimeoutError(
                    f"render worker {worker.pid} not ready after {self.start_timeout:g} s"
                ) from None
            raise
        if self.closed:
            worker.close()
            await loop.run_in_executor(self.threads, worker.kill)
            return
        self.workers.add(worker)
        self._spawn(self._listen(worker))
        self._next(worker)

    async def run(self, task: object, timing: dict[str, float] | None = None) -> Any:
        """The payload of the worker's answer; a `ServiceError` for any failure. `timing` gets
        the seconds waited for a worker, the worker's own, and those of the hand-off to it and
        back (pickling, the pipe, the event loop's turn)."""
        job = self._submit(task)
        try:
            await asyncio.wait_for(asyncio.shield(job.dispatched), self.timeout)
        except TimeoutError:
            self._withdraw(job)
            self.metrics.rejections.labels("queue_timeout").inc()
            raise ServiceError(
                503,
                "busy",
                f"no worker was free within {self.timeout:g} s",
                retry_after=self.retry_after(),
            ) from None
        except asyncio.CancelledError:
            self._withdraw(job)  # if it is running, its worker finishes it and goes on
            raise
        if job.worker is None:
            raise ServiceError(503, "shutting_down", "the service is stopping", retry_after=1)
        try:
            reply = await asyncio.wait_for(asyncio.shield(job.done), self.timeout)
        except TimeoutError:
            self._replace(job.worker, "timeout")
            raise ServiceError(
                504, "timeout", f"the document took longer than {self.timeout:g} s; try later"
            ) from None
        if reply is _DIED:
            raise ServiceError(503, "worker_died", "the render worker died; try again")
        received, (worked, answer) = reply
        if timing is not None:
            timing.update(
                wait=job.sent - job.submitted, worker=worked, handoff=received - job.sent - worked
            )
        if answer[0] == "ok":
            return answer[1]
        _, status, error, message, extra = answer
        raise ServiceError(status, error, message, **extra)

    def _submit(self, task: object) -> Job:
        if self.closed:
            raise ServiceError(503, "shutting_down", "the service is stopping", retry_after=1)
        if not self.idle and len(self.pending) >= self.queue:
            self.metrics.rejections.labels("queue_full").inc()
            raise ServiceError(
                429,
                "busy",
                "every worker is busy and the queue is full",
                retry_after=self.retry_after(),
            )
        job = Job(frame(task), asyncio.get_running_loop())
        self.pending.append(job)
        if self.idle:
            self._next(self.idle.popleft())
        return job

    def _withdraw(self, job: Job) -> None:
        with contextlib.suppress(ValueError):
            self.pending.remove(job)

    def _next(self, worker: Worker) -> None:
        """Give `worker` the first waiting job, or keep it idle."""
        if not worker.alive():
            self._replace(worker, "died")  # died while idle: nobody's request is lost
        elif self.pending:
            job = self.pending.popleft()
            worker.send(job)
            job.dispatched.set_result(None)
        else:
            self.idle.append(worker)

    async def _listen(self, worker: Worker) -> None:
        """Read the worker's answers until it goes; each hands it the next job at once."""
        while True:
            try:
                reply = await worker.receive()
            except EOFError:
                if worker.job is not None and not worker.job.done.done():
                    worker.job.done.set_result(_DIED)
                if not worker.retired:
                    self._replace(worker, "died")
                return
            received, job = time.perf_counter(), worker.job
            worker.job = None
            if job is None or worker.retired:
                continue  # not asked (cannot happen) or already given up: nobody waits
            job.done.set_result((received, reply))
            self.seconds_per_task += (received - job.sent - self.seconds_per_task) / 10
            worker.renders += 1
            if self.max_renders is not None and worker.renders >= self.max_renders:
                self._replace(worker, "recycled")
            else:
                self._next(worker)

    def retry_after(self) -> int:
        """Seconds until a place in the queue is likely free."""
        return max(1, math.ceil(self.seconds_per_task * (len(self.pending) + 1) / self.size))

    def _replace(self, worker: Worker, reason: str) -> None:
        if worker.retired:
            return
        worker.retired = True
        self.workers.discard(worker)
        with contextlib.suppress(ValueError):
            self.idle.remove(worker)
        self.metrics.restarts.labels(reason).inc()
        log = _log.info if reason == "recycled" else _log.warning
        log(json_event("worker_replaced", pid=worker.pid, reason=reason, renders=worker.renders))
        self._spawn(self._replacement(worker))

    async def _replacement(self, old: Worker) -> None:
        if old.job is not None and not old.job.done.done():
            old.job.done.set_result(_DIED)
        old.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.threads, old.kill)
        while not self.closed:
            try:
                await self._start_one()
                return
            except Exception as exc:  # e.g. the machine is out of memory: try again shortly
                _log.error(json_event("worker_start_failed", error=type(exc).__name__))
                await asyncio.sleep(1)

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def close(self) -> None:
        """Stop every worker (after the server has finished the requests in flight)."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        for job in self.pending:
            job.dispatched.set_result(None)  # with no worker: answered 503
        self.pending.clear()
        loop = asyncio.get_running_loop()
        workers = list(self.workers)
        for worker in workers:
            if worker.job is not None and not worker.job.done.done():
                worker.job.done.set_result(_DIED)
            worker.retired = True
            worker.close()
        await asyncio.gather(
            *(loop.run_in_executor(self.threads, w.kill) for w in workers),
            return_exceptions=True,
        )
        self.workers.clear()
        self.idle.clear()
        self.threads.shutdown(wait=False, cancel_futures=True)
