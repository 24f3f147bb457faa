"""Valid records: every fixture becomes a Document, and the values the rules allow pass."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

from kzdocs.errors import ValidationError
from kzdocs.forms import KINDS
from kzdocs.schema import Document, Text, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VALID = sorted(FIXTURES.glob("*.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _fixture(name: str) -> dict[str, Any]:
    return _load(FIXTURES / f"{name}.json")


def _where(record: Any) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationError) as caught:
        validate(record)
    return [(e.field, e.path, e.rule) for e in caught.value.errors]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_becomes_a_document(path):
    record = _load(path)
    document = validate(record)
    assert isinstance(document, Document)
    assert document.kind == record["kind"]
    assert path.stem.startswith(f"{record['kind']}-")  # the file is named after its kind
    assert document.number == record["number"]
    assert document.issued_on.isoformat() == record["issued_on"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_at_least_two_valid_fixtures(kind):
    kinds = [_load(path)["kind"] for path in VALID]
    assert kinds.count(kind) >= 2


def test_fixtures_cover_the_licence_types_and_optional_parts():
    records = [_load(path) for path in VALID]
    licences = [r for r in records if r["kind"].startswith("license")]
    assert {r["license_type"] for r in licences} == {"one-time", "general", "exclusive"}
    assert any(r["license_type"] == "general" and "contract" not in r for r in licences)
    assert any((r.get("contract") or {}).get("number", "absent") is None for r in records)
    assert any("additional_info" not in r for r in records if r["kind"] != "refusal")
    assert any("supplementary_quantity" in r for r in records)
    ids = [r.get("applicant", r.get("recipient"))["id"] for r in records]
    assert any(i[4] in "0123" for i in ids) and any(i[4] in "456" for i in ids)
    grounds = [len(r["grounds"]) for r in records if r["kind"] == "refusal"]
    assert 1 in grounds and max(grounds) > 1


def test_one_description_is_long_enough_to_flow_over_a_page():
    descriptions = [_load(path).get("goods", {}).get("description") for path in VALID]
    longest = max(len(d["ru"]) for d in descriptions if isinstance(d, dict))
    assert longest >= 1400


def test_exclusive_licence_may_run_longer_than_a_year():
    record = _fixture("license-export-gold")
    document = validate(record)
    assert document.license_type == "exclusive"
    assert (document.valid_to - document.valid_from).days > 366


def test_permit_may_run_longer_than_a_year():
    record = dict(_fixture("permit-import-diesel"), valid_to="2028-04-14")
    assert validate(record).valid_to.year == 2028


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [("2026-03-02", "2027-03-01"), ("2024-02-29", "2025-02-28"), ("2026-03-02", "2026-03-02")],
)
def test_one_time_licence_runs_up_to_the_day_before_a_year_later(valid_from, valid_to):
    record = dict(_fixture("license-export-wheat"), valid_from=valid_from, valid_to=valid_to)
    record["contract"] = dict(record["contract"], date="2024-01-10")
    assert validate(record).valid_to.isoformat() == valid_to


def test_period_from_29_february_ends_on_28_february():
    record = dict(_fixture("license-export-wheat"), valid_from="2024-02-29", valid_to="2025-03-01")
    record["contract"] = dict(record["contract"], date="2024-01-10")
    assert _where(record) == [(2, "valid_to", "period_length")]


def test_free_text_as_string_stands_for_both_languages():
    record = _fixture("license-import-alcohol")
    record["goods"] = dict(record["goods"], description="Спирт этиловый ректификованный «Люкс»")
    description = validate(record).goods.description
    assert isinstance(description, Text)
    assert description["kk"] == description["ru"] == "Спирт этиловый ректификованный «Люкс»"


def test_free_text_object_keeps_each_language():
    name = validate(_fixture("license-export-wheat")).applicant.name
    assert name.kk == "«Астық Экспорт» жауапкершілігі шектеулі серіктестігі"
    assert name["ru"] == "Товарищество с ограниченной ответственностью «Астык Экспорт»"


def test_free_text_surrounding_spaces_are_dropped():
    record = _fixture("license-export-wheat")
    record["counterparty"] = dict(record["counterparty"], name="  Xinjiang Grain Trading  ")
    assert validate(record).counterparty.name.kk == "Xinjiang Grain Trading"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("125000.00", "125000.00"), (125000, "125000"), (48600.5, "48600.5"), ("0", "0")],
)
def test_amounts_as_strings_or_json_numbers(value, expected):
    record = dict(_fixture("license-export-wheat"), value=value)
    assert validate(record).value == Decimal(expected)


def test_json_numbers_in_a_fixture_are_decimals():
    document = validate(_fixture("license-import-medicines"))
    assert document.value == Decimal("48600.50")
    assert document.quantity == Decimal(54000)
    assert document.contract.number is None


def test_supplementary_quantity_keeps_its_unit():
    document = validate(_fixture("license-import-alcohol"))
    assert document.supplementary_quantity.unit == "831"
    assert document.supplementary_quantity.quantity == Decimal("231600")


def test_document_is_immutable():
    document = validate(_fixture("license-export-wheat"))
    with pytest.raises(pydantic.ValidationError):
        document.number = "01KZ260010000999"


def test_a_document_passes_through_unchanged():
    document = validate(_fixture("refusal-several-grounds"))
    assert validate(document) is document
    assert [g.code for g in document.grounds] == [1, 3, 6]
