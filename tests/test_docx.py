"""The DOCX stage: wording, layout, fonts, metadata and byte-for-byte reproducibility."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import docx
import docx.text.run
import pytest
import segno
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from kzdocs.config import DEFAULT
from kzdocs.docx import DocxMeta, docx_text, html_text, parse_html, render_docx
from kzdocs.errors import RenderError, UnsupportedFormatError
from kzdocs.html import render_html
from kzdocs.render import metadata
from kzdocs.schema import validate
from kzdocs.sign import Signature

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(p.name for p in (ROOT / "fixtures").glob("*.json"))
LANGS = ("kk", "ru")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WORD_LANG = {"kk": "kk-KZ", "ru": "ru-RU"}
META = DocxMeta(title="Тест", lang="kk", author="Сауда комитеті", created=datetime(2026, 3, 2))
SIGNATURE = Signature(
    subject="ИВАНОВ ИВАН",
    serial="1a2b3c",
    issuer="ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)",
    algorithm="RSA-SHA256",
    signed_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    iin="900115300013",
    qr_payloads=(b"<signed part 1>", b"<signed part 2>"),
)


def page(body: str, lang: str = "kk") -> str:
    """A document in the HTML contract's shape around `body`."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Т</title>'
        f'<style>p {{ margin: 0 }}</style></head><body class="kind-license-export lang-{lang}">'
        f'<div class="document">{body}</div></body></html>'
    )


@cache
def rendered(fixture: str, lang: str, signed: bool = False) -> tuple[str, bytes]:
    document = validate(json.loads((ROOT / "fixtures" / fixture).read_text("utf-8")))
    html = render_html(document, lang, signature=SIGNATURE if signed else None)
    return html, render_docx(html, metadata(document, lang, DEFAULT))


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def body_xml(data: bytes):
    return open_docx(data).element.body


def normalised(text: str) -> str:
    return " ".join(text.split())


# -- wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_label_and_value_of_the_html_is_in_the_docx(fixture, lang):
    html, data = rendered(fixture, lang)
    text = docx_text(data)
    root = parse_html(html)
    pieces = root.xpath(
        "//*[contains(concat(' ', @class, ' '), ' field-label ') or "
        "contains(concat(' ', @class, ' '), ' field-value ')]//text()/.. | "
        "//h1 | //li | //*[@class='footer'] | //*[@class='appendix']//p"
    )
    assert pieces
    for element in pieces:
        piece = normalised(element.text_content())
        if piece:
            assert piece in text, f"{piece!r} is missing from the DOCX"


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fixture", FIXTURES)
def test_docx_text_equals_html_text(fixture, lang, signed):
    html, data = rendered(fixture, lang, signed)
    assert docx_text(data) == html_text(parse_html(html))


@pytest.mark.parametrize("lang", LANGS)
def test_licence_shows_all_18_fields_in_order(lang):
    _, data = rendered("license-export-wheat.json", lang)
    numbers = [int(n) for n in re.findall(r"(?<![\d,.])(\d{1,2})\. ", docx_text(data))]
    assert [n for n in numbers if 1 <= n <= 18][:18] == list(range(1, 19))


def test_unsigned_document_carries_the_draft_mark_and_signed_does_not():
    for lang, mark in (("kk", "ҚОЛ ҚОЙЫЛМАҒАН"), ("ru", "НЕ ПОДПИСАН")):
        _, draft = rendered("license-export-wheat.json", lang)
        _, signed = rendered("license-export-wheat.json", lang, signed=True)
        styles = {p.style.style_id: p.text for p in open_docx(draft).paragraphs}
        assert styles["KzDraftMark"] == mark
        assert "KzDraftMark" not in {p.style.style_id for p in open_docx(signed).paragraphs}
        assert SIGNATURE.subject in docx_text(signed)


def test_refusal_has_header_table_and_grounds_numbered_by_the_template_only():
    _, data = rendered("refusal-several-grounds.json", "ru")
    document = open_docx(data)
    header = document.tables[0]
    assert "Министерство торговли и интеграции Республики Казахстан" in header.cell(0, 1).text
    assert "Қазақстан Республикасының Сауда және интеграция министрлігі" in header.cell(0, 0).text
    grounds = [p for p in document.paragraphs if p.style.style_id == "KzGround"]
    assert grounds[0].text.startswith("1) наличие в документах")
    assert all(p._p.pPr.numPr is None for p in grounds)  # "1)" is text; Word adds no number
    # the Kazakh header cell of a Russian letter is marked Kazakh for the spell checker
    kk_langs = {r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in header._tbl.iter(f"{W}r")}
    assert kk_langs == {"kk-KZ", "ru-RU"}


# -- layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_page_is_a4_portrait_with_the_css_margins(lang):
    _, data = rendered("permit-import-cattle.json", lang)
    section = open_docx(data).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert [round(m.mm) for m in (section.top_margin, section.right_margin)] == [20, 15]
    assert [round(m.mm) for m in (section.bottom_margin, section.left_margin)] == [20, 30]
    # Page numbers start on page 2: the first page has a footer of its own, empty.
    assert section.different_first_page_header_footer
    assert section.first_page_footer.paragraphs[0].text == ""
    assert section.footer.paragraphs[0].text.startswith("— ")


def test_field_table_has_borders_and_merged_cells_from_colspan():
    html, data = rendered("license-export-wheat.json", "kk")
    table = open_docx(data).tables[0]
    tbl = table._tbl
    assert tbl.find(f"{W}tblPr/{W}tblBorders/{W}insideV").get(f"{W}val") == "single"
    assert len(tbl.findall(f"{W}tblGrid/{W}gridCol")) == 6
    spans = [
        [int(tc.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val")) for tc in tr.findall(f"{W}tc")]
        for tr in tbl.findall(f"{W}tr")
    ]
    html_spans = [
        [int(td.get("colspan")) for td in tr.findall("td")]
        for tr in parse_html(html).xpath("//table[@class='fields']//tr")
    ]
    assert spans == html_spans
    assert spans[0] == [3, 3] and spans[4] == [2, 2, 2] and spans[-1] == [6]
    assert table.cell(6, 0).text.startswith("15. ")


@pytest.mark.parametrize("lang", LANGS)
def test_field_numbers_are_bold(lang):
    _, data = rendered("license-import-alcohol.json", lang)
    table = open_docx(data).tables[0]._tbl
    runs = [docx.text.run.Run(r, None) for r in table.iter(f"{W}r")]
    numbered = [r for r in runs if re.match(r"\d{1,2}\. \w", r.text)]
    assert [int(r.text.split(".")[0]) for r in numbered] == list(range(1, 19))
    assert all(r.bold for r in numbered)


def test_title_is_centred_bold_and_appendix_right_aligned():
    _, data = rendered("permit-export-flour.json", "ru")
    document = open_docx(data)
    title = next(p for p in document.paragraphs if p.style.style_id == "KzTitle")
    assert title.text == "РАЗРЕШЕНИЕ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.font.bold
    caption = [p for p in document.paragraphs if p.style.style_id.startswith("KzAppendix")]
    assert caption[-1].text == "Форма"
    assert caption[-1].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fixture", ["license-export-wheat.json", "refusal-one-ground.json"])
def test_every_run_and_style_has_the_font_on_all_slots_and_a_language(fixture, lang):
    _, data = rendered(fixture, lang)
    document = open_docx(data)
    runs = list(document.element.body.iter(f"{W}r"))
    assert runs
    for r_pr in [r.find(f"{W}rPr") for r in runs] + [
        document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    ]:
        fonts = r_pr.find(f"{W}rFonts")
        slots = [fonts.get(f"{W}{slot}") for slot in ("ascii", "hAnsi", "cs", "eastAsia")]
        assert slots == ["Times New Roman"] * 4
        lang_el = r_pr.find(f"{W}lang")
        assert lang_el.get(f"{W}val") in WORD_LANG.values()
        assert lang_el.get(f"{W}eastAsia") == lang_el.get(f"{W}bidi") == lang_el.get(f"{W}val")
    default = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == WORD_LANG[lang]


def test_line_breaks_and_paragraphs_of_a_value_are_kept():
    html = page(
        '<table class="fields"><tr><td class="field" data-field="5">'
        '<span class="field-label">5. Өтініш беруші</span>'
        '<span class="field-value">бірінші жол<br>  екінші\n   жол</span>'
        '<div class="field-value"><p>үшінші</p><p>төртінші</p></div></td></tr></table>'
    )
    cell = open_docx(render_docx(html, META)).tables[0].cell(0, 0)
    assert [p.text for p in cell.paragraphs] == [
        "5. Өтініш берушібірінші жол\nекінші жол",
        "үшінші",
        "төртінші",
    ]


def test_whitespace_collapses_like_a_browser_but_no_break_spaces_stay():
    html = page("<p>\n   a   <b> b </b>  c\u00a0\u00a0d  </p><p></p><div>  </div>")
    paragraphs = open_docx(render_docx(html, META)).paragraphs
    assert [p.text for p in paragraphs] == ["a b c\u00a0\u00a0d", ""]
    assert [r.bold for r in paragraphs[0].runs] == [None, True, None]


def test_rowspan_becomes_a_vertical_merge():
    html = page(
        "<table><tr><td rowspan='2'>A</td><td>B</td></tr><tr><td>C</td></tr>"
        "<tr><td colspan='2'>D</td></tr></table>"
    )
    table = open_docx(render_docx(html, META)).tables[0]
    assert table.cell(0, 0)._tc is table.cell(1, 0)._tc  # python-docx resolves the merge
    assert [table.cell(1, 1).text, table.cell(2, 0).text] == ["C", "D"]
    assert docx_text(render_docx(html, META)) == "A B C D"


def test_generic_ordered_list_gets_word_numbering_honouring_start_and_value():
    html = page('<ol start="3"><li>three</li><li>four</li><li value="9">nine<p>more</p></li></ol>')
    document = open_docx(render_docx(html, META))
    num_ids = [
        p._p.pPr.numPr.numId.val if p._p.pPr.numPr is not None else None
        for p in document.paragraphs
    ]
    assert num_ids == [1, 1, 2, None]
    numbering = document.part.numbering_part.element
    starts = [
        n.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val")
        for n in numbering.findall(f"{W}num")
    ]
    assert starts == ["3", "9"]


# -- images ----------------------------------------------------------------------------------


def test_png_image_becomes_an_inline_picture_and_svg_its_alt_text():
    png = io.BytesIO()
    segno.make("kzdocs").save(png, kind="png", scale=4)
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()
    png_b64 = base64.b64encode(png.getvalue()).decode()
    html = page(
        f'<div class="qr"><img src="data:image/png;base64,{png_b64}"'
        f' alt="QR 1/2" width="132"><img src="data:image/svg+xml;base64,{svg}" alt="QR 2/2"></div>'
    )
    data = render_docx(html, META)
    document = open_docx(data)
    shapes = document.inline_shapes
    assert len(shapes) == 1
    assert round(shapes[0].width.mm) == 35  # 132 CSS px at 96 per inch
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.read("word/media/image1.png") == png.getvalue()
    assert docx_text(data) == "QR 2/2"


@pytest.mark.parametrize(
    "src", ["https://example.com/qr.png", "file:///etc/passwd", "data:image/png;base64,!!"]
)
def test_images_that_are_not_embedded_png_or_svg_are_refused(src):
    with pytest.raises(RenderError, match="img"):
        render_docx(page(f'<p><img src="{src}" alt="x"></p>'), META)


# -- refusing what would be lost ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "tag"),
    [
        ('<p>see <a href="https://example.com">the law</a></p>', "<a>"),
        ("<p><u>underlined</u></p>", "<u>"),
        ("<blockquote>quoted</blockquote>", "<blockquote>"),
        ("<table><tr><td>a</td></tr><caption>c</caption></table>", "<caption>"),
    ],
)
def test_unsupported_tags_raise_a_render_error_naming_them(body, tag):
    with pytest.raises(RenderError, match=tag):
        render_docx(page(body), META)


def test_html_of_another_language_than_the_meta_is_refused():
    with pytest.raises(RenderError, match="lang='ru'"):
        render_docx(page("<p>x</p>", "ru"), META)


def test_empty_html_is_a_render_error():
    with pytest.raises(RenderError, match="cannot be parsed"):
        render_docx("", META)


def test_python_docx_is_not_shadowed_by_the_stage_package():
    assert "kzdocs" not in Path(docx.__file__).parts


def test_script_in_head_is_refused():
    html = page("<p>x</p>").replace("</head>", "<script>alert(1)</script></head>")
    with pytest.raises(RenderError, match="<script>"):
        render_docx(html, META)


def test_text_between_table_rows_is_refused_not_dropped():
    with pytest.raises(RenderError, match="orphan"):
        render_docx(page("<table><tr><td>a</td>orphan</tr></table>"), META)


# -- metadata and reproducibility --------------------------------------------------------------


def test_core_properties_come_from_the_meta_and_nothing_from_the_clock():
    meta = DocxMeta(
        title="ЛИЦЕНЗИЯ НА ЭКСПОРТ",
        lang="ru",
        author="КОМИТЕТ ТОРГОВЛИ",
        subject="Лицензия № 01KZ",
        keywords="license-export, 01KZ",
        created=datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
    )
    props = open_docx(render_docx(page("<p>x</p>", "ru"), meta)).core_properties
    assert (props.title, props.subject, props.author) == (meta.title, meta.subject, meta.author)
    assert (props.keywords, props.language, props.last_modified_by) == (
        meta.keywords,
        "ru-RU",
        meta.author,
    )
    assert props.created == props.modified == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert props.revision == 1
    assert props.comments == "" and props.last_printed is None


def test_keywords_may_be_a_tuple():
    meta = DocxMeta("t", "kk", "a", keywords=("license-export", "Order 51-НҚ"))
    props = open_docx(render_docx(page("<p>x</p>"), meta)).core_properties
    assert props.keywords == "license-export, Order 51-НҚ"


def test_core_properties_of_a_rendered_document():
    from kzdocs import render

    record = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
    props = open_docx(render(record, lang="kk", format="docx")).core_properties
    assert props.title == "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ЭКСПОРТЫНА ЛИЦЕНЗИЯ № 01KZ260010000123"
    assert props.author.endswith("САУДА КОМИТЕТІ")
    assert props.created == datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # 02.03.2026 00:00 in Astana
    assert props.keywords == "license-export, Order 51-НҚ"


def test_meta_refuses_another_language():
    with pytest.raises(UnsupportedFormatError, match="'en'"):
        DocxMeta(title="t", lang="en", author="a", created=datetime(2026, 1, 1))


def test_zip_is_normalised():
    _, data = rendered("refusal-one-ground.json", "kk")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and names[0] == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert not any("thumbnail" in n or "customXml" in n for n in names)


_SCRIPT = """
import json, sys
from kzdocs.config import DEFAULT
from kzdocs.docx import render_docx
from kzdocs.render import metadata
from kzdocs.html import render_html
from kzdocs.schema import validate
document = validate(json.loads(open(sys.argv[1], encoding="utf-8").read()))
lang = sys.argv[2]
sys.stdout.buffer.write(render_docx(render_html(document, lang), metadata(document, lang, DEFAULT)))
"""


@pytest.mark.parametrize("lang", LANGS)
def test_same_inputs_give_identical_bytes_in_separate_processes(lang):
    fixture = "license-import-medicines.json"
    path = str(ROOT / "fixtures" / fixture)
    runs = [
        subprocess.run(
            [sys.executable, "-c", _SCRIPT, path, lang], capture_output=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] == rendered(fixture, lang)[1]


def test_signed_docx_draws_the_qr_codes_as_pictures():
    from kzdocs import render
    from kzdocs.sign import get_signer

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    signer = get_signer("local", key=str(fixtures / "sign" / "dev-rsa.p12"), password="test")
    record = json.loads((fixtures / "refusal-one-ground.json").read_text(encoding="utf-8"))
    data = render(record, lang="kk", format="docx", signer=signer)
    document = docx.Document(io.BytesIO(data))
    pictures = document.inline_shapes
    descriptions = [p._inline.docPr.get("descr") for p in pictures]
    assert descriptions == [f"QR {n}/{len(pictures)}" for n in range(1, len(pictures) + 1)]
    # As large as in the PDF: one module is 1/75 inch (the print CSS's image-resolution).
    sides = {p.width for p in pictures if p.width == p.height}
    assert len(sides) == 1 and Mm(45) < sides.pop() < Mm(54)
