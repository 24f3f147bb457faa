"""The shipped document fonts (Liberation Serif 2.1.5, SIL OFL) and what they can print.

A record's text is checked against them when it is validated, so a character no document can
show is refused with the field that holds it, not discovered when the PDF is drawn.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

# File, CSS font-weight, CSS font-style.
FACES = (
    ("LiberationSerif-Regular.ttf", "normal", "normal"),
    ("LiberationSerif-Bold.ttf", "bold", "normal"),
    ("LiberationSerif-Italic.ttf", "normal", "italic"),
    ("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
)

# What documents can contain: Latin in all its extensions (foreign partners' names), Greek
# (chemical names in goods descriptions), all of Cyrillic (Kazakh letters included),
# punctuation «»№–—, super- and subscripts, currency, letterlike and number signs, arrows and
# mathematical operators. The PDF engine cuts the fonts to these; what they leave out (Hebrew,
# Arabic, CJK, rare symbols) is nothing a trade document of Order 51-НҚ shows.
DOCUMENT_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x22FF),
)

# Characters nearly every record consists of, known to be printable: text made only of them
# needs no font file read, and a regex finds the others at C speed (tests hold it to the fonts).
_COMMON_CLASS = "\t\n\x20-\x7e\xa0-\xff\u0400-\u045fӘәҒғҚқҢңӨөҰұҮүҺһІі–—…“”„’№"
_RARE = re.compile(f"[^{_COMMON_CLASS}]")
COMMON = frozenset(ord(c) for c in map(chr, range(0x2200)) if not _RARE.match(c)) - {9, 10}


@cache
def font_maps() -> dict[str, frozenset[int]]:
    """The code points each shipped font file draws, by file name."""
    from fontTools.ttLib import TTFont

    maps = {}
    for name, _, _ in FACES:
        with files(__name__).joinpath(name).open("rb") as file:
            maps[name] = frozenset(TTFont(file, lazy=True).getBestCmap())
    return maps


@cache
def printable() -> frozenset[int]:
    """The code points every face draws, within the ranges documents are printed with."""
    drawn = frozenset.intersection(*font_maps().values())
    return frozenset(
        cp for low, high in DOCUMENT_RANGES for cp in range(low, high + 1) if cp in drawn
    )


def unprintable(text: str) -> str:
    """The characters of `text` no document font can print, each once, in code point order.

    >>> unprintable("Қытай 中国 «Астық» ✓")
    '✓中国'
    """
    rare = set(_RARE.findall(text))
    if not rare:
        return ""
    return "".join(sorted(char for char in rare if ord(char) not in printable()))
