"""The service over HTTP against the in-process batch, in one run: `python bench/service_bench.py`.

- throughput of unsigned and signed PDF: `kzdocs serve --workers 2` with 4 requests at a time,
  against `render_files(workers=2)` (its steady rate: the pool's start-up is taken out by timing a
  short and a long batch and dividing the difference);
- latency p50 / p99 over HTTP, against one document's time in this process;
- memory of the server and its workers before and after `--requests` renders (default 10 000);
- overload at 4x capacity (workers + queue): every answer must be 200 or 429, within the timeout.

`--quick` makes it a few minutes on 2 cores. Prints one table; quote its ratios, not its times.
On a shared machine the CPU milliseconds per document (this process, the server and all their
workers, read from /proc) compare the two paths where wall-clock rates cannot: they are what
the throughput of a machine of one's own follows.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from kzdocs.batch import SignerSpec, render_files
from kzdocs.prepared import prepare

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))
KEY = ROOT / "fixtures" / "sign" / "dev-rsa.p12"
SIGNER = SignerSpec("local", (("key", str(KEY)), ("password", "test")))
WORKERS, CONCURRENCY, QUEUE, TIMEOUT = 2, 4, 4, 30


def batch_rate(docs: int, signed: bool) -> tuple[float, float]:
    """Documents per second of the in-process batch once its pool is running, and its CPU
    milliseconds per document (workers included)."""
    short = max(docs // 4, 2 * WORKERS)
    runs = {n: _batch_run(n, signed) for n in (short, docs)}
    rate = (docs - short) / (runs[docs][0] - runs[short][0])
    return rate, 1000 * (runs[docs][1] - runs[short][1]) / (docs - short)


def _batch_run(docs: int, signed: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        sources = _copies(Path(folder), docs)
        start, cpu = time.perf_counter(), _own_cpu()
        outcomes = render_files(
            sources, Path(folder) / "out", formats=("pdf",), workers=WORKERS,
            signer=SIGNER if signed else None,
        )  # fmt: skip
        elapsed, cpu = time.perf_counter() - start, _own_cpu() - cpu
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return elapsed, cpu


def _own_cpu() -> float:
    """CPU seconds of this process and of its finished children (the batch's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds of a running process and of its live children (a server and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _process_cpu(int(child))
    except OSError:
        pass
    return total


def _copies(folder: Path, docs: int) -> list[Path]:
    sources = []
    for i in range(docs):
        source = folder / f"record-{i:05d}.json"
        shutil.copy(FIXTURES[i % len(FIXTURES)], source)
        sources.append(source)
    return sources


def document_ms(repeat: int) -> float:
    """Median time of one PDF in this process, warm (validate, XML, HTML, PDF)."""
    records = [path.read_bytes() for path in FIXTURES]
    prepare(records[0]).render("kk", "pdf")  # warm up fonts and templates
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        prepare(records[i % len(records)]).render("kk", "pdf")
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


class Server:
    """`kzdocs serve` in a subprocess on a free port."""

    def __init__(self, *options: str):
        env = {**os.environ, "KZDOCS_KEY_PASSWORD": "test"}
        command = [sys.executable, "-m", "kzdocs", "serve", "--port", "0", *options]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        for raw in self.process.stderr:
            line = json.loads(raw)
            if line.get("event") == "listening":
                self.address = urlsplit(line["url"]).netloc
                break
        deadline = time.monotonic() + 120
        while self.get("/readyz")[0] != 200:
            assert time.monotonic() < deadline, "the server did not get ready"
            time.sleep(0.2)
        # Keep reading its log so the pipe never fills and stalls the server.
        ThreadPoolExecutor(1).submit(lambda: [None for _ in self.process.stderr])

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            connection = http.client.HTTPConnection(self.address, timeout=60)
            connection.request("GET", path)
            answer = connection.getresponse()
            return answer.status, answer.read()
        except OSError:
            return 0, b""

    def memory(self) -> float:
        """MiB resident: the server process and all its workers."""
        text = self.get("/metrics")[1].decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(("process_resident_memory_bytes", "kzdocs_worker_resident")):
                total += float(line.rsplit(" ", 1)[1])
        return total / 2**20

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def load(server: Server, requests: int, clients: int, query: str) -> dict[str, object]:
    """`requests` renders sent by `clients` threads, one keep-alive connection each."""
    bodies = [path.read_bytes() for path in FIXTURES]
    counts = [requests // clients + (i < requests % clients) for i in range(clients)]

    def client(index: int) -> list[tuple[int, float]]:
        connection = http.client.HTTPConnection(server.address, timeout=TIMEOUT + 30)
        results = []
        for n in range(counts[index]):
            body = bodies[(index + n * clients) % len(bodies)]
            start = time.perf_counter()
            connection.request("POST", f"/v1/render?{query}", body,
                               {"Content-Type": "application/json"})  # fmt: skip
            answer = connection.getresponse()
            answer.read()
            results.append((answer.status, time.perf_counter() - start))
            if answer.getheader("connection") == "close":
                connection.close()
        return results

    start, cpu = time.perf_counter(), time.process_time() + _process_cpu(server.process.pid)
    with ThreadPoolExecutor(clients) as pool:
        results = [r for part in pool.map(client, range(clients)) for r in part]
    elapsed = time.perf_counter() - start
    cpu = time.process_time() + _process_cpu(server.process.pid) - cpu
    ok = sorted(seconds for status, seconds in results if status == 200)
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "rate": len(ok) / elapsed,
        "p50": 1000 * ok[len(ok) // 2] if ok else float("nan"),
        "p99": 1000 * ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else float("nan"),
        "slowest": 1000 * max(seconds for _, seconds in results),
        "statuses": statuses,
        "cpu_ms": 1000 * cpu / max(1, len(ok)),  # server, workers and this client
    }


def throughput_rows(server: Server, docs: int, one_ms: float) -> list[tuple[str, str, str]]:
    rows = []
    for signed in (False, True):
        what = "signed PDF" if signed else "unsigned PDF"
        query = "format=pdf" + ("&sign=true" if signed else "")
        load(server, 4 * CONCURRENCY, CONCURRENCY, query)  # every worker warm
        run = load(server, docs, CONCURRENCY, query)
        local, local_cpu = batch_rate(docs, signed)
        ratio = f"{100 * run['rate'] / local:.0f} % of in-process (goal >= 90 %)"
        efficiency = f"{100 * local_cpu / run['cpu_ms']:.0f} % of in-process by CPU time"
        rows += [
            (f"{what}: in-process batch, {WORKERS} workers", f"{local:.1f} docs/s", ""),
            (f"{what}: HTTP, {CONCURRENCY} at a time", f"{run['rate']:.1f} docs/s", ratio),
            (
                f"{what}: CPU per document, in-process / HTTP",
                f"{local_cpu:.0f} / {run['cpu_ms']:.0f} ms",
                efficiency + " (server, workers and client counted)",
            ),
            (
                f"{what}: HTTP latency p50 / p99",
                f"{run['p50']:.0f} / {run['p99']:.0f} ms",
                f"statuses {run['statuses']}",
            ),
        ]
        if not signed:
            single = load(server, 60, 1, query)
            rows += [
                ("one PDF in this process (median)", f"{one_ms:.0f} ms", ""),
                (
                    "HTTP latency p50, 1 client",
                    f"{single['p50']:.0f} ms",
                    f"p50 - doc time = {single['p50'] - one_ms:+.0f} ms (goal <= 10 ms)",
                ),
            ]
    return rows


def memory_row(server: Server, requests: int) -> tuple[str, str, str]:
    before = server.memory()
    part = load(server, requests // 10, CONCURRENCY, "format=pdf")
    middle = server.memory()
    rest = load(server, requests - requests // 10, CONCURRENCY, "format=pdf")
    after = server.memory()
    statuses = {
        k: part["statuses"].get(k, 0) + rest["statuses"].get(k, 0)
        for k in {*part["statuses"], *rest["statuses"]}
    }
    return (
        f"memory, server + workers, over {requests} renders",
        f"{before:.0f} -> {middle:.0f} -> {after:.0f} MiB",
        f"growth after the first 10 %: {after - middle:+.0f} MiB; statuses {statuses}",
    )


def overload_row(server: Server) -> tuple[str, str, str]:
    clients = 4 * (WORKERS + QUEUE)
    over = load(server, 25 * clients, clients, "format=pdf")
    bad = {s: n for s, n in over["statuses"].items() if s not in (200, 429)}
    verdict = "OK" if not bad and over["slowest"] < 1000 * TIMEOUT else "FAILED"
    alive = "alive" if server.process.poll() is None else "DEAD"
    return (
        f"overload: {clients} clients = 4x capacity",
        f"{over['rate']:.1f} docs/s",
        f"statuses {over['statuses']}; slowest {over['slowest']:.0f} ms; server {alive}; {verdict}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer documents (a few minutes)")
    parser.add_argument("--requests", type=int, help="renders for the memory check (10 000)")
    args = parser.parse_args()
    docs = 120 if args.quick else 400
    memory_requests = args.requests or (1000 if args.quick else 10_000)
    load_before = os.getloadavg()
    one_ms = document_ms(30)
    server = Server("--workers", str(WORKERS), "--queue", str(QUEUE), "--sign", str(KEY))
    try:
        rows = throughput_rows(server, docs, one_ms)
        rows.append(memory_row(server, memory_requests))
        rows.append(overload_row(server))
    finally:
        server.stop()
    loads = [" ".join(f"{x:.1f}" for x in pair) for pair in (load_before, os.getloadavg())]
    rows.append(("load average (1, 5, 15 min) before / after", loads[0], loads[1]))
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>22}  {note}")


if __name__ == "__main__":
    main()
