"""The shipped fonts draw every character kzdocs can put on a page, and PDFs embed nothing else."""

import io
import json
import re
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


def test_a_font_cut_another_way_is_not_taken_from_the_cache(fresh_cut, monkeypatch):
    engine_font_bytes("LiberationSerif-Italic.ttf")
    monkeypatch.setattr(fonts_module, "_DROPPED_TABLES", ("FFTM",))  # keep the layout tables
    engine_font_bytes.cache_clear()
    with_layout = engine_font_bytes("LiberationSerif-Italic.ttf")
    assert len(list(fresh_cut.glob("LiberationSerif-Italic-*.ttf"))) == 2
    assert "GPOS" in TTFont(io.BytesIO(with_layout))
