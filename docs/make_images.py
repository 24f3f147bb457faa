"""Regenerate the page images under docs/images: `python docs/make_images.py` (needs pypdfium2).

Each image is rendered from the bundled fixtures; the signed licence uses the test key in
fixtures/sign/ (password "test") and a pinned signing time, so the images change only when the
documents do.
"""

from datetime import datetime
from pathlib import Path

import pypdfium2

from kzdocs import render
from kzdocs.records import load_record
from kzdocs.render import ASTANA
from kzdocs.sign import get_signer

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DPI = 80


def save_pages(pdf: bytes, stem: str) -> list[Path]:
    """Every page of the PDF as `<stem>-<n>.png`."""
    paths = []
    for number, page in enumerate(pypdfium2.PdfDocument(pdf), start=1):
        path = IMAGES / f"{stem}-{number}.png"
        page.render(scale=DPI / 72).to_pil().save(path, optimize=True)
        paths.append(path)
    return paths


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    wheat = load_record(ROOT / "fixtures" / "license-export-wheat.json")
    refusal = load_record(ROOT / "fixtures" / "refusal-several-grounds.json")
    signer = get_signer(
        "local", key=str(ROOT / "fixtures" / "sign" / "dev-rsa.p12"), password="test"
    )
    signed_at = datetime(2026, 3, 2, 10, 0, tzinfo=ASTANA)
    written = save_pages(render(wheat, lang="kk", format="pdf"), "license-export-wheat.kk")
    written += save_pages(render(refusal, lang="ru", format="pdf"), "refusal-several-grounds.ru")
    signed = render(wheat, lang="ru", format="pdf", signer=signer, signed_at=signed_at)
    written += save_pages(signed, "license-export-wheat.ru.signed")
    for path in written:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
