"""Benchmark of the PDF stage: `python bench/pdf_bench.py [--n 30] [--memory 2000] [--workers 2]`.

Measures kzdocs' PDF stage against plain warm WeasyPrint (`HTML(string=html).write_pdf()` per
document, after a warm-up) on the same HTML, the guarded patches on and off, memory over many
documents and the throughput of warm workers. bench/run.py runs these with everything else.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kzdocs.pdf import PdfMeta, default_engine, render_pdf  # first: quiets WeasyPrint's import

from weasyprint import HTML  # isort: skip

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = ("license-export-wheat.json", "permit-import-cattle.json", "refusal-several-grounds.json")


def bench_pdf(html: str, meta: PdfMeta, n: int, xml: bytes | None = None) -> dict[str, float]:
    """Median ms per document of naive WeasyPrint and of kzdocs on the same HTML, interleaved so
    both see the same machine load. The kzdocs engine is built (and timed) beforehand."""
    start = time.perf_counter()
    default_engine()
    engine_ms = (time.perf_counter() - start) * 1000
    naive, kzdocs, naive_cpu, kzdocs_cpu = [], [], [], []
    HTML(string=html).write_pdf()  # warm: WeasyPrint's own first-use set-up is not counted
    render_pdf(html, meta=meta, xml=xml)
    for _ in range(n):
        cpu = time.process_time()
        naive.append(_ms(lambda: HTML(string=html).write_pdf()))
        naive_cpu.append(time.process_time() - cpu)
        cpu = time.process_time()
        kzdocs.append(_ms(lambda: render_pdf(html, meta=meta, xml=xml)))
        kzdocs_cpu.append(time.process_time() - cpu)
    naive_ms, kzdocs_ms = statistics.median(naive), statistics.median(kzdocs)
    return {
        "naive_ms": naive_ms,
        "kzdocs_ms": kzdocs_ms,
        "ratio": naive_ms / kzdocs_ms,
        "cpu_ratio": statistics.median(naive_cpu) / statistics.median(kzdocs_cpu),
        "engine_build_ms": engine_ms,
        "n": n,
    }


def bench_patches(jobs: list[tuple[str, PdfMeta, bytes]], rounds: int) -> dict[str, float]:
    """Median CPU ms per document over all `jobs`, through WeasyPrint's public API alone and
    with the guarded patches (kzdocs.pdf.patches), in turn, so both see the same machine load.

    CPU time of this process, not wall time: on a machine shared with other work the wall
    clock mostly measures the others; each variant runs the whole sequence, as a batch worker
    does, so garbage collection is counted too.
    """
    import gc

    from kzdocs.pdf import patches

    variants = {"public API only": False, "with the patches": True}
    times: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for enabled in variants.values():  # warm up
            patches.ENABLED = enabled
            [_render_job(job) for job in jobs]
        for _ in range(rounds):
            for name, enabled in variants.items():
                patches.ENABLED = enabled
                gc.collect()
                start = time.process_time()
                [_render_job(job) for job in jobs]
                times[name].append((time.process_time() - start) * 1000 / len(jobs))
    finally:
        patches.ENABLED = patches._enabled()
    return {name: statistics.median(ms) for name, ms in times.items()}


def bench_memory(html: str, meta: PdfMeta, n: int, xml: bytes | None = None) -> dict[str, float]:
    """Resident memory (MB) after 100 documents and after `n`: flat means no per-document leak."""
    checkpoints = {}
    for i in range(1, n + 1):
        render_pdf(html, meta=meta, xml=xml)
        if i in (100, n // 2, n):
            checkpoints[f"rss_mb_after_{i}"] = _rss_mb()
    return checkpoints


def bench_workers(jobs: list[tuple[str, PdfMeta, bytes]], docs: int, workers: int) -> float:
    """Documents per second with `workers` processes, each building its engine once (not timed)."""
    with ProcessPoolExecutor(workers, initializer=_build_engine) as pool:
        list(pool.map(_render_job, jobs * workers))  # warm every worker
        batch = [jobs[i % len(jobs)] for i in range(docs)]
        start = time.perf_counter()
        list(pool.map(_render_job, batch, chunksize=8))
        return docs / (time.perf_counter() - start)


def _build_engine() -> None:
    default_engine()


def _render_job(job: tuple[str, PdfMeta, bytes], whole: bool = False):
    html, meta, xml = job
    pdf = render_pdf(html, meta=meta, xml=xml)
    return pdf if whole else len(pdf)


def _ms(step) -> float:
    start = time.perf_counter()
    step()
    return (time.perf_counter() - start) * 1000


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def sample(name: str, lang: str) -> tuple[str, PdfMeta, bytes]:
    """HTML, PDF properties and canonical XML of a fixture, as the pipeline makes them."""
    from kzdocs.html import render_html
    from kzdocs.render import metadata
    from kzdocs.schema import validate
    from kzdocs.xml import to_xml

    record: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    document = validate(record)
    xml = to_xml(document)
    from kzdocs.config import DEFAULT

    html = render_html(document, lang, config=DEFAULT, signature=None)
    return html, PdfMeta.of(metadata(document, lang, DEFAULT, xml)), xml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="documents per timing (default 30)")
    parser.add_argument("--memory", type=int, default=0, help="documents for the memory check")
    parser.add_argument("--workers", type=int, default=0, help="processes for the throughput")
    parser.add_argument("--patches", type=int, default=0, help="rounds of patches on vs off")
    parser.add_argument("--json", action="store_true", help="print the PDF timing as JSON only")
    args = parser.parse_args()

    html, meta, xml = sample(SAMPLES[0], "kk")
    result = bench_pdf(html, meta, args.n, xml)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{SAMPLES[0]} kk: naive {result['naive_ms']:.1f} ms/doc, "
        f"kzdocs {result['kzdocs_ms']:.1f} ms/doc, ratio {result['ratio']:.2f}× "
        f"(engine built once in {result['engine_build_ms']:.0f} ms, n={args.n})"
    )
    if args.patches:
        jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
        for variant, ms in bench_patches(jobs, args.patches).items():
            print(f"{variant:20} {ms:6.1f} CPU ms/doc")
    if args.memory:
        for name, mb in bench_memory(html, meta, args.memory, xml).items():
            print(f"{name:22} {mb:7.1f} MB")
    if args.workers:
        jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
        rate = bench_workers(jobs, docs=20 * len(jobs), workers=args.workers)
        print(f"{args.workers} workers: {rate:.1f} documents/s")


if __name__ == "__main__":
    main()
