"""Issue 15, the second legal reading: each change checked on the text a reader gets from the
HTML, the PDF and the DOCX, in Kazakh and in Russian."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kzdocs import render
from kzdocs.docx import docx_text, html_text, parse_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LANGS = ("kk", "ru")
FORMATS = ("html", "pdf", "docx")
TITLES = {
    "license-export-wheat": {
        "kk": "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ЭКСПОРТЫНА ЛИЦЕНЗИЯ",
        "ru": "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ",
    },
    "permit-import-ammonium-nitrate": {
        "kk": "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІН ИМПОРТТАУҒА РҰҚСАТ БЕРУ",
        "ru": "РАЗРЕШЕНИЕ НА ИМПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ",
    },
}
COMMITTEE = {
    "kk": "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА КОМИТЕТІ",
    "ru": "КОМИТЕТ ТОРГОВЛИ МИНИСТЕРСТВА ТОРГОВЛИ И ИНТЕГРАЦИИ РЕСПУБЛИКИ КАЗАХСТАН",
}


def record(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _one_line(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@cache
def texts(name: str, lang: str) -> dict[str, str]:
    """The text of an unsigned rendering of a fixture in each format, whitespace made single."""
    data = record(name)
    html = render(data, lang=lang, format="html").decode()
    pdf = PdfReader(io.BytesIO(render(data, lang=lang, format="pdf")))
    return {
        "html": _one_line(html_text(parse_html(html))),
        "pdf": _one_line(" ".join(page.extract_text() for page in pdf.pages)),
        "docx": _one_line(docx_text(render(data, lang=lang, format="docx"))),
    }


# -- 3. permits need their contract --------------------------------------------------------------

PERMITS = sorted(p.stem for p in FIXTURES.glob("permit-*.json"))


@pytest.mark.parametrize("name", PERMITS)
def test_every_permit_fixture_names_its_contract(name):
    assert record(name).get("contract") is not None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("lang", "expected"),
    [("kk", "4. Келісімшарт: № АКР-КЗ/26-017, 30.01.2026"),
     ("ru", "4. Контракт № АКР-КЗ/26-017 от 30.01.2026")],
)  # fmt: skip
def test_a_permit_shows_its_contract_in_field_4(lang, expected, fmt):
    assert expected in texts("permit-import-ammonium-nitrate", lang)[fmt]


def test_a_permit_without_contract_is_refused_naming_field_4(capsys):
    from kzdocs.cli import main

    path = FIXTURES / "invalid" / "contract_required--permit.json"
    assert main(["render", str(path), "--lang", "ru"]) == 1
    err = capsys.readouterr().err
    assert "field 4 (Келісімшарт) contract: is required for a permit" in err
    assert "Rules B, clause 2, subparagraph 4" in err


# -- 4. the heading as in the seed: title, then the committee -----------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(TITLES))
def test_the_title_comes_first_and_the_committee_under_it(name, lang, fmt):
    text = texts(name, lang)[fmt]
    title, committee = text.find(TITLES[name][lang]), text.find(COMMITTEE[lang])
    assert 0 <= title < committee < text.find("1. ")


# -- 6. literal details -------------------------------------------------------------------------

FIELD_15 = "15. Сыртқы экономикалық қызметтің {} тауар номенклатурасы бойынша тауардың коды"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("name", "word"),
    [("license-export-wheat", "Бірыңғай"), ("license-import-alcohol", "бірыңғай"),
     ("permit-export-flour", "Бірыңғай"), ("permit-import-ammonium-nitrate", "Бірыңғай")],
)  # fmt: skip
def test_field_15_writes_birynghai_as_the_seed_does(name, word, fmt):
    assert FIELD_15.format(word) in texts(name, "kk")[fmt]
    assert "15. Код товара по ТН ВЭД ЕАЭС и его описание" in texts(name, "ru")[fmt]
