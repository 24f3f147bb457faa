"""The applicant's forms (issue 16): the applications for a licence (Rules A app. 1–2) and the
drafts of a permit (Rules B app. 1–2) in kk and ru, as HTML, PDF and DOCX — every label of the
seed's form (its slips corrected as FORMS.md and the forms ledger say), the draft's authorised
body, the authorised person with the empty signature line, the consent line, the notes and the
formatted values. The wording is written out here, apart from the templates, so that a changed
template fails the test."""

import io
import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from kzdocs import render
from kzdocs.docx import docx_text
from kzdocs.forms import FORMS, KINDS, field_of
from kzdocs.html import render_html
from kzdocs.schema import validate
from kzdocs.sign import Signature

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APPLICANT_KINDS = [kind for kind in KINDS if not FORMS[kind].issued]
RECORDS = sorted(
    p for p in FIXTURES.glob("*.json") if p.stem.startswith(("application-", "permit-draft-"))
)
# The watermark of an unsigned PDF, which its text extraction mixes into the lines it crosses.
DRAFT_MARK = re.compile(r"\b(ҚОЛ ҚОЙЫЛМАҒАН|НЕ ПОДПИСАН)\b")
# One fixture a kind is rendered as PDF and DOCX too (the others as HTML): PDFs cost time.
PRINTED = {
    "application-export": "application-export-wheat",
    "application-import": "application-import-alcohol",
    "permit-draft-export": "permit-draft-export-flour",
    "permit-draft-import": "permit-draft-import-cattle",
}

# The labels every form shares: fields 9–14 and 16.
_COMMON = {
    "kk": {9: "Келісімшарт валютасы", 10: "Құны", 11: "Статистикалық құны", 12: "Шығарылған елі",
           13: "Саны", 14: "Өлшем бірлігі", 16: "Қосымша ақпарат"},
    "ru": {9: "Валюта контракта", 10: "Стоимость", 11: "Статистическая стоимость",
           12: "Страна происхождения", 13: "Количество", 14: "Единица измерения",
           16: "Дополнительная информация"},
}  # fmt: skip
# Fields 6–8: the buyer and the destination on export, the seller and the dispatch on import.
_PARTY = {
    ("kk", "export"): {6: "Сатып алушы", 7: "Межелі ел", 8: "Сатып алушының елі"},
    ("kk", "import"): {6: "Сатушы", 7: "Жөнелту елі", 8: "Сатушының елі"},
    ("ru", "export"): {6: "Покупатель", 7: "Страна назначения", 8: "Страна покупателя"},
    ("ru", "import"): {6: "Продавец", 7: "Страна отправления", 8: "Страна продавца"},
}
_PERSON = {"kk": "Өтініш берушінің уәкілетті адамы", "ru": "Уполномоченное лицо заявителя"}
_OWN = {
    ("kk", "license"): {
        1: "Өтініш №", 2: "Қолданылу кезеңі:", 3: "Лицензияның типі:", 4: "Келісімшарт:",
        5: "Өтініш беруші", 15: "СЭҚ БТН бойынша тауардың коды және оның сипаттамасы",
        17: "Лицензия беру үшін негіз", 18: _PERSON["kk"],
    },
    ("kk", "permit"): {
        1: "Рұқсат №", 2: "Қолданылу кезеңі:", 3: "Рұқсаттың типі:", 4: "Келісімшарт:",
        5: "Өтініш беруші",
        15: "Сыртқы экономикалық қызметтің бірыңғай тауар номенклатурасы бойынша тауардың коды "
            "және оның сипаттамасы",
        17: _PERSON["kk"], 18: "Көліктік қолтаңба",
    },
    ("ru", "license"): {
        1: "Заявление №", 2: "Период действия:", 3: "Тип лицензии:", 4: "Контракт",
        5: "Заявитель", 15: "Код товара по ТН ВЭД ЕАЭС и его описание",
        17: "Основание для выдачи лицензии", 18: _PERSON["ru"],
    },
    ("ru", "permit"): {
        1: "Разрешение №", 2: "Период действия:", 3: "Тип разрешения:", 4: "Контракт",
        5: "Заявитель", 15: "Код товара по ТН ВЭД ЕАЭС и его описание",
        17: _PERSON["ru"], 18: "Транспортная подпись",
    },
}  # fmt: skip
TITLES = {
    (
        "kk",
        "application-export",
    ): "Жекелеген тауар түрлерінің экспортына лицензия беру туралы өтініш",
    (
        "kk",
        "application-import",
    ): "Жекелеген тауар түрлерінің импортына лицензия беру туралы өтініш",
    ("kk", "permit-draft-export"): "Жекелеген тауарлар түрлерінің экспортына рұқсат беру жобасы",
    ("kk", "permit-draft-import"): "Жекелеген тауарлар түрлерінің импортына рұқсат беру жобасы",
    ("ru", "application-export"): "Заявление на выдачу лицензии на экспорт отдельных видов товаров",
    ("ru", "application-import"): "Заявление на выдачу лицензии на импорт отдельных видов товаров",
    ("ru", "permit-draft-export"): "Проект разрешения на экспорт отдельных видов товаров",
    ("ru", "permit-draft-import"): "Проект разрешения на импорт отдельных видов товаров",
}
SUB_LABELS = {
    "kk": ["Тегі, аты, әкесінің аты (болған жағдайда)", "Лауазымы", "Телефоны",
           "Қолы және мөрі (болған жағдайда)", "Күні"],
    "ru": ["Фамилия, имя, отчество (при наличии)", "Должность", "Телефон",
           "Подпись и печать (при наличии)", "Дата"],
}  # fmt: skip
AUTHORITY = {
    "kk": "Уәкілетті орган: ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА "
    "КОМИТЕТІ",
    "ru": "Уполномоченный орган: КОМИТЕТ ТОРГОВЛИ МИНИСТЕРСТВА ТОРГОВЛИ И ИНТЕГРАЦИИ РЕСПУБЛИКИ "
    "КАЗАХСТАН",
}
CONSENT = {
    "kk": "Ақпараттық жүйелерде қамтылған, заңмен қорғалатын құпияны құрайтын мәліметтерді "
    "пайдалануға келісемін. {date} (қолы)",
    "ru": "Согласен на использование сведений, составляющих охраняемую законом тайну, "
    "содержащихся в информационных системах. {date} (подпись)",
}
_OPERATION = {("kk", "export"): "экспортына", ("kk", "import"): "импортына",
              ("ru", "export"): "экспорт", ("ru", "import"): "импорт"}  # fmt: skip


def _note(lang: str, kind: str) -> str:
    form = FORMS[kind]
    op = _OPERATION[lang, form.direction]
    if lang == "kk" and form.family == "license":
        return (
            f"Ескертпе. Тауарлардың жекелеген түрлерінің {op} лицензия беру туралы өтінішті "
            "көрсетілетін қызметті алушы Еуразиялық экономикалық комиссия алқасының 2014 жылғы "
            "6 қарашадағы № 199 шешімімен бекітілген Тауарлардың жекелеген түрлерінің экспортына "
            "және (немесе) импортына лицензия беруге өтініш ресімдеу туралы және осындай "
            "лицензияны ресімдеу туралы нұсқаулыққа қатаң сәйкестікте толтырады."
        )
    if lang == "kk":  # the seed's «лицензия беру туралы өтінішті» corrected (ledger #27)
        return (
            f"Ескертпе. Тауарлардың жекелеген түрлерінің {op} рұқсат беру жобасын көрсетілетін "
            "қызметті алушы Еуразиялық экономикалық комиссия Алқасының 2014 жылғы 6 қарашадағы "
            "№ 199 шешімімен бекітілген Тауарлардың жекелеген түрлерінің экспортына және (немесе) "
            "импортына рұқсатты ресімдеу туралы нұсқаулығына қатаң сәйкестікте толтырады."
        )
    instruction = (
        "Инструкцией об оформлении заявления на выдачу лицензии на экспорт и (или) импорт "
        "отдельных видов товаров и об оформлении такой лицензии"
        if form.family == "license"
        else "Инструкцией об оформлении разрешения на экспорт и (или) импорт отдельных видов "
        "товаров"
    )
    what = "Заявление на выдачу лицензии" if form.family == "license" else "Проект разрешения"
    return (
        f"Примечание. {what} на {op} отдельных видов товаров заполняется услугополучателем в "
        f"строгом соответствии с {instruction}, утвержденной Решением Коллегии Евразийской "
        "экономической комиссии от 6 ноября 2014 года № 199."
    )


LEGENDS = {
    "kk": ["КК.АА.ЖЖЖЖ – КК – күн, АА – ай, ЖЖЖЖ – жыл.",
           "СЭҚ БТН – Сыртқы экономикалық қызметтің бірыңғай тауар номенклатурасы."],
    "ru": ["ДД.ММ.ГГГГ – ДД – день, ММ – месяц, ГГГГ – год.",
           "ТН ВЭД ЕАЭС – единая Товарная номенклатура внешнеэкономической деятельности "
           "Евразийского экономического союза."],
}  # fmt: skip


def labels(lang: str, kind: str) -> dict[int, str]:
    form = FORMS[kind]
    return {
        **_COMMON[lang],
        **_PARTY[lang, form.direction],
        **_OWN[lang, form.family],
    }


def _record(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _date(value) -> str:
    return value.strftime("%d.%m.%Y")


def _field(tree, number: int):
    (cell,) = tree.xpath(f'//table[@class="fields"]//td[@data-field="{number}"]')
    return cell


@cache
def _html(path: Path, lang: str) -> str:
    return render(_record(path), lang=lang, format="html").decode()


@cache
def _pdf(kind: str, lang: str) -> bytes:
    return render(_record(FIXTURES / f"{PRINTED[kind]}.json"), lang=lang, format="pdf")


@cache
def _printed(kind: str, lang: str) -> dict[str, str]:
    record = _record(FIXTURES / f"{PRINTED[kind]}.json")
    pdf = PdfReader(io.BytesIO(_pdf(kind, lang)))
    return {
        "pdf": DRAFT_MARK.sub(" ", " ".join(page.extract_text() for page in pdf.pages)),
        "docx": docx_text(render(record, lang=lang, format="docx")),
    }


def _flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _expected_texts(document, lang: str) -> list[str]:
    """Every wording of the form and every formatted value the page must show."""
    kind = document.kind
    form = FORMS[kind]
    person = document.authorized_person
    texts = [TITLES[lang, kind], *labels(lang, kind).values(), *SUB_LABELS[lang]]
    texts += [_note(lang, kind), *LEGENDS[lang]]
    if form.family == "license":
        texts.append(CONSENT[lang].format(date=_date(document.issued_on)))
    else:
        texts.append(AUTHORITY[lang])
    texts += [document.number, _date(document.valid_from), _date(document.valid_to)]
    texts += [document.applicant.id, document.goods.hs_code, person.phone, person.full_name[lang]]
    texts += [_date(person.date or document.issued_on), person.position[lang]]
    return texts


def test_the_four_applicant_kinds_are_registered_with_their_appendices():
    assert APPLICANT_KINDS == [
        "application-export", "application-import", "permit-draft-export", "permit-draft-import",
    ]  # fmt: skip
    assert [(FORMS[k].family, FORMS[k].rules, FORMS[k].appendix) for k in APPLICANT_KINDS] == [
        ("license", "A", 1), ("license", "A", 2), ("permit", "B", 1), ("permit", "B", 2),
    ]  # fmt: skip
    issued = [kind for kind in KINDS if FORMS[kind].issued]
    assert issued == [
        "license-export",
        "license-import",
        "permit-export",
        "permit-import",
        "refusal",
    ]


def test_two_fixtures_a_kind():
    kinds = [validate(_record(p)).kind for p in RECORDS]
    assert kinds == sorted(k for k in APPLICANT_KINDS for _ in "12")
    assert all(p.stem.startswith(f"{kind}-") for p, kind in zip(RECORDS, kinds, strict=True))


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_html_shows_the_seed_form_field_by_field(path, lang):
    document = validate(_record(path))
    form = document.form
    tree = lxml.html.document_fromstring(_html(path, lang))
    assert _text(tree.find_class("title")[0]) == TITLES[lang, document.kind]
    for number, label in labels(lang, document.kind).items():
        cell_label = _text(_field(tree, number).find_class("field-label")[0])
        assert cell_label == f"{number}. {label}"
    value = {n: _text(_field(tree, n).find_class("field-value")[0]) for n in range(1, 19)}
    assert value[1] == document.number
    operation = {"export": "ЭКСПОРТ", "import": "ИМПОРТ"}[form.direction]
    assert value[3].split(",")[0] == operation  # an import application says ИМПОРТ (ledger #24)
    person_field = field_of(document.kind, "authorized_person")
    person = document.authorized_person
    lines = [_text(p) for p in _field(tree, person_field).xpath('.//div[@class="field-value"]/p')]
    name, position, phone, signature, day = SUB_LABELS[lang]
    assert lines == [
        f"{name}: {person.full_name[lang]}",
        f"{position}: {person.position[lang]}",
        f"{phone}: {person.phone}",
        f"{signature}:",  # the empty line the applicant signs on
        f"{day}: {_date(person.date or document.issued_on)}",
    ]
    if form.family == "license":
        assert [_text(e) for e in tree.find_class("consent")] == [
            CONSENT[lang].format(date=_date(document.issued_on))
        ]
        assert not tree.find_class("authority")
        period_end = {"kk": "қоса алғанда", "ru": "включительно"}[lang]
        assert value[2].endswith(f"{_date(document.valid_to)} {period_end}")
    else:
        assert not tree.find_class("consent")
        assert [_text(e) for e in tree.find_class("authority")] == [AUTHORITY[lang]]
        assert value[18] == f"{SUB_LABELS[lang][4]}: {_date(document.issued_on)}"
    notes = [_text(p) for p in tree.find_class("notes")[0].findall("p")]
    assert notes == [_note(lang, document.kind), *LEGENDS[lang]]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_the_seeds_slips_are_not_rendered(path, lang):
    kind = validate(_record(path)).kind
    text = _text(lxml.html.document_fromstring(_html(path, lang)).body)
    assert not re.search(r"(?<!Ж)Ж{2,3}(?!Ж)", text)  # «ЖЖ – жыл», «ЖЖЖ.КК.АА» (ledger #28)
    if lang == "kk":
        assert "стоимость" not in text  # «Статистикалық құны стоимость» (ledger #25)
    if lang == "kk" and FORMS[kind].family == "permit":
        assert "өтінішті" not in text  # the draft's note spoke of an application (ledger #27)
    if FORMS[kind].direction == "import":  # seller labels on import forms (ledger #24, #26)
        buyer = {"kk": ("Сатып алушы", "Межелі ел"), "ru": ("Покупател", "Страна назначения")}
        assert not [word for word in buyer[lang] if word in text]
        assert "ЭКСПОРТ" not in text  # the import application's field 3 (ledger #24)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("kind", APPLICANT_KINDS)
def test_pdf_and_docx_carry_every_wording_and_value(kind, lang, fmt):
    document = validate(_record(FIXTURES / f"{PRINTED[kind]}.json"))
    shown = _flat(_printed(kind, lang)[fmt])
    for expected in _expected_texts(document, lang):
        assert _flat(expected) in shown, f"{fmt} lacks {expected!r}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("kind", APPLICANT_KINDS)
def test_a_signed_form_carries_the_signature_in_the_authorised_persons_field(kind, lang):
    document = validate(_record(FIXTURES / f"{PRINTED[kind]}.json"))
    signature = Signature(
        subject="ЖАҚСЫБЕКОВ АЙДАР",
        serial="4a1f0c9be2d35e7f",
        issuer="ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)",
        algorithm="RSA-SHA256",
        signed_at=datetime(2026, 2, 27, 4, 5, tzinfo=UTC),
        iin="900115300013",
    )
    tree = lxml.html.document_fromstring(render_html(document, lang, signature=signature))
    assert not tree.find_class("draft-mark")
    (block,) = tree.find_class("signature")
    assert block.get("data-field") == str(field_of(kind, "authorized_person"))
    assert "ЖАҚСЫБЕКОВ АЙДАР" in _text(block) and "4a1f0c9be2d35e7f" in _text(block)
    others = [c for c in tree.xpath("//td[@data-field]") if c is not block]
    assert not any("4a1f0c9be2d35e7f" in _text(c) for c in others)


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("kind", APPLICANT_KINDS)
def test_the_pdf_is_pdfa_3b_by_the_applicant_and_carries_its_record(kind, lang):
    from kzdocs.pdf import extract_xml
    from kzdocs.xml import to_xml

    document = validate(_record(FIXTURES / f"{PRINTED[kind]}.json"))
    pdf = _pdf(kind, lang)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert reader.metadata.author == document.applicant.name[lang]  # not the committee
    assert reader.metadata.title == TITLES[lang, kind] + f" № {document.number}"
    assert f"<xmp:CreateDate>{document.issued_on.isoformat()}T00:00:00+05:00</" in xmp
    assert extract_xml(pdf) == to_xml(document)


@pytest.mark.parametrize("kind", ["application-import", "permit-draft-export"])
def test_docx_styles_the_consent_line_and_the_notes(kind):
    import docx

    record = _record(FIXTURES / f"{PRINTED[kind]}.json")
    document = docx.Document(io.BytesIO(render(record, lang="kk", format="docx")))
    styled = [(p.style.style_id, p.text) for p in document.paragraphs]
    notes = [text for style, text in styled if style == "KzNote"]
    assert notes == [_note("kk", kind), *LEGENDS["kk"]]
    consent = [text for style, text in styled if style == "KzConsent"]
    date = _date(validate(record).issued_on)
    assert consent == ([CONSENT["kk"].format(date=date)] if kind.startswith("application") else [])
    assert ("KzIssuer", AUTHORITY["kk"]) in styled or kind.startswith("application")


def test_the_cli_renders_validates_and_describes_the_applicant_forms(tmp_path, capsys):
    from kzdocs.cli import main

    sources = [str(FIXTURES / f"{stem}.json") for stem in PRINTED.values()]
    assert main(["validate", *sources]) == 0
    assert (
        main(["render", *sources, "--lang", "kk,ru", "--format", "html,xml", "-o", f"{tmp_path}/"])
        == 0
    )
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        f"{s}.{e}" for s in PRINTED.values() for e in ("kk.html", "ru.html", "xml")
    )
    html = (tmp_path / "application-import-alcohol.ru.html").read_text(encoding="utf-8")
    assert CONSENT["ru"].format(date="13.02.2026") in _text(lxml.html.fromstring(html))
    capsys.readouterr()
    assert main(["schema", "application-import"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["authorized_person"]["x-form-field"] == 18
    assert schema["properties"]["number"]["maxLength"] == 50
    broken = FIXTURES / "invalid" / "required--authorized-person--application.json"
    assert main(["validate", str(broken)]) == 1
    said = capsys.readouterr().out
    assert "field 18 (Өтініш берушінің уәкілетті адамы) authorized_person: is required" in said
