"""kzdocs' own PAdES update: accepted by kzdocs, pyHanko and poppler; made without pyHanko's
signing package; any other PDF signed by pyHanko as before."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signing_helpers import KEYS, PASSWORD, SIGNED_AT, signed_document, signer
from test_sign_pdf import _normalised_cms

from kzdocs.errors import SigningError
from kzdocs.sign import verify_pdf

EXAMPLES = int(os.environ.get("KZDOCS_HYPOTHESIS_EXAMPLES", "20"))


def _byte_range(pdf: bytes) -> list[int]:
    at = pdf.rfind(b"/ByteRange [")
    return [int(x) for x in pdf[at + 12 : pdf.index(b"]", at)].split()]


def test_the_update_is_kzdocs_own_and_covers_the_whole_file():
    unsigned, signed = signed_document()
    update = signed[len(unsigned) :]
    assert signed.startswith(unsigned)
    start, first, second, length = _byte_range(signed)
    assert (start, second + length) == (0, len(signed))  # all but /Contents, to the last byte
    assert signed[first : first + 1] == b"<" and signed[second - 1 : second] == b">"
    assert b"/SigFlags 3" in update and b"/Filter /Adobe.PPKLite" in update
    assert b"/M (D:20260302103000+05'00')" in update
    # The Info dictionary is the renderer's, referenced again, never rewritten.
    assert b"/Producer" not in update and b"/ModDate" not in update


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig not installed")
@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_poppler_accepts_the_signature(tmp_path, key):
    _, signed = signed_document(key=key)
    (tmp_path / "signed.pdf").write_bytes(signed)
    done = subprocess.run(
        ["pdfsig", str(tmp_path / "signed.pdf")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Signature Validation: Signature is Valid." in done.stdout
    assert "Total document signed" in done.stdout
    assert "Signature Type: ETSI.CAdES.detached" in done.stdout


SIGN_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from kzdocs.sign.signers import LocalKeySigner
signer = LocalKeySigner(sys.argv[1], sys.argv[2])
signed = signer.sign_pdf(Path(sys.argv[3]).read_bytes())
Path(sys.argv[4]).write_bytes(signed)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("pyhanko", "aiohttp"))))
"""


def test_signing_a_kzdocs_pdf_imports_no_pyhanko(tmp_path):
    unsigned, _ = signed_document()  # its record.xml signed, as a signed command makes it
    (tmp_path / "unsigned.pdf").write_bytes(unsigned)
    out = tmp_path / "signed.pdf"
    done = subprocess.run(
        [sys.executable, "-c", SIGN_IN_A_FRESH_PROCESS, str(KEYS["rsa"]), PASSWORD,
         str(tmp_path / "unsigned.pdf"), str(out)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.split() == []  # neither pyhanko.sign nor any other part of pyHanko
    result = verify_pdf(out.read_bytes())
    assert result.kind == "pades" and result.reasons == ()


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_another_shape_of_pdf_is_signed_by_pyhanko_the_same_signature(key):
    unsigned, ours = signed_document(key=key)
    rewritten = io.BytesIO()
    pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(unsigned))).write(rewritten)
    foreign = rewritten.getvalue()
    assert b"\nxref\n" in foreign  # a classic cross-reference table: not the shape kzdocs writes
    signed = signer(key).sign_pdf(foreign, signed_at=SIGNED_AT)
    assert signed.startswith(foreign)
    assert _normalised_cms(signed) == _normalised_cms(ours)  # pyHanko's, with kept attributes
    result = verify_pdf(signed)
    assert result.valid and result.kind == "pades", result.reasons


def test_what_is_not_a_pdf_is_refused():
    with pytest.raises(SigningError, match="cannot sign the PDF"):
        signer().sign_pdf(b"%PDF-1.7\nnot really", signed_at=SIGNED_AT)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 20,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(where=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 255))
def test_any_changed_byte_in_the_signed_ranges_is_caught(where, flip):
    _, signed = signed_document()
    _, first, second, length = _byte_range(signed)
    covered = first + length
    at = int(where * covered)
    at = at if at < first else second + (at - first)
    changed = bytearray(signed)
    changed[at] ^= flip
    assert not verify_pdf(bytes(changed)).valid


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 20,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    from_end=st.one_of(st.integers(1, 600), st.integers(1, 40_000)),  # the tail: xref, trailer
    flip=st.integers(1, 255),
)
def test_a_damaged_pdf_is_signed_as_it_is_or_refused(from_end, flip):
    unsigned, _ = signed_document()
    damaged = bytearray(unsigned)
    damaged[-min(from_end, len(unsigned))] ^= flip
    try:
        signed = signer().sign_pdf(bytes(damaged), signed_at=SIGNED_AT)
    except SigningError as exc:
        assert str(exc).startswith("cannot sign the PDF")
    else:
        assert signed.startswith(bytes(damaged))  # nothing of what was given is changed
