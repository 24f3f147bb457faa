"""The HTML stage: every fixture in kk and ru, the labels of FORMS.md, formatted values, the draft
mark and the signature, escaping of record text, user templates, errors."""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest
from legal_wording import EQUIVALENT, NO_FORCE

from kzdocs import classifiers
from kzdocs.config import Config
from kzdocs.errors import TemplateError, UnsupportedFormatError
from kzdocs.forms import KINDS
from kzdocs.html import environment, render_html
from kzdocs.schema import validate
from kzdocs.sign import Signature
from kzdocs.words import field_labels, kind_words, title

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDS = sorted(FIXTURES.glob("*.json"))
LANGS = ("kk", "ru")
DRAFT = {"kk": "ҚОЛ ҚОЙЫЛМАҒАН", "ru": "НЕ ПОДПИСАН"}
NOT_SIGNED = {"kk": "Қол қойылмаған", "ru": "Не подписан"}
APPLICANT_SIGNATURE = {
    "kk": "Қолы және мөрі (болған жағдайда)",
    "ru": "Подпись и печать (при наличии)",
}
# The HTML contract: the tags the PDF and DOCX stages understand.
ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body"),
    *("div", "p", "h1", "h2", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li"),
    *("br", "span", "strong", "b", "em", "i", "img"),
}
PAYLOAD = '<script>alert(1)</script><img src="file:///etc/passwd">{{ 7*7 }}'


def _record(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def _text(element) -> str:
    """Visible text with every run of whitespace (no-break spaces too) made one space."""
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _body_text(html: str) -> str:
    return _text(_tree(html).body)


def _field(tree, number: int):
    (cell,) = tree.xpath(f'//table[@class="fields"]//td[@data-field="{number}"]')
    return cell


def _amount(value: Decimal) -> str:
    """125000 → '125 000,00', written without Babel to check it independently."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def _quantity(value: Decimal) -> str:
    """1250.750 → '1 250,75'."""
    return f"{value.normalize():,f}".replace(",", " ").replace(".", ",")


def _date(value) -> str:
    return value.strftime("%d.%m.%Y")


def _signature(**changes) -> Signature:
    fields = {
        "subject": "ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
        "serial": "4a1f0c9be2d35e7f",
        "issuer": "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)",
        "algorithm": "RSA-SHA256",
        "signed_at": datetime(2026, 3, 2, 4, 5, tzinfo=UTC),
        "iin": "900115300013",
        "bin": "150440000013",
    }
    return Signature(**{**fields, **changes})


def test_every_kind_has_fixtures():
    assert {validate(_record(p.name)).kind for p in RECORDS} == set(KINDS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_fixture_renders_as_an_unsigned_draft_with_footer_and_caption(path, lang):
    document = validate(_record(path.name))
    html = render_html(document, lang)
    tree = _tree(html)
    form = document.form
    assert tree.get("lang") == lang
    assert tree.body.get("class") == f"kind-{document.kind} lang-{lang}"
    assert _text(tree.find_class("title")[0]) == title(document.kind, lang)
    assert [_text(e) for e in tree.find_class("draft-mark")] == [DRAFT[lang]]
    signature = tree.find_class("signature")[0]
    if form.issued:
        assert _text(signature).endswith(NOT_SIGNED[lang])
    else:  # the applicant signs: the form's empty line, nothing said about a signature
        lines = [_text(p) for p in signature.find_class("signature-line")]
        assert lines == [f"{APPLICANT_SIGNATURE[lang]}:"]
        assert NOT_SIGNED[lang] not in _text(signature)
    assert [_text(e) for e in tree.find_class("footer")] == [NO_FORCE[lang, ""]]
    caption = _text(tree.find_class("appendix")[0])
    assert kind_words(document.kind, lang)["services"][form.rules] in caption
    expected = (
        f"қағидаларына {form.appendix}-қосымша нысан"
        if lang == "kk"
        else f"Приложение {form.appendix} к Правилам оказания государственной услуги"
    )
    assert expected in caption
    assert caption.endswith("нысан" if lang == "kk" else "Форма")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "path", [p for p in RECORDS if not p.stem.startswith("refusal")], ids=lambda p: p.stem
)
def test_trade_document_shows_every_label_and_value(path, lang):
    document = validate(_record(path.name))
    tree = _tree(render_html(document, lang))
    assert len(tree.xpath("//td[@data-field]")) == 18
    for number, label in field_labels(document.kind, lang).items():
        cell = _field(tree, number)
        assert _text(cell.find_class("field-label")[0]).startswith(f"{number}. {label}")
    value = {n: _text(_field(tree, n).find_class("field-value")[0]) for n in range(1, 19)}
    assert value[1] == document.number
    assert _date(document.valid_from) in value[2] and _date(document.valid_to) in value[2]
    assert value[3].startswith({"export": "ЭКСПОРТ", "import": "ИМПОРТ"}[document.form.direction])
    assert document.applicant.name[lang] in value[5] and document.applicant.id in value[5]
    assert document.applicant.address[lang] in value[5]
    assert document.counterparty.name[lang] in value[6]
    assert classifiers.country_name(document.route_country, lang) in value[7]
    assert classifiers.country_name(document.counterparty_country, lang) in value[8]
    assert value[9] == f"{classifiers.currency_name(document.currency, lang)} ({document.currency})"
    assert value[10] == _amount(document.value)
    assert value[11] == _amount(document.statistical_value)
    assert value[12] == f"{classifiers.country_name(document.origin_country, lang)} " + (
        f"({document.origin_country})"
    )
    assert value[13].startswith(_quantity(document.quantity))
    assert value[14] == f"{classifiers.units()[document.unit].name[lang]} ({document.unit})"
    assert document.goods.hs_code in value[15] and document.goods.description[lang] in value[15]
    if document.additional_info is None:
        assert value[16] == "—"
    else:
        assert value[16] == document.additional_info[lang]
    if document.kind.startswith("application"):  # field 18: the person's date, else the document's
        assert _date(document.authorized_person.date or document.issued_on) in value[18]
    else:
        assert _date(document.issued_on) in value[18]


def test_wheat_licence_reads_as_forms_md_in_kazakh():
    tree = _tree(render_html(validate(_record("license-export-wheat.json")), "kk"))
    field = {n: _text(_field(tree, n)) for n in range(1, 19)}
    assert field[1] == "1. Лицензия № 01KZ260010000123"
    assert field[2] == "2. Қолдану кезеңі: 02.03.2026 бастап 01.03.2027 дейін"
    assert field[3] == "3. Лицензияның типі: ЭКСПОРТ, біржолғы"
    assert field[4] == "4. Келісімшарт: № CN-14/2026, 20.01.2026"
    assert field[5].endswith("БСН/ЖСН: 150440000013")
    assert field[7] == "7. Межелі ел Қытай (CN)"
    assert field[9] == "9. Келісімшарт валютасы АҚШ доллары (USD)"
    assert field[10] == "10. Құны 125 000,00"
    assert field[14] == "14. Өлшем бірлігі тонна (168)"
    assert field[17] == "17. Лицензия беру үшін негіз Сертификат № 0012345, 15.01.2026"
    assert field[18] == "18. Көліктік қолтаңба Күні: 02.03.2026 Қол қойылмаған"
    assert _text(tree.find_class("issuer")[0]) == (
        "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА КОМИТЕТІ"
    )


def test_wheat_licence_reads_as_forms_md_in_russian():
    tree = _tree(render_html(validate(_record("license-export-wheat.json")), "ru"))
    field = {n: _text(_field(tree, n)) for n in range(1, 19)}
    assert field[2] == "2. Период действия: с 02.03.2026 по 01.03.2027"
    assert field[3] == "3. Тип лицензии: ЭКСПОРТ, разовая"
    assert field[4] == "4. Контракт № CN-14/2026 от 20.01.2026"
    assert field[5].endswith("БИН/ИИН: 150440000013")
    assert field[8] == "8. Страна покупателя Китай (CN)"
    assert field[11] == "11. Статистическая стоимость 125 000,00"
    assert field[12] == "12. Страна происхождения Казахстан (KZ)"
    assert field[18] == "18. Транспортная подпись Дата: 02.03.2026 Не подписан"


@pytest.mark.parametrize(
    ("lang", "expected"), [("kk", "нөмірсіз, 20.01.2026"), ("ru", "б/н от 20.01.2026")]
)
def test_a_contract_without_number(lang, expected):
    record = {**_record("license-export-wheat.json"), "contract": {"date": "2026-01-20"}}
    tree = _tree(render_html(validate(record), lang))
    assert _text(_field(tree, 4).find_class("field-value")[0]) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_no_contract_and_no_additional_info_show_a_dash(lang):
    record = {**_record("license-export-wheat.json"), "license_type": "general"}
    del record["contract"], record["additional_info"]
    tree = _tree(render_html(validate(record), lang))
    assert _text(_field(tree, 4).find_class("field-value")[0]) == "—"
    assert _text(_field(tree, 16).find_class("field-value")[0]) == "—"
    expected = {"kk": "ЭКСПОРТ, бас", "ru": "ЭКСПОРТ, генеральная"}[lang]
    assert _text(_field(tree, 3).find_class("field-value")[0]) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_licence_basis_one_per_line(lang):
    record = {
        **_record("license-export-wheat.json"),
        "basis": ["Акт № 1 от 01.01.2026", "Заключение № 2"],
    }
    tree = _tree(render_html(validate(record), lang))
    lines = _field(tree, 17).xpath('.//div[@class="field-value"]/p')
    assert [_text(p) for p in lines] == ["Акт № 1 от 01.01.2026", "Заключение № 2"]


def _permit() -> dict:
    record = _record("license-export-wheat.json")
    # A licence's own fields; its application names the person a permit has in field 17.
    del record["license_type"], record["basis"], record["application"]
    return {
        **record,
        "kind": "permit-export",
        "number": "KZ26E0004512",
        "supplementary_quantity": {"quantity": "500000", "unit": "166"},
        "authorized_person": {
            "full_name": {"kk": "Серікбаев Ерлан Маратұлы", "ru": "Серикбаев Ерлан Маратович"},
            "position": "Директор",
            "phone": "+7 (7172) 55-90-12",
            "date": "2026-02-27",
        },
    }


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "kk",
            [
                "Тегі, аты, әкесінің аты (болған жағдайда): Серікбаев Ерлан Маратұлы",
                "Лауазымы: Директор",
                "Телефон: +7 (7172) 55-90-12",
                "Күні: 27.02.2026",
            ],
        ),
        (
            "ru",
            [
                "Фамилия, имя, отчество (при наличии): Серикбаев Ерлан Маратович",
                "Должность: Директор",
                "Телефон: +7 (7172) 55-90-12",
                "Дата: 27.02.2026",
            ],
        ),
    ],
)
def test_permit_shows_the_authorised_person_and_operation_only(lang, expected):
    tree = _tree(render_html(validate(_permit()), lang))
    lines = _field(tree, 17).xpath('.//div[@class="field-value"]/p')
    assert [_text(p) for p in lines] == expected
    assert _text(_field(tree, 3).find_class("field-value")[0]) == "ЭКСПОРТ"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "500 Қосымша өлшем бірлігінде: 500 000 — килограмм (166)"),
        ("ru", "500 В дополнительной единице измерения: 500 000 — килограмм (166)"),
    ],
)
def test_supplementary_quantity_with_its_unit(lang, expected):
    tree = _tree(render_html(validate(_permit()), lang))
    assert _text(_field(tree, 13).find_class("field-value")[0]) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_refusal_shows_header_labels_body_and_grounds(lang):
    document = validate(_record("refusal-several-grounds.json"))
    html = render_html(document, lang)
    tree = _tree(html)
    text = _body_text(html)
    header = _text(tree.find_class("refusal-header")[0])
    for part in (
        "Қазақстан Республикасының Сауда және интеграция министрлігі",
        "Астана қ., Мәңгілік Ел даңғылы, 8",
        "Министерство торговли и интеграции Республики Казахстан",
        "г. Астана, проспект Мангилик Ел, 8",
    ):
        assert part in header
    labels = field_labels("refusal", lang)
    for label in labels.values():
        assert label in text
    assert f"{labels['number']}: {document.number}" in text
    assert f"{labels['issued_on']}: {_date(document.issued_on)}" in text
    assert f"{labels['recipient']}: {document.recipient.name[lang]}" in text
    body = _text(tree.find_class("body")[0])
    number, when = document.application.number, _date(document.application.date)
    assert (
        body
        == {
            "kk": "Қазақстан Республикасы Сауда және интеграция министрлігі, "
            f"{when} жылғы № {number} Сіздің өтінішінізді қарастырып, келесіні хабарлайды:",
            "ru": "Министерство торговли и интеграции Республики Казахстан, рассмотрев Ваше "
            f"заявление от {when} № {number}, сообщает следующее:",
        }[lang]
    )
    items = tree.xpath('//ol[@class="grounds"]/li')
    assert [int(li.get("data-ground")) for li in items] == [g.code for g in document.grounds]
    for li, ground in zip(items, document.grounds, strict=True):
        assert _text(li).startswith(f"{ground.code}) ")
        if ground.details is not None:
            assert _text(li).endswith(ground.details[lang])
    signature = _text(tree.find_class("signature")[0])
    assert signature.startswith({"kk": "Көліктік қолтаңба", "ru": "Транспортная подпись"}[lang])


@pytest.mark.parametrize(
    ("lang", "code", "start"),
    [
        ("kk", 1, "1) көрсетілетін қызметті алушы лицензия алу үшін ұсынған құжаттарда"),
        ("kk", 7, "7) «Дербес деректер және оларды қорғау туралы» Қазақстан Республикасы Заңының"),
        ("ru", 2, "2) несоблюдение требований, предусмотренных пунктами 10, 11 и 12 Правил"),
        ("ru", 6, "6) невнесение лицензионного сбора за право занятия отдельными видами"),
    ],
)
def test_refusal_grounds_are_worded_in_the_documents_language(lang, code, start):
    record = {**_record("refusal-several-grounds.json"), "grounds": [{"code": code}]}
    tree = _tree(render_html(validate(record), lang))
    (item,) = tree.xpath('//ol[@class="grounds"]/li')
    assert _text(item).startswith(start)


def _hostile_records() -> list[tuple[dict, int]]:
    """Records with the payload in every free-text field, and how many fields carry it."""
    licence = _record("license-export-wheat.json")
    licence["applicant"] = {**licence["applicant"], "name": PAYLOAD, "address": PAYLOAD}
    licence["counterparty"] = {"name": PAYLOAD, "address": PAYLOAD}
    licence["goods"] = {**licence["goods"], "description": PAYLOAD}
    licence["additional_info"] = PAYLOAD
    licence["basis"] = [PAYLOAD, {"kk": PAYLOAD, "ru": PAYLOAD}]
    permit = _permit()
    permit["authorized_person"] = {
        **permit["authorized_person"],
        "full_name": PAYLOAD,
        "position": PAYLOAD,
    }
    refusal = _record("refusal-several-grounds.json")
    refusal["recipient"] = {**refusal["recipient"], "name": PAYLOAD, "address": PAYLOAD}
    refusal["grounds"] = [{"code": 1, "details": PAYLOAD}, {"code": 2, "details": PAYLOAD}]
    return [(licence, 8), (permit, 2), (refusal, 4)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("record", "count"), _hostile_records(), ids=["licence", "permit", "refusal"]
)
def test_record_text_is_escaped_never_markup_nor_template_code(record, count, lang):
    html = render_html(validate(record), lang)
    tree = _tree(html)
    assert tree.xpath("//script") == []
    assert tree.xpath("//img") == []
    assert "file:///" not in "".join(tree.xpath("//@src"))
    assert _body_text(html).count(PAYLOAD) == count
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("lang", LANGS)
def test_signed_document_shows_the_signature_and_no_draft_mark(lang):
    signature = _signature(qr_payloads=(b"first chunk", b"second chunk"))
    html = render_html(validate(_record("license-export-wheat.json")), lang, signature=signature)
    tree = _tree(html)
    assert tree.find_class("draft-mark") == []
    assert [_text(e) for e in tree.find_class("footer")] == [EQUIVALENT[lang]]
    text = _text(_field(tree, 18))
    assert NOT_SIGNED[lang] not in text
    words = {
        "kk": ("Қол қойған", "ЖСН", "БСН", "Сертификаттың сериялық нөмірі", "Қол қойылған уақыты"),
        "ru": ("Подписал", "ИИН", "БИН", "Серийный номер сертификата", "Время подписания"),
    }[lang]
    signer, iin, bin_, serial, when = words
    assert f"{signer}: ТЕСТОВ ТЕСТ ТЕСТОВИЧ" in text
    assert f"{iin}: 900115300013" in text and f"{bin_}: 150440000013" in text
    assert f"{serial}: 4a1f0c9be2d35e7f" in text
    assert "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)" in text and "RSA-SHA256" in text
    assert re.search(f"{when}[^:]*: 02.03.2026 09:05", text)  # 04:05 UTC is 09:05 in Astana
    sources = [img.get("src") for img in _field(tree, 18).xpath(".//img")]
    assert len(sources) == 2
    assert all(src.startswith("data:image/png;base64,") for src in sources)


def test_signature_without_qr_payloads_or_ids_renders_no_image():
    signature = _signature(iin=None, bin=None, test_certificate=True)
    html = render_html(validate(_record("refusal-one-ground.json")), "ru", signature=signature)
    tree = _tree(html)
    assert tree.xpath("//img") == []
    text = _text(tree.find_class("signature")[0])
    assert "ИИН" not in text and "БИН" not in text
    assert "тестовым сертификатом" in text
    assert tree.find_class("draft-mark") == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_html_keeps_to_the_contract_subset_and_fetches_nothing(path, lang):
    html = render_html(validate(_record(path.name)), lang)
    tree = _tree(html)
    assert html.startswith("<!DOCTYPE html>\n<html lang=")
    assert {e.tag for e in tree.iter() if isinstance(e.tag, str)} <= ALLOWED_TAGS
    assert len(tree.xpath('/html/body/div[@class="document"]')) == 1
    assert not re.search(r"(?i)(https?:|ftp:|file:|url\()", html)


def test_print_css_is_inlined_unescaped():
    html = render_html(validate(_record("license-export-wheat.json")), "kk")
    (style,) = _tree(html).xpath("//style")
    css = style.text
    assert '"Liberation Serif", "Times New Roman", serif' in css
    assert 'content: "— " counter(page) " —"' in css
    assert "size: A4" in css
    assert "&quot;" not in css and "&#34;" not in css


def test_rendering_is_deterministic():
    document = validate(_record("license-import-alcohol.json"))
    first = render_html(document, "ru", signature=_signature(qr_payloads=(b"x",)))
    environment.cache_clear()
    assert render_html(document, "ru", signature=_signature(qr_payloads=(b"x",))) == first


def test_a_raw_record_is_validated_first():
    html = render_html(_record("license-export-wheat.json"), "ru")
    assert "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ" in _body_text(html)


@pytest.mark.parametrize("lang", ["en", "KK", "", None, "kk/../ru"])
def test_an_unknown_language_is_refused(lang):
    with pytest.raises(UnsupportedFormatError, match="language must be one of kk, ru"):
        render_html(validate(_record("license-export-wheat.json")), lang)


def _user_folder(tmp_path: Path, files: dict[str, str]) -> Config:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Config(templates=tmp_path)


def test_a_user_template_overrides_the_shipped_one(tmp_path):
    config = _user_folder(
        tmp_path,
        {
            "ru/license-export.html": '{% extends "layout/trade.html" %}\n'
            '{% set title = "ЛИЦЕНЗИЯ (ПРОВЕРЕНО ЮРИСТОМ)" %}\n'
            "{% set labels = {1: 'Номер', 2: 'Срок', 3: 'Тип', 4: 'Контракт', 5: 'Заявитель',"
            " 6: 'Покупатель', 7: 'Куда', 8: 'Чья', 9: 'Валюта', 10: 'Цена', 11: 'Стат',"
            " 12: 'Откуда', 13: 'Сколько', 14: 'Чего', 15: 'Что', 16: 'Ещё', 17: 'Почему',"
            " 18: 'Подпись'} %}\n",
        },
    )
    document = validate(_record("license-export-wheat.json"))
    tree = _tree(render_html(document, "ru", config=config))
    assert _text(tree.find_class("title")[0]) == "ЛИЦЕНЗИЯ (ПРОВЕРЕНО ЮРИСТОМ)"
    assert _text(_field(tree, 7)) == "7. Куда Китай (CN)"
    footers = [_text(e) for e in tree.find_class("footer")]
    assert footers == [NO_FORCE["ru", ""]]  # shipped layout and words
    shipped = _tree(render_html(document, "kk", config=config))  # no user kk file: shipped one
    assert _text(shipped.find_class("title")[0]) == title(document.kind, "kk")


def test_a_user_words_file_changes_shared_wording(tmp_path):
    words = (Path(__file__).resolve().parent.parent / "templates/ru/words.html").read_text(
        encoding="utf-8"
    )
    config = _user_folder(tmp_path, {"ru/words.html": words.replace('"НЕ ПОДПИСАН"', '"ЧЕРНОВИК"')})
    tree = _tree(render_html(validate(_record("license-export-wheat.json")), "ru", config=config))
    assert [_text(e) for e in tree.find_class("draft-mark")] == ["ЧЕРНОВИК"]


def test_a_missing_template_is_named(tmp_path):
    config = _user_folder(tmp_path, {"ru/refusal.html": '{% extends "layout/letter.html" %}'})
    document = validate(_record("refusal-one-ground.json"))
    with pytest.raises(TemplateError, match=r"'layout/letter\.html' not found") as caught:
        render_html(document, "ru", config=config)
    assert caught.value.template == "layout/letter.html"
    assert isinstance(caught.value, LookupError)


def test_a_broken_template_is_named_with_its_line(tmp_path):
    config = _user_folder(tmp_path, {"kk/refusal.html": "<p>\n{% if %}\n"})
    with pytest.raises(TemplateError, match=r"'kk/refusal\.html', line 2") as caught:
        render_html(validate(_record("refusal-one-ground.json")), "kk", config=config)
    assert caught.value.template == "kk/refusal.html"


def test_an_undefined_name_in_a_template_is_an_error(tmp_path):
    config = _user_folder(tmp_path, {"kk/refusal.html": "<p>{{ document.no_such_field }}</p>"})
    with pytest.raises(TemplateError, match="no_such_field"):
        render_html(validate(_record("refusal-one-ground.json")), "kk", config=config)
