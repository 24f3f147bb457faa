"""`kzdocs serve` over real HTTP: every route, every error status, signed and unsigned output
equal to the CLI's, the bounds (429, 504 after a stuck signer, 503 after a killed worker)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_openapi
from service_helpers import FIXTURES, ROOT, processes_running, start_server

from kzdocs import KINDS, json_schema
from kzdocs.cli import main

WHEAT = FIXTURES / "license-export-wheat.json"
KEY = FIXTURES / "sign" / "dev-rsa.p12"
SIGNED_AT = "2026-03-02T10:00:00+05:00"
TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SLEEPER = f"{sys.executable} {ROOT / 'tests' / 'sign_command_script.py'} sleep"
SLEEPING = "sign_command_script.py sleep"
INVALID = ["date_range", "all-at-once", "contract_required"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Three servers, started together: signing with a token; signing stuck; no signer."""
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text(TOKEN + "\n")
    started = {
        "signing": start_server(
            "--workers",
            "1",
            "--max-body",
            "200000",
            "--token-file",
            str(token),
            "--sign",
            str(KEY),
            "--signed-at",
            SIGNED_AT,
            env={"KZDOCS_KEY_PASSWORD": "test"},
        ),
        "stuck": start_server(
            "--workers",
            "1",
            "--queue",
            "1",
            "--timeout",
            "2",
            "--require-signature",
            "--signer",
            "command",
            "--signer-option",
            f"command={SLEEPER}",
        ),
        "plain": start_server("--workers", "1"),
    }
    try:
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        codes = {name: server.stop() for name, server in started.items()}
    assert codes == dict.fromkeys(started, 0)  # SIGTERM is a clean exit


@pytest.fixture(scope="module")
def signing(servers):
    return servers["signing"]


@pytest.fixture(scope="module")
def stuck(servers):
    return servers["stuck"]


@pytest.fixture(scope="module")
def plain(servers):
    return servers["plain"]


def _render(server, query: str, record: Path = WHEAT, **kwargs) -> httpx.Response:
    return server.post(f"/v1/render?{query}", record.read_bytes(), **kwargs)


def _cli_render(tmp_path: Path, fmt: str, lang: str, *sign: str) -> bytes:
    out = tmp_path / f"cli.{fmt}"
    assert main(["render", str(WHEAT), "--lang", lang, "--format", fmt, *sign, "-o", str(out)]) == 0
    return out.read_bytes()


# -- documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "lang"), [("pdf", "kk"), ("html", "ru"), ("docx", "ru"), ("xml", "kk")]
)
def test_a_document_is_the_cli_s_bytes_with_its_file_name(plain, tmp_path, fmt, lang):
    answer = _render(plain, f"lang={lang}&format={fmt}&name=license-export-wheat")
    assert answer.status_code == 200, answer.text
    assert answer.content == _cli_render(tmp_path, fmt, lang)
    name = "license-export-wheat.xml" if fmt == "xml" else f"license-export-wheat.{lang}.{fmt}"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert answer.headers["etag"] == f'"{hashlib.sha256(answer.content).hexdigest()}"'
    assert (
        answer.headers["content-type"].split(";")[0]
        in {
            "pdf": "application/pdf",
            "html": "text/html",
            "xml": "application/xml",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }[fmt]
    )


def test_without_a_name_the_file_is_named_by_kind_and_number(plain):
    answer = _render(plain, "format=xml")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="license-export-01KZ260010000123.xml"'
    )


def test_a_signed_pdf_is_the_cli_s_and_verifies(signing, tmp_path, monkeypatch):
    monkeypatch.setenv("KZDOCS_KEY_PASSWORD", "test")
    answer = _render(signing, "lang=ru&format=pdf&sign=true", headers=AUTH)
    assert answer.status_code == 200, answer.text
    cli = _cli_render(tmp_path, "pdf", "ru", "--sign", str(KEY), "--signed-at", SIGNED_AT)
    assert answer.content == cli
    verdict = signing.post("/v1/verify", answer.content, "application/pdf", headers=AUTH).json()
    assert verdict["valid"] is True and verdict["document"] == "pdf"
    assert verdict["kind"] == "pades" and verdict["reasons"] == []
    assert verdict["signed_at"].startswith("2026-03-02T")
    assert verdict["trusted"] is None and verdict["signer"]["sha256_fingerprint"]


def test_an_unsigned_render_on_a_signing_server_is_a_draft(signing):
    answer = _render(signing, "format=xml", headers=AUTH)
    assert answer.status_code == 200 and b"Signature" not in answer.content


def test_a_changed_byte_makes_verify_say_invalid(signing):
    pdf = bytearray(_render(signing, "format=pdf&sign=true", headers=AUTH).content)
    pdf[len(pdf) // 3] ^= 1
    verdict = signing.post("/v1/verify", bytes(pdf), "application/pdf", headers=AUTH).json()
    assert verdict["valid"] is False


def test_signed_xml_verifies(signing):
    xml = _render(signing, "format=xml&sign=true", headers=AUTH).content
    verdict = signing.post("/v1/verify", xml, "application/xml", headers=AUTH).json()
    assert verdict["valid"] is True and verdict["kind"] == "xmldsig"


def test_several_languages_and_formats_are_one_zip_signed_once(signing):
    answer = _render(signing, "lang=kk,ru&format=pdf,xml&sign=true&name=wheat", headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == 'attachment; filename="wheat.zip"'
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.namelist() == ["wheat.kk.pdf", "wheat.ru.pdf", "wheat.xml"]
    single = _render(signing, "lang=ru&format=pdf&sign=true", headers=AUTH).content
    assert archive.read("wheat.ru.pdf") == single
    extracted = signing.post("/v1/extract-xml", single, "application/pdf", headers=AUTH)
    assert extracted.content == archive.read("wheat.xml")  # the XML and PDFs: one signature


def test_extract_xml_gives_the_record_back(signing):
    pdf = _render(signing, "format=pdf", headers=AUTH).content
    answer = signing.post("/v1/extract-xml?record=true", pdf, "application/pdf", headers=AUTH)
    assert answer.status_code == 200
    assert answer.json()["number"] == json.loads(WHEAT.read_text("utf-8"))["number"]
    other = signing.post("/v1/extract-xml", b"%PDF-1.7 nothing", "application/pdf", headers=AUTH)
    assert other.status_code == 422 and other.json()["error"] == "not_a_kzdocs_document"
    from attacks import bomb_pdf  # record.xml inflating to 70 MB: refused unread

    bomb = signing.post("/v1/extract-xml", bomb_pdf(70 << 20), "application/pdf", headers=AUTH)
    assert bomb.status_code == 422 and "over the limit of 1048576 bytes" in bomb.text


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INVALID)
def test_validate_gives_the_errors_of_validate_json(plain, capsys, name):
    record = FIXTURES / "invalid" / f"{name}.json"
    assert main(["validate", str(record), "--json"]) == 1
    expected = json.loads(capsys.readouterr().out)
    answer = plain.post("/v1/validate", record.read_bytes())
    assert answer.status_code == 422
    assert answer.json()["errors"] == expected and answer.json()["error"] == "invalid_record"
    rendered = _render(plain, "format=pdf", record)
    assert rendered.status_code == 422 and rendered.json()["errors"] == expected


def test_a_valid_record_is_valid(plain):
    answer = plain.post("/v1/validate", WHEAT.read_bytes())
    assert answer.json() == {"valid": True, "kind": "license-export"}


def test_kinds_and_their_schemas(plain):
    kinds = plain.get("/v1/kinds").json()["kinds"]
    assert [k["kind"] for k in kinds] == list(KINDS)
    titles = {k["kind"]: k for k in kinds}
    assert titles["refusal"]["title_ru"] == "Мотивированный отказ"
    draft = titles["permit-draft-import"]["title_ru"]
    assert draft == "Проект разрешения на импорт отдельных видов товаров"
    assert all(k["title_kk"] and k["title_ru"] for k in kinds)
    assert all(k["schema_url"] == f"/v1/schema/{k['kind']}" for k in kinds)
    for kind in KINDS:
        assert plain.get(f"/v1/schema/{kind}").json() == json_schema(kind)
    missing = plain.get("/v1/schema/fax")
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_kind"


def test_openapi_is_valid_and_holds_every_kind(plain):
    document = plain.get("/openapi.json").json()
    validate_openapi(document)
    schemas = document["components"]["schemas"]
    assert set(KINDS) <= set(schemas)
    body = document["paths"]["/v1/render"]["post"]["requestBody"]["content"]["application/json"]
    assert {ref["$ref"] for ref in body["schema"]["oneOf"]} == {
        f"#/components/schemas/{kind}" for kind in KINDS
    }
    for path in (
        "/v1/validate",
        "/v1/kinds",
        "/v1/schema/{kind}",
        "/v1/verify",
        "/v1/extract-xml",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in document["paths"]


def test_the_docs_page_lists_every_route_and_loads_nothing_from_outside(plain):
    page = plain.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path in plain.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "http://" not in page.text and "https://" not in page.text and "<script" not in page.text


# -- errors -------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(signing):
    answer = signing.post("/v1/validate", b" " * 200_001, headers=AUTH)
    assert answer.status_code == 413 and answer.json()["error"] == "body_too_large"


def test_a_streamed_body_over_the_limit_is_413_without_a_length(signing):
    def chunks():  # no Content-Length: httpx sends it chunked, the server counts as it reads
        for _ in range(30):
            yield b" " * 10_000

    answer = httpx.post(
        signing.url + "/v1/validate",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413 and answer.json()["error"] == "body_too_large"


def test_a_body_of_another_type_is_415(plain):
    answer = plain.post("/v1/render", WHEAT.read_bytes(), "text/plain")
    assert answer.status_code == 415 and "application/json" in answer.json()["message"]
    assert plain.post("/v1/verify", b"{}", "application/json").status_code == 415


def test_a_body_that_is_not_json_is_400_with_the_parser_s_message(plain):
    answer = plain.post("/v1/validate", b'{"kind": ')
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "bad_json",
        "message": "the body: is not valid JSON: Expecting value (line 1, column 10)",
    }
    assert plain.post("/v1/validate", b"[1]").json()["error"] == "bad_json"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("lang=en", "'en'"),
        ("format=pdf,odt", "'odt'"),
        ("sign=yes", "'yes'"),
        ("key=/etc/passwd", "key"),
        ("name=../x", "'../x'"),
        ("lang=kk&lang=ru", "lang"),
    ],
)
def test_unknown_parameters_and_values_are_400_naming_them(plain, query, named):
    answer = _render(plain, query)
    assert answer.status_code == 400
    assert named in answer.json()["message"]


def test_sign_true_without_a_signer_is_409(plain):
    answer = _render(plain, "format=xml&sign=true")
    assert answer.status_code == 409 and answer.json()["error"] == "no_signer"


def test_a_server_that_requires_signatures_refuses_drafts(stuck):
    answer = _render(stuck, "format=xml")
    assert answer.status_code == 409 and answer.json()["error"] == "signature_required"


def test_every_route_but_the_probes_needs_the_token(signing):
    for path in ("/healthz", "/readyz"):
        assert signing.get(path).status_code == 200
    for path in ("/v1/kinds", "/metrics", "/openapi.json", "/docs", "/v1/schema/refusal"):
        refused = signing.get(path)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["error"] == "unauthorised"
        assert signing.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert signing.get(path, headers=AUTH).status_code == 200
    assert _render(signing, "format=xml").status_code == 401


def test_unknown_routes_and_methods_are_json(plain):
    assert plain.get("/v2/render").json()["error"] == "not_found"
    assert plain.get("/v1/render").json()["error"] == "method_not_allowed"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(str.encode),
        st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4).map(
            lambda d: json.dumps(d).encode()
        ),
    )
)
def test_any_body_gets_a_json_answer_never_a_server_error(plain, body):
    answer = plain.post("/v1/validate", body)
    assert answer.status_code in (200, 400, 422)
    assert {"error", "message"} <= set(answer.json()) or answer.json()["valid"] is True


# -- request ids and the log --------------------------------------------------------------------


def test_request_ids_are_echoed_or_made_and_logged_without_personal_data(signing):
    given_id = "back-office-42"
    answer = _render(signing, "format=html", headers={**AUTH, "X-Request-Id": given_id})
    assert answer.headers["x-request-id"] == given_id
    made = signing.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made != given_id
    time.sleep(0.2)  # the log line is written as the answer leaves
    line = next(line for line in signing.lines if line.get("request_id") == given_id)
    assert line["route"] == "/v1/render" and line["status"] == 200
    assert line["kind"] == "license-export" and line["bytes"] == len(answer.content)
    assert line["duration_ms"] > 0
    record = json.loads(WHEAT.read_text("utf-8"))
    log = json.dumps(signing.lines, ensure_ascii=False)
    for personal in (record["applicant"]["id"], "Астық", "Xinjiang", record["number"]):
        assert personal not in log


def test_server_timing_shows_where_a_render_s_time_went(plain):
    stages = _timing(_render(plain, "format=pdf"))
    assert list(stages) == ["wait", "worker", "handoff", "app"]
    assert all(ms >= 0 for ms in stages.values()) and stages["worker"] > 0
    assert stages["wait"] + stages["worker"] + stages["handoff"] <= stages["app"]
    assert list(_timing(plain.get("/healthz"))) == ["app"]


def _timing(answer: httpx.Response) -> dict[str, float]:
    """`Server-Timing: wait;dur=0.1, worker;dur=70.2, …` as {stage: milliseconds}."""
    stages = {}
    for part in answer.headers["server-timing"].split(","):
        name, _, duration = part.strip().partition(";dur=")
        stages[name] = float(duration)
    return stages


def test_a_bug_in_a_route_is_still_a_json_answer_with_its_request_id():
    import asyncio

    from kzdocs.service import ServiceSettings, create_app

    app = create_app(ServiceSettings(workers=1))  # no lifespan here: no workers are started

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug of ours")

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kzdocs") as client:
            return await client.get("/bug", headers={"X-Request-Id": "bug-1"})

    answer = asyncio.run(ask())
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "bug-1"
    assert answer.json() == {"error": "internal_error", "message": "unexpected RuntimeError"}
    text = app.state.metrics.text().decode()
    assert 'kzdocs_requests_total{route="/bug",status="500"} 1.0' in text


# -- bounds: the queue, a stuck render, a killed worker -----------------------------------------


def test_a_full_queue_is_429_and_a_stuck_render_504_with_its_worker_replaced(stuck):
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(_render, stuck, "format=xml&sign=true")
        _wait_for(lambda: stuck.metric("kzdocs_busy_workers") == 1)
        signer, _ = _wait_for(lambda: _signers_of(stuck))[0]
        second = pool.submit(_render, stuck, "format=xml&sign=true")
        _wait_for(lambda: stuck.metric("kzdocs_queue_depth") == 1)
        third = _render(stuck, "format=xml&sign=true")
        assert third.status_code == 429 and int(third.headers["retry-after"]) >= 1
        assert third.json()["error"] == "busy"
        assert first.result().status_code == 504 and first.result().json()["error"] == "timeout"
        _wait_for(lambda: not _running(signer), 5)  # killed with its worker, not left behind
        assert second.result().status_code in (503, 504)  # waited, then no worker in time
    stuck.wait_ready()
    assert stuck.metric('kzdocs_worker_restarts_total{reason="timeout"}') >= 1
    assert stuck.metric('kzdocs_rejections_total{reason="queue_full"}') >= 1


def _signers_of(server) -> list[tuple[int, int]]:
    """(pid, worker pid) of the signing programs this server's workers run now (other test
    runs on the machine may run the same script)."""
    workers = server.worker_pids()
    return [(pid, parent) for pid, parent in processes_running(SLEEPING) if parent in workers]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_worker_is_503_and_replaced(stuck):
    stuck.wait_ready()
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(_render, stuck, "format=xml&sign=true")
        _, worker = _wait_for(lambda: _signers_of(stuck))[0]
        os.kill(worker, signal.SIGKILL)
        assert answer.result().status_code == 503
        assert answer.result().json()["error"] == "worker_died"
    stuck.wait_ready()
    assert stuck.metric('kzdocs_worker_restarts_total{reason="died"}') == 1
    assert worker not in stuck.worker_pids()


def test_sigterm_finishes_the_request_in_flight_then_exits_0(plain):
    plain.wait_ready()
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(_render, plain, "lang=kk,ru&format=pdf,docx")
        _wait_for(lambda: plain.metric("kzdocs_busy_workers") == 1)
        plain.process.send_signal(signal.SIGTERM)
        assert answer.result().status_code == 200
    assert plain.process.wait(30) == 0


def _wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_create_app_runs_under_a_host_s_own_server_and_leaves_its_logging_alone():
    import logging
    import socket
    import threading

    import uvicorn

    from kzdocs.service import ServiceSettings, create_app

    handlers = {name: list(logging.getLogger(name).handlers) for name in ("", "kzdocs.service")}
    app = create_app(ServiceSettings(workers=1))
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        _wait_for(lambda: _ready(url), 60)
        answer = httpx.post(url + "/v1/validate", content=WHEAT.read_bytes(),
                            headers={"Content-Type": "application/json"})  # fmt: skip
        assert answer.json() == {"valid": True, "kind": "license-export"}
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()
    assert not thread.is_alive()
    assert {n: list(logging.getLogger(n).handlers) for n in handlers} == handlers


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_the_listener_s_connections_send_without_waiting_for_acks():
    """TCP_NODELAY on every accepted connection (asyncio sets it only on sockets that say they
    are TCP): without it each answer on a kept-alive connection waited 40 ms for a delayed ACK."""
    import asyncio
    import socket

    from kzdocs.service.listener import listen

    async def accepted_nodelay(listener: socket.socket) -> int:
        loop = asyncio.get_running_loop()
        made: asyncio.Future[int] = loop.create_future()

        class Accepted(asyncio.Protocol):
            def connection_made(self, transport) -> None:
                sock = transport.get_extra_info("socket")
                made.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await loop.create_server(Accepted, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        try:
            return await asyncio.wait_for(made, 10)
        finally:
            writer.close()
            server.close()

    for host in ("127.0.0.1", "localhost"):
        listener = listen(host, 0)
        assert listener.getsockname()[1] != 0
        assert asyncio.run(accepted_nodelay(listener)) != 0
