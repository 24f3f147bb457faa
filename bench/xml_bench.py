"""Micro-benchmark of the XML stage: `python bench/xml_bench.py [records.json …]`.

Goal: writing the XML and checking it against the XSD takes at most 1 ms per record.
"""

from __future__ import annotations

import glob
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kzdocs.schema import Document, validate
from kzdocs.xml import to_xml, validate_xml


def bench_xml(records: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """Median µs per record of `to_xml` and of `to_xml` + `validate_xml`, over `repeat` passes
    through all records (validation of the records themselves is not timed)."""
    documents = [validate(record) for record in records]
    for document in documents:  # warm up: the XSDs are parsed once, on first use
        validate_xml(to_xml(document))

    def write(document: Document) -> None:
        to_xml(document)

    def write_and_check(document: Document) -> None:
        validate_xml(to_xml(document), document.kind)

    return {
        "to_xml": _median_us(write, documents, repeat),
        "to_xml+validate_xml": _median_us(write_and_check, documents, repeat),
    }


def _median_us(step: Callable[[Document], None], documents: list[Document], repeat: int) -> float:
    per_record = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for document in documents:
            step(document)
        per_record.append((time.perf_counter_ns() - start) / len(documents) / 1000)
    return statistics.median(per_record)


def main(paths: list[str]) -> None:
    paths = paths or sorted(glob.glob("fixtures/*.json"))
    records = [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths]
    for name, micros in bench_xml(records, repeat=200).items():
        print(f"{name:22} {micros:8.1f} µs per record ({len(records)} records)")


if __name__ == "__main__":
    main(sys.argv[1:])
