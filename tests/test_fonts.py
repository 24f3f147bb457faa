"""The shipped fonts draw every character kzdocs can put on a page, and PDFs embed nothing else."""

import io
import json
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from kzdocs.pdf import fonts as fonts_module
from kzdocs.pdf.fonts import FACES, FAMILY, engine_font_bytes, font_bytes

ROOT = Path(__file__).resolve().parent.parent
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
# What Babel and the templates add around record text: no-break and narrow no-break spaces
# (digit grouping), quotes, dashes, the number sign.
FORMATTING = "\u00a0\u202f«»„“”–—№°³"


def _characters(*patterns: str) -> dict[str, set[str]]:
    """Character → the files using it, over the files that match `patterns` (globbed at test
    time: templates and fixtures are still being added)."""
    found: dict[str, set[str]] = {}
    for path in sorted(path for pattern in patterns for path in ROOT.glob(pattern)):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)  # "\u04d9" escapes too
        for char in set(text) - set("\n\r\t"):
            found.setdefault(char, set()).add(str(path.relative_to(ROOT)))
    return found


def _cmap(data: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(data)).getBestCmap())


# Valid fixtures only: invalid ones are refused before rendering (text_unprintable among them).
USED = _characters("templates/**/*.html", "templates/**/*.css", "fixtures/*.json")


def test_the_globs_find_the_templates_and_fixtures():
    sources = {source for where in USED.values() for source in where}
    assert any(s.startswith("templates/") and s.endswith(".html") for s in sources)
    assert any(s.startswith("fixtures/") for s in sources)
    assert set("ӘәҚқҢңӨөҰұҮүІі") <= set(USED)


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.filename)
@pytest.mark.parametrize("cut", ["shipped", "engine"])
def test_every_character_in_templates_and_fixtures_has_a_glyph(face, cut):
    data = font_bytes(face.filename) if cut == "shipped" else engine_font_bytes(face.filename)
    cmap = _cmap(data)
    missing = {
        f"{char!r} U+{ord(char):04X} in {sorted(where)[:3]}"
        for char, where in USED.items()
        if ord(char) not in cmap
    }
    missing |= {f"{c!r} U+{ord(c):04X}" for c in KAZAKH + FORMATTING if ord(c) not in cmap}
    assert not missing, f"{face.filename} ({cut}) lacks glyphs for: {sorted(missing)}"


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.filename)
def test_shipped_font_is_liberation_serif_under_the_ofl(face):
    font = TTFont(io.BytesIO(font_bytes(face.filename)))
    assert font["name"].getDebugName(1) == FAMILY
    assert font["name"].getDebugName(5).startswith("Version 2.1")
    assert "SIL Open Font License" in files("kzdocs.fonts").joinpath("LICENSE-OFL.txt").read_text()


def test_pdf_embeds_only_the_shipped_fonts():
    from kzdocs import render

    record = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
    pdf = render(record, lang="kk", format="pdf")
    shipped = {
        TTFont(io.BytesIO(font_bytes(face.filename)))["name"].getDebugName(4) for face in FACES
    }
    embedded = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert re.fullmatch(r"/[A-Z]{6}\+Liberation-Serif(-Bold)?(-Italic)?", font["/BaseFont"])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            embedded.add(program["name"].getDebugName(4))
    assert embedded and embedded <= shipped
    assert {"Liberation Serif", "Liberation Serif Bold"} <= embedded


def test_common_characters_need_no_font_lookup_and_are_printable():
    from kzdocs.fonts import COMMON, printable

    assert printable() >= COMMON
    assert all(ord(c) in printable() for c in "ӘҒҚҢӨҰҮҺІәғқңөұүһі«»№–—")


@pytest.fixture
def fresh_cut(monkeypatch, tmp_path):
    """engine_font_bytes with an empty per-process cache and `tmp_path/cache` as cache folder."""
    monkeypatch.setenv("KZDOCS_CACHE_DIR", str(tmp_path / "cache"))
    engine_font_bytes.cache_clear()
    yield tmp_path / "cache"
    engine_font_bytes.cache_clear()


def test_a_cut_font_is_kept_in_the_cache_folder_and_read_back(fresh_cut, monkeypatch):
    data = engine_font_bytes("LiberationSerif-Regular.ttf")
    [kept] = fresh_cut.glob("LiberationSerif-Regular-*.ttf")
    assert kept.read_bytes() == data

    def refuse(data: bytes) -> bytes:
        raise AssertionError("cut again although the cache has it")

    monkeypatch.setattr(fonts_module, "_cut", refuse)
    engine_font_bytes.cache_clear()
    assert engine_font_bytes("LiberationSerif-Regular.ttf") == data


def test_a_cache_folder_that_cannot_be_written_only_costs_time(fresh_cut, monkeypatch):
    fresh_cut.parent.joinpath("a-file").write_text("")
    monkeypatch.setenv("KZDOCS_CACHE_DIR", str(fresh_cut.parent / "a-file" / "cache"))
    data = engine_font_bytes("LiberationSerif-Bold.ttf")
    assert data == fonts_module._cut(font_bytes("LiberationSerif-Bold.ttf"))
    assert sorted(p.name for p in fresh_cut.parent.iterdir()) == ["a-file"]


def test_a_font_cut_another_way_is_never_cached(fresh_cut, monkeypatch, caplog):
    engine_font_bytes("LiberationSerif-Italic.ttf")
    monkeypatch.setattr(fonts_module, "_DROPPED_TABLES", ("FFTM",))  # keep the layout tables
    monkeypatch.setattr(fonts_module, "_warned", set())
    engine_font_bytes.cache_clear()
    with caplog.at_level("WARNING", logger="kzdocs.pdf"):
        with_layout = engine_font_bytes("LiberationSerif-Italic.ttf")
    assert len(list(fresh_cut.glob("LiberationSerif-Italic-*.ttf"))) == 1  # only the recorded cut
    assert "GPOS" in TTFont(io.BytesIO(with_layout))
    assert "differs from the recorded one" in caplog.text


def test_the_recorded_cuts_are_the_cuts_of_the_shipped_fonts():
    assert fonts_module.recorded_cuts() == fonts_module.record_cuts(), (
        "the fonts are cut differently now: record the cuts with `python -m kzdocs.fonts`"
    )


def _planted(font: bytes) -> bytes:
    """`font` with the outlines of 1 and 7 swapped: a document would show other numbers."""
    tt = TTFont(io.BytesIO(font))
    glyf, cmap = tt["glyf"], tt.getBestCmap()
    one, seven = cmap[ord("1")], cmap[ord("7")]
    glyf[one], glyf[seven] = glyf[seven], glyf[one]
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()


BAD_CACHE = {
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 2],
    "random": lambda good: bytes(range(256)) * 40,
    "planted": _planted,
}


@pytest.mark.parametrize("case", sorted(BAD_CACHE))
def test_a_bad_or_foreign_cached_font_is_ignored_logged_once_and_cut_again(
    case, fresh_cut, monkeypatch, caplog
):
    face = "LiberationSerif-Regular.ttf"
    good = engine_font_bytes(face)
    [kept] = fresh_cut.glob("LiberationSerif-Regular-*.ttf")
    kept.write_bytes(BAD_CACHE[case](good))
    monkeypatch.setattr(fonts_module, "_warned", set())
    with caplog.at_level("WARNING", logger="kzdocs.pdf"):
        for _ in range(2):
            engine_font_bytes.cache_clear()
            assert engine_font_bytes(face) == good
        kept.write_bytes(BAD_CACHE[case](good))
        engine_font_bytes.cache_clear()
        assert engine_font_bytes(face) == good
    assert kept.read_bytes() == good  # repaired
    warnings = [r.getMessage() for r in caplog.records if "font cache" in r.getMessage()]
    assert len(warnings) == 1 and "not the recorded cut" in warnings[0]


def test_a_planted_font_never_reaches_a_pdf(fresh_cut):
    from kzdocs import render

    record = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
    honest = render(record, lang="kk", format="pdf")
    face = "LiberationSerif-Regular.ttf"
    good = engine_font_bytes(face)  # kept in the test's cache folder
    [kept] = fresh_cut.glob("LiberationSerif-Regular-*.ttf")
    kept.write_bytes(_planted(good))
    code = (
        "import sys; from kzdocs import load_record, render; "
        "sys.stdout.buffer.write(render(load_record(sys.argv[1]), lang='kk', format='pdf'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "fixtures" / "license-export-wheat.json")],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    assert done.stdout == honest
    assert "not the recorded cut" in done.stderr.decode()
