"""Serialise each PDF stream once, at zlib's default level.

pydyf 0.13 asks every object for its bytes twice when the PDF has an identifier: once to write
it, once more to hash the whole file for the second /ID entry. For a stream that means
compressing it twice — fonts, page content, the object stream — about a tenth of a document's
time. The finisher hands the finished `pydyf.PDF` here, and from then on each stream keeps the
bytes it produced the first time. Nothing changes a stream after the finisher, so the bytes
are the same ones pydyf would compute again.

The bytes are pydyf's own but for the level: zlib's default (6) instead of pydyf's 9. Level 9
would cost about 0.6 ms more a document for files only 0.3 % smaller.
"""

from __future__ import annotations

import zlib

import pydyf

# The pydyf release whose PDF.write this was measured against (pinned with WeasyPrint 70).
PYDYF_VERSION = "0.13.0"
ENABLED = pydyf.__version__ == PYDYF_VERSION
ZLIB_LEVEL = 6


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


def serialise_once(pdf: pydyf.PDF) -> None:
    """From now on, `pdf` computes each stream's bytes once. Call it last, before writing."""
    if not ENABLED or type(pdf) is not pydyf.PDF:
        return
    for object_ in pdf.objects:
        _once(object_)
    pdf.__class__ = _OncePdf


def _once(object_) -> None:
    # pydyf's own streams and WeasyPrint's subclass for page content alike.
    cls = type(object_)
    if isinstance(object_, pydyf.Stream) and not issubclass(cls, _Once):
        once = _once_classes.get(cls)
        if once is None:
            once = _once_classes[cls] = type(f"Once{cls.__name__}", (_Once, cls), {})
        object_.__class__ = once
