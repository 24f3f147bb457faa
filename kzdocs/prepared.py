"""A record prepared once, rendered many times: every language and format of it from one
validated Document, one canonical XML (built and XSD-checked once) and one signature.

`prepare()` does the work every document of a record shares; `PreparedRecord` then gives the
HTML of a language (computed once and kept), the PDF, the DOCX and the XML. Every format and
language carries the very same signed XML, which matters for signers whose signatures are
randomised (ECDSA) or that count each call (NCANode, the `command` signer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kzdocs.config import DEFAULT, Config
from kzdocs.html import render_html
from kzdocs.pairs import document_as
from kzdocs.records import load_record, parse_record
from kzdocs.render import FORMATS, Metadata, check_output, metadata
from kzdocs.schema import Document
from kzdocs.xml import to_xml, validate_xml

if TYPE_CHECKING:
    from kzdocs.sign import Signature
    from kzdocs.sign.base import Signer

RecordInput = Mapping[str, Any] | Document | str | bytes | os.PathLike[str]


def prepare(
    record: RecordInput,
    *,
    config: Config = DEFAULT,
    signer: Signer | None = None,
    signed_at: datetime | None = None,
    as_: str | None = None,
) -> PreparedRecord:
    """Validate a record and, with a signer, sign its XML once, at `signed_at` (default now).

    `record` is a dict, a Document, JSON text (str or bytes) or the path of a JSON file.
    `as_="application"` prepares an issued licence or permit as its applicant's application
    or permit draft (`kzdocs.as_application`). Raises `ValidationError` listing every broken
    rule, `RecordFileError` for JSON that cannot be read, `SigningError` when the signer fails,
    returns another record or, on an applicant's form, is not the applicant's key.
    """
    document = document_as(_record_of(record), as_, config)
    if signer is None:
        return PreparedRecord(document, config)
    xml, signature = _signed_xml(document, signer, signed_at or datetime.now(UTC))
    return PreparedRecord(document, config, signer, signature, xml)


@dataclass(frozen=True, eq=False)
class PreparedRecord:
    """Everything the documents of one record share; make one with `prepare()`.

    Picklable (to ship to a worker process) when its signer is. The HTML of each language is
    computed on first use and kept; PDF and DOCX are made on each call.
    """

    document: Document
    config: Config = DEFAULT
    signer: Signer | None = None
    signature: Signature | None = None  # None: unsigned, every document is a draft
    signed_xml: bytes | None = field(default=None, repr=False)  # what the signer returned
    _html: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def xml(self) -> bytes:
        """The record's XML: as signed, or the canonical unsigned XML, checked against the XSD."""
        return self.signed_xml if self.signed_xml is not None else checked_xml(self.document)

    def html(self, lang: str) -> str:
        """The document in a language as HTML (computed once per language)."""
        check_output(lang, "html")
        if lang not in self._html:
            self._html[lang] = render_html(
                self.document, lang, config=self.config, signature=self.signature
            )
        return self._html[lang]

    def metadata(self, lang: str) -> Metadata:
        """Title, author, dates and identifier for the PDF and DOCX properties."""
        return metadata(self.document, lang, self.config, self.xml, self.html(lang))

    def pdf(self, lang: str) -> bytes:
        """The PDF/A-3 with the XML embedded; signed too when the signer can sign PDFs."""
        from kzdocs.pdfahead import render_pdf_ahead

        pdf = render_pdf_ahead(self.html(lang), meta=self.metadata(lang), xml=self.xml)
        if self.signature is None or not getattr(self.signer, "can_sign_pdf", False):
            return pdf()
        # While an engine started ahead renders it, what signs it is loaded here.
        getattr(self.signer, "prepare_pdf_signing", lambda: None)()
        return self.signer.sign_pdf(pdf(), signed_at=self.signature.signed_at)

    def docx(self, lang: str) -> bytes:
        """The DOCX, built from the same HTML."""
        from kzdocs.docx import render_docx

        return render_docx(self.html(lang), self.metadata(lang))

    def render(self, lang: str = "kk", format: str = "html") -> bytes:
        """One document's bytes; XML is the same in every language."""
        check_output(lang, format)
        if format == "xml":
            return self.xml
        if format == "html":
            return self.html(lang).encode("utf-8")
        return self.pdf(lang) if format == "pdf" else self.docx(lang)

    def documents(
        self, langs: Sequence[str], formats: Sequence[str] = FORMATS
    ) -> Iterator[tuple[str | None, str, bytes]]:
        """`(lang, format, bytes)` for every format × language asked, format by format; the XML
        once, with `lang` None."""
        for lang in langs:
            for format in formats:
                check_output(lang, format)  # all refused before any work
        for format in formats:
            if format == "xml":
                yield None, format, self.xml
            else:
                for lang in langs:
                    yield lang, format, self.render(lang, format)


def checked_xml(document: Document) -> bytes:
    """The canonical XML of a Document, checked against its kind's XSD."""
    xml = to_xml(document)
    validate_xml(xml, document.kind)
    return xml


def _signed_xml(
    document: Document, signer: Signer, signed_at: datetime
) -> tuple[bytes, Signature | None]:
    from kzdocs.sign.record import check_signed_record

    xml = checked_xml(document)  # before signing: a WS-Security signer wraps it in SOAP
    signed, signature = signer.sign_xml(xml, signed_at=signed_at)
    # A signer may be an outside program or server: what it returns is checked, not trusted.
    check_signed_record(xml, signed, source=f"signer {signer.name!r}")
    _check_applicant_signer(document, signature)
    return signed, signature


def _check_applicant_signer(document: Document, signature: Signature | None) -> None:
    """An application or draft is signed with the applicant's own key (kzdocs.sign.applicant);
    refused here, before a document exists, so that none is made with another's key."""
    from kzdocs.errors import ApplicantKeyError
    from kzdocs.forms import SIGNED_BY_APPLICANT
    from kzdocs.sign.applicant import applicant_mismatch

    if signature is None or document.kind not in SIGNED_BY_APPLICANT:
        return  # unsigned (a draft, whoever asked for it), or the issuer's transport signature
    problem = applicant_mismatch(document.kind, document.applicant.id, signature)
    if problem:
        raise ApplicantKeyError(problem)


def _record_of(record: RecordInput) -> Any:
    if isinstance(record, os.PathLike):
        return load_record(record)
    if isinstance(record, str | bytes):
        return parse_record(record)
    return record
