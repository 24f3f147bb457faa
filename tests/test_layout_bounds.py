"""Worst-case layout: the worst valid record of every kind (every text at its maximum, without a
space) keeps every glyph inside the page's printable width and inside the page, as
`pdftotext -bbox` reads the PDF. Their render time is measured by bench/worst_case_bench.py."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from worst_case import SAMPLES, worst_case

from kzdocs.render import render
from kzdocs.schema import validate

MM = 72 / 25.4
LEFT, RIGHT = 30 * MM, 15 * MM  # templates/document.css @page margins
TOLERANCE = 1.0  # points: rounding of glyph boxes
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">')

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def _outside(pdf: bytes) -> list[str]:
    """Every word whose box leaves the page, or, for text, the printable width."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    pages = _PAGE.findall(boxes)
    assert pages
    wrong = []
    for number, (width, height, words) in enumerate(pages, 1):
        width, height = float(width), float(height)
        for box in _WORD.findall(words):
            x0, y0, x1, y1 = map(float, box)
            outside = x0 < 0 or y0 < 0 or x1 > width or y1 > height
            # Text (at most 13 pt) stays within the margins too; the watermark across the page
            # (96 pt, turned) may reach into them.
            text = y1 - y0 < 20
            if outside or (text and (x0 < LEFT - TOLERANCE or x1 > width - RIGHT + TOLERANCE)):
                wrong.append(f"page {number}: {box}")
    return wrong


@pytest.mark.parametrize(
    ("kind", "lang"), [(kind, ("kk", "ru")[i % 2]) for i, kind in enumerate(sorted(SAMPLES))]
)
def test_the_worst_valid_record_keeps_every_glyph_inside_the_page(kind, lang):
    document = validate(worst_case(kind))
    assert _outside(render(document, lang=lang, format="pdf")) == []
