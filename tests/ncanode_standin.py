"""A stand-in for NCANode v3 on 127.0.0.1: the documented JSON shapes, real signatures made with
kzdocs' local-key code, and knobs for the failures a client must survive (errors, slowness)."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kzdocs.errors import SigningError
from kzdocs.sign.certs import load_key_data
from kzdocs.sign.pades import sign_pdf_pades
from kzdocs.sign.verify import verify_xml
from kzdocs.sign.wsse import wrap_and_sign_wsse
from kzdocs.sign.xmldsig import sign_enveloped


class StandIn(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping past a client's timeout must not block

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = 0.0
        self.requests: list[tuple[str, dict[str, Any]]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up after its timeout: nothing to report


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body))
        if self.server.delay:
            time.sleep(self.server.delay)
        routes = {
            "/xml/sign": _xml_sign,
            "/wsse/sign": _wsse_sign,
            "/pdf/sign": _pdf_sign,
            "/xml/verify": _verify,
        }
        route = routes.get(self.path)
        if route is None:
            return self._send(404, {"status": 404, "message": "Not Found"})
        try:
            answer = route(body)
        except SigningError as exc:
            return self._send(400, {"status": 400, "message": "Bad Request", "details": str(exc)})
        self._send(200, {"status": 200, "message": "OK", **answer})

    def _send(self, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _material(signer: dict[str, Any]):
    return load_key_data(base64.b64decode(signer["key"]), signer["password"], source="request")


def _xml_sign(body: dict[str, Any]) -> dict[str, Any]:
    material = _material(body["signers"][0])
    signed = sign_enveloped(body["xml"].encode("utf-8"), material, None)
    return {"xml": signed.decode("utf-8")}


def _wsse_sign(body: dict[str, Any]) -> dict[str, Any]:
    signed = wrap_and_sign_wsse(body["xml"].encode("utf-8"), _material(body), None)
    return {"xml": signed.decode("utf-8")}


def _pdf_sign(body: dict[str, Any]) -> dict[str, Any]:
    material = _material(body["signers"][0]["signer"])
    signed = sign_pdf_pades(base64.b64decode(body["pdf"]), material, None)
    return {"pdf": base64.b64encode(signed).decode("ascii")}


def _verify(body: dict[str, Any]) -> dict[str, Any]:
    return {"valid": verify_xml(body["xml"].encode("utf-8")).valid, "signers": []}


def start() -> StandIn:
    server = StandIn()
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


def stop(server: StandIn) -> None:
    server.shutdown()
    server.server_close()
