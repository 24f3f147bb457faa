"""Signing from the command line: a test certificate, signed PDF and XML, verify, extract-xml."""

import json
import re
import sys
from pathlib import Path

import pytest

from kzdocs.cli import main
from kzdocs.config import DEFAULT
from kzdocs.crosscheck import page_disagreements
from kzdocs.pdf import render_pdf
from kzdocs.records import load_record
from kzdocs.render import metadata
from kzdocs.schema import validate
from kzdocs.xml import to_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WHEAT = FIXTURES / "license-export-wheat.json"
SIGNED_AT = "2026-03-02T10:00:00+05:00"
VALIDITY = ["--valid-from", "2026-01-01T00:00:00+05:00", "--days", "3650"]


@pytest.fixture(scope="module")
def key(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key") / "test.p12"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KZDOCS_KEY_PASSWORD", "s3cret")
        assert main(["dev-cert", str(path), "--name", "АБАЙ ҚҰНАНБАЙҰЛЫ", *VALIDITY]) == 0
    return path


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("KZDOCS_KEY_PASSWORD", "s3cret")


def _sign(key: Path, out: Path, fmt: str, record: Path = WHEAT) -> Path:
    argv = ["render", str(record), "--format", fmt, "--sign", str(key), "--signed-at", SIGNED_AT]
    assert main([*argv, "-o", str(out)]) == 0
    return out


def test_signed_pdf_verifies_and_names_the_signer(key, password, tmp_path, capsys):
    pdf = _sign(key, tmp_path / "signed.pdf", "pdf")
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verdict: VALID\n")
    assert "ok: embedded record.xml: xmldsig signature intact, by the PDF's certificate" in out
    assert "signer:      АБАЙ ҚҰНАНБАЙҰЛЫ (ТЕСТ / TEST) (IIN 900115300013, BIN 150440000013)" in out
    assert re.search(r"\n  SHA-256:   ([0-9A-F]{2}:){31}[0-9A-F]{2}\n", out)
    assert "signed at: 02.03.2026 10:00:00 (Astana time)" in out
    assert "ok: the page shows the signed record, field by field, and nothing else" in out
    assert "trust: the signer's identity was NOT checked" in out


def test_one_changed_byte_makes_the_pdf_invalid(key, password, tmp_path, capsys):
    pdf = _sign(key, tmp_path / "signed.pdf", "pdf")
    data = bytearray(pdf.read_bytes())
    at = len(data) // 3  # inside the signed byte range, far from the signature itself
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 1
    out = capsys.readouterr().out
    assert "verdict: INVALID\n  - PDF signature 1: the signed bytes were changed\n" in out


def test_signed_xml_verifies_and_a_changed_value_does_not(key, password, tmp_path, capsys):
    xml = _sign(key, tmp_path / "signed.xml", "xml")
    assert main(["verify", str(xml)]) == 0
    xml.write_bytes(xml.read_bytes().replace(b"1001990000", b"1001990001"))
    capsys.readouterr()
    assert main(["verify", str(xml)]) == 1
    out = capsys.readouterr().out
    assert "verdict: INVALID\n  - XML signature: signature does not match the document" in out


def test_an_unsigned_pdf_does_not_verify(tmp_path, capsys):
    pdf = tmp_path / "draft.pdf"
    assert main(["render", str(WHEAT), "--format", "pdf", "-o", str(pdf)]) == 0
    assert main(["verify", str(pdf)]) == 1
    assert "the PDF has no signature" in capsys.readouterr().out


def test_wrong_password_is_a_clear_error_and_writes_nothing(key, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KZDOCS_KEY_PASSWORD", "wrong")
    out = tmp_path / "signed.pdf"
    assert main(["render", str(WHEAT), "--format", "pdf", "--sign", str(key), "-o", str(out)]) == 1
    assert "password" in capsys.readouterr().err.lower()
    assert not out.exists()


def test_no_password_and_no_terminal_says_which_variable_to_set(key, monkeypatch, capsys):
    monkeypatch.delenv("KZDOCS_KEY_PASSWORD", raising=False)
    assert main(["render", str(WHEAT), "--sign", str(key)]) == 1
    assert "$KZDOCS_KEY_PASSWORD" in capsys.readouterr().err


def test_extract_xml_gives_back_the_record(tmp_path, capsys):
    pdf = tmp_path / "doc.pdf"
    assert main(["render", str(WHEAT), "--format", "pdf", "--lang", "ru", "-o", str(pdf)]) == 0
    capsys.readouterr()
    assert main(["extract-xml", str(pdf), "--record"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert validate(record) == validate(load_record(WHEAT))


def test_a_page_that_shows_another_record_than_its_xml_is_caught():
    shown = validate(load_record(WHEAT))
    embedded = shown.model_copy(update={"number": "01KZ260010000999"})
    from kzdocs.html import render_html

    pdf = render_pdf(
        render_html(shown, "kk"), meta=metadata(shown, "kk", DEFAULT), xml=to_xml(embedded)
    )
    assert page_disagreements(pdf, to_xml(embedded), None) == [
        "field 1: the page shows «1.Лицензия№01KZ260010000123» "
        "where the signed record says «1.Лицензия№01KZ260010000999»"
    ]


def test_signer_option_timeout_is_read_as_seconds(tmp_path, capsys):
    script = Path(__file__).resolve().parent / "sign_command_script.py"
    out = tmp_path / "signed.xml"
    argv = ["render", str(WHEAT), "--format", "xml", "--signer", "command", "-o", str(out)]
    options = [f"command={sys.executable} {script} sign", "timeout=5"]
    assert main([*argv, *(f"--signer-option={o}" for o in options)]) == 0
    assert main(["verify", str(out)]) == 0
    assert "verdict: VALID" in capsys.readouterr().out
    bad = [*argv, f"--signer-option={options[0]}", "--signer-option=timeout=soon"]
    assert main(bad) == 1
    assert "timeout must be a number of seconds, got 'soon'" in capsys.readouterr().err


def test_a_ws_security_signed_pdf_verifies_and_gives_back_its_record(
    key, password, tmp_path, capsys
):
    pdf = tmp_path / "wsse.pdf"
    argv = ["render", str(WHEAT), "--format", "pdf", "--sign", str(key), "--signed-at", SIGNED_AT]
    assert main([*argv, "--signer-option", "wsse=true", "-o", str(pdf)]) == 0
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert "ok: embedded record.xml: wsse signature intact, by the PDF's certificate" in out
    assert "ok: the page shows the signed record, field by field, and nothing else" in out
    assert main(["extract-xml", str(pdf), "--record"]) == 0
    assert validate(json.loads(capsys.readouterr().out)) == validate(load_record(WHEAT))
    envelope = tmp_path / "envelope.xml"
    assert main(["extract-xml", str(pdf), "-o", str(envelope)]) == 0
    assert b"<soap:Envelope" in envelope.read_bytes()  # as embedded, still signed
    assert main(["verify", str(envelope)]) == 0


@pytest.fixture
def own_config(tmp_path) -> Path:
    """A deployment's configuration: its own issuer, and one Kazakh label worded differently."""
    folder = tmp_path / "templates" / "kk"
    folder.mkdir(parents=True)
    shipped = FIXTURES.parent / "templates" / "kk" / "license-export.html"
    text = shipped.read_text(encoding="utf-8")
    changed = text.replace('"Лицензия беру үшін негіз"', '"Лицензияны берудің негізі"')
    assert changed != text
    (folder / "license-export.html").write_text(changed, encoding="utf-8")
    issuer = {"committee": {"kk": "ЖАҢА КОМИТЕТ", "ru": "НОВЫЙ КОМИТЕТ"}}
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"issuer": issuer, "templates": "templates"}), "utf-8")
    return config


def test_verify_reads_the_page_with_the_configuration_it_was_rendered_with(
    key, password, own_config, tmp_path, capsys
):
    pdf = tmp_path / "own.pdf"
    argv = ["render", str(WHEAT), "--format", "pdf", "--sign", str(key), "--signed-at", SIGNED_AT]
    assert main(["--config", str(own_config), *argv, "-o", str(pdf)]) == 0
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 1  # read with the shipped wording, the page disagrees
    out = capsys.readouterr().out
    assert "  - page: field 17: the page shows «17.ЛицензияныберудіңнегізіСертификат" in out
    assert main(["--config", str(own_config), "verify", str(pdf)]) == 0
    assert "ok: the page shows the signed record" in capsys.readouterr().out
