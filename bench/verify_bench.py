"""How long and how much memory `verify` takes on genuine and hostile files, each in a fresh
process (so the peak memory is that file's alone): the median seconds of the first verify call
(cold: its imports and font loading included) and of a second one (warm, as in a long-running
service), and the peak RSS of the process.

python bench/verify_bench.py [N]      # N runs per file (default 3); the goal: hostile ≤ 2 s, 200 MB
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CHILD = """
import resource, sys, time
from kzdocs.sign.verify import verify
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
verdict = verify(data)
cold = time.perf_counter() - start
start = time.perf_counter()
verify(data)
warm = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(cold, warm, peak, verdict.valid, (verdict.reasons or ("",))[0][:50], sep="\\t")
"""


def _cases() -> dict[str, bytes]:
    from attacks import bomb_pdf, copycat, overdraw, sign_revision
    from signing_helpers import KEYS, PASSWORD, SIGNED_AT, record_xml, signed_document, signer

    from kzdocs.sign.certs import load_key

    unsigned, genuine = signed_document()
    xml, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    endless = io.BytesIO()
    overdraw(unsigned, "a", repeat=300_000, font=False).write(endless)
    fake = copycat(load_key(KEYS["rsa"], PASSWORD).certificate)
    return {
        "empty file (the baseline)": b"",
        "genuine signed PDF": genuine,
        "genuine signed XML": xml,
        "overdrawn field, 2nd signature": sign_revision(overdraw(genuine), fake),
        "page of 300 000 strings, signed": signer().sign_pdf(
            endless.getvalue(), signed_at=SIGNED_AT
        ),
        "record.xml → 70 MB, no /Size": bomb_pdf(70 << 20),
        "record.xml → 70 MB, /Size 100": bomb_pdf(70 << 20, declared=100),
        "record.xml → 1 MiB − 1": bomb_pdf((1 << 20) - 1),
        "comment in signed value": xml.replace(b"<value>125000.00", b"<value>1<!---->25000.00"),
        "not XML": b"<a>" * 100_000,
    }


def main(n: int) -> None:
    print(f"{'file':34} {'bytes':>9} {'cold s':>7} {'warm s':>7} {'peak MB':>8}  verdict")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in _cases().items():
            path = Path(folder) / "doc"
            path.write_bytes(data)
            runs = [_run(path) for _ in range(n)]
            cold = statistics.median(float(r[0]) for r in runs)
            warm = statistics.median(float(r[1]) for r in runs)
            peak = max(float(r[2]) for r in runs)
            verdict = "valid" if runs[0][3] == "True" else f"invalid: {runs[0][4]}"
            print(f"{name:34} {len(data):>9} {cold:>7.3f} {warm:>7.3f} {peak:>8.0f}  {verdict}")


def _run(path: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().split("\t")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
