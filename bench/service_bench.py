"""The service over HTTP against the in-process batch, in one run: `python bench/service_bench.py`.

- throughput of unsigned and signed PDF: `kzdocs serve --workers 2` with 4 requests at a time
  (half of them before, half after the in-process batch), against `render_files(workers=2)`
  (its steady rate: the pool's start-up is taken out by timing a short and a long batch and
  dividing the difference);
- latency with one client: each record rendered in turn in this process and over HTTP (paired,
  so both see the same load), and where the HTTP time goes (the server's Server-Timing stages);
  p50 / p99 at 4 at a time;
- resident memory of the server and of its workers at start, after 1 000, 2 500, 5 000 and
  `--requests` renders (default 10 000; 1 000 with `--quick`);
- overload at 4x capacity (workers + queue): every answer must be 200 or 429, within the timeout.

The client is http.client in threads, one kept-alive connection each; it shares the machine's
cores with the server and its workers, so its CPU is counted in the HTTP path's CPU per document
and shown apart (client / server / workers).

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
from kzdocs.forms import FORMS
from kzdocs.prepared import prepare

ROOT = Path(__file__).resolve().parent.parent
# What the ministry issues and signs with its key (licences, permits, refusals), as bench/run.py
# measures: an applicant's form is signed with the applicant's own key, never the server's.
FIXTURES = [
    path
    for path in sorted((ROOT / "fixtures").glob("*.json"))
    if FORMS[json.loads(path.read_text(encoding="utf-8"))["kind"]].issued
]
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
    try:
        return _stat_cpu(pid) + sum(_process_cpu(child) for child in _children(pid))
    except OSError:
        return 0.0


def _stat_cpu(pid: int) -> float:
    """CPU seconds of one running process (its threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_parts(server: Server) -> tuple[float, float, float]:
    """CPU seconds so far of this process (the bench's client), of the server process alone and
    of its workers."""
    pid = server.process.pid
    alone = _stat_cpu(pid)
    return time.process_time(), alone, _process_cpu(pid) - alone


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _resident_mib(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _copies(folder: Path, docs: int) -> list[Path]:
    sources = []
    for i in range(docs):
        source = folder / f"record-{i:05d}.json"
        shutil.copy(FIXTURES[i % len(FIXTURES)], source)
        sources.append(source)
    return sources


def paired_latency(server: Server, rounds: int) -> dict[str, float]:
    """One client, one request at a time, each record rendered in turn in this process and over
    HTTP (so both see the same load): medians of both, of their paired difference, and of the
    stages the server's Server-Timing reports."""
    bodies = [path.read_bytes() for path in FIXTURES]
    connection = http.client.HTTPConnection(server.address, timeout=TIMEOUT + 30)
    prepare(bodies[0]).render("kk", "pdf")  # fonts and templates warm in this process too
    local, remote, stages = [], [], []
    for i in range(rounds):
        body = bodies[i % len(bodies)]
        start = time.perf_counter()
        prepare(body).render("kk", "pdf")
        local.append(time.perf_counter() - start)
        start = time.perf_counter()
        connection.request("POST", "/v1/render?format=pdf", body,
                           {"Content-Type": "application/json"})  # fmt: skip
        answer = connection.getresponse()
        answer.read()
        remote.append(time.perf_counter() - start)
        assert answer.status == 200, answer.status
        stages.append(_server_timing(answer.getheader("server-timing", "")))
    connection.close()
    median = statistics.median
    return {
        "local": 1000 * median(local),
        "http": 1000 * median(remote),
        "difference": 1000 * median(r - lo for r, lo in zip(remote, local, strict=True)),
        **{name: median(s[name] for s in stages) for name in stages[0]},
    }


def _server_timing(header: str) -> dict[str, float]:
    """`wait;dur=0.1, worker;dur=68.3, …` as {stage: milliseconds}."""
    stages = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        stages[name] = float(duration)
    return stages


def keepalive_ms(server: Server, requests: int) -> float:
    """Median round trip of GET /healthz on one kept-alive connection: what HTTP itself costs
    (it read 44 ms, a delayed ACK, while the listener lacked TCP_NODELAY)."""
    connection = http.client.HTTPConnection(server.address, timeout=30)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        times.append(time.perf_counter() - start)
    connection.close()
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

    def memory(self) -> tuple[float, float]:
        """MiB resident: the server process, and all its workers together (from /proc)."""
        workers = _children(self.process.pid)
        return _resident_mib(self.process.pid), sum(_resident_mib(pid) for pid in workers)

    def metric(self, name: str) -> float:
        """The sum of a metric's samples whose line starts with `name`."""
        text = self.get("/metrics")[1].decode()
        return sum(float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines() if ln.startswith(name))

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

    start, before = time.perf_counter(), _cpu_parts(server)
    with ThreadPoolExecutor(clients) as pool:
        results = [r for part in pool.map(client, range(clients)) for r in part]
    elapsed = time.perf_counter() - start
    cpu = tuple(b - a for a, b in zip(before, _cpu_parts(server), strict=True))
    return _summary(results, elapsed, cpu)


def _summary(
    results: list[tuple[int, float]], elapsed: float, cpu: tuple[float, ...]
) -> dict[str, object]:
    """Rate, p50, p99, slowest, statuses and CPU per document of (status, seconds) answers;
    `cpu` is the seconds of the client, the server process and its workers."""
    ok = sorted(seconds for status, seconds in results if status == 200)
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "results": results,
        "elapsed": elapsed,
        "cpu": cpu,
        "rate": len(ok) / elapsed,
        "p50": 1000 * ok[len(ok) // 2] if ok else float("nan"),
        "p99": 1000 * ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else float("nan"),
        "slowest": 1000 * max(seconds for _, seconds in results),
        "statuses": statuses,
        "cpu_ms": 1000 * sum(cpu) / max(1, len(ok)),  # server, workers and this client
        "cpu_parts_ms": [1000 * part / max(1, len(ok)) for part in cpu],
    }


def throughput_rows(server: Server, docs: int) -> list[tuple[str, str, str]]:
    rows = []
    for signed in (False, True):
        what = "signed PDF" if signed else "unsigned PDF"
        query = "format=pdf" + ("&sign=true" if signed else "")
        load(server, 4 * CONCURRENCY, CONCURRENCY, query)  # every worker warm
        # Half before the in-process batch and half after it: a load that drifts over the
        # minutes weighs on both paths alike.
        before = load(server, docs // 2, CONCURRENCY, query)
        local, local_cpu = batch_rate(docs, signed)
        after = load(server, docs - docs // 2, CONCURRENCY, query)
        run = _summary(
            before["results"] + after["results"],
            before["elapsed"] + after["elapsed"],
            tuple(b + a for b, a in zip(before["cpu"], after["cpu"], strict=True)),
        )
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
                f"{what}: HTTP CPU per document, client / server / workers",
                " / ".join(f"{part:.1f}" for part in run["cpu_parts_ms"]) + " ms",
                "client: http.client, one kept-alive connection a thread",
            ),
            (
                f"{what}: HTTP latency p50 / p99",
                f"{run['p50']:.0f} / {run['p99']:.0f} ms",
                f"statuses {run['statuses']}",
            ),
        ]
    return rows


def latency_rows(server: Server, rounds: int) -> list[tuple[str, str, str]]:
    """One client: HTTP p50 against the same documents in this process, and where it goes."""
    paired = paired_latency(server, rounds)
    over = paired["http"] - paired["local"]
    verdict = "OK" if over <= 10 else "NOT MET"
    stages = " + ".join(f"{name} {paired[name]:.1f}" for name in ("wait", "worker", "handoff"))
    return [
        ("one PDF in this process, p50 (paired)", f"{paired['local']:.1f} ms", ""),
        (
            "one PDF over HTTP, 1 client, p50",
            f"{paired['http']:.1f} ms",
            f"+{over:.1f} ms over in-process (goal <= +10 ms) {verdict}; "
            f"median paired difference {paired['difference']:+.1f} ms",
        ),
        (
            "  where it goes (Server-Timing p50)",
            f"app {paired['app']:.1f} ms",
            f"{stages} ms; HTTP and client {paired['http'] - paired['app']:.1f} ms",
        ),
        (
            "GET /healthz on a kept-alive connection",
            f"{keepalive_ms(server, 200):.2f} ms",
            "p50 (was 44 ms: a delayed ACK per answer before TCP_NODELAY)",
        ),
    ]


def memory_rows(server: Server, requests: int) -> list[tuple[str, str, str]]:
    """Resident memory of the server and its workers as it starts, then after 1 000, 2 500,
    5 000 and `requests` renders (counted from the start): a plateau and a leak part there."""
    checkpoints = sorted({min(n, requests) for n in (1000, 2500, 5000)} | {requests})
    seen = [("at start", server.memory())]
    statuses: dict[int, int] = {}
    done = 0
    for checkpoint in checkpoints:
        part = load(server, checkpoint - done, CONCURRENCY, "format=pdf")
        for status, count in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
        done = checkpoint
        seen.append((f"after {checkpoint:,}".replace(",", " "), server.memory()))
    rows = [
        (f"memory {when}: server + workers", f"{s:.0f} + {w:.0f} = {s + w:.0f} MiB", "")
        for when, (s, w) in seen
    ]
    # After the first 1 000 the caches are full: growth from there on is what would not stop.
    (server_at, workers_at), (server_end, workers_end) = seen[1][1], seen[-1][1]
    renders = (checkpoints[-1] - checkpoints[0]) / 1000
    restarts = server.metric("kzdocs_worker_restarts_total")
    rows[-1] = (
        *rows[-1][:2],
        f"since {seen[1][0].removeprefix('after ')}: server {server_end - server_at:+.1f} MiB, "
        f"workers {workers_end - workers_at:+.1f} MiB "
        f"({(workers_end - workers_at) / max(renders, 1e-9):+.1f} MiB a 1 000 renders); "
        f"statuses {statuses}; worker restarts {restarts:.0f}",
    )
    return rows


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
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    server = Server("--workers", str(WORKERS), "--queue", str(QUEUE), "--sign", str(KEY))
    try:
        rows = memory_rows(server, memory_requests)
        rows += latency_rows(server, 42 if args.quick else 140)
        rows += throughput_rows(server, docs)
        rows.append(overload_row(server))
    finally:
        server.stop()
    loads = [" ".join(f"{x:.1f}" for x in pair) for pair in (load_before, os.getloadavg())]
    rows.append(("load average (1, 5, 15 min) before / after", loads[0], loads[1]))
    rows.append(("run", started, f"{os.cpu_count()} cores; {'--quick' if args.quick else 'full'}"))
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>22}  {note}")


if __name__ == "__main__":
    main()
