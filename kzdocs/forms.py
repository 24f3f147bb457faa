"""The forms of Order 51-НҚ: kinds, their 18 numbered fields and labels in kk and ru (FORMS.md).

The templates hold the wording of the documents; this catalogue names the fields for error
messages, the JSON Schema and the template checks, so both must agree (tests hold them to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kzdocs.errors import UnknownKindError

LANGS: tuple[str, ...] = ("kk", "ru")  # every document exists in Kazakh and in Russian

Family = Literal["license", "permit", "refusal"]
Direction = Literal["export", "import"]


@dataclass(frozen=True)
class Label:
    kk: str
    ru: str

    def __getitem__(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.kk


@dataclass(frozen=True)
class Form:
    """One issued document: its kind, rules, appendix and title."""

    kind: str
    family: Family
    direction: Direction | None
    rules: Literal["A", "B"]
    appendix: int
    title: Label

    @property
    def numbered(self) -> bool:
        """Licences and permits have the 18 numbered fields; a refusal has none."""
        return self.family != "refusal"


FORMS: dict[str, Form] = {
    f.kind: f
    for f in (
        Form(
            "license-export", "license", "export", "A", 5,
            Label("ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ЭКСПОРТЫНА ЛИЦЕНЗИЯ",
                  "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ"),
        ),
        Form(
            "license-import", "license", "import", "A", 6,
            Label("ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ИМПОРТЫНА ЛИЦЕНЗИЯ",
                  "ЛИЦЕНЗИЯ НА ИМПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ"),
        ),
        Form(
            "permit-export", "permit", "export", "B", 5,
            Label("ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІН ЭКСПОРТТАУҒА РҰҚСАТ БЕРУ",
                  "РАЗРЕШЕНИЕ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ"),
        ),
        Form(
            "permit-import", "permit", "import", "B", 4,
            Label("ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІН ИМПОРТТАУҒА РҰҚСАТ БЕРУ",
                  "РАЗРЕШЕНИЕ НА ИМПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ"),
        ),
        Form("refusal", "refusal", None, "A", 4,
             Label("Дәлелді бас тарту", "Мотивированный отказ")),
    )
}  # fmt: skip

KINDS: tuple[str, ...] = tuple(FORMS)

# The state services whose rules the appendix caption cites.
SERVICES: dict[str, Label] = {
    "A": Label(
        "Тауарлардың жекелеген түрлерінің импортына және (немесе) экспортына лицензия беру",
        "Выдача лицензии на импорт и (или) экспорт отдельных видов товаров",
    ),
    "B": Label(
        "Қазақстан Республикасының аумағында тауарлардың жекелеген түрлерінің экспортына және "
        "(немесе) импортына рұқсат беру",
        "Выдача разрешения на экспорт и (или) импорт отдельных видов товаров на территории "
        "Республики Казахстан",
    ),
}


def get_form(kind: object) -> Form:
    """The form of a kind, or `UnknownKindError`.

    >>> get_form("refusal").title.kk
    'Дәлелді бас тарту'
    """
    if not isinstance(kind, str) or kind not in FORMS:
        raise UnknownKindError(kind, KINDS)
    return FORMS[kind]


_COMMON = {
    2: Label("Қолдану кезеңі", "Период действия"),
    4: Label("Келісімшарт", "Контракт"),
    5: Label("Өтініш беруші", "Заявитель"),
    9: Label("Келісімшарт валютасы", "Валюта контракта"),
    10: Label("Құны", "Стоимость"),
    11: Label("Статистикалық құны", "Статистическая стоимость"),
    12: Label("Шығарылған елі", "Страна происхождения"),
    13: Label("Саны", "Количество"),
    14: Label("Өлшем бірлігі", "Единица измерения"),
    15: Label(
        "Сыртқы экономикалық қызметтің Бірыңғай тауар номенклатурасы бойынша тауардың коды және "
        "оның сипаттамасы",
        "Код товара по ТН ВЭД ЕАЭС и его описание",
    ),
    16: Label("Қосымша ақпарат", "Дополнительная информация"),
    18: Label("Көліктік қолтаңба", "Транспортная подпись"),
}
_BY_FAMILY = {
    "license": {
        1: Label("Лицензия №", "Лицензия №"),
        3: Label("Лицензияның типі", "Тип лицензии"),
        17: Label("Лицензия беру үшін негіз", "Основание для выдачи лицензии"),
    },
    "permit": {
        1: Label("Рұқсат №", "Разрешение №"),
        3: Label("Рұқсат түрі", "Тип разрешения"),
        17: Label("Өтініш берушінің уәкілетті тұлғасы", "Уполномоченное лицо заявителя"),
    },
}
_BY_DIRECTION = {
    "export": {
        6: Label("Сатып алушы", "Покупатель"),
        7: Label("Межелі ел", "Страна назначения"),
        8: Label("Сатып алушының елі", "Страна покупателя"),
    },
    "import": {
        6: Label("Сатушы", "Продавец"),
        7: Label("Жөнелту елі", "Страна отправления"),
        8: Label("Сатушының елі", "Страна продавца"),
    },
}


# Labels one form words differently from the others, as the seed prints it.
_BY_KIND = {
    # Rules A app. 6 writes «бірыңғай» in lower case, unlike the other three forms.
    "license-import": {
        15: Label(
            "Сыртқы экономикалық қызметтің бірыңғай тауар номенклатурасы бойынша тауардың коды "
            "және оның сипаттамасы",
            "Код товара по ТН ВЭД ЕАЭС и его описание",
        ),
    },
}


def field_labels(kind: str) -> dict[int, Label]:
    """The labels of fields 1–18 of a licence or permit, by number; empty for a refusal."""
    form = get_form(kind)
    if not form.numbered:
        return {}
    labels = {**_COMMON, **_BY_FAMILY[form.family], **_BY_DIRECTION[form.direction]}
    labels |= _BY_KIND.get(kind, {})
    return dict(sorted(labels.items()))


# Which form field each top-level record key fills.
FIELD_OF_KEY: dict[str, int] = {
    "number": 1,
    "valid_from": 2,
    "valid_to": 2,
    "license_type": 3,
    "contract": 4,
    "applicant": 5,
    "counterparty": 6,
    "route_country": 7,
    "counterparty_country": 8,
    "currency": 9,
    "value": 10,
    "statistical_value": 11,
    "origin_country": 12,
    "quantity": 13,
    "supplementary_quantity": 13,
    "unit": 14,
    "goods": 15,
    "additional_info": 16,
    "basis": 17,
    "authorized_person": 17,
    "issued_on": 18,
}

# Labels of the refusal's parts, which carry no numbers on the form.
REFUSAL_LABELS: dict[str, Label] = {
    "number": Label("Реттік нөмері", "Исходящий номер"),
    "issued_on": Label("Күні", "Дата"),
    "recipient": Label("Кімге", "Кому"),
    "application": Label("Өтініш", "Заявление"),
    "service": Label("Мемлекеттік қызмет", "Государственная услуга"),
    "grounds": Label("Бас тарту негіздері", "Основания для отказа"),
}

LICENSE_TYPES: dict[str, Label] = {
    "one-time": Label("біржолғы", "разовая"),
    "general": Label("бас", "генеральная"),
    "exclusive": Label("айрықша", "исключительная"),
}

OPERATIONS: dict[str, Label] = {
    "export": Label("ЭКСПОРТ", "ЭКСПОРТ"),
    "import": Label("ИМПОРТ", "ИМПОРТ"),
}


def label_of(kind: str, key: str) -> tuple[int | None, Label]:
    """The form field number and label of a top-level record key (None, empty label if none)."""
    form = FORMS.get(kind)
    if form is None:
        return None, Label("", "")
    if not form.numbered:
        return None, REFUSAL_LABELS.get(key, Label("", ""))
    number = FIELD_OF_KEY.get(key)
    if number is None:
        return None, Label("", "")
    return number, field_labels(kind)[number]
