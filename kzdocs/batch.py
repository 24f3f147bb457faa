"""Rendering many record files into a folder: a process pool, each output written as soon as it
is ready, one bad record never costing the others."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TextIO

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import KzdocsError, OutputClashError, ValidationError
from kzdocs.files import write_atomically
from kzdocs.prepared import prepare
from kzdocs.records import load_record
from kzdocs.render import check_output


@dataclass(frozen=True)
class SignerSpec:
    """How to make a signer: sent to worker processes, which cannot share a loaded key."""

    name: str
    options: tuple[tuple[str, object], ...] = ()
    signed_at: datetime | None = None

    def build(self):
        return _signer(self.name, self.options)

    def render_options(self) -> dict[str, object]:
        """`prepare`'s (and `render`'s) signer and signing time, now unless pinned."""
        return {"signer": self.build(), "signed_at": self.signed_at or datetime.now(UTC)}


@cache
def _signer(name: str, options: tuple[tuple[str, object], ...]):
    from kzdocs.sign import get_signer

    return get_signer(name, **dict(options))


@dataclass(frozen=True)
class Outcome:
    """What became of one record file: the files written, or why it failed."""

    source: str
    written: tuple[str, ...] = ()
    error: str | None = None
    details: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None


def output_name(source: Path, lang: str | None, format: str) -> str:
    """`license-export-wheat.kk.pdf`; XML does not depend on the language: `….xml`."""
    if format == "xml":
        return f"{source.stem}.xml"
    return f"{source.stem}.{lang}.{format}"


@dataclass(frozen=True)
class Job:
    """What every record of a batch becomes: where, in which languages and formats, how signed."""

    out_dir: Path
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    config: Config = DEFAULT
    signer: SignerSpec | None = None


def render_file(source: Path, job: Job) -> Outcome:
    """Render one record file in every language and format asked; never raises for bad input."""
    try:
        options = job.signer.render_options() if job.signer else {}
        # Validated and signed once: every document of the record carries the same signed XML.
        prepared = prepare(load_record(source), config=job.config, **options)
        written = []
        for lang, format, data in prepared.documents(job.langs, job.formats):
            target = job.out_dir / output_name(source, lang, format)
            write_atomically(target, data)
            written.append(str(target))
        return Outcome(str(source), tuple(written))
    except ValidationError as exc:
        details = tuple(e.describe() for e in exc.errors)
        return Outcome(
            str(source), error=f"{len(exc.errors)} error(s) in the record", details=details
        )
    except KzdocsError as exc:
        return Outcome(str(source), error=str(exc))
    except Exception as exc:
        return Outcome(str(source), error=f"unexpected {type(exc).__name__}: {exc}")


def _warm_worker(formats: tuple[str, ...]) -> None:
    """Load fonts, stylesheets and templates once per worker, not once per document."""
    if "pdf" in formats:
        from kzdocs.pdf import default_engine

        default_engine()


def render_files(
    sources: Iterable[Path],
    out_dir: Path,
    *,
    langs: tuple[str, ...] = ("kk",),
    formats: tuple[str, ...] = ("html",),
    config: Config = DEFAULT,
    signer: SignerSpec | None = None,
    workers: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Render record files into `out_dir`, in a process pool when there are several."""
    for lang in langs:
        for format in formats:
            check_output(lang, format)
    sources = list(sources)
    _refuse_clashes(sources)
    outcomes = []
    job = Job(out_dir, langs, formats, config, signer)
    for outcome in _outcomes(sources, job, _workers(workers, len(sources))):
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    order = {str(s): i for i, s in enumerate(sources)}
    return sorted(outcomes, key=lambda o: order[o.source])


def _refuse_clashes(sources: list[Path]) -> None:
    """Refuse, before anything is written, record files whose documents would share a name."""
    by_name: dict[str, list[str]] = {}
    for source in sources:
        # Case folded: on Windows and macOS `X.json` and `x.json` write the same files.
        by_name.setdefault(source.stem.casefold(), []).append(str(source))
    clashes = [tuple(group) for group in by_name.values() if len(group) > 1]
    if clashes:
        raise OutputClashError(clashes)


def _workers(asked: int | None, jobs: int) -> int:
    return max(1, min(asked or os.cpu_count() or 1, jobs))


def _outcomes(sources: list[Path], job: Job, workers: int) -> Iterator[Outcome]:
    if workers == 1:
        _warm_worker(job.formats)
        for source in sources:
            yield render_file(source, job)
        return
    with ProcessPoolExecutor(workers, initializer=_warm_worker, initargs=(job.formats,)) as pool:
        futures = [pool.submit(render_file, source, job) for source in sources]
        for future in as_completed(futures):
            yield future.result()


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    def __init__(self, total: int, stream: TextIO = sys.stderr):
        self.total, self.done, self.failed, self.stream = total, 0, 0, stream
        self.active = total > 1 and stream.isatty()

    def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += not outcome.ok
        if self.active:
            filled = 30 * self.done // self.total
            bar = "#" * filled + "." * (30 - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} ({self.failed} failed){end}")
            self.stream.flush()
