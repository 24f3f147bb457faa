"""Time to answer hostile records: `python bench/hostile_bench.py [--repeat N]`.

Each case is a record from a file (JSON text parsed by kzdocs.records) or from Python, up to
the 1 MB size limit; the answer is a Document or a ValidationError (a RecordFileError for text
that is no record). Prints the median per case against the 50 ms goal.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kzdocs.errors import RecordFileError, ValidationError
from kzdocs.records import MAX_RECORD_BYTES, parse_record
from kzdocs.schema import Text, validate

ROOT = Path(__file__).resolve().parent.parent
WHEAT = json.loads((ROOT / "fixtures" / "license-export-wheat.json").read_text("utf-8"))
GOAL_MS = 50.0


def _text_with(raw: str) -> Callable[[], Any]:
    """A file-borne record: the wheat licence's JSON with `raw` ("key": value) in place."""
    keys = set(re.findall(r'"(\w+)": ', raw))
    rest = json.dumps({k: v for k, v in WHEAT.items() if k not in keys})
    data = (rest[:-1] + ", " + raw + "}").encode("utf-8")
    return lambda: parse_record(data)


def _python_with(**changes: Any) -> Callable[[], Any]:
    return lambda: {**WHEAT, **changes}


def _deep(levels: int) -> list:
    outer = inner = []
    for _ in range(levels):
        inner.append([])
        inner = inner[0]
    return outer


def cases() -> dict[str, Callable[[], Any]]:
    filler = MAX_RECORD_BYTES - 2_000
    return {
        "file: value 1e999999999": _text_with('"value": 1e999999999'),
        "file: four such values": _text_with(
            '"value": 1e999999999, "statistical_value": 1e999999999, '
            '"quantity": 1e999999999, "zzz": 1e999999999'
        ),
        "file: exponent 999999999999999999": _text_with('"value": 1e999999999999999999'),
        "file: 10^5 nested [": lambda: parse_record("[" * 100_000),
        "file: value nested 900 deep": _text_with('"zzz": ' + "[" * 900 + "]" * 900),
        "file: lone surrogate": _text_with('"additional_info": "a\\ud800b"'),
        "file: 1 MB of digits": _text_with('"value": ' + "9" * filler),
        "file: 1 MB text": _text_with('"additional_info": "' + "Ш" * (filler // 2) + '"'),
        "file: 1 MB of basis lines": _text_with(
            '"basis": [' + ",".join(['"' + "a" * 98 + '"'] * (filler // 101)) + "]"
        ),
        "python: 10**5000": _python_with(value=10**5000),
        "python: Decimal 1e999999999": _python_with(value=Decimal("1e999999999")),
        "python: datetime": _python_with(issued_on=datetime(2026, 3, 2, 10)),
        "python: date(1, 1, 1)": _python_with(issued_on=date(1, 1, 1)),
        "python: list 3000 deep": _python_with(basis=_deep(3000)),
        "python: Text('', '\\x00')": _python_with(additional_info=Text("", "\x00")),
        "valid: wheat licence": _python_with(),
    }


def answer(make: Callable[[], Any]) -> str:
    try:
        validate(make())
    except ValidationError as exc:
        return f"ValidationError ({exc.errors[0].rule})"
    except RecordFileError:
        return "RecordFileError"
    return "Document"


def bench(repeat: int) -> list[tuple[str, float, float, str]]:
    """(case, median CPU ms, median wall ms, answer); CPU time is what a loaded machine does
    not inflate."""
    rows = []
    for name, make in cases().items():
        outcome = answer(make)  # warm-up
        cpu, wall = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            answer(make)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
        rows.append((name, statistics.median(cpu), statistics.median(wall), outcome))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    print("| hostile record | CPU ms | wall ms | goal (CPU) | answer |\n|---|---|---|---|---|")
    for name, cpu, wall, outcome in bench(args.repeat):
        verdict = "ok" if cpu <= GOAL_MS else "OVER"
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | ≤ {GOAL_MS:.0f} ms {verdict} | {outcome} |")


if __name__ == "__main__":
    main()
