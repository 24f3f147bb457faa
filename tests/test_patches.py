"""The guarded patches of WeasyPrint and pydyf (kzdocs.pdf.patches): every fixture renders
through them and through WeasyPrint's public API alone to the same page text and the same
pixels; with other versions than the pinned ones they stay off, and say so once."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdfium2
import pytest
import weasyprint.pdf.fonts
from pypdf import PdfReader

from kzdocs import render
from kzdocs.pdf import patches

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURES = sorted(FIXTURES_DIR.glob("*.json"))
KEY = FIXTURES_DIR / "sign" / "dev-rsa.p12"
SIGNED_AT = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=5)))


def _pages(pdf: bytes) -> list[tuple[str, bytes]]:
    """Each page's text and its pixels at 50 dpi."""
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    document = pypdfium2.PdfDocument(pdf)
    try:
        pixels = [bytes(page.render(scale=50 / 72).buffer) for page in document]
    finally:
        document.close()
    return list(zip(texts, pixels, strict=True))


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_every_fixture_looks_the_same_with_and_without_the_patches(fixture, lang, monkeypatch):
    record = json.loads(fixture.read_text(encoding="utf-8"))
    assert patches.ENABLED
    patched = render(record, lang=lang, format="pdf")
    monkeypatch.setattr(patches, "ENABLED", False)
    public = render(record, lang=lang, format="pdf")
    assert patched != public  # the streams are compressed at another level
    assert _pages(patched) == _pages(public)


SIGNED = ["license-export-wheat", "permit-import-cattle", "refusal-several-grounds"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("name", SIGNED)
def test_signed_documents_look_the_same_with_and_without_the_patches(name, lang, monkeypatch):
    from kzdocs.sign import LocalKeySigner

    signer = LocalKeySigner(KEY, "test")
    record = json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    options = {"lang": lang, "format": "pdf", "signer": signer, "signed_at": SIGNED_AT}
    patched = render(record, **options)
    monkeypatch.setattr(patches, "_plain_png_rows", lambda image: None)  # that patch alone off
    assert render(record, **options) == patched  # its QR codes are rewritten with 1 bit a pixel
    monkeypatch.setattr(patches, "ENABLED", False)
    assert _pages(render(record, **options)) == _pages(patched)


def test_other_versions_get_the_public_api_and_a_log_line(caplog):
    with caplog.at_level("WARNING", logger="kzdocs.pdf"):
        assert patches.versions_match(patches.PINNED)
        assert not caplog.records
        assert not patches.versions_match({**patches.PINNED, "weasyprint": "71.0"})
    (line,) = [r.getMessage() for r in caplog.records]
    assert "weasyprint 71.0 installed" in line and "public API only" in line


def test_the_switch_turns_the_patches_off(monkeypatch):
    monkeypatch.setenv(patches.SWITCH, "1")
    assert not patches._enabled()
    monkeypatch.setenv(patches.SWITCH, "0")
    assert patches._enabled()


def test_every_font_name_weasyprint_reads_is_freed(monkeypatch):
    # WeasyPrint 70 never frees the string pango_font_description_to_string allocates (128
    # bytes a font a PDF: a long-lived worker grew without end): each is freed once dropped.
    record = json.loads(FIXTURES[0].read_text(encoding="utf-8"))
    freeing = patches.freeing_pango()
    made, freed = [], []
    real_make, real_free = freeing._pango.pango_font_description_to_string, freeing._free

    def make(description):
        made.append(description)
        return real_make(description)

    def free(pointer):
        freed.append(pointer)
        real_free(pointer)

    monkeypatch.setattr(freeing, "_pango", _Counting(freeing._pango, make))
    monkeypatch.setattr(freeing, "_free", free)
    pdf = render(record, lang="kk", format="pdf")
    assert len(made) >= 2  # one for each font of the document (regular, bold, …)
    assert len(freed) == len(made)
    assert _pages(pdf)[0][0]  # the document is whole
    assert weasyprint.pdf.fonts.pango is patches._REAL_PANGO  # only while a PDF is written


class _Counting:
    def __init__(self, pango, make):
        self._pango, self.pango_font_description_to_string = pango, make

    def __getattr__(self, name):
        return getattr(self._pango, name)
