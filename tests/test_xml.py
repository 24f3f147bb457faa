"""The XML stage: canonical XML per record, the shipped XSDs, the read-back, hardened parsing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import kzdocs.xml as kzxml
from kzdocs.classifiers import units
from kzdocs.errors import XmlError
from kzdocs.forms import KINDS, LICENSE_TYPES
from kzdocs.schema import MODELS, validate
from kzdocs.schema.types import Text
from kzdocs.xml import DS_NS, NS, from_xml, parse_xml, to_xml, validate_xml, xsd

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDS = sorted(FIXTURES.glob("*.json"))  # fixtures/invalid/ is not globbed
XS = "{http://www.w3.org/2001/XMLSchema}"


def _record(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _first_of(kind: str) -> dict[str, Any]:
    for path in RECORDS:
        record = _record(path)
        if record["kind"] == kind:
            return record
    raise AssertionError(f"no fixture of kind {kind}")


def _xml_of(record: dict[str, Any]) -> bytes:
    return to_xml(validate(record))


def _edit(xml: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root)


def _find(root: etree._Element, path: str) -> etree._Element:
    """The element at a slash-separated path of record keys, e.g. "goods/hs_code"."""
    element = root.find("/".join(f"{{{NS}}}{step}" for step in path.split("/")))
    assert element is not None, path
    return element


def _schema_tree(kind: str) -> etree._Element:
    return etree.fromstring(xsd(kind))


# -- every fixture ------------------------------------------------------------------------------


def test_fixtures_cover_every_kind():
    assert {_record(path)["kind"] for path in RECORDS} == set(KINDS)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_fixture_xml_validates_against_its_xsd(path):
    record = _record(path)
    xml = _xml_of(record)
    validate_xml(xml)
    validate_xml(xml, record["kind"])
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS}}}{record['kind']}"
    assert _find(root, "number").text == record["number"]
    assert _find(root, "issued_on").text == record["issued_on"]


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_fixture_round_trip_gives_an_equal_document(path):
    document = validate(_record(path))
    xml = to_xml(document)
    back = validate(from_xml(xml))
    assert back == document
    assert to_xml(back) == xml  # and the read-back writes the very same bytes


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_same_record_gives_identical_bytes(path):
    record = _record(path)
    first = _xml_of(record)
    shuffled = dict(reversed(list(record.items())))  # key order of the input does not matter
    assert _xml_of(shuffled) == first
    assert first == etree.tostring(etree.fromstring(first), method="c14n", exclusive=True)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_free_text_is_always_kk_and_ru(path):
    record = _record(path)
    root = etree.fromstring(_xml_of(record))
    name_key = "recipient" if record["kind"] == "refusal" else "applicant"
    name = record[name_key]["name"]
    element = _find(root, f"{name_key}/name")
    expected = (name, name) if isinstance(name, str) else (name["kk"], name["ru"])
    assert [(child.tag, child.text) for child in element] == [
        (f"{{{NS}}}kk", expected[0].strip()),
        (f"{{{NS}}}ru", expected[1].strip()),
    ]


# -- the XML format -----------------------------------------------------------------------------


def test_wheat_licence_xml_reads_like_the_record():
    xml = _xml_of(_record(FIXTURES / "license-export-wheat.json")).decode("utf-8")
    assert xml.startswith('<license-export xmlns="urn:kzdocs:order-51-nk:1">\n  <number>')
    assert "<value>125000.00</value>" in xml
    assert "<quantity>500</quantity>" in xml
    assert "<hs_code>1001990000</hs_code>" in xml
    assert "<contract>\n    <number>CN-14/2026</number>\n    <date>2026-01-20</date>" in xml
    assert "<ru>Пшеница мягкая 3 класса, продовольственная, урожая 2025 года</ru>" in xml
    # After the fields, the application the licence answers (no field of its form).
    assert (
        "<issued_on>2026-03-02</issued_on>\n  <application>\n    <number>26-0012671</number>" in xml
    )
    assert xml.endswith("</authorized_person>\n  </application>\n</license-export>")


def test_optional_keys_are_left_out_and_decimals_kept_as_given():
    record = _first_of("license-export") | {
        "license_type": "exclusive",
        "contract": {"date": "2026-01-20"},
        "value": 0,
        "quantity": "0.00100",
        "supplementary_quantity": {"quantity": "12.5", "unit": "796"},
    }
    record.pop("additional_info", None)
    xml = _xml_of(record)
    root = etree.fromstring(xml)
    assert root.find(f"{{{NS}}}additional_info") is None
    assert [child.tag for child in _find(root, "contract")] == [f"{{{NS}}}date"]
    assert _find(root, "value").text == "0"
    assert _find(root, "quantity").text == "0.00100"
    assert _find(root, "supplementary_quantity/quantity").text == "12.5"
    assert validate(from_xml(xml)) == validate(record)


def test_refusal_grounds_read_back_as_integers():
    record = _first_of("refusal")
    back = from_xml(_xml_of(record))
    assert [ground["code"] for ground in back["grounds"]] == [
        ground["code"] for ground in record["grounds"]
    ]
    assert all(type(ground["code"]) is int for ground in back["grounds"])


@pytest.mark.parametrize("hostile", ["<script>alert('x')</script>", "A & B ]]> C", "<![CDATA[x]]>"])
def test_markup_in_free_text_survives_as_text(hostile):
    record = _first_of("license-export")
    record["goods"] = {**record["goods"], "description": {"kk": hostile, "ru": f"ru {hostile}"}}
    record["counterparty"] = {**record["counterparty"], "name": hostile}
    xml = _xml_of(record)
    validate_xml(xml)
    root = etree.fromstring(xml)
    assert not root.findall(".//script") and not root.findall(f".//{{{NS}}}script")
    assert _find(root, "goods/description/kk").text == hostile
    assert b"<script>" not in xml and b"]]>" not in xml
    back = from_xml(xml)
    assert back["goods"]["description"] == {"kk": hostile, "ru": f"ru {hostile}"}
    assert back["counterparty"]["name"] == hostile
    assert validate(back) == validate(record)


def test_string_xml_cannot_carry_is_an_xml_error():
    record = _first_of("license-export")
    document = validate(record).model_copy(update={"additional_info": Text("\ud800", "x")})
    with pytest.raises(XmlError, match=r"^additional_info\.kk: cannot be written as XML"):
        to_xml(document)


# -- validation against the XSD -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "path", "bad"),
    [
        ("license-export", "goods/hs_code", "1001990"),  # not 10 digits
        ("license-export", "goods/hs_code", "7712345678"),  # chapter 77
        ("license-import", "applicant/id", "15044000001X"),
        ("license-import", "route_country", "cn"),
        ("license-export", "currency", "US"),
        ("license-export", "unit", "999"),
        ("license-export", "value", "1.005"),
        ("license-export", "value", "-1"),
        ("license-import", "quantity", "0"),
        ("license-import", "quantity", "1e3"),
        ("license-export", "valid_from", "2026-03-02Z"),
        ("license-export", "valid_to", "2101-01-01"),
        ("license-export", "license_type", "monthly"),
        ("license-export", "number", "KZ123"),
        ("permit-export", "number", "01KZ260010000123"),
        ("permit-import", "authorized_person/phone", "call me"),
        ("refusal", "grounds/ground/code", "8"),
        ("refusal", "service", "permit-export"),
    ],
)
def test_xsd_refuses_a_broken_value_naming_the_element(kind, path, bad):
    xml = _xml_of(_first_of(kind))

    def tamper(root):
        _find(root, path).text = bad

    with pytest.raises(XmlError) as caught:
        validate_xml(_edit(xml, tamper))
    leaf = path.rsplit("/", 1)[-1]
    assert f"{{{NS}}}{leaf}'" in caught.value.message
    assert caught.value.line is not None and caught.value.path is not None
    assert caught.value.path.startswith("/")


def test_tampered_hs_code_error_gives_the_line():
    xml = _xml_of(_first_of("license-export"))
    tampered = re.sub(rb"<hs_code>\d\d", b"<hs_code>77", xml)  # chapter 77 is reserved
    assert tampered != xml
    hs_line = next(
        number for number, line in enumerate(tampered.splitlines(), 1) if b"<hs_code>" in line
    )
    with pytest.raises(XmlError) as caught:
        validate_xml(tampered)
    assert "hs_code" in caught.value.message and "pattern" in caught.value.message
    assert caught.value.line == hs_line
    assert str(caught.value).startswith(f"line {hs_line}: ")


def test_unknown_element_is_refused_by_name():
    xml = _xml_of(_first_of("license-export"))

    def add_colour(root):
        _find(root, "unit").addnext(etree.Element(f"{{{NS}}}colour"))

    with pytest.raises(XmlError, match=r"colour.*not expected"):
        validate_xml(_edit(xml, add_colour))
    with pytest.raises(XmlError, match="colour"):
        from_xml(_edit(xml, add_colour))


def test_missing_element_is_refused_by_name():
    xml = _xml_of(_first_of("permit-import"))

    def drop_goods(root):
        root.remove(_find(root, "goods"))

    with pytest.raises(
        XmlError, match=r"not expected\. Expected is \( \{urn:kzdocs:order-51-nk:1\}goods \)"
    ):
        validate_xml(_edit(xml, drop_goods))


def test_root_must_be_a_kzdocs_kind_in_our_namespace():
    with pytest.raises(XmlError, match="not a kzdocs document"):
        validate_xml(b'<license-export xmlns="urn:other"/>')
    with pytest.raises(XmlError, match="not a kzdocs document"):
        validate_xml(f'<fax xmlns="{NS}"/>'.encode())
    xml = _xml_of(_first_of("license-export"))
    with pytest.raises(XmlError, match="does not match the expected kind 'license-import'"):
        validate_xml(xml, "license-import")


# -- the enveloped signature --------------------------------------------------------------------


def _signature(name: str = "Signature") -> etree._Element:
    element = etree.Element(f"{{{DS_NS}}}{name}", nsmap={"ds": DS_NS})
    etree.SubElement(element, f"{{{DS_NS}}}SignatureValue").text = "AAAA"
    return element


@pytest.mark.parametrize("kind", KINDS)
def test_one_enveloped_signature_is_accepted_and_ignored_on_read(kind):
    record = _first_of(kind)
    signed = _edit(_xml_of(record), lambda root: root.append(_signature()))
    validate_xml(signed)
    assert validate(from_xml(signed)) == validate(record)


def test_a_real_signxml_enveloped_signature_fits_the_schema():
    from cryptography.hazmat.primitives.asymmetric import ec
    from signxml import XMLSigner, methods

    record = _first_of("permit-import")
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="ecdsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signed = etree.tostring(signer.sign(parse_xml(_xml_of(record)), key=key))
    assert etree.fromstring(signed)[-1].tag == f"{{{DS_NS}}}Signature"
    validate_xml(signed, record["kind"])
    assert validate(from_xml(signed)) == validate(record)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root.append(_signature()), root.append(_signature())),
        lambda root: root.insert(0, _signature()),
        lambda root: root.append(_signature("Object")),
    ],
    ids=["two-signatures", "signature-first", "other-ds-element"],
)
def test_misplaced_signature_is_refused(change):
    xml = _xml_of(_first_of("license-export"))
    with pytest.raises(XmlError):
        validate_xml(_edit(xml, change))


# -- the shipped XSDs agree with the code -------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_xsd_units_are_the_units_table(kind):
    tree = _schema_tree(kind)
    unit = tree.find(f"{XS}simpleType[@name='Unit']")
    if kind == "refusal":
        assert unit is None
        return
    assert [e.get("value") for e in unit.iter(f"{XS}enumeration")] == sorted(units())


@pytest.mark.parametrize("kind", [k for k in KINDS if k.startswith("license")])
def test_xsd_license_types_are_the_catalogue(kind):
    tree = _schema_tree(kind)
    types = tree.find(f"{XS}simpleType[@name='LicenseType']")
    assert [e.get("value") for e in types.iter(f"{XS}enumeration")] == list(LICENSE_TYPES)


@pytest.mark.parametrize("kind", KINDS)
def test_xsd_root_sequence_is_the_models_keys_in_xml_order(kind):
    tree = _schema_tree(kind)
    root = tree.find(f"{XS}element[@name='{kind}']")
    sequence = root.find(f"{XS}complexType/{XS}sequence")
    names = [e.get("name") for e in sequence.findall(f"{XS}element")]
    assert names == list(kzxml._top_level_keys(kind))
    assert set(names) == set(MODELS[kind].model_fields) - {"kind"}
    last = sequence[-1]
    assert (last.tag, last.get("namespace"), last.get("processContents")) == (
        f"{XS}any",
        DS_NS,
        "lax",
    )
    assert last.get("minOccurs") == "0" and last.get("maxOccurs") in (None, "1")


@pytest.mark.parametrize("kind", KINDS)
def test_xsd_is_a_package_resource(kind):
    assert xsd(kind) == files("kzdocs.xsd").joinpath(f"{kind}.xsd").read_bytes()
    schema = etree.XMLSchema(etree.fromstring(xsd(kind)))  # raises if the XSD is broken
    fixture = next(FIXTURES.glob(f"{kind}-*.json"))
    assert schema.validate(etree.fromstring(to_xml(validate(_record(fixture))))), schema.error_log


# -- hardened parsing ---------------------------------------------------------------------------


class _RecordingResolver(etree.Resolver):
    """Records every external resource libxml2 asks to load."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, url, pubid, context):
        self.asked.append(url)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7c1e", encoding="utf-8")
    return path


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """Every external load kzdocs' parser attempts (there must be none)."""
    recorder = _RecordingResolver()
    hardened = kzxml._parser

    def recording_parser():
        parser = hardened()
        parser.resolvers.add(recorder)
        return parser

    monkeypatch.setattr(kzxml, "_parser", recording_parser)
    return recorder.asked


def _xxe(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>\n'
        f'<license-export xmlns="{NS}"><number>&e;</number></license-export>'
    ).encode()


def test_xxe_payload_really_reads_the_file_with_a_naive_parser(secret):
    # The control: the payload works, so refusing it below is the parser's doing.
    naive = etree.XMLParser(resolve_entities=True, load_dtd=True)
    recorder = _RecordingResolver()
    naive.resolvers.add(recorder)
    assert "TOP-SECRET-7c1e" in etree.fromstring(_xxe(secret), naive)[0].text
    assert recorder.asked == [secret.as_uri()]


@pytest.mark.parametrize("reader", [parse_xml, validate_xml, from_xml])
def test_xxe_is_refused_and_no_file_is_read(secret, loads, reader):
    with pytest.raises(XmlError, match="DOCTYPE is not allowed") as caught:
        reader(_xxe(secret))
    assert "TOP-SECRET" not in str(caught.value)
    assert loads == []


def test_external_dtd_is_refused_and_not_loaded(secret, loads):
    payload = f'<!DOCTYPE x SYSTEM "{secret.as_uri()}"><x/>'.encode()
    with pytest.raises(XmlError, match="DOCTYPE is not allowed"):
        parse_xml(payload)
    assert loads == []


@pytest.mark.parametrize("levels", [3, 9])
def test_billion_laughs_is_refused(loads, levels):
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    payload = f"<!DOCTYPE lolz [{''.join(entities)}]><lolz>&lol{levels};</lolz>".encode()
    # libxml2's own amplification guard may stop the deep one before our DOCTYPE check does.
    with pytest.raises(XmlError, match=r"DOCTYPE is not allowed|amplification"):
        parse_xml(payload)
    assert loads == []


def test_malformed_xml_is_an_xml_error_with_its_line():
    with pytest.raises(XmlError) as caught:
        parse_xml(b"<a>\n<b>\n</a>")
    assert caught.value.line == 3
    assert "mismatch" in caught.value.message


def test_xml_must_be_bytes():
    with pytest.raises(XmlError, match="bytes, got str"):
        parse_xml("<a/>")  # type: ignore[arg-type]
