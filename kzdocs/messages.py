"""The messages of the rules in English, Kazakh and Russian.

A message is written in English in the code (the gettext msgid, with `{name}` placeholders) and
translated from the gettext catalogues in `kzdocs/locale/<lang>/LC_MESSAGES/kzdocs.po`, compiled
to the `.mo` files the package ships (see docs/messages.md for the pybabel commands). Each
language has its own translations object: nothing is installed process-wide and the locale is
never touched, so a host application's own gettext and locale stay as they are.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from kzdocs.errors import UnsupportedFormatError

MESSAGE_LANGS: tuple[str, ...] = ("en", "kk", "ru")  # English is the catalogues' source
DOMAIN = "kzdocs"
LOCALE = "kzdocs.locale"


def N_(text: str) -> str:
    """Marks English text as a message for `pybabel extract`; translated later, by `Message`."""
    return text


@dataclass(frozen=True)
class Message:
    """A message and its values; `text(lang)` says it in English, Kazakh or Russian.

    >>> said = message("{message}, got {value}", message=message("must be 10 digits"), value="'1'")
    >>> said.text("en"), said.text("kk")
    ("must be 10 digits, got '1'", "10 цифрдан тұруы керек, берілгені: '1'")
    """

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The message in `lang`; values are inserted as given, never translated themselves,
        and a value that is itself a Message is said in the same language."""
        values = {
            name: value.text(lang) if isinstance(value, Message) else str(value)
            for name, value in self.params
        }
        return translations(lang).gettext(self.msgid).format_map(values)

    def __str__(self) -> str:
        return self.text("en")


def message(msgid: str, **params: Any) -> Message:
    """`message("must be at most {bound}", bound=7)`: a Message with named values."""
    return Message(msgid, tuple(params.items()))


def got(said: Message, shown: str) -> Message:
    """«…, got '2026-13-01'»: a rule's message and the value as `shown` (its repr, or shorter)."""
    return message(N_("{message}, got {value}"), message=said, value=shown)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of one language, read once from the shipped catalogue."""
    if lang not in MESSAGE_LANGS:
        raise UnsupportedFormatError(f"messages exist in {', '.join(MESSAGE_LANGS)}, got {lang!r}")
    if lang == "en":
        return gettext.NullTranslations()
    from babel.support import Translations  # here: the command's parser needs no catalogue

    compiled = files(LOCALE).joinpath(lang, "LC_MESSAGES", f"{DOMAIN}.mo").read_bytes()
    return Translations(io.BytesIO(compiled), domain=DOMAIN)
