"""The PDF signature: PAdES B-B as an incremental update that keeps PDF/A valid.

kzdocs writes the update itself for the PDFs it renders (WeasyPrint's shape: one xref stream,
dictionaries in object streams; read by kzdocs.sign.pdfobjects), without pyHanko's signing
package, whose import (its time-stamp client, aiohttp, the system's CA certificates) cost a
signed command a fifth of its time. Any other PDF (classic xref table, a form already there, a
signature already there, encryption…) is signed by pyHanko as before (kzdocs.sign.pyhanko_pades).

Both make the same signature: an invisible field (an empty appearance, as PDF/A wants) on the
first page, AcroForm /SigFlags 3, a /Sig dictionary whose /M is the signing time, the CMS of
kzdocs.sign.cades, Info and XMP left as the renderer wrote them (so they agree, as PDF/A needs),
the trailer's second /ID derived from the input and the time: the bytes are reproducible.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime
from functools import lru_cache

from kzdocs.errors import SigningError
from kzdocs.sign.base import aware
from kzdocs.sign.cades import CmsSigner
from kzdocs.sign.certs import KeyMaterial
from kzdocs.sign.pdfobjects import PdfObjects, Unsupported, reference, references, skip_value

FIELD_NAME = "kzdocs-signature"
SLACK = 32  # hex digits: room for 16 more bytes of CMS
_BYTE_RANGE = b"/ByteRange [0 %d %d %d]"
_BYTE_RANGE_WIDTH = len(_BYTE_RANGE % (10**10, 10**10, 10**10))
# PAdES in PDF 1.7 announces ETSI's developer extension, as pyHanko does.
_ESIC = b"<</ESIC <</Type /DeveloperExtensions/BaseVersion /1.7/ExtensionLevel 1>>>>"


@lru_cache(maxsize=8)
def _cms_signer(material: KeyMaterial) -> CmsSigner:
    return CmsSigner(material)


def sign_pdf_pades(pdf: bytes, material: KeyMaterial, signed_at: datetime | None) -> bytes:
    """`pdf` with an invisible PAdES B-B signature appended as an incremental update."""
    moment = aware(signed_at)
    signer = _cms_signer(material)
    try:
        update = _Update(PdfObjects(pdf), moment)
    except (Unsupported, ValueError, KeyError, IndexError):  # not the shape kzdocs renders
        from kzdocs.sign.pyhanko_pades import sign_pdf_pyhanko

        return sign_pdf_pyhanko(pdf, material, moment)
    return update.sign(signer)


class _Update:
    """The objects a signature adds or changes, read from the PDF and written after it."""

    def __init__(self, objects: PdfObjects, moment: datetime):
        self.pdf = objects.data
        self.moment = moment
        trailer = objects.trailer
        self.trailer = trailer
        self.prev = objects.xref_offset
        self.root = reference(trailer[b"/Root"])
        self.catalog = objects.dictionary(self.root)
        for key in (b"/AcroForm", b"/Extensions", b"/Perms"):
            if key in self.catalog:
                raise Unsupported(f"the catalog already has {key.decode()}")
        self.page = _first_page(objects, reference(self.catalog[b"/Pages"]))
        self.page_entries = objects.dictionary(self.page)
        self.annotations = references(self.page_entries.get(b"/Annots", b"[]"))
        self.first_id = _first_id(trailer)
        self.size = int(trailer[b"/Size"])

    def sign(self, signer: CmsSigner) -> bytes:
        form, widget, blank, sig, xref = range(self.size, self.size + 5)
        catalog = {**self.catalog, b"/AcroForm": b"%d 0 R" % form, b"/Extensions": _ESIC}
        annotations = b" ".join(b"%d 0 R" % n for n in (*self.annotations, widget))
        page = {**self.page_entries, b"/Annots": b"[%s]" % annotations}
        reserved = 2 * signer.max_length + SLACK
        bodies = {
            self.root: _dict(catalog),
            self.page: _dict(page),
            form: b"<</Fields [%d 0 R]/SigFlags 3>>" % widget,
            widget: (
                b"<</FT /Sig/T (%s)/Type /Annot/Subtype /Widget/F 132/Rect [0 0 0 0]/P %d 0 R"
                b"/AP <</N %d 0 R>>/V %d 0 R>>" % (FIELD_NAME.encode(), self.page, blank, sig)
            ),
            # PDF/A (TechNote 0006) wants an appearance even for an invisible signature.
            blank: b"<</Type /XObject/Subtype /Form/BBox [0 0 0 0]/Length 0>>\nstream\n\nendstream",
            sig: (
                b"<</Type /Sig/Filter /Adobe.PPKLite/SubFilter /ETSI.CAdES.detached/M (%s)"
                b"/Contents <%s>%s>>" % (_pdf_date(self.moment), b"0" * reserved, _placeholder())
            ),
        }
        out = bytearray(self.pdf if self.pdf.endswith(b"\n") else self.pdf + b"\n")
        offsets = {}
        for number in sorted(bodies):
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
        offsets[xref] = len(out)
        out += self._xref_stream(xref, offsets)
        out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
        return _fill_signature(out, offsets[sig], reserved, signer)

    def _xref_stream(self, number: int, offsets: dict[int, int]) -> bytes:
        numbers = sorted(offsets)
        index: list[list[int]] = []
        for n in numbers:
            if index and index[-1][0] + index[-1][1] == n:
                index[-1][1] += 1
            else:
                index.append([n, 1])
        rows = b"".join(b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in numbers)
        data = zlib.compress(rows)
        second = hashlib.sha256(self.pdf + self.moment.isoformat().encode()).digest()[:16]
        entries = {
            b"/Type": b"/XRef",
            b"/Size": b"%d" % (number + 1),
            b"/Index": b"[%s]" % b" ".join(b"%d %d" % (a, b) for a, b in index),
            b"/W": b"[1 4 2]",
            b"/Root": self.trailer[b"/Root"],
            b"/ID": b"[%s <%s>]" % (self.first_id, second.hex().encode()),
            b"/Prev": b"%d" % self.prev,
            b"/Filter": b"/FlateDecode",
            b"/Length": b"%d" % len(data),
        }
        if b"/Info" in self.trailer:
            entries[b"/Info"] = self.trailer[b"/Info"]
        return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, _dict(entries), data)


def _fill_signature(out: bytearray, sig_offset: int, reserved: int, signer: CmsSigner) -> bytes:
    """`out` with the /ByteRange of the signature object at `sig_offset` and its CMS put in."""
    start = out.index(b"/Contents <", sig_offset) + len(b"/Contents ")
    end = start + reserved + 2  # the hex string with its angle brackets
    byte_range = _BYTE_RANGE % (start, end, len(out) - end)
    where = out.index(_placeholder(), end)
    out[where : where + _BYTE_RANGE_WIDTH] = byte_range.ljust(_BYTE_RANGE_WIDTH)
    digest = hashlib.sha256(memoryview(out)[:start])
    digest.update(memoryview(out)[end:])
    contents = signer.sign(digest.digest()).hex().upper().encode()
    if len(contents) > reserved:
        raise SigningError(f"the CMS needs {len(contents)} hex digits, {reserved} were reserved")
    out[start + 1 : start + 1 + len(contents)] = contents
    return bytes(out)


def _placeholder() -> bytes:
    return _BYTE_RANGE_WIDTH * b"?"


def _first_page(objects: PdfObjects, number: int) -> int:
    for _ in range(32):  # a page tree this deep is no tree kzdocs writes
        node = objects.dictionary(number)
        if node.get(b"/Type") == b"/Page":
            return number
        if node.get(b"/Type") != b"/Pages":
            raise Unsupported(f"object {number} is neither /Pages nor /Page")
        kids = references(node.get(b"/Kids", b"[]"))
        if not kids:
            raise Unsupported("a page tree without pages")
        number = kids[0]
    raise Unsupported("a page tree too deep")


def _first_id(trailer: dict[bytes, bytes]) -> bytes:
    raw = trailer.get(b"/ID", b"").strip()
    if not raw.startswith(b"["):
        raise Unsupported("the trailer has no /ID")
    first = raw[1 : skip_value(raw, 1)].strip()
    if not first.startswith((b"(", b"<")) or first.startswith(b"<<"):
        raise Unsupported("the trailer's /ID is not a string")
    return first


def _dict(entries: dict[bytes, bytes]) -> bytes:
    return b"<<%s>>" % b"".join(
        key + (b"" if value[:1] in b"/([<" else b" ") + value for key, value in entries.items()
    )


def _pdf_date(moment: datetime) -> bytes:
    """The PDF date of `moment` as pyHanko writes it (with the apostrophe Adobe Reader wants)."""
    offset = int(moment.utcoffset().total_seconds())
    if not offset:
        zone = "Z"
    else:
        hours, rest = divmod(abs(offset), 3600)
        zone = f"{'-' if offset < 0 else '+'}{hours:02d}'{rest // 60:02d}'"
    return (moment.strftime("D:%Y%m%d%H%M%S") + zone).encode()
