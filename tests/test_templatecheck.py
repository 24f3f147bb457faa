"""The template checker names the kind, language and field of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from template_copies import copy_templates, edit

from kzdocs.forms import FORMS, KINDS
from kzdocs.schema import validate
from kzdocs.templatecheck import Problem, check_templates, format_problems, sample_record
from kzdocs.words import field_labels

NUMBERED = [kind for kind in KINDS if FORMS[kind].numbered]
# One numbered kind per family and author (each check renders every kind: a check per kind and
# language would grow with the square of the kinds); every kind's labels are in test_words.py.
NUMBERED_SHAPES = list({(FORMS[k].family, FORMS[k].author): k for k in NUMBERED}.values())


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the shipped templates a test may edit."""
    return copy_templates(tmp_path)


def where(problems: list[Problem]) -> set[tuple[str | None, str | None, int | None]]:
    return {(p.kind, p.lang, p.field) for p in problems}


def test_shipped_templates_have_no_problems() -> None:
    problems = check_templates()
    assert problems == [], format_problems(problems)
    assert format_problems(problems).startswith("templates OK")


@pytest.mark.parametrize("kind", KINDS)
def test_sample_records_are_valid(kind: str) -> None:
    assert validate(sample_record(kind)).kind == kind


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("kind", NUMBERED_SHAPES)
def test_a_removed_label_is_named_by_field_number(templates: Path, kind: str, lang: str) -> None:
    label = field_labels(kind, lang)[5]
    edit(templates / lang / f"{kind}.html", f'    5: "{label}",\n', "")

    problems = check_templates(templates)

    assert (kind, lang, 5) in where(problems)
    [missing] = [p for p in problems if p.field == 5]
    assert missing.message == "the field has no text in `labels`"
    assert missing.template == f"{lang}/{kind}.html"
    assert all(p.kind == kind and p.lang == lang for p in problems)
    assert f"{kind} {lang} field 5: the field has no text" in format_problems(problems)


def test_a_reworded_label_is_the_lawyers_choice(templates: Path) -> None:
    edit(templates / "ru" / "permit-import.html", '"Страна продавца"', '"Страна поставщика"')

    assert check_templates(templates) == []
    assert field_labels("permit-import", "ru", templates)[8] == "Страна поставщика"


def test_a_label_the_layout_does_not_show_is_reported(templates: Path) -> None:
    edit(templates / "layout" / "trade.html", "m.field(8, labels[8])", "m.field(8, labels[7])")

    problems = check_templates(templates)

    assert {
        (p.field, p.message) for p in problems if p.lang == "ru" and p.kind == "permit-import"
    } == {
        (8, "the label «8. Страна продавца» is not shown; the field shows «8. Страна отправления»")
    }


def test_a_word_missing_in_one_language_is_reported(templates: Path) -> None:
    edit(templates / "kk" / "words.html", '{% set person_phone = "Телефон" %}\n', "")
    edit(
        templates / "ru" / "words.html", '"exclusive": "исключительная"', '"sole": "исключительная"'
    )

    problems = check_templates(templates)

    messages = {(p.lang, p.message) for p in problems if p.template and "words" in p.template}
    assert ("kk", "person_phone is set in ru/words.html but not here") in messages
    assert ("ru", "'exclusive' has no text in `license_types`") in messages
    assert (
        "ru",
        "`license_types` has 'sole', which is none of 'one-time', 'general', 'exclusive'",
    ) in messages
    assert ("ru", "license_types['exclusive'] is set in kk/words.html but not here") in messages


def test_a_field_that_shows_another_number_is_reported(templates: Path) -> None:
    edit(
        templates / "layout" / "macros.html",
        "{{ number }}. {{ label }}</p>",
        "{{ number + 1 }}. {{ label }}</p>",
    )

    problems = check_templates(templates)

    assert {p.field for p in problems} == set(range(5, 19))
    assert all("is not shown; the field shows «" in p.message for p in problems)


def test_a_name_the_schema_lacks_is_reported_per_language(templates: Path) -> None:
    edit(
        templates / "kk" / "license-import.html",
        "{% set title",
        "{{ document.goods.weight }}\n{% set title",
    )

    problems = check_templates(templates)

    assert where(problems) == {("license-import", "kk", 15), ("license-import", "ru", 15)}
    messages = {p.lang: p.message for p in problems}
    assert (
        messages["kk"] == "document.goods.weight: the license-import record has no field 'weight'"
    )
    assert messages["ru"] == "document.goods.weight is shown in kk but not in ru"


def test_a_required_field_never_shown_is_reported(templates: Path) -> None:
    edit(templates / "layout" / "trade.html", "{{ document.unit | unit }}", "")

    problems = check_templates(templates)

    assert where(problems) == {(kind, lang, 14) for kind in NUMBERED for lang in ("kk", "ru")}
    assert all("'unit' is never shown" in p.message for p in problems)


def test_refusal_labels_are_checked(templates: Path) -> None:
    edit(templates / "layout" / "refusal.html", "m.labelled(labels.recipient, ", "m.labelled('', ")

    problems = check_templates(templates)

    assert {(p.kind, p.lang, p.field, p.message) for p in problems} == {
        ("refusal", "kk", None, "the label «Кімге» (recipient) is not shown"),
        ("refusal", "ru", None, "the label «Кому» (recipient) is not shown"),
    }


def test_a_character_the_fonts_lack_is_reported(templates: Path) -> None:
    edit(templates / "kk" / "words.html", '"ҚОЛ ҚОЙЫЛМАҒАН"', '"ҚОЛ ҚОЙЫЛМАҒАН ✓"')

    [problem] = check_templates(templates)

    assert (problem.kind, problem.lang, problem.template) == (None, "kk", "kk/words.html")
    assert "'✓' (U+2713) is not in the shipped font(s)" in problem.message
    assert "LiberationSerif-Regular.ttf" in problem.message


def test_a_latin_letter_inside_a_kazakh_word_is_reported(templates: Path) -> None:
    edit(templates / "kk" / "license-export.html", '"Өтініш беруші"', '"Өтiнiш беруші"')

    problems = check_templates(templates)

    assert where(problems) == {("license-export", "kk", None)}
    [mixed] = problems
    assert mixed.message.endswith("«Өтiнiш» mixes Latin letters (i) into Cyrillic")
    assert mixed.template == "kk/license-export.html"
