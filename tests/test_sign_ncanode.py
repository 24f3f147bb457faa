"""The NCANode v3 client against a local stand-in that speaks the same JSON and really signs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import ncanode_standin
import pytest
from signing_helpers import KEYS, PASSWORD, SIGNED_AT, record_xml

from kzdocs.errors import SigningError
from kzdocs.sign import NCANodeSigner, verify_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def server():
    standin = ncanode_standin.start()
    yield standin
    ncanode_standin.stop(standin)


def client(server, **options: object) -> NCANodeSigner:
    return NCANodeSigner(KEYS["rsa"], PASSWORD, url=server.url, **options)


def test_xml_sign_sends_the_documented_request(server):
    signed, signature = client(server).sign_xml(record_xml(), signed_at=SIGNED_AT)
    ((path, body),) = server.requests
    assert path == "/xml/sign"
    assert body["xml"] == record_xml().decode("utf-8")
    assert body["signers"] == [
        {"key": base64.b64encode(KEYS["rsa"].read_bytes()).decode(), "password": PASSWORD}
    ]
    assert verify_xml(signed).valid
    assert (signature.subject, signature.iin) == (
        "ТЕСТОВ ТЕСТ ТЕСТОВИЧ (ТЕСТ / TEST)",
        "900115300013",
    )


def test_wsse_sign_goes_to_its_endpoint(server):
    signed, _ = client(server, wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert server.requests[0][0] == "/wsse/sign"
    assert set(server.requests[0][1]) == {"xml", "key", "password", "trimXml"}
    result = verify_xml(signed)
    assert (result.valid, result.kind) == (True, "wsse")


def test_server_verification(server):
    signed, _ = client(server).sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert client(server).verify_xml(signed).valid
    tampered = signed.replace(b"01KZ260010000123", b"01KZ260010000999", 1)
    result = client(server).verify_xml(tampered)
    assert not result.valid
    assert result.certificate.iin == "900115300013"


def test_error_status_carries_the_servers_message(server):
    bad = NCANodeSigner(KEYS["rsa"], "wrong", url=server.url)
    with pytest.raises(
        SigningError, match=r"NCANode /xml/sign answered 400: Bad Request: .*wrong password"
    ):
        bad.sign_xml(record_xml())


def test_a_slow_server_is_a_timeout(server):
    server.delay = 0.6
    with pytest.raises(SigningError, match=r"did not answer within 0\.2 s"):
        client(server, timeout=0.2).sign_xml(record_xml())


def test_no_server_is_reported():
    standin = ncanode_standin.start()
    url = standin.url
    ncanode_standin.stop(standin)
    with pytest.raises(SigningError, match=f"cannot reach NCANode at {url}"):
        NCANodeSigner(KEYS["rsa"], PASSWORD, url=url, timeout=1).sign_xml(record_xml())


def test_pdf_sign_sends_the_documented_request_and_the_pdf_verifies(server):
    from kzdocs import render
    from kzdocs.sign import verify_pdf

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text(encoding="utf-8"))
    pdf = render(record, lang="ru", format="pdf")
    signed = client(server, key_alias="kzdocs").sign_pdf(pdf)
    ((path, body),) = server.requests
    assert path == "/pdf/sign"
    assert base64.b64decode(body["pdf"]) == pdf and body["withTsp"] is False
    assert body["signers"][0]["signer"]["keyAlias"] == "kzdocs"
    assert body["signers"][0]["reason"] == "Көліктік қолтаңба / Транспортная подпись"
    assert signed.startswith(pdf)  # an incremental update: the document itself is untouched
    verdict = verify_pdf(signed)  # the PDF signature holds, but a draft's record is unsigned
    assert verdict.reasons == (
        "embedded record.xml: no enveloped ds:Signature under the root element",
    )


def test_pdf_sign_error_status_and_a_wrong_answer(server, monkeypatch):
    with pytest.raises(SigningError, match=r"NCANode /pdf/sign answered 400: .*wrong password"):
        NCANodeSigner(KEYS["rsa"], "wrong", url=server.url).sign_pdf(b"%PDF-1.7 x")
    monkeypatch.setattr(ncanode_standin, "sign_pdf_pades", lambda pdf, material, at: b"%PDF other")
    with pytest.raises(SigningError, match="did not answer with the signed PDF"):
        client(server).sign_pdf(b"%PDF-1.7 x")


def test_an_rsa_key_is_described_locally():
    assert NCANodeSigner(KEYS["ec"], PASSWORD).describe().iin == "900115300401"


def test_timeout_is_taken_from_a_signer_option_string():
    from kzdocs.sign import get_signer

    signer = get_signer("ncanode", key=str(KEYS["rsa"]), password=PASSWORD, timeout="5")
    assert signer.timeout == 5.0
    with pytest.raises(SigningError, match=r"timeout must be a number of seconds, got 'five'"):
        get_signer("ncanode", key=str(KEYS["rsa"]), password=PASSWORD, timeout="five")
