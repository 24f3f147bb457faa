"""How long signing takes: median milliseconds to sign a record's XML and its PDF.

python bench/sign_bench.py [N]        # uses the wheat licence fixture, an RSA test key
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kzdocs.sign import LocalKeySigner, Signer, dev_cert, verify_pdf, verify_xml

SIGNED_AT = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)


def _median_ms(action, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def bench_sign(xml: bytes, pdf: bytes, n: int, *, signer: Signer | None = None) -> dict[str, float]:
    """Median ms over `n` runs of signing `xml` and `pdf`, and of verifying the results."""
    if signer is None:
        with tempfile.TemporaryDirectory() as folder:
            key = dev_cert(Path(folder) / "bench.p12", key="rsa", not_before=SIGNED_AT)
            signer = LocalKeySigner(key)
    signed_xml, _ = signer.sign_xml(xml, signed_at=SIGNED_AT)
    signed_pdf = signer.sign_pdf(pdf, signed_at=SIGNED_AT)
    return {
        "n": n,
        "xml_bytes": len(xml),
        "pdf_bytes": len(pdf),
        "sign_xml_ms": _median_ms(lambda: signer.sign_xml(xml, signed_at=SIGNED_AT), n),
        "sign_pdf_ms": _median_ms(lambda: signer.sign_pdf(pdf, signed_at=SIGNED_AT), n),
        "verify_xml_ms": _median_ms(lambda: verify_xml(signed_xml), n),
        "verify_pdf_ms": _median_ms(lambda: verify_pdf(signed_pdf), n),
    }


def main() -> None:
    import kzdocs
    from kzdocs.schema import validate
    from kzdocs.xml import to_xml

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "license-export-wheat.json"
    record = json.loads(fixture.read_text("utf-8"))
    xml = to_xml(validate(record))
    pdf = kzdocs.render(record, lang="kk", format="pdf")
    print(json.dumps(bench_sign(xml, pdf, n), indent=2))


if __name__ == "__main__":
    main()
