"""The preview's server without a browser: what the page's requests get, how files are saved,
how failures are told, what counts as a change. The browser tests show the page itself."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from template_copies import copy_templates, edit

from kzdocs.cli import main
from kzdocs.preview import Preview, PreviewServer, Workspace
from kzdocs.preview.changes import word_diff
from kzdocs.preview.watch import Hub

ROOT = Path(__file__).resolve().parent.parent
WHEAT = "license-export-wheat"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("preview")
    records = base / "records"
    records.mkdir()
    shutil.copy(ROOT / "fixtures" / f"{WHEAT}.json", records)
    (records / "broken.json").write_text("{", encoding="utf-8")
    shutil.copytree(ROOT / "tests" / "golden" / WHEAT, base / "golden" / WHEAT)
    workspace = Workspace(templates=copy_templates(base), records=records, golden=base / "golden")
    preview = PreviewServer(Preview(workspace), port=0)
    thread = threading.Thread(target=preview.serve, daemon=True)
    thread.start()
    yield preview
    preview.close()
    thread.join(timeout=10)


def request(server, method: str, path: str, body: object = None, **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    data = None if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **headers} if data is not None else headers
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, json.loads(payload) if kind.startswith("application/json") else payload


def render(server, **body):
    status, data = request(server, "POST", "/api/render", {"name": WHEAT, **body})
    assert status == 200, data
    return data


def test_the_page_and_its_script_are_shipped_and_fetch_nothing_from_elsewhere(server):
    status, page = request(server, "GET", "/")
    assert status == 200 and b'<script src="/app.js"' in page
    for path in ("/app.js", "/app.css", "/fonts.css"):
        status, body = request(server, "GET", path)
        assert status == 200 and b"http://" not in body and b"https://" not in body
    status, font = request(server, "GET", "/fonts/LiberationSerif-Bold.ttf")
    assert status == 200 and font[:4] == b"\x00\x01\x00\x00"


def test_both_languages_of_a_record_and_how_they_compare_with_the_golden_files(server):
    panes = render(server)["panes"]
    assert "ЭКСПОРТЫНА ЛИЦЕНЗИЯ" in panes["kk"]["html"]
    assert "ЛИЦЕНЗИЯ НА ЭКСПОРТ" in panes["ru"]["html"]
    assert panes["kk"]["golden"]["status"] == "same"
    pages = render(server, view="pages")["panes"]["ru"]["pages"]
    assert (
        pages[0]["src"].startswith("data:image/png;base64,") and "НЕ ПОДПИСАН" in pages[0]["text"]
    )


def test_an_invalid_record_in_the_editor_names_the_field_in_each_language(server):
    text = (ROOT / "fixtures" / f"{WHEAT}.json").read_text(encoding="utf-8")
    data = render(server, text=text.replace('"CN"', '"XX"', 1))
    kk, ru = (data["panes"][lang]["errors"][0] for lang in ("kk", "ru"))
    assert kk["title"].startswith("7. ") and ru["title"] == "7. Страна назначения"
    assert kk["field"] == 7 and "'XX'" in kk["message"] and kk["message"] != ru["message"]
    assert data["record_errors"][0]["path"] == "route_country"
    broken = render(server, text='{\n  "kind": ')
    assert "line 2" in broken["record_errors"][0]["message"]


def test_a_record_file_that_is_not_json_is_told_not_fatal(server):
    status, data = request(server, "POST", "/api/render", {"name": "broken"})
    assert status == 200
    assert data["panes"]["kk"]["errors"][0]["title"] == "The record cannot be read"


def test_requests_from_other_sites_are_refused(server):
    port = server.server_address[1]
    assert request(server, "GET", "/api/state", Host="evil.example")[0] == 421
    status, _ = request(
        server, "POST", "/api/approve", {"name": WHEAT}, Origin="http://evil.example"
    )
    assert status == 403
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/save", body=b"name=x", headers={"Content-Type": "text/plain"})
    assert connection.getresponse().status == 403


@settings(max_examples=40, deadline=None)
@given(name=st.text(max_size=30))
def test_save_as_writes_only_safe_names_inside_the_records_folder(server, name):
    records = server.preview.workspace.records
    before = set(records.parent.rglob("*"))
    status, data = request(server, "POST", "/api/save", {"name": name, "text": "{}"})
    created = set(records.parent.rglob("*")) - before
    if status == 200:
        assert created == {records / f"{name}.json"}
        (records / f"{name}.json").unlink()
    else:
        assert status in (400, 409) and not created and data["error"]


def test_save_as_keeps_work_in_progress_and_says_how_many_rules_it_breaks(server):
    records = server.preview.workspace.records
    status, data = request(
        server, "POST", "/api/save", {"name": "draft", "text": '{"kind": "refusal"}'}
    )
    assert (
        status == 200
        and data["errors"] >= 1
        and data["file"] == str(records.resolve() / "draft.json")
    )
    (records / "draft.json").unlink()


def test_save_refuses_text_that_is_not_a_record_and_asks_before_replacing(server):
    status, data = request(server, "POST", "/api/save", {"name": "x", "text": "[1]"})
    assert status == 422 and "JSON object" in data["error"]
    status, data = request(server, "POST", "/api/save", {"name": WHEAT, "text": "{}"})
    assert status == 409 and "exists already" in data["error"]


def test_a_template_change_is_published_as_a_change_of_templates(server):
    hub = server.preview.hub
    seen, topics = hub.generation, frozenset()
    edit(server.preview.workspace.templates / "kk" / "words.html", "draft_mark", "draft_mark")
    for _ in range(20):  # the templates check may publish its own news in between
        seen, news = hub.wait(seen, timeout=0.5)
        topics |= news
        if "templates" in topics:
            break
    assert "templates" in topics


def test_the_hub_gathers_every_topic_a_page_missed():
    hub = Hub()
    hub.publish({"templates"})
    hub.publish({"records"})
    assert hub.wait(0, timeout=0) == (2, frozenset({"templates", "records"}))
    assert hub.wait(2, timeout=0.01) == (2, frozenset())


def test_word_diff_marks_removed_and_added_words(tmp_path):
    golden = tmp_path / "kk.html"
    golden.write_bytes("<p>Сатып алушы</p><p>Межелі ел</p>".encode())
    ops = word_diff(golden, "<p>Сатып алушы серіктес</p><p>ел</p>".encode())
    assert ["ins", "серіктес"] in ops and ["del", "Межелі"] in ops
    assert ["same", "Сатып алушы"] in ops


def test_the_command_refuses_a_missing_folder_and_a_busy_port(server, capsys):
    assert main(["preview", "--templates", "no-such-folder"]) == 1
    assert "--templates: 'no-such-folder' is not a folder" in capsys.readouterr().err
    assert main(["preview", "--port", str(server.server_address[1])]) == 1
    assert "choose another port with --port" in capsys.readouterr().err


@settings(max_examples=30, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.dictionaries(st.sampled_from(["kind", "number", "goods", "value", "x"]),
                        st.one_of(st.text(max_size=20), st.integers(), st.none()), max_size=4)
        .map(json.dumps),
    )
)  # fmt: skip
def test_whatever_is_typed_in_the_editor_the_server_answers_with_messages(server, text):
    status, data = request(server, "POST", "/api/render", {"name": WHEAT, "text": text})
    assert status == 200
    for lang in ("kk", "ru"):
        assert data["panes"][lang]["errors"], "an unfinished record is never a document"
        assert all(m["title"] != "Unexpected error" for m in data["panes"][lang]["errors"])


def test_saving_the_configuration_re_renders_and_a_broken_one_is_shown(tmp_path):
    config = tmp_path / "kzdocs.json"
    committee = {"kk": "ТЕКСЕРУ КОМИТЕТІ", "ru": "КОМИТЕТ ПРОВЕРКИ"}
    config.write_text("{}", encoding="utf-8")
    preview = Preview(Workspace(records=ROOT / "fixtures", config_file=config))
    preview.start()
    try:
        seen = preview.hub.generation
        config.write_text(json.dumps({"issuer": {"committee": committee}}), encoding="utf-8")
        for _ in range(40):  # bounded: 20 s at most
            seen, topics = preview.hub.wait(seen, timeout=0.5)
            if "config" in topics:
                break
        assert "config" in topics
        panes = preview.render({"name": WHEAT})["panes"]
        assert committee["ru"] in panes["ru"]["html"]
        config.write_text("{", encoding="utf-8")
        failed = preview.render({"name": WHEAT})["panes"]["kk"]
        assert failed["errors"][0]["title"] == "The configuration cannot be used"
        assert failed["stale"] and committee["kk"] in failed["html"]
    finally:
        preview.stop()
