"""HTML tables → Word tables: the column grid, colspan (gridSpan) and rowspan (vMerge)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from kzdocs.docx import layout as L
from kzdocs.docx.paragraphs import w
from kzdocs.errors import RenderError

ROW_GROUPS = ("thead", "tbody", "tfoot")
CELLS = ("td", "th")

# Fills a w:tc with the content of an HTML cell.
FillCell = Callable[[etree._Element, etree._Element], None]


@dataclass(frozen=True)
class TableLook:
    """How a class of HTML table looks in Word (mirrors templates/document.css)."""

    cell_style: str = "KzTableText"
    borders: tuple[tuple[str, int], ...] = ()  # (side, width in eighths of a point)
    margins: tuple[int, int, int, int] | None = None  # cell padding: top, left, bottom, right


_ALL_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")
LOOKS = {
    "fields": TableLook(
        "KzField",
        tuple((side, L.BORDER_FIELDS) for side in _ALL_SIDES),
        (L.CELL_MARGIN_VERTICAL, L.CELL_MARGIN, L.CELL_MARGIN_VERTICAL, L.CELL_MARGIN),
    ),
    "refusal-header": TableLook(
        "KzHeaderCell",
        (("bottom", L.BORDER_HEADER),),
        (0, L.HEADER_CELL_MARGIN, L.SPACE_3MM, L.HEADER_CELL_MARGIN),
    ),
}
PLAIN = TableLook()


def look_of(classes: list[str]) -> TableLook:
    """The look of the first table class kzdocs knows; a layout table without borders else."""
    return next((LOOKS[name] for name in classes if name in LOOKS), PLAIN)


@dataclass
class _Cell:
    element: etree._Element
    column: int
    colspan: int
    rowspan: int


def build_table(table: etree._Element, look: TableLook, fill_cell: FillCell) -> etree._Element:
    """The w:tbl of an HTML table; cells are filled by `fill_cell`."""
    rows = _rows(table)
    starts, covered, columns = _grid(rows)
    column_width = L.TEXT_WIDTH // max(columns, 1)
    tbl = etree.Element(w("tbl"))
    tbl.append(_table_properties(look))
    grid = etree.SubElement(tbl, w("tblGrid"))
    for _ in range(columns):
        etree.SubElement(grid, w("gridCol"), {w("w"): str(column_width)})
    for index, (_, header) in enumerate(rows):
        row = etree.SubElement(tbl, w("tr"))
        tr_pr = etree.SubElement(row, w("trPr"))
        etree.SubElement(tr_pr, w("cantSplit"))  # one field never breaks across pages
        if header:
            etree.SubElement(tr_pr, w("tblHeader"))
        column = 0
        while column < columns:
            cell = starts.get((index, column))
            origin = covered.get((index, column))
            if cell is not None:
                tc = _cell(row, cell.colspan, column_width, "restart" if cell.rowspan > 1 else None)
                fill_cell(cell.element, tc)
                span = cell.colspan
            elif origin is not None:  # under a rowspan from a row above
                tc = _cell(row, origin.colspan, column_width, "continue")
                span = origin.colspan
            else:  # a row shorter than the grid: pad like a browser leaves the space empty
                tc = _cell(row, 1, column_width, None)
                span = 1
            if len(tc) == 1 or tc[-1].tag != w("p"):
                etree.SubElement(tc, w("p"))  # Word requires a cell to end with a paragraph
            column += span
    return tbl


def _rows(table: etree._Element) -> list[tuple[etree._Element, bool]]:
    rows: list[tuple[etree._Element, bool]] = []
    refuse_loose_text(table, "a cell")
    for child in table:
        if child.tag in ROW_GROUPS:
            refuse_loose_text(child, "a cell")
            for tr in child:
                if tr.tag != "tr":
                    raise RenderError(f"<{tr.tag}> inside <{child.tag}>: only <tr> may be there")
                rows.append((tr, child.tag == "thead"))
        elif child.tag == "tr":
            rows.append((child, False))
        elif isinstance(child.tag, str):
            raise RenderError(f"<{child.tag}> inside <table>: the DOCX stage does not support it")
    return rows


def _grid(
    rows: list[tuple[etree._Element, bool]],
) -> tuple[dict[tuple[int, int], _Cell], dict[tuple[int, int], _Cell], int]:
    starts: dict[tuple[int, int], _Cell] = {}
    covered: dict[tuple[int, int], _Cell] = {}
    columns = 0
    for index, (tr, _) in enumerate(rows):
        refuse_loose_text(tr, "a cell")
        column = 0
        for td in tr:
            if not isinstance(td.tag, str):
                continue
            if td.tag not in CELLS:
                raise RenderError(f"<{td.tag}> inside <tr>: only <td> and <th> may be there")
            while (index, column) in covered:
                column += 1
            remaining = len(rows) - index
            rowspan = _span(td, "rowspan") or remaining  # rowspan="0" runs to the end
            cell = _Cell(td, column, _span(td, "colspan") or 1, min(rowspan, remaining))
            starts[(index, column)] = cell
            for below in range(index + 1, index + cell.rowspan):
                for col in range(column, column + cell.colspan):
                    covered[(below, col)] = cell
            column += cell.colspan
            columns = max(columns, column)
    return starts, covered, columns


def _span(td: etree._Element, name: str) -> int:
    value = td.get(name, "1").strip()
    if not value.isdigit():
        raise RenderError(f"<{td.tag} {name}={value!r}>: expected a whole number")
    return min(int(value), 1000)


def refuse_loose_text(element: etree._Element, home: str) -> None:
    """Text between rows, cells or list items has no place in Word: refuse rather than lose it;
    `home` says where it belongs ("a cell")."""
    for text in [element.text] + [child.tail for child in element]:
        if text and text.strip():
            raise RenderError(
                f"text {text.strip()[:40]!r} directly inside <{element.tag}> would be lost: "
                f"put it in {home}"
            )


def _table_properties(look: TableLook) -> etree._Element:
    tbl_pr = etree.Element(w("tblPr"))
    etree.SubElement(tbl_pr, w("tblW"), {w("w"): str(L.TEXT_WIDTH), w("type"): "dxa"})
    if look.borders:
        borders = etree.SubElement(tbl_pr, w("tblBorders"))
        for side, size in look.borders:
            line = {w("val"): "single", w("sz"): str(size), w("space"): "0", w("color"): "000000"}
            etree.SubElement(borders, w(side), line)
    etree.SubElement(tbl_pr, w("tblLayout"), {w("type"): "fixed"})
    if look.margins is not None:
        margins = etree.SubElement(tbl_pr, w("tblCellMar"))
        for side, width in zip(("top", "left", "bottom", "right"), look.margins, strict=True):
            etree.SubElement(margins, w(side), {w("w"): str(width), w("type"): "dxa"})
    return tbl_pr


def _cell(row: etree._Element, span: int, column_width: int, merge: str | None) -> etree._Element:
    tc = etree.SubElement(row, w("tc"))
    tc_pr = etree.SubElement(tc, w("tcPr"))
    etree.SubElement(tc_pr, w("tcW"), {w("w"): str(span * column_width), w("type"): "dxa"})
    if span > 1:
        etree.SubElement(tc_pr, w("gridSpan"), {w("val"): str(span)})
    if merge == "restart":
        etree.SubElement(tc_pr, w("vMerge"), {w("val"): "restart"})
    elif merge == "continue":
        etree.SubElement(tc_pr, w("vMerge"))
    return tc
