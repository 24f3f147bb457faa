"""The pipeline end to end: record → schema → xml → sign → html → pdf | docx.

Each stage lives in its own module; `kzdocs.prepared` passes data forward between them, once
per record. This module holds what every document shares (the formats, the metadata) and
`render()`, the short way to one document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import UnsupportedFormatError
from kzdocs.formatting import ASTANA, check_lang  # ASTANA: others read it from here too
from kzdocs.forms import FORMATS
from kzdocs.html import page_title, render_html
from kzdocs.schema import Document

if TYPE_CHECKING:
    from kzdocs.sign.base import Signer


@dataclass(frozen=True)
class Metadata:
    """What the PDF and DOCX properties say of a document."""

    title: str
    lang: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    created: datetime
    identifier: bytes


def render(
    record: Mapping[str, Any] | Document,
    *,
    lang: str = "kk",
    format: str = "html",
    config: Config = DEFAULT,
    signer: Signer | None = None,
    signed_at: datetime | None = None,
    as_: str | None = None,
) -> bytes:
    """A record rendered as one document: validated, in the language and format asked.

    The short way to one document; for several documents of a record use `kzdocs.prepare`,
    which validates and signs once. A signer signs the XML (and the PDF where it can) at
    `signed_at`, by default now; pin it for reproducible signed output. `as_="application"`
    renders an issued licence or permit as its applicant's form (`kzdocs.as_application`). Raises
    `ValidationError` listing every broken rule, `UnsupportedFormatError` for an unknown
    language or format.
    """
    from kzdocs.prepared import prepare  # the prepared record builds on this module's parts

    check_output(lang, format)
    prepared = prepare(record, config=config, signer=signer, signed_at=signed_at, as_=as_)
    return prepared.render(lang, format)


def check_output(lang: str, format: str) -> None:
    """Refuse an unknown language or format before any work is done."""
    check_lang(lang)
    if format not in FORMATS:
        raise UnsupportedFormatError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")


def metadata(
    document: Document, lang: str, config: Config, xml: bytes = b"", html: str = ""
) -> Metadata:
    """Title, author, dates and identifier of a document, all derived from the record; the title
    is the rendered page's (`html`), so it is the template's wording."""
    form = document.form
    if not form.issued:  # an application or a permit draft is the applicant's
        author = document.applicant.name[lang]
    elif form.family == "refusal":
        author = config.issuer.ministry[lang]
    else:
        author = config.issuer.committee[lang]
    title = page_title(html or render_html(document, lang, config=config))
    return Metadata(
        title=title,
        lang=lang,
        author=author,
        subject=title,
        keywords=(document.kind, "Order 51-НҚ"),
        created=document_time(document),
        identifier=hashlib.sha256(xml or document.model_dump_json().encode()).digest(),
    )


def document_time(document: Document) -> datetime:
    """The document date as a moment: midnight Astana time, so output never depends on 'now'."""
    return datetime.combine(document.issued_on, time(0, 0), ASTANA)
