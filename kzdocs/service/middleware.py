"""What every request goes through: its id, the bearer token, its metrics, `Server-Timing` and its
one log line. Plain ASGI, not Starlette's BaseHTTPMiddleware: the route runs in the request's own
task, and the answer passes through untouched but for the headers added as it starts."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kzdocs.errors import ServiceError
from kzdocs.service.logs import log_request
from kzdocs.service.problems import error_response, unexpected

OPEN_ROUTES = frozenset({"/healthz", "/readyz"})  # what a load balancer probes without a token
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class EveryRequest:
    """The ASGI middleware around the whole application."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope, receive)
        request_id = request.headers.get("x-request-id", "")
        if not _REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state.update(kind=None, timing={})
        answer = _Answer(send, request_id, state["timing"], started)
        if not _authorised(request):
            refused = error_response(
                ServiceError(401, "unauthorised", "a valid bearer token is needed")
            )
            refused.headers["WWW-Authenticate"] = "Bearer"
            await refused(scope, receive, answer.send)
        else:
            try:
                await self.app(scope, receive, answer.send)
            except Exception as exc:  # a bug of ours: still a JSON answer, a log line, the id
                if answer.status:
                    raise  # the answer has begun: nothing sensible can follow it
                await (await unexpected(request, exc))(scope, receive, answer.send)
        route = getattr(scope.get("route"), "path", "unmatched")
        request.app.state.metrics.requests.labels(route, str(answer.status)).inc()
        log_request(
            request_id=request_id,
            method=scope["method"],
            route=route,
            status=answer.status,
            kind=state.get("kind"),
            duration_ms=round(1000 * (time.perf_counter() - started), 1),
            bytes=answer.bytes,
        )


class _Answer:
    """The `send` the application gets: adds X-Request-Id and Server-Timing to the answer's
    start, and notes its status and how many body bytes left."""

    def __init__(self, send: Send, request_id: str, timing: dict[str, float], started: float):
        self._send, self.request_id, self.timing, self.started = send, request_id, timing, started
        self.status, self.bytes = 0, 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = list(message.get("headers", ()))
            headers += [
                (b"x-request-id", self.request_id.encode()),
                (b"server-timing", self.server_timing().encode()),
            ]
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body":
            self.bytes += len(message.get("body", b""))
        await self._send(message)

    def server_timing(self) -> str:
        """The stages the pool timed (queue wait, the worker's own time, the hand-off to and from
        it), then the application's whole time until the answer starts; milliseconds."""
        stages: dict[str, Any] = {**self.timing, "app": time.perf_counter() - self.started}
        return ", ".join(f"{name};dur={1000 * seconds:.1f}" for name, seconds in stages.items())


def _authorised(request: Request) -> bool:
    token = request.app.state.settings.token
    if token is None or request.url.path in OPEN_ROUTES:
        return True
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    # Constant time: how much of a guess is right must not show in how long the answer takes;
    # digests of equal length, so neither does how long the token is.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        hashlib.sha256(value.strip().encode()).digest(), hashlib.sha256(token.encode()).digest()
    )
