"""Benchmark of the PDF stage: `python bench/pdf_bench.py [--n 30] [--memory 2000] [--workers 2]`.

Goals (the issue): kzdocs PDF at least 2× faster than naive WeasyPrint
(`HTML(string=html).write_pdf()` per document) on the same record in one run; memory flat over
2 000 documents; at least 60 documents/s with 2 workers.
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
    naive, kzdocs = [], []
    for _ in range(n):
        naive.append(_ms(lambda: HTML(string=html).write_pdf()))
        kzdocs.append(_ms(lambda: render_pdf(html, meta=meta, xml=xml)))
    naive_ms, kzdocs_ms = statistics.median(naive), statistics.median(kzdocs)
    return {
        "naive_ms": naive_ms,
        "kzdocs_ms": kzdocs_ms,
        "ratio": naive_ms / kzdocs_ms,
        "engine_build_ms": engine_ms,
        "n": n,
    }


# The engine's shortcuts, each a switch: (module, attribute). Off, the engine parses with
# tinyhtml5 and lets pydyf compress every stream twice.
ONCE = "streams compressed once"
SHORTCUTS = {
    "fast HTML parser": ("kzdocs.pdf.html", "SHORTCUT"),
    ONCE: ("kzdocs.pdf.once", "ENABLED"),
}


def bench_shortcuts(jobs: list[tuple[str, PdfMeta, bytes]], rounds: int) -> dict[str, float]:
    """Median ms per document over all `jobs` with the shortcuts all off, each alone, all on.

    Each round renders the jobs once per variant, variant after variant, so all see the same
    machine load; a variant is timed over the whole sequence, as a batch worker runs it, so
    the garbage collection a paused collector only defers is counted too.
    """
    import gc
    import importlib

    modules = {name: importlib.import_module(module) for name, (module, _) in SHORTCUTS.items()}
    variants = {"none": set(), **{name: {name} for name in SHORTCUTS}, "all": set(SHORTCUTS)}

    def switch(on: set[str]) -> None:
        for name, module in modules.items():
            setattr(module, SHORTCUTS[name][1], name in on)

    def sequence() -> list[bytes]:
        return [_render_job(job, whole=True) for job in jobs]

    times: dict[str, list[float]] = {variant: [] for variant in variants}
    outputs = {}
    try:
        for variant, on in variants.items():  # warm up, and keep each variant's PDFs
            switch(on)
            outputs[variant] = sequence()
        for _ in range(rounds):
            for variant, on in variants.items():
                switch(on)
                gc.collect()
                times[variant].append(_ms(sequence) / len(jobs))
    finally:
        switch(set(SHORTCUTS))
    for variant, on in variants.items():
        # Streams serialised once are also compressed at zlib's default level, not pydyf's 9:
        # that shortcut changes the bytes; the others must not.
        reference = outputs["all" if ONCE in on else "none"]
        if outputs[variant] != reference:
            raise AssertionError(f"the shortcut {variant!r} changed the PDF bytes")
    return {variant: statistics.median(ms) for variant, ms in times.items()}


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
    parser.add_argument(
        "--shortcuts", type=int, default=0, help="rounds of the engine shortcuts, on vs off"
    )
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
    if args.shortcuts:
        jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
        result = bench_shortcuts(jobs, args.shortcuts)
        for variant, ms in result.items():
            change = ms / result["none"] - 1
            print(f"shortcuts {variant:24} {ms:6.1f} ms/doc ({change:+.1%})")
    if args.memory:
        for name, mb in bench_memory(html, meta, args.memory, xml).items():
            print(f"{name:22} {mb:7.1f} MB")
    if args.workers:
        jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
        rate = bench_workers(jobs, docs=20 * len(jobs), workers=args.workers)
        print(f"{args.workers} workers: {rate:.1f} documents/s")


if __name__ == "__main__":
    main()
