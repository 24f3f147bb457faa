"""The OpenAPI document (generated from the routes and models, with every kind's record schema)
and the API docs page drawn from it on the server: no script, no CDN, works offline."""

from __future__ import annotations

import html
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kzdocs.forms import KINDS
from kzdocs.schema import json_schema

SUMMARY = "Kazakh and Russian trade documents of Order No. 51-НҚ, rendered from JSON records."
DESCRIPTION = (
    "Records go in as JSON (the schema of each kind is below and at `/v1/schema/{kind}`); "
    "documents come out as HTML, XML, PDF/A-3 or DOCX, drafts or signed with the server's key. "
    'Every error is JSON `{"error", "message"}`. With a token, every route but `/healthz` '
    "and `/readyz` needs `Authorization: Bearer …`."
)
_BINARY = {"type": "string", "format": "binary"}
_TEXT = {"type": "string"}
DOCUMENTS = {
    "description": "the document, or a ZIP of every document asked (several lang or format)",
    "headers": {
        "Content-Disposition": {"description": "the CLI's file name", "schema": _TEXT},
        "ETag": {"description": "SHA-256 of the bytes", "schema": _TEXT},
        "X-Request-Id": {"description": "the request's id, given or made", "schema": _TEXT},
    },
    "content": {
        media: {"schema": _TEXT if media.startswith("text/") else _BINARY}
        for media in (
            "text/html",
            "application/xml",
            "application/pdf",
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    },
}
SCHEMA = {
    "description": "a JSON Schema (draft 2020-12)",
    "content": {"application/schema+json": {"schema": {"type": "object"}}},
}
EXTRACTED = {
    "description": "the embedded (signed) XML as it is, or the record as JSON",
    "content": {
        "application/xml": {"schema": _TEXT},
        "application/json": {"schema": {"type": "object"}},
    },
}
METRICS = {
    "description": "Prometheus text format",
    "content": {"text/plain": {"schema": _TEXT}},
}


def record_body() -> dict[str, Any]:
    """The request body of a route that reads a record: one of the kinds, told by `kind`."""
    refs = {kind: f"#/components/schemas/{kind}" for kind in KINDS}
    schema = {
        "oneOf": [{"$ref": ref} for ref in refs.values()],
        "discriminator": {"propertyName": "kind", "mapping": refs},
    }
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def signed_body() -> dict[str, Any]:
    content = {media: {"schema": _BINARY} for media in ("application/pdf", "application/xml")}
    return {"requestBody": {"required": True, "content": content}}


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, made once: routes and models, plus every kind's record schema."""
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=DESCRIPTION,
            routes=app.routes,
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for kind in KINDS:
            schemas.update(kind_schemas(kind))
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = doc
    return app.openapi_schema


def kind_schemas(kind: str) -> dict[str, Any]:
    """A kind's JSON Schema as OpenAPI components: `kind` and `kind.Definition`."""
    schema = json_schema(kind)
    schema.pop("$schema", None)
    definitions = schema.pop("$defs", {})
    found = {kind: schema, **{f"{kind}.{name}": value for name, value in definitions.items()}}
    return {name: _relinked(value, kind) for name, value in found.items()}


def _relinked(value: Any, kind: str) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                f"#/components/schemas/{kind}.{item.removeprefix('#/$defs/')}"
                if key == "$ref" and isinstance(item, str) and item.startswith("#/$defs/")
                else _relinked(item, kind)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_relinked(item, kind) for item in value]
    return value


# -- the docs page ------------------------------------------------------------------------------


def docs_page(doc: dict[str, Any]) -> str:
    """Every route with its parameters, bodies and answers, and every kind's schema."""
    style = files("kzdocs.service").joinpath("static/docs.css").read_text("utf-8")
    info = doc["info"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(info['title'])} API {_e(info['version'])}</title>",
        f"<style>{style}</style></head>",
        f"<body><h1>{_e(info['title'])} API <small>{_e(info['version'])}</small></h1>",
        f"<p>{_e(info.get('summary', ''))}</p><p>{_e(info.get('description', ''))}</p>",
        "<p>The machine-readable description: <a href='/openapi.json'>/openapi.json</a>.</p>",
    ]
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            parts.append(_operation(method, path, operation))
    parts.append("<h2 id='kinds'>Record kinds</h2><ul>")
    parts += [f"<li><a href='/v1/schema/{_e(k)}'><code>{_e(k)}</code></a></li>" for k in KINDS]
    parts.append("</ul></body></html>")
    return "".join(parts)


def _operation(method: str, path: str, operation: dict[str, Any]) -> str:
    parts = [
        f"<section><h2><span class='method'>{_e(method.upper())}</span>",
        f" <code>{_e(path)}</code></h2>",
        f"<p>{_e(operation.get('summary', ''))}</p>",
    ]
    parameters = operation.get("parameters", [])
    if parameters:
        parts.append("<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>")
        for p in parameters:
            meaning = p.get("description", "") or p.get("schema", {}).get("description", "")
            parts.append(
                f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td><td>{_e(meaning)}</td></tr>"
            )
        parts.append("</table>")
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        parts.append(f"<p>Body: {', '.join(f'<code>{_e(m)}</code>' for m in body)}</p>")
    parts.append("<ul class='answers'>")
    for status, answer in operation.get("responses", {}).items():
        parts.append(f"<li><b>{_e(status)}</b> {_e(answer.get('description', ''))}</li>")
    parts.append("</ul></section>")
    return "".join(parts)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
