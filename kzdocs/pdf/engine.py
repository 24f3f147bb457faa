"""The per-process PDF engine: fonts, font configuration and stylesheets are prepared once,
then each document is only parsed, laid out and written."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint import CSS
from weasyprint.urls import FatalURLFetchingError

from kzdocs.errors import MissingGlyphError, RenderError, ResourceBlockedError
from kzdocs.pdf import patches
from kzdocs.pdf.bilevel import write_bilevel_images
from kzdocs.pdf.fetcher import ResourceFetcher
from kzdocs.pdf.fonts import (
    FACES,
    FONT_MIME,
    ShippedFontConfiguration,
    engine_font_bytes,
    font_face_css,
)
from kzdocs.pdf.meta import PdfMeta
from kzdocs.pdf.pdfa import (
    OUTPUT_INTENT,
    PDF_VARIANT,
    dedupe_associated_files,
    fix_embedded_file_types,
    srgb_profile,
    xml_attachment,
)

# The templates inline their print CSS in one attribute-less <style> so the HTML previews in a
# browser; the engine lifts it out and reuses the parsed stylesheet across documents.
_INLINE_STYLE = re.compile(r"<style>(.*?)</style\s*>", re.DOTALL | re.IGNORECASE)
_STYLESHEET_CACHE_SIZE = 16


def split_styles(html: str) -> tuple[str, str]:
    """The HTML without its plain <style> elements, and their CSS joined in source order."""
    parts: list[str] = []

    def lift(match: re.Match[str]) -> str:
        parts.append(match.group(1))
        return ""

    return _INLINE_STYLE.sub(lift, html), "\n".join(parts)


class PdfEngine:
    """Renders HTML that follows the kzdocs HTML contract to PDF/A-3b.

    Build one per process (a batch worker builds it once) and reuse it: building costs the
    font setup, every document after that only its own layout. Calls are serialised by a lock,
    since WeasyPrint's font map is not safe to share between threads.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.font_config = ShippedFontConfiguration()
        fonts = {face.url: engine_font_bytes(face.filename) for face in FACES}
        self.fetcher = ResourceFetcher({url: (data, FONT_MIME) for url, data in fonts.items()})
        self._fonts_css = self._parse_css(font_face_css())
        self._stylesheets: OrderedDict[str, CSS] = OrderedDict()
        self._output_profile = srgb_profile()
        self._lock = threading.Lock()
        self._forking = False  # True only while `forking()` holds the lock

    @contextmanager
    def forking(self) -> Iterator[None]:
        """Start processes by fork inside this block and they take this engine over as it is,
        fonts loaded and stylesheets parsed (`default_engine`): no render is under way while the
        block holds the lock, so what they copy is consistent."""
        with self._lock:
            self._forking = True
            try:
                yield
            finally:
                self._forking = False

    def _taken_over(self) -> PdfEngine:
        """This engine in a child forked inside `forking()`: its own lock (the copied one is
        held by the parent's thread) and its own process id."""
        self._lock = threading.Lock()
        self._forking = False
        self.pid = os.getpid()
        return self

    def render(self, html: str, *, meta: PdfMeta, xml: bytes | None = None) -> bytes:
        """One document as PDF bytes; the same inputs always give the same bytes."""
        meta = PdfMeta.of(meta)
        with self._lock:
            self.fetcher.blocked.clear()
            try:
                pdf = self._render(html, meta, xml)
            except FatalURLFetchingError as error:
                if isinstance(error.__cause__, ResourceBlockedError):
                    raise error.__cause__ from None
                raise RenderError(f"PDF rendering failed: {error}") from error
            if self.fetcher.blocked:
                raise ResourceBlockedError(self.fetcher.blocked[0])
            return pdf

    def _render(self, html: str, meta: PdfMeta, xml: bytes | None) -> bytes:
        body, css = split_styles(html)
        stylesheets = [self._fonts_css]
        if css.strip():
            stylesheets.append(self._stylesheet(css))
        document = patches.html_document(body, self.fetcher).render(
            font_config=self.font_config,
            stylesheets=stylesheets,
            pdf_variant=PDF_VARIANT,
            output_intent=OUTPUT_INTENT,
        )
        document.color_profiles[OUTPUT_INTENT] = self._output_profile
        _describe(document.metadata, meta)
        with patches.writing():
            return document.write_pdf(
                pdf_variant=PDF_VARIANT,
                output_intent=OUTPUT_INTENT,
                pdf_identifier=meta.file_id,
                attachments=[xml_attachment(xml, meta, self.fetcher)] if xml else None,
                finisher=_finish,
            )

    def _stylesheet(self, css: str) -> CSS:
        key = hashlib.sha256(css.encode()).hexdigest()
        sheet = self._stylesheets.get(key)
        if sheet is None:
            sheet = self._stylesheets[key] = self._parse_css(css)
            while len(self._stylesheets) > _STYLESHEET_CACHE_SIZE:
                self._stylesheets.popitem(last=False)
        else:
            self._stylesheets.move_to_end(key)
        return sheet

    def _parse_css(self, css: str) -> CSS:
        return CSS(string=css, url_fetcher=self.fetcher, font_config=self.font_config)


def _describe(metadata, meta: PdfMeta) -> None:
    """Replace what WeasyPrint read from the HTML head with the record-derived properties."""
    from kzdocs import __version__

    metadata.title = meta.title
    metadata.authors = [meta.author]
    metadata.description = meta.subject or None
    metadata.keywords = list(meta.keywords)
    metadata.generator = f"kzdocs {__version__}"
    metadata.created = metadata.modified = meta.w3c_created
    metadata.lang = meta.lang
    metadata.custom = {}


def _finish(document, pdf) -> None:
    missing = sorted({chr(cp) for font in document.fonts.values() for cp in font.missing})
    if missing:
        raise MissingGlyphError("".join(missing))
    fix_embedded_file_types(pdf)
    dedupe_associated_files(pdf)
    write_bilevel_images(pdf)
    patches.finish(pdf)


_engine: PdfEngine | None = None


def default_engine() -> PdfEngine:
    """This process's engine, built on first use; a child forked inside the parent engine's
    `forking()` takes that engine over, any other forked child builds its own."""
    global _engine
    if _engine is None or _engine.pid != os.getpid():
        inherited = _engine is not None and _engine._forking
        _engine = _engine._taken_over() if inherited else PdfEngine()
    return _engine


def built_engine() -> PdfEngine | None:
    """This process's engine if it has built one (or took one over), else None."""
    return _engine if _engine is not None and _engine.pid == os.getpid() else None


def render_pdf(html: str, *, meta: PdfMeta, xml: bytes | None = None) -> bytes:
    """HTML (per the kzdocs HTML contract) as PDF/A-3b, with `xml` embedded as record.xml."""
    return default_engine().render(html, meta=meta, xml=xml)
