"""The one place where kzdocs reaches into WeasyPrint's and pydyf's internals, for speed.

Each patch was measured and is kept because it saves at least 5 % of a document's PDF time
(docs/performance.md):

- **fast HTML parser**: WeasyPrint parses with tinyhtml5, in pure Python; for HTML that follows
  the kzdocs contract, libxml2 builds the same tree (`kzdocs.pdf.html.parse_contract_html`) in
  a fraction of the time, and `ContractHTML` hands it to WeasyPrint as `HTML.__init__` would.
- **streams serialised once**: pydyf 0.13 asks every stream for its bytes twice when the PDF
  has an identifier (once to write it, once to hash the file) and so compresses each twice;
  `serialise_once` keeps the first result (at zlib's default level, not pydyf's 9).
- **one C type for the subsetting arrays**: WeasyPrint 70 subsets each font with arrays it
  asks cffi for as `hb_codepoint_t[N]`, a type string for every glyph count N; cffi parses
  every new string with pycparser (2–8 ms, the first of a process more), and a batch worker's
  documents keep bringing new lengths. Counted with callgrind (instructions, so the machine's
  load does not enter): the 2nd to 13th documents of a process (six issued-document fixtures,
  kk and ru) take 11.2 % fewer instructions unsigned, 7.3 % signed. `writing()` has the same
  arrays made as `hb_codepoint_t[]`, sized by their items.
- **PNG rows taken as they are**: WeasyPrint 70 decodes every PNG image it draws and encodes it
  again with Pillow only to take the compressed rows out of the new file (8–10 ms a QR code of
  157 × 157 pixels on the shared machine, two codes a signed document: 5.5 % of a signed
  document's instructions, counted as above; nothing on a draft, which has no image). An 8-bit
  grey or RGB PNG without interlacing holds the very rows a PDF image with a PNG predictor
  reads: `writing()` has them taken from the file itself. The same pixels; kzdocs.pdf.bilevel
  then rewrites these images with 1 bit a pixel from their pixels, so the PDF's bytes do not
  change.
- **font names freed**: WeasyPrint 70's `Font.__init__` (weasyprint/pdf/fonts.py) reads each
  font's description through `pango_font_description_to_string` and never frees the string
  GLib allocated for it: 128 bytes for each font of each PDF, 384 a licence, which made a
  long-lived worker (`kzdocs serve`, a long batch) grow by about 2 MiB every 5 000 documents
  with its Python objects flat (found with heaptrack; docs/performance.md). While a PDF is
  written, that module's `pango` hands out the string owned by a cdata that frees it with
  `g_free` when dropped, as soon as WeasyPrint has copied it with `ffi.string`.

They apply only to the exact versions they were written against (PINNED). With any other
WeasyPrint or pydyf, or with KZDOCS_PUBLIC_API=1, kzdocs renders through WeasyPrint's public API
alone and logs why once. tests/test_patches.py renders every fixture both ways: the same page
text and the same pixels.
"""

from __future__ import annotations

import io
import logging
import os
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache

import cffi
import cssselect2
import pydyf
import weasyprint
import weasyprint.images
import weasyprint.pdf.fonts
import weasyprint.text.ffi
from weasyprint import HTML

from kzdocs.pdf.html import parse_contract_html

LOGGER = logging.getLogger("kzdocs.pdf")
PINNED = {"weasyprint": "70.0", "pydyf": "0.13.0"}
SWITCH = "KZDOCS_PUBLIC_API"  # =1: never patch
ZLIB_LEVEL = 6  # level 9 costs about 0.6 ms more a document for files 0.3 % smaller


def installed_versions() -> dict[str, str]:
    return {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}


def versions_match(installed: Mapping[str, str]) -> bool:
    """Whether the patches apply to `installed`; logs why not."""
    if dict(installed) == PINNED:
        return True
    found = ", ".join(f"{name} {version}" for name, version in sorted(installed.items()))
    wanted = ", ".join(f"{name} {version}" for name, version in sorted(PINNED.items()))
    LOGGER.warning(
        "%s installed, kzdocs' speed patches are written for %s: rendering through "
        "WeasyPrint's public API only (the same documents, slower)",
        found,
        wanted,
    )
    return False


def _enabled() -> bool:
    if os.environ.get(SWITCH, "") not in ("", "0"):
        return False
    return versions_match(installed_versions())


#: Whether the patches are applied in this process (tests and bench switch it).
ENABLED = _enabled()


def html_document(string: str, url_fetcher) -> HTML:
    """`weasyprint.HTML(string=…, url_fetcher=…)`, parsed by libxml2 where that is safe."""
    root = parse_contract_html(string) if ENABLED else None
    if root is None:
        return HTML(string=string, url_fetcher=url_fetcher)
    return ContractHTML(root, url_fetcher)


class ContractHTML(HTML):
    """An `HTML` over a tree already parsed: what WeasyPrint 70's `HTML.__init__` sets for a
    string without base URL (<base> is no contract tag)."""

    def __init__(self, root, url_fetcher) -> None:  # not super().__init__: it would parse
        self.base_url = None
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element


def finish(pdf: pydyf.PDF) -> None:
    """From now on, `pdf` computes each stream's bytes once. Call it last, before writing."""
    if not ENABLED or type(pdf) is not pydyf.PDF:
        return
    for object_ in pdf.objects:
        _once(object_)
    pdf.__class__ = _OncePdf


class _Once:
    """Mixed into a stream class: the bytes are computed on first use and kept."""

    @property
    def data(self) -> bytes:
        data = self.__dict__.get("_kzdocs_data")
        if data is None:
            data = self.__dict__["_kzdocs_data"] = _serialise(self)
        return data


def _serialise(stream: pydyf.Stream) -> bytes:
    """pydyf 0.13's Stream.data, compressed at zlib's default level."""
    body = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    extra = pydyf.Dictionary(stream.extra.copy())
    if stream.compress:
        extra["Filter"] = "/FlateDecode"
        body = zlib.compress(body, ZLIB_LEVEL)
    extra["Length"] = len(body)
    return b"\n".join((extra.data, b"stream", body, b"endstream"))


_once_classes: dict[type, type] = {}


class _OncePdf(pydyf.PDF):
    """A PDF whose streams, including those `write` adds itself, are serialised once."""

    def add_object(self, object_) -> None:
        _once(object_)
        super().add_object(object_)


def _once(object_) -> None:
    # pydyf's own streams and WeasyPrint's subclass for page content alike.
    cls = type(object_)
    if isinstance(object_, pydyf.Stream) and not issubclass(cls, _Once):
        once = _once_classes.get(cls)
        if once is None:
            once = _once_classes[cls] = type(f"Once{cls.__name__}", (_Once, cls), {})
        object_.__class__ = once


@contextmanager
def writing() -> Iterator[None]:
    """While WeasyPrint writes a PDF: its font subsetting makes its arrays with one C type per
    item type instead of one per item type and length, PNG rows are taken from the image file
    where they can be, and the font names it reads are freed (see the module's docstring)."""
    fonts, images = weasyprint.pdf.fonts, weasyprint.images.RasterImage
    if not ENABLED or fonts.ffi is not _REAL_FFI:  # nested, or another thread's render
        yield
        return
    fonts.ffi, fonts.pango = _OPEN_ARRAYS, freeing_pango()
    images._get_png_data = staticmethod(_png_rows)
    try:
        yield
    finally:
        fonts.ffi, fonts.pango = _REAL_FFI, _REAL_PANGO
        images._get_png_data = _REAL_PNG_METHOD


def _png_rows(pillow_image) -> bytes:
    """WeasyPrint 70's `RasterImage._get_png_data`: the zlib stream of the image's PNG rows."""
    rows = _plain_png_rows(pillow_image)
    return _REAL_PNG_DATA(pillow_image) if rows is None else rows


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PLAIN_PNG = {("L", 0), ("RGB", 2)}  # Pillow's mode and the PNG colour type it is read from


def _plain_png_rows(pillow_image) -> bytes | None:
    """The IDAT data of the PNG file the image was opened from, if it is an 8-bit grey or RGB
    PNG without interlacing or transparency (what a PDF predictor reads); else None."""
    source = getattr(pillow_image, "fp", None)
    if pillow_image.format != "PNG" or not isinstance(source, io.BytesIO):
        return None
    if "transparency" in pillow_image.info:
        return None
    data = source.getvalue()
    if not data.startswith(_PNG_SIGNATURE):
        return None
    chunks, offset = [], len(_PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, offset)
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    plain = (pillow_image.mode, colour) in _PLAIN_PNG and depth == 8 and interlace == 0
    if not plain or (width, height) != pillow_image.size:
        return None
    return b"".join(body for kind, body in chunks if kind == b"IDAT") or None


_SIZED_ARRAY = re.compile(r"(hb_codepoint_t)\[([0-9]+)\]")


class _OpenArrayFfi:
    """WeasyPrint's cffi FFI, but `new("hb_codepoint_t[N]", items)` with N items (the same
    array) is made through the open type `hb_codepoint_t[]`, parsed once."""

    def __init__(self, ffi) -> None:
        self._ffi = ffi
        self._open_types: dict[str, object] = {}

    def new(self, cdecl, init=None):
        match = _SIZED_ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if match and isinstance(init, list | tuple) and len(init) == int(match[2]):
            cdecl = self._open_types.get(match[1]) or self._open_type(match[1])
        return self._ffi.new(cdecl, init)

    def _open_type(self, item: str):
        ctype = self._open_types[item] = self._ffi.typeof(f"{item}[]")
        return ctype

    def __getattr__(self, name: str):
        return getattr(self._ffi, name)


_REAL_FFI = weasyprint.pdf.fonts.ffi
_OPEN_ARRAYS = _OpenArrayFfi(_REAL_FFI)
_REAL_PNG_METHOD = weasyprint.images.RasterImage.__dict__["_get_png_data"]  # the staticmethod
_REAL_PNG_DATA = _REAL_PNG_METHOD.__func__


class _FreeingPango:
    """WeasyPrint's Pango library, but the string `pango_font_description_to_string` returns
    (which the caller owns) is freed with `g_free` once nothing refers to it."""

    def __init__(self, pango, ffi, free) -> None:
        self._pango, self._ffi, self._free = pango, ffi, free

    def pango_font_description_to_string(self, description):
        return self._ffi.gc(self._pango.pango_font_description_to_string(description), self._free)

    def __getattr__(self, name: str):
        return getattr(self._pango, name)


@cache
def freeing_pango() -> _FreeingPango:
    """The Pango `writing()` hands WeasyPrint, with GLib's `g_free` declared in a cffi FFI of
    kzdocs' own (WeasyPrint's declares none), made on the first PDF."""
    ffi = cffi.FFI()
    ffi.cdef("void g_free (void *mem);")
    # The names WeasyPrint 70 tries for each of its libraries, here for GLib.
    names = ("libglib-2.0-0", "glib-2.0-0", "glib-2.0", "libglib-2.0.so.0", "libglib-2.0.0.dylib")
    glib = weasyprint.text.ffi._dlopen(ffi, *names, "libglib-2.0-0.dll")
    return _FreeingPango(_REAL_PANGO, _REAL_FFI, glib.g_free)


_REAL_PANGO = weasyprint.pdf.fonts.pango
