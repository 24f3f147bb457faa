"""Scale-out on real parts: two `kzdocs serve` copies behind Debian's HAProxy running the shipped
deploy/haproxy.cfg; the batch client renders 200 documents through it while one copy is killed.
Also the batch client's command line against a server: progress, exit codes, --server-sign."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from service_helpers import FIXTURES, ROOT, start_server

from kzdocs import to_xml, validate, validate_xml
from kzdocs.cli import main
from kzdocs.records import load_record
from kzdocs.service.client import Remote, render_remote

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
RECORDS = 200
KILL_AFTER = 60  # documents done before one copy is killed


@pytest.fixture(scope="module")
def copies():
    started = [start_server("--workers", "1") for _ in range(2)]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def balancer(copies):
    if not Path(HAPROXY).exists():
        pytest.fail("haproxy is not installed: .ci/run installs Debian's haproxy")
    port = _free_port()
    env = {
        **os.environ,
        "KZDOCS_LISTEN": f"127.0.0.1:{port}",
        "KZDOCS_SERVER_1": copies[0].url.removeprefix("http://"),
        "KZDOCS_SERVER_2": copies[1].url.removeprefix("http://"),
    }
    process = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _status(url + "/readyz") == 200, 20)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.TransportError:
        return 0


def _wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _records(folder: Path, count: int) -> list[Path]:
    fixtures = sorted(FIXTURES.glob("*.json"))
    folder.mkdir()
    paths = []
    for number in range(count):
        source = fixtures[number % len(fixtures)]
        path = folder / f"{number:03d}-{source.stem}.json"
        shutil.copyfile(source, path)
        paths.append(path)
    return paths


def _served(server) -> float:
    return server.metric('kzdocs_requests_total{route="/v1/render",status="200"}')


def test_200_documents_through_haproxy_survive_a_killed_copy(copies, balancer, tmp_path):
    sources = _records(tmp_path / "records", RECORDS)
    out = tmp_path / "out"
    done = []
    killed = threading.Event()
    seen: dict[str, float] = {}

    def on_done(outcome) -> None:
        done.append(outcome)
        if len(done) == KILL_AFTER:
            seen.update({server.url: _served(server) for server in copies})
            copies[1].process.send_signal(signal.SIGKILL)
            killed.set()

    outcomes = render_remote(
        sources, out, Remote(balancer, attempts=8), formats=("xml",), workers=4, on_done=on_done
    )
    assert killed.is_set()
    assert all(count > 0 for count in seen.values()), seen  # both copies served some
    assert [o.error for o in outcomes if not o.ok] == []
    written = sorted(out.iterdir())
    assert [p.name for p in written] == sorted(f"{s.stem}.xml" for s in sources)  # once each
    for source in sources:
        xml = (out / f"{source.stem}.xml").read_bytes()
        validate_xml(xml)
        assert xml == to_xml(validate(load_record(source)))
    assert _served(copies[0]) > seen[copies[0].url]  # the copy left took the rest


def test_skip_existing_redoes_only_what_is_missing(tmp_path, copies):
    server = copies[0]
    sources = _records(tmp_path / "records", 5)
    out = tmp_path / "out"
    remote = Remote(server.url)
    assert all(o.ok for o in render_remote(sources, out, remote, formats=("xml",)))
    missing = out / f"{sources[2].stem}.xml"
    missing.unlink()
    before = _served(server)
    outcomes = render_remote(sources, out, remote, formats=("xml",), skip_existing=True)
    assert _served(server) - before == 1
    assert [o.written for o in outcomes if o.written] == [(str(missing),)]
    assert missing.read_bytes() == to_xml(validate(load_record(sources[2])))


def test_the_command_line_client_reports_like_a_local_batch(tmp_path, capsys, copies):
    server = copies[0]
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {**json.loads((FIXTURES / "refusal-one-ground.json").read_text("utf-8")), "number": ""}
        )
    )
    good = FIXTURES / "license-export-wheat.json"
    argv = [
        "render",
        str(good),
        str(bad),
        "--server",
        server.url,
        "--lang",
        "kk,ru",
        "--format",
        "html,xml",
        "-o",
        str(tmp_path / "out"),
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{bad}: 1 error(s) in the record\n  - " in err and " number: " in err
    assert "3 document(s) written" in err and "1 record(s) failed" in err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "license-export-wheat.kk.html",
        "license-export-wheat.ru.html",
        "license-export-wheat.xml",
    ]
    assert (tmp_path / "out" / "license-export-wheat.ru.html").read_bytes() == httpx.post(
        server.url + "/v1/render?lang=ru&format=html", content=good.read_bytes(),
        headers={"Content-Type": "application/json"},
    ).content  # fmt: skip


def test_the_client_asks_the_server_to_sign_and_never_sends_a_key(tmp_path, capsys, copies):
    good = str(FIXTURES / "license-export-wheat.json")
    out = str(tmp_path / "out")
    assert main(["render", good, "--server", copies[0].url, "--server-sign", "-o", out]) == 1
    assert "409: this server has no signer" in capsys.readouterr().err
    assert main(["render", good, "--server", copies[0].url, "--sign", "k.p12", "-o", out]) == 2
    assert "keys stay with the server" in capsys.readouterr().err


def test_an_unreachable_server_fails_each_record_after_its_retries(tmp_path, capsys):
    url = f"http://127.0.0.1:{_free_port()}"
    remote = Remote(url, attempts=2)
    outcomes = render_remote([FIXTURES / "license-export-wheat.json"], tmp_path, remote)
    assert not outcomes[0].ok and "ConnectError" in outcomes[0].error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["local", "server"])
def test_skip_existing_on_the_command_line(tmp_path, capsys, copies, where):
    out = tmp_path / "out"
    records = [
        str(FIXTURES / "license-export-wheat.json"),
        str(FIXTURES / "refusal-one-ground.json"),
    ]
    server = ["--server", copies[0].url] if where == "server" else []
    argv = ["render", *records, *server, "--format", "html,xml", "-o", str(out)]
    assert main(argv) == 0
    (out / "refusal-one-ground.xml").unlink()
    kept = (out / "license-export-wheat.kk.html").stat().st_mtime_ns
    capsys.readouterr()
    assert main([*argv, "--skip-existing"]) == 0
    assert "1 document(s) written" in capsys.readouterr().err  # only the one missing
    assert (out / "refusal-one-ground.xml").exists()
    assert (out / "license-export-wheat.kk.html").stat().st_mtime_ns == kept


def test_the_client_waits_what_retry_after_says(tmp_path, monkeypatch):
    """A server with one worker and no queue: while a long render holds the worker the client's
    record is answered 429, and the client's pause is the server's Retry-After (whole seconds),
    not its own back-off (a fraction of a second at the first attempt)."""
    server = start_server("--workers", "1", "--queue", "0")
    pauses: list[float] = []
    sleep = time.sleep

    def pause(seconds: float) -> None:
        if threading.current_thread().name.startswith("kzdocs-client"):
            pauses.append(seconds)
        sleep(seconds)

    try:
        server.wait_ready()
        slow = FIXTURES / "refusal-several-grounds.json"
        with ThreadPoolExecutor(1) as pool:
            holding = pool.submit(
                server.post, "/v1/render?lang=kk,ru&format=pdf,docx,html", slow.read_bytes()
            )
            _wait_for(lambda: server.metric("kzdocs_busy_workers") == 1)
            monkeypatch.setattr(time, "sleep", pause)
            outcomes = render_remote(
                [FIXTURES / "license-export-wheat.json"],
                tmp_path,
                Remote(server.url),
                formats=("xml",),
            )
            assert holding.result().status_code == 200
        assert server.metric('kzdocs_rejections_total{reason="queue_full"}') >= 1
        assert outcomes[0].ok, outcomes[0].error
        assert pauses and all(p >= 1 and p == int(p) for p in pauses), pauses
    finally:
        monkeypatch.undo()
        assert server.stop() == 0
