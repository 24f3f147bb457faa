"""The preview's web server: the shipped page and its script, a small JSON API and a stream of
server-sent events, on 127.0.0.1 only. Standard-library threads: one lawyer, a few requests."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from kzdocs.errors import KzdocsError, PreviewRequestError
from kzdocs.fonts import FACES
from kzdocs.preview.session import Preview

HOST = "127.0.0.1"
STATIC = {"/": "index.html", "/app.js": "app.js", "/app.css": "app.css"}
FONTS = {f"/fonts/{name}": name for name, _weight, _style in FACES}
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
MAX_BODY = 2_000_000
KEEPALIVE = 10.0  # seconds between comments on an idle event stream
# Nothing of the page comes from elsewhere, and no other site's page may frame it.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class PreviewServer(ThreadingHTTPServer):
    """An HTTP server bound to 127.0.0.1 serving one `Preview`."""

    daemon_threads = True

    def __init__(self, preview: Preview, port: int = 0):
        self.preview = preview
        self.closing = threading.Event()
        super().__init__((HOST, port), PreviewHandler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def serve(self) -> None:
        """Watch and serve until `close()` (or Ctrl+C)."""
        self.preview.start()
        try:
            self.serve_forever(poll_interval=0.2)
        finally:
            self.preview.stop()

    def close(self) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "kzdocs-preview"
    GET: ClassVar = {"/api/state": "state", "/api/record": "record", "/api/problems": "problems"}
    POST: ClassVar = {"/api/render": "render", "/api/approve": "approve", "/api/save": "save"}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self._trusted_host():
            return
        if url.path in STATIC:
            self._static(STATIC[url.path])
        elif url.path in FONTS:
            self._font(FONTS[url.path])
        elif url.path == "/fonts.css":
            self._send(fonts_css(), "text/css; charset=utf-8", cache=True)
        elif url.path == "/api/events":
            self._events()
        elif url.path in self.GET:
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            self._answer(self.GET[url.path], query)
        else:
            self._json({"error": f"no page {url.path}"}, HTTPStatus.NOT_FOUND)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not self._trusted_host() or not self._same_origin():
            return
        if url.path not in self.POST:
            self._json({"error": f"no action {url.path}"}, HTTPStatus.NOT_FOUND)
            return
        body = self._body()
        if body is not None:
            self._answer(self.POST[url.path], body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows the address and the errors, not every request

    # -- requests ----------------------------------------------------------------------------

    def _trusted_host(self) -> bool:
        """Only our own address: another site's page cannot reach us through a DNS name."""
        port = self.server.server_address[1]
        if self.headers.get("Host") in (f"{HOST}:{port}", f"localhost:{port}"):
            return True
        self._json({"error": "unknown Host"}, HTTPStatus.MISDIRECTED_REQUEST)
        return False

    def _same_origin(self) -> bool:
        """Actions come from our page: JSON (which a form of another site cannot send) and no
        foreign Origin."""
        origin = self.headers.get("Origin")
        port = self.server.server_address[1]
        json_body = self.headers.get_content_type() == "application/json"
        if json_body and origin in (None, f"http://{HOST}:{port}", f"http://localhost:{port}"):
            return True
        self._json({"error": "actions are taken from the preview page only"}, HTTPStatus.FORBIDDEN)
        return False

    def _body(self) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._json({"error": f"a request body is 0-{MAX_BODY} bytes"}, HTTPStatus.BAD_REQUEST)
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._json({"error": "the body must be a JSON object"}, HTTPStatus.BAD_REQUEST)
            return None
        return body

    def _answer(self, method: str, body: dict[str, Any]) -> None:
        try:
            result = getattr(self.server.preview, method)(body)
        except PreviewRequestError as exc:
            self._json({"error": str(exc)}, exc.status)
        except KzdocsError as exc:
            self._json({"error": str(exc)}, HTTPStatus.UNPROCESSABLE_ENTITY)
        except Exception as exc:  # the server outlives any one request
            self._json({"error": f"{type(exc).__name__}: {exc}"}, HTTPStatus.INTERNAL_SERVER_ERROR)
        else:
            self._json(result)

    # -- responses ---------------------------------------------------------------------------

    def _static(self, name: str) -> None:
        data = files("kzdocs.preview.static").joinpath(name).read_bytes()
        suffix = name[name.rfind(".") :]
        self._send(data, f"{TYPES[suffix]}; charset=utf-8")

    def _font(self, name: str) -> None:
        self._send(files("kzdocs.fonts").joinpath(name).read_bytes(), "font/ttf", cache=True)

    def _json(self, data: Any, status: int = HTTPStatus.OK) -> None:
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        self._send(body, "application/json; charset=utf-8", status)

    def _send(
        self, body: bytes, content_type: str, status: int = HTTPStatus.OK, cache: bool = False
    ) -> None:
        try:
            self.send_response(status)
            self._headers(content_type, cache)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away

    def _headers(self, content_type: str, cache: bool = False) -> None:
        self.send_header("Content-Type", content_type)
        # The fonts never change while the server runs; the page and its data always may.
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")

    def _events(self) -> None:
        """Server-sent events: `{"generation": n, "topics": […]}` after every change."""
        hub, closing = self.server.preview.hub, self.server.closing
        try:
            self.send_response(HTTPStatus.OK)
            self._headers("text/event-stream")
            self.end_headers()
            seen = hub.generation
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not closing.is_set():
                generation, topics = hub.wait(seen, KEEPALIVE)
                if generation == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    data = json.dumps({"generation": generation, "topics": sorted(topics)})
                    self.wfile.write(f"data: {data}\n\n".encode())
                    seen = generation
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def fonts_css() -> bytes:
    """@font-face rules for the shipped fonts: the HTML view prints with the PDF's fonts."""
    rules = [
        f'@font-face {{ font-family: "Liberation Serif"; src: url("/fonts/{name}") '
        f'format("truetype"); font-weight: {weight}; font-style: {style}; }}'
        for name, weight, style in FACES
    ]
    return "\n".join(rules).encode("utf-8")
