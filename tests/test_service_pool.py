"""The worker pool of `kzdocs serve` (kzdocs.service.pool) over real HTTP: requests waiting for
one worker each get their own document, a worker is recycled after `--max-renders` tasks, and
the framing the event loop writes is the one a worker's `multiprocessing` end reads."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from service_helpers import FIXTURES, start_server

from kzdocs import render
from kzdocs.errors import ConfigError
from kzdocs.service.pool import frame
from kzdocs.service.settings import ServiceSettings
from kzdocs.service.worker import RenderTask, heap_trimmer

RECORDS = sorted(FIXTURES.glob("*.json"))[:6]


def test_requests_queued_behind_one_worker_each_get_their_own_document():
    # Each answer is written to the worker as the one before it is read: none may get another's.
    server = start_server("--workers", "1", "--queue", str(len(RECORDS)))
    try:
        server.wait_ready()
        with ThreadPoolExecutor(len(RECORDS)) as threads:
            answers = list(
                threads.map(
                    lambda path: server.post("/v1/render?format=xml", path.read_bytes()), RECORDS
                )
            )
        for path, answer in zip(RECORDS, answers, strict=True):
            assert answer.status_code == 200, answer.text
            record = json.loads(path.read_text(encoding="utf-8"))
            assert answer.content == render(record, format="xml"), path.name
        assert server.metric("kzdocs_worker_restarts_total") == 0
    finally:
        assert server.stop() == 0


def test_a_worker_is_recycled_after_max_renders_and_no_request_is_lost():
    server = start_server("--workers", "1", "--max-renders", "2")
    try:
        server.wait_ready()
        (first,) = _render_workers(server)
        answers = [server.post("/v1/render?format=xml", path.read_bytes()) for path in RECORDS[:5]]
        assert [a.status_code for a in answers] == [200] * 5
        assert server.metric('kzdocs_worker_restarts_total{reason="recycled"}') == 2
        assert first not in _render_workers(server) and len(_render_workers(server)) == 1
        recycled = [line for line in server.lines if line.get("event") == "worker_replaced"]
        assert [(line["reason"], line["renders"]) for line in recycled] == [("recycled", 2)] * 2
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("bad", [0, -3])
def test_max_renders_must_be_at_least_one(bad):
    with pytest.raises(ConfigError, match=f"max_renders must be at least 1, got {bad}"):
        ServiceSettings(max_renders=bad)


def _render_workers(server) -> set[int]:
    """The server's render workers (not multiprocessing's resource tracker)."""
    return {
        pid
        for pid in server.worker_pids()
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }


def test_a_task_framed_by_the_pool_is_what_a_worker_s_connection_receives():
    task = RenderTask(
        {"kind": "license-export", "note": "ж" * 20_000}, ("kk",), ("pdf",), False, "x"
    )
    reading, writing = multiprocessing.Pipe()  # a socket pair, as the pool's
    with reading, writing, socket.socket(fileno=os.dup(writing.fileno())) as raw:
        raw.sendall(frame(task))
        raw.sendall(frame(("ready", 1)))
        assert reading.recv() == task
        assert reading.recv() == ("ready", 1)


def test_a_worker_gives_the_free_pages_of_its_heap_back_to_the_system():
    trim = heap_trimmer()
    assert trim is not None  # glibc, as on Debian
    chunks = [bytearray(4000) for _ in range(20_000)]  # 80 MB from malloc, not pymalloc
    kept = chunks[::50]  # one chunk in 50 stays: the heap's top cannot shrink by itself
    del chunks
    before = _resident_mib()
    trim(0)
    assert _resident_mib() < before - 40
    assert len(kept) == 400


def _resident_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
