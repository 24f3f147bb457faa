"""Property: no change to a signed document's bytes or XML nodes makes verify accept something
else. A changed PDF is never accepted; changed XML is accepted only when what it says — the
signed record, the signing time, the key that signed — is still exactly the original's. (An XML
signature does not cover its KeyInfo: other bytes there are accepted when they still hold the
signing key, whitespace say, or an issuer name, which only trust anchors vouch for; a PDF binds
its certificate in the signed attributes, and its record.xml must name that same certificate.)

Examples per test: KZDOCS_HYPOTHESIS_EXAMPLES (default 20, for CI); e.g. 2000 on demand.
"""

from __future__ import annotations

import logging
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from signing_helpers import SIGNED_AT, record_xml, signed_document, signer

from kzdocs.sign.verify import verify

EXAMPLES = int(os.environ.get("KZDOCS_HYPOTHESIS_EXAMPLES", "20"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 20,  # the CI run is the same every time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EDITS = st.sampled_from(["flip", "insert", "remove"])


def _edit(data: bytes, edit: str, at: int, value: int) -> bytes:
    at %= len(data)
    if edit == "flip":
        return data[:at] + bytes([data[at] ^ (value or 1)]) + data[at + 1 :]
    if edit == "insert":
        return data[:at] + bytes([value]) + data[at:]
    return data[:at] + data[at + 1 :]


def _unsigned_region(pdf: bytes) -> tuple[int, int]:
    at = pdf.rfind(b"/ByteRange [0 ")
    first, second = (int(x) for x in pdf[at + 14 : at + 60].split()[:2])
    return first, second


@SETTINGS
@given(
    data=st.data(),
    edits=st.lists(st.tuples(EDITS, st.integers(0), st.integers(0, 255)), min_size=1, max_size=3),
)
def test_no_edit_of_a_signed_pdf_is_accepted(data, edits):
    _, pdf = signed_document()
    start, end = _unsigned_region(pdf)
    # Half the edits go where no digest covers them: the signature container, the file's tail.
    where = data.draw(st.one_of(st.integers(start, end), st.integers(0, len(pdf) - 1)))
    changed = pdf
    for number, (edit, at, value) in enumerate(edits):
        changed = _edit(changed, edit, where if number == 0 else at, value)
    logging.disable(logging.CRITICAL)  # pyHanko logs every broken container it reads
    try:
        verdict = verify(changed)
    finally:
        logging.disable(logging.NOTSET)
    assert changed == pdf or not verdict.valid, (edits, where)


def _xml_cases():
    plain, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    wsse, _ = signer("ec", wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    return {"xmldsig": plain, "wsse": wsse}


XML = _xml_cases()
ORIGINAL = {kind: verify(xml) for kind, xml in XML.items()}


def _key(verdict) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = x509.load_der_x509_certificate(verdict.cert_der).public_key()
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _same_statement(kind: str, verdict) -> bool:
    original = ORIGINAL[kind]
    return (verdict.record, verdict.signed_at, _key(verdict)) == (
        original.record,
        original.signed_at,
        _key(original),
    )


@SETTINGS
@given(
    kind=st.sampled_from(sorted(XML)),
    edits=st.lists(st.tuples(EDITS, st.integers(0), st.integers(0, 255)), min_size=1, max_size=3),
)
def test_no_byte_edit_of_signed_xml_changes_what_is_accepted(kind, edits):
    changed = XML[kind]
    for edit, at, value in edits:
        changed = _edit(changed, edit, at, value)
    verdict = verify(changed)
    assert not verdict.valid or _same_statement(kind, verdict), edits


NODE_EDITS = st.sampled_from(
    ["remove", "duplicate", "comment", "pi", "text", "tail", "attribute", "element", "move"]
)


def _node_edit(xml: bytes, edit: str, pick: int, other: int, text: str) -> bytes:
    root = etree.fromstring(xml)
    nodes = list(root.iter())
    node = nodes[pick % len(nodes)]
    target = nodes[other % len(nodes)]
    parent = node.getparent()
    if edit == "remove" and parent is not None:
        parent.remove(node)
    elif edit == "duplicate" and parent is not None:
        parent.insert(parent.index(node), etree.fromstring(etree.tostring(node)))
    elif edit == "comment":
        node.append(etree.Comment(text.replace("-", "")))
    elif edit == "pi":
        node.append(etree.ProcessingInstruction("x", text.replace("?>", "")))
    elif edit == "text":
        node.text = (node.text or "") + text
    elif edit == "tail" and parent is not None:
        node.tail = (node.tail or "") + text
    elif edit == "attribute":
        node.set("Id", text or "x")
    elif edit == "element":
        etree.SubElement(node, etree.QName(node).text if other % 2 else "extra").text = text
    elif (
        edit == "move"
        and parent is not None
        and node not in target.iterancestors()
        and node is not target
    ):
        target.append(node)
    return etree.tostring(root)


XML_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8)


@SETTINGS
@given(
    kind=st.sampled_from(sorted(XML)),
    edit=NODE_EDITS,
    pick=st.integers(0),
    other=st.integers(0),
    text=XML_TEXT,
)
def test_no_node_edit_of_signed_xml_changes_what_is_accepted(kind, edit, pick, other, text):
    changed = _node_edit(XML[kind], edit, pick, other, text)
    verdict = verify(changed)
    assert not verdict.valid or _same_statement(kind, verdict), (edit, pick, other, text)
