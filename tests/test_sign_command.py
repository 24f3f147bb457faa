"""The command signer: any program that reads XML on stdin and writes signed XML on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from signing_helpers import FIXTURES, SIGNED_AT, record_xml

from kzdocs.errors import SigningError
from kzdocs.sign import CommandSigner, get_signer, verify_xml

SCRIPT = str(Path(__file__).resolve().parent / "sign_command_script.py")


def command(mode: str, **options: object) -> CommandSigner:
    return CommandSigner([sys.executable, SCRIPT, mode], **options)


def test_command_output_is_the_signed_xml_and_its_details():
    signed, signature = command("sign").sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert verify_xml(signed).valid
    assert signature.subject == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ (ТЕСТ / TEST)"
    assert signature.iin == "900115300013"
    assert signature.algorithm == "RSA-SHA256"
    assert signature.qr_payloads[0].startswith(b"KZ1:1/")


def test_non_zero_exit_is_a_signing_error_with_stderr():
    with pytest.raises(SigningError, match=r"exited with 3: key store locked: enter the PIN"):
        command("fail").sign_xml(record_xml())


def test_a_hanging_command_is_stopped_at_the_timeout():
    with pytest.raises(SigningError, match=r"timed out after 0\.5 s"):
        command("sleep", timeout=0.5).sign_xml(record_xml())


def test_output_that_is_not_signed_xml_is_refused():
    with pytest.raises(SigningError, match="returned XML that cannot be read"):
        command("garbage").sign_xml(record_xml())


def test_a_missing_program_is_named():
    with pytest.raises(SigningError, match="signing command not found: 'kzdocs-no-such-signer'"):
        CommandSigner(["kzdocs-no-such-signer"]).sign_xml(record_xml())


def test_registry_builds_the_command_signer_from_a_string_without_a_shell():
    signer = get_signer("command", command=f"{sys.executable} {SCRIPT} 'sign; rm -rf /'")
    assert signer.argv[-1] == "sign; rm -rf /"  # one argument, never a shell command
    assert signer.can_sign_pdf is False


@pytest.mark.parametrize(("given", "seconds"), [("5", 5.0), ("0.5", 0.5), (7, 7.0)])
def test_timeout_is_taken_from_a_signer_option_string(given, seconds):
    signer = get_signer("command", command=f"{sys.executable} {SCRIPT} sign", timeout=given)
    assert signer.timeout == seconds


@pytest.mark.parametrize("given", ["soon", "", "-1", "0", "nan", True])
def test_a_timeout_that_is_not_a_positive_number_is_refused(given):
    with pytest.raises(SigningError, match=r"timeout must be a (positive )?number of seconds"):
        get_signer("command", command=f"{sys.executable} {SCRIPT} sign", timeout=given)


def _render_signed_by(mode: str, format: str) -> bytes:
    import kzdocs
    from kzdocs.records import load_record

    record = load_record(FIXTURES / "license-export-wheat.json")
    return kzdocs.render(record, format=format, signer=command(mode), signed_at=SIGNED_AT)


def test_the_pipeline_embeds_what_the_command_signed_when_it_is_the_record():
    from kzdocs.sign.record import signed_record

    signed = _render_signed_by("sign", "xml")
    assert verify_xml(signed).valid
    assert signed_record(signed) == record_xml()


@pytest.mark.parametrize("format", ["xml", "html"])
def test_the_pipeline_refuses_the_signed_xml_of_another_record(format):
    with pytest.raises(SigningError, match="signer 'command' returned the signed XML of another"):
        _render_signed_by("other", format)


def test_the_pipeline_refuses_signed_xml_that_is_not_a_valid_record():
    with pytest.raises(
        SigningError,
        match=r"signer 'command' returned invalid XML, not a signed kzdocs record: .*extra",
    ):
        _render_signed_by("invalid", "xml")


def test_the_pipeline_refuses_garbage_from_the_command():
    with pytest.raises(SigningError, match="returned XML that cannot be read"):
        _render_signed_by("garbage", "html")
