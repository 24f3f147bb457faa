"""The fixed pool of render worker processes, seen from the server's event loop.

A request takes an idle worker or waits, at most `queue` of them at once (beyond that: 429).
A worker that takes longer than the timeout is killed with its process group and replaced (504);
one that dies is replaced and its request answered 503. Nothing waits forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kzdocs.errors import ServiceError
from kzdocs.service.logs import json_event
from kzdocs.service.metrics import Metrics
from kzdocs.service.worker import Answer, Setup, run_worker

_log = logging.getLogger("kzdocs.service.pool")
# spawn, not fork: the server process has an event loop and threads that a fork would copy.
_CONTEXT = multiprocessing.get_context("spawn")


class Worker:
    """One worker process and the server's end of its pipe (blocking calls: run them in threads)."""

    def __init__(self, setup: Setup):
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=run_worker, args=(child, setup), name="kzdocs-render", daemon=True
        )
        self.process.start()
        child.close()  # so the server sees EOF when the worker dies
        self.pid = self.process.pid

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            raise TimeoutError(f"render worker {self.pid} not ready after {timeout:g} s")
        self.conn.recv()

    def call(self, task: object) -> tuple[float, Answer]:
        """The worker's answer to a task, with the seconds it spent on it."""
        self.conn.send(task)
        return self.conn.recv()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # the worker and any signer program it started
        self.process.kill()  # in case it had not made its own process group yet
        self.process.join(5)
        self.conn.close()


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
    ):
        self.setup, self.size, self.queue = setup, workers, queue
        self.timeout, self.start_timeout, self.metrics = timeout, start_timeout, metrics
        self.workers: set[Worker] = set()
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.waiting = self.busy = 0
        self.closed = False
        self.seconds_per_task = 0.05  # a running estimate, for Retry-After
        self.threads = ThreadPoolExecutor(2 * workers + 2, thread_name_prefix="kzdocs-pool")
        self.replacing: set[asyncio.Task] = set()
        metrics.watch(self)

    @property
    def ready(self) -> int:
        return sum(worker.alive() for worker in self.workers)

    async def start(self) -> None:
        await asyncio.gather(*(self._start_one() for _ in range(self.size)))

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(self.threads, Worker, self.setup)
        try:
            await loop.run_in_executor(self.threads, worker.wait_ready, self.start_timeout)
        except BaseException:
            await loop.run_in_executor(self.threads, worker.kill)
            raise
        if self.closed:
            worker.kill()
            return
        self.workers.add(worker)
        self.idle.put_nowait(worker)

    async def run(self, task: object, timing: dict[str, float] | None = None) -> Any:
        """The payload of the worker's answer; a `ServiceError` for any failure. `timing` gets
        the seconds waited for a worker, the worker's own, and those of the hand-off to it and
        back (pickling, the pipe, the thread that waits on it)."""
        waited = time.perf_counter()
        worker = await self._take()
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        call = loop.run_in_executor(self.threads, worker.call, task)
        self.busy += 1
        try:
            worked, reply = await asyncio.wait_for(asyncio.shield(call), self.timeout)
        except TimeoutError:
            self._replace(worker, "timeout")
            raise ServiceError(
                504, "timeout", f"the document took longer than {self.timeout:g} s; try later"
            ) from None
        except asyncio.CancelledError:
            call.add_done_callback(lambda done: self._after_abandoned(worker, done))
            raise
        except (EOFError, OSError):
            self._replace(worker, "died")
            raise ServiceError(503, "worker_died", "the render worker died; try again") from None
        finally:
            self.busy -= 1
        elapsed = time.perf_counter() - started
        self.seconds_per_task += (elapsed - self.seconds_per_task) / 10
        self.idle.put_nowait(worker)
        if timing is not None:
            timing.update(wait=started - waited, worker=worked, handoff=elapsed - worked)
        if reply[0] == "ok":
            return reply[1]
        _, status, error, message, extra = reply
        raise ServiceError(status, error, message, **extra)

    async def _take(self) -> Worker:
        if self.closed:
            raise ServiceError(503, "shutting_down", "the service is stopping", retry_after=1)
        if self.idle.empty() and self.waiting >= self.queue:
            self.metrics.rejections.labels("queue_full").inc()
            raise ServiceError(
                429,
                "busy",
                "every worker is busy and the queue is full",
                retry_after=self.retry_after(),
            )
        self.waiting += 1
        try:
            return await asyncio.wait_for(self._idle_alive(), self.timeout)
        except TimeoutError:
            self.metrics.rejections.labels("queue_timeout").inc()
            raise ServiceError(
                503,
                "busy",
                f"no worker was free within {self.timeout:g} s",
                retry_after=self.retry_after(),
            ) from None
        finally:
            self.waiting -= 1

    async def _idle_alive(self) -> Worker:
        while True:
            worker = await self.idle.get()
            if worker.alive():
                return worker
            self._replace(worker, "died")  # died while idle: nobody's request is lost

    def retry_after(self) -> int:
        """Seconds until a place in the queue is likely free."""
        return max(1, math.ceil(self.seconds_per_task * (self.waiting + 1) / self.size))

    def _after_abandoned(self, worker: Worker, call: asyncio.Future) -> None:
        if call.cancelled() or call.exception() is not None:
            self._replace(worker, "died")
        else:
            self.idle.put_nowait(worker)

    def _replace(self, worker: Worker, reason: str) -> None:
        self.workers.discard(worker)
        self.metrics.restarts.labels(reason).inc()
        _log.warning(json_event("worker_replaced", pid=worker.pid, reason=reason))
        task = asyncio.get_running_loop().create_task(self._replacement(worker))
        self.replacing.add(task)
        task.add_done_callback(self.replacing.discard)

    async def _replacement(self, old: Worker) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.threads, old.kill)
        while not self.closed:
            try:
                await self._start_one()
                return
            except Exception as exc:  # e.g. the machine is out of memory: try again shortly
                _log.error(json_event("worker_start_failed", error=type(exc).__name__))
                await asyncio.sleep(1)

    async def close(self) -> None:
        """Stop every worker (after the server has finished the requests in flight)."""
        self.closed = True
        for task in list(self.replacing):
            task.cancel()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self.threads, w.kill) for w in self.workers),
            return_exceptions=True,
        )
        self.workers.clear()
        self.threads.shutdown(wait=False, cancel_futures=True)
