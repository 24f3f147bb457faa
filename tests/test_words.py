"""The words Python needs are read from the templates; the lawyers' guide example works end to end
on a template copy without touching Python."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from template_copies import copy_templates, edit

from kzdocs import render
from kzdocs.config import Config
from kzdocs.docx import docx_text
from kzdocs.forms import KINDS, LANGS, LICENSE_TYPES, field_numbers
from kzdocs.golden import check, update
from kzdocs.schema import ValidationError, validate
from kzdocs.templatecheck import check_templates
from kzdocs.words import field_labels, kind_words, label_of, template_words, title

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WHEAT = "license-export-wheat"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_title_and_its_labels_in_both_languages(kind, lang):
    assert title(kind, lang)
    labels = field_labels(kind, lang)
    assert all(isinstance(text, str) and text for text in labels.values())
    if field_numbers(kind):
        assert list(labels) == list(field_numbers(kind))


def test_licence_types_and_operations_are_template_words():
    kk, ru = kind_words("license-export", "kk"), kind_words("license-export", "ru")
    assert [kk["license_types"][t] for t in LICENSE_TYPES] == ["біржолғы", "бас", "айрықша"]
    assert [ru["license_types"][t] for t in LICENSE_TYPES] == [
        "разовая",
        "генеральная",
        "исключительная",
    ]
    assert kk["operations"] == ru["operations"] == {"export": "ЭКСПОРТ", "import": "ИМПОРТ"}


def test_an_error_names_the_label_without_its_colon():
    number, label = label_of("permit-import", "valid_to")
    assert (number, label.kk, label.ru) == (2, "Қолдану кезеңі", "Период действия")
    assert label_of("license-export", "no_such_key")[0] is None
    assert label_of("fax", "number")[1].kk == ""


def test_a_word_that_is_not_constant_text_is_not_a_word(tmp_path):
    (tmp_path / "kk").mkdir()
    (tmp_path / "kk" / "words.html").write_text(
        '{% set a = "бір" ~ " екі" %}{% set b = document.number %}{% set c = {1: "үш"} %}',
        encoding="utf-8",
    )
    assert dict(template_words("kk/words.html", tmp_path)) == {"a": "бір екі", "c": {1: "үш"}}


def test_an_edited_template_is_read_again(tmp_path):
    templates = copy_templates(tmp_path)
    assert title("refusal", "ru", templates) == "Мотивированный отказ"
    edit(templates / "ru" / "refusal.html", '"Мотивированный отказ"', '"Отказ"')
    assert title("refusal", "ru", templates) == "Отказ"


def test_validation_errors_take_their_labels_from_the_templates():
    record = json.loads((FIXTURES / f"{WHEAT}.json").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as caught:
        validate({**record, "counterparty_country": "SU"})
    [error] = caught.value.errors
    assert (error.field, error.label_kk, error.label_ru) == (
        8,
        "Сатып алушының елі",
        "Страна покупателя",
    )


# WeasyPrint 70 leaves its sRGB profile file open (upstream); nothing else may leak.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*sRGB2014.icc:pytest.PytestUnraisableExceptionWarning"
)
def test_the_lawyers_guide_example_works_without_touching_python(tmp_path):
    """docs/lawyers-guide.md: change «Покупатель» in templates/ru/…, check, see the change."""
    templates = copy_templates(tmp_path)
    config = Config(templates=templates)
    golden = tmp_path / "golden"
    options = {"formats": ("html", "pdf", "docx"), "langs": ("ru",), "names": [WHEAT]}
    update(FIXTURES, golden, config=config, **options)

    licence = templates / "ru" / "license-export.html"
    edit(licence, '6: "Покупатель"', '6: "Приобретатель"')
    edit(licence, '"ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ', '"ЛИЦЕНЗИЯ НА ВЫВОЗ ОТДЕЛЬНЫХ')

    assert check_templates(templates) == []
    record = json.loads((FIXTURES / f"{WHEAT}.json").read_text(encoding="utf-8"))
    new_title = "ЛИЦЕНЗИЯ НА ВЫВОЗ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ № 01KZ260010000123"
    html = render(record, lang="ru", format="html", config=config).decode()
    assert "6. Приобретатель" in html and f"<title>{new_title}</title>" in html
    pdf = PdfReader(io.BytesIO(render(record, lang="ru", format="pdf", config=config)))
    assert "6. Приобретатель" in pdf.pages[0].extract_text()
    assert pdf.metadata.title == new_title
    word = render(record, lang="ru", format="docx", config=config)
    assert "6. Приобретатель" in docx_text(word)
    assert docx.Document(io.BytesIO(word)).core_properties.title == new_title

    with pytest.raises(ValidationError) as caught:
        validate({**record, "counterparty": {"name": "", "address": "Urumqi"}}, config)
    assert [e.label_ru for e in caught.value.errors] == ["Приобретатель"]

    result = check(FIXTURES, golden, config=config, **options)
    assert {(f.format, f.status) for f in result.failures} == {
        ("html", "changed"),
        ("pdf", "changed"),
        ("docx", "changed"),
    }
    for failure in result.failures:
        assert "Покупатель" in failure.text.removed and "Приобретатель" in failure.text.added
