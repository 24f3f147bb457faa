"""Every benchmark of kzdocs in one run, printed as a table: `python bench/run.py [--quick]`.

Medians, measured in this one run (machines are noisy: compare ratios, not absolute times).
The stage benchmarks live beside this file (xml_bench, pdf_bench, docx_bench, sign_bench,
prepare_bench).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from docx_bench import bench_docx
from pdf_bench import SAMPLES, bench_memory, bench_pdf, bench_workers, sample
from prepare_bench import prepare_rows
from sign_bench import bench_sign
from xml_bench import bench_xml

from kzdocs.batch import render_files
from kzdocs.config import DEFAULT
from kzdocs.html import render_html
from kzdocs.render import metadata
from kzdocs.schema import validate

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))


def bench_validate_html(records: list[dict], repeat: int) -> dict[str, float]:
    """Median µs per record of validate, and of validate + HTML, over every fixture × kk/ru."""
    validate_us, html_us = [], []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for record in records:
            validate(record)
        middle = time.perf_counter_ns()
        for record in records:
            for lang in ("kk", "ru"):
                render_html(validate(record), lang)
        end = time.perf_counter_ns()
        validate_us.append((middle - start) / len(records) / 1000)
        html_us.append((end - middle) / (2 * len(records)) / 1000)
    return {
        "validate_us": statistics.median(validate_us),
        "validate_html_us": statistics.median(html_us),
    }


def bench_pool(docs: int, workers: int, fixtures: list[Path] = FIXTURES) -> float:
    """Documents per second of `kzdocs render … --format pdf -j N`: the whole pipeline over the
    fixtures (licences, permits, refusals), files read and written, the pool started and each
    worker's engine built inside the timing."""
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for i in range(docs):
            source = Path(folder) / f"record-{i:05d}.json"
            shutil.copy(fixtures[i % len(fixtures)], source)
            sources.append(source)
        start = time.perf_counter()
        outcomes = render_files(sources, Path(folder) / "out", formats=("pdf",), workers=workers)
        elapsed = time.perf_counter() - start
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return docs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, 200 documents for memory"
    )
    args = parser.parse_args()
    n, memory_docs, pool_docs = (10, 200, 60) if args.quick else (30, 2000, 300)
    records = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES]
    rows: list[tuple[str, str, str]] = []

    speed = bench_validate_html(records, repeat=max(n, 20))
    xml = bench_xml(records, repeat=max(n, 20))
    rows += [
        ("validate, per record", f"{speed['validate_us']:.0f} µs", ""),
        ("validate + HTML, per record", f"{speed['validate_html_us']:.0f} µs", "≤ 1 000 µs"),
        ("XML + XSD check, per record", f"{xml['to_xml+validate_xml']:.0f} µs", "≤ 1 000 µs"),
    ]

    html, meta, xml_bytes = sample("license-export-wheat.json", "kk")
    pdf = bench_pdf(html, meta, n, xml_bytes)
    rows += [
        ("PDF, naive WeasyPrint (wheat licence, kk)", f"{pdf['naive_ms']:.1f} ms/doc", ""),
        ("PDF, kzdocs (same record)", f"{pdf['kzdocs_ms']:.1f} ms/doc", ""),
        ("PDF speed-up over naive", f"{pdf['ratio']:.2f}×", "≥ 2×"),
    ]
    wheat = next(
        r for r, p in zip(records, FIXTURES, strict=True) if p.stem == "license-export-wheat"
    )
    document = validate(wheat)
    docx = bench_docx(render_html(document, "kk"), metadata(document, "kk", DEFAULT), n)
    rows.append(("DOCX (same record)", f"{docx['median_ms']:.1f} ms/doc", "≤ 15 ms"))

    rows.append(
        (f"PDF pipeline, 1 worker, {pool_docs} docs", f"{bench_pool(pool_docs, 1):.1f} docs/s", "")
    )
    rates = sorted(bench_pool(pool_docs, 2) for _ in range(3))
    rows.append(
        (
            f"PDF pipeline, 2 workers, {pool_docs} docs (3 runs: {rates[0]:.1f}–{rates[-1]:.1f})",
            f"{rates[1]:.1f} docs/s",
            "≥ 60",
        )
    )
    wheat_only = [path for path in FIXTURES if path.stem == "license-export-wheat"]
    rates = sorted(bench_pool(pool_docs, 2, wheat_only) for _ in range(3))
    rows.append(
        (
            f"  the same, wheat licence only (3 runs: {rates[0]:.1f}–{rates[-1]:.1f})",
            f"{rates[1]:.1f} docs/s",
            "≥ 60",
        )
    )
    jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
    warm = bench_workers(jobs, docs=10 * pool_docs // 3, workers=2)
    rows.append(
        ("PDF stage alone, 2 workers already started (3 kinds × kk/ru)", f"{warm:.1f} docs/s", "")
    )

    memory = bench_memory(html, meta, memory_docs, xml_bytes)
    marks = " → ".join(f"{mb:.1f}" for mb in memory.values())
    rows.append(
        (
            f"PDF resident memory after {', '.join(k.rsplit('_', 1)[1] for k in memory)} docs",
            f"{marks} MB",
            "flat",
        )
    )

    from kzdocs.render import render

    signed = bench_sign(xml_bytes, render(wheat, format="pdf"), n)
    rows += [
        ("sign XML (RSA-2048, XMLDSig)", f"{signed['sign_xml_ms']:.1f} ms/doc", ""),
        ("sign PDF (PAdES B-B)", f"{signed['sign_pdf_ms']:.1f} ms/doc", ""),
        (
            "verify XML / PDF",
            f"{signed['verify_xml_ms']:.1f} / {signed['verify_pdf_ms']:.1f} ms",
            "",
        ),
    ]
    rows += prepare_rows(repeat=3 if args.quick else 9)
    _print_table(rows)


def _print_table(rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in [("measure", "median", "goal"), *rows]) for i in range(3)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format("measure", "median", "goal"))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


if __name__ == "__main__":
    main()
