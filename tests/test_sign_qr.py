"""QR payloads of the signed data: ordered chunks within the size limit, vector and PNG images."""

from __future__ import annotations

import base64

import pytest

from kzdocs.sign.qr import join_payloads, qr_payloads, qr_png, qr_svg


@pytest.mark.parametrize(
    ("size", "max_chars", "count"), [(10, 2000, 1), (6000, 2000, 5), (1500, 500, 5)]
)
def test_payloads_are_numbered_and_within_the_limit(size, max_chars, count):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    payloads = qr_payloads(data, max_chars=max_chars)
    assert len(payloads) == count
    assert [p.split(":", 1)[0] for p in payloads] == [f"{n}/{count}" for n in range(1, count + 1)]
    assert all(len(p) <= max_chars for p in payloads)
    assert join_payloads(list(reversed(payloads))) == data


def test_text_payloads_keep_the_xml_readable():
    xml = "<a>Қазақстан</a>".encode()
    assert qr_payloads(xml, encoding="text") == ("1/1:<a>Қазақстан</a>",)
    assert join_payloads(["1/1:<a>Қазақстан</a>"], encoding="text") == xml


def test_missing_chunk_is_reported():
    payloads = qr_payloads(b"y" * 5000, max_chars=1000)
    with pytest.raises(ValueError, match="incomplete"):
        join_payloads(payloads[1:])


def test_svg_is_a_vector_data_uri():
    uri = qr_svg("1/1:hello")
    assert uri.startswith("data:image/svg+xml;base64,")  # the PDF fetcher takes base64 only
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<path" in svg
    assert qr_svg("1/1:hello") == uri  # stable bytes for golden files


def test_png_is_a_png_data_uri():
    uri = qr_png("1/1:hello")
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_full_size_payload_still_fits_one_code():
    (payload,) = qr_payloads(b"z" * 1400)
    assert len(payload) <= 2000
    assert qr_svg(payload).startswith("data:image/svg+xml")
