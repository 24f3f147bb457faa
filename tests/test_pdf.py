"""The PDF stage: text, metadata and PDF/A-3 structure, the embedded record XML, page flow,
shipped fonts only, a fetcher that reads no file and reaches no network, reproducible bytes."""

import base64
import gc
import hashlib
import io
import json
import os
import pickle
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pydyf
import pytest
import tinyhtml5
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import StreamObject

from kzdocs.errors import (
    EmbeddedXmlError,
    MissingGlyphError,
    RenderError,
    ResourceBlockedError,
)
from kzdocs.pdf import XML_NAME, PdfMeta, extract_xml, patches, render_pdf
from kzdocs.pdf import html as pdf_html
from kzdocs.pdf.engine import split_styles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ASTANA = timezone(timedelta(hours=5))
TITLE = {
    "kk": "ТАУАРЛАРДЫҢ ЖЕКЕЛЕГЕН ТҮРЛЕРІНІҢ ЭКСПОРТЫНА ЛИЦЕНЗИЯ",
    "ru": "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ",
}
ISSUER = {
    "kk": "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА КОМИТЕТІ",
    "ru": "КОМИТЕТ ТОРГОВЛИ МИНИСТЕРСТВА ТОРГОВЛИ И ИНТЕГРАЦИИ РЕСПУБЛИКИ КАЗАХСТАН",
}
LABEL_15 = {"kk": "Тауардың коды және оның сипаттамасы", "ru": "Код товара по ТН ВЭД ЕАЭС"}
DESCRIPTION = {"kk": "Бидай, 3-сынып, азық-түлік, 2025 жылғы егін",
               "ru": "Пшеница мягкая 3 класса, продовольственная, урожая 2025 года"}  # fmt: skip
XML = '<?xml version="1.0" encoding="UTF-8"?>\n<license kind="license-export"><number>01KZ260010000123</number><name>«Астық Экспорт» ЖШС</name></license>\n'.encode()  # noqa: E501
CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm;
  @bottom-center { content: "— " counter(page) " —"; font-size: 10pt; } }
html { font-family: "Liberation Serif", "Times New Roman", serif; font-size: 12pt; }
h1.title { font-size: 14pt; text-align: center; }
table.fields { width: 100%; border-collapse: collapse; }
td.field { border: 0.5pt solid black; padding: 1.5mm; vertical-align: top; }
.field-label { font-weight: bold; }
.draft-mark { font-style: italic; font-weight: bold; }
"""


def _html(
    lang: str = "kk", description: str | None = None, *, head: str = "", body: str = ""
) -> str:
    """A document shaped by the HTML contract (the templates' output, in small)."""
    text = description or DESCRIPTION[lang]
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{TITLE[lang]}</title>{head}<style>{CSS}</style></head>
<body class="kind-license-export lang-{lang}"><div class="document">
<div class="appendix"><p>5-қосымша</p></div>
<div class="draft-mark">{"ЖОБА" if lang == "kk" else "ПРОЕКТ"}</div>
<div class="issuer"><p>{ISSUER[lang]}</p></div>
<h1 class="title">{TITLE[lang]}</h1>
<table class="fields"><tbody>
<tr><td class="field" data-field="1"><span class="field-label">1. Лицензия №</span> \
<span class="field-value">01KZ260010000123</span></td></tr>
<tr><td class="field" data-field="15"><p class="field-label">15. {LABEL_15[lang]}</p>\
<div class="field-value"><p>1001990000</p><p>{text}</p></div></td></tr>
</tbody></table>{body}
<div class="footer"><p>Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і «» № – —</p></div>
</div></body></html>"""


def _meta(lang: str = "kk", identifier: bytes = b"record-1") -> PdfMeta:
    return PdfMeta(
        title=f"{TITLE[lang]} № 01KZ260010000123",
        lang=lang,
        author=ISSUER[lang],
        subject=TITLE[lang],
        keywords=("license-export", "Order 51-НҚ"),
        created=datetime(2026, 3, 2, tzinfo=ASTANA),
        identifier=hashlib.sha256(identifier).digest(),
    )


def _words(text: str) -> str:
    return " ".join(text.split())


def _text(pdf: bytes, *, page_numbers: bool = True) -> str:
    """The PDF's text, words joined again where a line broke after a hyphen; without the
    page numbers ("— 2 —") when asked, so text running across pages reads on."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    if not page_numbers:
        text = re.sub(r"^— \d+ —$", "", text, flags=re.MULTILINE)
    return _words(re.sub(r"-[ \t]*\n\s*", "-", text))


def _fonts(pdf: bytes) -> dict[str, bytes]:
    """BaseFont name → embedded font program, over every page."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = descriptor["/FontFile2"].get_object().get_data()
    return fonts


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_text_and_document_properties(lang):
    pdf = render_pdf(_html(lang), meta=_meta(lang), xml=XML)
    reader = PdfReader(io.BytesIO(pdf))
    text = _text(pdf)
    for expected in (ISSUER[lang], TITLE[lang], LABEL_15[lang], DESCRIPTION[lang], "— 1 —"):
        assert _words(expected) in text
    assert "Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і «» № – —" in text
    info = reader.metadata
    assert info["/Title"] == f"{TITLE[lang]} № 01KZ260010000123"
    assert info["/Author"] == ISSUER[lang]
    assert info["/Subject"] == TITLE[lang]
    assert info["/Keywords"] == "license-export, Order 51-НҚ"
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260302000000+05'00"
    assert info["/Creator"].startswith("kzdocs ")
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert [round(float(v)) for v in reader.pages[0].mediabox] == [0, 0, 595, 842]  # A4


def test_pdfa_3b_identification_in_xmp():
    pdf = render_pdf(_html("ru"), meta=_meta("ru"), xml=XML)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert f"<rdf:li>{ISSUER['ru']}</rdf:li>" in xmp
    assert "<xmp:CreateDate>2026-03-02T00:00:00+05:00</xmp:CreateDate>" in xmp
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert pdf.startswith(b"%PDF-1.7")


def test_record_xml_is_an_associated_file():
    pdf = render_pdf(_html(), meta=_meta(), xml=XML)
    assert extract_xml(pdf) == XML
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    (filespec,) = [ref.get_object() for ref in root["/AF"]]
    assert filespec["/UF"] == XML_NAME == "record.xml"
    assert filespec["/AFRelationship"] == "/Source"
    embedded = filespec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/xml"
    assert embedded["/Params"]["/ModDate"] == "D:20260301190000Z"  # midnight Astana, in UTC


def test_extract_xml_refuses_a_pdf_without_record():
    pdf = render_pdf(_html(), meta=_meta(), xml=None)
    with pytest.raises(EmbeddedXmlError, match=r"carries one record\.xml; this has no\b"):
        extract_xml(pdf)
    with pytest.raises(EmbeddedXmlError, match=r"record\.xml cannot be read"):
        extract_xml(b"%PDF-1.7 this is not a PDF")


def _long_text(lang: str, length: int) -> str:
    words = DESCRIPTION[lang].replace(",", "").split()
    text = ""
    while len(text) < length:
        text += f"{words[len(text) % len(words)]} {len(text)} "
    return text[:length].strip()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_long_description_in_a_cell_breaks_across_pages(lang):
    description = _long_text(lang, 4000)
    pdf = render_pdf(_html(lang, description), meta=_meta(lang), xml=XML)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert _words(description) in _text(pdf, page_numbers=False)
    assert "— 2 —" in _text(pdf)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_1500_character_description_flows_onto_a_second_page(lang):
    from kzdocs import render

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text(encoding="utf-8"))
    description = _long_text(lang, 1500)
    record["goods"]["description"] = {"kk": description, "ru": description}
    pdf = render(record, lang=lang, format="pdf")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert _words(description) in _text(pdf, page_numbers=False)


def test_same_input_same_bytes_in_another_process():
    pdf = render_pdf(_html("kk"), meta=_meta("kk"), xml=XML)
    script = (
        "import sys, hashlib, pickle\n"
        "from kzdocs.pdf import render_pdf\n"
        "html, meta, xml = pickle.loads(sys.stdin.buffer.read())\n"
        "sys.stdout.write(hashlib.sha256(render_pdf(html, meta=meta, xml=xml)).hexdigest())\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps((_html("kk"), _meta("kk"), XML)),
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert child.stdout.decode() == hashlib.sha256(pdf).hexdigest()


def _engine_in_child(conn, html, meta, xml, parent_engine_id):
    from kzdocs.pdf.engine import default_engine

    engine = default_engine()
    conn.send(
        (
            id(engine) == parent_engine_id,
            engine.pid == os.getpid(),
            render_pdf(html, meta=meta, xml=xml),
        )
    )


@pytest.mark.parametrize("inside", [True, False], ids=["forked-inside", "forked-outside"])
def test_a_child_forked_inside_forking_takes_the_engine_over(inside):
    import multiprocessing
    from contextlib import nullcontext

    from kzdocs.pdf.engine import default_engine

    engine = default_engine()
    pdf = render_pdf(_html("kk"), meta=_meta("kk"), xml=XML)
    fork = multiprocessing.get_context("fork")
    parent, child = fork.Pipe()
    process = fork.Process(
        target=_engine_in_child, args=(child, _html("kk"), _meta("kk"), XML, id(engine))
    )
    with engine.forking() if inside else nullcontext():
        process.start()
    assert parent.poll(120), "the child did not answer"
    same, own_pid, child_pdf = parent.recv()
    process.join(30)
    assert same is inside  # inherited as it is only when forked inside the block
    assert own_pid and child_pdf == pdf  # its own lock and pid, the same bytes
    assert not engine._forking and engine._lock.acquire(blocking=False)  # the parent's is free
    engine._lock.release()


def test_file_identifier_comes_from_the_record():
    first = PdfReader(io.BytesIO(render_pdf(_html(), meta=_meta(identifier=b"a"), xml=XML)))
    again = PdfReader(io.BytesIO(render_pdf(_html(), meta=_meta(identifier=b"a"), xml=XML)))
    other = PdfReader(io.BytesIO(render_pdf(_html(), meta=_meta(identifier=b"b"), xml=XML)))
    assert first.trailer["/ID"][0] == again.trailer["/ID"][0] != other.trailer["/ID"][0]


FONT_NAME = re.compile(r"^/[A-Z]{6}\+Liberation-Serif(-Bold)?(-Italic)?$")


def test_only_shipped_fonts_even_when_the_css_asks_for_others():
    head = '<style>.issuer { font-family: "DejaVu Sans", sans-serif; } h1 { font-family: monospace; }</style>'  # noqa: E501
    body = "<p><b>Қалың</b> <i>Көлбеу</i> <b><i>Қалың көлбеу</i></b></p>"
    pdf = render_pdf(_html(head=head, body=body), meta=_meta(), xml=XML)
    fonts = _fonts(pdf)
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in fonts} == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }
    for name, program in fonts.items():
        assert FONT_NAME.match(name), name
        family = TTFont(io.BytesIO(program))["name"].getDebugName(1)
        assert family == "Liberation Serif"


def test_a_character_the_fonts_lack_is_an_error_not_a_blank_box():
    html = _html("ru", "Поставщик 新疆粮食贸易有限公司")
    with pytest.raises(MissingGlyphError) as caught:
        render_pdf(html, meta=_meta("ru"), xml=XML)
    assert set(caught.value.characters) == set("新疆粮食贸易有限公司")
    assert "U+65B0" in str(caught.value)


SECRET = "kzdocs-secret-7f3a"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.css"
    path.write_text(f"body {{ color: red }} /* {SECRET} */", encoding="utf-8")
    return path


def _svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


HOSTILE = {
    "img file": ('<img src="{file}">', "body"),
    "stylesheet link": ('<link rel="stylesheet" href="{file}">', "head"),
    "attachment link": ('<link rel="attachment" href="{file}">', "head"),
    "css import": ("<style>@import url({file});</style>", "head"),
    "font-face file": (
        "<style>@font-face {{ font-family: X; src: url({file}); }} p {{ font-family: X }}</style>",
        "head",
    ),
    "base href": ('<base href="{dir}/"><img src="secret.css">', "head+body"),
    "css background http": (
        '<div style="background-image: url(http://127.0.0.1:{port}/x.png)">x</div>',
        "body",
    ),
    "img https": ('<img src="https://127.0.0.1:{port}/x.png">', "body"),
    "img ftp": ('<img src="ftp://127.0.0.1:{port}/x.png">', "body"),
    "data text/html": ('<img src="data:text/html;base64,PGI+eDwvYj4=">', "body"),
    "data svg not base64": ('<img src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E">', "body"),
    "svg image inside data svg": (
        '<img src="{svg}">',
        "body",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_html_reads_no_file_and_reaches_no_network(case, secret_file):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    svg = _svg_data_url(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{secret_file.as_uri()}" width="10" height="10"/></svg>'
    )
    template, where = HOSTILE[case]
    markup = template.format(
        file=secret_file.as_uri(), dir=secret_file.parent.as_uri(), port=port, svg=svg
    )
    head = markup if where.startswith("head") else ""
    body = markup if where == "body" else ""
    try:
        with pytest.raises(ResourceBlockedError) as caught:
            render_pdf(_html(head=head, body=body), meta=_meta(), xml=XML)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert caught.value.url.split(":")[0] in {"file", "http", "https", "ftp", "data"}
    assert isinstance(caught.value, PermissionError)


def test_svg_external_entity_is_not_expanded(secret_file):
    svg = _svg_data_url(
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "{secret_file.as_uri()}">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
        '<text x="0" y="15">&x;</text></svg>'
    )
    try:
        pdf = render_pdf(_html(body=f'<img src="{svg}">'), meta=_meta(), xml=XML)
    except (ResourceBlockedError, RenderError):
        return  # refusing is as good as ignoring
    assert SECRET.encode() not in pdf
    assert SECRET not in _text(pdf)


def test_inline_qr_images_are_allowed(caplog):
    import segno

    qr = segno.make("01KZ260010000123", error="m")
    png = "data:image/png;base64," + base64.b64encode(_png(qr)).decode()
    svg = _svg_data_url(_svg(qr))
    body = f'<div class="signature"><img src="{png}"> <img src="{svg}"></div>'
    with caplog.at_level("WARNING"):
        pdf = render_pdf(_html(body=body), meta=_meta(), xml=XML)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert [x["/Subtype"] for x in images] == ["/Image"]  # the PNG
    assert page.get_contents().get_data().count(b" l\n") > 50  # the SVG's path, drawn inline


@pytest.mark.parametrize("patched", [True, False])
def test_black_and_white_images_are_embedded_with_one_bit_a_pixel(monkeypatch, patched):
    import segno
    from PIL import Image

    monkeypatch.setattr(patches, "ENABLED", patched)
    code = Image.open(io.BytesIO(_png(segno.make("01KZ260010000123")))).convert("L")
    grey = code.point(lambda v: 128 if v else 0)  # a grey image keeps its 8 bits
    body = "".join(
        f'<img style="image-rendering: pixelated" src="data:image/png;base64,{_png_base64(i)}">'
        for i in (code, grey)
    )
    pdf = render_pdf(_html(body=body), meta=_meta(), xml=XML)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    images = sorted(
        (x.get_object() for x in page["/Resources"]["/XObject"].values()),
        key=lambda x: x["/BitsPerComponent"],
    )
    assert [(x["/BitsPerComponent"], x["/Interpolate"]) for x in images] == [(1, False), (8, False)]
    assert len(images[0].get_data()) == (code.width + 7) // 8 * code.height
    for image, source in zip(images, (code, grey), strict=True):
        assert image.decode_as_image().convert("L").tobytes() == source.tobytes()


def _saved_png(image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def _interlaced(png: bytes) -> bytes:
    import struct
    import zlib

    header = bytearray(png[12:29])  # IHDR's type and data
    header[-1] = 1  # interlace method: Adam7
    crc = struct.pack(">I", zlib.crc32(header))
    return png[:12] + bytes(header) + crc + png[33:]


def _pixels_of_rows(rows: bytes, png: bytes):
    """The pixels a PNG predictor reads from `rows`, with the header of `png`."""
    import struct
    import zlib

    from PIL import Image

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = png[8:33]  # the IHDR chunk, whole
    rebuilt = png[:8] + header + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    return Image.open(io.BytesIO(rebuilt)).tobytes()


@pytest.mark.parametrize(
    ("mode", "options", "taken"),
    [
        ("L", {}, True),
        ("RGB", {}, True),
        ("L", {"interlaced": True}, False),
        ("L", {"transparency": 0}, False),
        ("LA", {}, False),
        ("P", {}, False),
        ("I;16", {}, False),
        ("1", {}, False),
    ],
)
def test_png_rows_are_taken_from_the_file_only_where_a_pdf_reads_them_as_they_are(
    mode, options, taken
):
    import segno
    from PIL import Image

    grey = Image.open(io.BytesIO(_png(segno.make("01KZ260010000123")))).convert("L")
    interlaced = options.pop("interlaced", False)
    png = _saved_png(grey.convert(mode), **options)
    if interlaced:  # Pillow writes no interlaced PNG: its header says so, rows and all
        png = _interlaced(png)
    rows = patches._plain_png_rows(Image.open(io.BytesIO(png)))
    assert (rows is not None) is taken
    if taken:  # what WeasyPrint itself would embed: the same pixels
        own = patches._REAL_PNG_DATA(Image.open(io.BytesIO(png)))
        assert _pixels_of_rows(rows, png) == _pixels_of_rows(own, png)
        assert _pixels_of_rows(rows, png) == Image.open(io.BytesIO(png)).tobytes()


def _png_base64(image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def _png(qr) -> bytes:
    out = io.BytesIO()
    qr.save(out, kind="png", scale=2)
    return out.getvalue()


def _svg(qr) -> str:
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=2)
    return out.getvalue().decode()


def test_inline_style_is_lifted_out_and_parsed_once():
    body, css = split_styles(_html(head="<style>p { color: red }</style>"))
    assert "<style" not in body and "@page" in css and "p { color: red }" in css
    kept, lifted = split_styles('<style media="print">p {}</style><p>x</p>')
    assert lifted == "" and "<style media" in kept  # only the templates' plain <style>


def test_metadata_validation():
    good = _meta()
    with pytest.raises(RenderError, match="language"):
        PdfMeta(**{**good.__dict__, "lang": "en"})
    with pytest.raises(RenderError, match="time zone"):
        PdfMeta(**{**good.__dict__, "created": datetime(2026, 3, 2)})
    with pytest.raises(RenderError, match="identifier"):
        PdfMeta(**{**good.__dict__, "identifier": b""})
    assert PdfMeta.of(SimpleNamespace(**good.__dict__)) == good


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", ["license-export-wheat.json", "refusal-several-grounds.json"])
def test_pipeline_pdf_carries_the_record(fixture, lang):
    from kzdocs import render
    from kzdocs.xml import from_xml

    record = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    pdf = render(record, lang=lang, format="pdf")
    text = _text(pdf)
    assert _words(record["number"]) in text
    assert from_xml(extract_xml(pdf))["number"] == record["number"]
    assert {re.sub(r"^/[A-Z]{6}\+", "", n) for n in _fonts(pdf)} <= {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }


def _html5_tree(html: str) -> bytes:
    return ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False))


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_fast_parser_builds_the_html5_tree_for_every_fixture(fixture, lang):
    from kzdocs import render

    record = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    body, _ = split_styles(render(record, lang=lang, format="html").decode())
    tree = pdf_html.parse_contract_html(body)
    assert tree is not None, "contract HTML must take the fast path"
    assert ET.tostring(tree) == _html5_tree(body)


def test_fast_parser_builds_the_html5_tree_for_signed_documents():
    from signing_helpers import signer

    from kzdocs import render

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text(encoding="utf-8"))
    html = render(
        record, format="html", signer=signer(), signed_at=datetime(2026, 3, 2, 10, 0, tzinfo=ASTANA)
    )
    body, _ = split_styles(html.decode())
    assert 'src="data:image/' in body
    assert ET.tostring(pdf_html.parse_contract_html(body)) == _html5_tree(body)


# HTML where libxml2 and HTML5 could build different trees: each either takes the fast path
# with the HTML5 tree, or goes to WeasyPrint's parser; never a tree of its own.
EDGE_BODIES = {
    "p-around-div": "<p>a<div>b</div></p>",
    "row-without-tbody": "<table><tr><td>x</td></tr></table>",
    "entities": "<p>x &amp; y &#39; &nbsp; &quot; &notin; &foo;</p>",
    "block-in-span": "<span><p>x</p></span>",
    "implied-li-end": "<ul><li>a<li>b</ul>",
    "unclosed-p-at-end": "<p>a<p>b",
    "comment": "<div><!-- c --></div>",
    "carriage-return": "<p>x\r\ny</p>",
    "foreign-tag": "<a href=x>x</a>",
    "duplicate-attribute": "<p class=a class=b>x</p>",
    "stray-end-tag": "<p>x</b>y</p>",
    "implied-td-end": "<table><tbody><tr><td>1<td>2</tbody></table>",
    "void-elements": "<div><br/>x<br>y<img src='data:image/png;base64,AA'></div>",
    "block-in-heading": "<h1>a<p>b</p></h1>",
    "content-after-body": "<div>x</div></body><p>after</p>",
    "form-feed": "<p>a\fb</p>",
    "upper-case": "<P CLASS=X>up</P>",
    "misnested": "<p>a<em>b<strong>c</em>d</strong></p>",
    "cell-outside-table": "<td>x</td>",
    "text-at-end": "<div>x</div>tail",
}


@pytest.mark.parametrize("case", sorted(EDGE_BODIES))
def test_fast_parser_never_builds_another_tree_than_html5(case):
    html = (
        '<!DOCTYPE html>\n<html lang="kk"><head><meta charset="utf-8"><title>t</title></head>\n'
        f"<body>{EDGE_BODIES[case]}</body>\n</html>\n"
    )
    tree = pdf_html.parse_contract_html(html)
    assert tree is None or ET.tostring(tree) == _html5_tree(html)


def test_fast_parser_needs_a_doctype():
    assert pdf_html.parse_contract_html("<html><body><p>x</p></body></html>") is None


def test_the_fast_html_parser_leaves_the_pdf_byte_for_byte_the_same(monkeypatch):
    html, meta = _html("kk", body="<ol><li>a</li><li>b</li></ol>"), _meta("kk")
    fast = render_pdf(html, meta=meta, xml=XML)
    monkeypatch.setattr(patches, "parse_contract_html", lambda html: None)  # tinyhtml5 parses
    assert render_pdf(html, meta=meta, xml=XML) == fast


def _decoded_streams(pdf: bytes) -> list[bytes]:
    """Each stream object's decoded data (the cross-reference stream, all offsets, aside)."""
    reader = PdfReader(io.BytesIO(pdf))
    objects = (reader.get_object(number) for number in range(1, reader.trailer["/Size"]))
    return [
        o.get_data() for o in objects if isinstance(o, StreamObject) and o.get("/Type") != "/XRef"
    ]


def test_streams_serialised_once_differ_from_pydyfs_only_in_compression(monkeypatch):
    html, meta = _html("kk"), _meta("kk")
    once_level_6 = render_pdf(html, meta=meta, xml=XML)
    monkeypatch.setattr(patches, "ENABLED", False)
    pydyf_level_9 = render_pdf(html, meta=meta, xml=XML)
    assert once_level_6 != pydyf_level_9
    assert _decoded_streams(once_level_6) == _decoded_streams(pydyf_level_9)
    assert (
        len(_decoded_streams(once_level_6)) == len(re.findall(rb"/FlateDecode", once_level_6)) - 1
    )


def test_the_patches_are_on_for_the_pinned_weasyprint_and_pydyf():
    # A version bump turns them off (correct, but slower): update and re-measure then.
    assert patches.installed_versions() == patches.PINNED and patches.ENABLED


def test_each_stream_is_compressed_once_at_zlibs_default_level(monkeypatch):
    levels = []
    real = patches.zlib.compress

    def counting(data, level):
        levels.append(level)
        return real(data, level)

    monkeypatch.setattr(patches.zlib, "compress", counting)
    monkeypatch.setattr(pydyf.zlib, "compressobj", None)  # pydyf itself compresses nothing
    pdf = render_pdf(_html(), meta=_meta(), xml=XML)
    assert levels == [6] * len(re.findall(rb"/FlateDecode", pdf))


def _array_types_asked(monkeypatch) -> list[str]:
    asked: list[str] = []
    real_new = patches._REAL_FFI.new

    def new(cdecl, init=None):
        asked.append(cdecl if isinstance(cdecl, str) else patches._REAL_FFI.getctype(cdecl))
        return real_new(cdecl, init)

    monkeypatch.setattr(patches._REAL_FFI, "new", new)
    return asked


@pytest.mark.parametrize("enabled", [True, False])
def test_font_subsetting_arrays_take_one_c_type_whatever_their_length(monkeypatch, enabled):
    import weasyprint.pdf.fonts

    monkeypatch.setattr(patches, "ENABLED", enabled)
    asked = _array_types_asked(monkeypatch)
    render_pdf(_html("ru"), meta=_meta("ru"), xml=XML)
    sized = [c for c in asked if re.fullmatch(r"hb_codepoint_t\[[0-9]+\]", c)]
    assert bool(sized) is not enabled  # WeasyPrint's own: one type per length
    assert (patches._REAL_FFI.getctype("hb_codepoint_t[]") in asked) is enabled
    assert weasyprint.pdf.fonts.ffi is patches._REAL_FFI  # WeasyPrint's own again
    with pytest.raises(MissingGlyphError):
        render_pdf(_html("ru", "新"), meta=_meta("ru"), xml=XML)
    assert weasyprint.pdf.fonts.ffi is patches._REAL_FFI


def test_font_subsetting_with_one_c_type_gives_the_same_bytes(monkeypatch):
    html, meta = _html("kk"), _meta("kk")
    one_type = render_pdf(html, meta=meta, xml=XML)
    monkeypatch.setattr(patches, "_OPEN_ARRAYS", patches._REAL_FFI)  # only this patch off
    assert render_pdf(html, meta=meta, xml=XML) == one_type


def test_garbage_collector_is_left_as_it_was():
    assert gc.isenabled()
    render_pdf(_html(), meta=_meta(), xml=XML)
    assert gc.isenabled()
    with pytest.raises(ResourceBlockedError):
        render_pdf(_html(body='<img src="file:///etc/passwd">'), meta=_meta())
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf(_html(), meta=_meta(), xml=XML)
        assert not gc.isenabled()
    finally:
        gc.enable()
