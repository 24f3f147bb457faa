"""Every rule's message in English, Kazakh and Russian: the catalogues are complete, compiled and
current, every error of every invalid fixture reads in all three, values are quoted as given."""

from __future__ import annotations

import builtins
import io
import json
import locale
import re
import string
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from kzdocs import ValidationError, validate
from kzdocs.errors import UnsupportedFormatError
from kzdocs.messages import Message, message, translations

ROOT = Path(__file__).resolve().parent.parent
INVALID = sorted((ROOT / "fixtures" / "invalid").glob("*.json"))
LOCALE = files("kzdocs.locale")
TRANSLATED = ("kk", "ru")
CYRILLIC = "А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
MIXED_WORD = re.compile(rf"\w*(?:[{CYRILLIC}][A-Za-z]|[A-Za-z][{CYRILLIC}])\w*")


def _catalogue(lang: str):
    with LOCALE.joinpath(lang, "LC_MESSAGES", "kzdocs.po").open("rb") as po:
        return read_po(po, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _code_messages() -> set[str]:
    """The msgids `pybabel extract -F babel.cfg` finds in the code today."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {msgid for _, _, msgid, _, _ in found}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_of_the_code_has_a_translation(lang):
    catalogue = _catalogue(lang)
    ids = {m.id for m in catalogue if m.id}
    assert _code_messages() - ids == set(), "run pybabel extract + update (docs/messages.md)"
    for entry in catalogue:
        if not entry.id:
            continue
        assert entry.string and entry.string.strip(), f"{lang}: no translation of {entry.id!r}"
        assert not entry.fuzzy, f"{lang}: fuzzy translation of {entry.id!r}"
        assert _placeholders(entry.string) == _placeholders(entry.id), entry.id
    assert not catalogue.obsolete


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_mo_file_is_the_compiled_po_file(lang):
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(lang))
    shipped = LOCALE.joinpath(lang, "LC_MESSAGES", "kzdocs.mo").read_bytes()
    assert shipped == compiled.getvalue(), "run pybabel compile -d kzdocs/locale -D kzdocs"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_word_mixes_latin_letters_into_cyrillic(lang):
    """«i» for «і» looks right in Kazakh and is another letter."""
    for entry in _catalogue(lang):
        assert not MIXED_WORD.search(entry.string), entry.string


def _errors(path: Path) -> list:
    with pytest.raises(ValidationError) as caught:
        validate(json.loads(path.read_text(encoding="utf-8")))
    return caught.value.errors


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_error_reads_in_english_kazakh_and_russian(path):
    for error in _errors(path):
        assert error.message and error.message_kk and error.message_ru, error
        for text in (error.message_kk, error.message_ru):
            assert text != error.message and re.search(f"[{CYRILLIC}]", text), error
            english_left = re.sub(
                r"'[^']*'|\b(?:valid_from|kk|ru|ISO|JSON|KZ|YYYY-MM-DD)\b", "", text
            )
            assert not re.search(r"\b(?:must|got|is|be)\b", english_left), text
        shown = repr(error.value)  # a string value is quoted whole (a long text's start only)
        quoted = ", got " in error.message and error.rule != "text_too_long"
        if quoted and isinstance(error.value, str) and len(shown) <= 60:
            assert all(shown in m for m in (error.message, error.message_kk, error.message_ru))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_a_value_is_quoted_exactly_as_given_in_every_language(code):
    record = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
    record["goods"]["hs_code"] = code
    try:
        validate(record)
    except ValidationError as exc:
        [error] = exc.errors
        for text in (error.message, error.message_kk, error.message_ru):
            assert text.endswith(repr(code))
    else:
        assert re.fullmatch(r"[0-9]{10}", code)


def test_a_message_value_is_never_read_as_a_placeholder():
    said = message("{message}, got {value}", message=message("must be 10 digits"), value="'{x}'")
    assert said.text("ru") == "должно состоять из 10 цифр, получено: '{x}'"
    assert str(said) == "must be 10 digits, got '{x}'"


def test_describe_names_the_field_in_the_language():
    [error] = _errors(ROOT / "fixtures" / "invalid" / "hs_code_format.json")
    assert error.describe("kk").startswith("15-баған (")
    assert error.describe("ru").startswith("графа 15 (Код товара по ТН ВЭД ЕАЭС")
    assert error.describe("en").startswith("field 15 (Сыртқы экономикалық")


def test_an_unknown_message_language_is_refused():
    with pytest.raises(UnsupportedFormatError, match="messages exist in en, kk, ru"):
        Message("record").text("de")


def test_messages_change_no_process_wide_state():
    before = locale.setlocale(locale.LC_ALL), vars(builtins).get("_", None)
    translations.cache_clear()
    for lang in ("en", "kk", "ru"):
        assert Message("record").text(lang)
    # gettext.install() would have put its gettext into builtins as `_`.
    assert (locale.setlocale(locale.LC_ALL), vars(builtins).get("_", None)) == before
