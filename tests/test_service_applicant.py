"""`kzdocs serve` over real HTTP for the applicant's forms: kinds and schemas, a licence or
permit rendered as its application (`as=application`), the applicant's key, verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from service_helpers import FIXTURES, start_server

from kzdocs import json_schema
from kzdocs.cli import main
from kzdocs.forms import SIGNED_BY_APPLICANT

KEY = FIXTURES / "sign" / "dev-rsa.p12"  # BIN 150440000013: the wheat applicant's
SIGNED_AT = "2026-03-02T10:00:00+05:00"
WHEAT = FIXTURES / "license-export-wheat.json"
APPLICANT_KINDS = sorted(SIGNED_BY_APPLICANT)


@pytest.fixture(scope="module")
def server():
    started = start_server(
        "--workers",
        "1",
        "--sign",
        str(KEY),
        "--signed-at",
        SIGNED_AT,
        env={"KZDOCS_KEY_PASSWORD": "test"},
    )
    try:
        started.wait_ready()
        yield started
    finally:
        assert started.stop() == 0


def _render(server, query: str, record: Path = WHEAT):
    return server.post(f"/v1/render?{query}", record.read_bytes())


def test_the_applicant_s_kinds_are_listed_with_their_schemas(server):
    kinds = {k["kind"]: k for k in server.get("/v1/kinds").json()["kinds"]}
    for kind in APPLICANT_KINDS:
        assert kinds[kind]["title_kk"] and kinds[kind]["title_ru"]
        assert server.get(kinds[kind]["schema_url"]).json() == json_schema(kind)


@pytest.mark.parametrize("fmt", ["html", "xml"])
def test_a_licence_as_its_application_is_the_cli_s_bytes(server, tmp_path, fmt):
    answer = _render(server, f"format={fmt}&lang=ru&as=application&name=wheat")
    assert answer.status_code == 200, answer.text
    name = f"wheat.application.{'xml' if fmt == 'xml' else 'ru.html'}"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    out = tmp_path / name
    assert (
        main(
            [
                "render",
                str(WHEAT),
                "--as",
                "application",
                "--format",
                fmt,
                "--lang",
                "ru",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert answer.content == out.read_bytes()


def test_an_application_signed_by_the_server_verifies_as_the_applicant_s(server):
    answer = _render(server, "format=pdf&sign=true&as=application")
    assert answer.status_code == 200, answer.text
    verdict = server.post("/v1/verify", answer.content, "application/pdf").json()
    assert verdict["valid"] and verdict["signer"]["bin"] == "150440000013", verdict["reasons"]
    assert any("applicant's own key" in check for check in verdict["checks"])


def test_the_server_s_key_does_not_sign_another_applicant_s_form(server):
    answer = _render(server, "format=xml&sign=true", FIXTURES / "application-export-gold.json")
    assert answer.status_code == 409
    body = answer.json()
    assert body["error"] == "not_the_applicant_s_key" and "applicant_signer" in body["message"]


def test_as_on_a_refusal_or_without_the_application_is_422_naming_the_rule(server, tmp_path):
    refused = _render(server, "as=application", FIXTURES / "refusal-one-ground.json")
    assert refused.status_code == 422
    assert [e["rule"] for e in refused.json()["errors"]] == ["as_application_kind"]
    record = json.loads(WHEAT.read_text("utf-8"))
    del record["application"]
    lacking = server.post("/v1/validate?as=application", json.dumps(record).encode())
    assert lacking.status_code == 422
    (error,) = lacking.json()["errors"]
    assert (error["field"], error["path"], error["rule"]) == (
        1,
        "application",
        "application_required",
    )
    valid = server.post("/v1/validate?as=application", WHEAT.read_bytes())
    assert valid.json() == {"valid": True, "kind": "application-export"}


def test_an_unknown_as_is_400(server):
    answer = _render(server, "as=licence")
    assert answer.status_code == 400 and answer.json()["error"] == "unknown_value"
    assert "as: unknown value 'licence'" in answer.json()["message"]


def test_the_batch_client_asks_for_the_application_too(server, tmp_path):
    out = tmp_path / "out"
    assert (
        main(
            [
                "render",
                str(WHEAT),
                "--server",
                server.url,
                "--as",
                "application",
                "--format",
                "xml,html",
                "-o",
                f"{out}/",
            ]
        )
        == 0
    )
    local = tmp_path / "local"
    assert (
        main(
            ["render", str(WHEAT), "--as", "application", "--format", "xml,html", "-o", f"{local}/"]
        )
        == 0
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "license-export-wheat.application.kk.html",
        "license-export-wheat.application.xml",
    ]
    for name in names:
        assert (out / name).read_bytes() == (local / name).read_bytes()
