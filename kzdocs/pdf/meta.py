"""What a PDF says about itself: title, language, issuer, dates and file identifier."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from kzdocs.errors import RenderError
from kzdocs.forms import LANGS


@dataclass(frozen=True)
class PdfMeta:
    """The document properties of one PDF, all derived from the record, never from 'now'.

    `created` is the document date (midnight Astana time of `issued_on`); it is both the
    creation and the modification date. `identifier` seeds the PDF /ID: pass the record's
    canonical XML or its hash, so the same record gives the same file.
    """

    title: str
    lang: str
    author: str
    created: datetime
    identifier: bytes
    subject: str = ""
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise RenderError(f"PDF language must be one of {', '.join(LANGS)}, got {self.lang!r}")
        if self.created.tzinfo is None or self.created.utcoffset() is None:
            raise RenderError(f"PDF creation date must carry a time zone, got {self.created!r}")
        if not isinstance(self.identifier, bytes) or not self.identifier:
            raise RenderError("PDF identifier seed must be non-empty bytes")
        object.__setattr__(self, "keywords", tuple(self.keywords))

    @classmethod
    def of(cls, meta: Any) -> PdfMeta:
        """A PdfMeta from any object with the same attributes (e.g. the pipeline's Metadata)."""
        if isinstance(meta, cls):
            return meta
        return cls(**{f.name: getattr(meta, f.name) for f in fields(cls) if hasattr(meta, f.name)})

    @property
    def w3c_created(self) -> str:
        """The date as WeasyPrint's metadata wants it (W3C profile of ISO 8601)."""
        return self.created.isoformat(timespec="seconds")

    @property
    def created_utc(self) -> datetime:
        """The date in UTC: attachment dates are written with a 'Z' suffix."""
        return self.created.astimezone(UTC)

    @property
    def file_id(self) -> bytes:
        """The PDF /ID: 16 bytes derived from the identifier seed, as hex."""
        return hashlib.sha256(b"kzdocs-pdf-id\0" + self.identifier).hexdigest()[:32].encode()
