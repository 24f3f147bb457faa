"""The QR codes of a signed document: the signed XML, compressed, split over as few codes as
it takes, each code naming its place and the document it belongs to.

The format is specified in docs/qr-payload.md; `qr_payloads` writes it, `read_qr_payloads`
reads it back (and is the reader a verifier should use: it checks everything the format can).

Each code's content, in QR byte mode:

    KZ1:<n>/<N>:<ID>:<chunk n of the zlib stream of the signed XML>

<ID> is the first 4 bytes of the SHA-256 of the signed XML in 8 upper-case hex digits.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Iterable
from functools import lru_cache

from kzdocs.errors import QrPayloadError
from kzdocs.sign import qrsymbol

MAGIC = b"KZ1"
LEVEL = "M"  # 15 % of a code may be damaged
# Chunk bytes per code: at most a version-33 code (149 modules), readable from a 300 dpi scan
# at the printed size. A licence (about 2.9 kB compressed) takes two codes.
MAX_CHUNK = qrsymbol.data_capacity(33, LEVEL) - len(b"KZ1:99/99:00000000:")
MAX_CODES = 99
MAX_XML_BYTES = 4 * 1024 * 1024  # a reader refuses to inflate more (a compression bomb)
_HEADER = re.compile(rb"KZ1:([1-9][0-9]?)/([1-9][0-9]?):([0-9A-F]{8}):", re.DOTALL)
_PRINT_SCALE_PX = 1  # pixels a module in HTML and PDF: drawn without smoothing (see CSS)


def document_id(signed: bytes) -> str:
    """The 8 hex digits every code of one document carries."""
    return hashlib.sha256(signed).hexdigest()[:8].upper()


def qr_payloads(signed: bytes) -> tuple[bytes, ...]:
    """The contents of the QR codes that carry `signed`, in order (docs/qr-payload.md)."""
    if not signed:
        return ()
    stream = zlib.compress(signed, 9)
    count = -(-len(stream) // MAX_CHUNK)
    if count > MAX_CODES:
        raise QrPayloadError(f"the signed XML needs {count} QR codes, more than {MAX_CODES}")
    size = -(-len(stream) // count)  # equal chunks: every code gets the same version
    ident = document_id(signed).encode("ascii")
    return tuple(
        b"%s:%d/%d:%s:%s" % (MAGIC, n + 1, count, ident, stream[n * size : (n + 1) * size])
        for n in range(count)
    )


def read_qr_payloads(payloads: Iterable[bytes]) -> bytes:
    """The signed XML from the contents of a document's QR codes, in any order.

    Raises `QrPayloadError` (a ValueError) naming what is wrong: a content that is not a kzdocs
    code, codes of different documents, a code missing or repeated, a stream that does not
    inflate, or an XML whose hash is not the one the codes name.
    """
    chunks: dict[int, bytes] = {}
    counts, idents = set(), set()
    for payload in payloads:
        number, count, ident, chunk = _parse(payload)
        if number in chunks and chunks[number] != chunk:
            raise QrPayloadError(f"two different QR codes claim to be code {number}")
        chunks[number] = chunk
        counts.add(count)
        idents.add(ident)
    if not chunks:
        raise QrPayloadError("no QR code given")
    if len(idents) > 1 or len(counts) > 1:
        raise QrPayloadError(f"the QR codes belong to different documents: {sorted(idents)}")
    (count,), (ident,) = counts, idents
    missing = sorted(set(range(1, count + 1)) - set(chunks))
    if missing:
        raise QrPayloadError(f"QR code {', '.join(map(str, missing))} of {count} is missing")
    signed = _inflate(b"".join(chunks[n] for n in range(1, count + 1)))
    if document_id(signed) != ident:
        raise QrPayloadError(f"the joined QR codes hash to {document_id(signed)}, not {ident}")
    return signed


def _parse(payload: bytes) -> tuple[int, int, str, bytes]:
    match = _HEADER.match(payload)
    if match is None:
        raise QrPayloadError(f"not a kzdocs QR code: it starts {payload[:24]!r}")
    number, count = int(match[1]), int(match[2])
    if number > count:
        raise QrPayloadError(f"QR code {number} of {count}: no such code")
    return number, count, match[3].decode("ascii"), payload[match.end() :]


def _inflate(stream: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        signed = inflater.decompress(stream, MAX_XML_BYTES)
    except zlib.error as error:
        raise QrPayloadError(f"the joined QR codes are not a zlib stream ({error})") from None
    if inflater.unconsumed_tail:
        raise QrPayloadError(f"the joined QR codes inflate to more than {MAX_XML_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise QrPayloadError("the joined QR codes are not one whole zlib stream")
    return signed


@lru_cache(maxsize=64)  # one signature is drawn in HTML, PDF and DOCX alike
def qr_symbol(payload: bytes) -> qrsymbol.QrSymbol:
    """The QR code of one payload."""
    return qrsymbol.encode(payload, LEVEL)


def qr_png(payload: bytes, *, scale: int = _PRINT_SCALE_PX) -> bytes:
    """The PNG image of one payload's code, `scale` pixels a module, 4 modules of quiet zone."""
    return qrsymbol.png(qr_symbol(payload), scale=scale)


def qr_data_uri(payload: bytes) -> str:
    """The code as a PNG data URI, one pixel a module: the print CSS scales it up without
    smoothing (image-rendering: pixelated), so it is sharp at any zoom and in print."""
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode("ascii")
