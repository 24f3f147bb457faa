"""How long the DOCX stage takes per document (goal: ≤ 15 ms).

    /tmp/venv/bin/python bench/docx_bench.py [-n 200]

Measures `render_docx` alone on HTML rendered beforehand, for every fixture × kk/ru.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from kzdocs.config import DEFAULT
from kzdocs.docx import DocxMeta, render_docx
from kzdocs.html import render_html
from kzdocs.render import metadata
from kzdocs.schema import validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def bench_docx(html: str, meta: DocxMeta, n: int) -> dict[str, float]:
    """Median, fastest and slowest milliseconds of `n` renders (after one warm-up render)."""
    render_docx(html, meta)  # builds the cached template package
    times = []
    for _ in range(n):
        start = time.perf_counter()
        render_docx(html, meta)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="renders per document")
    args = parser.parse_args()
    medians = []
    for path in sorted(FIXTURES.glob("*.json")):
        document = validate(json.loads(path.read_text("utf-8")))
        for lang in ("kk", "ru"):
            result = bench_docx(
                render_html(document, lang), metadata(document, lang, DEFAULT), args.n
            )
            medians.append(result["median_ms"])
            print(f"{path.stem:45} {lang}  median {result['median_ms']:6.2f} ms")
    print(f"median of medians: {statistics.median(medians):.2f} ms over {len(medians)} documents")


if __name__ == "__main__":
    main()
