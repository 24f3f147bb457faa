"""The pipeline end to end: record → schema → xml → sign → html → pdf | docx.

Each stage lives in its own module; this one only passes data forward between them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import UnsupportedFormatError
from kzdocs.formatting import ASTANA, check_lang  # ASTANA: others read it from here too
from kzdocs.html import page_title, render_html
from kzdocs.schema import Document, validate
from kzdocs.xml import to_xml, validate_xml

if TYPE_CHECKING:
    from kzdocs.sign import Signature
    from kzdocs.sign.base import Signer

# The PDF and DOCX stages load WeasyPrint and python-docx: imported when a document needs them.

FORMATS = ("html", "xml", "pdf", "docx")


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
) -> bytes:
    """A record rendered as one document: validated, in the language and format asked.

    A signer signs the XML (and the PDF where it can) at `signed_at`, by default now; pin it for
    reproducible signed output. Raises `ValidationError` listing every broken rule,
    `UnsupportedFormatError` for an unknown language or format.
    """
    check_output(lang, format)
    document = validate(record, config)
    xml, signature = _xml_stage(document, format, signer, signed_at)
    if format == "xml":
        return xml
    html = render_html(document, lang, config=config, signature=signature)
    if format == "html":
        return html.encode("utf-8")
    meta = metadata(document, lang, config, xml, html)
    if format == "pdf":
        return _pdf_stage(html, meta, xml, signer, signature)
    from kzdocs.docx import render_docx

    return render_docx(html, meta)


def check_output(lang: str, format: str) -> None:
    """Refuse an unknown language or format before any work is done."""
    check_lang(lang)
    if format not in FORMATS:
        raise UnsupportedFormatError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")


def _xml_stage(
    document: Document,
    format: str,
    signer: Signer | None,
    signed_at: datetime | None,
) -> tuple[bytes, Signature | None]:
    if format in ("html", "docx") and signer is None:
        return b"", None  # nothing downstream needs the XML
    xml = to_xml(document)
    validate_xml(xml, document.kind)  # before signing: a WS-Security signer wraps it in SOAP
    if signer is None:
        return xml, None
    signed, signature = signer.sign_xml(xml, signed_at=signed_at or datetime.now(UTC))
    from kzdocs.sign.record import check_signed_record

    # A signer may be an outside program or server: what it returns is checked, not trusted.
    check_signed_record(xml, signed, source=f"signer {signer.name!r}")
    return signed, signature


def _pdf_stage(
    html: str, meta: Metadata, xml: bytes, signer: Signer | None, signature: Signature | None
) -> bytes:
    from kzdocs.pdf import render_pdf

    pdf = render_pdf(html, meta=meta, xml=xml)
    if signer is not None and getattr(signer, "can_sign_pdf", False) and signature is not None:
        pdf = signer.sign_pdf(pdf, signed_at=signature.signed_at)
    return pdf


def metadata(
    document: Document, lang: str, config: Config, xml: bytes = b"", html: str = ""
) -> Metadata:
    """Title, author, dates and identifier of a document, all derived from the record; the title
    is the rendered page's (`html`), so it is the template's wording."""
    form = document.form
    author = (
        config.issuer.ministry[lang] if form.family == "refusal" else config.issuer.committee[lang]
    )
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
