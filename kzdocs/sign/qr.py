"""QR codes of the signed data, as e-government documents print them: long payloads are split
over several codes, each prefixed «n/N:» so a reader can put them back in order."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import segno

MAX_CHARS = 2000  # per code; a version-40 code at level M holds 2 331 bytes
ERROR_LEVEL = "m"
MASK = 0


def qr_payloads(
    signed: bytes, *, max_chars: int = MAX_CHARS, encoding: str = "base64"
) -> tuple[str, ...]:
    """`signed` (base64, or as UTF-8 text) cut into chunks of at most `max_chars`, «n/N:» first."""
    if encoding == "base64":
        text = base64.b64encode(signed).decode("ascii")
    elif encoding == "text":
        text = signed.decode("utf-8")
    else:
        raise ValueError(f"encoding must be 'base64' or 'text', got {encoding!r}")
    if not text:
        return ()
    # The «n/N:» prefix counts against the limit; guess N, then grow it if the prefix got longer.
    count = 1
    while True:
        room = max_chars - len(f"{count}/{count}:")
        if room < 1:
            raise ValueError(f"max_chars={max_chars} leaves no room for data")
        chunks = [text[i : i + room] for i in range(0, len(text), room)]
        if len(chunks) <= count:
            break
        count = len(chunks)
    total = len(chunks)
    return tuple(f"{n}/{total}:{chunk}" for n, chunk in enumerate(chunks, 1))


def join_payloads(payloads: list[str] | tuple[str, ...], *, encoding: str = "base64") -> bytes:
    """The signed data back from its QR payloads, in any order."""
    parts: dict[int, str] = {}
    total = 0
    for payload in payloads:
        head, _, chunk = payload.partition(":")
        number, _, count = head.partition("/")
        parts[int(number)] = chunk
        total = int(count)
    if sorted(parts) != list(range(1, total + 1)):
        raise ValueError(f"QR payloads incomplete: have {sorted(parts)} of {total}")
    text = "".join(parts[n] for n in range(1, total + 1))
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")


@lru_cache(maxsize=64)
def _code(payload: str) -> segno.QRCode:
    # A fixed mask: every mask is valid, and choosing the "best" costs ~80 ms per code.
    return segno.make_qr(payload, error=ERROR_LEVEL, boost_error=False, mask=MASK)


@lru_cache(maxsize=64)  # one signature is drawn in HTML, PDF and DOCX alike
def qr_svg(payload: str, *, scale: int = 2) -> str:
    """A vector QR code of `payload` as a base64 SVG data URI (for HTML and PDF)."""
    buffer = io.BytesIO()
    _code(payload).save(buffer, kind="svg", xmldecl=False, scale=scale, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@lru_cache(maxsize=64)
def qr_png(payload: str, *, scale: int = 3) -> str:
    """A QR code of `payload` as a PNG data URI (for DOCX, which takes raster images)."""
    return _code(payload).png_data_uri(scale=scale, border=2)
