"""Black-and-white images (the QR codes of a signed document) written as 1-bit images.

WeasyPrint embeds every greyscale image with 8 bits a pixel: a QR code of a licence takes
about 5 kB so, 2.9 kB with 1 bit a pixel (PDF/A allows 1-bit DeviceGray). Run from the
engine's finisher, over the objects WeasyPrint built: an image whose pixels are all black or
white is written again with the same pixels, 1 bit each, and /Interpolate stays false, so it
stays sharp at any zoom. Any other image, or one this module cannot read, is left as it is.
"""

from __future__ import annotations

import io
import struct
import zlib

import pydyf
from PIL import Image

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_BLACK, _WHITE = 0, 255


def write_bilevel_images(pdf: pydyf.PDF) -> None:
    """Every 8-bit greyscale image of `pdf` that holds only black and white, as 1-bit."""
    for object_ in pdf.objects:
        if isinstance(object_, pydyf.Stream) and _is_grey_png_image(object_.extra):
            _to_one_bit(object_)


def _is_grey_png_image(extra) -> bool:
    """A DeviceGray 8-bit image, PNG-predicted Flate rows (how WeasyPrint writes a grey PNG),
    without mask or decode array."""
    parms = extra.get("DecodeParms")
    return (
        extra.get("Subtype") == "/Image"
        and extra.get("ColorSpace") == "/DeviceGray"
        and extra.get("BitsPerComponent") == 8
        and extra.get("Filter") == "/FlateDecode"
        and not {"SMask", "Mask", "Decode"} & set(extra)
        and isinstance(parms, dict)
        and parms.get("Predictor", 1) >= 10
        and parms.get("Colors", 1) == 1
        and parms.get("BitsPerComponent", 8) == 8
        and parms.get("Columns") == extra.get("Width")
    )


def _to_one_bit(stream: pydyf.Stream) -> None:
    width, height = stream.extra["Width"], stream.extra["Height"]
    image = _grey_image(stream, width, height)
    if image is None:
        return
    colours = image.getcolors(2)  # None: more than two
    if colours is None or not {colour for _, colour in colours} <= {_BLACK, _WHITE}:
        return
    # Mode "1" packs rows MSB first, padded to whole bytes, 1 = white: DeviceGray's own layout.
    bits = image.convert("1", dither=Image.Dither.NONE).tobytes()
    stream.stream = [zlib.compress(bits, 9)]
    stream.compress = False
    stream.extra["BitsPerComponent"] = 1
    del stream.extra["DecodeParms"]


def _grey_image(stream: pydyf.Stream, width: int, height: int) -> Image.Image | None:
    """The image's pixels, read as the PNG its rows were taken from; None if unreadable."""
    try:
        rows = b"".join(item if isinstance(item, bytes) else item.data for item in stream.stream)
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        png = b"".join((_PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", rows)))
        image = Image.open(io.BytesIO(png + _chunk(b"IEND", b"")), formats=("PNG",))
        image.load()
    except (AttributeError, TypeError, OSError, ValueError, SyntaxError, struct.error):
        return None
    return image if image.mode == "L" and image.size == (width, height) else None


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
