"""Which golden files there should be: every fixture × language × format, and where each lives.

Layout: `<golden_dir>/<fixture-stem>/<lang>.<ext>`; XML does not depend on the language and is
`record.xml`. A variant (a signed rendering, say) adds a segment: `kk.signed.pdf`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kzdocs.errors import ConfigError, UnsupportedFormatError
from kzdocs.forms import LANGS
from kzdocs.render import FORMATS

_VARIANT = re.compile(r"[a-z0-9][a-z0-9-]*")
_GOLDEN_NAME = re.compile(
    r"(?:(?:kk|ru)(?:\.[a-z0-9][a-z0-9-]*)?\.(?:html|pdf|docx))|(?:record(?:\.[a-z0-9][a-z0-9-]*)?\.xml)"
)


@dataclass(frozen=True)
class Case:
    """One golden file: the fixture it is rendered from, in which language and format."""

    fixture: str  # the fixture file's stem
    record_path: Path
    lang: str | None  # None for XML, which has no language
    format: str
    golden: Path

    @property
    def render_lang(self) -> str:
        return self.lang or LANGS[0]

    @property
    def label(self) -> str:
        return f"{self.fixture} {self.lang or '--'} {self.format}"


def golden_name(lang: str | None, format: str, variant: str | None = None) -> str:
    """`kk.html`, `ru.signed.pdf`, `record.xml`: the file name of one golden file."""
    if variant is not None and not _VARIANT.fullmatch(variant):
        raise ConfigError(f"variant must be lower-case letters, digits and '-', got {variant!r}")
    stem = "record" if format == "xml" else lang
    middle = f".{variant}" if variant else ""
    return f"{stem}{middle}.{format}"


def fixture_files(fixtures_dir: Path) -> list[Path]:
    """The fixtures: `*.json` right in the folder (invalid records live in a subfolder)."""
    return sorted(p for p in Path(fixtures_dir).glob("*.json") if p.is_file())


def plan(
    fixtures_dir: Path,
    golden_dir: Path,
    *,
    formats: Sequence[str] = FORMATS,
    langs: Sequence[str] = LANGS,
    names: Iterable[str] | None = None,
    variant: str | None = None,
) -> list[Case]:
    """Every golden file the fixtures call for, in a stable order."""
    _check_choices("format", formats, FORMATS)
    _check_choices("language", langs, LANGS)
    wanted = set(names) if names is not None else None
    cases = []
    for record_path in fixture_files(fixtures_dir):
        stem = record_path.stem
        if wanted is not None and stem not in wanted:
            continue
        for format in FORMATS:
            if format not in formats:
                continue
            for lang in (None,) if format == "xml" else tuple(lg for lg in LANGS if lg in langs):
                path = Path(golden_dir) / stem / golden_name(lang, format, variant)
                cases.append(Case(stem, record_path, lang, format, path))
    return cases


def orphans(fixtures_dir: Path, golden_dir: Path) -> list[Path]:
    """Golden files no fixture accounts for: a deleted fixture's folder, a stray file name."""
    golden_dir = Path(golden_dir)
    if not golden_dir.is_dir():
        return []
    stems = {p.stem for p in fixture_files(fixtures_dir)}
    found = []
    for folder in sorted(p for p in golden_dir.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            known = path.parent == folder and _GOLDEN_NAME.fullmatch(path.name)
            if folder.name not in stems or not known:
                found.append(path)
    return found


def _check_choices(what: str, given: Sequence[str], allowed: Sequence[str]) -> None:
    wrong = [g for g in given if g not in allowed]
    if wrong:
        raise UnsupportedFormatError(f"{what} must be among {', '.join(allowed)}, got {wrong[0]!r}")
