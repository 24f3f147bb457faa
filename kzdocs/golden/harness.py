"""Check rendered documents against approved golden files, or approve the new renderings.

`check` compares bytes and, where they differ, explains the change in words (and, for PDF, in
pictures); `update` rewrites only the golden files whose bytes changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import RenderError
from kzdocs.golden.cases import FORMATS, LANGS, Case, orphans, plan
from kzdocs.golden.keys import SigningKeys
from kzdocs.golden.pdfdiff import PageDiff, diff_pdf
from kzdocs.golden.text import document_text
from kzdocs.golden.textdiff import NO_CHANGE, TextChange, diff_text

if TYPE_CHECKING:
    from kzdocs.prepared import PreparedRecord
    from kzdocs.schema import Document
    from kzdocs.sign.base import Signer

Status = Literal["same", "changed", "new", "orphan", "error"]
STATUSES: tuple[Status, ...] = ("changed", "new", "orphan", "error", "same")


@dataclass(frozen=True)
class Outcome:
    """What became of one golden file."""

    fixture: str
    lang: str | None
    format: str
    status: Status
    golden: Path
    text: TextChange = NO_CHANGE
    pages: tuple[PageDiff, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "same"

    @property
    def words(self) -> str:
        """The change in a few words, for the summary table."""
        if self.status == "changed":
            if self.text.changed:
                return self.text.summary()
            if any(page.boxes for page in self.pages):
                return "layout only: the text is the same, the pages look different"
            return "the text is the same; only layout or file internals differ"
        return {
            "same": "",
            "new": "no golden file yet: review and approve",
            "orphan": "golden file without a fixture",
            "error": self.error,
        }[self.status]


@dataclass(frozen=True)
class GoldenResult:
    """Every golden file checked, and where the report went (if one was asked for)."""

    outcomes: tuple[Outcome, ...]
    report: Path | None = None
    unchecked: tuple[Path, ...] = ()  # signed golden files, when no signer was given

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.ok)

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def compare(
    expected: bytes | None, actual: bytes, format: str, *, images: bool = False
) -> tuple[Status, TextChange, tuple[PageDiff, ...]]:
    """Golden bytes (None if there is no golden file) against new ones, explained in words."""
    if expected == actual:
        return "same", NO_CHANGE, ()
    if expected is None:
        return "new", diff_text([], document_text(actual, format)), ()
    text = diff_text(document_text(expected, format), document_text(actual, format))
    pages: tuple[PageDiff, ...] = ()
    if format == "pdf":
        pages = tuple(diff_pdf(expected, actual, images=images))
    return "changed", text, pages


def check(
    fixtures_dir: str | Path = "fixtures",
    golden_dir: str | Path = "tests/golden",
    *,
    formats: Sequence[str] = FORMATS,
    langs: Sequence[str] = LANGS,
    names: Iterable[str] | None = None,
    report_dir: str | Path | None = None,
    config: Config = DEFAULT,
    signer: Signer | None = None,
) -> GoldenResult:
    """Render every fixture and compare it with its golden file; write an HTML report if asked.

    `names` limits the check to some fixture stems (orphans are then not looked for); with a
    `signer`, the signed renderings are checked too, stored as `<lang>.signed.<ext>` (a
    `SigningKeys` signs the applicants' forms with the applicants' keys).
    """
    images = report_dir is not None
    prepared: dict[tuple[str, bool], PreparedRecord | Exception] = {}
    outcomes = [
        _check_case(case, prepared, config, case_signer, images)
        for case, case_signer in _cases(fixtures_dir, golden_dir, formats, langs, names, signer)
    ]
    if names is None:
        outcomes += [_orphan(path) for path in orphans(Path(fixtures_dir), Path(golden_dir))]
    unchecked = (
        ()
        if signer is not None
        else _signed_goldens(fixtures_dir, golden_dir, formats, langs, names)
    )
    result = GoldenResult(tuple(outcomes), unchecked=unchecked)
    if report_dir is not None:
        from kzdocs.golden.report import write_report

        result = replace(result, report=write_report(result, Path(report_dir)))
    return result


def update(
    fixtures_dir: str | Path = "fixtures",
    golden_dir: str | Path = "tests/golden",
    *,
    formats: Sequence[str] = FORMATS,
    langs: Sequence[str] = LANGS,
    names: Iterable[str] | None = None,
    config: Config = DEFAULT,
    signer: Signer | None = None,
    prune: bool = False,
) -> list[Path]:
    """Approve the current renderings: write the golden files whose bytes changed, list them.

    Everything is rendered before anything is written, so a failing fixture changes nothing
    (`RenderError` lists every failure). `prune` also deletes orphan golden files.
    """
    cases = _cases(fixtures_dir, golden_dir, formats, langs, names, signer)
    rendered = _render_all(cases, config)
    changed = [case.golden for case, data in rendered if write_changed(case.golden, data)]
    if prune and names is None:
        for path in orphans(Path(fixtures_dir), Path(golden_dir)):
            path.unlink()
            changed.append(path)
    return changed


def _render_all(
    cases: list[tuple[Case, Signer | None]], config: Config
) -> list[tuple[Case, bytes]]:
    """Every case rendered, or `RenderError` listing every failure (not just the first)."""
    prepared: dict[tuple[str, bool], PreparedRecord | Exception] = {}
    rendered, failed = [], []
    for case, case_signer in cases:
        try:
            rendered.append((case, render_case(case, prepared, config, case_signer)))
        except Exception as exc:
            failed.append(f"{case.label}: {_describe(exc)}")
    if failed:
        raise RenderError("cannot update golden files:\n  " + "\n  ".join(failed))
    return rendered


def write_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` (atomically) unless the file holds exactly that; whether it did."""
    if _read(path) == data:
        return False
    from kzdocs.files import write_atomically

    write_atomically(path, data)
    return True


def render_case(
    case: Case,
    prepared: dict[tuple[str, bool], PreparedRecord | Exception],
    config: Config = DEFAULT,
    signer: Signer | None = None,
) -> bytes:
    """The bytes of one case, freshly rendered; each fixture is read, validated and signed
    once (`prepared` keeps it per fixture and variant)."""
    key = (case.fixture, signer is not None)
    record = prepared.get(key)
    if record is None:
        record = prepared[key] = _prepare(case.record_path, config, signer)
    if isinstance(record, Exception):
        raise record
    return record.render(case.render_lang, case.format)


def _prepare(path: Path, config: Config, signer: Signer | None) -> PreparedRecord | Exception:
    from kzdocs.prepared import prepare
    from kzdocs.records import load_record
    from kzdocs.schema import validate

    try:
        document = validate(load_record(path), config)
        if isinstance(signer, SigningKeys):  # an applicant's form: the applicant's own key
            signer = signer.signer_for(document)
        # A pinned signing time keeps signed golden files byte-stable.
        signed_at = pinned_time(document) if signer is not None else None
        return prepare(document, config=config, signer=signer, signed_at=signed_at)
    except Exception as exc:
        return exc


def _check_case(
    case: Case,
    prepared: dict[tuple[str, bool], PreparedRecord | Exception],
    config: Config,
    signer: Signer | None,
    images: bool,
) -> Outcome:
    try:
        data = render_case(case, prepared, config, signer)
    except Exception as exc:  # one broken fixture must not hide the others
        return Outcome(case.fixture, case.lang, case.format, "error", case.golden,
                       error=_describe(exc))  # fmt: skip
    status, text, pages = compare(_read(case.golden), data, case.format, images=images)
    return Outcome(case.fixture, case.lang, case.format, status, case.golden, text, pages)


def _orphan(path: Path) -> Outcome:
    parts = path.name.split(".")
    lang = parts[0] if parts[0] in LANGS else None
    format = parts[-1] if parts[-1] in FORMATS else path.suffix.lstrip(".")
    return Outcome(path.parent.name, lang, format, "orphan", path)


def _signed_goldens(fixtures_dir, golden_dir, formats, langs, names) -> tuple[Path, ...]:
    """The signed golden files there are: a check without a signer says it left them out."""
    cases = plan(Path(fixtures_dir), Path(golden_dir), formats=formats, langs=langs, names=names,
                 variant="signed")  # fmt: skip
    return tuple(case.golden for case in cases if case.golden.is_file())


def _cases(
    fixtures_dir, golden_dir, formats, langs, names, signer
) -> list[tuple[Case, Signer | None]]:
    """The unsigned cases and, with a signer, the same again signed (`kk.signed.pdf`)."""
    variants = [(None, None)] + ([("signed", signer)] if signer is not None else [])
    return [
        (case, case_signer)
        for variant, case_signer in variants
        for case in plan(Path(fixtures_dir), Path(golden_dir), formats=formats, langs=langs,
                         names=names, variant=variant)
    ]  # fmt: skip


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def pinned_time(document: Document) -> datetime:
    """The signing time golden files use: the document date at midnight, Astana time."""
    from kzdocs.render import document_time

    return document_time(document)
