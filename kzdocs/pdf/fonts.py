"""The shipped fonts as the PDF engine sees them: bytes, @font-face rules, and a font
configuration that knows no other font, so a system font can never stand in for a glyph."""

from __future__ import annotations

import ctypes.util
import hashlib
import io
import json
import logging
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import cffi
import fontTools
from fontTools import subset
from fontTools.ttLib import TTFont
from weasyprint.text.ffi import ffi as weasy_ffi
from weasyprint.text.ffi import fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration

from kzdocs import fonts
from kzdocs.files import cache_folder, write_atomically
from kzdocs.fonts import DOCUMENT_RANGES

FONT_PACKAGE = "kzdocs.fonts"
FAMILY = "Liberation Serif"
URL_PREFIX = "kzdocs:fonts/"
FONT_MIME = "font/ttf"
LOGGER = logging.getLogger("kzdocs.pdf")


@dataclass(frozen=True)
class FontFace:
    """One shipped font file and the CSS weight and style it provides."""

    filename: str
    weight: str
    style: str

    @property
    def url(self) -> str:
        return URL_PREFIX + self.filename


FACES = tuple(FontFace(*face) for face in fonts.FACES)


@cache
def font_bytes(filename: str) -> bytes:
    """The bytes of one shipped font file."""
    return files(FONT_PACKAGE).joinpath(filename).read_bytes()


def document_codepoints(font: TTFont) -> list[int]:
    """The code points of DOCUMENT_RANGES that `font` has a glyph for."""
    cmap = font.getBestCmap()
    return [cp for low, high in DOCUMENT_RANGES for cp in range(low, high + 1) if cp in cmap]


# How the engine's fonts are cut. Both are part of the cache key: a change here cuts anew.
_CUT_OPTIONS = {
    "hinting": False,
    "notdef_outline": True,
    "layout_features": ["*"],
    "name_IDs": ["*"],
    "name_languages": ["*"],
    "glyph_names": False,
}
# No ligatures or kerning in the documents (as in Word by default), and faster shaping.
_DROPPED_TABLES = ("FFTM", "GSUB", "GPOS", "GDEF", "kern")


@cache
def engine_font_bytes(filename: str) -> bytes:
    """A shipped font cut down to the document ranges, without hinting or layout tables.

    Cutting takes fontTools about a tenth of a second a face, 0.4 s for the four; the result is
    kept in the user's cache folder (`kzdocs.files.cache_folder`), so only the first process on a
    machine pays. A cached file is used only if its SHA-256 is the one recorded in the package
    for this font and this cut (kzdocs/fonts/cuts.json): a truncated, foreign or planted file
    is ignored, logged once and cut again. A cut the package has no record of (another
    fontTools, other ranges) is never cached: every process cuts it.
    """
    data = font_bytes(filename)
    key = cut_key(data)
    expected = recorded_cuts().get(filename, {})
    if expected.get("key") != key:
        _warn_once("the font cut differs from the recorded one (run `python -m kzdocs.fonts`"
                   " to record it); fonts are cut in every process, not cached")  # fmt: skip
        return _cut(data)
    cached = cache_folder() / f"{Path(filename).stem}-{key[:32]}.ttf"
    with suppress(OSError):
        kept = cached.read_bytes()
        if hashlib.sha256(kept).hexdigest() == expected["sha256"]:
            return kept
        _warn_once(f"ignored {cached}: not the recorded cut of {filename}; cutting it again")
    cut = _cut(data)
    if hashlib.sha256(cut).hexdigest() == expected["sha256"]:
        with suppress(OSError):  # a cache that cannot be written is only a slower start
            write_atomically(cached, cut)
    return cut


def cut_key(data: bytes) -> str:
    """What a cut depends on: the font, the ranges, the options, the fontTools version."""
    recipe = repr((DOCUMENT_RANGES, _CUT_OPTIONS, _DROPPED_TABLES, fontTools.version))
    return hashlib.sha256(recipe.encode() + data).hexdigest()


RECORD = "cuts.json"


@cache
def recorded_cuts() -> dict[str, dict[str, str]]:
    """Font file → the key of its cut and the SHA-256 of the cut font, as shipped."""
    return json.loads(files(FONT_PACKAGE).joinpath(RECORD).read_text(encoding="utf-8"))


def record_cuts() -> dict[str, dict[str, str]]:
    """The record of the current cuts (`python -m kzdocs.fonts` writes it)."""
    return {
        face.filename: {
            "key": cut_key(font_bytes(face.filename)),
            "sha256": hashlib.sha256(_cut(font_bytes(face.filename))).hexdigest(),
        }
        for face in FACES
    }


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        LOGGER.warning("font cache: %s", message)


def _cut(data: bytes) -> bytes:
    # recalcTimestamp=False: the shipped font's own date, not 'now', so output is reproducible.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options(**_CUT_OPTIONS)
    options.drop_tables += _DROPPED_TABLES
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=document_codepoints(font))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css() -> str:
    """@font-face rules binding the family the templates name to the shipped files."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{face.url}"); '
        f"font-weight: {face.weight}; font-style: {face.style}; }}"
        for face in FACES
    )


# Fontconfig's FcConfigCreate is not among WeasyPrint's declarations; an own FFI declares it.
# The loader hands back the library WeasyPrint already loaded, so both share one fontconfig.
_ffi = cffi.FFI()
_ffi.cdef("typedef struct _FcConfig FcConfig; FcConfig *FcConfigCreate(void);")
_FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll")


@cache
def _fontconfig_library():
    for name in (*_FONTCONFIG_NAMES, ctypes.util.find_library("fontconfig")):
        if not name:
            continue
        try:
            return _ffi.dlopen(name)
        except OSError:
            continue
    raise OSError("fontconfig library not found")  # pragma: no cover - WeasyPrint found it


class ShippedFontConfiguration(FontConfiguration):
    """A WeasyPrint font configuration over an empty fontconfig: only @font-face fonts exist.

    The stock configuration loads every system font; a character missing from the shipped
    fonts would then silently come from, say, DejaVu Sans, and the PDF would differ between
    machines. Here it cannot: the only fonts are those the fonts CSS adds.
    """

    def __init__(self) -> None:
        super().__init__()
        # Then the font map gets an empty configuration instead of the system's.
        raw = _fontconfig_library().FcConfigCreate()
        if raw == _ffi.NULL:  # pragma: no cover - out of memory
            raise MemoryError("fontconfig could not create a configuration")
        self._config = weasy_ffi.cast("FcConfig *", int(_ffi.cast("uintptr_t", raw)))
        pangoft2.pango_fc_font_map_set_config(
            weasy_ffi.cast("PangoFcFontMap *", self.font_map), self._config
        )
        # The font map now holds its own reference to the configuration.
        fontconfig.FcConfigDestroy(self._config)
