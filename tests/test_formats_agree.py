"""HTML, PDF and DOCX of the same record say the same words, with every label of the form."""

import io
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kzdocs import render
from kzdocs.docx import docx_text, html_text, parse_html
from kzdocs.formatting import amount, date
from kzdocs.words import field_labels

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
PAGE_NUMBER = re.compile(r"— \d+ —")
DRAFT = re.compile(r"\b(ҚОЛ ҚОЙЫЛМАҒАН|НЕ ПОДПИСАН)\b")


@cache
def _texts(fixture: Path, lang: str) -> dict[str, str]:
    record = json.loads(fixture.read_text(encoding="utf-8"))
    html = render(record, lang=lang, format="html").decode()
    pdf = PdfReader(io.BytesIO(render(record, lang=lang, format="pdf")))
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    # The draft mark stands on every page of the PDF, once in the HTML.
    for _ in pdf.pages[1:]:
        pdf_text = DRAFT.sub(" ", pdf_text, count=1)
    return {
        "html": html_text(parse_html(html)),
        "pdf": " ".join(PAGE_NUMBER.sub(" ", pdf_text).split()),
        "docx": docx_text(render(record, lang=lang, format="docx")),
    }


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def _expected(record: dict, lang: str) -> list[str]:
    from kzdocs.schema import validate

    document = validate(record)
    if document.kind == "refusal":
        labels = [label for key, label in field_labels("refusal", lang).items() if key != "grounds"]
        return [*labels, document.number, date(document.issued_on)]
    labels = list(field_labels(document.kind, lang).values())
    values = [document.number, date(document.valid_from), date(document.valid_to)]
    values += [amount(document.value, lang), document.goods.hs_code, document.applicant.id]
    return labels + values


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_pdf_and_docx_show_every_label_and_formatted_value(fixture, lang):
    texts = _texts(fixture, lang)
    record = json.loads(fixture.read_text(encoding="utf-8"))
    for expected in _expected(record, lang):
        wanted = " ".join(expected.replace("\xa0", " ").split())
        for fmt in ("pdf", "docx"):
            assert wanted in texts[fmt].replace("\xa0", " "), f"{fmt} lacks {wanted!r}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_html_pdf_and_docx_agree_on_the_text(fixture, lang):
    texts = _texts(fixture, lang)
    assert texts["docx"] == texts["html"]
    assert _words(texts["pdf"]) == _words(texts["html"])


@pytest.mark.parametrize(
    ("fixture", "pages"), [("license-export-wheat", 1), ("license-export-ferroalloys", 2)]
)
def test_pages_are_numbered_from_the_second_on(fixture, pages):
    record = json.loads((FIXTURES[0].parent / f"{fixture}.json").read_text(encoding="utf-8"))
    reader = PdfReader(io.BytesIO(render(record, lang="ru", format="pdf")))
    numbers = [PAGE_NUMBER.findall(page.extract_text()) for page in reader.pages]
    assert numbers == [[], *([f"— {n} —"] for n in range(2, pages + 1))]
