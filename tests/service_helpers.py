"""Real `kzdocs serve` processes for the service tests: started on a free 127.0.0.1 port, waited
for until every worker is ready, stopped with SIGTERM (which must exit 0)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
START_SECONDS = 60


@dataclass
class Server:
    """A running `kzdocs serve` and the JSON lines it has logged so far."""

    process: subprocess.Popen
    url: str = ""
    lines: list[dict] = field(default_factory=list)
    reader: threading.Thread | None = None

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, body: bytes, content_type: str = "application/json", **kwargs):
        headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}
        return httpx.post(self.url + path, content=body, headers=headers, timeout=30, **kwargs)

    def metric(self, name: str, headers: dict | None = None) -> float:
        """The sum of a metric's samples whose line starts with `name` (labels included)."""
        text = self.get("/metrics", headers=headers or {}).text
        return sum(
            float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name)
        )

    def wait_ready(self, seconds: float = START_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"kzdocs serve exited: {self.lines[-5:]}"
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"kzdocs serve not ready after {seconds} s")

    def stop(self, seconds: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(5)
            if self.reader is not None:
                self.reader.join(5)
            self.process.stderr.close()

    def worker_pids(self) -> set[int]:
        return _children(self.process.pid)


def start_server(*options: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Server:
    """`kzdocs serve --port 0 OPTIONS…` (run in `cwd`), once it has said where it listens (not
    yet ready)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kzdocs", "serve", "--port", "0", *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    server = Server(process)
    listening = threading.Event()
    server.reader = threading.Thread(target=_read_log, args=(server, listening), daemon=True)
    server.reader.start()
    if not listening.wait(START_SECONDS):
        server.stop()
        raise AssertionError(f"kzdocs serve did not start: {server.lines}")
    return server


def _read_log(server: Server, listening: threading.Event) -> None:
    for raw in server.process.stderr:
        try:
            line = json.loads(raw)
        except ValueError:
            line = {"event": "text", "text": raw.decode("utf-8", "replace")}
        server.lines.append(line)
        if line.get("event") == "listening":
            server.url = line["url"]
            listening.set()
    listening.set()  # the process ended: let the waiter see it


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(child) for child in text}
    return found


def processes_running(fragment: str) -> list[tuple[int, int]]:
    """(pid, parent pid) of every process whose command line holds `fragment`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if fragment in cmdline:
            found.append((int(entry.name), parent))
    return found
