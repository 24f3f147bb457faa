"""The real PDF's pages as PNG images, each with the text printed on it (its `alt` text)."""

from __future__ import annotations

import base64
import io
from typing import Any

SCALE = 1.25  # 90 dpi: a half-screen pane shows a page whole, its words legible
PNG_LEVEL = 1  # the images live in the page for seconds: fast beats small


def page_images(pdf: bytes) -> list[dict[str, Any]]:
    """Every page as `{"src": data URI, "text", "width", "height"}`, drawn by PDFium."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [_page(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _page(page: Any) -> dict[str, Any]:
    try:
        image = page.render(scale=SCALE).to_pil()
        text = page.get_textpage().get_text_bounded()
    finally:
        page.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_LEVEL)
    src = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {
        "src": src,
        "text": " ".join(text.split()),
        "width": image.width,
        "height": image.height,
    }
