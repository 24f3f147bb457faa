"""Hostile or odd input: every record, from a file or from Python, is a Document or a
ValidationError naming the field; every file that is no record is a RecordFileError; output
that cannot be written is one line of error and a non-zero exit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from nesting import deep_list

from kzdocs.config import Config
from kzdocs.errors import RecordFileError, TemplateError, ValidationError
from kzdocs.html import render_html
from kzdocs.records import load_record, parse_record
from kzdocs.schema import Text, validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
WHEAT = FIXTURES / "license-export-wheat.json"
SCHEMA = ROOT / "kzdocs" / "schema"


def _wheat(changes: dict) -> dict[Any, Any]:
    return {**load_record(WHEAT), **changes}


def _rules(record: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        validate(record)
    for error in caught.value.errors:  # every error prints, whatever its value
        json.dumps(error.as_json(), ensure_ascii=False).encode("utf-8")
        error.describe()
    return [(e.path, e.rule) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("text", "path", "rule"),
    [
        ('"value": 1e999999999', "value", "amount_too_large"),
        ('"value": 1e999999999999999999', "value", "amount_too_large"),
        ('"value": 1e-999999999', "value", "amount_decimals"),
        ('"value": 0e999999999', None, None),  # zero, however it is written
        ('"value": ' + "9" * 5000, "value", "amount_too_large"),
        ('"quantity": "' + "1" * 5000 + '"', "quantity", "quantity_format"),
        ('"additional_info": "a\\ud800b"', "additional_info", "string_unicode"),
        ('"\\udc00": 1', "\\udc00", "unknown_key"),
        ('"zzz": ' + "[" * 900 + "]" * 900, "zzz", "unknown_key"),
    ],
)
def test_a_hostile_value_in_a_file_is_a_rule_error_naming_its_field(text, path, rule):
    key = json.loads(re.match(r'"(?:[^"\\]|\\.)*"', text)[0])
    rest = {k: v for k, v in json.loads(WHEAT.read_text(encoding="utf-8")).items() if k != key}
    record = parse_record(json.dumps(rest)[:-1] + ", " + text + "}")
    if rule is None:
        validate(record)
    else:
        assert (path, rule) in _rules(record)


@pytest.mark.parametrize(
    ("changes", "path", "rule"),
    [
        ({"value": 10**5000}, "value", "amount_too_large"),
        ({"value": -(10**5000)}, "value", "amount_too_large"),
        ({"value": Decimal("1e999999999")}, "value", "amount_too_large"),
        ({"value": Decimal("-Infinity")}, "value", "amount_format"),
        ({"value": float("nan")}, "value", "amount_format"),
        ({"issued_on": datetime(2026, 3, 2, 10)}, "issued_on", "date_format"),
        ({"issued_on": date(1, 1, 1)}, "issued_on", "date_range"),
        ({"valid_to": date(9999, 12, 31)}, "valid_to", "date_range"),
        ({"basis": deep_list(3000)}, "basis[0]", "text_type"),
        ({"zzz": deep_list(3000)}, "zzz", "unknown_key"),
        ({1: "x"}, "[1]", "unknown_key"),
        ({"additional_info": Text("", "ок")}, "additional_info", "text_empty"),
        ({"additional_info": Text("a\x00", "ок")}, "additional_info", "text_control_chars"),
        ({"additional_info": Text("x" * 4001, "ок")}, "additional_info", "text_too_long"),
        ({"additional_info": b"bytes"}, "additional_info", "text_type"),
        ({"additional_info": object()}, "additional_info", "text_type"),
    ],
)
def test_a_hostile_value_from_python_is_a_rule_error_naming_its_field(changes, path, rule):
    assert (path, rule) in _rules(_wheat(changes))


def test_a_record_that_is_a_deep_list_is_an_object_type_error():
    assert _rules(deep_list(3000)) == [("", "object_type")]


def test_a_valid_python_date_passes():
    record = _wheat({"issued_on": date(2026, 3, 2)})
    assert validate(record).issued_on == date(2026, 3, 2)


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000])
def test_json_nested_past_the_parser_is_refused_not_a_recursion_error(text):
    with pytest.raises(RecordFileError, match="nests arrays or objects too deeply"):
        parse_record(text)


def test_a_long_number_stays_exact_not_an_int_error():
    assert parse_record('{"v": ' + "9" * 5000 + "}")["v"] == Decimal("9" * 5000)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "record.json"
    os.mkfifo(fifo)
    with pytest.raises(RecordFileError, match=r"is a named pipe \(FIFO\), not a regular file"):
        load_record(fifo)


def test_a_device_is_refused():
    with pytest.raises(RecordFileError, match="is a device or socket, not a regular file"):
        load_record("/dev/zero")


def _kzdocs(*args: str, stdout: Any = subprocess.PIPE, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "kzdocs", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        check=False,
    )


def test_validate_json_of_half_characters_prints_whole_json(tmp_path):
    record = tmp_path / "r.json"
    text = json.dumps(_wheat({}) | {"additional_info": "x"}).replace('"x"', '"\\ud800"')
    record.write_text(text[:-1] + ', "\\ud800": "\\udc00"}', "utf-8")
    result = _kzdocs("validate", "--json", str(record))
    assert result.returncode == 1 and result.stderr == b""
    errors = json.loads(result.stdout)
    assert {(e["path"], e["rule"]) for e in errors} == {
        ("additional_info", "string_unicode"),
        ("\\ud800", "unknown_key"),
    }


@pytest.mark.parametrize("args", [["render", str(WHEAT)], ["validate", str(WHEAT)]])
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(args):
    with open("/dev/full", "wb") as full:
        result = _kzdocs(*args, stdout=full)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "kzdocs: error: cannot write to standard output: No space left on device\n"
    )


@pytest.mark.parametrize("args", [["render", str(WHEAT)], ["schema", "refusal"]])
def test_a_closed_stdout_is_one_line_and_exit_1(args):
    result = subprocess.run(
        [sys.executable, "-m", "kzdocs", *args],
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "kzdocs: error: cannot write to standard output: standard output is closed\n"
    )


def _rule_names_in(source: str) -> set[str]:
    names = set(re.findall(r'(?<!\w)broken\(\s*"([a-z_]+)"', source))
    names |= set(re.findall(r'_broken\(\s*[^,]+,\s*"([a-z_]+)"', source))  # (path, rule, …)
    names |= set(re.findall(r'text_broken\(\s*"([a-z_]+)"', source))
    names |= set(re.findall(r'_error\(\s*\w+,\s*"[^"]*",\s*"([a-z_]+)"', source))
    for template in re.findall(r'broken\(\s*f"\{rule_prefix\}(_[a-z_]+)"', source):
        names |= {f"amount{template}", f"quantity{template}"}
    return names


def test_every_rule_an_error_can_carry_is_documented():
    from kzdocs.schema import _RULES

    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SCHEMA.glob("*.py")))
    identifiers = (ROOT / "kzdocs" / "identifiers.py").read_text(encoding="utf-8")
    used = _rule_names_in(source) | set(_RULES.values())
    used |= set(re.findall(r'return "([a-z_]+)", ', identifiers))
    section = (ROOT / "docs" / "record.md").read_text(encoding="utf-8").split("\n## Rules\n")[1]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))
    assert {"amount_too_large", "string_unicode", "kind", "bin_iin_checksum"} <= used
    assert used - documented == set()


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.popen('id').read()",
        "lipsum.__globals__['os'].system('id')",
        "().__class__.__base__.__subclasses__()",
    ],
)
def test_a_template_reaching_python_internals_fails_naming_file_and_line(tmp_path, expression):
    folder = tmp_path / "templates" / "kk"
    folder.mkdir(parents=True)
    (folder / "refusal.html").write_text(
        '{% extends "layout/refusal.html" %}\n'
        f'{{% set title = "Дәлелді бас тарту" ~ {expression} %}}\n'
        + (ROOT / "templates" / "kk" / "refusal.html")
        .read_text(encoding="utf-8")
        .split('{% extends "layout/refusal.html" %}', 1)[1]
        .replace('{% set title = "Дәлелді бас тарту" %}', ""),
        encoding="utf-8",
    )
    config = Config(templates=tmp_path / "templates")
    with pytest.raises(TemplateError) as caught:
        render_html(load_record(FIXTURES / "refusal-one-ground.json"), "kk", config=config)
    message = str(caught.value)
    assert message.startswith(
        f"template '{folder / 'refusal.html'}', line 2: refused by the sandbox"
    )
    assert "unsafe" in message and "uid=" not in message
