"""Error answers: always JSON `{"error", "message"}`, whatever raised them, and the error
responses each route documents in the OpenAPI document."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kzdocs.errors import ServiceError
from kzdocs.service.logs import json_event
from kzdocs.service.models import ErrorBody

_log = logging.getLogger("kzdocs.service")


def error_response(exc: ServiceError) -> JSONResponse:
    extra = dict(exc.extra)
    retry_after = extra.pop("retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    body = {"error": exc.error, "message": exc.message, **extra}
    return JSONResponse(body, exc.status, headers=headers)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    names = {404: "not_found", 405: "method_not_allowed"}
    error = names.get(exc.status_code, f"http_{exc.status_code}")
    message = (
        f"no route {request.method} {request.url.path}" if exc.status_code == 404 else exc.detail
    )
    return error_response(ServiceError(exc.status_code, error, str(message)))


async def _bad_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'bad request')}"
    return error_response(ServiceError(400, "bad_request", message))


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.error(json_event("unexpected_error", route=request.url.path, error=type(exc).__name__))
    return error_response(ServiceError(500, "internal_error", f"unexpected {type(exc).__name__}"))


HANDLERS: dict[Any, Any] = {
    ServiceError: _service_error,
    HTTPException: _http_error,
    RequestValidationError: _bad_request,
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        400: "unknown parameter or value, or a body that is not JSON",
        401: "no valid bearer token (when the service has one)",
        413: "body over the size limit",
        415: "body of another Content-Type",
        429: "every worker busy and the queue full: retry after Retry-After seconds",
        503: "a worker died or none was free in time: retry",
        504: "the render took longer than the timeout",
    }.items()
}


def documented(*statuses: int, **more: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    chosen: dict[int | str, dict[str, Any]] = {s: _ERRORS[s] for s in statuses}
    chosen.update({int(status.lstrip("_")): body for status, body in more.items()})
    return chosen
