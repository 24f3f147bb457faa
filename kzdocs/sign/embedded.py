"""Reading a PDF that may be hostile, within bounds: its embedded record.xml and its page text.

Every pypdf read here runs under `bounded()`: pypdf's own limits (a context variable, so the host
application's settings stay untouched) cap what any stream may inflate to.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from kzdocs.errors import EmbeddedXmlError

XML_NAME = "record.xml"
PAGE_STREAM_LIMIT = 16 << 20  # what one page's streams may inflate to
MAX_PAGES = 50
MAX_ATTACHMENTS = 16


@contextmanager
def bounded(max_output: int = PAGE_STREAM_LIMIT) -> Iterator[None]:
    """pypdf limited to `max_output` bytes per decoded stream."""
    from pypdf import apply_configuration

    with apply_configuration(
        zlib_maximum_output_length=max_output,
        lzw_maximum_output_length=max_output,
        run_length_maximum_output_length=max_output,
        brotli_maximum_output_length=max_output,
        array_based_stream_maximum_output_length=max_output,
        stream_decoding_work_maximum_length=4 * max_output,
    ):
        yield


def read_record_xml(pdf: bytes, *, max_size: int) -> bytes:
    """The one embedded `record.xml`, refused unread when it declares, or inflates to, more
    than `max_size` bytes. Raises `EmbeddedXmlError`."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        with bounded():
            files = _attachments(PdfReader(io.BytesIO(pdf)))
            found = [f for f in files if f.name == XML_NAME]
            names = tuple(sorted({str(f.name) for f in files}))
            if len(found) != 1 or len(files) != 1:
                what = "no" if not found else f"{len(files)} embedded files, not only one"
                message = f"a kzdocs PDF carries one {XML_NAME}; this has {what}"
                raise EmbeddedXmlError(message, names)
            declared = found[0].size
            if declared is not None and int(declared) > max_size:
                raise EmbeddedXmlError(_too_big(f"declares {int(declared)} bytes", max_size))
            with bounded(max_size + 1):  # pypdf stops when the output reaches its limit
                content = found[0].content
    except LimitReachedError as exc:
        raise EmbeddedXmlError(_too_big("inflates further", max_size)) from exc
    except EmbeddedXmlError:
        raise
    except Exception as exc:  # a damaged file must yield a verdict, whatever pypdf trips on
        raise EmbeddedXmlError(f"the embedded {XML_NAME} cannot be read ({exc})") from exc
    if len(content) > max_size:
        raise EmbeddedXmlError(_too_big(f"holds {len(content)} bytes", max_size))
    return content


def _attachments(reader) -> list:
    files = []
    for embedded in reader.attachment_list:
        files.append(embedded)
        if len(files) > MAX_ATTACHMENTS:
            break
    return files


def _too_big(what: str, limit: int) -> str:
    return (
        f"the embedded {XML_NAME} {what}, over the limit of {limit} bytes "
        "(verify.max_embedded_bytes in the configuration); refused unread"
    )


def page_texts(pdf: bytes) -> tuple[list[str], str]:
    """The text every page draws (`kzdocs.sign.pagetext`) and the catalog's /Lang."""
    from pypdf import PdfReader

    from kzdocs.sign.pagetext import page_text

    with bounded():
        reader = PdfReader(io.BytesIO(pdf))
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise ValueError(f"{count} pages; a kzdocs document has at most {MAX_PAGES}")
        texts = [page_text(page) for page in reader.pages]
        lang = str(reader.trailer["/Root"].get("/Lang", ""))
    return texts, lang
