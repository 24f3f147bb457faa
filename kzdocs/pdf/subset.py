"""Per-document font subsetting for the engine's own fonts, in microseconds instead of the
tens of milliseconds fontTools takes (WeasyPrint's fallback where HarfBuzz-subset is missing).

The engine's fonts are already cut to the document ranges, without hinting or layout tables,
so a document's subset only has to keep the outlines of the glyphs it uses and blank the rest,
glyph ids unchanged — the same result WeasyPrint's own subsetting aims at (retain_gids).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Mapping
from itertools import accumulate, pairwise

from fontTools.ttLib.sfnt import SFNTReader
from fontTools.ttLib.ttFont import getSearchRange
from weasyprint.pdf.fonts import Font

_HEAD_CHECKSUM_ADJUSTMENT = 8  # byte offset of head.checkSumAdjustment
_HEAD_LOCA_FORMAT = 50  # byte offset of head.indexToLocFormat
_HHEA_LONG_METRICS = 34  # byte offset of hhea.numberOfHMetrics
_SFNT_HEADER, _SFNT_ENTRY = 12, 16  # bytes of the offset table and of a table record
_CHECKSUM_MAGIC = 0xB1B0AFBA
_CUT = frozenset({"glyf", "loca", "hmtx"})  # the tables a subset rewrites


class GlyphSubsetter:
    """Cuts one TrueType font to a set of glyph ids, keeping every id where it is."""

    def __init__(self, data: bytes):
        reader = SFNTReader(io.BytesIO(data))
        self._version = bytes(reader.sfntVersion, "latin-1")  # a fontTools Tag: a str
        self._tables = {tag: reader[tag] for tag in sorted(reader.keys())}
        offsets = _glyph_offsets(self._tables)
        glyf = self._tables["glyf"]
        self._glyphs = [glyf[start:end] for start, end in pairwise(offsets)]
        self._components = {
            gid: parts for gid, glyph in enumerate(self._glyphs) if (parts := _parts(glyph))
        }
        # A subset's glyf is never larger than the font's, so its loca keeps the font's format.
        (self._long_offsets,) = struct.unpack_from(">h", self._tables["head"], _HEAD_LOCA_FORMAT)
        (self._long_metrics,) = struct.unpack_from(">H", self._tables["hhea"], _HHEA_LONG_METRICS)
        self._checksums = {
            tag: _checksum(tag, data) for tag, data in self._tables.items() if tag not in _CUT
        }

    @property
    def glyph_count(self) -> int:
        return len(self._glyphs)

    def subset(self, glyph_ids: Iterable[int]) -> bytes:
        """The font with only `glyph_ids` (and .notdef, and their components) drawn."""
        keep = sorted(self._closure(glyph_ids))
        # Offsets as accumulated lengths, the glyphs not kept being empty; short offsets count
        # 2-byte words (a short-offset font's glyphs all have even lengths).
        unit = 1 if self._long_offsets else 2
        lengths = [0] * len(self._glyphs)
        for gid in keep:
            lengths[gid] = len(self._glyphs[gid]) // unit
        loca = [0, *accumulate(lengths)]
        tables = dict(self._tables)
        tables["glyf"] = b"".join(self._glyphs[gid] for gid in keep)
        tables["loca"] = struct.pack(f">{len(loca)}{'L' if unit == 1 else 'H'}", *loca)
        tables["hmtx"] = self._metrics(keep)
        return _sfnt(self._version, tables, self._checksums)

    def _metrics(self, keep: Iterable[int]) -> bytes:
        """hmtx with the glyphs not kept zeroed: a PDF takes widths from its /W array, and
        zeros compress to nothing (about a fifth off each compressed font)."""
        full = self._tables["hmtx"]
        hmtx = bytearray(len(full))
        long_metrics = self._long_metrics
        last = 4 * (long_metrics - 1)  # the last advance is also that of every later glyph
        hmtx[last : last + 4] = full[last : last + 4]
        for gid in keep:
            if gid < long_metrics:
                hmtx[4 * gid : 4 * gid + 4] = full[4 * gid : 4 * gid + 4]
            else:
                start = 4 * long_metrics + 2 * (gid - long_metrics)
                hmtx[start : start + 2] = full[start : start + 2]
        return bytes(hmtx)

    def _closure(self, glyph_ids: Iterable[int]) -> set[int]:
        todo = [gid for gid in glyph_ids if 0 <= gid < len(self._glyphs)]
        keep = {0}
        while todo:
            gid = todo.pop()
            if gid not in keep:
                keep.add(gid)
                todo.extend(self._components.get(gid, ()))
        return keep


def _sfnt(version: bytes, tables: Mapping[str, bytes], checksums: Mapping[str, int]) -> bytes:
    """The font file fontTools' SFNTWriter writes for `tables` (in tag order), byte for byte;
    `checksums` has those of the tables a subset leaves as they are."""
    count = len(tables)
    offset = _SFNT_HEADER + _SFNT_ENTRY * count
    entries, body, total, head_at = [], [], 0, 0
    for tag, data in tables.items():
        checksum = checksums[tag] if tag in checksums else _checksum(tag, data)
        entries.append(struct.pack(">4sLLL", tag.encode("latin-1"), checksum, offset, len(data)))
        head_at = offset if tag == "head" else head_at
        body.append(data + bytes(-len(data) % 4))
        offset += len(body[-1])
        total += checksum
    header = struct.pack(">4sHHHH", version, count, *getSearchRange(count, _SFNT_ENTRY))
    directory = header + b"".join(entries)
    font = bytearray(directory + b"".join(body))
    adjustment = (_CHECKSUM_MAGIC - total - _checksum("", directory)) & 0xFFFFFFFF
    struct.pack_into(">L", font, head_at + _HEAD_CHECKSUM_ADJUSTMENT, adjustment)
    return bytes(font)


def _checksum(tag: str, data: bytes) -> int:
    if tag == "head":  # summed with its checkSumAdjustment zeroed
        data = data[:_HEAD_CHECKSUM_ADJUSTMENT] + bytes(4) + data[_HEAD_CHECKSUM_ADJUSTMENT + 4 :]
    data += bytes(-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}L", data)) & 0xFFFFFFFF


# Read from the raw tables, not through fontTools: decompiling every glyph took 30 ms a font,
# a tenth of building an engine (OpenType spec, 'loca' and 'glyf' tables).
_MAXP_NUM_GLYPHS = 4
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


def _glyph_offsets(tables: Mapping[str, bytes]) -> list[int]:
    """Where each glyph starts in 'glyf', and where the last one ends."""
    (count,) = struct.unpack_from(">H", tables["maxp"], _MAXP_NUM_GLYPHS)
    (long_offsets,) = struct.unpack_from(">h", tables["head"], _HEAD_LOCA_FORMAT)
    if long_offsets:
        return list(struct.unpack_from(f">{count + 1}L", tables["loca"]))
    return [2 * offset for offset in struct.unpack_from(f">{count + 1}H", tables["loca"])]


def _parts(glyph: bytes) -> tuple[int, ...]:
    """The glyph ids a composite glyph is built from; () for a simple or empty glyph."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph)[0] >= 0:
        return ()
    parts, position, flags = [], 10, _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags, gid = struct.unpack_from(">HH", glyph, position)
        parts.append(gid)
        position += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            position += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            position += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            position += 8
    return tuple(parts)


class _EngineFont(Font):
    """A WeasyPrint font whose subsetting is done by a GlyphSubsetter."""

    kzdocs_subsetter: GlyphSubsetter

    def subset(self, to_unicode, hinting):
        if to_unicode:
            self.file_content = self.kzdocs_subsetter.subset(to_unicode)


class EngineFonts:
    """The engine's own fonts, each with its subsetter, recognised by their exact bytes."""

    def __init__(self, fonts: Iterable[bytes]):
        # By length first: comparing a document's font with the one or two of the same length
        # costs microseconds, hashing its 100 kB each time a fifth of a millisecond.
        self._by_length: dict[int, list[tuple[bytes, GlyphSubsetter]]] = {}
        for data in fonts:
            self._by_length.setdefault(len(data), []).append((data, GlyphSubsetter(data)))

    def subsetter(self, data: bytes) -> GlyphSubsetter | None:
        """The subsetter of the engine font whose bytes are `data`, if it is one."""
        candidates = self._by_length.get(len(data), ())
        return next((subsetter for font, subsetter in candidates if font == data), None)


class FontTable(dict):
    """`Document.fonts` for one document: fonts that are the engine's own get the fast
    subsetting; any other font keeps WeasyPrint's."""

    def __init__(self, fonts: EngineFonts):
        super().__init__()
        self._fonts = fonts

    def __setitem__(self, key, font) -> None:
        if type(font) is Font:
            subsetter = self._fonts.subsetter(font.file_content)
            if subsetter is not None:
                font.__class__ = _EngineFont
                font.kzdocs_subsetter = subsetter
        super().__setitem__(key, font)
