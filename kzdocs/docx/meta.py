"""Document metadata of a DOCX: the core properties Word shows under File → Info."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from docx.document import Document as WordDocument

from kzdocs.docx.layout import WORD_LANG
from kzdocs.errors import UnsupportedFormatError


@dataclass(frozen=True)
class DocxMeta:
    """What the DOCX says about itself; `created` comes from the record (issued_on), never now."""

    title: str
    lang: str  # 'kk' | 'ru'
    author: str  # the issuer; the applicant on an application or a permit draft
    subject: str = ""
    keywords: str | tuple[str, ...] = ""  # a tuple is joined with ", "
    created: datetime = datetime(2000, 1, 1)

    def __post_init__(self) -> None:
        if self.lang not in WORD_LANG:
            raise UnsupportedFormatError(
                f"DOCX language must be one of {', '.join(WORD_LANG)}, got {self.lang!r}"
            )


def _as_utc(moment: datetime) -> datetime:
    # python-docx writes the clock time with a 'Z': convert aware times, take naive ones as UTC.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def apply_core_properties(document: WordDocument, meta: DocxMeta) -> None:
    """Every core property set from `meta` (or emptied), so nothing depends on the clock.

    Any object with DocxMeta's attributes will do (kzdocs.render.Metadata does)."""
    props = document.core_properties
    props.title = meta.title
    props.subject = meta.subject
    props.author = meta.author
    props.last_modified_by = meta.author
    keywords = meta.keywords
    props.keywords = keywords if isinstance(keywords, str) else ", ".join(keywords)
    props.language = WORD_LANG[meta.lang]
    props.comments = ""
    props.category = ""
    props.content_status = ""
    props.identifier = ""
    props.version = ""
    props.revision = 1
    props.created = _as_utc(meta.created)
    props.modified = _as_utc(meta.created)
