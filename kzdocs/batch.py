"""Rendering many record files into a folder: worker processes, each output written whole as
soon as it is ready; one bad record, or one dead worker, never costing the others."""

from __future__ import annotations

import contextlib
import glob
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import TextIO

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import KzdocsError, OutputClashError, OutputError, ValidationError
from kzdocs.files import write_atomically
from kzdocs.pool import Pool, signals_held
from kzdocs.prepared import prepare
from kzdocs.records import load_record
from kzdocs.render import check_output

Deliver = Callable[["Outcome"], None]


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
    """What became of one record file: the files written (and, with `skip_existing`, those
    already there), or why it failed; a failed record lists the files it wrote before failing."""

    source: str
    written: tuple[str, ...] = ()
    error: str | None = None
    details: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = ()
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


INTERRUPTED = "interrupted before all its documents were written"


def output_name(source: Path, lang: str | None, format: str, as_: str | None = None) -> str:
    """`license-export-wheat.kk.pdf`; XML does not depend on the language: `….xml`. Rendered as
    the application (`as_`), `license-export-wheat.application.kk.pdf`: beside the licence."""
    stem = f"{source.stem}.{as_}" if as_ else source.stem
    if format == "xml":
        return f"{stem}.xml"
    return f"{stem}.{lang}.{format}"


@dataclass(frozen=True)
class Job:
    """What every record of a batch becomes: where, in which languages and formats, how signed;
    with `skip_existing`, documents already in `out_dir` are left as they are."""

    out_dir: Path
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    config: Config = DEFAULT
    signer: SignerSpec | None = None
    skip_existing: bool = False
    as_: str | None = None  # "application": each record as its applicant's form


def targets(source: Path, job: Job) -> list[tuple[str, str, Path]]:
    """(language, format, output path) of every document a record file becomes."""
    return [
        (lang, format, job.out_dir / output_name(source, lang, format, job.as_))
        for format in job.formats
        for lang in (job.langs[:1] if format == "xml" else job.langs)
    ]


def render_file(source: Path, job: Job, report: Callable[[str], None] | None = None) -> Outcome:
    """Render one record file in every language and format asked; never raises for bad input.
    `report(path)` is called as each file is written."""
    todo = targets(source, job)
    skipped = tuple(str(t) for _, _, t in todo if job.skip_existing and t.exists())
    written: list[str] = []
    try:
        _render_missing(source, job, [t for t in todo if str(t[2]) not in skipped], written, report)
        return Outcome(str(source), tuple(written), skipped=skipped)
    except ValidationError as exc:
        error = f"{len(exc.errors)} error(s) in the record"
        details = tuple(e.describe() for e in exc.errors)
    except KzdocsError as exc:
        error, details = str(exc), ()
    except Exception as exc:
        error, details = f"unexpected {type(exc).__name__}: {exc}", ()
    return Outcome(str(source), tuple(written), error, details, skipped)


def _render_missing(source, job, todo, written: list[str], report) -> None:
    if not todo:
        return  # every document is there: the record is not even read
    options = job.signer.render_options() if job.signer else {}
    # Validated and signed once: every document of the record carries the same signed XML.
    prepared = prepare(load_record(source), config=job.config, as_=job.as_, **options)
    for lang, format, target in todo:
        data = prepared.render(lang, format)
        with signals_held():  # an interruption lands after the file is counted, not between
            write_atomically(target, data)
            written.append(str(target))
            if report:
                report(str(target))


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
    skip_existing: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
    as_: str | None = None,
) -> list[Outcome]:
    """Render record files into `out_dir`, in worker processes when there are several;
    `as_="application"`: each licence or permit as its applicant's form (`kzdocs.prepare`).

    A worker that dies costs only its record (retried once). Interrupted (KeyboardInterrupt or
    any other BaseException), the workers are stopped within seconds, no half-written file is
    left, `on_done` hears of each interrupted record (`interrupted=True`, with the files it
    wrote) and the exception propagates.
    """
    for lang in langs:
        for format in formats:
            check_output(lang, format)
    sources = list(sources)
    job = Job(out_dir, langs, formats, config, signer, skip_existing, as_)
    _refuse_clashes(sources)
    _refuse_overwriting_records(sources, job)
    outcomes = []

    def deliver(outcome: Outcome) -> None:
        with signals_held():  # heard by both lists, or by neither
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)

    count = _workers(workers, len(sources))
    (_render_serially if count == 1 else _render_pooled)(sources, job, count, deliver)
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


def _refuse_overwriting_records(sources: list[Path], job: Job) -> None:
    """Refuse, before anything is rendered, a document that would replace its own record file
    (`wheat.xml` rendered as XML into its own folder)."""
    for source in sources:
        for _, _, target in targets(source, job):
            if same_file(source, target):
                raise OutputError(
                    str(target), f"it is the record file {source} itself; use another folder"
                )


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one existing file (through links and spellings alike)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _workers(asked: int | None, jobs: int) -> int:
    return max(1, min(asked or os.cpu_count() or 1, jobs))


def _render_serially(sources: list[Path], job: Job, _: int, deliver: Deliver) -> None:
    _warm_worker(job.formats)
    for source in sources:
        written: list[str] = []
        try:
            outcome = render_file(source, job, written.append)
        except BaseException:
            deliver(_interrupted(source, written))
            raise
        deliver(outcome)


def _start_worker(formats: tuple[str, ...], scratch: str) -> None:
    """A pool worker's temporary files in the batch's scratch folder: the pool kills its
    workers at the end, so they never remove their own (WeasyPrint's copies of the fonts,
    432 kB a worker, were left in the system's temporary folder by every batch)."""
    tempfile.tempdir = scratch
    _warm_worker(formats)


# Signers a forked worker may take over from the parent as they are: a local key is key and
# certificate objects only. Others may hold connections or threads, and are built by each worker.
_SHARED_SIGNERS = frozenset({"local"})


def _prepare_parent(job: Job) -> Callable[[], contextlib.AbstractContextManager]:
    """Make here what forked workers then take over instead of each making their own: the
    signer with its loaded key (and its PDF signing imported), and the PDF engine with its fonts
    loaded if this process has one. None is built for them: an engine's font files live in the
    temporary folder as long as the engine does, which here is the whole process.

    Returns what to start each worker inside (the engine's `forking`); nothing is made with
    another start method than fork, where a worker inherits nothing.
    """
    if multiprocessing.get_context().get_start_method() != "fork":
        return contextlib.nullcontext
    if job.signer is not None and job.signer.name in _SHARED_SIGNERS:
        with contextlib.suppress(KzdocsError):  # each record then reports the error, as before
            signer = job.signer.build()
            if "pdf" in job.formats:
                signer.prepare_pdf_signing()  # imported once for every worker
    if "pdf" not in job.formats:
        return contextlib.nullcontext
    from kzdocs.pdf.engine import built_engine

    engine = built_engine()
    return contextlib.nullcontext if engine is None else engine.forking


def _render_pooled(sources: list[Path], job: Job, workers: int, deliver: Deliver) -> None:
    with tempfile.TemporaryDirectory(prefix="kzdocs-batch-") as scratch:
        _render_in_pool(sources, job, workers, deliver, scratch)


def _render_in_pool(
    sources: list[Path], job: Job, workers: int, deliver: Deliver, scratch: str
) -> None:
    written: dict[Path, list[str]] = {}

    def died(source: Path, reason: str) -> Outcome:
        return Outcome(
            str(source),
            tuple(dict.fromkeys(written.get(source, ()))),
            f"its worker process died twice while rendering it: {reason}",
        )

    pool = Pool(
        partial(_work, job),
        partial(_start_worker, job.formats, scratch),
        workers,
        lambda source, path: written.setdefault(source, []).append(path),
        partial(_remove_temporaries, job=job),
        _prepare_parent(job),
    )
    try:
        pool.run(sources, deliver, died)
    except BaseException:
        for source in pool.stop(deliver):
            deliver(_interrupted(source, written.get(source, [])))
        raise
    finally:
        pool.close()


def _work(job: Job, source: Path, report: Callable[[str], None]) -> Outcome:
    return render_file(source, job, report)


def _interrupted(source: Path, written: list[str]) -> Outcome:
    return Outcome(str(source), tuple(dict.fromkeys(written)), INTERRUPTED, interrupted=True)


def _remove_temporaries(source: Path, job: Job) -> None:
    """A killed worker cannot remove the temporary file it was writing: its parent does."""
    for _, _, target in targets(source, job):
        for leftover in target.parent.glob(f".{glob.escape(target.name)}.*"):
            leftover.unlink(missing_ok=True)


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    def __init__(self, total: int, stream: TextIO | None = None):
        stream = sys.stderr if stream is None else stream  # the one of now, not of the import
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
