"""Every error kzdocs raises; each also inherits the builtin a caller would catch."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class KzdocsError(Exception):
    """Base of every kzdocs error."""


@dataclass(frozen=True)
class FieldError:
    """One broken rule of a record: where (form field and JSON path), which rule, what value;
    the message in English (`message`), Kazakh and Russian."""

    field: int | None
    label_kk: str
    label_ru: str
    path: str
    rule: str
    message: str
    value: Any = None
    message_kk: str = ""
    message_ru: str = ""

    def label(self, lang: str = "kk") -> str:
        """The field's label in kk or ru; English messages name it in Kazakh, the state language
        (the forms have no English labels)."""
        return self.label_ru if lang == "ru" else self.label_kk

    def text(self, lang: str = "en") -> str:
        """The message in 'en', 'kk' or 'ru'."""
        return {"kk": self.message_kk, "ru": self.message_ru}.get(lang) or self.message

    def describe(self, lang: str = "en") -> str:
        """«field 15 (Код товара…) goods.hs_code: must be 10 digits, got '10019900'», in English,
        Kazakh («15-баған (…) …») or Russian («графа 15 (…) …»)."""
        from kzdocs.messages import N_, message

        where = message(N_("field {number}"), number=self.field) if self.field is not None else None
        where = (where or message(N_("record"))).text(lang)
        label = self.label(lang)
        label = f" ({label})" if label else ""
        return f"{where}{label} {self.path or '<root>'}: {self.text(lang)}"

    def as_json(self) -> dict[str, Any]:
        """The shape `kzdocs validate --json` prints."""
        data = asdict(self)
        value = _jsonable(data.pop("value"))
        return {**data, "value": value}


def _jsonable(value: Any) -> Any:
    if isinstance(value, str):  # half a character ("\ud800") is written escaped: no encoding has it
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {_jsonable(str(k)): _jsonable(v) for k, v in value.items()}
    return str(value)


class ValidationError(KzdocsError, ValueError):
    """A record broke one or more rules; `errors` lists every one of them."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        lines = "\n".join(f"  - {e.describe()}" for e in self.errors)
        super().__init__(f"{len(self.errors)} error(s) in the record:\n{lines}")


class UnknownKindError(KzdocsError, LookupError):
    """A document kind kzdocs does not know."""

    def __init__(self, kind: object, known: tuple[str, ...]):
        self.kind = kind
        self.known = known
        super().__init__(f"unknown document kind {kind!r}; known kinds: {', '.join(known)}")


class RecordFileError(KzdocsError, OSError):
    """A record file that cannot be read or is not a JSON object."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class OutputError(KzdocsError, OSError):
    """An output file that cannot be written: `path` names it, `reason` says why."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: cannot be written: {reason}")


class OutputClashError(KzdocsError, ValueError):
    """Record files that would write documents of the same name; `clashes` groups them."""

    def __init__(self, clashes: list[tuple[str, ...]]):
        self.clashes = clashes
        groups = "; ".join(" and ".join(group) for group in clashes)
        super().__init__(
            f"records with the same file name would overwrite each other's documents: {groups}; "
            "rename them or render them into different folders"
        )


class UnsupportedFormatError(KzdocsError, ValueError):
    """An output format or language kzdocs cannot produce."""


class TemplateError(KzdocsError, LookupError):
    """A template that is missing or that failed to render; `template` names the file and
    `line` the line of a syntax error."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None):
        self.template = template
        self.line = line
        super().__init__(message)


class XmlError(KzdocsError, ValueError):
    """XML that is malformed, unsafe, or does not validate against the shipped XSD; `message` is
    the parser's or validator's own, `line` and `path` (an XPath) locate it where known."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None):
        self.message = message
        self.line = line
        self.path = path
        super().__init__(f"line {line}: {message}" if line else message)


class ConfigError(KzdocsError, ValueError):
    """A configuration value (issuer, number pattern, template folder) that cannot be used."""


class RenderError(KzdocsError, RuntimeError):
    """A document that failed in the PDF or DOCX stage."""


class ResourceBlockedError(KzdocsError, PermissionError):
    """The renderer asked for a URL that is not one of kzdocs' own resources."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(f"refused to fetch {url!r}: only kzdocs' own resources may be loaded")


class MissingGlyphError(RenderError):
    """Text the shipped fonts cannot draw: the PDF would show empty boxes instead."""

    def __init__(self, characters: str):
        self.characters = characters
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters)
        super().__init__(f"the shipped fonts have no glyph for {shown}")


class EmbeddedXmlError(KzdocsError, LookupError):
    """A PDF that does not carry the record XML kzdocs embeds, or is not a readable PDF."""

    def __init__(self, reason: str, attachments: tuple[str, ...] = ()):
        self.reason = reason
        self.attachments = attachments
        found = f"; attachments found: {', '.join(attachments)}" if attachments else ""
        super().__init__(f"{reason}{found}")


class SigningError(KzdocsError, RuntimeError):
    """Signing failed: wrong password, unusable key or certificate, signer unreachable."""


class ApplicantKeyError(SigningError, ValueError):
    """An application or permit draft signed with a key that is not its applicant's: the
    certificate does not name field 5's BIN/IIN (kzdocs.sign.applicant)."""


class PreviewRequestError(KzdocsError, ValueError):
    """A request of the preview page that cannot be done; `status` is the HTTP status it gets."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


class VerificationError(KzdocsError, ValueError):
    """A signature that is missing, invalid or does not match the document."""


class ServiceError(KzdocsError, RuntimeError):
    """An HTTP answer of the service that is not a document: `status`, a short `error` code and
    a `message` for people, as the JSON error body carries them."""

    def __init__(self, status: int, error: str, message: str, **extra: object):
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra
        super().__init__(f"{status} {error}: {message}")


class QrPayloadError(KzdocsError, ValueError):
    """QR code contents that do not make one signed XML (docs/qr-payload.md): the reason."""
