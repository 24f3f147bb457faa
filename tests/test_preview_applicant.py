"""The preview's server for the applicant's forms: their kinds and samples, a licence or permit
shown as its application (`as`), signed with the applicant's own test key."""

from __future__ import annotations

import shutil
import threading

import pytest
from test_preview import ROOT, request

from kzdocs.forms import SIGNED_BY_APPLICANT
from kzdocs.preview import Preview, PreviewServer, Workspace

GOLD = "license-export-gold"  # its applicant is not the session key's: a key is made for it
APPLICANT_KINDS = sorted(SIGNED_BY_APPLICANT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("preview-applicant")
    records = base / "records"
    records.mkdir()
    for name in (GOLD, "refusal-one-ground", "application-import-alcohol"):
        shutil.copy(ROOT / "fixtures" / f"{name}.json", records)
    shutil.copytree(ROOT / "tests" / "golden" / GOLD, base / "golden" / GOLD)
    preview = PreviewServer(Preview(Workspace(records=records, golden=base / "golden")), port=0)
    thread = threading.Thread(target=preview.serve, daemon=True)
    thread.start()
    yield preview
    preview.close()
    thread.join(timeout=10)


def _render(server, **body):
    status, data = request(server, "POST", "/api/render", body)
    assert status == 200, data
    return data


def test_the_applicant_s_kinds_and_their_samples_are_offered(server):
    status, state = request(server, "GET", "/api/state")
    assert status == 200
    assert set(APPLICANT_KINDS) <= set(state["kinds"])
    samples = {r["name"] for r in state["records"] if r["builtin"]}
    assert {f"sample:{kind}" for kind in APPLICANT_KINDS} <= samples
    for kind in APPLICANT_KINDS:
        panes = _render(server, name=f"sample:{kind}", signed=True)["panes"]
        assert panes["kk"]["errors"] == [] and panes["ru"]["errors"] == []
        assert "Өтініш берушінің электрондық цифрлық қолтаңбасы" in panes["kk"]["html"]


def test_a_licence_shown_as_its_application(server):
    licence = _render(server, name=GOLD)["panes"]
    assert licence["kk"]["golden"]["status"] == "same"
    panes = _render(server, name=GOLD, **{"as": "application"})["panes"]
    assert "экспортына лицензия беру туралы өтініш" in panes["kk"]["html"].lower()
    assert "26-0029305" in panes["ru"]["html"]  # field 1: the application's number
    assert panes["kk"]["golden"]["status"] == "none"  # no approved copy of its own


def test_a_licence_s_application_signed_with_a_test_key_of_its_applicant(server):
    panes = _render(server, name=GOLD, signed=True, **{"as": "application"})["panes"]
    assert panes["ru"]["errors"] == [], panes["ru"]["errors"]
    html = panes["ru"]["html"]
    assert "Электронная цифровая подпись заявителя" in html and "051240004566" in html


def test_as_on_a_refusal_is_told_in_the_editor(server):
    data = _render(server, name="refusal-one-ground", **{"as": "application"})
    assert [e["rule"] for e in data["record_errors"]] == ["as_application_kind"]
    assert data["panes"]["kk"]["errors"]


def test_an_unknown_as_is_refused(server):
    status, data = request(server, "POST", "/api/render", {"name": GOLD, "as": "licence"})
    assert status == 400 and "as must be one of application" in data["error"]
