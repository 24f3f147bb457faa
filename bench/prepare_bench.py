"""All documents of one record (kk and ru × PDF, DOCX, HTML, plus its XML), signed and unsigned:
before — `render()` once per document, each validating, building the XML and signing again —
and after — `prepare()` once, then every document from the prepared record.

Times are CPU seconds of this process (the work is single-threaded), so other programs on a
shared machine do not blur them; `python bench/prepare_bench.py [--repeat N]`; `bench/run.py`
includes it.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import kzdocs
from kzdocs.sign import LocalKeySigner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LANGS = ("kk", "ru")
FORMATS = ("pdf", "docx", "html", "xml")
_SECONDS = count()


def _moment() -> datetime:
    """A new signing moment for each record, as in a real batch: signatures, and so the QR
    codes drawn of them, are never the ones a cache already holds."""
    return datetime(2026, 3, 2, 5, tzinfo=UTC) + timedelta(seconds=next(_SECONDS))


def before(record: dict, signer: LocalKeySigner | None) -> int:
    """The old path: one `render()` per document (all at one moment, as batch did)."""
    moment, documents = _moment(), 0
    for format in FORMATS:
        for lang in LANGS[:1] if format == "xml" else LANGS:
            kzdocs.render(record, lang=lang, format=format, signer=signer, signed_at=moment)
            documents += 1
    return documents


def after(record: dict, signer: LocalKeySigner | None) -> int:
    """The prepared record: validated, XML built, checked and signed once."""
    prepared = kzdocs.prepare(record, signer=signer, signed_at=_moment())
    return sum(1 for _ in prepared.documents(LANGS, FORMATS))


def bench_prepare(name: str = "license-export-wheat", repeat: int = 10) -> dict[str, float]:
    """Median CPU ms for all documents of one record, before and after, unsigned and signed,
    measured interleaved in one run."""
    record = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    paths = {
        f"{way.__name__}_{mode}": (way, key)
        for mode, key in _signers().items()
        for way in (before, after)
    }
    for way, key in paths.values():  # warm: PDF engine, templates, fonts, key
        way(record, key)
    times: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(repeat):
        for label, (way, key) in paths.items():
            gc.collect()  # each run starts with no garbage of the one before
            start = time.process_time()
            way(record, key)
            times[label].append((time.process_time() - start) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def _signers() -> dict[str, LocalKeySigner | None]:
    # RSA signatures are deterministic, ECDSA ones randomised: the old path signed each document
    # anew, so with ECDSA every document drew new QR codes.
    keys = FIXTURES / "sign"
    return {
        "unsigned": None,
        "signed RSA": LocalKeySigner(keys / "dev-rsa.p12", "test"),
        "signed ECDSA": LocalKeySigner(keys / "dev-ec.p12", "test"),
    }


def prepare_rows(repeat: int) -> list[tuple[str, str, str]]:
    """The rows `bench/run.py` prints."""
    ms = bench_prepare(repeat=repeat)
    rows = []
    for mode in _signers():
        old, new = ms[f"before_{mode}"], ms[f"after_{mode}"]
        rows.append(
            (
                f"7 documents of one record (kk+ru × PDF/DOCX/HTML + XML), {mode}",
                f"{old:.0f} → {new:.0f} ms CPU ({old / new:.2f}×)",
                "",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for measure, median, _ in prepare_rows(args.repeat):
        print(f"{measure}: {median}")


if __name__ == "__main__":
    main()
