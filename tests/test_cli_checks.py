"""`kzdocs golden` and `kzdocs templates` from the command line, on the committed golden files."""

import json
import shutil
from pathlib import Path

import pytest

from kzdocs.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


@pytest.fixture
def edited_templates(tmp_path) -> Path:
    """A template folder where one Russian label reads differently, and a config naming it."""
    folder = tmp_path / "templates" / "ru"
    folder.mkdir(parents=True)
    text = (TEMPLATES / "ru" / "license-export.html").read_text(encoding="utf-8")
    changed = text.replace('"Основание для выдачи лицензии"', '"Основания для выдачи лицензии"')
    assert changed != text
    (folder / "license-export.html").write_text(changed, encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"templates": str(tmp_path / "templates")}))
    return config


def _golden(*args: str) -> list[str]:
    return [
        "golden",
        *args,
        "--fixtures",
        str(ROOT / "fixtures"),
        "--golden",
        str(ROOT / "tests" / "golden"),
    ]


def test_committed_golden_files_match(capsys):
    assert (
        main(
            _golden(
                "check", "--only", "license-export-wheat,refusal-one-ground", "--format", "html,xml"
            )
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "6 golden files: 6 same" in out
    assert "6 signed golden file(s) not checked: give --sign KEY.p12" in out


def test_a_changed_word_fails_the_check_naming_where_and_what(edited_templates, tmp_path, capsys):
    report = tmp_path / "report"
    argv = _golden(
        "check", "--only", "license-export-wheat", "--lang", "ru", "--format", "html,docx"
    )
    assert main(["--config", str(edited_templates), *argv, "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "CHANGED  license-export-wheat ru html: −Основание +Основания" in out
    assert "CHANGED  license-export-wheat ru docx: −Основание +Основания" in out
    assert "Основания" in (report / "index.html").read_text(encoding="utf-8")


def test_update_approves_the_change(edited_templates, tmp_path, capsys):
    golden = tmp_path / "golden"
    shutil.copytree(
        ROOT / "tests" / "golden" / "license-export-wheat", golden / "license-export-wheat"
    )
    argv = ["golden", "update", "--fixtures", str(ROOT / "fixtures"), "--golden", str(golden)]
    argv += ["--only", "license-export-wheat", "--format", "html"]
    assert main(["--config", str(edited_templates), *argv]) == 0
    assert "updated 1 golden file(s)" in capsys.readouterr().out
    assert "Основания" in (golden / "license-export-wheat" / "ru.html").read_text(encoding="utf-8")
    check = [*argv[:1], "check", *argv[2:]]
    assert main(["--config", str(edited_templates), *check]) == 0


def test_templates_check_passes_on_the_shipped_templates(capsys):
    assert main(["templates", "check"]) == 0
    assert capsys.readouterr().out.startswith("templates OK")


def test_templates_check_names_the_field_of_a_removed_label(tmp_path, capsys):
    folder = tmp_path / "ru"
    folder.mkdir()
    text = (TEMPLATES / "ru" / "permit-import.html").read_text(encoding="utf-8")
    (folder / "permit-import.html").write_text(
        text.replace('    7: "Страна отправления",\n', ""), encoding="utf-8"
    )
    assert main(["templates", "check", "--templates", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "permit-import" in out and "ru" in out and "field 7" in out
