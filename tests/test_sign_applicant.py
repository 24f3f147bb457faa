"""Signed by the applicant: an application or permit draft carries the applicant's own signature
(its certificate names field 5's BIN/IIN), through every signer, and `kzdocs verify` holds it
to that; an issued document's transport signature keeps its meaning."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from signing_helpers import FIXTURES, PASSWORD, SIGNED_AT, quiet_weasyprint

from kzdocs import PreparedRecord, prepare, render, validate
from kzdocs.cli import main
from kzdocs.errors import SigningError
from kzdocs.golden.keys import applicant_test_key
from kzdocs.sign import CommandSigner, LocalKeySigner, dev_cert, verify_pdf, verify_xml
from kzdocs.sign.applicant import applicant_mismatch

KEY = FIXTURES / "sign" / "dev-rsa.p12"  # IIN 900115300013, BIN 150440000013
APPLICANTS = FIXTURES / "sign" / "applicants"
WHEAT = "application-export-wheat"  # applicant BIN 150440000013: the dev key's own
GOLD = "application-export-gold"  # applicant BIN 051240004566
CATTLE = "permit-draft-import-cattle"  # applicant IIN 781103500224: a person
SCRIPT = str(Path(__file__).resolve().parent / "sign_command_script.py")


def _record(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def _applicant(name: str) -> str:
    return _record(name)["applicant"]["id"]


@cache
def _own_key(name: str) -> LocalKeySigner:
    """The applicant's test key, as the golden files are signed with."""
    return LocalKeySigner(APPLICANTS / f"{_applicant(name)}.p12", PASSWORD)


def _forged(iin: str, bin_: str | None, tmp: Path) -> LocalKeySigner:
    """A key whose certificate names another holder than the applicant."""
    return LocalKeySigner(
        dev_cert(
            tmp / "forged.p12",
            iin=iin,
            bin=bin_,
            key="ec",
            days=365 * 40,
            not_before=datetime(2000, 1, 1, tzinfo=UTC),
        )
    )


def _prepared_with(name: str, signer) -> PreparedRecord:
    """Prepared and signed as `prepare` does, but without its check of the signer: how a
    forger's tool would make the document."""
    document = validate(_record(name))
    from kzdocs.prepared import checked_xml

    xml, signature = signer.sign_xml(checked_xml(document), signed_at=SIGNED_AT)
    return PreparedRecord(document, signer=signer, signature=signature, signed_xml=xml)


# -- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applicant", "iin", "bin_", "holds"),
    [
        ("150440000013", "900115300013", "150440000013", True),  # an employee of the entity
        ("150440000013", "900115300013", None, False),  # a person's own key, not the entity's
        ("150440000013", "900115300013", "990340001230", False),  # another entity
        ("781103500224", "781103500224", None, True),  # the person's own key
        ("781103500224", "781103500224", "150440000013", False),  # signs for an entity
        ("781103500224", "900115300013", None, False),  # another person
        ("781103500224", None, None, False),  # a certificate naming nobody
    ],
)
def test_the_certificate_must_name_the_applicant(applicant, iin, bin_, holds):
    holder = SimpleNamespace(iin=iin, bin=bin_)
    problem = applicant_mismatch("application-export", applicant, holder)
    assert (problem is None) == holds
    if not holds:
        assert problem.startswith("field 5 (Өтініш беруші) applicant.id:")
        assert "rule applicant_signer" in problem and applicant in problem
    # An issued document's transport signature is the issuer's system's: no such rule.
    assert applicant_mismatch("license-export", applicant, holder) is None


# -- signing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [WHEAT, GOLD, CATTLE, "permit-draft-export-flour"])
def test_the_applicant_s_own_key_signs_and_verifies(name):
    signer = LocalKeySigner(KEY, PASSWORD) if name == WHEAT else _own_key(name)
    xml = render(_record(name), format="xml", signer=signer, signed_at=SIGNED_AT)
    verdict = verify_xml(xml)
    assert verdict.valid, verdict.reasons
    assert "signed with the applicant's own key" in " ".join(verdict.checks)
    applicant = _applicant(name)
    assert applicant in (verdict.certificate.bin, verdict.certificate.iin)


@pytest.mark.parametrize("name", [GOLD, CATTLE])
def test_another_key_does_not_sign_an_applicant_s_form(name):
    with pytest.raises(SigningError) as caught:
        render(_record(name), format="xml", signer=LocalKeySigner(KEY, PASSWORD))
    message = str(caught.value)
    assert message.startswith("field 5 (Өтініш беруші) applicant.id:")
    assert "rule applicant_signer" in message and _applicant(name) in message


def test_the_cli_refuses_to_sign_an_application_with_another_s_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KZDOCS_KEY_PASSWORD", PASSWORD)
    out = tmp_path / "gold.pdf"
    code = main(
        [
            "render",
            str(FIXTURES / f"{GOLD}.json"),
            "--format",
            "pdf",
            "--sign",
            str(KEY),
            "-o",
            str(out),
        ]
    )
    assert code == 1 and not out.exists()
    assert "rule applicant_signer" in capsys.readouterr().err


def test_an_issued_document_keeps_its_transport_signature():
    record = _record("license-export-gold")  # applicant 051240004566; the key names another
    xml = render(record, format="xml", signer=LocalKeySigner(KEY, PASSWORD), signed_at=SIGNED_AT)
    verdict = verify_xml(xml)
    assert verdict.valid and verdict.certificate.bin == "150440000013"
    assert "applicant" not in " ".join(verdict.checks)


def test_the_command_signer_signs_for_the_applicant_too():
    # The test program signs with the dev key, whose BIN is the wheat applicant's. (Another
    # applicant's form is refused by the same check whatever the signer: see NCANode's below.)
    signer = CommandSigner([sys.executable, SCRIPT, "sign"])
    xml = render(_record(WHEAT), format="xml", signer=signer, signed_at=SIGNED_AT)
    verdict = verify_xml(xml)
    assert verdict.valid and verdict.certificate.bin == "150440000013"


# -- the signature block -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field"), [(WHEAT, "18"), ("application-import-alcohol", "18"), (CATTLE, "17")]
)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_signature_block_names_the_applicant_s_signer(name, field, lang):
    import lxml.html

    signer = LocalKeySigner(KEY, PASSWORD) if name == WHEAT else _own_key(name)
    page = lxml.html.fromstring(
        render(_record(name), lang=lang, signer=signer, signed_at=SIGNED_AT)
    )
    block = page.xpath(f"//td[@data-field='{field}']")[0]
    text = " ".join(block.text_content().split())
    worded = {
        "kk": "Өтініш берушінің электрондық цифрлық қолтаңбасы",
        "ru": "Электронная цифровая подпись заявителя",
    }
    assert worded[lang] in text
    info = signer.describe()
    assert info.subject in text and info.serial in text
    assert ("Көліктік қолтаңба" in text) is False and ("Транспортная подпись" in text) is False
    assert not page.xpath("//div[@class='draft-mark']")


# -- verification: forged and tampered ---------------------------------------------------------


def test_xml_signed_with_another_s_key_is_invalid_with_the_reason(tmp_path):
    forged = _prepared_with(GOLD, _forged("900115300013", "990340001230", tmp_path))
    verdict = verify_xml(forged.xml)
    assert not verdict.valid
    assert "field 5 (Өтініш беруші) applicant.id" in verdict.reason
    assert "the applicant's BIN is 051240004566, the certificate names BIN 990340001230" in (
        verdict.reason
    )


def test_a_pdf_signed_with_another_s_key_is_invalid_with_the_reason(tmp_path):
    forged = _prepared_with(CATTLE, _forged("900115300013", None, tmp_path))
    with quiet_weasyprint():
        pdf = forged.pdf("ru")
    verdict = verify_pdf(pdf)
    assert not verdict.valid
    assert any(
        r.startswith("embedded record.xml: field 5") and "IIN 900115300013" in r
        for r in verdict.reasons
    ), verdict.reasons


def test_an_applicant_s_pdf_signed_by_its_key_verifies_and_a_change_is_caught():
    prepared = prepare(_record(GOLD), signer=_own_key(GOLD), signed_at=SIGNED_AT)
    with quiet_weasyprint():
        pdf = prepared.pdf("kk")
    verdict = verify_pdf(pdf)
    assert verdict.valid, verdict.reasons
    assert verdict.certificate.bin == "051240004566"
    tampered = verify_xml(prepared.xml.replace(b"26-0029305", b"26-0029306"))
    assert not tampered.valid and "does not match" in tampered.reason


def test_a_generated_applicant_key_names_the_applicant():
    person, entity = applicant_test_key("781103500224"), applicant_test_key("051240004566")
    assert (person.info.iin, person.info.bin) == ("781103500224", None)
    assert entity.info.bin == "051240004566" and entity.info.test_certificate


def test_ncanode_signs_with_the_applicant_s_key_and_not_with_another():
    import ncanode_standin

    from kzdocs.sign import NCANodeSigner

    server = ncanode_standin.start()
    try:
        own = NCANodeSigner(
            key=APPLICANTS / f"{_applicant(CATTLE)}.p12", password=PASSWORD, url=server.url
        )
        xml = render(_record(CATTLE), format="xml", signer=own, signed_at=SIGNED_AT)
        assert verify_xml(xml).valid
        other = NCANodeSigner(key=KEY, password=PASSWORD, url=server.url)
        with pytest.raises(SigningError, match="rule applicant_signer"):
            render(_record(CATTLE), format="xml", signer=other)
    finally:
        ncanode_standin.stop(server)


def test_a_paired_pdf_key_must_be_the_applicant_s_too(tmp_path):
    """`verify.pairings` lets another key sign the PDF; of an applicant's form, it must name the
    applicant too."""
    from dataclasses import replace

    from kzdocs.config import DEFAULT
    from kzdocs.sign.certs import fingerprint

    prepared = prepare(_record(GOLD), signer=_own_key(GOLD), signed_at=SIGNED_AT)
    with quiet_weasyprint():
        unsigned = PreparedRecord(
            prepared.document, signature=prepared.signature, signed_xml=prepared.xml
        ).pdf("kk")
    xml_cert = _own_key(GOLD).material.certificate
    for pdf_key, holds in (
        (LocalKeySigner(applicant_test_key("051240004566")), True),
        (LocalKeySigner(KEY, PASSWORD), False),
    ):
        pdf = pdf_key.sign_pdf(unsigned, signed_at=SIGNED_AT)
        pairing = (fingerprint(xml_cert), fingerprint(pdf_key.material.certificate))
        config = replace(DEFAULT, verify=replace(DEFAULT.verify, pairings=(pairing,)))
        verdict = verify_pdf(pdf, config=config)
        assert verdict.valid == holds, verdict.reasons
        if not holds:
            assert verdict.reasons == (verdict.reasons[0],)
            assert verdict.reason.startswith("PDF signature 1: field 5 (Өтініш беруші)")
