"""The schema stage: every rule of the record contract, on real fixture files."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kzdocs.config import Config
from kzdocs.errors import FieldError, ValidationError
from kzdocs.forms import FIELD_OF_KEY, KINDS
from kzdocs.schema import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VALID = sorted(FIXTURES.glob("*.json"))
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))
RECORD_DOC = ROOT / "docs" / "record.md"

# Each invalid fixture and exactly the errors it yields: (form field, path, rule).
BROKEN: dict[str, list[tuple[int | None, str, str]]] = {
    "all-at-once": [
        (1, "number", "number_format"),
        (2, "valid_to", "period_length"),
        (7, "route_country", "country_code"),
        (9, "currency", "currency_code"),
        (15, "goods.hs_code", "hs_code_format"),
    ],
    "amount_decimals": [(11, "statistical_value", "amount_decimals")],
    "amount_decimals--json-number": [(10, "value", "amount_decimals")],
    "amount_format--boolean": [(10, "value", "amount_format")],
    "amount_format--grouped": [(10, "value", "amount_format")],
    "amount_negative": [(10, "value", "amount_negative")],
    "amount_negative--minus-zero": [(10, "value", "amount_negative")],
    "amount_too_large": [(11, "statistical_value", "amount_too_large")],
    "bin_iin_checksum": [(5, "applicant.id", "bin_iin_checksum")],
    "bin_iin_checksum--iin": [(5, "applicant.id", "bin_iin_checksum")],
    "bin_iin_checksum--refusal": [(None, "recipient.id", "bin_iin_checksum")],
    "bin_iin_checksum--still-ten": [(5, "applicant.id", "bin_iin_checksum")],
    "bin_iin_format--eleven-digits": [(5, "applicant.id", "bin_iin_format")],
    "bin_iin_format--fifth-digit": [(5, "applicant.id", "bin_iin_format")],
    "bin_iin_format--number": [(5, "applicant.id", "bin_iin_format")],
    "contract_required": [(4, "contract", "contract_required")],
    "contract_required--null": [(4, "contract", "contract_required")],
    "contract_required--permit": [(4, "contract", "contract_required")],
    "country_code--kosovo": [(8, "counterparty_country", "country_code")],
    "country_code--lowercase": [(12, "origin_country", "country_code")],
    "country_code--soviet-union": [(7, "route_country", "country_code")],
    "currency_code--rur": [(9, "currency", "currency_code")],
    "date_after_document--application": [(None, "application.date", "date_after_document")],
    "date_after_document--authorized-person": [
        (17, "authorized_person.date", "date_after_document")
    ],
    "date_after_document--contract": [(4, "contract.date", "date_after_document")],
    "date_format": [(18, "issued_on", "date_format")],
    "string_unicode": [(16, "additional_info", "string_unicode")],
    "date_invalid": [(2, "valid_to", "date_invalid")],
    "date_range": [(2, "valid_from", "date_range")],
    "grounds_repeated": [(None, "grounds", "grounds_repeated")],
    "hs_code_chapter--00": [(15, "goods.hs_code", "hs_code_chapter")],
    "hs_code_chapter--77": [(15, "goods.hs_code", "hs_code_chapter")],
    "hs_code_chapter--98": [(15, "goods.hs_code", "hs_code_chapter")],
    "hs_code_chapter--99": [(15, "goods.hs_code", "hs_code_chapter")],
    "hs_code_format": [(15, "goods.hs_code", "hs_code_format")],
    "hs_code_format--number": [(15, "goods.hs_code", "hs_code_format")],
    "integer_type--ground-boolean": [(None, "grounds[0].code", "integer_type")],
    "integer_type--ground-code": [(None, "grounds[0].code", "integer_type")],
    "kind": [(None, "kind", "kind")],
    "kind--not-a-string": [(None, "kind", "kind")],
    "list_type--basis": [(17, "basis", "list_type")],
    "number_format--licence": [(1, "number", "number_format")],
    "number_format--permit": [(1, "number", "number_format")],
    "object_type": [(None, "", "object_type")],
    "object_type--applicant": [(5, "applicant", "object_type")],
    "one_of--license-type": [(3, "license_type", "one_of")],
    "one_of--service": [(None, "service", "one_of")],
    "period_length--general": [(2, "valid_to", "period_length")],
    "period_length--one-time": [(2, "valid_to", "period_length")],
    "period_order": [(2, "valid_to", "period_order")],
    "phone_format": [(17, "authorized_person.phone", "phone_format")],
    "quantity_decimals": [(13, "quantity", "quantity_decimals")],
    "quantity_decimals--supplementary": [
        (13, "supplementary_quantity.quantity", "quantity_decimals")
    ],
    "quantity_format--boolean": [(13, "quantity", "quantity_format")],
    "quantity_positive": [(13, "quantity", "quantity_positive")],
    "quantity_positive--json-number": [(13, "quantity", "quantity_positive")],
    "quantity_too_large": [(13, "quantity", "quantity_too_large")],
    "range--ground-code": [(None, "grounds[0].code", "range")],
    "range--ground-zero": [(None, "grounds[0].code", "range")],
    "reference_format": [(4, "contract.number", "reference_format")],
    "required--authorized-person": [(17, "authorized_person", "required")],
    "required--basis": [(17, "basis", "required")],
    "required--goods": [(15, "goods", "required")],
    "required--kind": [(None, "kind", "required")],
    "required--license-type": [(3, "license_type", "required")],
    "text_control_chars": [(16, "additional_info", "text_control_chars")],
    "text_invisible_chars": [(6, "counterparty.name", "text_invisible_chars")],
    "text_empty": [(6, "counterparty.name", "text_empty")],
    "text_empty--localized": [(6, "counterparty.address", "text_empty")],
    "text_languages--extra-key": [(5, "applicant.name", "text_languages")],
    "text_languages--missing-ru": [(15, "goods.description", "text_languages")],
    "text_too_long": [(15, "goods.description", "text_too_long")],
    "text_unprintable": [(6, "counterparty.name", "text_unprintable")],
    "text_type": [(16, "additional_info", "text_type")],
    "too_few--basis": [(17, "basis", "too_few")],
    "too_few--grounds": [(None, "grounds", "too_few")],
    "too_many--basis": [(17, "basis", "too_many")],
    "unit_code": [(14, "unit", "unit_code")],
    "unit_code--supplementary": [(13, "supplementary_quantity.unit", "unit_code")],
    "unknown_key--ground": [(None, "grounds[0].article", "unknown_key")],
    "unknown_key--license-type-on-permit": [(3, "license_type", "unknown_key")],
    "unknown_key--nested": [(5, "applicant.phone", "unknown_key")],
    "unknown_key--top-level": [(None, "signature", "unknown_key")],
    # The applicant's forms: an application (person in field 18), a permit draft (in 17).
    "number_format--application": [(1, "number", "number_format")],
    "number_format--permit-draft": [(1, "number", "number_format")],
    "required--authorized-person--application": [(18, "authorized_person", "required")],
    "required--authorized-person--permit-draft": [(17, "authorized_person", "required")],
    "phone_format--application": [(18, "authorized_person.phone", "phone_format")],
    "date_after_document--application-person": [
        (18, "authorized_person.date", "date_after_document")
    ],
    "contract_required--permit-draft": [(4, "contract", "contract_required")],
    "contract_required--application": [(4, "contract", "contract_required")],
    "required--basis--application": [(17, "basis", "required")],
    "required--license-type--application": [(3, "license_type", "required")],
    "unknown_key--license-type-on-permit-draft": [(3, "license_type", "unknown_key")],
    "period_length--application": [(2, "valid_to", "period_length")],
}

# Rules no record alone can break: they need a configuration (tested below).
CONFIGURED_RULES = {"number_pattern", "text_languages_required"}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _fixture(name: str) -> dict[str, Any]:
    return _load(FIXTURES / f"{name}.json")


def _errors(record: Any, config: Config | None = None) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        validate(record) if config is None else validate(record, config)
    return caught.value.errors


def _where(record: Any, config: Config | None = None) -> list[tuple[int | None, str, str]]:
    return [(e.field, e.path, e.rule) for e in _errors(record, config)]


def _documented_rules() -> set[str]:
    text = RECORD_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Rules\n", 1)[1]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))


# --- invalid records ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), sorted(BROKEN.items()))
def test_invalid_fixture_breaks_exactly_its_rules(name, expected):
    record = _load(FIXTURES / "invalid" / f"{name}.json")
    assert _where(record) == expected
    if len(expected) == 1:
        assert name.split("--")[0] == expected[0][2]  # the file is named after its rule


def test_every_invalid_fixture_has_its_expected_errors():
    assert sorted(path.stem for path in INVALID) == sorted(BROKEN)


def test_a_record_breaking_five_rules_gets_five_errors():
    errors = _errors(_load(FIXTURES / "invalid" / "all-at-once.json"))
    assert len(errors) == 5
    assert [e.field for e in errors] == [1, 2, 7, 9, 15]


def test_every_documented_rule_has_an_invalid_fixture():
    broken = {rule for expected in BROKEN.values() for _, _, rule in expected}
    assert _documented_rules() - CONFIGURED_RULES == broken


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_messages_quote_the_broken_value(name):
    for error in _errors(_load(FIXTURES / "invalid" / f"{name}.json")):
        assert error.message
        if error.value is not None and error.rule != "unknown_key":
            assert "got " in error.message, error


def test_message_states_the_rule_and_the_value():
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["hs_code"] = "10019900"
    (error,) = _errors(record)
    assert error.message == "must be 10 digits, got '10019900'"
    assert error.message_kk == "10 цифрдан тұруы керек, берілгені: '10019900'"
    assert error.message_ru == "должно состоять из 10 цифр, получено: '10019900'"
    assert error.describe() == (
        "field 15 (Сыртқы экономикалық қызметтің Бірыңғай тауар номенклатурасы бойынша тауардың "
        "коды және оның сипаттамасы) goods.hs_code: must be 10 digits, got '10019900'"
    )
    assert error.describe("ru") == (
        "графа 15 (Код товара по ТН ВЭД ЕАЭС и его описание) goods.hs_code: "
        "должно состоять из 10 цифр, получено: '10019900'"
    )
    assert error.describe("kk").startswith("15-баған (Сыртқы экономикалық")


def test_error_json_has_the_documented_keys_and_the_form_labels():
    record = dict(_fixture("permit-export-flour"), unit="999")
    (error,) = _errors(record)
    data = error.as_json()
    assert list(data) == [
        *("field", "label_kk", "label_ru", "path", "rule"),
        *("message", "message_kk", "message_ru", "value"),
    ]
    assert data == {
        "field": 14,
        "label_kk": "Өлшем бірлігі",
        "label_ru": "Единица измерения",
        "path": "unit",
        "rule": "unit_code",
        "message": "must be a code of the EAEU classifier of units, got '999'",
        "message_kk": "ЕАЭО өлшем бірліктері сыныптауышының коды болуы керек, берілгені: '999'",
        "message_ru": "должно быть кодом классификатора единиц измерения ЕАЭС, получено: '999'",
        "value": "999",
    }
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_refusal_errors_carry_the_labels_of_its_parts():
    record = dict(_fixture("refusal-one-ground"), service="license-transit")
    (error,) = _errors(record)
    assert (error.field, error.label_kk, error.label_ru) == (
        None,
        "Мемлекеттік қызмет",
        "Государственная услуга",
    )


@pytest.mark.parametrize(
    ("name", "label_ru"),
    [
        ("license-import-alcohol", "Страна отправления"),
        ("permit-export-flour", "Страна назначения"),
    ],
)
def test_field_7_is_labelled_by_direction(name, label_ru):
    (error,) = _errors(dict(_fixture(name), route_country="SU"))
    assert (error.field, error.label_ru) == (7, label_ru)


def test_validation_error_is_a_value_error_listing_every_error():
    with pytest.raises(ValueError, match=r"5 error\(s\) in the record") as caught:
        validate(_load(FIXTURES / "invalid" / "all-at-once.json"))
    assert "field 9 (Келісімшарт валютасы) currency: must be an ISO 4217" in str(caught.value)


# --- rules value by value -----------------------------------------------------------------


@pytest.mark.parametrize("code", ["SU", "XK", "YU", "EU", "UN", "ZZ", "kz", "KAZ", "", 7])
def test_country_codes_cldr_does_not_know_are_refused(code):
    record = dict(_fixture("license-export-wheat"), counterparty_country=code)
    assert _where(record) == [(8, "counterparty_country", "country_code")]


@pytest.mark.parametrize("code", ["KZ", "RU", "CN", "UZ", "KG", "DE", "TR", "AF", "CH", "AU"])
def test_country_codes_of_trade_partners_are_accepted(code):
    record = dict(_fixture("license-export-wheat"), route_country=code)
    assert validate(record).route_country == code


@pytest.mark.parametrize("code", ["RUR", "BYR", "XAU", "usd", "KZ", "DEM"])
def test_currencies_not_in_use_are_refused(code):
    record = dict(_fixture("license-export-wheat"), currency=code)
    assert _where(record) == [(9, "currency", "currency_code")]


@pytest.mark.parametrize("code", ["KZT", "RUB", "USD", "EUR", "CNY", "BYN", "KGS", "UZS"])
def test_currencies_in_use_are_accepted(code):
    assert validate(dict(_fixture("license-export-wheat"), currency=code)).currency == code


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("2026-02-30", "date_invalid"),
        ("2025-02-29", "date_invalid"),
        ("2026-13-01", "date_invalid"),
        ("02.03.2026", "date_format"),
        ("2026/03/02", "date_format"),
        ("20260302", "date_format"),
        ("2026-3-2", "date_format"),
        (20260302, "date_format"),
        ("2101-01-01", "date_range"),
    ],
)
def test_dates_must_be_real_iso_days(raw, rule):
    record = dict(_fixture("license-export-wheat"), issued_on=raw)
    assert (18, "issued_on", rule) in _where(record)


@pytest.mark.parametrize(
    ("key", "raw", "rule"),
    [
        ("value", "1e5", "amount_format"),
        ("value", "+5", "amount_format"),
        ("value", float("nan"), "amount_format"),
        ("value", None, "amount_format"),
        ("value", 0.1 + 0.2, "amount_decimals"),
        ("value", "-0.01", "amount_negative"),
        ("statistical_value", "1.000", "amount_decimals"),
        ("quantity", "0.00000", "quantity_positive"),
        ("quantity", "0.000001", "quantity_decimals"),
        ("quantity", True, "quantity_format"),
        ("quantity", "500 т", "quantity_format"),
    ],
)
def test_decimal_rules(key, raw, rule):
    record = dict(_fixture("license-export-wheat"), **{key: raw})
    assert _where(record) == [(FIELD_OF_KEY[key], key, rule)]


def _other_digits(ascii_text: str, zero: str) -> str:
    """The text with its digits written in another Unicode script (zero: that script's 0)."""
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in ascii_text)


# Arabic-Indic, full-width and Devanagari digits: Python's \d, int() and Decimal() take them,
# the XSD and the documents do not.
OTHER_ZEROS = ["\u0660", "\uff10", "\u0966"]


@pytest.mark.parametrize("zero", OTHER_ZEROS)
@pytest.mark.parametrize(
    ("path", "ascii_value", "rule"),
    [
        ("goods.hs_code", "1001990000", "hs_code_format"),
        ("value", "125000.00", "amount_format"),
        ("statistical_value", "125000", "amount_format"),
        ("quantity", "500", "quantity_format"),
        ("quantity", "94117.647", "quantity_format"),
        ("supplementary_quantity.quantity", "12", "quantity_format"),
        ("issued_on", "2026-03-02", "date_format"),
        ("valid_to", "2027-03-01", "date_format"),
        ("contract.date", "2026-01-20", "date_format"),
        ("applicant.id", "150440000013", "bin_iin_format"),
    ],
)
def test_only_ascii_digits_are_digits(zero, path, ascii_value, rule):
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record.setdefault("supplementary_quantity", {"quantity": "1", "unit": "166"})
    *parents, key = path.split(".")
    part = record
    for parent in parents:
        part = part[parent]
    part[key] = _other_digits(ascii_value, zero)
    field = FIELD_OF_KEY[parents[0] if parents else key]
    assert _where(record) == [(field, path, rule)]


@pytest.mark.parametrize("zero", OTHER_ZEROS)
def test_only_ascii_digits_in_numbers_phones_and_references(zero):
    record = dict(_fixture("permit-export-flour"), number=_other_digits("KZ2600027719", zero))
    record["authorized_person"] = dict(
        record["authorized_person"], phone=_other_digits("+7 7172 78 61 00", zero)
    )
    assert _where(record) == [
        (1, "number", "number_format"),
        (17, "authorized_person.phone", "phone_format"),
    ]
    refusal = copy.deepcopy(_fixture("refusal-one-ground"))
    refusal["application"]["number"] = _other_digits("12/1287", zero)
    assert _where(refusal) == [(None, "application.number", "reference_format")]


@pytest.mark.parametrize("quantity", ["0.00001", 0.5, 12345.12345, "999999999999999"])
def test_quantities_within_the_rules_are_accepted(quantity):
    record = dict(_fixture("license-export-wheat"), quantity=quantity)
    assert validate(record).quantity == Decimal(str(quantity))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ({"kk": "Бидай"}, "text_languages"),
        ({"ru": "Пшеница"}, "text_languages"),
        ({"kk": "Бидай", "ru": "Пшеница", "en": "Wheat"}, "text_languages"),
        ({}, "text_languages"),
        ({"kk": "Бидай", "ru": ""}, "text_empty"),
        ("", "text_empty"),
        ("\u00a0 ", "text_empty"),
        ("Пшеница\x00", "text_control_chars"),
        ({"kk": "Бидай\x1b[31m", "ru": "Пшеница"}, "text_control_chars"),
        ({"kk": "Бидай", "ru": "Пшеница ✓"}, "text_unprintable"),
        ("Wheat 小麦", "text_unprintable"),
        ("Пшеница\u202eяакгям", "text_invisible_chars"),
        ({"kk": "Бидай", "ru": "Пше\u200bница"}, "text_invisible_chars"),
        ("\ufeffПшеница", "text_invisible_chars"),
        ("Wheat \u2066(CN)\u2069", "text_invisible_chars"),
        ("Пшеница\u202a", "text_invisible_chars"),
        ("Пшеница\u200f", "text_invisible_chars"),
        ("\u200b", "text_empty"),
        ("\u200b\u200b \ufeff\u202e", "text_empty"),
        ({"kk": "Бидай", "ru": "\u200d\n\u2069"}, "text_empty"),
        ({"kk": 1, "ru": "Пшеница"}, "text_type"),
        (["Пшеница"], "text_type"),
        (None, "text_type"),
    ],
)
def test_free_text_rules(text, rule):
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["description"] = text
    assert _where(record) == [(15, "goods.description", rule)]


def test_invisible_characters_are_named_in_the_message():
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["description"] = "\u202eПшеница\u202c \u202eмягкая\u202c"
    (error,) = _errors(record)
    assert error.message.startswith(
        "must not contain invisible or direction-changing characters (U+202E, U+202C), got "
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Пшеница\r\n3 класса\r\nурожая 2025 года", "Пшеница\n3 класса\nурожая 2025 года"),
        ("Пшеница\r3 класса\r\rурожая", "Пшеница\n3 класса\n\nурожая"),
        ("Пшеница\r\n\n3 класса\r\n", "Пшеница\n\n3 класса"),
    ],
)
def test_crlf_and_cr_line_ends_become_line_feeds(raw, expected):
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["description"] = {"kk": "Бидай", "ru": raw}
    record["applicant"]["address"] = raw
    document = validate(record)
    assert document.goods.description.ru == expected
    assert document.applicant.address.kk == document.applicant.address.ru == expected


@pytest.mark.parametrize("raw", ["\r\n", "\r", " \r\n\t"])
def test_line_ends_alone_are_empty_text(raw):
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["description"] = raw
    assert _where(record) == [(15, "goods.description", "text_empty")]


def test_free_text_allows_line_breaks_and_tabs():
    record = copy.deepcopy(_fixture("license-export-wheat"))
    record["goods"]["description"] = "Пшеница мягкая\n3 класса\tурожая 2025 года"
    assert "\n" in validate(record).goods.description.ru


@pytest.mark.parametrize(
    ("kind_fixture", "number"),
    [
        ("license-export-wheat", "01KZ26001000012"),
        ("license-export-wheat", "01KZ2600100001234"),
        ("license-export-wheat", "01kz260010000123"),
        ("license-export-wheat", "01KZ26001000012Ә"),
        ("license-export-wheat", 1234567890123456),
        ("permit-export-flour", "KZ260002771"),
        ("permit-export-flour", "RU2600027719"),
        ("permit-export-flour", "KZ-260002771"),
    ],
)
def test_number_shapes(kind_fixture, number):
    record = dict(_fixture(kind_fixture), number=number)
    assert _where(record) == [(1, "number", "number_format")]


def test_licence_type_is_not_allowed_on_a_permit():
    record = dict(_fixture("permit-export-flour"), license_type="general")
    (error,) = _errors(record)
    assert (error.field, error.path, error.rule) == (3, "license_type", "unknown_key")
    assert error.label_ru == "Тип разрешения"


def test_contract_is_optional_for_general_and_exclusive_licences_only():
    assert validate(_fixture("license-export-ferroalloys")).contract is None
    exclusive = dict(_fixture("license-export-gold"), contract=None)
    assert validate(exclusive).contract is None
    for name in ("permit-export-flour", "permit-import-cattle"):
        (error,) = _errors(dict(_fixture(name), contract=None))
        assert (error.field, error.path, error.rule) == (4, "contract", "contract_required")


def test_contract_date_on_the_document_date_is_allowed():
    record = _fixture("license-export-wheat")
    record["contract"] = {"date": record["issued_on"]}
    assert validate(record).contract.number is None


@pytest.mark.parametrize("codes", [[1, 1], [7, 2, 7], [3, 3, 3]])
def test_refusal_grounds_are_not_repeated(codes):
    record = dict(_fixture("refusal-one-ground"), grounds=[{"code": c} for c in codes])
    (error,) = _errors(record)
    assert (error.path, error.rule) == ("grounds", "grounds_repeated")
    assert error.message == f"must cite each ground once, got {codes}"


def test_refusal_cites_all_seven_grounds():
    record = dict(_fixture("refusal-one-ground"), grounds=[{"code": c} for c in range(1, 8)])
    assert [g.code for g in validate(record).grounds] == list(range(1, 8))


@pytest.mark.parametrize("record", [None, "license-export", 42, True])
def test_a_record_must_be_an_object(record):
    assert _where(record) == [(None, "", "object_type")]


def test_missing_kind_lists_the_kinds():
    (error,) = _errors({"number": "01KZ260010000123"})
    assert (error.path, error.rule) == ("kind", "required")
    assert all(kind in error.message for kind in KINDS)


def test_unknown_kind_quotes_the_kind():
    (error,) = _errors({"kind": "declaration-export"})
    assert error.rule == "kind"
    assert error.message.endswith("got 'declaration-export'")


# --- configured number patterns -----------------------------------------------------------


def test_configured_number_pattern_is_enforced():
    config = Config(number_patterns={"license-export": r"\d{2}KZ26\d{10}"})
    validate(_fixture("license-export-wheat"), config)
    record = dict(_fixture("license-export-wheat"), number="01KZ25001000012A")
    (error,) = _errors(record, config)
    assert (error.field, error.path, error.rule) == (1, "number", "number_pattern")
    assert error.message == (
        "must match the issuer's pattern \\d{2}KZ26\\d{10}, got '01KZ25001000012A'"
    )


def test_configured_number_pattern_only_applies_to_its_kind():
    config = Config(number_patterns={"permit-export": r"KZ26\d{8}"})
    assert validate(_fixture("license-export-wheat"), config).kind == "license-export"
    record = dict(_fixture("permit-export-flour"), number="KZ2600B27719")
    assert _where(record, config) == [(1, "number", "number_pattern")]


def test_configured_number_pattern_applies_to_refusals():
    config = Config(number_patterns={"refusal": r"ЖТ-\d{2}-\d{2}/\d{4}"})
    validate(_fixture("refusal-one-ground"), config)
    record = dict(_fixture("refusal-one-ground"), number="12/1287")
    assert _where(record, config) == [(None, "number", "number_pattern")]


def test_number_pattern_and_shape_are_both_reported():
    config = Config(number_patterns={"license-export": r"\d{2}KZ26\d{10}"})
    record = dict(_fixture("license-export-wheat"), number="01KZ25")
    assert _where(record, config) == [
        (1, "number", "number_format"),
        (1, "number", "number_pattern"),
    ]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("license-export-wheat", r"[0-9]{2}KZ25[0-9]{10}"),
        ("permit-export-flour", r"KZ25[0-9]{8}"),
        ("refusal-one-ground", r"ЖТ-[0-9]{2}"),
    ],
)
def test_configured_number_pattern_applies_to_a_document_too(name, pattern):
    document = validate(_fixture(name))
    kind = document.kind
    assert validate(document) is document
    assert validate(document, Config(number_patterns={kind: ".+"})) is document
    (error,) = _errors(document, Config(number_patterns={kind: pattern}))
    assert (error.path, error.rule, error.value) == ("number", "number_pattern", document.number)
    assert error.message == f"must match the issuer's pattern {pattern}, got {document.number!r}"
    assert error.field == (None if kind == "refusal" else 1)
