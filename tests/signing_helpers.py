"""Shared inputs of the signing tests: the committed test keys, a real record's XML, a PDF/A-3b."""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from kzdocs.config import DEFAULT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KEYS = {"rsa": FIXTURES / "sign" / "dev-rsa.p12", "ec": FIXTURES / "sign" / "dev-ec.p12"}
PASSWORD = "test"
ASTANA = timezone(timedelta(hours=5))
SIGNED_AT = datetime(2026, 3, 2, 10, 30, tzinfo=ASTANA)


def signer(key: str = "rsa", **options: object):
    from kzdocs.sign.signers import LocalKeySigner

    return LocalKeySigner(KEYS[key], PASSWORD, **options)


@cache
def record_xml(name: str = "license-export-wheat") -> bytes:
    from kzdocs.schema import validate
    from kzdocs.xml import to_xml

    return to_xml(validate(json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))))


@cache
def pdfa(xml: bytes) -> bytes:
    """A small PDF/A-3b carrying `xml` as its associated file, made by the PDF stage."""
    from kzdocs.pdf import PdfMeta, render_pdf

    html = (
        "<!DOCTYPE html><html lang='kk'><head><meta charset='utf-8'><title>Лицензия</title></head>"
        "<body><p>Лицензия № 01KZ260010000123 — Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі</p></body></html>"
    )
    meta = PdfMeta(
        title="Лицензия № 01KZ260010000123",
        lang="kk",
        author="ҚР СІМ",
        created=datetime(2026, 3, 2, tzinfo=ASTANA),
        identifier=xml,
    )
    with quiet_weasyprint():
        return render_pdf(html, meta=meta, xml=xml)


@contextmanager
def quiet_weasyprint() -> Iterator[None]:
    """WeasyPrint 70 leaves its sRGB profile file open (upstream); drop that one warning here,
    where it happens, instead of in whichever test the garbage collector runs next."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"unclosed file.*sRGB2014\.icc", category=ResourceWarning
        )
        yield
        gc.collect()


@cache
def signed_document(
    name: str = "license-export-wheat", lang: str = "kk", key: str = "rsa", wsse: bool = False
) -> tuple[bytes, bytes]:
    """A fixture record as a real kzdocs PDF before and after its PAdES signature, made once
    per test session (signing and rendering cost ~0.1 s and ~1.5 s with QR codes)."""
    from kzdocs.html import render_html
    from kzdocs.pdf import render_pdf
    from kzdocs.render import metadata
    from kzdocs.schema import validate

    document = validate(json.loads((FIXTURES / f"{name}.json").read_text("utf-8")))
    local = signer(key, wsse=wsse)
    xml, signature = local.sign_xml(record_xml(name), signed_at=SIGNED_AT)
    html = render_html(document, lang, signature=signature)
    with quiet_weasyprint():
        unsigned = render_pdf(html, meta=metadata(document, lang, DEFAULT, xml), xml=xml)
    return unsigned, local.sign_pdf(unsigned, signed_at=SIGNED_AT)
