"""A Document is proof that its record keeps every rule, however it was made: `validate`, the
model's `model_validate`, `__init__`, a TypeAdapter, `from_xml`."""

from __future__ import annotations

import copy
import json
import os
from datetime import date
from pathlib import Path

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzdocs.config import Config
from kzdocs.errors import ValidationError
from kzdocs.schema import MODELS, validate
from kzdocs.xml import from_xml, to_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _invalid(name: str) -> dict:
    return json.loads((FIXTURES / "invalid" / f"{name}.json").read_text(encoding="utf-8"))


# Records that keep every field rule and break one rule across fields.
CROSS_FIELD = [
    ("period_order", "license-export", 2, "valid_to"),
    ("period_length--one-time", "license-export", 2, "valid_to"),
    ("contract_required", "license-export", 4, "contract"),
    ("contract_required--permit", "permit-import", 4, "contract"),
    ("date_after_document--contract", "license-export", 4, "contract.date"),
    ("date_after_document--authorized-person", "permit-import", 17, "authorized_person.date"),
    ("date_after_document--application", "refusal", None, "application.date"),
]


def _where(exc: ValidationError) -> list[tuple[int | None, str, str]]:
    return [(e.field, e.path, e.rule) for e in exc.errors]


@pytest.mark.parametrize(("name", "kind", "field", "path"), CROSS_FIELD)
def test_model_validate_refuses_a_record_breaking_a_rule_across_fields(name, kind, field, path):
    record = _invalid(name)
    assert record["kind"] == kind
    with pytest.raises(ValidationError) as caught:
        MODELS[kind].model_validate(record)
    rule = name.split("--")[0]
    assert _where(caught.value) == [(field, path, rule)]
    assert f"field {field}" in str(caught.value) if field else "record" in str(caught.value)


def test_model_validate_of_a_reversed_period_names_field_2_and_the_rule():
    record = dict(_fixture("license-export-wheat"), valid_from="2026-06-01", valid_to="2026-03-02")
    with pytest.raises(ValidationError) as caught:
        MODELS["license-export"].model_validate(record)
    (error,) = caught.value.errors
    assert (error.field, error.path, error.rule) == (2, "valid_to", "period_order")
    assert error.message == "must not be before valid_from (2026-06-01), got '2026-03-02'"
    assert isinstance(caught.value, ValueError)


def test_model_validate_reports_field_and_cross_field_errors_at_once_as_validate_does():
    record = _invalid("all-at-once")
    with pytest.raises(ValidationError) as by_model:
        MODELS["license-export"].model_validate(record)
    with pytest.raises(ValidationError) as by_validate:
        validate(record)
    assert by_model.value.errors == by_validate.value.errors
    assert (2, "valid_to", "period_length") in _where(by_model.value)
    assert len(by_model.value.errors) == 5


@pytest.mark.parametrize("name", ["period_order", "contract_required--permit"])
def test_constructing_or_adapting_a_model_enforces_the_rules_too(name):
    record = _invalid(name)
    model = MODELS[record["kind"]]
    rule = name.split("--")[0]
    for make in (
        lambda: model(**record),
        lambda: pydantic.TypeAdapter(model).validate_python(record),
    ):
        with pytest.raises(pydantic.ValidationError) as caught:
            make()
        assert [e["type"] for e in caught.value.errors()] == [rule]


def test_the_configured_number_pattern_is_a_rule_of_the_model_given_the_config():
    record = _fixture("license-export-wheat")
    config = Config(number_patterns={"license-export": "01KZ26[0-9]{10}"})
    MODELS["license-export"].model_validate(record, context={"config": config})
    strict = Config(number_patterns={"license-export": "02KZ26[0-9]{10}"})
    with pytest.raises(ValidationError) as caught:
        MODELS["license-export"].model_validate(record, context={"config": strict})
    assert _where(caught.value) == [(1, "number", "number_pattern")]
    with pytest.raises(ValidationError):  # and a Document made under another configuration
        validate(validate(record), strict)


def test_from_xml_refuses_xml_whose_record_breaks_a_rule_the_xsd_cannot_express():
    document = validate(_fixture("license-export-wheat"))
    reversed_period = document.model_copy(update={"valid_to": document.valid_from.replace(day=1)})
    xml = to_xml(reversed_period)  # model_copy does not validate: a forged Document
    with pytest.raises(ValidationError) as caught:
        from_xml(xml)
    assert _where(caught.value) == [(2, "valid_to", "period_order")]
    assert validate(from_xml(to_xml(document))) == document


def test_a_valid_record_is_a_document_equal_however_it_was_made():
    record = _fixture("permit-import-cattle")
    model = MODELS["permit-import"]
    made = [validate(record), model.model_validate(record), model(**copy.deepcopy(record))]
    assert made[0] == made[1] == made[2]
    assert validate(from_xml(to_xml(made[0]))) == made[0]


# -- property: the models' rules are the form's rules, whichever way a record comes in -------------

EXAMPLES = int(os.environ.get("KZDOCS_HYPOTHESIS_EXAMPLES", "80"))
# Not 29 February: what "one year" from it means is the code's choice, not the form's.
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)).filter(
    lambda day: (day.month, day.day) != (2, 29)
)
DATED = {"license-export-wheat": ("contract",), "permit-import-cattle": ("contract",
         "authorized_person"), "refusal-one-ground": ("application",)}  # fmt: skip


@st.composite
def records(draw) -> dict:
    """A real fixture with its dates, licence type and contract drawn anew."""
    name = draw(st.sampled_from(sorted(DATED)))
    record = _fixture(name)
    record["issued_on"] = draw(DAYS).isoformat()
    if "valid_from" in record:
        record["valid_from"], record["valid_to"] = (draw(DAYS).isoformat() for _ in range(2))
    if "license_type" in record:
        record["license_type"] = draw(st.sampled_from(["one-time", "general", "exclusive"]))
    for part in DATED[name]:
        record[part]["date"] = draw(DAYS).isoformat()
    if "contract" in record and draw(st.booleans()):
        del record["contract"]
    if "currency" in record and draw(st.booleans()):  # a broken field hides no other rule
        record["currency"] = "RUR"
    return record


def _expected_rules(record: dict) -> set[tuple[str, str]]:
    """The rules across fields, worked out here from the form's text, independently."""
    day = date.fromisoformat
    issued, broken = day(record["issued_on"]), set()
    for key in ("contract", "authorized_person", "application"):
        if key in record and day(record[key]["date"]) > issued:
            broken.add((f"{key}.date", "date_after_document"))
    if "valid_from" in record:
        start, end = day(record["valid_from"]), day(record["valid_to"])
        year_later = date(start.year + 1, start.month, start.day)
        if start > end:
            broken.add(("valid_to", "period_order"))
        elif record.get("license_type") in ("one-time", "general") and end >= year_later:
            broken.add(("valid_to", "period_length"))
    needs_contract = record["kind"].startswith("permit") or record.get("license_type") == "one-time"
    if needs_contract and "contract" not in record:
        broken.add(("contract", "contract_required"))
    if record.get("currency") == "RUR":
        broken.add(("currency", "currency_code"))
    return broken


def _outcome(make) -> object:
    try:
        return make()
    except ValidationError as exc:
        return exc.errors


@settings(max_examples=EXAMPLES, deadline=None)
@given(records())
def test_every_way_in_enforces_exactly_the_forms_rules(record):
    by_validate = _outcome(lambda: validate(record))
    by_model = _outcome(lambda: MODELS[record["kind"]].model_validate(copy.deepcopy(record)))
    assert by_validate == by_model
    found = set() if not isinstance(by_model, list) else {(e.path, e.rule) for e in by_model}
    assert found == _expected_rules(record)
    if not found:
        assert validate(from_xml(to_xml(by_model))) == by_model
