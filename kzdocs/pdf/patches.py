"""The one place where kzdocs reaches into WeasyPrint's and pydyf's internals, for speed.

Each patch was measured and is kept because it saves at least 5 % of a document's PDF time
(docs/performance.md):

- **fast HTML parser**: WeasyPrint parses with tinyhtml5, in pure Python; for HTML that follows
  the kzdocs contract, libxml2 builds the same tree (`kzdocs.pdf.html.parse_contract_html`) in
  a fraction of the time, and `ContractHTML` hands it to WeasyPrint as `HTML.__init__` would.
- **streams serialised once**: pydyf 0.13 asks every stream for its bytes twice when the PDF
  has an identifier (once to write it, once to hash the file) and so compresses each twice;
  `serialise_once` keeps the first result (at zlib's default level, not pydyf's 9).

They apply only to the exact versions they were written against (PINNED). With any other
WeasyPrint or pydyf, or with KZDOCS_PUBLIC_API=1, kzdocs renders through WeasyPrint's public API
alone and logs why once. tests/test_patches.py renders every fixture both ways: the same page
text and the same pixels.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Mapping

import cssselect2
import pydyf
import weasyprint
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
