"""Golden files: check explains a change in words (and pictures), update approves it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from template_copies import copy_templates, edit

from kzdocs.config import Config
from kzdocs.errors import RenderError
from kzdocs.golden import check, document_text, format_result, format_updated, update
from kzdocs.golden.pdfdiff import changed_regions
from kzdocs.golden.text import html_text
from kzdocs.golden.textdiff import diff_text
from kzdocs.records import load_record
from kzdocs.render import render

pytest_plugins = ["pytester"]

FIXTURES = Path("fixtures").absolute()  # pytester moves the working folder
WHEAT = "license-export-wheat"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the shipped templates a test may edit."""
    return copy_templates(tmp_path)


def one_fixture(tmp_path: Path, name: str = WHEAT, **changes: object) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir(exist_ok=True)
    record = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    record.update(changes)
    (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return folder


@pytest.mark.parametrize("format", ["html", "docx"])
def test_a_changed_word_fails_check_naming_kind_language_format_and_words(
    tmp_path: Path, templates: Path, format: str
) -> None:
    config = Config(templates=templates)
    golden = tmp_path / "golden"
    options = {"formats": (format,), "names": [WHEAT], "config": config}
    written = update(FIXTURES, golden, **options)
    assert sorted(p.name for p in written) == [f"kk.{format}", f"ru.{format}"]
    assert check(FIXTURES, golden, **options).ok

    edit(templates / "ru" / "license-export.html", '6: "Покупатель"', '6: "Приобретатель"')
    result = check(FIXTURES, golden, **options)

    assert not result.ok
    [failure] = result.failures
    assert (failure.fixture, failure.lang, failure.format, failure.status) == (
        WHEAT, "ru", format, "changed"
    )  # fmt: skip
    assert failure.text.removed == ("Покупатель",)
    assert failure.text.added == ("Приобретатель",)
    assert "-6. Покупатель" in failure.text.diff
    printed = format_result(result)
    assert f"CHANGED  {WHEAT} ru {format}: −Покупатель +Приобретатель" in printed
    assert "kzdocs golden update" in printed

    assert update(FIXTURES, golden, **options) == [golden / WHEAT / f"ru.{format}"]
    assert check(FIXTURES, golden, **options).ok
    assert update(FIXTURES, golden, **options) == []


# WeasyPrint 70 leaves its sRGB profile file open (upstream); nothing else may leak.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*sRGB2014.icc:pytest.PytestUnraisableExceptionWarning"
)
def test_pdf_change_is_reported_per_page_with_a_picture(tmp_path: Path, templates: Path) -> None:
    config = Config(templates=templates)
    golden, report = tmp_path / "golden", tmp_path / "report"
    options = {"formats": ("pdf",), "langs": ("ru",), "names": [WHEAT], "config": config}
    update(FIXTURES, golden, **options)
    edit(templates / "ru" / "license-export.html", '9: "Валюта контракта"', '9: "Валюта сделки"')

    result = check(FIXTURES, golden, report_dir=report, **options)

    [failure] = result.failures
    assert (failure.lang, failure.format, failure.status) == ("ru", "pdf", "changed")
    assert "контракта" in failure.text.removed and "сделки" in failure.text.added
    [page] = failure.pages
    assert page.number == 1 and page.boxes and page.image.startswith(b"\x89PNG")
    index = (report / "index.html").read_text(encoding="utf-8")
    assert result.report == report / "index.html"
    assert '<table class="summary">' in index and "+сделки" in index
    assert f'src="pages/001-p{page.number}.png"' in index
    assert (report / "pages" / "001-p1.png").read_bytes() == page.image


def test_missing_golden_is_new_and_stray_golden_is_orphan(tmp_path: Path) -> None:
    fixtures = one_fixture(tmp_path)
    golden = tmp_path / "golden"
    (golden / "deleted-fixture").mkdir(parents=True)
    (golden / "deleted-fixture" / "kk.html").write_text("old", "utf-8")
    (golden / WHEAT).mkdir()
    (golden / WHEAT / "en.html").write_text("stray", "utf-8")

    result = check(fixtures, golden, formats=("html", "xml"))

    statuses = {(o.fixture, o.lang, o.format): o.status for o in result.outcomes}
    assert statuses == {
        (WHEAT, "kk", "html"): "new",
        (WHEAT, "ru", "html"): "new",
        (WHEAT, None, "xml"): "new",
        ("deleted-fixture", "kk", "html"): "orphan",
        (WHEAT, None, "html"): "orphan",
    }
    assert "2 orphan, 3 new" in format_result(result)

    changed = update(fixtures, golden, formats=("html", "xml"), prune=True)
    assert not (golden / "deleted-fixture" / "kk.html").exists()
    assert (golden / WHEAT / "record.xml").read_bytes().startswith(b"<")
    assert "removed 2" in format_updated(changed)
    assert check(fixtures, golden, formats=("html", "xml")).ok


def test_report_escapes_untrusted_fixture_text(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fixtures = one_fixture(tmp_path, additional_info=hostile)

    result = check(fixtures, tmp_path / "golden", formats=("html",), report_dir=tmp_path / "r")

    index = result.report.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in index
    assert "<script" not in index and "<img src=x" not in index
    assert index.count('class="status status-new"') == 2


def test_update_writes_nothing_when_a_fixture_fails(tmp_path: Path) -> None:
    fixtures = one_fixture(tmp_path)
    one_fixture(tmp_path, "permit-import-cattle", number="not a number")
    golden = tmp_path / "golden"

    with pytest.raises(RenderError, match=r"permit-import-cattle kk html: ValidationError"):
        update(fixtures, golden, formats=("html",))
    assert not golden.exists()
    [error] = {o.error for o in check(fixtures, golden, formats=("html",)).failures
               if o.status == "error"}  # fmt: skip
    assert "field 1" in error and "not a number" in error


def test_html_text_gives_one_line_per_cell_and_paragraph() -> None:
    page = (
        '<html><head><meta charset="utf-8"><title>Т</title><style>p{}</style></head><body>'
        '<table><tr><td data-field="1"><span>1.</span> <span>Лицензия №</span> <span>01</span></td>'
        "<td>екі<br>үш</td></tr></table><p>соңы <b>қалың</b></p></body></html>"
    ).encode()
    assert html_text(page) == ["Т", "1. Лицензия № 01", "екі", "үш", "соңы қалың"]


def test_diff_text_names_removed_and_added_words() -> None:
    change = diff_text(["5. Өтініш беруші", "ТОО «Астық»"], ["5. Өтініш беруші", "ЖШС «Астық»"])
    assert change.removed == ("ТОО",) and change.added == ("ЖШС",)
    assert change.diff == ("…", " 5. Өтініш беруші", "-ТОО «Астық»", "+ЖШС «Астық»")
    assert change.summary() == "−ТОО +ЖШС"
    assert not diff_text(["a"], ["a"]).changed


def test_changed_regions_box_the_changed_pixels() -> None:
    from PIL import Image, ImageDraw

    before = Image.new("RGB", (200, 100), "white")
    after = before.copy()
    ImageDraw.Draw(after).rectangle((50, 20, 70, 30), fill="black")
    ImageDraw.Draw(after).rectangle((150, 80, 160, 90), fill="black")
    boxes = sorted(changed_regions(before, after))
    assert len(boxes) == 2
    left, top, right, bottom = boxes[0]
    assert left <= 50 and top <= 20 and right >= 70 and bottom >= 30
    assert list(changed_regions(before, before.copy())) == []


def test_docx_text_reads_paragraphs_and_cells() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Тақырып")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "1. Лицензия №"
    table.rows[0].cells[1].text = "2. Қолдану кезеңі"
    out = io.BytesIO()
    document.save(out)
    assert document_text(out.getvalue(), "docx") == [
        "Тақырып",
        "1. Лицензия №",
        "2. Қолдану кезеңі",
    ]


# -- the pytest plugin ----------------------------------------------------------------------------

_PLUGIN_TEST = """
def test_wheat(kzdocs_golden):
    data = kzdocs_golden.check({record!r}, lang="ru", format="html")
    assert data.startswith(b"<!DOCTYPE html>")
"""


def test_plugin_fixture_compares_and_updates_golden_files(pytester: pytest.Pytester) -> None:
    record = str((FIXTURES / f"{WHEAT}.json").resolve())
    pytester.makeini("[pytest]\nkzdocs_golden_dir = approved\n")
    pytester.makepyfile(test_kzdocs_plugin_wheat=_PLUGIN_TEST.format(record=record))
    golden = pytester.path / "approved" / WHEAT / "ru.html"

    missing = pytester.runpytest_inprocess()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no golden file*ru.html*--update-golden*"])

    updated = pytester.runpytest_inprocess("--update-golden")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(["*kzdocs golden files updated*", f"*{WHEAT}*ru.html"])
    assert golden.read_bytes().startswith(b"<!DOCTYPE html>")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)

    golden.write_text(golden.read_text("utf-8").replace("Покупатель", "Продавец"), "utf-8")
    changed = pytester.runpytest_inprocess()
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(
        ["*ru.html differs from the new rendering: −Продавец +Покупатель*"]
    )


def test_plugin_fixture_approves_a_licence_as_its_application(tmp_path: Path) -> None:
    from kzdocs.pytest_plugin import GoldenFiles

    record = FIXTURES / f"{WHEAT}.json"
    approving = GoldenFiles(tmp_path, update=True, default_name="unused", updated=[])
    approving.check(record, format="xml", as_="application")
    golden = tmp_path / f"{WHEAT}.application" / "record.xml"
    assert approving.updated == [golden]
    expected = render(load_record(FIXTURES / "application-export-wheat.json"), format="xml")
    assert golden.read_bytes() == expected
    GoldenFiles(tmp_path, update=False, default_name="unused", updated=[]).check(
        record, format="xml", as_="application"
    )
