"""The text a page draws, read from its content stream: every string shown, in drawing order.

pypdf's extractor interprets every path operator, and a page with vector QR codes has hundreds
of thousands (seconds per page); verification needs only the strings. This reader is strict: a
token it cannot read, an inline image or a font without a Unicode map makes the page unreadable
(`ValueError`), so text can never hide from it in something it skips.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    rb"""(?P<space>[\s]+|%[^\r\n]*)
    |(?P<hex><[0-9A-Fa-f\s]*>)
    |(?P<literal>\((?:\\.|[^\\()])*\))
    |(?P<dict><<|>>)
    |(?P<open>\[)|(?P<close>\])
    |(?P<name>/[^\s/\[\]()<>{}%]*)
    |(?P<word>[^\s/\[\]()<>{}%]+)
    |(?P<bad>.)""",
    re.S | re.X,
)
# Whole lines of numbers and one path, colour or state operator draw no text: dropped unread
# (in C) before the strict reader sees the rest. A vector QR code is thousands of them.
_NO_TEXT = re.compile(
    rb"^[ \t]*(?:(?:[-+]?[\d.]+[ \t]+)*(?:m|l|c|v|y|re|cm|rg|RG|g|G|k|K|w|J|j|M|i|sc|SC|scn|SCN)"
    rb"|[fFSsBbWnhqQ]\*?|/[A-Za-z0-9_.]+[ \t]+gs)[ \t]*(?:\r\n|\r|\n|$)",
    re.M,
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_NEW_LINE = frozenset({b"BT", b"Td", b"TD", b"Tm", b"T*", b"'", b'"'})
_MAX_DEPTH = 4  # form XObjects inside form XObjects


MAX_TOKENS = 200_000  # a kzdocs page has about 3 000 once its drawing lines are dropped


def page_text(page, max_tokens: int = MAX_TOKENS) -> str:
    """The strings a pypdf page draws, a line break wherever text moves to a new line."""
    return _Reader(max_tokens).read(page.get_contents(), page.get("/Resources"), 0)


class _Reader:
    def __init__(self, max_tokens: int):
        self.budget = max_tokens
        self.fonts: dict[int, tuple[int, dict[bytes, str]]] = {}

    def read(self, contents, resources, depth: int) -> str:
        if contents is None:
            return ""
        data = contents.get_data() if hasattr(contents, "get_data") else b""
        data = _NO_TEXT.sub(b"", data)
        resources = resources.get_object() if resources is not None else {}
        out: list[str] = []
        operands: list[object] = []
        font = (1, {})
        for kind, value in self._tokens(data):
            if kind == "word" and not _is_number(value):
                font = self._operator(value, operands, resources, font, out, depth)
                operands = []
            else:
                operands.append((kind, value))
        return "".join(out)

    def _tokens(self, data: bytes):
        stack: list[list] = []
        for match in _TOKEN.finditer(data):
            kind = match.lastgroup
            value = match.group()
            self.budget -= 1
            if self.budget < 0:
                raise ValueError("the page's content stream is too long to read")
            if kind == "space":
                continue
            if kind == "bad":
                raise ValueError(f"unreadable content at byte {match.start()}: {value[:20]!r}")
            if kind == "open":
                stack.append([])
            elif kind == "close":
                if not stack:
                    raise ValueError(f"unbalanced ']' at byte {match.start()}")
                array = stack.pop()
                if stack:
                    stack[-1].append(("array", array))
                else:
                    yield "array", array
            elif stack:
                stack[-1].append((kind, value))
            else:
                yield kind, value
        if stack:
            raise ValueError("an array in the content stream is not closed")

    def _operator(self, op: bytes, operands, resources, font, out: list[str], depth: int):
        if op in (b"BI", b"ID", b"EI"):
            raise ValueError("the page holds an inline image, which kzdocs pages do not")
        if op in _NEW_LINE:
            out.append("\n")
        if op == b"Tf" and operands and operands[0][0] == "name":
            return self._font(resources, operands[0][1][1:].decode("latin-1"))
        if op in (b"Tj", b"'", b'"', b"TJ"):
            out.append(self._show(operands, font))
        elif op == b"Do" and operands and operands[0][0] == "name":
            out.append(self._xobject(resources, operands[0][1][1:].decode("latin-1"), depth))
        return font

    def _show(self, operands, font) -> str:
        strings: list[bytes] = []
        for kind, value in operands:
            if kind == "array":
                strings += [_bytes(k, v) for k, v in value if k in ("hex", "literal")]
            elif kind in ("hex", "literal"):
                strings.append(_bytes(kind, value))
        width, mapping = font
        return "".join(_decode(s, width, mapping) for s in strings)

    def _font(self, resources, name: str):
        fonts = resources.get("/Font")
        ref = fonts.get_object().get(f"/{name}") if fonts is not None else None
        if ref is None:
            raise ValueError(f"the page uses font /{name}, which its resources lack")
        font = ref.get_object()
        key = id(font)
        if key not in self.fonts:
            self.fonts[key] = _unicode_map(font)
        return self.fonts[key]

    def _xobject(self, resources, name: str, depth: int) -> str:
        objects = resources.get("/XObject")
        ref = objects.get_object().get(f"/{name}") if objects is not None else None
        xobject = ref.get_object() if ref is not None else None
        if xobject is None or xobject.get("/Subtype") != "/Form":
            return ""  # an image draws no text
        if depth >= _MAX_DEPTH:
            raise ValueError("form XObjects nested too deep")
        return self.read(xobject, xobject.get("/Resources") or resources, depth + 1)


def _is_number(word: bytes) -> bool:
    return re.fullmatch(rb"[+-]?(\d+\.?\d*|\.\d+)", word) is not None


def _bytes(kind: str, token: bytes) -> bytes:
    if kind == "hex":
        digits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    return _unescape(token[1:-1])


def _unescape(body: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        if escaped in (b"\n", b"\r", b"\r\n"):
            return b""
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|\r\n|.)", one, body, flags=re.S)


def _decode(data: bytes, width: int, mapping: dict[bytes, str]) -> str:
    return "".join(mapping.get(data[i : i + width], "\ufffd") for i in range(0, len(data), width))


_BF = re.compile(rb"beginbf(char|range)(.*?)endbf\1", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]")


def _unicode_map(font) -> tuple[int, dict[bytes, str]]:
    """Code width and code → text of a font, from its ToUnicode CMap."""
    cmap = font.get("/ToUnicode")
    if cmap is None:
        raise ValueError(f"font {font.get('/BaseFont')} has no Unicode map; its text is unknown")
    data = cmap.get_object().get_data()
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]*)>", data)
    width = max(1, len(space.group(1)) // 2) if space else 1
    mapping: dict[bytes, str] = {}
    for kind, body in _BF.findall(data):
        items = [m.group(1) for m in _HEX.finditer(body)]
        if kind == b"char":
            for src, dst in zip(items[::2], items[1::2], strict=False):
                mapping[_hex(src)] = _utf16(dst)
        else:
            _ranges(items, mapping)
    return width, mapping


def _ranges(items: list[bytes | None], mapping: dict[bytes, str]) -> None:
    i = 0
    while i + 2 < len(items):
        if items[i] is None or items[i + 1] is None:
            raise ValueError("a ToUnicode range cannot be read")
        low, high = int(_hex(items[i]).hex(), 16), int(_hex(items[i + 1]).hex(), 16)
        size = len(_hex(items[i]))
        if high - low > 0xFFFF:
            raise ValueError("a ToUnicode range is too large")
        if items[i + 2] is None:  # [<dst> <dst> …]
            end = items.index(None, i + 3)
            targets = items[i + 3 : end]
            for offset, dst in enumerate(targets):
                mapping[(low + offset).to_bytes(size, "big")] = _utf16(dst)
            i = end + 1
        else:
            start = int(_hex(items[i + 2]).hex() or "0", 16)
            length = len(_hex(items[i + 2]))
            for offset in range(high - low + 1):
                target = (start + offset).to_bytes(max(length, 2), "big")
                mapping[(low + offset).to_bytes(size, "big")] = _utf16(target.hex().encode())
            i += 3


def _hex(digits: bytes | None) -> bytes:
    clean = re.sub(rb"\s", b"", digits or b"")
    return bytes.fromhex(clean.decode("ascii"))


def _utf16(digits: bytes | None) -> str:
    return _hex(digits).decode("utf-16-be", "replace")
