"""QR Code symbols (ISO/IEC 18004) of binary data, and their PNG images, in a few milliseconds.

A general encoder (segno) takes 15–40 ms for the version-30 codes a signed document carries,
most of it placing bits one module at a time. Here everything that depends only on the
version is computed once: the order in which data bits fill the matrix, the mask over them
and the function patterns. A code is then the codewords with their Reed–Solomon blocks as one
integer, masked by one XOR and spread over the matrix by one C-level gather.

Only what kzdocs prints: byte mode, any version 1–40, levels L/M/Q/H, mask pattern 0 (every
mask is valid; choosing the "best" costs more than a whole document). tests/test_sign_qr.py
checks the matrices against segno's for every version.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

# Per level, versions 1–40: error-correction codewords per block, and the number of blocks.
_ECC_PER_BLOCK = {
    "L": (7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28,
          30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28,
          28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30,
          30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24,
          30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}  # fmt: skip
_BLOCKS = {
    "L": (1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13,
          14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25),
    "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23,
          25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29,
          34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35,
          37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}  # fmt: skip
_FORMAT_LEVEL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
MASK = 0  # (row + column) mod 2 == 0
LEVELS = tuple(_BLOCKS)


class QrCapacityError(ValueError):
    """The data does not fit a version-40 code at the level asked."""


@dataclass(frozen=True)
class QrSymbol:
    """A QR code: its version and its rows, "1" for a dark module, without quiet zone."""

    version: int
    level: str
    rows: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.rows)


def data_capacity(version: int, level: str) -> int:
    """How many bytes of data a code of `version` holds in byte mode at `level`."""
    header_bits = 4 + (8 if version < 10 else 16)
    return (_data_codewords_count(version, level) * 8 - header_bits) // 8


def _data_codewords_count(version: int, level: str) -> int:
    return _raw_data_modules(version) // 8 - (
        _ECC_PER_BLOCK[level][version - 1] * _BLOCKS[level][version - 1]
    )


def _raw_data_modules(version: int) -> int:
    """Modules left for data and error correction once the function patterns are drawn."""
    modules = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        modules -= (25 * count - 10) * count - 55
        if version >= 7:
            modules -= 36
    return modules


def smallest_version(length: int, level: str) -> int:
    """The smallest version whose code holds `length` bytes at `level`."""
    for version in range(1, 41):
        if data_capacity(version, level) >= length:
            return version
    raise QrCapacityError(f"{length} bytes do not fit one QR code at level {level}")


def encode(data: bytes, level: str = "M", version: int | None = None) -> QrSymbol:
    """The QR code of `data` in byte mode, at the smallest version that holds it."""
    if version is None:
        version = smallest_version(len(data), level)
    elif data_capacity(version, level) < len(data):
        raise QrCapacityError(f"{len(data)} bytes do not fit a version-{version} code")
    layout = _layout(version, level)
    codewords = _interleaved(_data_codewords(data, version, layout.data_codewords), layout)
    bits = int.from_bytes(codewords) << layout.remainder_bits ^ layout.mask
    source = format(bits, f"0{layout.data_modules}b") + "01"  # then: light, dark
    modules = "".join(layout.gather(source))
    size = layout.size
    return QrSymbol(
        version, level, tuple(modules[i : i + size] for i in range(0, size * size, size))
    )


def png(symbol: QrSymbol, *, scale: int = 1, border: int = 4, depth: int = 8) -> bytes:
    """A greyscale PNG of `symbol`, `scale` pixels a module, `border` modules of quiet zone;
    8 bits a pixel (WeasyPrint reads a 1-bit PNG as RGB; kzdocs.pdf.bilevel writes the grey
    one into the PDF with 1 bit a pixel) or 1."""
    side = (symbol.size + 2 * border) * scale
    light = "0" * (symbol.size + 2 * border)
    rows = [light] * border + [f"{light[:border]}{row}{light[:border]}" for row in symbol.rows]
    rows += [light] * border
    if depth == 8:
        grey = str.maketrans({"0": "\xff" * scale, "1": "\x00" * scale})
        lines = [b"\x00" + row.translate(grey).encode("latin-1") for row in rows]
    else:  # one bit a pixel, 1 = white, rows padded to whole bytes
        bits = str.maketrans({"0": "1" * scale, "1": "0" * scale})
        pad = "1" * (-side % 8)
        lines = [
            b"\x00" + int(row.translate(bits) + pad, 2).to_bytes((side + 7) // 8) for row in rows
        ]
    pixels = b"".join(line for line in lines for _ in range(scale))  # filter type 0: none
    header = struct.pack(">IIBBBBB", side, side, depth, 0, 0, 0, 0)
    # One pixel a module: run-length matching is as small as zlib's default and 7× faster.
    # Scaled, rows repeat, which only the default matcher finds (level 1: 6× faster than 6).
    if scale == 1:
        deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    else:
        deflate = zlib.compressobj(1)
    data = deflate.compress(pixels) + deflate.flush()
    return b"".join(
        (_PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", data), _chunk(b"IEND", b""))
    )


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _data_codewords(data: bytes, version: int, capacity: int) -> bytes:
    """Mode indicator, count, data, terminator and padding: the `capacity` data codewords."""
    count_bits = 8 if version < 10 else 16
    bits = ((0b0100 << count_bits | len(data)) << 8 * len(data)) | int.from_bytes(data)
    used = 4 + count_bits + 8 * len(data)
    room = capacity * 8
    terminator = min(4, room - used)
    used += terminator
    pad = -used % 8
    bits <<= terminator + pad
    body = bits.to_bytes((used + pad) // 8)
    filler = (b"\xec\x11" * capacity)[: capacity - len(body)]
    return body + filler


@dataclass(frozen=True)
class _Layout:
    """What a version and level fix: block structure, data module order, mask, patterns."""

    size: int
    data_codewords: int
    ecc_per_block: int
    short_blocks: int
    short_data: int  # data codewords of a short block (long blocks have one more)
    blocks: int
    data_modules: int
    remainder_bits: int
    mask: int  # over the data modules, in placement order
    gather: itemgetter  # row-major matrix from: data bits in placement order, light, dark


@cache
def _layout(version: int, level: str) -> _Layout:
    size = 17 + 4 * version
    function = _function_patterns(version, level)
    order = _placement_order(size, function)
    total = len(order) // 8
    blocks = _BLOCKS[level][version - 1]
    ecc = _ECC_PER_BLOCK[level][version - 1]
    short_blocks = blocks - total % blocks
    mask = int("".join("1" if (i // size + i % size) % 2 == 0 else "0" for i in order), 2)
    # Function modules are read from the two cells after the data bits: light, then dark.
    cells = [len(order) + kind - 1 for kind in function]
    for index, cell in enumerate(order):
        cells[cell] = index
    return _Layout(
        size, _data_codewords_count(version, level), ecc, short_blocks, total // blocks - ecc,
        blocks, len(order), len(order) - 8 * total, mask, itemgetter(*cells),
    )  # fmt: skip


def _interleaved(data: bytes, layout: _Layout) -> bytes:
    """The data codewords split into blocks, each followed by its error correction, as the
    symbol interleaves them."""
    blocks, start = [], 0
    for index in range(layout.blocks):
        length = layout.short_data + (index >= layout.short_blocks)
        blocks.append(data[start : start + length])
        start += length
    eccs = [_reed_solomon(block, layout.ecc_per_block) for block in blocks]
    columns = [bytes(block[i] for block in blocks) for i in range(layout.short_data)]
    columns.append(bytes(block[-1] for block in blocks[layout.short_blocks :]))
    columns += [bytes(ecc[i] for ecc in eccs) for i in range(layout.ecc_per_block)]
    return b"".join(columns)


def _reed_solomon(block: bytes, degree: int) -> bytes:
    """The `degree` error-correction codewords of `block`: the remainder of its division by
    the generator polynomial, kept as one integer and updated a byte at a time."""
    products = _generator_products(degree)
    top = 8 * (degree - 1)
    full = (1 << 8 * degree) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & full) ^ products[(remainder >> top) ^ byte]
    return remainder.to_bytes(degree)


@cache
def _generator_products(degree: int) -> tuple[int, ...]:
    """For each byte value f, f × the generator polynomial's coefficients, as one integer."""
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for i in range(degree):
            divisor[i] = _multiply(divisor[i], root)
            if i + 1 < degree:
                divisor[i] ^= divisor[i + 1]
        root = _multiply(root, 0x02)
    return tuple(
        int.from_bytes(bytes(_multiply(coefficient, f) for coefficient in divisor))
        for f in range(256)
    )


def _multiply(x: int, y: int) -> int:
    """Product in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1."""
    if not x or not y:
        return 0
    return _EXP[_LOG[x] + _LOG[y]]


def _exp_log_tables() -> tuple[bytes, bytes]:
    exp, log = bytearray(510), bytearray(256)
    value = 1
    for power in range(255):
        exp[power] = exp[power + 255] = value
        log[value] = power
        value = (value << 1) ^ (0x11D if value & 0x80 else 0)
    return bytes(exp), bytes(log)


_EXP, _LOG = _exp_log_tables()


def _placement_order(size: int, function: bytearray) -> list[int]:
    """The data modules (row-major indices) in the order bits fill them: two-column strips
    from the right, upwards and downwards in turn, skipping the vertical timing pattern."""
    order = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        rows = range(size - 1, -1, -1) if upward else range(size)
        for row in rows:
            for cell in (row * size + right, row * size + right - 1):
                if not function[cell]:
                    order.append(cell)
        right -= 2
    return order


_DATA, _LIGHT, _DARK = 0, 1, 2


def _function_patterns(version: int, level: str) -> bytearray:
    """Every module, row-major: _DATA, or a function pattern's _LIGHT or _DARK."""
    size = 17 + 4 * version
    modules = bytearray(size * size)

    def put(row: int, column: int, dark: bool) -> None:
        modules[row * size + column] = _DARK if dark else _LIGHT

    for i in range(size):
        put(6, i, i % 2 == 0)  # timing patterns
        put(i, 6, i % 2 == 0)
    positions = _alignment_positions(version)
    last = len(positions) - 1
    for a, row in enumerate(positions):
        for b, column in enumerate(positions):
            if (a, b) in ((0, 0), (0, last), (last, 0)):
                continue  # where the finder patterns are
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(row + dy, column + dx, max(abs(dx), abs(dy)) != 1)
    for top, left in ((3, 3), (3, size - 4), (size - 4, 3)):  # finders and separators
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                row, column = top + dy, left + dx
                if 0 <= row < size and 0 <= column < size:
                    put(row, column, max(abs(dx), abs(dy)) not in (2, 4))
    for row, column, dark in _format_modules(size, level):
        put(row, column, dark)
    if version >= 7:
        remainder = version
        for _ in range(12):
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        bits = version << 12 | remainder
        for i in range(18):
            dark = (bits >> i) & 1 == 1
            a, b = size - 11 + i % 3, i // 3
            put(a, b, dark)
            put(b, a, dark)
    return modules


def _format_modules(size: int, level: str) -> list[tuple[int, int, bool]]:
    """The two copies of the format information (level and mask), and the dark module."""
    data = _FORMAT_LEVEL_BITS[level] << 3 | MASK
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    bits = (data << 10 | remainder) ^ 0x5412
    cells = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)]
    cells += [(8, 14 - i) for i in range(9, 15)]
    second = [(8, size - 1 - i) for i in range(8)] + [(size - 15 + i, 8) for i in range(8, 15)]
    modules = [(row, column, (bits >> i) & 1 == 1) for i, (row, column) in enumerate(cells)]
    modules += [(row, column, (bits >> i) & 1 == 1) for i, (row, column) in enumerate(second)]
    return [*modules, (size - 8, 8, True)]


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    size = 17 + 4 * version
    return [6, *reversed([size - 7 - i * step for i in range(count - 1)])]
