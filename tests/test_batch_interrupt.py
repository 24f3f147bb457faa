"""Batches that survive crashes and signals: real `kzdocs render` processes are killed and
interrupted, and the files, processes and exit codes are counted."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import pytest

import kzdocs.batch
from kzdocs.batch import render_files
from kzdocs.cli import main
from kzdocs.pool import Pool

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SUMMARY = re.compile(
    r"(\d+) document\(s\) written to .*; (\d+) record\(s\) failed"
    r"(?:; interrupted: (\d+) record\(s\) unfinished, (\d+) not started)?$"
)


def _records(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    fixtures = sorted(FIXTURES.glob("*.json"))
    paths = [folder / f"r{i:03}.json" for i in range(count)]
    for i, path in enumerate(paths):
        shutil.copy(fixtures[i % len(fixtures)], path)
    return paths


def _start(records: list[Path], out: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kzdocs", "render", *map(str, records), "-o", f"{out}/", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _wait_for_files(out: Path, count: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir() and len(_documents(out)) >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"fewer than {count} documents after {seconds} s")


def _documents(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"}


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def test_a_killed_worker_costs_nothing_the_pool_is_rebuilt(tmp_path):
    records, out = _records(tmp_path / "records", 120), tmp_path / "out"
    process = _start(records, out, "--lang", "kk,ru", "-j", "2")
    _wait_for_files(out, 10, process)
    victim = min(_children(process.pid))
    os.kill(victim, signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert len(_documents(out)) == 240 and _leftovers(out) == []
    assert err.strip().endswith("240 document(s) written to " + str(out) + "; 0 record(s) failed")
    assert _alive({victim}) == set()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_batch_within_5_s_with_a_true_summary(tmp_path, signum, code):
    records, out = _records(tmp_path / "records", 400), tmp_path / "out"
    process = _start(records, out, "--lang", "kk,ru", "--format", "html,xml", "-j", "2")
    _wait_for_files(out, 6, process)
    workers = _children(process.pid)
    assert len(workers) == 2
    process.send_signal(signum)
    sent = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 5
    assert process.returncode == code, err
    assert "Traceback" not in err
    written, failed, unfinished, not_started = map(int, SUMMARY.search(err.strip()).groups())
    assert written == len(_documents(out)) and failed == 0
    assert 0 < not_started < 400 and unfinished <= 2
    assert _leftovers(out) == [] and _alive(workers) == set()


def _report_and_end(task, report):
    report(f"{task} written")
    os._exit(0)  # ends before its parent has read what it reported


def test_a_stopped_pool_hears_what_a_worker_reported_before_it_ended():
    heard, cleaned = [], []
    pool = Pool(
        _report_and_end, lambda: None, 1, lambda task, item: heard.append(item), cleaned.append
    )
    pool._assign(deque(["r001"]))
    (worker,) = pool.workers
    worker.process.join(timeout=30)  # it is dead, its message still in the pipe
    assert not worker.process.is_alive()
    assert pool.stop(lambda outcome: None) == ["r001"]  # its record is unfinished...
    assert heard == ["r001 written"]  # ...but the file it wrote is counted
    assert cleaned == ["r001"]


def test_a_record_that_kills_its_worker_each_time_fails_alone(tmp_path, monkeypatch):
    records = _records(tmp_path / "records", 4)
    deadly = json.loads(records[3].read_text(encoding="utf-8"))["number"]  # fixtures are unique
    real_prepare = kzdocs.batch.prepare

    def prepare(record, **options):  # the workers are forked: they prepare with this
        if record["number"] == deadly:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_prepare(record, **options)

    monkeypatch.setattr(kzdocs.batch, "prepare", prepare)
    outcomes = render_files(records, tmp_path / "out", workers=2)
    kinds = [o.ok for o in outcomes]
    assert kinds.count(False) == 1, outcomes
    (dead,) = [o for o in outcomes if not o.ok]
    assert (
        dead.error
        == "its worker process died twice while rendering it: killed by SIGKILL (out of memory?)"
    )
    assert len(_documents(tmp_path / "out")) == 3


def test_skip_existing_redoes_only_what_is_missing(tmp_path, capsys):
    records, out = _records(tmp_path / "records", 2), tmp_path / "out"
    args = ["render", *map(str, records), "--lang", "kk,ru", "-o", str(out), "-j", "1"]
    assert main(args) == 0
    kept = out / "r000.kk.html"
    before = kept.stat().st_mtime_ns
    (out / "r001.ru.html").unlink()
    capsys.readouterr()
    assert main([*args, "--skip-existing"]) == 0
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            f"1 document(s) written to {out}; 0 record(s) failed; 3 document(s) already there"
        )
    )
    assert kept.stat().st_mtime_ns == before and (out / "r001.ru.html").exists()


def test_a_record_failing_after_some_files_counts_those_on_disk(tmp_path, capsys):
    records, out = _records(tmp_path / "records", 1), tmp_path / "out"
    (out / "r000.ru.html").mkdir(parents=True)  # in the way of the second document
    assert main(["render", str(records[0]), "--lang", "kk,ru", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip().endswith(f"1 document(s) written to {out}; 1 record(s) failed")
    assert (out / "r000.kk.html").is_file()


def test_a_record_file_is_never_overwritten_by_its_own_output(tmp_path, capsys):
    record = tmp_path / "wheat.xml"  # a JSON record, oddly named
    shutil.copy(FIXTURES / "license-export-wheat.json", record)
    before = record.read_bytes()
    for output in (f"{tmp_path}/", str(record)):
        assert main(["render", str(record), "--format", "xml", "-o", output]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"kzdocs: error: {record}: cannot be written: it is the record file")
    assert record.read_bytes() == before
