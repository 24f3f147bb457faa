"""The batch client: record files rendered by a kzdocs service (or a load balancer in front of
several), a bounded number at a time, retried with back-off, every file written whole or not at
all. It answers with the same `Outcome`s as a local batch, so the command line reports alike."""

from __future__ import annotations

import io
import random
import time
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, fields
from pathlib import Path

import httpx

from kzdocs.batch import Outcome, _refuse_clashes, output_name
from kzdocs.errors import FieldError, KzdocsError
from kzdocs.files import write_atomically
from kzdocs.records import load_record
from kzdocs.render import check_output

RETRIED = frozenset({429, 502, 503})  # busy, or a copy behind the balancer went away
_STEM = "record"  # the name the server gives the documents; the client names its own files
_FIELD_ERROR_KEYS = {f.name for f in fields(FieldError)}


@dataclass(frozen=True)
class Remote:
    """Where the service is and how to ask it."""

    url: str
    token: str | None = None
    sign: bool = False  # sign with the server's key (a client never holds one)
    attempts: int = 6
    timeout: float = 120.0  # seconds to wait for one answer
    max_wait: float = 30.0  # the longest pause between two attempts, whatever Retry-After says
    as_: str | None = None  # "application": the records as their applicant's forms


def render_remote(
    sources: Iterable[Path],
    out_dir: Path,
    remote: Remote,
    *,
    langs: tuple[str, ...] = ("kk",),
    formats: tuple[str, ...] = ("html",),
    workers: int = 4,
    skip_existing: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Render record files into `out_dir` through the service, `workers` requests at a time."""
    for lang in langs:
        for format in formats:
            check_output(lang, format)
    sources = list(sources)
    _refuse_clashes(sources)
    headers = {"Authorization": f"Bearer {remote.token}"} if remote.token else {}
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    outcomes = []
    with (
        httpx.Client(
            base_url=remote.url, headers=headers, timeout=remote.timeout, limits=limits
        ) as client,
        ThreadPoolExecutor(max(1, workers), thread_name_prefix="kzdocs-client") as pool,
    ):
        job = _Job(client, remote, out_dir, langs, formats, skip_existing)
        futures = [pool.submit(job.render, source) for source in sources]
        try:
            for future in as_completed(futures):
                outcomes.append(future.result())
                if on_done:
                    on_done(outcomes[-1])
        except BaseException:  # interrupted: the records under way finish, no new one starts
            for future in futures:
                future.cancel()
            raise
    order = {str(s): i for i, s in enumerate(sources)}
    return sorted(outcomes, key=lambda o: order[o.source])


@dataclass(frozen=True)
class _Job:
    client: httpx.Client
    remote: Remote
    out_dir: Path
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    skip_existing: bool

    def targets(self, source: Path) -> list[tuple[Path, str]]:
        """Where each document goes, and the name the server gives it in a ZIP."""
        sent = Path(f"{_STEM}.json")
        return [
            (
                self.out_dir / output_name(source, lang, format, self.remote.as_),
                output_name(sent, lang, format, self.remote.as_),
            )
            for format in self.formats
            for lang in ((None,) if format == "xml" else self.langs)
        ]

    def render(self, source: Path) -> Outcome:
        """One record file's documents, written; never raises for a bad record or server."""
        targets = self.targets(source)
        there = tuple(str(t) for t, _ in targets if self.skip_existing and t.exists())
        if len(there) == len(targets):
            return Outcome(str(source), skipped=there)
        try:
            load_record(source)  # a file that is no record never leaves the machine
            response = self.ask(source.read_bytes())
            if response.status_code != 200:
                return _refused(source, response)
            documents = _documents(response, [name for _, name in targets])
            written = []
            for (target, _), data in zip(targets, documents, strict=True):
                if str(target) not in there:
                    write_atomically(target, data)
                    written.append(str(target))
            return Outcome(str(source), tuple(written), skipped=there)
        except KzdocsError as exc:
            return Outcome(str(source), error=str(exc))
        except (httpx.HTTPError, zipfile.BadZipFile, KeyError, OSError) as exc:
            return Outcome(str(source), error=f"{type(exc).__name__}: {exc}")

    def ask(self, body: bytes) -> httpx.Response:
        """POST the record, retrying a busy or vanished server; the last answer, or the error."""
        params = {"lang": ",".join(self.langs), "format": ",".join(self.formats), "name": _STEM}
        if self.remote.sign:
            params["sign"] = "true"
        if self.remote.as_:
            params["as"] = self.remote.as_
        headers = {"Content-Type": "application/json"}
        for attempt in range(1, self.remote.attempts + 1):
            last = attempt == self.remote.attempts
            try:
                response = self.client.post(
                    "/v1/render", params=params, content=body, headers=headers
                )
            except httpx.TransportError:
                if last:
                    raise
                time.sleep(self.pause(attempt, None))
                continue
            if response.status_code not in RETRIED or last:
                return response
            time.sleep(self.pause(attempt, response.headers.get("retry-after")))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def pause(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when the server says it; else exponential back-off with jitter."""
        if retry_after is not None and retry_after.isdigit():
            return min(float(retry_after), self.remote.max_wait)
        return min(0.2 * 2 ** (attempt - 1), self.remote.max_wait) * random.uniform(0.5, 1.5)


def _documents(response: httpx.Response, names: list[str]) -> list[bytes]:
    """The documents of an answer: the body, or the named files of its ZIP (all of them, or a
    KeyError before anything is written)."""
    if len(names) == 1:
        return [response.content]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return [archive.read(name) for name in names]


def _refused(source: Path, response: httpx.Response) -> Outcome:
    """A record the server did not render: its rule errors, or the server's reason."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 422 and isinstance(body.get("errors"), list):
        errors = [
            FieldError(**{k: v for k, v in e.items() if k in _FIELD_ERROR_KEYS})
            for e in body["errors"]
        ]
        details = tuple(error.describe() for error in errors)
        return Outcome(str(source), error=f"{len(errors)} error(s) in the record", details=details)
    reason = body.get("message") or response.reason_phrase
    return Outcome(str(source), error=f"the server answered {response.status_code}: {reason}")
