"""The ASGI application: API version 1 over the worker pool, with its bounds, the bearer token,
request ids, metrics and one log line per request."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kzdocs import __version__
from kzdocs.errors import ServiceError, ValidationError
from kzdocs.forms import KINDS, LANGS
from kzdocs.pairs import AS_CHOICES, document_as
from kzdocs.render import FORMATS
from kzdocs.schema import json_schema
from kzdocs.service import openapi
from kzdocs.service.metrics import CONTENT_TYPE, Metrics
from kzdocs.service.middleware import EveryRequest
from kzdocs.service.models import (
    ErrorBody,
    HealthBody,
    InvalidRecordBody,
    KindsBody,
    ReadyBody,
    ValidBody,
    VerifyBody,
)
from kzdocs.service.pool import WorkerPool
from kzdocs.service.problems import HANDLERS, documented, error_response
from kzdocs.service.requests import (
    SIGNED_TYPES,
    check_parameters,
    check_type,
    choices,
    flag,
    read_body,
    read_record,
    stem,
)
from kzdocs.service.settings import ServiceSettings
from kzdocs.service.worker import ExtractTask, RenderTask, Setup, VerifyTask

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "xml": "application/xml",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The kzdocs service as an ASGI application; its workers start with the app's lifespan."""
    settings = settings or ServiceSettings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup = Setup(settings.config, settings.signer)
        pool = WorkerPool(
            setup,
            settings.workers,
            settings.queue,
            settings.timeout,
            settings.start_timeout,
            metrics,
            settings.max_renders,
        )
        app.state.pool = pool
        try:
            await pool.start()
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="kzdocs",
        version=__version__,
        summary=openapi.SUMMARY,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings, app.state.metrics = settings, metrics
    app.add_middleware(EveryRequest)
    for error, handler in HANDLERS.items():
        app.add_exception_handler(error, handler)
    _routes(app)
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    return app


# -- the routes ---------------------------------------------------------------------------------

Lang = Annotated[str, Query(description="kk, ru or kk,ru", examples=["kk"])]
Format = Annotated[
    str, Query(description="html, xml, pdf, docx, comma-separated", examples=["pdf"])
]
Sign = Annotated[str, Query(description="true: sign with the server's key", examples=["false"])]
AsRecord = Annotated[str, Query(description="true: the record as JSON instead of the XML")]
Name = Annotated[
    str | None,
    Query(description="file name without extension (default: KIND-NUMBER)", examples=["wheat"]),
]
As = Annotated[
    str | None,
    Query(
        alias="as",
        description="application: a licence or permit as its applicant's application or draft",
        examples=["application"],
    ),
]


def _routes(app: FastAPI) -> None:
    invalid = {"model": InvalidRecordBody, "description": "the record broke rules"}
    conflict = {
        "model": ErrorBody,
        "description": "sign=true on a server without a signer; a draft where every one is signed; "
        "an applicant's form signed with a key that is not the applicant's",
    }

    @app.post(
        "/v1/render",
        summary="Render a record as a document, or a ZIP of several",
        response_class=Response,
        openapi_extra=openapi.record_body(),
        responses={
            200: openapi.DOCUMENTS,
            **documented(400, 401, 413, 415, 429, 503, 504, _409=conflict, _422=invalid),
        },
    )
    async def render(
        request: Request,
        lang: Lang = "kk",
        format: Format = "html",
        sign: Sign = "false",
        name: Name = None,
        as_: As = None,
    ) -> Response:
        settings: ServiceSettings = request.app.state.settings
        check_parameters(request, ("lang", "format", "sign", "name", "as"))
        langs, formats = choices("lang", lang, LANGS), choices("format", format, FORMATS)
        signed = flag("sign", sign)
        rendered_as = _as(as_)
        record = await read_record(request, settings.max_body)
        request.state.kind = _kind(record)
        _check_signing(signed, settings)
        task = RenderTask(record, langs, formats, signed, stem(name, record), rendered_as)
        started = time.monotonic()
        data = await request.app.state.pool.run(task, request.state.timing)
        names = task.names
        shown = names[0][1] if len(names) == 1 else "zip"
        request.app.state.metrics.render_seconds.labels(shown).observe(time.monotonic() - started)
        filename = names[0][0] if len(names) == 1 else f"{task.stem}.zip"
        headers = {
            "Content-Disposition": f'attachment; filename="{filename}"',
            "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
        }
        return Response(data, media_type=MEDIA_TYPES[shown], headers=headers)

    @app.post(
        "/v1/validate",
        summary="Check a record against every rule of its kind",
        openapi_extra=openapi.record_body(),
        response_model=ValidBody,
        responses=documented(400, 401, 413, 415, _422=invalid),
    )
    async def check(request: Request, as_: As = None) -> JSONResponse:
        settings: ServiceSettings = request.app.state.settings
        check_parameters(request, ("as",))
        rendered_as = _as(as_)
        record = await read_record(request, settings.max_body)
        request.state.kind = _kind(record)
        try:
            document = document_as(record, rendered_as, settings.config)
        except ValidationError as exc:
            errors = [error.as_json() for error in exc.errors]
            body = {"error": "invalid_record", "message": f"{len(errors)} error(s) in the record"}
            return JSONResponse({**body, "errors": errors}, 422)
        return JSONResponse({"valid": True, "kind": document.kind})

    @app.get(
        "/v1/kinds",
        summary="The document kinds",
        response_model=KindsBody,
        responses=documented(401),
    )
    async def kinds(request: Request) -> JSONResponse:
        from kzdocs.words import title

        check_parameters(request, ())
        folder = request.app.state.settings.config.templates
        listed = [
            {
                "kind": kind,
                "title_kk": title(kind, "kk", folder),
                "title_ru": title(kind, "ru", folder),
                "schema_url": f"/v1/schema/{kind}",
            }
            for kind in KINDS
        ]
        return JSONResponse({"kinds": listed})

    @app.get(
        "/v1/schema/{kind}",
        summary="The JSON Schema of a kind's record",
        responses={
            200: openapi.SCHEMA,
            **documented(401, _404={"model": ErrorBody, "description": "unknown kind"}),
        },
    )
    async def schema(
        request: Request, kind: Annotated[str, Path(examples=list(KINDS))]
    ) -> JSONResponse:
        check_parameters(request, ())
        if kind not in KINDS:
            raise ServiceError(
                404, "unknown_kind", f"unknown kind {kind!r}; known: {', '.join(KINDS)}"
            )
        return JSONResponse(json_schema(kind), media_type="application/schema+json")

    @app.post(
        "/v1/verify",
        summary="Check the signatures of a signed PDF or XML",
        openapi_extra=openapi.signed_body(),
        response_model=VerifyBody,
        responses=documented(400, 401, 413, 415, 429, 503, 504),
    )
    async def verify(request: Request) -> JSONResponse:
        check_parameters(request, ())
        data = await _signed_body(request)
        verdict = await request.app.state.pool.run(VerifyTask(data), request.state.timing)
        return JSONResponse(verdict)

    @app.post(
        "/v1/extract-xml",
        summary="The record XML embedded in a kzdocs PDF",
        openapi_extra=openapi.signed_body(),
        response_class=Response,
        responses={
            200: openapi.EXTRACTED,
            **documented(
                400,
                401,
                413,
                415,
                429,
                503,
                504,
                _422={"model": ErrorBody, "description": "not a kzdocs PDF"},
            ),
        },
    )
    async def extract_xml(request: Request, record: AsRecord = "false") -> Response:
        check_parameters(request, ("record",))
        as_record = flag("record", record)
        data = await _signed_body(request)
        extracted = await request.app.state.pool.run(
            ExtractTask(data, as_record), request.state.timing
        )
        return Response(
            extracted, media_type="application/json" if as_record else "application/xml"
        )

    @app.get("/healthz", summary="Alive", response_model=HealthBody)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get(
        "/readyz",
        summary="Every worker ready",
        response_model=ReadyBody,
        responses=documented(_503={"model": ErrorBody, "description": "not every worker is ready"}),
    )
    async def readyz(request: Request) -> JSONResponse:
        pool = request.app.state.pool
        if pool.closed or pool.ready < pool.size:
            message = f"{pool.ready} of {pool.size} workers ready"
            return error_response(ServiceError(503, "not_ready", message))
        return JSONResponse({"status": "ready", "workers": pool.size, "ready": pool.ready})

    @app.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: openapi.METRICS, **documented(401)},
    )
    async def metrics(request: Request) -> Response:
        return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE)

    @app.get(
        "/docs",
        summary="This API, as a page",
        response_class=HTMLResponse,
        responses=documented(401),
    )
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(openapi.docs_page(request.app.openapi()))


def _as(text: str | None) -> str | None:
    """What `as` asks the record to be rendered as; 400 for anything else."""
    return None if text is None else choices("as", text, AS_CHOICES)[0]


def _kind(record: dict[str, Any]) -> str | None:
    """The record's kind for the log, when it is one of ours (never free text)."""
    kind = record.get("kind")
    return kind if isinstance(kind, str) and kind in KINDS else None


def _check_signing(signed: bool, settings: ServiceSettings) -> None:
    if signed and settings.signer is None:
        raise ServiceError(
            409, "no_signer", "this server has no signer: ask for sign=false (a draft)"
        )
    if not signed and settings.require_signature:
        raise ServiceError(
            409, "signature_required", "this server issues signed documents only: ask for sign=true"
        )


async def _signed_body(request: Request) -> bytes:
    check_type(request, SIGNED_TYPES)
    return await read_body(request, request.app.state.settings.max_body)
