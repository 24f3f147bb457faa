"""The command line, run in-process through `main(argv)`."""

import io
import json
import shutil
from pathlib import Path

import pytest

from kzdocs.cli import main
from kzdocs.forms import KINDS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WHEAT = FIXTURES / "license-export-wheat.json"


def _broken_copy(tmp_path: Path, **changes) -> Path:
    record = json.loads(WHEAT.read_text(encoding="utf-8"))
    record.update(changes)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def test_kinds_lists_every_kind_in_a_column(capsys):
    assert main(["kinds"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(KINDS)
    assert "refusal             Дәлелді бас тарту / Мотивированный отказ" in lines
    width = len("permit-draft-export")  # the longest kind: every title starts after it
    assert all(line[width] == " " and line[width + 1] != " " for line in lines)


def test_schema_prints_json_schema_with_form_fields(capsys):
    assert main(["schema", "permit-export"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["authorized_person"]["x-form-field"] == 17
    assert schema["additionalProperties"] is False


def test_schema_of_an_unknown_kind_is_an_error_not_a_traceback(capsys):
    assert main(["schema", "fax"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kzdocs: error: unknown document kind 'fax'") and "Traceback" not in err


def test_validate_a_valid_record(capsys):
    assert main(["validate", str(WHEAT)]) == 0
    assert capsys.readouterr().out.strip().endswith("valid")


def test_validate_json_lists_every_error_with_field_and_rule(tmp_path, capsys):
    path = _broken_copy(tmp_path, currency="RUR", goods={"hs_code": "10019900", "description": "x"})
    assert main(["validate", "--json", str(path)]) == 1
    errors = json.loads(capsys.readouterr().out)
    assert [(e["field"], e["path"], e["rule"]) for e in errors] == [
        (9, "currency", "currency_code"),
        (15, "goods.hs_code", "hs_code_format"),
    ]
    assert errors[1]["message"] == "must be 10 digits, got '10019900'"
    assert set(errors[0]) >= {"field", "path", "rule", "message", "value"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "field 14 (Өлшем бірлігі) unit: must be a code of the EAEU classifier of units, "
               "got '999'"),
        ("kk", "14-баған (Өлшем бірлігі) unit: ЕАЭО өлшем бірліктері сыныптауышының коды болуы "
               "керек, берілгені: '999'"),
        ("ru", "графа 14 (Единица измерения) unit: должно быть кодом классификатора единиц "
               "измерения ЕАЭС, получено: '999'"),
    ],
)  # fmt: skip
def test_validate_prints_the_messages_in_the_language_asked(tmp_path, capsys, lang, expected):
    path = _broken_copy(tmp_path, unit="999")
    assert main(["validate", "--lang", lang, str(path), str(WHEAT)]) == 1
    out = capsys.readouterr().out.splitlines()
    verdicts = {"en": ("1 error(s)", "valid"), "kk": ("қателер саны — 1", "қате жоқ"),
                "ru": ("ошибок — 1", "ошибок нет")}[lang]  # fmt: skip
    assert out == [f"{path}: {verdicts[0]}", f"  - {expected}", f"{WHEAT}: {verdicts[1]}"]


def test_validate_prints_english_by_default_and_json_in_all_three(tmp_path, capsys):
    path = _broken_copy(tmp_path, unit="999")
    assert main(["validate", str(path)]) == 1
    assert "must be a code of the EAEU classifier of units, got '999'" in capsys.readouterr().out
    assert main(["validate", "--json", "--lang", "ru", str(path)]) == 1
    [error] = json.loads(capsys.readouterr().out)
    assert error["message"] == "must be a code of the EAEU classifier of units, got '999'"
    assert error["message_kk"].endswith("болуы керек, берілгені: '999'")
    assert error["message_ru"].endswith("единиц измерения ЕАЭС, получено: '999'")


def test_validate_refuses_a_language_it_has_no_messages_in(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--lang", "de", str(WHEAT)])
    assert caught.value.code == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "is not valid JSON"),
        ('["a list"]', "must hold a JSON object"),
    ],
)
def test_a_file_that_is_no_record_is_an_error_message(tmp_path, capsys, content, message):
    path = tmp_path / "record.json"
    if content is not None:
        path.write_text(content)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unknown_option_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["render", str(WHEAT), "--lang", "en"])
    assert caught.value.code == 2
    assert "must be among kk, ru, got 'en'" in capsys.readouterr().err


def test_render_html_to_stdout(capsysbinary):
    assert main(["render", str(WHEAT), "--lang", "ru"]) == 0
    html = capsysbinary.readouterr().out.decode()
    assert "ЛИЦЕНЗИЯ НА ЭКСПОРТ ОТДЕЛЬНЫХ ВИДОВ ТОВАРОВ" in html


def test_render_xml_to_a_file(tmp_path):
    out = tmp_path / "licence.xml"
    assert main(["render", str(WHEAT), "--format", "xml", "-o", str(out)]) == 0
    assert b"1001990000" in out.read_bytes()


def test_render_invalid_record_writes_nothing_and_names_the_field(tmp_path, capsys):
    out = tmp_path / "out.html"
    assert main(["render", str(_broken_copy(tmp_path, value="-5")), "-o", str(out)]) == 1
    assert "field 10 (Құны) value: must be 0 or more, got '-5'" in capsys.readouterr().err
    assert not out.exists()


def test_render_many_keeps_going_past_a_bad_record(tmp_path, capsys):
    good = tmp_path / "good.json"
    shutil.copy(WHEAT, good)
    bad = _broken_copy(tmp_path, route_country="SU")
    out = tmp_path / "out"
    code = main(
        [
            "render",
            str(bad),
            str(good),
            "--lang",
            "kk,ru",
            "--format",
            "html,xml",
            "-o",
            f"{out}/",
            "-j",
            "1",
        ]
    )
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["good.kk.html", "good.ru.html", "good.xml"]
    err = capsys.readouterr().err
    assert "broken.json: 1 error(s) in the record" in err and "route_country" in err
    assert "3 document(s) written" in err


def test_a_record_piped_on_stdin(monkeypatch, capsysbinary):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(WHEAT.read_bytes())))
    assert main(["render", "-", "--format", "xml"]) == 0
    assert b"<number>01KZ260010000123</number>" in capsysbinary.readouterr().out


def test_an_invalid_record_on_stdin_is_named_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"kind": "refusal", "x": 1}')))
    assert main(["validate", "--json", "-"]) == 1
    errors = json.loads(capsys.readouterr().out)
    assert {"path": "x", "rule": "unknown_key"}.items() <= errors[-1].items()


@pytest.mark.parametrize("output", ["afile/x.html", "/proc/x.html"])
def test_render_to_a_path_that_cannot_be_written_is_an_error_not_a_traceback(
    tmp_path, monkeypatch, capsys, output
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    assert main(["render", str(WHEAT), "-o", output]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kzdocs: error: {output}: cannot be written: ")
    assert "Traceback" not in err


def test_render_many_into_a_file_reports_each_record(tmp_path, capsys):
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    refusal = FIXTURES / "refusal-one-ground.json"
    assert main(["render", str(WHEAT), str(refusal), "-o", f"{tmp_path}/afile/"]) == 1
    err = capsys.readouterr().err
    assert f"{WHEAT}: {tmp_path}/afile/license-export-wheat.kk.html: cannot be written: " in err
    assert err.rstrip().endswith(f"0 document(s) written to {tmp_path}/afile; 2 record(s) failed")


def test_render_refuses_records_that_would_overwrite_each_other(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(WHEAT, tmp_path / folder / "x.json")
    a, b = tmp_path / "a" / "x.json", tmp_path / "b" / "x.json"
    assert main(["render", str(a), str(b), "-o", f"{tmp_path}/out/"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kzdocs: error: records with the same file name would overwrite")
    assert f"{a} and {b}" in err
    assert not (tmp_path / "out").exists()
