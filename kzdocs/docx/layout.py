"""Page, font and language constants of the DOCX output (documented in docs/docx-html-subset.md).

Nothing is read from the print CSS: these numbers mirror templates/document.css by hand, so a
change of the page layout is made in both places.
"""

from __future__ import annotations

from typing import Final

# Word measures in twentieths of a point (twips); 1 mm = 1440 / 25.4 twips.
MM: Final = 1440 / 25.4

PAGE_WIDTH: Final = 11906  # A4 portrait, 210 mm
PAGE_HEIGHT: Final = 16838  # 297 mm
MARGIN_TOP: Final = round(20 * MM)  # @page margin: 20mm 15mm 20mm 30mm
MARGIN_BOTTOM: Final = round(20 * MM)
MARGIN_LEFT: Final = round(30 * MM)  # 30 mm for binding, Kazakh office practice
MARGIN_RIGHT: Final = round(15 * MM)
HEADER_FOOTER_DISTANCE: Final = round(10 * MM)
TEXT_WIDTH: Final = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

# Times New Roman is what Word users have; the PDF's Liberation Serif is metric-compatible with
# it, so line breaks in Word match the PDF closely without embedding fonts in the DOCX.
FONT: Final = "Times New Roman"

# Font sizes in half-points (Word's unit for w:sz).
SIZE_BODY: Final = 24  # 12 pt, also the 18-field grid
SIZE_SMALL: Final = 22  # 11 pt, appendix caption, second lines of the refusal header
SIZE_LETTER: Final = 26  # 13 pt, the refusal's body and grounds
SIZE_TITLE: Final = 26  # 13 pt
SIZE_HEADING: Final = 24  # 12 pt
SIZE_DRAFT_MARK: Final = 40  # 20 pt; the PDF's 96 pt rotated watermark has no plain Word twin
SIZE_FOOTER: Final = 18  # 9 pt, also the notes under the applicant's forms
SIZE_PAGE_NUMBER: Final = 20  # 10 pt

# Word language tags of the document languages: spell-checking and hyphenation follow them.
WORD_LANG: Final = {"kk": "kk-KZ", "ru": "ru-RU"}

# Vertical spacing (twips) standing in for the CSS margins.
SPACE_1MM: Final = round(1 * MM)
SPACE_2MM: Final = round(2 * MM)
SPACE_3MM: Final = round(3 * MM)
SPACE_6MM: Final = round(6 * MM)
SPACE_8MM: Final = round(8 * MM)
FIRST_LINE_INDENT: Final = round(12.5 * MM)  # refusal body and grounds
APPENDIX_WIDTH: Final = round(80 * MM)  # the caption is a narrow block at the top right

# Cell padding (twips) and border widths (eighths of a point).
CELL_MARGIN: Final = round(2 * MM)  # horizontal padding of table.fields cells
CELL_MARGIN_VERTICAL: Final = round(1.5 * MM)
HEADER_CELL_MARGIN: Final = round(4 * MM)  # table.refusal-header
BORDER_FIELDS: Final = 6  # 0.75 pt
BORDER_HEADER: Final = 12  # 1.5 pt, the rule under the refusal header

# Images without width/height attributes keep their pixel size at this resolution.
CSS_PX_PER_INCH: Final = 96
EMU_PER_INCH: Final = 914400
