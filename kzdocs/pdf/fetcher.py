"""The only URL fetcher the PDF engine uses: it serves kzdocs' own resources and refuses
everything else (files, the network, arbitrary data: URLs), whatever the HTML asks for."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping

from weasyprint.urls import URLFetcher, URLFetcherResponse

from kzdocs.errors import ResourceBlockedError

LOGGER = logging.getLogger("kzdocs.pdf")

# QR codes are the only images the templates embed, and only inline, as base64.
DATA_IMAGE_TYPES = frozenset({"image/svg+xml", "image/png"})


class ResourceFetcher(URLFetcher):
    """Serves `kzdocs:` resources from memory and inline QR images; refuses all else.

    A refused URL raises `ResourceBlockedError` and is noted in `blocked`. The fetcher is
    built with `fail_on_errors=True`, so WeasyPrint stops the document instead of rendering it
    without the resource; where WeasyPrint swallows the error anyway (inside SVG images),
    `PdfEngine` finds the URL in `blocked` and fails the document all the same.
    """

    def __init__(self, resources: Mapping[str, tuple[bytes, str]]):
        super().__init__(fail_on_errors=True)
        self._resources = dict(resources)
        self.blocked: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url in self._resources:
            body, mime = self._resources[url]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url[:5].lower() == "data:":
            return self._data_image(url)
        raise self._blocked(url)

    def open(self, url, data=None, timeout=None):
        # urllib's OpenerDirector.open would reach the network; route it through fetch.
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _data_image(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[5:].partition(",")
        mime, *params = (part.strip().lower() for part in header.split(";"))
        if not comma or mime not in DATA_IMAGE_TYPES or params != ["base64"]:
            raise self._blocked(url)
        try:
            body = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise self._blocked(url) from None
        return URLFetcherResponse(url[:40], body, {"Content-Type": mime})

    def _blocked(self, url: str) -> ResourceBlockedError:
        shown = url if len(url) <= 200 else url[:200] + "…"
        self.blocked.append(shown)
        LOGGER.warning("blocked resource %r: only kzdocs' own resources may be loaded", shown)
        return ResourceBlockedError(shown)
