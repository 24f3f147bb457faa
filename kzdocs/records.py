"""Reading record files: strict JSON objects, decimals kept exact, bounded in size and depth."""

from __future__ import annotations

import json
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from kzdocs.errors import RecordFileError

MAX_RECORD_BYTES = 1_000_000  # a record is a few kilobytes; anything huge is a mistake or an attack
_MAX_INTEGER_CHARS = 40  # longer integers stay Decimal: int() of 10**5000 digits is refused


def load_record(path: str | Path) -> dict[str, Any]:
    """The record in a JSON file, or `RecordFileError` saying why it cannot be one."""
    path = Path(path)
    try:
        _check_regular(os.stat(path).st_mode, path)  # a FIFO without a writer would block open()
        # Non-blocking, and checked again once open: the file may have been swapped meanwhile.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as file:
            _check_regular(os.fstat(fd).st_mode, path)
            data = file.read(MAX_RECORD_BYTES + 1)
    except RecordFileError:
        raise
    except FileNotFoundError:
        raise RecordFileError(str(path), "no such file") from None
    except OSError as exc:
        raise RecordFileError(str(path), f"cannot be read: {exc.strerror}") from None
    return _parse_limited(data, str(path))


def _check_regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise RecordFileError(str(path), "is a folder, not a record file")
    if not stat.S_ISREG(mode):
        what = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise RecordFileError(str(path), f"is {what}, not a regular file")


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
            parse_int=_integer,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except UnicodeDecodeError:
        raise RecordFileError(source, "is not UTF-8 text") from None
    except RecursionError:  # the parser's own guard, raised before the stack runs out
        raise RecordFileError(source, "nests arrays or objects too deeply to be a record") from None
    except json.JSONDecodeError as exc:
        raise RecordFileError(
            source, f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise RecordFileError(source, f"is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise RecordFileError(source, f"must hold a JSON object, not {type(record).__name__}")
    return record


def _integer(text: str) -> int | Decimal:
    # Exact either way; the field's rule refuses a number that long.
    return int(text) if len(text) <= _MAX_INTEGER_CHARS else Decimal(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a document can hold")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result
