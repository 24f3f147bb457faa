"""A small, strict reader of the PDFs kzdocs renders: the objects a signature's update changes.

WeasyPrint (pydyf, compressed) writes one revision whose cross-reference table is a Flate
stream without predictor and whose dictionaries sit in Flate object streams. This reader finds
an object's bytes by number through that table (and any /Prev sections of the same kind), and
reads a dictionary's top-level entries as raw slices, so an update can copy them unchanged.
Anything else raises `Unsupported`; the caller then signs the file another way.
"""

from __future__ import annotations

import re
import zlib

_DELIMITERS = b"()<>[]{}/%"
_WHITESPACE = b" \t\r\n\f\x00"
_NUMBER = re.compile(rb"[+-]?(\d+\.?\d*|\.\d+)")
_REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R(?![^\s()<>\[\]{}/%])")
_OBJECT = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


class Unsupported(ValueError):
    """The PDF is not of the shape this reader knows."""


def _skip_space(data: bytes, pos: int) -> int:
    while pos < len(data):
        if data[pos] in _WHITESPACE:
            pos += 1
        elif data[pos] == 0x25:  # a comment runs to the end of its line
            while pos < len(data) and data[pos] not in b"\r\n":
                pos += 1
        else:
            break
    return pos


def skip_value(data: bytes, pos: int) -> int:
    """The position after the value that starts at `pos` (after any white space)."""
    pos = _skip_space(data, pos)
    if pos >= len(data):
        raise Unsupported("the PDF ends inside an object")
    if data.startswith(b"<<", pos):
        _, end = read_dict(data, pos)
        return end
    char = data[pos : pos + 1]
    if char == b"[":
        pos += 1
        while (pos := _skip_space(data, pos)) < len(data) and data[pos : pos + 1] != b"]":
            pos = skip_value(data, pos)
        return pos + 1
    if char == b"(":
        return _skip_literal(data, pos)
    if char == b"<":
        end = data.find(b">", pos)
        if end < 0:
            raise Unsupported("an unterminated hex string")
        return end + 1
    if char == b"/":
        pos += 1
        while pos < len(data) and data[pos] not in _WHITESPACE and data[pos] not in _DELIMITERS:
            pos += 1
        return pos
    if reference := _REFERENCE.match(data, pos):
        return reference.end()
    if number := _NUMBER.match(data, pos):
        return number.end()
    for word in (b"true", b"false", b"null"):
        if data.startswith(word, pos):
            return pos + len(word)
    raise Unsupported(f"an unknown token at byte {pos}")


def _skip_literal(data: bytes, pos: int) -> int:
    depth, pos = 0, pos
    while pos < len(data):
        char = data[pos]
        if char == 0x5C:  # a backslash escapes the next byte
            pos += 2
            continue
        depth += {0x28: 1, 0x29: -1}.get(char, 0)
        pos += 1
        if depth == 0:
            return pos
    raise Unsupported("an unterminated string")


def read_dict(data: bytes, pos: int) -> tuple[dict[bytes, bytes], int]:
    """The dictionary at `pos`: each key (with its slash) to its value's raw bytes; its end."""
    pos = _skip_space(data, pos)
    if not data.startswith(b"<<", pos):
        raise Unsupported(f"a dictionary was expected at byte {pos}")
    entries: dict[bytes, bytes] = {}
    pos += 2
    while (pos := _skip_space(data, pos)) < len(data) and not data.startswith(b">>", pos):
        if data[pos : pos + 1] != b"/":
            raise Unsupported(f"a name was expected at byte {pos}")
        key_end = skip_value(data, pos)
        value_start = _skip_space(data, key_end)
        value_end = skip_value(data, value_start)
        entries[data[pos:key_end]] = data[value_start:value_end]
        pos = value_end
    if pos >= len(data):
        raise Unsupported("an unterminated dictionary")
    return entries, pos + 2


def reference(raw: bytes) -> int:
    """The object number of an indirect reference `N 0 R`."""
    match = _REFERENCE.fullmatch(raw.strip())
    if not match or match.group(2) != b"0":
        raise Unsupported(f"an indirect reference was expected, got {raw[:40]!r}")
    return int(match.group(1))


def references(raw: bytes) -> list[int]:
    """The object numbers of an array of indirect references."""
    inner = raw.strip()
    if not (inner.startswith(b"[") and inner.endswith(b"]")):
        raise Unsupported(f"an array was expected, got {raw[:40]!r}")
    found = [int(m.group(1)) for m in _REFERENCE.finditer(inner)]
    if _REFERENCE.sub(b"", inner[1:-1]).strip():
        raise Unsupported("an array of references holds something else")
    return found


def _stream(data: bytes, entries: dict[bytes, bytes], pos: int) -> bytes:
    """The decoded data of the stream whose dictionary ends at `pos`."""
    if entries.get(b"/Filter") != b"/FlateDecode" or b"/DecodeParms" in entries:
        raise Unsupported("a stream that is not plain Flate")
    start = _skip_space(data, pos)
    if not data.startswith(b"stream", start):
        raise Unsupported("a stream was expected")
    start += 6
    start += 2 if data.startswith(b"\r\n", start) else 1
    length = int(entries[b"/Length"])
    try:
        return zlib.decompress(data[start : start + length])
    except zlib.error as exc:
        raise Unsupported(f"a damaged stream: {exc}") from exc


class PdfObjects:
    """The objects of a PDF of the shape kzdocs renders, found through its xref streams."""

    def __init__(self, data: bytes):
        self.data = data
        end = _STARTXREF.search(data[-64:])
        if not end:
            raise Unsupported("no startxref at the end")
        self.xref_offset = int(end.group(1))
        self.trailer, self.sections = self._xref_chain(self.xref_offset)
        if b"/Encrypt" in self.trailer:
            raise Unsupported("an encrypted PDF")
        self._object_streams: dict[int, tuple[bytes, dict[int, int]]] = {}

    def _xref_chain(self, offset: int) -> tuple[dict[bytes, bytes], list[dict[int, tuple]]]:
        sections, trailer, seen = [], None, set()
        while offset is not None:
            if offset in seen or len(seen) > 64:
                raise Unsupported("a looping /Prev chain")
            seen.add(offset)
            header = _OBJECT.match(self.data, offset)
            if not header:
                raise Unsupported("the cross-reference section is not a stream")
            entries, end = read_dict(self.data, header.end())
            if entries.get(b"/Type") != b"/XRef":
                raise Unsupported("the cross-reference section is not an xref stream")
            sections.append(_xref_entries(entries, _stream(self.data, entries, end)))
            trailer = trailer or entries
            offset = int(entries[b"/Prev"]) if b"/Prev" in entries else None
        return trailer, sections

    def _entry(self, number: int) -> tuple:
        for section in self.sections:
            if number in section:
                return section[number]
        raise Unsupported(f"object {number} is not in the cross-reference table")

    def object_bytes(self, number: int) -> tuple[bytes, int]:
        """The bytes holding object `number` and where its value starts in them."""
        entry = self._entry(number)
        if entry[0] == 1:
            header = _OBJECT.match(self.data, entry[1])
            if not header or int(header.group(1)) != number or header.group(2) != b"0":
                raise Unsupported(f"object {number} is not where the table says")
            return self.data, header.end()
        if entry[0] == 2:
            stream, offsets = self._object_stream(entry[1])
            if number not in offsets:
                raise Unsupported(f"object {number} is not in its object stream")
            return stream, offsets[number]
        raise Unsupported(f"object {number} is free")

    def dictionary(self, number: int) -> dict[bytes, bytes]:
        data, pos = self.object_bytes(number)
        return read_dict(data, pos)[0]

    def _object_stream(self, number: int) -> tuple[bytes, dict[int, int]]:
        if number not in self._object_streams:
            data, pos = self.object_bytes(number)
            if data is not self.data:
                raise Unsupported("an object stream inside an object stream")
            entries, end = read_dict(data, pos)
            if entries.get(b"/Type") != b"/ObjStm":
                raise Unsupported(f"object {number} is not an object stream")
            stream = _stream(data, entries, end)
            first, count = int(entries[b"/First"]), int(entries[b"/N"])
            pairs = [int(n) for n in stream[:first].split()]
            if len(pairs) != 2 * count:
                raise Unsupported("a damaged object stream header")
            offsets = {pairs[i]: first + pairs[i + 1] for i in range(0, len(pairs), 2)}
            self._object_streams[number] = stream, offsets
        return self._object_streams[number]


def _xref_entries(entries: dict[bytes, bytes], table: bytes) -> dict[int, tuple]:
    widths = [int(w) for w in entries[b"/W"].strip(b"[] ").split()]
    size = int(entries[b"/Size"])
    index = [int(i) for i in entries.get(b"/Index", b"[0 %d]" % size).strip(b"[] ").split()]
    if len(widths) != 3 or len(index) % 2:
        raise Unsupported("an unusual xref stream")
    row = sum(widths)
    numbers = [n for i in range(0, len(index), 2) for n in range(index[i], index[i] + index[i + 1])]
    if len(table) != row * len(numbers):
        raise Unsupported("the xref stream's length does not match its /Index")
    found: dict[int, tuple] = {}
    for k, number in enumerate(numbers):
        fields, pos = [], k * row
        for column, width in enumerate(widths):
            default = 1 if column == 0 else 0  # an absent type column means "in use"
            fields.append(int.from_bytes(table[pos : pos + width], "big") if width else default)
            pos += width
        found[number] = tuple(fields)
    return found
