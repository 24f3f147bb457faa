"""The forms of Order 51-НҚ as structure: kinds, their rules and appendices, the numbered fields
and the record keys that fill them (FORMS.md).

No wording lives here: titles, labels, licence types, operations and service names are in the
templates (`templates/<lang>/`), read by `kzdocs.words` where Python needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kzdocs.errors import UnknownKindError

LANGS: tuple[str, ...] = ("kk", "ru")  # every document exists in Kazakh and in Russian
FORMATS: tuple[str, ...] = ("html", "xml", "pdf", "docx")  # what a document is rendered as
AS_CHOICES: tuple[str, ...] = ("application",)  # what `as_` / `--as` may ask for

Family = Literal["license", "permit", "refusal"]
Direction = Literal["export", "import"]
# Who makes the document: the state issues licences, permits and refusals; the applicant
# submits the applications for a licence and the drafts of a permit (Rules A and B, app. 1–2).
Author = Literal["issuer", "applicant"]


@dataclass(frozen=True)
class Label:
    kk: str
    ru: str

    def __getitem__(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.kk


@dataclass(frozen=True)
class Form:
    """One form of the order: its kind, the rules (A or B) and the appendix that approve it.

    An application belongs to the licence family and a permit draft to the permit family: they
    carry the same 18 fields as the document the applicant asks for, with the applicant's
    authorised person in field 18 (application) or 17 (draft).
    """

    kind: str
    family: Family
    direction: Direction | None
    rules: Literal["A", "B"]
    appendix: int
    author: Author = "issuer"

    @property
    def numbered(self) -> bool:
        """Licences, permits, applications and drafts have the 18 numbered fields; a refusal
        has none."""
        return self.family != "refusal"

    @property
    def issued(self) -> bool:
        """Issued by the state (licences, permits, refusals), not submitted by the applicant."""
        return self.author == "issuer"


FORMS: dict[str, Form] = {
    f.kind: f
    for f in (
        Form("license-export", "license", "export", "A", 5),
        Form("license-import", "license", "import", "A", 6),
        Form("permit-export", "permit", "export", "B", 5),
        Form("permit-import", "permit", "import", "B", 4),
        Form("refusal", "refusal", None, "A", 4),
        Form("application-export", "license", "export", "A", 1, "applicant"),
        Form("application-import", "license", "import", "A", 2, "applicant"),
        Form("permit-draft-export", "permit", "export", "B", 1, "applicant"),
        Form("permit-draft-import", "permit", "import", "B", 2, "applicant"),
    )
}

KINDS: tuple[str, ...] = tuple(FORMS)


def get_form(kind: object) -> Form:
    """The form of a kind, or `UnknownKindError`.

    >>> get_form("refusal").appendix
    4
    """
    if not isinstance(kind, str) or kind not in FORMS:
        raise UnknownKindError(kind, KINDS)
    return FORMS[kind]


FIELD_NUMBERS: tuple[int, ...] = tuple(range(1, 19))  # the numbered fields of a licence or permit


def field_numbers(kind: str) -> tuple[int, ...]:
    """The numbered fields of a kind's form: 1–18 for a licence or permit, none for a refusal."""
    return FIELD_NUMBERS if get_form(kind).numbered else ()


# Which form field each top-level record key fills (an application moves the authorised person
# to field 18: `field_of`).
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


# The keys of a licence or permit record that fill no field of its form, after the fields in
# the XML: the application the document answers (what `kzdocs.pairs` renders as the applicant's).
UNNUMBERED_KEYS: tuple[str, ...] = ("application",)


def field_of(kind: str, key: str) -> int | None:
    """The form field number a top-level record key fills; None on a refusal or for no field.

    >>> field_of("permit-draft-export", "authorized_person")
    17
    >>> field_of("application-export", "authorized_person")
    18
    """
    form = get_form(kind)
    if not form.numbered:
        return None
    if key == "authorized_person" and form.family == "license":
        return 18  # an application: field 17 is the licence basis (Rules A app. 1–2)
    return FIELD_OF_KEY.get(key)


# The refusal's parts, which carry no numbers on the form, in the order the form shows them.
REFUSAL_KEYS: tuple[str, ...] = (
    "number", "issued_on", "recipient", "application", "service", "grounds",
)  # fmt: skip

LICENSE_TYPES: tuple[str, ...] = ("one-time", "general", "exclusive")
DIRECTIONS: tuple[Direction, ...] = ("export", "import")
GROUNDS: tuple[int, ...] = tuple(range(1, 8))  # the grounds of refusal, Rules A clause 7

# The form the applicant submits for each issued licence and permit (Rules A app. 1–2, Rules B
# app. 1–2): one record of a case renders as both (`kzdocs.pairs`).
APPLICATION_OF: dict[str, str] = {
    "license-export": "application-export",
    "license-import": "application-import",
    "permit-export": "permit-draft-export",
    "permit-import": "permit-draft-import",
}
# The applicant's forms: signed with the applicant's own key, not the transport signature.
SIGNED_BY_APPLICANT: frozenset[str] = frozenset(
    kind for kind, form in FORMS.items() if form.author == "applicant"
)
