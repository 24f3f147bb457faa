"""Render time of the worst valid record of every kind: `python bench/worst_case_bench.py`.

Every text at its maximum length without a space, every list at its longest (tests/worst_case.py
builds them); the goal is ≤ 2 s per PDF. CPU time is quoted beside wall time: on a shared,
loaded machine the wall time says more about the neighbours than about kzdocs.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pypdf import PdfReader  # noqa: E402
from worst_case import SAMPLES, worst_case  # noqa: E402

from kzdocs.render import render  # noqa: E402
from kzdocs.schema import validate  # noqa: E402

GOAL_S = 2.0


def _timed(document, lang: str, format: str) -> tuple[float, float, bytes]:
    start, start_cpu = time.perf_counter(), time.process_time()
    data = render(document, lang=lang, format=format)
    return time.process_time() - start_cpu, time.perf_counter() - start, data


def bench(repeat: int, format: str) -> list[tuple[str, float, float, int]]:
    """(kind/lang, median CPU s, median wall s, pages) per kind and language, and the
    wheat licence fixture for scale."""
    wheat = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
    cases = {"fixture: wheat licence/kk": (validate(wheat), "kk")}
    for kind in sorted(SAMPLES):
        for lang in ("kk", "ru"):
            cases[f"worst {kind}/{lang}"] = (validate(worst_case(kind)), lang)
    rows = []
    for name, (document, lang) in cases.items():
        _timed(document, lang, format)  # warm-up
        runs = [_timed(document, lang, format) for _ in range(repeat)]
        pages = len(PdfReader(io.BytesIO(runs[0][2])).pages) if format == "pdf" else 0
        cpu, wall = (statistics.median(run[i] for run in runs) for i in (0, 1))
        rows.append((name, cpu, wall, pages))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="pdf", choices=("pdf", "docx", "html"))
    args = parser.parse_args()
    print("| record | CPU s | wall s | pages | goal (CPU) |\n|---|---|---|---|---|")
    for name, cpu, wall, pages in bench(args.repeat, args.format):
        verdict = "ok" if cpu <= GOAL_S else "OVER"
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {pages} | ≤ {GOAL_S:.0f} s {verdict} |")


if __name__ == "__main__":
    main()
