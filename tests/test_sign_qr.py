"""The QR codes of signed documents: kzdocs' encoder gives the symbols a reference encoder
gives, zbar reads them, and the payload format (docs/qr-payload.md) round-trips and refuses
every way a set of codes can be wrong."""

from __future__ import annotations

import hashlib
import random
import subprocess
import zlib

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from kzdocs.errors import QrPayloadError
from kzdocs.sign import qrsymbol
from kzdocs.sign.qr import MAX_CHUNK, qr_data_uri, qr_payloads, qr_png, read_qr_payloads


def _random(length: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(length)


def _segno_rows(data: bytes, level: str, version: int) -> tuple[str, ...]:
    code = segno.make_qr(
        data, error=level.lower(), version=version, mode="byte", mask=0, boost_error=False
    )
    return tuple("".join("1" if module else "0" for module in row) for row in code.matrix)


def _segno_padding(monkeypatch) -> None:
    """segno 1.6 pads a byte-aligned bit stream with one more zero byte where ISO 18004 adds
    none (write_padding_bits adds 8 - length % 8 bits); give kzdocs' encoder the same bytes so
    every other step (blocks, error correction, placement, mask, format) is compared."""
    exact = qrsymbol._data_codewords

    def padded(data: bytes, version: int, capacity: int) -> bytes:
        body = exact(data, version, capacity)[: 2 + (version >= 10) + len(data)]
        return (body + b"\x00" + b"\xec\x11" * capacity)[:capacity]

    monkeypatch.setattr(qrsymbol, "_data_codewords", padded)


CASES = [("M", version) for version in range(1, 41)]
CASES += [(level, version) for level in "LQH" for version in (1, 2, 7, 10, 27, 40)]


@pytest.mark.parametrize(("level", "version"), CASES)
def test_symbols_are_the_reference_encoders(level, version, monkeypatch):
    _segno_padding(monkeypatch)
    length = qrsymbol.data_capacity(version, level) - 1  # 0xEC-padded after the terminator
    data = _random(length, version)
    assert qrsymbol.encode(data, level, version).rows == _segno_rows(data, level, version)


def test_data_fills_a_code_to_its_capacity_and_no_further():
    for version in (1, 9, 10, 26, 27, 39):
        capacity = qrsymbol.data_capacity(version, "M")
        assert qrsymbol.encode(bytes(capacity), "M").version == version
        assert qrsymbol.encode(bytes(capacity + 1), "M").version == version + 1
    assert qrsymbol.data_capacity(40, "M") == 2331  # ISO/IEC 18004, table 7
    with pytest.raises(qrsymbol.QrCapacityError, match="2332 bytes do not fit"):
        qrsymbol.encode(bytes(2332), "M")


def _zbar(png: bytes, tmp_path) -> bytes:
    image = tmp_path / "code.png"
    image.write_bytes(png)
    done = subprocess.run(
        ["zbarimg", "-q", "--raw", "-Sbinary", "--nodbus", str(image)],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.removesuffix(b"\n")


@pytest.mark.parametrize("version", [1, 7, 10, 27, 33, 40])
def test_zbar_reads_the_codes_exactly(version, tmp_path):
    data = b"KZ1:" + _random(qrsymbol.data_capacity(version, "M") - 4, version)
    png = qrsymbol.png(qrsymbol.encode(data, "M", version), scale=3)
    assert _zbar(png, tmp_path) == data


def test_png_is_greyscale_one_pixel_a_module_with_a_quiet_zone():
    payload = qr_payloads(b"<a>x</a>")[0]
    png = qr_png(payload)
    symbol = qrsymbol.encode(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = (
        int.from_bytes(png[16:20]),
        int.from_bytes(png[20:24]),
        *png[24:26],
    )
    assert width == height == symbol.size + 8 and (depth, colour) == (8, 0)
    assert qr_data_uri(payload) == qr_data_uri(payload)  # the same bytes every time (goldens)
    assert qr_data_uri(payload).startswith("data:image/png;base64,")


SIGNED = "<license>Қазақстан</license>".encode() * 40


def test_payloads_carry_a_header_and_chunks_of_one_zlib_stream():
    payloads = qr_payloads(SIGNED)
    ident = hashlib.sha256(SIGNED).hexdigest()[:8].upper().encode()
    assert payloads == (b"KZ1:1/1:" + ident + b":" + zlib.compress(SIGNED, 9),)
    assert read_qr_payloads(payloads) == SIGNED


def test_a_large_document_is_cut_into_equal_codes_in_any_order():
    signed = _random(3 * MAX_CHUNK + 10, 3)  # random bytes do not compress
    payloads = qr_payloads(signed)
    assert [p[:8] for p in payloads] == [b"KZ1:1/4:", b"KZ1:2/4:", b"KZ1:3/4:", b"KZ1:4/4:"]
    assert len({qrsymbol.encode(p).version for p in payloads}) == 1
    assert max(len(p) for p in payloads) <= qrsymbol.data_capacity(33, "M")
    assert read_qr_payloads(reversed(payloads)) == signed
    assert read_qr_payloads([*payloads, payloads[0]]) == signed  # the same code scanned twice


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000))
def test_any_signed_data_round_trips(signed):
    payloads = qr_payloads(signed)
    if signed:
        assert read_qr_payloads(payloads) == signed
    else:
        assert payloads == ()


BROKEN = {
    "missing": (lambda p: p[1:], "QR code 1 of 3 is missing"),
    "none": (lambda p: [], "no QR code given"),
    "foreign": (lambda p: [b"https://example.com", *p], "not a kzdocs QR code"),
    "another document": (
        lambda p: [*p[:2], qr_payloads(_random(3 * MAX_CHUNK, 4))[2]],
        "belong to different documents",
    ),
    "two versions of a code": (lambda p: [*p, p[0][:-1] + b"!"], "claim to be code 1"),
    "number beyond count": (lambda p: [p[0].replace(b"KZ1:1/3", b"KZ1:4/3", 1)], "no such code"),
    "tampered chunk": (lambda p: [p[0][:40] + b"\x00" + p[0][41:], *p[1:]], "zlib|hash"),
    "chunks swapped": (
        lambda p: [p[0][:20] + p[1][20:], p[1][:20] + p[0][20:], p[2]],
        "zlib|hash",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_codes_that_do_not_make_one_document_are_refused(case):
    payloads = list(qr_payloads(_random(2 * MAX_CHUNK + 100, 5)))
    change, message = BROKEN[case]
    with pytest.raises(QrPayloadError, match=message) as caught:
        read_qr_payloads(change(payloads))
    assert isinstance(caught.value, ValueError)


def test_a_stream_that_inflates_beyond_the_limit_is_refused(monkeypatch):
    from kzdocs.sign import qr

    payloads = qr_payloads(bytes(100_000))  # compresses to a few hundred bytes
    monkeypatch.setattr(qr, "MAX_XML_BYTES", 50_000)
    with pytest.raises(QrPayloadError, match="more than 50000 bytes"):
        read_qr_payloads(payloads)


def test_a_document_too_large_for_99_codes_is_an_error():
    with pytest.raises(QrPayloadError, match="more than 99"):
        qr_payloads(_random(100 * MAX_CHUNK, 6))
