"""Finding signers: built-ins by name, third-party ones through `kzdocs.signers` entry points."""

from __future__ import annotations

import textwrap

import pytest
from signing_helpers import KEYS, PASSWORD, record_xml

from kzdocs.errors import SigningError
from kzdocs.sign import Signer, available_signers, get_signer


@pytest.fixture
def plugin_dist(tmp_path, monkeypatch):
    """A fake installed distribution declaring two signers, one of them broken."""
    (tmp_path / "kzdocs_fake_signer.py").write_text(
        textwrap.dedent(
            """
            class FakeSigner:
                name = "fake"
                can_sign_pdf = False

                def __init__(self, stamp="FAKE"):
                    self.stamp = stamp

                def sign_xml(self, xml, *, signed_at=None):
                    end = f"<!--{self.stamp}--></license-export>".encode()
                    return xml.replace(b"</license-export>", end), None

                def sign_pdf(self, pdf, *, signed_at=None):
                    return pdf

                def describe(self):
                    return None
            """
        ),
        encoding="utf-8",
    )
    info = tmp_path / "kzdocs_fake_signer-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kzdocs-fake-signer\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[kzdocs.signers]\n"
        "fake = kzdocs_fake_signer:FakeSigner\n"
        "broken = kzdocs_fake_signer:DoesNotExist\n"
        "none = kzdocs_fake_signer:FakeSigner\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("name", "options", "can_sign_pdf"),
    [
        ("none", {}, False),
        ("local", {"key": KEYS["rsa"], "password": PASSWORD}, True),
        ("ncanode", {"key": KEYS["rsa"], "password": PASSWORD}, True),
        ("command", {"command": ["cat"]}, False),
    ],
)
def test_built_in_signers(name, options, can_sign_pdf):
    signer = get_signer(name, **options)
    assert isinstance(signer, Signer)
    assert signer.name == name
    assert signer.can_sign_pdf is can_sign_pdf


def test_none_signer_leaves_a_draft():
    xml, signature = get_signer("none").sign_xml(record_xml())
    assert (xml, signature) == (record_xml(), None)


def test_plugin_signer_is_found_through_its_entry_point(plugin_dist):
    assert "fake" in available_signers()
    signer = get_signer("fake", stamp="PLUGGED")
    xml, signature = signer.sign_xml(record_xml())
    assert xml.endswith(b"<!--PLUGGED--></license-export>")
    assert signature is None


def test_built_in_names_win_over_plugins(plugin_dist):
    assert type(get_signer("none")).__name__ == "NoSigner"
    assert available_signers().count("none") == 1


def test_broken_plugin_is_a_signing_error(plugin_dist):
    with pytest.raises(
        SigningError, match=r"signer plugin 'broken' \(kzdocs_fake_signer:DoesNotExist\) failed"
    ):
        get_signer("broken")


def test_unknown_signer_lists_the_known_ones():
    with pytest.raises(
        SigningError, match=r"unknown signer 'kalkan'; available: none, local, ncanode, command"
    ):
        get_signer("kalkan")


def test_wrong_options_are_a_signing_error():
    with pytest.raises(SigningError, match="signer 'none' does not take these options"):
        get_signer("none", key="x")
