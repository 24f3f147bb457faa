"""The text of a DOCX, in reading order, for comparing HTML, PDF and DOCX wording."""

from __future__ import annotations

import io
import re

import docx
from docx.text.paragraph import Paragraph

_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Runs of whitespace (line breaks, tabs, no-break spaces) as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def docx_text(docx_bytes: bytes) -> str:
    """All paragraph text of the body (table cells included, each once) with whitespace
    normalised; list numbers Word generates are not text and are not included."""
    document = docx.Document(io.BytesIO(docx_bytes))
    texts = [Paragraph(p, None).text for p in document.element.body.iter(_W_P)]
    return normalise_space(" ".join(texts))
