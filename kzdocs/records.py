"""Reading record files: strict JSON objects, decimals kept exact."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from kzdocs.errors import RecordFileError

MAX_RECORD_BYTES = 1_000_000  # a record is a few kilobytes; anything huge is a mistake or an attack


def load_record(path: str | Path) -> dict[str, Any]:
    """The record in a JSON file, or `RecordFileError` saying why it cannot be one."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_RECORD_BYTES + 1)
    except FileNotFoundError:
        raise RecordFileError(str(path), "no such file") from None
    except IsADirectoryError:
        raise RecordFileError(str(path), "is a folder, not a record file") from None
    except OSError as exc:
        raise RecordFileError(str(path), f"cannot be read: {exc.strerror}") from None
    return _parse_limited(data, str(path))


def read_record(file: BinaryIO, source: str) -> dict[str, Any]:
    """The record in an open binary stream (standard input, say), at most MAX_RECORD_BYTES."""
    return _parse_limited(file.read(MAX_RECORD_BYTES + 1), source)


def _parse_limited(data: bytes, source: str) -> dict[str, Any]:
    if len(data) > MAX_RECORD_BYTES:
        raise RecordFileError(source, f"is larger than {MAX_RECORD_BYTES} bytes")
    return parse_record(data, source)


def parse_record(data: bytes | str, source: str = "<record>") -> dict[str, Any]:
    """A record from JSON text; numbers stay exact decimals, duplicate keys and NaN are refused."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        record = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except UnicodeDecodeError:
        raise RecordFileError(source, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RecordFileError(
            source, f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise RecordFileError(source, f"is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise RecordFileError(source, f"must hold a JSON object, not {type(record).__name__}")
    return record


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a document can hold")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result
