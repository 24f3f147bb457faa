"""The JSON Schema of each kind: valid Draft 2020-12, accepts every valid fixture, rejects what
it can express, carries the form's field numbers and labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kzdocs.forms import FIELD_OF_KEY, FORMS, KINDS, field_of
from kzdocs.schema import json_schema
from kzdocs.words import label_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VALID = sorted(FIXTURES.glob("*.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# Invalid fixtures whose broken rule the JSON Schema can express, so a back office catches
# them before sending.
SCHEMA_CATCHES = [
    "amount_format--grouped",
    "amount_negative",
    "country_code--soviet-union",
    "currency_code--rur",
    "hs_code_chapter--77",
    "hs_code_chapter--98",
    "hs_code_format",
    "integer_type--ground-code",
    "number_format--licence",
    "number_format--permit",
    "one_of--license-type",
    "quantity_positive",
    "range--ground-code",
    "required--goods",
    "text_languages--missing-ru",
    "text_empty",
    "too_few--grounds",
    "unit_code",
    "unknown_key--nested",
    "unknown_key--top-level",
    "unknown_key--license-type-on-permit",
]


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


@pytest.mark.parametrize("kind", KINDS)
def test_json_schema_is_valid_draft_2020_12(kind):
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["kind"]["const"] == kind


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_valid_fixture_passes_its_json_schema(path):
    record = _load(path)
    errors = [e.message for e in _validator(record["kind"]).iter_errors(record)]
    assert errors == []


@pytest.mark.parametrize("name", SCHEMA_CATCHES)
def test_json_schema_rejects_what_it_can_express(name):
    record = _load(FIXTURES / "invalid" / f"{name}.json")
    assert not _validator(record["kind"]).is_valid(record)


_PERSON_18 = {
    ("application-export", "authorized_person"),
    ("application-import", "authorized_person"),
}


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "refusal"])
def test_json_schema_carries_field_numbers_and_labels(kind):
    properties = json_schema(kind)["properties"]
    for key, number in FIELD_OF_KEY.items():
        if key not in properties:
            continue
        label = label_of(kind, key)[1]
        assert properties[key]["x-form-field"] == field_of(kind, key)
        # FIELD_OF_KEY is a licence's or permit's; an application moves the person to 18.
        assert field_of(kind, key) == (18 if (kind, key) in _PERSON_18 else number)
        assert (properties[key]["x-label-kk"], properties[key]["x-label-ru"]) == (
            label.kk,
            label.ru,
        )
        assert label.kk and label.ru
    family_keys = {"basis", "license_type"} if FORMS[kind].family == "license" else set()
    if FORMS[kind].family == "permit" or not FORMS[kind].issued:
        family_keys.add("authorized_person")
    assert family_keys <= set(properties)
    assert set(json_schema(kind)["required"]) >= {"kind", "number", "goods", "issued_on"}


def test_json_schema_labels_are_the_templates_words():
    properties = json_schema("license-export")["properties"]
    assert (properties["counterparty"]["x-label-ru"], properties["valid_to"]["x-label-kk"]) == (
        "Покупатель",
        "Қолдану кезеңі",  # the template's «Қолдану кезеңі:» without its colon
    )
    assert json_schema("refusal")["properties"]["recipient"]["x-label-ru"] == "Кому"


def test_json_schema_of_a_licence_requires_the_licence_type():
    assert "license_type" in json_schema("license-import")["required"]
    assert "license_type" not in json_schema("permit-import")["properties"]


def _in_digits_of(zero: str, ascii_text: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in ascii_text)


@pytest.mark.parametrize("zero", ["\u0660", "\uff10"])  # Arabic-Indic, full-width
@pytest.mark.parametrize("kind", KINDS)
def test_json_schema_patterns_take_only_ascii_digits(kind, zero):
    """Python's \\d, which Python validators of the schema use, takes every Unicode digit."""
    assert "\\\\d" not in json.dumps(json_schema(kind))
    record = next(r for r in map(_load, VALID) if r["kind"] == kind)
    record["issued_on"] = _in_digits_of(zero, record["issued_on"])
    expected = {("issued_on",)}
    if kind != "refusal":
        record["goods"]["hs_code"] = _in_digits_of(zero, record["goods"]["hs_code"])
        record["value"] = _in_digits_of(zero, str(record["value"]))
        record["quantity"] = _in_digits_of(zero, str(record["quantity"]))
        expected |= {("goods", "hs_code"), ("value",), ("quantity",)}
    applicant = "recipient" if kind == "refusal" else "applicant"
    record[applicant]["id"] = _in_digits_of(zero, record[applicant]["id"])
    expected.add((applicant, "id"))
    errors = _validator(kind).iter_errors(record)
    assert {tuple(e.absolute_path) for e in errors} == expected
