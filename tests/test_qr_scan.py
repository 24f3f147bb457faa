"""An ordinary scanner reads the QR codes of signed documents: signed PDFs rendered to page
images at 300 dpi (pdftoppm) and decoded by zbar give back exactly the signed XML, and the
DOCX carries the same codes.

No LibreOffice here to print the DOCX: its embedded QR pictures are decoded directly."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from signing_helpers import SIGNED_AT, signer

from kzdocs import render
from kzdocs.pdf import extract_xml
from kzdocs.sign.qr import read_qr_payloads

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
pytestmark = pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="needs zbarimg (zbar-tools) and pdftoppm (poppler-utils); .ci/run installs them",
)
# zbar prints binary symbols back to back: each kzdocs code starts with its header.
_CODE = re.compile(rb"KZ1:[1-9][0-9]?/[1-9][0-9]?:[0-9A-F]{8}:")


def zbar(images: list[Path]) -> list[bytes]:
    """The contents of every QR code zbar finds in `images`, as raw bytes."""
    done = subprocess.run(
        ["zbarimg", "-q", "--raw", "-Sbinary", "--nodbus", *map(str, images)],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 4), done.stderr  # 4: an image without any code
    starts = [match.start() for match in _CODE.finditer(done.stdout)]
    ends = [*starts[1:], len(done.stdout)][: len(starts)]
    return [
        done.stdout[start:end].removesuffix(b"\n") for start, end in zip(starts, ends, strict=True)
    ]


def page_images(pdf: bytes, folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", str(folder / "doc.pdf"), str(folder / "page")],
        check=True, timeout=120,
    )  # fmt: skip
    return sorted(folder.glob("page-*.png"))


def signed(fixture: str, lang: str, format: str) -> bytes:
    record = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    return render(record, lang=lang, format=format, signer=signer(), signed_at=SIGNED_AT)


@pytest.mark.parametrize(
    ("fixture", "lang", "codes"),
    [
        ("license-export-wheat.json", "kk", 2),
        ("permit-import-cattle.json", "ru", 2),
        ("license-export-ferroalloys.json", "ru", 3),
    ],
)
def test_zbar_reads_the_signed_xml_from_a_300_dpi_page_image(fixture, lang, codes, tmp_path):
    pdf = signed(fixture, lang, "pdf")
    payloads = zbar(page_images(pdf, tmp_path))
    assert len(payloads) == codes
    assert read_qr_payloads(payloads) == extract_xml(pdf) == signed(fixture, lang, "xml")


def test_the_docx_carries_the_same_codes(tmp_path):
    fixture = "license-export-wheat.json"
    with zipfile.ZipFile(io.BytesIO(signed(fixture, "ru", "docx"))) as docx:
        media = [name for name in docx.namelist() if name.startswith("word/media/")]
        for name in media:
            (tmp_path / Path(name).name).write_bytes(docx.read(name))
    payloads = zbar(sorted(tmp_path.glob("*.png")))
    assert len(payloads) == len(media) == 2
    assert read_qr_payloads(payloads) == signed(fixture, "ru", "xml")
    pdf_codes = zbar(page_images(signed(fixture, "ru", "pdf"), tmp_path / "pdf"))
    assert sorted(payloads) == sorted(pdf_codes)
