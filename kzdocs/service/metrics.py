"""The service's Prometheus metrics, in a registry of its own (never the process-wide one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    from kzdocs.service.pool import WorkerPool

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
_PAGE = 4096


class Metrics:
    """Requests by route and status, render durations by format, the pool's state."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "kzdocs_requests", "HTTP requests answered", ["route", "status"], registry=registry
        )
        self.render_seconds = Histogram(
            "kzdocs_render_duration_seconds",
            "Time to render a request's documents, by format",
            ["format"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.rejections = Counter(
            "kzdocs_rejections",
            "Requests refused for lack of capacity",
            ["reason"],
            registry=registry,
        )
        self.restarts = Counter(
            "kzdocs_worker_restarts", "Render workers replaced", ["reason"], registry=registry
        )
        ProcessCollector(registry=registry)  # the server process's memory, CPU, open files

    def watch(self, pool: WorkerPool) -> None:
        """Report the pool's queue depth, busy and ready workers and their memory on scrape."""
        gauges = (
            ("kzdocs_queue_depth", "Requests waiting for a worker", lambda: pool.waiting),
            ("kzdocs_busy_workers", "Workers rendering now", lambda: pool.busy),
            ("kzdocs_ready_workers", "Workers alive and ready", lambda: pool.ready),
            ("kzdocs_workers", "Workers the pool keeps", lambda: pool.size),
        )
        for name, help, read in gauges:
            Gauge(name, help, registry=self.registry).set_function(read)
        self.registry.register(_WorkerMemory(pool))

    def text(self) -> bytes:
        return generate_latest(self.registry)


class _WorkerMemory:
    """The resident memory of every worker together, read from /proc where there is one."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        total = sum(_resident(worker.pid) for worker in list(self.pool.workers))
        yield GaugeMetricFamily(
            "kzdocs_worker_resident_memory_bytes", "Resident memory of all workers", total
        )


def _resident(pid: int | None) -> int:
    try:
        pages = Path(f"/proc/{pid}/statm").read_text().split()[1]
    except (OSError, IndexError):
        return 0
    return int(pages) * _PAGE
