"""The lawyers' preview in a real browser: `kzdocs preview` started on copies of the templates,
records and golden files, Debian's Chromium driven by Selenium, and only what the page shows
checked. One server and one browser for the module; each test puts back what it breaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from preview_browser import browser_available, chromium, pane, preview, wait_until
from template_copies import copy_templates, edit

from kzdocs.words import label_of, template_words

pytestmark = pytest.mark.skipif(not browser_available(), reason="needs chromium and chromedriver")

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ("license-export-wheat", "permit-import-cattle", "refusal-one-ground")
TITLE = {"kk": "ЭКСПОРТЫНА ЛИЦЕНЗИЯ", "ru": "ЛИЦЕНЗИЯ НА ЭКСПОРТ"}
_NUMBER, _LABEL = label_of("license-export", "goods")  # field 15, as the templates word it
HS_LABEL = {lang: f"{_NUMBER}. {_LABEL[lang]}" for lang in ("kk", "ru")}
DRAFT = {lang: template_words(f"{lang}/words.html")["draft_mark"] for lang in ("kk", "ru")}
HS_MESSAGE = {
    "kk": "10 цифрдан тұруы керек, берілгені: '10019900'",
    "ru": "должно состоять из 10 цифр, получено: '10019900'",
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("preview")
    records, golden = base / "records", base / "golden"
    records.mkdir()
    for name in RECORDS:
        shutil.copy(ROOT / "fixtures" / f"{name}.json", records)
        shutil.copytree(ROOT / "tests" / "golden" / name, golden / name)
    return {"base": base, "templates": copy_templates(base), "records": records, "golden": golden}


@pytest.fixture(scope="module")
def page(folders):
    args = (
        "--templates",
        "templates",
        "--records",
        "records",
        "--golden",
        "golden",
        "--sign",
        str(ROOT / "fixtures" / "sign" / "dev-rsa.p12"),
    )
    with preview(*args, cwd=folders["base"]) as url, chromium() as driver:
        driver.get(url)
        wait_until(lambda: TITLE["kk"] in pane(driver, "kk")["document"], what="the first page")
        yield driver


def shows(driver, lang: str, text: str, part: str = "document", timeout: float = 20.0) -> dict:
    """Wait until the pane shows `text` in `part`; what the pane shows then."""
    return wait_until(
        lambda: (seen := pane(driver, lang)) and text in str(seen[part]) and seen,
        timeout,
        f"{lang} pane showing {text!r} in {part}",
    )


def lacks(driver, lang: str, text: str, part: str = "messages") -> dict:
    return wait_until(
        lambda: (seen := pane(driver, lang)) and text not in str(seen[part]) and seen,
        what=f"{lang} pane no longer showing {text!r} in {part}",
    )


def choose(driver, select_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select_id)).select_by_value(value)


def click(driver, css: str) -> None:
    driver.find_element("css selector", css).click()


def test_kazakh_beside_russian_and_the_approved_copy(page):
    for lang in ("kk", "ru"):
        seen = shows(page, lang, TITLE[lang])
        assert "01KZ260010000123" in seen["document"]
        assert seen["golden"] == "the same as the approved copy"
        assert seen["messages"] == ""


def test_switch_kind_record_and_view(page):
    choose(page, "kind", "permit-import")
    shows(page, "kk", "ИМПОРТТАУҒА РҰҚСАТ БЕРУ")
    shows(page, "ru", "РАЗРЕШЕНИЕ НА ИМПОРТ")
    assert page.find_element("id", "record").get_attribute("value") == "permit-import-cattle"
    choose(page, "record", "sample:permit-import")
    shows(page, "ru", "Sample Person")
    choose(page, "kind", "license-export")
    click(page, "input[name=view][value=pages]")
    for lang in ("kk", "ru"):
        seen = shows(page, lang, TITLE[lang], "pages")
        assert DRAFT[lang] in seen["pages"][0]
    click(page, "#signed")
    for lang, field in (("kk", "18. Көліктік қолтаңба"), ("ru", "18. Транспортная подпись")):
        seen = shows(page, lang, "ТЕСТ", "pages")
        printed = " ".join(seen["pages"])
        assert field in printed and DRAFT[lang] not in printed
    click(page, "input[name=view][value=html]")
    qr = "return document.querySelector('#pane-ru iframe.current').contentDocument.images.length"
    wait_until(lambda: page.execute_script(qr) >= 1, what="QR codes in the signed document")
    click(page, "#signed")
    shows(page, "kk", DRAFT["kk"])


def test_saved_template_shows_in_both_panes_scroll_kept(page, folders):
    frame = "document.querySelector('#pane-{}  iframe.current').contentWindow"
    page.execute_script(frame.format("kk") + ".scrollTo(0, 100)")
    edit(
        folders["templates"] / "kk" / "license-export.html",
        '6: "Сатып алушы"',
        '6: "Сатып алушы серіктес"',
    )
    edit(
        folders["templates"] / "ru" / "license-export.html",
        '6: "Покупатель"',
        '6: "Покупатель партнёр"',
    )
    shows(page, "kk", "Сатып алушы серіктес")
    shows(page, "ru", "Покупатель партнёр")
    assert page.execute_script("return " + frame.format("kk") + ".scrollY") == 100
    click(page, "input[name=view][value=changes]")
    assert "серіктес" in shows(page, "kk", "серіктес", "added")["added"]
    assert "партнёр" in shows(page, "ru", "партнёр", "added")["added"]
    assert pane(page, "kk")["golden"].startswith("changed since approved: +серіктес")


def test_approve_writes_only_that_records_golden_files(page, folders):
    golden = folders["golden"]
    others = {
        p: p.read_bytes()
        for p in golden.rglob("*")
        if "license-export-wheat" not in p.parts and p.is_file()
    }
    click(page, "#approve")
    dialog = wait_until(lambda: page.find_element("id", "confirm-text").text, what="the dialog")
    assert "license-export-wheat" in dialog and "of this record only" in dialog
    click(page, "#confirm-ok")
    notice = wait_until(
        lambda: "Approved" in (text := page.find_element("id", "notice").text) and text,
        60,
        "the approval",
    )
    for name in ("kk.html", "ru.html", "kk.pdf", "ru.docx", "kk.signed.html", "ru.signed.pdf"):
        assert f"golden/license-export-wheat/{name}" in notice
    assert "серіктес" in (golden / "license-export-wheat" / "kk.html").read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in others} == others
    shows(page, "kk", "the same as the approved copy", "golden")
    click(page, "input[name=view][value=html]")


def test_syntax_error_names_file_and_line_and_clears_when_fixed(page, folders):
    words = folders["templates"] / "kk" / "words.html"
    good = words.read_text(encoding="utf-8")
    mark = f'{{% set draft_mark = "{DRAFT["kk"]}" %}}'
    edit(words, mark, mark + "{% endif %}")
    line = good.splitlines().index(mark) + 1
    seen = shows(page, "kk", f"templates/kk/words.html, line {line}", "messages")
    assert mark + "{% endif %}" in seen["messages"]
    assert "Encountered unknown tag 'endif'" in seen["messages"]
    assert seen["stale"] and TITLE["kk"] in seen["document"]  # the last good one, dimmed
    assert pane(page, "ru")["messages"] == ""
    edit(words, "{% endif %}", "")
    seen = lacks(page, "kk", "Template error")
    assert not seen["stale"]


def test_unknown_name_and_template_check_problem(page, folders):
    ru = folders["templates"] / "ru" / "license-export.html"
    edit(ru, '6: "Покупатель партнёр"', '6: "Покупатель " ~ partner')
    seen = shows(page, "ru", "'partner' is undefined", "messages")
    assert "templates/ru/license-export.html, line" in seen["messages"]
    edit(ru, '"Покупатель " ~ partner', '"Покупатеlь"')
    shows(page, "ru", "mixes Latin letters (l) into Cyrillic", "messages")
    lacks(page, "ru", "'partner' is undefined")  # the check ran again on the fixed template
    edit(ru, '"Покупатеlь"', '"Покупатель"')
    lacks(page, "ru", "Template check")


def test_invalid_record_names_field_number_and_label(page, folders):
    record = folders["records"] / "license-export-wheat.json"
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace('"1001990000"', '"10019900"'), encoding="utf-8")
    for lang in ("kk", "ru"):
        seen = shows(page, lang, HS_LABEL[lang], "messages")
        assert HS_MESSAGE[lang] in seen["messages"]  # in the pane's language
        assert seen["stale"] and TITLE[lang] in seen["document"]
    record.write_text(good, encoding="utf-8")
    for lang in ("kk", "ru"):
        assert not lacks(page, lang, HS_LABEL[lang])["stale"]


def test_edit_the_record_in_the_page_and_save_as(page, folders):
    click(page, "#editor-box summary")
    editor = page.find_element("id", "editor")
    text = editor.get_attribute("value")
    typed = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))"
    page.execute_script(typed, editor, text.replace("01KZ260010000123", "01KZ260010000777"))
    shows(page, "kk", "01KZ260010000777")
    shows(page, "ru", "01KZ260010000777")
    page.execute_script(typed, editor, text.replace('"1001990000"', '"10019900"'))
    errors = wait_until(lambda: page.find_element("id", "record-errors").text, what="field errors")
    assert "field 15" in errors and "goods.hs_code" in errors
    page.execute_script(typed, editor, text.replace("01KZ260010000123", "01KZ260010000777"))
    shows(page, "ru", "01KZ260010000777")
    name = page.find_element("id", "save-name")
    name.send_keys("../outside")
    click(page, "#save-as")
    wait_until(lambda: "Not saved" in page.find_element("id", "notice").text, what="a refusal")
    assert not (folders["base"] / "outside.json").exists()
    name.clear()
    name.send_keys("wheat-777")
    click(page, "#save-as")
    wait_until(
        lambda: page.find_element("id", "record").get_attribute("value") == "wheat-777",
        what="the saved record chosen",
    )
    saved = json.loads((folders["records"] / "wheat-777.json").read_text(encoding="utf-8"))
    assert saved["number"] == "01KZ260010000777"
    seen = shows(page, "kk", "no approved copy yet", "golden")
    assert "01KZ260010000777" in seen["document"]
