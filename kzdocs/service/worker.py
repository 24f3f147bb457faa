"""A render worker: a process that loads fonts, templates and the signer once, then runs one
task at a time that the service sends it over a pipe. Its answers are plain tuples, so nothing
but bytes and builtins crosses the pipe. A record is prepared once (`kzdocs.prepare`: validated,
its XML built and signed once), then every language and format comes from it."""

from __future__ import annotations

import ctypes
import io
import itertools
import json
import os
import signal
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzdocs import ownprocess
from kzdocs.batch import SignerSpec, output_name
from kzdocs.config import Config
from kzdocs.errors import (
    ApplicantKeyError,
    EmbeddedXmlError,
    KzdocsError,
    MissingGlyphError,
    SigningError,
    ValidationError,
    VerificationError,
    XmlError,
)
from kzdocs.prepared import prepare

# An answer: ("ok", payload) or ("error", status, error code, message, extra fields).
Answer = tuple[Any, ...]
# Tasks between two returns of the C heap's free pages to the system (a few ms each).
TRIM_EVERY = 100


@dataclass(frozen=True)
class Setup:
    """What every worker is started with."""

    config: Config
    signer: SignerSpec | None


@dataclass(frozen=True)
class RenderTask:
    """A record to render in these languages and formats; one document, or a ZIP of several."""

    record: dict[str, Any]
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    sign: bool
    stem: str
    as_: str | None = None  # "application": the record as its applicant's form

    @property
    def names(self) -> list[tuple[str, str]]:
        """(file name, format) of every document, in the order the CLI writes them."""
        return [
            (self.file_name(lang, format), format)
            for format in self.formats
            for lang in ((None,) if format == "xml" else self.langs)
        ]

    def file_name(self, lang: str | None, format: str) -> str:
        return output_name(Path(f"{self.stem}.json"), lang, format, self.as_)


@dataclass(frozen=True)
class VerifyTask:
    data: bytes


@dataclass(frozen=True)
class ExtractTask:
    data: bytes
    as_record: bool


def run_worker(conn, setup: Setup) -> None:
    """The worker process: warm up, say ready, then answer tasks until the pipe closes."""
    ownprocess.tune()  # a process of kzdocs' own, even when the server runs in a host's
    os.setpgid(0, 0)  # its own group: a stuck worker is killed together with a signer program
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _warm(setup)
    trim = heap_trimmer()
    conn.send(("ready", os.getpid()))
    for done in itertools.count(1):
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        started = time.perf_counter()
        reply = answer(task, setup)
        conn.send((time.perf_counter() - started, reply))  # its own time, for Server-Timing
        if trim is not None and done % TRIM_EVERY == 0:
            trim(0)


def heap_trimmer():
    """glibc's `malloc_trim`, where the C library has one (else None). A document's peak leaves
    free chunks between live ones that glibc keeps mapped; trimming now and then gives their
    pages back, so a worker's resident memory follows what it holds, not its largest document."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def _warm(setup: Setup) -> None:
    """Load everything a first request would otherwise wait for."""
    from kzdocs.docx import render_docx  # noqa: F401
    from kzdocs.pdf import default_engine
    from kzdocs.sign import verify_pdf  # noqa: F401

    default_engine()
    if setup.signer is not None:
        setup.signer.build()


def answer(task: object, setup: Setup) -> Answer:
    """The answer to one task; every failure becomes an error answer, never an exception."""
    try:
        if isinstance(task, RenderTask):
            return ("ok", render_task(task, setup))
        if isinstance(task, VerifyTask):
            return ("ok", verification(task.data, setup.config))
        if isinstance(task, ExtractTask):
            return ("ok", extract(task.data, task.as_record))
        return _error(500, "internal_error", f"unknown task {type(task).__name__}")
    except ValidationError as exc:
        errors = [error.as_json() for error in exc.errors]
        message = f"{len(errors)} error(s) in the record"
        return _error(422, "invalid_record", message, errors=errors)
    except MissingGlyphError as exc:
        return _error(422, "unrenderable", str(exc))
    except ApplicantKeyError as exc:  # the server's key is not this applicant's
        return _error(409, "not_the_applicant_s_key", str(exc))
    except SigningError as exc:
        return _error(502, "signing_failed", str(exc))
    except (EmbeddedXmlError, XmlError, VerificationError) as exc:
        return _error(422, "not_a_kzdocs_document", str(exc))
    except KzdocsError as exc:
        return _error(500, "render_failed", str(exc))
    except Exception as exc:  # one broken request must not cost the worker
        return _error(500, "internal_error", f"unexpected {type(exc).__name__}")


def _error(status: int, error: str, message: str, **extra: object) -> Answer:
    return ("error", status, error, message, extra)


def render_task(task: RenderTask, setup: Setup) -> bytes:
    """The document, or a ZIP of every document: prepared (validated, signed) once."""
    options = setup.signer.render_options() if task.sign and setup.signer else {}
    prepared = prepare(task.record, config=setup.config, as_=task.as_, **options)
    files = [
        (task.file_name(lang, format), data)
        for lang, format, data in prepared.documents(task.langs, task.formats)
    ]
    return files[0][1] if len(files) == 1 else _zip(files)


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            # A fixed date: the same documents give the same ZIP (and the same ETag).
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def verification(data: bytes, config: Config) -> dict[str, Any]:
    """What `kzdocs verify --json` says of a signed PDF or XML: the same one verdict."""
    from kzdocs.sign.verify import verify

    body = verify(data, config=config).to_dict()
    body["document"] = "pdf" if data.startswith(b"%PDF") else "xml"
    return body


def extract(pdf: bytes, as_record: bool) -> bytes:
    """The record XML embedded in a kzdocs PDF, as embedded (or the record as JSON)."""
    from kzdocs.config import DEFAULT
    from kzdocs.sign.embedded import read_record_xml
    from kzdocs.sign.record import signed_record
    from kzdocs.xml import from_xml, validate_xml

    # Bounded, as `kzdocs extract-xml`: an embedded file that inflates without end is refused.
    xml = read_record_xml(pdf, max_size=DEFAULT.verify.max_embedded_bytes)
    record = signed_record(xml)
    validate_xml(record)
    if as_record:
        text = json.dumps(from_xml(record), ensure_ascii=False, indent=2, default=str)
        return text.encode() + b"\n"  # what `kzdocs extract-xml --record` prints
    return xml
