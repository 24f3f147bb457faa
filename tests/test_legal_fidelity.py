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
from legal_wording import EQUIVALENT, NO_FORCE
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
    """A fixture, or a variant of one (VARIANTS)."""
    base, changes = VARIANTS.get(name, (name, {}))
    return {**json.loads((FIXTURES / f"{base}.json").read_text(encoding="utf-8")), **changes}


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


# -- 2. the refusal cites its legal basis, ground by ground -------------------------------------

RULES_LINE = {
    "kk": "«Тауарлардың жекелеген түрлерінің импортына және (немесе) экспортына лицензия беру» "
    "мемлекеттік қызметті көрсету қағидаларының (Қазақстан Республикасы Сауда және интеграция "
    "министрінің 2020 жылғы 16 наурыздағы № 51-НҚ бұйрығымен бекітілген, бұдан әрі — "
    "Қағидалар) 7-тармағы бойынша:",
    "ru": "по пункту 7 Правил оказания государственной услуги «Выдача лицензии на импорт и (или) "
    "экспорт отдельных видов товаров», утвержденных приказом Министра торговли и интеграции "
    "Республики Казахстан от 16 марта 2020 года № 51-НҚ (далее — Правила):",
}
SUBPARAGRAPH = {"kk": "Қағидалардың 7-тармағының {0}) тармақшасы",
                "ru": "Подпункт {0}) пункта 7 Правил"}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
def test_each_ground_of_refusal_cites_its_subparagraph_of_clause_7(lang, fmt):
    text = texts("refusal-several-grounds", lang)[fmt]
    assert RULES_LINE[lang] in text
    for code in (1, 3, 6):  # the grounds the fixture cites
        assert SUBPARAGRAPH[lang].format(code) in text
    assert SUBPARAGRAPH[lang].format(2) not in text


# -- 5. official country and currency names -----------------------------------------------------

FORBIDDEN = ("казахский тенге", "Киргизия", "киргизский")
EAEU = {"AM", "BY", "KG", "KZ", "RU"}
NEIGHBOURS = {"CN", "KG", "RU", "TM", "UZ"}
MAIN_PARTNERS = {"AE", "CH", "CN", "DE", "FR", "GB", "IN", "IT", "JP", "KR", "NL", "RU", "TR", "US"}
VARIANTS = {
    "wheat-to-kyrgyzstan": (
        "license-export-wheat",
        {"route_country": "KG", "counterparty_country": "KG", "currency": "KZT"},
    ),
}


def test_no_country_or_currency_the_renderer_can_name_reads_as_cldr_does():
    from kzdocs import classifiers, formatting

    for lang in LANGS:
        names = [formatting.country(c, lang) for c in sorted(classifiers.countries())]
        names += [formatting.currency(c, lang) for c in sorted(classifiers.currencies())]
        for word in FORBIDDEN:
            assert [n for n in names if word.lower() in n.lower()] == [], word


def test_the_override_table_covers_the_eaeu_neighbours_partners_and_fixture_currencies():
    from kzdocs import classifiers

    table = classifiers.official_names()
    countries = {code for kind, code in table if kind == "country"}
    currencies = {code for kind, code in table if kind == "currency"}
    assert EAEU | NEIGHBOURS | MAIN_PARTNERS <= countries <= classifiers.countries()
    used = {
        record(p.stem)["currency"] for p in FIXTURES.glob("*.json") if "currency" in record(p.stem)
    }
    assert used | {"KZT", "BYN", "AMD", "KGS"} <= currencies <= classifiers.currencies()
    assert all(name.source.strip() and name.name.kk and name.name.ru for name in table.values())


def test_every_override_is_recorded_in_the_ledger_with_its_names():
    from kzdocs import classifiers

    ledger = (FIXTURES.parent / "docs" / "forms-ledger.md").read_text(encoding="utf-8")
    rows = [line for line in ledger.splitlines() if line.startswith("| ")]
    for (_, code), name in classifiers.official_names().items():
        assert any(
            f"| {code} |" in row and name.name.kk in row and name.name.ru in row for row in rows
        ), code


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("lang", "country", "currency"),
    [("kk", "Қырғызстан (KG)", "теңге (KZT)"), ("ru", "Кыргызстан (KG)", "тенге (KZT)")],
)
def test_a_document_names_kyrgyzstan_and_the_tenge_officially(lang, country, currency, fmt):
    text = texts("wheat-to-kyrgyzstan", lang)[fmt]
    assert f"7. Межелі ел {country}" in text or f"7. Страна назначения {country}" in text
    assert currency in text
    assert all(word.lower() not in text.lower() for word in FORBIDDEN)


# -- 6. «N-қосымша» is never broken -------------------------------------------------------------

CAPTIONS = {
    "license-export-wheat": ("5-қосымша", "Приложение 5 к Правилам"),
    "license-import-alcohol": ("6-қосымша", "Приложение 6 к Правилам"),
    "permit-export-flour": ("5-қосымша", "Приложение 5 к Правилам"),
    "permit-import-ammonium-nitrate": ("4-қосымша", "Приложение 4 к Правилам"),
    "refusal-one-ground": ("4-қосымша", "Приложение 4 к Правилам"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(CAPTIONS))
def test_the_appendix_number_reads_whole_in_every_format(name, fmt):
    kk, ru = CAPTIONS[name]
    assert f"қағидаларына {kk} нысан" in texts(name, "kk")[fmt]
    assert kk.replace("-", "") not in texts(name, "kk")[fmt]
    assert ru in texts(name, "ru")[fmt]


def test_the_appendix_number_is_one_unbreakable_word_in_html_and_docx():
    import zipfile

    data = record("license-export-wheat")
    html = render(data, lang="kk", format="html").decode()
    assert '<span class="nowrap">5-қосымша</span>' in html
    assert ".nowrap {\n  white-space: nowrap;\n}" in html
    docx = render(data, lang="kk", format="docx")
    body = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "<w:t>5</w:t><w:noBreakHyphen/><w:t>қосымша</w:t>" in body


def test_the_shipped_fonts_draw_every_character_of_the_captions():
    from kzdocs.fonts import unprintable

    for kk, ru in CAPTIONS.values():
        assert unprintable(kk + ru) == ""


# -- 8. strict languages ------------------------------------------------------------------------

ONE_STRING = {
    "goods": {"hs_code": "2207100000", "description": "Спирт этиловый ректификованный"},
    "additional_info": "Ввоз железнодорожным транспортом",
    "basis": [{"kk": "Лицензия № 1", "ru": "Лицензия № 1"}, "Заключение № 03-1147"],
}
MONOLINGUAL = [
    (15, "goods.description"),
    (16, "additional_info"),
    (17, "basis[1]"),
]


def _strict_errors(data: dict) -> list:
    from kzdocs.config import Config
    from kzdocs.errors import ValidationError
    from kzdocs.schema import validate

    with pytest.raises(ValidationError) as caught:
        validate(data, Config(strict_languages=True))
    return caught.value.errors


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_gives_both_languages(path):
    from kzdocs.config import Config
    from kzdocs.schema import validate

    validate(record(path.stem), Config(strict_languages=True))


def test_strict_languages_names_each_field_given_one_string():
    data = {**record("license-import-alcohol"), **ONE_STRING}
    errors = _strict_errors(data)
    assert [(e.field, e.path, e.rule) for e in errors] == [
        (field, path, "text_languages_required") for field, path in MONOLINGUAL
    ]
    assert "kk and ru" in errors[0].describe("en") and "'Спирт этиловый" in errors[0].describe("en")


def test_strict_languages_covers_ground_details_and_the_position_but_not_names():
    refusal = record("refusal-one-ground")
    refusal["grounds"] = [{"code": 1, "details": "Нет подписей"}]
    refusal["recipient"] = {**refusal["recipient"], "name": "ТОО «Астык»"}
    assert [e.path for e in _strict_errors(refusal)] == ["grounds[0].details"]
    permit = record("permit-export-flour")
    permit["authorized_person"] = {**permit["authorized_person"], "position": "Директор"}
    assert [e.path for e in _strict_errors(permit)] == ["authorized_person.position"]


def test_a_document_made_leniently_is_checked_again_under_strict_languages():
    from kzdocs.schema import validate

    document = validate({**record("license-import-alcohol"), **ONE_STRING})
    assert [e.path for e in _strict_errors(document)] == [path for _, path in MONOLINGUAL]


@pytest.mark.parametrize("how", ["flag", "config"])
def test_strict_languages_from_the_command_line_and_the_configuration(how, tmp_path, capsys):
    from kzdocs.cli import main

    path = tmp_path / "alcohol.json"
    path.write_text(json.dumps({**record("license-import-alcohol"), **ONE_STRING}), "utf-8")
    config = tmp_path / "strict.json"
    config.write_text('{"strict_languages": true}', "utf-8")
    strict = ["--strict-languages"] if how == "flag" else ["--config", str(config)]
    assert main(["validate", str(path)]) == 0
    assert main([*strict, "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "field 15" in out and "goods.description" in out and "basis[1]" in out
    assert main([*strict, "render", str(path), "-o", str(tmp_path / "a.html")]) == 1
    assert not (tmp_path / "a.html").exists()


def test_a_configuration_whose_strict_languages_is_not_a_boolean_is_refused(tmp_path):
    from kzdocs.config import load_config
    from kzdocs.errors import ConfigError

    config = tmp_path / "strict.json"
    config.write_text('{"strict_languages": "yes"}', "utf-8")
    with pytest.raises(ConfigError, match="strict_languages: must be true or false"):
        load_config(config)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_kazakh_documents_of_the_fixtures_hold_no_russian_text(fmt):
    alcohol = texts("license-import-alcohol", "kk")[fmt]
    assert "Тағамдық шикізаттан алынған «Люкс» ректификатталған этил спирті" in alcohol
    assert "Спирт этиловый" not in alcohol and "Ввоз" not in alcohol and "Заключение" not in alcohol
    refusal = texts("refusal-several-grounds", "kk")[fmt]
    assert "Лицензия на хранение" not in refusal
    assert "лицензияның қолданылуы 02.03.2026 бастап тоқтатыла тұрды" in refusal
    assert "Спирт этиловый" in texts("license-import-alcohol", "ru")[fmt]
