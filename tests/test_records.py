"""Record files: strict JSON objects with exact decimals."""

from decimal import Decimal

import pytest

from kzdocs.errors import RecordFileError
from kzdocs.records import load_record, parse_record


def test_numbers_stay_exact_decimals():
    assert parse_record('{"value": 125000.10}')["value"] == Decimal("125000.10")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"kind": "refusal", "kind": "license-export"}', "key 'kind' appears twice"),
        ('{"value": NaN}', "NaN is not a number"),
        ("[1, 2]", "must hold a JSON object, not list"),
        ('{"kind": ', "is not valid JSON: Expecting value (line 1, column 10)"),
    ],
)
def test_a_text_that_is_not_a_record_says_why(text, reason):
    with pytest.raises(RecordFileError, match=r"<record>: .*") as caught:
        parse_record(text)
    assert reason in str(caught.value)


def test_a_byte_order_mark_is_accepted():
    assert parse_record('\ufeff{"kind": "refusal"}'.encode()) == {"kind": "refusal"}


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(RecordFileError, match="is not UTF-8"):
        parse_record('{"name": "Қазақ"}'.encode("cp1251", errors="replace") + b"\xff")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(RecordFileError, match="no such file") as caught:
        load_record(tmp_path / "absent.json")
    assert isinstance(caught.value, OSError)
    with pytest.raises(RecordFileError, match="is a folder"):
        load_record(tmp_path)


def test_an_oversized_file_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('{"x": "' + "a" * 1_000_001 + '"}')
    with pytest.raises(RecordFileError, match="larger than"):
        load_record(path)
