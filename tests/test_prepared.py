"""One preparation per record: validated, XML built and checked, signed once; every document of
the record carries the very same signed XML."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import ncanode_standin
import pytest
from signing_helpers import KEYS, PASSWORD, SIGNED_AT, signer

import kzdocs
from kzdocs.batch import SignerSpec, render_files
from kzdocs.docx import docx_text
from kzdocs.errors import RecordFileError, UnsupportedFormatError, ValidationError
from kzdocs.pdf import extract_xml
from kzdocs.sign import verify_pdf, verify_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WHEAT = FIXTURES / "license-export-wheat.json"
# One record of each family: a licence, a permit, a refusal.
FAMILIES = ("license-export-wheat", "permit-import-cattle", "refusal-one-ground")


def _copies(tmp_path: Path, names=FAMILIES) -> list[Path]:
    paths = [tmp_path / f"{name}.json" for name in names]
    for name, path in zip(names, paths, strict=True):
        shutil.copy(FIXTURES / f"{name}.json", path)
    return paths


def test_a_batch_signed_with_ecdsa_embeds_in_every_pdf_the_written_xml(tmp_path):
    spec = SignerSpec("local", (("key", str(KEYS["ec"])), ("password", PASSWORD)))
    out = tmp_path / "out"
    outcomes = render_files(_copies(tmp_path), out, langs=("kk", "ru"), formats=("pdf", "xml"),
                            signer=spec, workers=2)  # fmt: skip
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    for name in FAMILIES:
        xml = (out / f"{name}.xml").read_bytes()
        assert b"ecdsa-sha256" in xml and verify_xml(xml).valid
        for lang in ("kk", "ru"):
            pdf = (out / f"{name}.{lang}.pdf").read_bytes()
            assert extract_xml(pdf) == xml, (name, lang)
            assert verify_pdf(pdf).valid


@pytest.fixture
def ncanode():
    server = ncanode_standin.start()
    yield server
    ncanode_standin.stop(server)


def test_one_record_in_two_languages_and_two_formats_calls_ncanode_once_for_the_xml(
    ncanode, tmp_path
):
    options = (("key", str(KEYS["rsa"])), ("password", PASSWORD), ("url", ncanode.url))
    spec = SignerSpec("ncanode", options, SIGNED_AT)
    (outcome,) = render_files(_copies(tmp_path, FAMILIES[:1]), tmp_path / "out",
                              langs=("kk", "ru"), formats=("pdf", "xml"), signer=spec,
                              workers=1)  # fmt: skip
    assert outcome.ok, outcome.error
    assert [path for path, _ in ncanode.requests] == ["/xml/sign", "/pdf/sign", "/pdf/sign"]
    xml = (tmp_path / "out" / "license-export-wheat.xml").read_bytes()
    for lang in ("kk", "ru"):
        assert (
            extract_xml((tmp_path / "out" / f"license-export-wheat.{lang}.pdf").read_bytes()) == xml
        )


def test_every_format_and_language_of_a_prepared_record_carries_the_same_signed_xml():
    prepared = kzdocs.prepare(WHEAT, signer=signer("ec"), signed_at=SIGNED_AT)
    assert prepared.signature is not None and prepared.signature.signed_at == SIGNED_AT
    assert verify_xml(prepared.xml).valid
    for lang in ("kk", "ru"):
        assert extract_xml(prepared.pdf(lang)) == prepared.xml
        assert prepared.render(lang, "xml") == prepared.xml
    assert 'class="draft-mark"' not in prepared.html("kk")  # signed: not a draft
    assert 'class="draft-mark"' in kzdocs.prepare(WHEAT).html("kk")


def test_the_html_of_a_language_is_computed_once():
    prepared = kzdocs.prepare(WHEAT)
    assert prepared.html("ru") is prepared.html("ru")
    assert prepared.render("ru", "html") == prepared.html("ru").encode("utf-8")
    assert "Пшеница мягкая 3 класса" in docx_text(prepared.docx("ru"))


@pytest.mark.parametrize("format", kzdocs.FORMATS)
@pytest.mark.parametrize("lang", kzdocs.LANGS)
def test_render_is_the_short_way_to_one_document_of_a_prepared_record(lang, format):
    record = json.loads(WHEAT.read_text(encoding="utf-8"))
    assert kzdocs.render(record, lang=lang, format=format) == kzdocs.prepare(record).render(
        lang, format
    )


def test_a_record_is_prepared_from_a_dict_json_text_bytes_or_a_file():
    text = WHEAT.read_text(encoding="utf-8")
    prepared = [kzdocs.prepare(r) for r in (json.loads(text), text, text.encode(), WHEAT)]
    assert len({p.xml for p in prepared}) == 1
    assert prepared[0].document.number == "01KZ260010000123"


def test_bad_input_to_prepare_is_a_clear_error():
    with pytest.raises(RecordFileError, match="is not valid JSON"):
        kzdocs.prepare("{not json")
    with pytest.raises(RecordFileError, match="no such file"):
        kzdocs.prepare(FIXTURES / "missing.json")
    with pytest.raises(ValidationError, match="must be a JSON object, got an array"):
        kzdocs.prepare([])


def test_documents_lists_each_format_by_language_and_the_xml_once():
    prepared = kzdocs.prepare(WHEAT)
    listed = [
        (lang, format) for lang, format, _ in prepared.documents(("kk", "ru"), ("xml", "html"))
    ]
    assert listed == [(None, "xml"), ("kk", "html"), ("ru", "html")]
    with pytest.raises(UnsupportedFormatError, match="got 'odt'"):
        next(prepared.documents(("kk",), ("html", "odt")))


def test_a_prepared_record_can_be_shipped_to_another_process():
    prepared = kzdocs.prepare(WHEAT)
    prepared.html("kk")
    shipped = pickle.loads(pickle.dumps(prepared))
    assert shipped.document == prepared.document
    assert shipped.render("kk", "xml") == prepared.xml
    assert shipped.html("kk") == prepared.html("kk")
