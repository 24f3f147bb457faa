"""A pair from one record: an issued licence or permit and the application or permit draft its
applicant submitted, rendered from the same record, carry the same field values."""

from __future__ import annotations

import json
import re

import lxml.etree
import lxml.html
import pytest
from hypothesis import given
from test_record_properties import DOCUMENTED, PROFILE, mutated

import kzdocs
from kzdocs.cli import main
from kzdocs.errors import ValidationError

from signing_helpers import FIXTURES  # isort: skip

# Each issued fixture names the application it answers; the applicant's fixture is that
# application as the applicant wrote it.
PAIRS = [
    ("license-export-wheat", "application-export-wheat"),
    ("license-export-gold", "application-export-gold"),
    ("license-import-alcohol", "application-import-alcohol"),
    ("license-import-medicines", "application-import-medicines"),
    ("permit-export-crude-oil", "permit-draft-export-crude-oil"),
    ("permit-export-flour", "permit-draft-export-flour"),
    ("permit-import-cattle", "permit-draft-import-cattle"),
    ("permit-import-diesel", "permit-draft-import-diesel"),
]
IDS = [issued for issued, _ in PAIRS]


def _record(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def _values(html: bytes) -> dict[int, list[str]]:
    """Each numbered field's values as the page shows them: its value lines without the
    sub-labels («Лауазымы:»), by field number."""
    page = lxml.html.fromstring(html)
    found = {}
    for cell in page.xpath("//td[@data-field]"):
        value = cell.xpath(".//*[contains(@class, 'field-value')]")[0]
        for label in value.xpath(".//*[@class='sub-label']"):
            label.drop_tree()
        lines = [" ".join(p.text_content().split()) for p in value.xpath(".//p")]
        found[int(cell.get("data-field"))] = lines or [" ".join(value.text_content().split())]
    return found


def _dates(lines: list[str]) -> list[str]:
    """The dates in a field's text, as DD.MM.YYYY (ISO dates of the record read as well)."""
    text = " ".join(lines)
    iso = [f"{d}.{m}.{y}" for y, m, d in re.findall(r"(\d{4})-(\d\d)-(\d\d)", text)]
    return iso or re.findall(r"\d\d\.\d\d\.\d{4}", text)


def _xml_fields(xml: bytes) -> dict[str, bytes]:
    root = lxml.etree.fromstring(xml)
    return {
        lxml.etree.QName(child).localname: lxml.etree.tostring(child, method="c14n")
        for child in root
    }


@pytest.mark.parametrize(("issued", "applied"), PAIRS, ids=IDS)
def test_the_issued_record_as_application_is_the_applicant_s_record(issued, applied):
    assert kzdocs.as_application(_record(issued)) == kzdocs.validate(_record(applied))
    # The kind in the record says it as well: an application is itself.
    assert kzdocs.as_application(_record(applied)) == kzdocs.validate(_record(applied))


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("issued", "applied"), PAIRS, ids=IDS)
def test_both_documents_of_a_case_show_fields_1_to_17_alike(issued, applied, lang):
    record = _record(issued)
    document = _values(kzdocs.render(record, lang=lang))
    application = _values(kzdocs.render(record, lang=lang, as_="application"))
    assert document[1] == [record["number"]]
    assert application[1] == [record["application"]["number"]]
    # The same period, though an application words it «… қоса алғанда» / «… включительно».
    assert (
        _dates(application[2])
        == _dates(document[2])
        == _dates([record["valid_from"], record["valid_to"]])
    )
    for number in range(3, 17):
        assert application[number] == document[number], f"field {number}"
    if issued.startswith("license"):
        assert application[17] == document[17]  # the basis of the licence
    else:  # the applicant's authorised person: name, position, phone
        assert application[17][:3] == document[17][:3]


@pytest.mark.parametrize(("issued", "applied"), PAIRS, ids=IDS)
def test_both_xml_documents_carry_the_same_fields(issued, applied):
    record = _record(issued)
    document = _xml_fields(kzdocs.render(record, format="xml"))
    application = _xml_fields(kzdocs.render(record, format="xml", as_="application"))
    moved = {"number", "issued_on", "authorized_person", "application"}
    for key in set(document) - moved:
        assert application[key] == document[key], key
    assert set(application) - set(document) <= {"authorized_person"}
    assert kzdocs.render(record, format="xml", as_="application") == kzdocs.render(
        _record(applied), format="xml"
    )


def test_the_cli_renders_the_application_beside_the_licence(tmp_path):
    source = FIXTURES / "license-export-wheat.json"
    assert (
        main(
            [
                "render",
                str(source),
                "--as",
                "application",
                "--format",
                "xml,html",
                "--lang",
                "kk,ru",
                "-o",
                f"{tmp_path}/",
            ]
        )
        == 0
    )
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "license-export-wheat.application.kk.html",
        "license-export-wheat.application.ru.html",
        "license-export-wheat.application.xml",
    ]
    expected = kzdocs.render(_record("application-export-wheat"), format="xml")
    assert (tmp_path / "license-export-wheat.application.xml").read_bytes() == expected


def test_the_cli_validates_as_the_application(tmp_path, capsys):
    lacking = tmp_path / "no-application.json"
    lacking.write_text(
        json.dumps(
            {k: v for k, v in _record("license-export-wheat").items() if k != "application"}
        ),
        "utf-8",
    )
    assert (
        main(["validate", str(FIXTURES / "license-export-wheat.json"), "--as", "application"]) == 0
    )
    assert "valid" in capsys.readouterr().out
    assert main(["validate", "--json", str(lacking), "--as", "application"]) == 1
    (error,) = json.loads(capsys.readouterr().out)
    assert (error["field"], error["path"], error["rule"]) == (
        1,
        "application",
        "application_required",
    )


# -- what the record lacks, and what cannot be an application ----------------------------------


def _errors(record: dict) -> list[tuple]:
    with pytest.raises(ValidationError) as caught:
        kzdocs.as_application(record)
    return [(e.field, e.path, e.rule) for e in caught.value.errors]


def test_an_issued_record_without_its_application_names_field_1_of_the_application():
    record = {k: v for k, v in _record("permit-export-flour").items() if k != "application"}
    with pytest.raises(ValidationError) as caught:
        kzdocs.as_application(record)
    (error,) = caught.value.errors
    assert (error.field, error.path, error.rule) == (1, "application", "application_required")
    assert error.label_kk and error.label_ru  # the application's field 1, as its template says
    assert "permit-draft-export" in error.message and "'application'" in error.message
    assert error.message_kk != error.message and error.message_ru != error.message


def test_a_licence_application_without_the_authorised_person_names_field_18():
    record = _record("license-export-gold")
    record["application"] = {
        k: v for k, v in record["application"].items() if k != "authorized_person"
    }
    assert _errors(record) == [(18, "application.authorized_person", "application_required")]


def test_a_refusal_has_no_application_form():
    assert _errors(_record("refusal-one-ground")) == [(None, "kind", "as_application_kind")]


def test_an_unknown_as_is_refused():
    with pytest.raises(ValidationError) as caught:
        kzdocs.render(_record("license-export-wheat"), as_="licence")
    assert [e.rule for e in caught.value.errors] == ["as_choice"]


def test_the_application_s_own_rules_name_the_issued_record_s_paths():
    record = _record("license-export-wheat")
    application = record["application"]
    # The contract was signed after the application (yet before the licence).
    record["contract"] = dict(record["contract"], date="2026-02-28")
    application["authorized_person"] = dict(application["authorized_person"], date="2026-02-28")
    assert _errors(record) == [
        (4, "contract.date", "date_after_document"),
        (18, "application.authorized_person.date", "date_after_document"),
    ]


def test_the_application_date_is_not_after_the_licence():
    record = _record("license-export-wheat")
    record["application"]["date"] = "2026-03-03"
    with pytest.raises(ValidationError) as caught:
        kzdocs.validate(record)
    assert [(e.path, e.rule) for e in caught.value.errors] == [
        ("application.date", "date_after_document")
    ]


def test_each_issued_kind_pairs_with_the_applicant_s_form_of_its_family_and_direction():
    from kzdocs.forms import APPLICATION_OF, SIGNED_BY_APPLICANT, get_form

    for issued, applied in APPLICATION_OF.items():
        document, application = get_form(issued), get_form(applied)
        assert (document.author, application.author) == ("issuer", "applicant")
        assert (document.family, document.direction, document.rules) == (
            application.family,
            application.direction,
            application.rules,
        )
    assert set(APPLICATION_OF.values()) == SIGNED_BY_APPLICANT


# The rules of rendering as the application, beside the record's own (docs/record.md).
AS_RULES = {"application_required", "as_application_kind"}


@PROFILE
@given(record=mutated())
def test_any_record_as_application_is_an_applicant_s_form_or_errors_naming_rules(record):
    from kzdocs.forms import SIGNED_BY_APPLICANT

    try:
        document = kzdocs.as_application(record)
    except ValidationError as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.rule in DOCUMENTED | AS_RULES, error
            assert error.message_kk and error.message_ru
    else:
        assert document.kind in SIGNED_BY_APPLICANT
