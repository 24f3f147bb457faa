"""PDF/A-3 specifics: the record's canonical XML as an associated file, and reading it back."""

from __future__ import annotations

import io
from importlib.resources import files

import pydyf
from weasyprint import Attachment
from weasyprint.css import ColorProfile

from kzdocs.pdf.meta import PdfMeta

PDF_VARIANT = "pdf/a-3b"
XML_NAME = "record.xml"
XML_MIME = "application/xml"
# The record is the source the document was rendered from (ISO 32000-2, 7.11.3).
XML_RELATIONSHIP = "Source"
# WeasyPrint's own "srgb" output intent opens its ICC file for every document and never closes
# it; the engine loads the same profile once, under its own key.
OUTPUT_INTENT = "kzdocs-srgb"


class _ShippedColorProfile(ColorProfile):
    """A colour profile embedded as the bytes it was read from: Pillow's re-serialisation
    stamps the current time into the profile header, so no two PDFs would be alike."""

    def __init__(self, data: bytes, name: str):
        super().__init__(io.BytesIO(data), name, "relative-colorimetric", (["r"], ["g"], ["b"]))
        self._data = data

    @property
    def content(self) -> bytes:
        return self._data


def srgb_profile() -> ColorProfile:
    """The sRGB ICC profile WeasyPrint ships, as the PDF/A output intent."""
    return _ShippedColorProfile(
        files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes(), "sRGB2014.icc"
    )


def xml_attachment(xml: bytes, meta: PdfMeta, url_fetcher=None) -> Attachment:
    """The canonical XML as a PDF attachment, dated with the document, never with 'now'.

    Nothing is fetched for it; pass the engine's fetcher all the same, or WeasyPrint builds a
    urllib opener for every attachment (a third of a millisecond).
    """
    return Attachment(
        string=xml,
        url_fetcher=url_fetcher,
        name=XML_NAME,
        description="Canonical XML of the record (Order 51-НҚ)",
        created=meta.created_utc,
        modified=meta.created_utc,
        relationship=XML_RELATIONSHIP,
    )


def fix_embedded_file_types(pdf: pydyf.PDF) -> None:
    """Write the XML's MIME type explicitly: WeasyPrint guesses it from the platform's tables,
    which say text/xml on some machines and application/xml on others."""
    subtype = "/" + XML_MIME.replace("/", "#2f")
    for obj in pdf.objects:
        if _is_xml_filespec(obj):
            stream = pdf.objects[int(obj["EF"]["F"].split()[0])]
            stream.extra["Subtype"] = subtype


def dedupe_associated_files(pdf: pydyf.PDF) -> None:
    """WeasyPrint lists each attachment twice in the catalog's /AF; once is the rule."""
    files_ = pdf.catalog.get("AF")
    if files_:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(files_))


def _is_xml_filespec(obj: object) -> bool:
    if not isinstance(obj, pydyf.Dictionary) or obj.get("Type") != "/Filespec":
        return False
    name = obj.get("UF")
    return isinstance(name, pydyf.String) and name.string == XML_NAME


def extract_xml(pdf: bytes, *, max_size: int | None = None) -> bytes:
    """The record XML embedded in a kzdocs PDF, or `EmbeddedXmlError`.

    The PDF may be hostile: it is read within the verifier's bounds (`kzdocs.sign.embedded`),
    so an attachment declaring or inflating to more than `max_size` bytes (default: the
    configuration's `verify.max_embedded_bytes`) is refused unread.
    """
    from kzdocs.config import DEFAULT
    from kzdocs.sign.embedded import read_record_xml

    limit = DEFAULT.verify.max_embedded_bytes if max_size is None else max_size
    return read_record_xml(pdf, max_size=limit)
