"""The empty Word package every DOCX starts from: page setup, styles, list definitions.

Built once per language from python-docx's default package, stripped of what a rendered
document does not need (thumbnail, theme, customXml, stylesWithEffects), and kept as bytes.
"""

from __future__ import annotations

import io
from functools import cache

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml

from kzdocs.docx import layout as L
from kzdocs.docx.paragraphs import W_NS

_WNS = f'xmlns:w="{W_NS}"'


def _spacing(before: int = 0, after: int = 0) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}"/>'


def _jc(value: str) -> str:
    return f'<w:jc w:val="{value}"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


_BOLD = "<w:b/><w:bCs/>"
_LETTER = f'{_spacing(after=L.SPACE_3MM)}<w:ind w:firstLine="{L.FIRST_LINE_INDENT}"/>{_jc("both")}'
_APPENDIX_INDENT = f'<w:ind w:left="{L.TEXT_WIDTH - L.APPENDIX_WIDTH}"/>'

# Paragraph styles: id → (name, paragraph properties, run properties). Their ids are what the
# converter assigns from HTML tags and classes (see docs/docx-html-subset.md); the values mirror
# templates/document.css.
PARAGRAPH_STYLES: dict[str, tuple[str, str, str]] = {
    "KzText": ("kzdocs Text", "", ""),
    "KzAppendix": (
        "kzdocs Appendix",
        f"{_spacing(after=L.SPACE_2MM)}{_APPENDIX_INDENT}{_jc('center')}",
        _size(L.SIZE_SMALL),
    ),
    "KzAppendixForm": (
        "kzdocs Appendix Form",
        f"{_spacing(after=L.SPACE_8MM)}{_APPENDIX_INDENT}{_jc('right')}",
        _size(L.SIZE_SMALL),
    ),
    "KzDraftMark": (
        "kzdocs Draft Mark",
        f"{_spacing(after=L.SPACE_3MM)}{_jc('center')}",
        f'{_BOLD}<w:color w:val="B40000"/><w:spacing w:val="160"/>{_size(L.SIZE_DRAFT_MARK)}',
    ),
    "KzIssuer": ("kzdocs Issuer", f"{_spacing(after=L.SPACE_6MM)}{_jc('center')}", _BOLD),
    "KzTitle": (
        "kzdocs Title",
        f'<w:keepNext/>{_spacing(after=L.SPACE_6MM)}{_jc("center")}<w:outlineLvl w:val="0"/>',
        f"{_BOLD}{_size(L.SIZE_TITLE)}",
    ),
    "KzHeading": (
        "kzdocs Heading",
        f"<w:keepNext/>{_spacing(L.SPACE_2MM, L.SPACE_2MM)}{_jc('center')}"
        '<w:outlineLvl w:val="1"/>',
        f"{_BOLD}{_size(L.SIZE_HEADING)}",
    ),
    "KzField": ("kzdocs Field", _jc("left"), ""),
    "KzTableText": ("kzdocs Table Text", _jc("left"), ""),
    "KzTableHeading": ("kzdocs Table Heading", _jc("center"), _BOLD),
    "KzHeaderCell": ("kzdocs Letter Header", _jc("center"), _BOLD),
    "KzHeaderCellDetail": ("kzdocs Letter Header Detail", _jc("center"), _size(L.SIZE_SMALL)),
    "KzReference": ("kzdocs Reference", _spacing(after=L.SPACE_1MM), ""),
    "KzLetterBody": ("kzdocs Letter Body", _LETTER, _size(L.SIZE_LETTER)),
    "KzGround": ("kzdocs Ground", _LETTER, _size(L.SIZE_LETTER)),
    "KzSignature": ("kzdocs Signature", "", ""),
    "KzConsent": (
        "kzdocs Consent",
        f"{_spacing(before=L.SPACE_3MM)}{_jc('both')}",
        _size(L.SIZE_SMALL),
    ),
    "KzNote": (
        "kzdocs Note",
        f'<w:ind w:firstLine="{L.FIRST_LINE_INDENT}"/>{_jc("both")}',
        _size(L.SIZE_FOOTER),
    ),
    "KzListItem": ("kzdocs List Item", f"{_spacing(after=L.SPACE_1MM)}{_jc('both')}", ""),
    "KzFooter": (
        "kzdocs Footer",
        f"{_spacing(before=L.SPACE_8MM)}{_jc('both')}",
        f"<w:i/><w:iCs/>{_size(L.SIZE_FOOTER)}",
    ),
    "KzPageNumber": ("kzdocs Page Number", _jc("center"), _size(L.SIZE_PAGE_NUMBER)),
}

# The paragraph after a first one gets its own style in these blocks (CSS `p + p`).
FOLLOWING_PARAGRAPH_STYLES = {
    "KzAppendix": "KzAppendixForm",
    "KzHeaderCell": "KzHeaderCellDetail",
}

# abstractNum ids of the two list kinds; every HTML list gets its own w:num pointing at one.
ORDERED_LIST = 1
BULLET_LIST = 2


def fonts_xml() -> str:
    """Every rFonts slot set, so no script falls back to a theme font."""
    return (
        f'<w:rFonts w:ascii="{L.FONT}" w:hAnsi="{L.FONT}" w:cs="{L.FONT}" w:eastAsia="{L.FONT}"/>'
    )


def lang_xml(lang: str) -> str:
    """All three language slots set to the document language (see the subset doc for why)."""
    tag = L.WORD_LANG[lang]
    return f'<w:lang w:val="{tag}" w:eastAsia="{tag}" w:bidi="{tag}"/>'


def _styles_xml(lang: str) -> str:
    base_rpr = f"{fonts_xml()}{_size(L.SIZE_BODY)}{lang_xml(lang)}"
    styles = [
        f'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        f"<w:qFormat/><w:rPr>{base_rpr}</w:rPr></w:style>",
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "</w:style>",
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        f'<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="{L.CELL_MARGIN}" w:type="dxa"/>'
        f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="{L.CELL_MARGIN}" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr></w:style>",
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        "<w:semiHidden/></w:style>",
    ]
    for style_id, (name, ppr, rpr) in PARAGRAPH_STYLES.items():
        styles.append(
            f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    return (
        f"<w:styles {_WNS}><w:docDefaults><w:rPrDefault><w:rPr>{base_rpr}</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f"</w:pPrDefault></w:docDefaults>{''.join(styles)}</w:styles>"
    )


def _abstract_num(num_id: int, fmt: str, text: str) -> str:
    return (
        f'<w:abstractNum w:abstractNumId="{num_id}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="425" w:hanging="425"/></w:pPr>'
        f"<w:rPr>{fonts_xml()}</w:rPr></w:lvl></w:abstractNum>"
    )


def _numbering_xml() -> str:
    return (
        f"<w:numbering {_WNS}>{_abstract_num(ORDERED_LIST, 'decimal', '%1.')}"
        f"{_abstract_num(BULLET_LIST, 'bullet', '•')}</w:numbering>"
    )


def _settings_xml(lang: str) -> str:
    return (
        f'<w:settings {_WNS}><w:zoom w:percent="100"/><w:defaultTabStop w:val="708"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting '
        'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
        f'</w:compat><w:themeFontLang w:val="{L.WORD_LANG[lang]}"/>'
        '<w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/></w:settings>'
    )


def _font_table_xml() -> str:
    return (
        f'<w:fonts {_WNS}><w:font w:name="{L.FONT}"><w:panose1 w:val="02020603050405020304"/>'
        '<w:charset w:val="CC"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
        "</w:fonts>"
    )


_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>kzdocs</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _section_xml() -> str:
    return (
        f'<w:sectPr {_WNS}><w:pgSz w:w="{L.PAGE_WIDTH}" w:h="{L.PAGE_HEIGHT}"/>'
        f'<w:pgMar w:top="{L.MARGIN_TOP}" w:right="{L.MARGIN_RIGHT}" w:bottom="{L.MARGIN_BOTTOM}" '
        f'w:left="{L.MARGIN_LEFT}" w:header="{L.HEADER_FOOTER_DISTANCE}" '
        f'w:footer="{L.HEADER_FOOTER_DISTANCE}" w:gutter="0"/><w:cols w:space="708"/>'
        # A first page of its own, with an empty footer: numbers start on page 2, as in the PDF.
        "<w:titlePg/></w:sectPr>"
    )


_DROPPED = {
    RT.THUMBNAIL,
    RT.CUSTOM_XML,
    RT.WEB_SETTINGS,
    RT.THEME,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
}


def _replace_xml(part: object, xml: str) -> None:
    # python-docx keeps parsed parts as `_element` and parts it does not model as `_blob`.
    if hasattr(part, "_element"):
        part._element = parse_xml(xml)
    else:
        part._blob = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + xml.encode()


def _add_page_number(document: WordDocument, lang: str) -> None:
    """«— N —» at the bottom centre, as the PDF's @page rule prints it."""
    footer = document.sections[0].footer.paragraphs[0]._p
    for child in list(footer):
        footer.remove(child)
    footer.append(parse_xml(f'<w:pPr {_WNS}><w:pStyle w:val="KzPageNumber"/></w:pPr>'))
    rpr = f"<w:rPr>{fonts_xml()}{lang_xml(lang)}</w:rPr>"
    footer.append(parse_xml(f'<w:r {_WNS}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'))
    footer.append(
        parse_xml(
            f'<w:fldSimple {_WNS} w:instr=" PAGE "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'
        )
    )
    footer.append(parse_xml(f'<w:r {_WNS}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>'))


@cache
def template_bytes(lang: str) -> bytes:
    """The empty document for `lang` ('kk' or 'ru'), as a DOCX package."""
    document = docx.Document()
    for rels in (document.part.package.rels, document.part.rels):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in _DROPPED]:
            rels.pop(r_id)
    parts = {rel.reltype: rel.target_part for rel in document.part.rels.values()}
    _replace_xml(parts[RT.STYLES], _styles_xml(lang))
    _replace_xml(parts[RT.NUMBERING], _numbering_xml())
    _replace_xml(parts[RT.SETTINGS], _settings_xml(lang))
    _replace_xml(parts[RT.FONT_TABLE], _font_table_xml())
    for rel in document.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML  # type: ignore[attr-defined]
    body = document.element.body
    for child in list(body):
        body.remove(child)
    body.append(parse_xml(_section_xml()))
    _add_page_number(document, lang)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
