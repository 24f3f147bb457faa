"""Property tests over records: mutations of every fixture (types, lengths, nesting, exotic
numbers and dates, Unicode) from Python and through JSON text. Invariant: a Document or a
ValidationError whose errors name documented rules and print in any encoding; every valid record
renders in every format and language.

Examples: a bounded count in CI (profile `kzdocs-ci`); `KZDOCS_HYPOTHESIS=thorough` runs many
more. The 50 ms goal is measured by `python bench/hostile_bench.py`; here a generous bound only
catches a hang.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nesting import deep_list

from kzdocs.errors import RecordFileError, ValidationError
from kzdocs.records import parse_record
from kzdocs.render import FORMATS, render
from kzdocs.schema import Document, Text, validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(ROOT.glob("fixtures/*.json"))}
RULES_SECTION = (ROOT / "docs" / "record.md").read_text("utf-8").split("\n## Rules\n")[1]
DOCUMENTED = set(re.findall(r"^\| `([a-z_]+)` \|", RULES_SECTION, flags=re.MULTILINE))
HANG = 2.0  # seconds: far above the 50 ms goal, so a loaded CI machine never fails by chance

settings.register_profile(
    "kzdocs-ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "kzdocs-thorough", parent=settings.get_profile("kzdocs-ci"), max_examples=5000
)
PROFILE = settings.get_profile(f"kzdocs-{os.environ.get('KZDOCS_HYPOTHESIS', 'ci')}")
RENDERS = 3 if os.environ.get("KZDOCS_HYPOTHESIS", "ci") == "ci" else 60


_ANY_CHARACTER = st.characters(blacklist_categories=())  # surrogates and controls included
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(0, 5000).map(lambda e: 10**e),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.builds(
        lambda m, e: Decimal(f"{m}E{e}"),
        st.integers(-(10**6), 10**6),
        st.integers(-(10**9), 10**9),
    ),
    st.text(_ANY_CHARACTER, max_size=50),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["Ш", "a", " ", "1", "\u200b", "\ud800"]),
        st.integers(0, 6000),
    ),
    st.dates(),
    st.datetimes(),
    st.dates().map(date.isoformat),
    st.sampled_from(
        ["2026-02-30", "0001-01-01", "2026-3-2", "02.03.2026", "1e5", "-0.00", "1E+999999999"]
    ),
    st.integers(0, 3000).map(deep_list),
    st.builds(Text, st.text(_ANY_CHARACTER, max_size=20), st.text(_ANY_CHARACTER, max_size=20)),
    st.just(b"bytes"),
    st.just(object()),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=10,
    ),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a record a mutation may hit (parts nest 4 deep; no further)."""
    paths = [prefix] if prefix else []
    if len(prefix) > 4:
        return paths
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _paths(item, (*prefix, key))
        paths.append((*prefix, "unknown_key"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _paths(item, (*prefix, index))
    return paths


def _set(record: Any, path: tuple, value: Any) -> Any:
    """A copy of `record` with `value` at `path`: only the containers on the path are copied
    (a deep copy of a value nested 3 000 deep would exhaust the stack)."""
    if not path:
        return value
    head, *rest = path
    if isinstance(record, dict):
        return {**record, head: _set(record.get(head), tuple(rest), value)}
    if isinstance(record, list) and isinstance(head, int) and head < len(record):
        return [*record[:head], _set(record[head], tuple(rest), value), *record[head + 1 :]]
    return record  # the path ran into a value an earlier mutation replaced


@st.composite
def mutated(draw, values=HOSTILE) -> dict:
    record = FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(record)))
        record = _set(record, path, draw(values))
    return record


def _judge(record: Any) -> Document | None:
    """The invariant: a Document, or a ValidationError whose every error is a documented rule,
    names where it is, and prints in any encoding."""
    start = time.perf_counter()
    try:
        document = validate(record)
    except ValidationError as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.rule in DOCUMENTED, error
            assert isinstance(error.path, str) and error.message
            json.dumps(error.as_json(), ensure_ascii=False).encode("utf-8")
            error.describe("ru").encode("utf-8")
        document = None
    else:
        assert isinstance(document, Document)
    assert time.perf_counter() - start < HANG
    return document


@PROFILE
@given(mutated())
def test_a_mutated_record_from_python_is_a_document_or_a_validation_error(record):
    _judge(record)


@PROFILE
@given(mutated())
def test_a_mutated_record_as_json_text_is_a_document_a_validation_error_or_no_record(record):
    try:
        text = json.dumps(record, default=str, ensure_ascii=True)
    except (ValueError, RecursionError):  # not JSON-expressible (NaN keys, huge ints)
        return
    try:
        parsed = parse_record(text)
    except RecordFileError:
        return
    _judge(parsed)


PRINTABLE = st.text(
    st.sampled_from("АӘБҒДЕЖЗИҚЛМНҢОӨПРСТУҰҮФХҺЧШЫІЭЮЯаәбғқңөұүһіxyzXYZ0123456789 .,-«»№()/"),
    min_size=1,
    max_size=300,
).filter(str.strip)
PLAUSIBLE = st.one_of(
    PRINTABLE,
    st.builds(lambda kk, ru: {"kk": kk, "ru": ru}, PRINTABLE, PRINTABLE),
    st.decimals(0, 10**9, places=2).map(str),
    st.dates(date(1991, 1, 1), date(2100, 12, 31)).map(date.isoformat),
)


@settings(PROFILE, max_examples=RENDERS)
@given(mutated(PLAUSIBLE))
def test_every_valid_mutated_record_renders_in_every_format_and_language(record):
    document = _judge(record)
    if document is None:
        return
    for format in FORMATS:
        for lang in ("kk", "ru"):
            assert render(document, lang=lang, format=format)
