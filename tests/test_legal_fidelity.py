"""Issue 15, the second legal reading: each change checked on the text a reader gets from the
HTML, the PDF and the DOCX, in Kazakh and in Russian."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from kzdocs import render
from kzdocs.docx import docx_text, html_text, parse_html
from kzdocs.sign import KeyMaterial, LocalKeySigner
from kzdocs.sign.certs import certificate_info

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LANGS = ("kk", "ru")
FORMATS = ("html", "pdf", "docx")
PAGE_NUMBER = re.compile(r"— \d+ —")
TITLES = {
    "license-export-wheat": {
        "kk": "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ЭКСПОРТЫНА ЛИЦЕНЗИЯ",
        "ru": "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ",
    },
    "permit-import-ammonium-nitrate": {
        "kk": "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІН ИМПОРТТАУҒА РҰҚСАТ БЕРУ",
        "ru": "РАЗРЕШЕНИЕ НА ИМПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ",
    },
}
COMMITTEE = {
    "kk": "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА КОМИТЕТІ",
    "ru": "КОМИТЕТ ТОРГОВЛИ МИНИСТЕРСТВА ТОРГОВЛИ И ИНТЕГРАЦИИ РЕСПУБЛИКИ КАЗАХСТАН",
}


def record(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _one_line(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _issued(name: str, cn: str, key, issuer: x509.Name, signing_key, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), *name]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


@cache
def production_like_key() -> KeyMaterial:
    """A key whose certificate an authority issued and which no word marks as a test one."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)")]
    )
    ca = _issued([], "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)", ca_key, ca_name, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = [x509.NameAttribute(NameOID.SERIAL_NUMBER, "IIN900115300013")]
    leaf = _issued(serial, "ИВАНОВ ИВАН", key, ca.subject, ca_key, ca=False)
    return KeyMaterial(key, leaf, (ca,))


def _signer(signed: str):
    if signed == "test":
        return LocalKeySigner(FIXTURES / "sign" / "dev-rsa.p12", "test")
    return LocalKeySigner(production_like_key()) if signed == "real" else None


@cache
def texts(name: str, lang: str, signed: str = "") -> dict[str, str]:
    """The text of a rendering of a fixture in each format, whitespace made single; `signed`:
    '' unsigned, 'test' with the dev test key, 'real' with a certificate that is not a test one."""
    data, signer = record(name), _signer(signed)
    out = {
        fmt: render(data, lang=lang, format=fmt, signer=signer, signed_at=datetime.now(UTC))
        for fmt in FORMATS
    }
    pdf = PdfReader(io.BytesIO(out["pdf"]))
    return {
        "html": _one_line(html_text(parse_html(out["html"].decode()))),
        "pdf": _one_line(PAGE_NUMBER.sub(" ", " ".join(p.extract_text() for p in pdf.pages))),
        "docx": _one_line(docx_text(out["docx"])),
    }


# -- 1. the equivalence footer only where it is true ----------------------------------------------

EQUIVALENT = {
    "kk": "Осы құжат «Электрондық құжат және электрондық цифрлық қолтаңба туралы» Қазақстан "
    "Республикасының 2003 жылғы 7 қаңтардағы N 370-II Заңы 7 бабының 1 тармағына сәйкес қағаз "
    "тасығыштағы құжатпен маңызы бірдей.",
    "ru": "Данный документ согласно пункту 1 статьи 7 ЗРК от 7 января 2003 года № 370-II «Об "
    "электронном документе и электронной цифровой подписи» равнозначен документу на бумажном "
    "носителе.",
}
NO_FORCE = {
    ("kk", ""): "Осы құжаттың заңды күші жоқ: оған электрондық цифрлық қолтаңба қойылмаған.",
    ("ru", ""): "Данный документ не имеет юридической силы: он не подписан электронной цифровой "
    "подписью.",
    ("kk", "test"): "Осы құжаттың заңды күші жоқ: ол тестілік сертификатпен қол қойылған.",
    ("ru", "test"): "Данный документ не имеет юридической силы: он подписан тестовым сертификатом.",
}
EQUIVALENCE_WORDS = {"kk": "маңызы бірдей", "ru": "равнозначен"}
SIGNINGS = ("", "test", "real")


def test_the_production_like_certificate_is_not_a_test_one_and_the_dev_key_is():
    assert certificate_info(production_like_key().certificate).test_certificate is False
    assert _signer("test").material.info.test_certificate is True


# A signed PDF takes a second or two (its QR codes): the refusal shares the footer's layout, so
# its unsigned rendering stands for the rest.
FOOTER_CASES = [("license-export-wheat", s) for s in SIGNINGS] + [("refusal-one-ground", "")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "signed"), FOOTER_CASES)
def test_the_footer_claims_equivalence_only_under_a_real_signature(name, signed, lang, fmt):
    text = texts(name, lang, signed)[fmt]
    if signed == "real":
        assert text.endswith(EQUIVALENT[lang])
        assert "заңды күші жоқ" not in text and "юридической силы" not in text
    else:
        assert text.endswith(NO_FORCE[lang, signed])
        assert EQUIVALENCE_WORDS[lang] not in text


# -- 7. a mark for unsigned documents that no one can take for the permit draft form ------------

MARK = {"kk": "ҚОЛ ҚОЙЫЛМАҒАН", "ru": "НЕ ПОДПИСАН"}
DRAFT_WORDS = re.compile(r"\b(ЖОБА|жобасы|ПРОЕКТ|[Пп]роект)\w*")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "name", ["license-export-wheat", "permit-export-flour", "refusal-one-ground"]
)
def test_an_unsigned_document_is_marked_not_signed_and_never_draft(name, lang, fmt):
    unsigned = texts(name, lang)[fmt]
    assert MARK[lang] in unsigned
    assert DRAFT_WORDS.findall(unsigned) == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("signed", ["test", "real"])
def test_a_signed_document_carries_no_mark(signed, lang, fmt):
    assert MARK[lang] not in texts("license-export-wheat", lang, signed)[fmt]
