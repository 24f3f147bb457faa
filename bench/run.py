"""Every benchmark of kzdocs in one run, printed as a table: `python bench/run.py [--quick]`.

Medians, measured in this one run; ratios compare figures of this same run (these machines are
shared and noisy: compare ratios, not absolute times). The load average is printed before and
after. `--no-install` skips timing `pip install -e .` into a fresh venv (about half a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docx_bench import bench_docx
from pdf_bench import SAMPLES, bench_memory, bench_patches, bench_pdf, sample
from prepare_bench import prepare_rows
from sign_bench import SIGNED_AT, bench_sign
from xml_bench import bench_xml

from kzdocs.batch import SignerSpec, render_files
from kzdocs.config import DEFAULT
from kzdocs.forms import FORMS
from kzdocs.html import render_html
from kzdocs.render import metadata, render
from kzdocs.schema import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))
# What the ministry issues and signs with its key (licences, permits, refusals): the batch goals
# are about these. The applicant's forms are signed with the applicant's own key, not this one.
ISSUED = [p for p in FIXTURES if FORMS[json.loads(p.read_text(encoding="utf-8"))["kind"]].issued]
KEY = ROOT / "fixtures" / "sign" / "dev-rsa.p12"
PASSWORD = "test"
WHEAT = "license-export-wheat"


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


def _median_ms(action, n: int) -> float:
    action()  # warm: engines built, templates compiled, key parsed
    times = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_signed(record: dict, n: int) -> dict[str, float]:
    """The same record unsigned and signed, PDF and DOCX, interleaved: median ms and sizes."""
    from kzdocs.sign import LocalKeySigner

    signer = LocalKeySigner(KEY, PASSWORD)
    kinds = {
        "pdf": lambda: render(record, format="pdf"),
        "signed_pdf": lambda: render(record, format="pdf", signer=signer, signed_at=SIGNED_AT),
        "docx": lambda: render(record, format="docx"),
        "signed_docx": lambda: render(record, format="docx", signer=signer, signed_at=SIGNED_AT),
    }
    for action in kinds.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in kinds}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(n):
        for name, action in kinds.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
    result = {f"{name}_ms": statistics.median(ms) for name, ms in times.items()}
    result |= {f"{name}_cpu_ms": statistics.median(ms) for name, ms in cpu.items()}
    signed_pdf = kinds["signed_pdf"]()
    result["pdf_bytes"] = len(kinds["pdf"]())
    result["signed_pdf_bytes"] = len(signed_pdf)
    result["qr_codes"], result["qr_read"] = _qr_codes(record, signer, signed_pdf)
    return result


def _qr_codes(record: dict, signer, pdf: bytes) -> tuple[int, str]:
    """How many QR codes the signed document carries, and whether zbar reads them all back
    from 300 dpi page images to the signed XML."""
    from kzdocs.sign.qr import qr_payloads, read_qr_payloads

    signed = render(record, format="xml", signer=signer, signed_at=SIGNED_AT)
    codes = len(qr_payloads(signed))
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        return codes, "not checked (no pdftoppm/zbarimg)"
    sys.path.insert(0, str(ROOT / "tests"))
    from test_qr_scan import page_images, zbar

    with tempfile.TemporaryDirectory() as folder:
        read = zbar(page_images(pdf, Path(folder)))
    ok = len(read) == codes and read_qr_payloads(read) == signed
    return (
        codes,
        f"{len(read)} of {codes} read by zbar at 300 dpi, XML {'exact' if ok else 'WRONG'}",
    )


def bench_pool(
    workers: int, fixtures: list[Path], *, signed: bool, rounds: int
) -> tuple[float, float]:
    """Documents per second of `render_files`: every one of `fixtures` in kk and ru as PDF,
    files read and written, the pool started and each worker's engine built inside the timing;
    and the rate once `workers` records are done (roughly each worker's first: the start-up,
    that record and, pooled, the fork left out)."""
    spec = SignerSpec("local", (("key", str(KEY)), ("password", PASSWORD)), SIGNED_AT)
    finished: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for i in range(rounds):
            for fixture in fixtures:
                source = Path(folder) / f"{fixture.stem}-{i}.json"
                shutil.copy(fixture, source)
                sources.append(source)
        start = time.perf_counter()
        outcomes = render_files(
            sources, Path(folder) / "out", langs=("kk", "ru"), formats=("pdf",),
            signer=spec if signed else None, workers=workers,
            on_done=lambda outcome: finished.append(time.perf_counter()),
        )  # fmt: skip
        elapsed = time.perf_counter() - start
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    after = finished[workers - 1]
    return 2 * len(sources) / elapsed, 2 * (len(sources) - workers) / (finished[-1] - after)


def bench_cli(signed: bool, runs: int, ahead: str = "") -> tuple[float, float]:
    """Median seconds of one whole `kzdocs render` process for one PDF, wall and CPU (the
    process and its children), after one run not counted. Python caches bytecode as it does by
    default (PYTHONDONTWRITEBYTECODE, if set here, is unset for these runs): an installed kzdocs
    does not recompile its modules at every call. `ahead`: KZDOCS_PDF_AHEAD for the runs ("":
    as shipped, the PDF engine in a child when a core is free; "0": all in one process)."""
    kzdocs = Path(sys.executable).with_name("kzdocs")
    args = [str(kzdocs), "render", str(ROOT / "fixtures" / f"{WHEAT}.json"), "--format", "pdf"]
    if signed:
        args += ["--sign", str(KEY), "--signed-at", SIGNED_AT.isoformat()]
    env = {**os.environ, "KZDOCS_KEY_PASSWORD": PASSWORD, "KZDOCS_PDF_AHEAD": ahead}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    wall, cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs + 1):
            before = _children_cpu()
            start = time.perf_counter()
            subprocess.run([*args, "-o", f"{folder}/{i}.pdf"], env=env, check=True)
            wall.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - before)
    return statistics.median(wall[1:]), statistics.median(cpu[1:])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_install() -> float:
    """Seconds of `pip install -e .` into a fresh venv (pip's cache as it is: warm here)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "venv", folder], check=True)
        pip = [str(Path(folder) / "bin" / "python"), "-m", "pip", "install", "-q"]
        start = time.perf_counter()
        done = subprocess.run([*pip, "-e", str(ROOT)], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"pip install failed:\n{done.stderr}")
        return time.perf_counter() - start


def _ratio(figures: dict[str, float], over: str, under: str) -> str:
    wall = figures[f"{over}_ms"] / figures[f"{under}_ms"]
    cpu = figures[f"{over}_cpu_ms"] / figures[f"{under}_cpu_ms"]
    return f"{wall:.2f}× ({cpu:.2f}×)"


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-install", action="store_true", help="skip the install timing")
    args = parser.parse_args()
    n, memory_docs, rounds = (8, 200, 1) if args.quick else (20, 1000, 3)
    print(f"load average (1, 5, 15 min) before: {_load()} on {os.cpu_count()} cores", flush=True)
    records = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES]
    wheat = next(r for r, p in zip(records, FIXTURES, strict=True) if p.stem == WHEAT)
    rows: list[tuple[str, str, str]] = []

    speed = bench_validate_html(records, repeat=max(n, 20))
    xml = bench_xml(records, repeat=max(n, 20))
    rows += [
        ("validate, per record", f"{speed['validate_us']:.0f} µs", ""),
        ("validate + HTML, per record", f"{speed['validate_html_us']:.0f} µs", "≤ 1 000 µs"),
        ("XML + XSD check, per record", f"{xml['to_xml+validate_xml']:.0f} µs", "≤ 1 000 µs"),
    ]

    html, meta, xml_bytes = sample(f"{WHEAT}.json", "kk")
    pdf = bench_pdf(html, meta, n, xml_bytes)
    jobs = [sample(name, lang) for name in SAMPLES for lang in ("kk", "ru")]
    cpu = bench_patches(jobs, rounds=max(3, n // 4))
    public_share = cpu["with the patches"] / cpu["public API only"]
    public_ms = pdf["kzdocs_ms"] / public_share
    rows += [
        ("PDF, plain warm WeasyPrint (HTML(string=…).write_pdf(), licence kk)",
         f"{pdf['naive_ms']:.1f} ms/doc", ""),
        ("PDF, kzdocs (same HTML)", f"{pdf['kzdocs_ms']:.1f} ms/doc", ""),
        ("PDF speed-up over plain WeasyPrint, with the guarded patches (CPU)",
         f"{pdf['ratio']:.2f}× ({pdf['cpu_ratio']:.2f}×)", "≥ 1.6×"),
        ("  the same, public API only (kzdocs scaled by the CPU ratio below)",
         f"{pdf['naive_ms'] / public_ms:.2f}× ({pdf['cpu_ratio'] * public_share:.2f}×)", "≥ 1.6×"),
    ]  # fmt: skip
    for variant, ms in cpu.items():
        rows.append((f"  licence, permit, refusal kk+ru, {variant}", f"{ms:.1f} CPU ms/doc", ""))

    signed = bench_signed(wheat, n)
    rows += [
        ("licence PDF, render(), unsigned / signed (CPU)",
         f"{signed['pdf_ms']:.1f} / {signed['signed_pdf_ms']:.1f} ms "
         f"({signed['pdf_cpu_ms']:.1f} / {signed['signed_pdf_cpu_ms']:.1f})", ""),
        ("  signed ÷ unsigned (CPU)", _ratio(signed, "signed_pdf", "pdf"), "≤ 2×"),
        ("licence DOCX, render(), unsigned / signed (CPU)",
         f"{signed['docx_ms']:.1f} / {signed['signed_docx_ms']:.1f} ms "
         f"({signed['docx_cpu_ms']:.1f} / {signed['signed_docx_cpu_ms']:.1f})", ""),
        ("  signed ÷ unsigned (CPU)", _ratio(signed, "signed_docx", "docx"), "≤ 3×"),
        ("licence PDF size, unsigned / signed",
         f"{signed['pdf_bytes'] / 1000:.1f} / {signed['signed_pdf_bytes'] / 1000:.1f} kB", ""),
        ("  signed ÷ unsigned", f"{signed['signed_pdf_bytes'] / signed['pdf_bytes']:.2f}×",
         "≤ 1.6×"),
        ("QR codes of the signed licence", f"{signed['qr_codes']} ({signed['qr_read']})", "≤ 2"),
    ]  # fmt: skip
    document = validate(wheat)
    docx = bench_docx(render_html(document, "kk"), metadata(document, "kk", DEFAULT), n)
    rows.append(("DOCX stage alone (render_docx, licence kk)", f"{docx['median_ms']:.1f} ms", ""))

    docs = 2 * len(ISSUED) * rounds
    for workers in (1, 2):
        for is_signed in (False, True):
            rate, steady = bench_pool(workers, ISSUED, signed=is_signed, rounds=rounds)
            goal = {(2, False): "≥ 40", (2, True): "≥ 25"}.get((workers, is_signed), "")
            label = "signed" if is_signed else "unsigned"
            rows += [
                (f"batch, {workers} worker(s), {docs} {label} PDFs (every issued-document "
                 f"fixture, kk+ru, files)", f"{rate:.1f} docs/s", goal),
                (f"  the same after the first {workers} record(s) (start-up left out)",
                 f"{steady:.1f} docs/s", ""),
            ]  # fmt: skip
    rate, _ = bench_pool(2, FIXTURES, signed=False, rounds=rounds)
    rows.append(
        (f"batch, 2 worker(s), {2 * len(FIXTURES) * rounds} unsigned PDFs (all fixtures, the "
         "applicant's forms too)", f"{rate:.1f} docs/s", "")
    )  # fmt: skip

    runs = 5 if args.quick else 10
    for is_signed, goal in ((False, "≤ 0.5 s"), (True, "≤ 0.7 s")):
        wall, cpu = bench_cli(is_signed, runs)
        label = "signed" if is_signed else "unsigned"
        rows.append(
            (f"CLI, one {label} PDF, whole process, median of {runs} (CPU)",
             f"{wall:.2f} s ({cpu:.2f})", goal)
        )  # fmt: skip
        alone, alone_cpu = bench_cli(is_signed, runs, ahead="0")
        ratio = f"{wall / alone:.2f}× ({cpu / alone_cpu:.2f}×)"
        rows.append(
            ("the same in one process (KZDOCS_PDF_AHEAD=0); as shipped ÷ one process",
             f"{alone:.2f} s ({alone_cpu:.2f}); {ratio}", "")
        )  # fmt: skip

    memory = bench_memory(html, meta, memory_docs, xml_bytes)
    marks = " → ".join(f"{mb:.1f}" for mb in memory.values())
    steps = ", ".join(k.rsplit("_", 1)[1] for k in memory)
    rows.append((f"PDF resident memory after {steps} docs", f"{marks} MB", "flat"))

    sign = bench_sign(xml_bytes, render(wheat, format="pdf"), n)
    rows += [
        ("sign XML (RSA-2048, XMLDSig)", f"{sign['sign_xml_ms']:.1f} ms/doc", ""),
        ("sign PDF (PAdES B-B)", f"{sign['sign_pdf_ms']:.1f} ms/doc", ""),
        ("verify XML / PDF", f"{sign['verify_xml_ms']:.1f} / {sign['verify_pdf_ms']:.1f} ms", ""),
    ]
    rows += prepare_rows(repeat=3 if args.quick else 9)  # bench/prepare_bench.py (issue 11)
    if not args.no_install:
        rows.append(
            ("pip install -e . into a fresh venv (pip cache warm)", f"{bench_install():.1f} s",
             "≤ 45 s")
        )  # fmt: skip
    _print_table(rows)
    print(f"load average (1, 5, 15 min) after: {_load()}")


def _print_table(rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in [("measure", "median", "goal"), *rows]) for i in range(3)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format("measure", "median", "goal"))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


if __name__ == "__main__":
    main()
