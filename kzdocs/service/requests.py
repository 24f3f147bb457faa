"""Reading what a request asks: its query parameters, its body within the size limit, its JSON.
Every refusal is a `ServiceError` with the status the API documents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from kzdocs.errors import RecordFileError, ServiceError
from kzdocs.records import parse_record

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_NOT_STEM = re.compile(r"[^A-Za-z0-9._-]+")
JSON_TYPES = ("application/json",)
SIGNED_TYPES = ("application/pdf", "application/xml", "text/xml", "application/octet-stream")


def check_parameters(request: Request, allowed: Sequence[str]) -> None:
    """400 for a query parameter the route does not take, or one given twice."""
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        takes = ", ".join(allowed) or "none"
        raise ServiceError(
            400,
            "unknown_parameter",
            f"unknown parameter {', '.join(unknown)}; this route takes {takes}",
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ServiceError(400, "repeated_parameter", f"parameter {', '.join(twice)} given twice")


def choices(name: str, text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    """`kk,ru` → ('kk', 'ru'); 400 naming every unknown value."""
    values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    wrong = [v for v in values if v not in allowed]
    if wrong or not values:
        shown = ", ".join(repr(v) for v in wrong) if wrong else "nothing"
        raise ServiceError(
            400, "unknown_value", f"{name}: unknown value {shown}; known: {', '.join(allowed)}"
        )
    return values


def flag(name: str, text: str) -> bool:
    if text not in ("true", "false"):
        raise ServiceError(400, "unknown_value", f"{name}: must be true or false, got {text!r}")
    return text == "true"


def stem(text: str | None, record: dict[str, Any]) -> str:
    """The file name documents get (without extension): `name` if given, else kind-number."""
    if text is not None:
        if not _STEM.fullmatch(text):
            raise ServiceError(
                400, "unknown_value", f"name: must be 1-100 of A-Z a-z 0-9 . _ -, got {text!r}"
            )
        return text
    parts = [str(record.get(key, "")) for key in ("kind", "number")]
    return _NOT_STEM.sub("-", "-".join(p for p in parts if p)).strip("-.")[:100] or "document"


def check_type(request: Request, allowed: Sequence[str]) -> None:
    """415 for a body that is not of a type the route reads."""
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given not in allowed and not (tuple(allowed) == JSON_TYPES and given.endswith("+json")):
        raise ServiceError(
            415,
            "unsupported_media_type",
            f"Content-Type must be {' or '.join(allowed)}, got {given or 'none'!r}",
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ServiceError:
    return ServiceError(413, "body_too_large", f"the body must be at most {limit} bytes")


async def read_record(request: Request, limit: int) -> dict[str, Any]:
    """The JSON object in the body; 415 for another type, 400 with the parser's message."""
    check_type(request, JSON_TYPES)
    body = await read_body(request, limit)
    try:
        return parse_record(body, "the body")
    except RecordFileError as exc:
        raise ServiceError(400, "bad_json", str(exc)) from None
