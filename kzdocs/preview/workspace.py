"""What the preview works on: a template folder, a records folder, golden files, a configuration
file and the test key; and the one safe way to save a record into the records folder."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from kzdocs.config import DEFAULT, Config, load_config
from kzdocs.errors import PreviewRequestError
from kzdocs.forms import KINDS
from kzdocs.golden.cases import fixture_files
from kzdocs.records import MAX_RECORD_BYTES, load_record, parse_record
from kzdocs.templatecheck import sample_record

if TYPE_CHECKING:
    from kzdocs.golden.keys import SigningKeys

SAMPLE = "sample:"  # built-in sample records are named `sample:<kind>`; no file name has a colon
SAVE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
KEY_PASSWORD = "KZDOCS_KEY_PASSWORD"


@dataclass(frozen=True)
class RecordEntry:
    """One record the page can show: a file of the records folder or a built-in sample."""

    name: str
    kind: str | None  # None: the file is not a record of a known kind (the page says why)
    path: Path | None  # None: a built-in sample

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "builtin": self.path is None}


@dataclass(frozen=True)
class Workspace:
    """The folders and files `kzdocs preview` shows, watches and writes."""

    templates: Path | None = None  # None: the configuration's folder, else the shipped templates
    records: Path | None = None  # None: only the built-in samples
    golden: Path = Path("tests/golden")
    config_file: Path | None = None
    key: Path | None = None  # None: a test certificate made for this session

    def config(self) -> Config:
        """The configuration as the file says now; `--templates` wins over its folder."""
        config = load_config(self.config_file) if self.config_file else DEFAULT
        return replace(config, templates=self.templates) if self.templates else config

    def template_folder(self) -> Path | None:
        """The folder whose templates come first (None: only the shipped ones)."""
        try:
            return self.config().templates
        except Exception:
            return self.templates

    def watched(self) -> list[Path]:
        """The folders whose changes re-render: templates (words files too), records, golden."""
        shipped = files("kzdocs.templates")
        folders = [self.template_folder(), shipped if isinstance(shipped, Path) else None]
        folders += [self.records, self.golden]
        return [f for f in dict.fromkeys(folders) if f is not None and f.is_dir()]

    def entries(self) -> list[RecordEntry]:
        """The records folder's records, then a built-in sample of every kind."""
        found = [RecordEntry(p.stem, _kind_of(p), p) for p in self._record_files()]
        return found + [RecordEntry(SAMPLE + kind, kind, None) for kind in KINDS]

    def entry(self, name: str) -> RecordEntry:
        for entry in self.entries():
            if entry.name == name:
                return entry
        raise PreviewRequestError(f"no record named {name!r} in {self._where()}", 404)

    def record_text(self, entry: RecordEntry) -> str:
        """The record as its file holds it (a built-in sample as indented JSON)."""
        if entry.path is None:
            return (
                json.dumps(
                    sample_record(entry.name.removeprefix(SAMPLE)), indent=2, ensure_ascii=False
                )
                + "\n"
            )
        data = entry.path.read_bytes()[: MAX_RECORD_BYTES + 1]
        return data.decode("utf-8", errors="replace")

    def save_record(self, name: str, text: str, *, overwrite: bool) -> Path:
        """Write `text` as `<records>/<name>.json`: a safe name, JSON that parses, inside the
        folder only, whole or not at all."""
        if self.records is None:
            raise PreviewRequestError(
                "there is no records folder to save into: start kzdocs preview with --records DIR"
            )
        if not SAVE_NAME.fullmatch(name):
            raise PreviewRequestError(
                "a record's name must be 1-80 lower-case Latin letters, digits and '-', "
                f"starting with a letter or digit, got {name!r}"
            )
        parse_record(text.encode("utf-8"), f"{name}.json")  # RecordFileError says why not
        folder = self.records.resolve()
        path = folder / f"{name}.json"
        if path.parent != folder:
            raise PreviewRequestError(f"{name!r} would be saved outside {folder}")
        if path.exists() and not overwrite:
            raise PreviewRequestError(f"{path.name} exists already in {folder}", 409)
        from kzdocs.files import write_atomically

        write_atomically(path, text.encode("utf-8"))
        return path

    @cached_property
    def signer(self) -> SigningKeys:
        """The test keys of the signed view: `--sign KEY.p12` (and the applicants' keys beside
        it), else a TEST certificate made now; an applicant without a key gets one made now."""
        from kzdocs.golden.keys import SigningKeys

        if self.key is not None:
            return self.golden_keys(make_missing=True)
        from kzdocs.sign.certs import dev_cert
        from kzdocs.sign.signers import LocalKeySigner

        with tempfile.TemporaryDirectory() as folder:
            # Valid long before and after any document date, as the golden files' key is.
            material = dev_cert(
                Path(folder) / "preview.p12",
                days=365 * 40,
                not_before=datetime(2000, 1, 1, tzinfo=UTC),
            )
        return SigningKeys(LocalKeySigner(material), make_missing=True)

    def golden_keys(self, *, make_missing: bool = False) -> SigningKeys:
        """`--sign KEY.p12` and the applicants' keys beside it, as `kzdocs golden` signs."""
        from kzdocs.golden.keys import signing_keys

        password = os.environ.get(KEY_PASSWORD, "test")
        return signing_keys(self.key, password, make_missing=make_missing)

    def _record_files(self) -> list[Path]:
        return fixture_files(self.records) if self.records and self.records.is_dir() else []

    def _where(self) -> str:
        return f"{self.records} or the built-in samples" if self.records else "the built-in samples"


def _kind_of(path: Path) -> str | None:
    try:
        kind = load_record(path).get("kind")
    except Exception:
        return None
    return kind if kind in KINDS else None
