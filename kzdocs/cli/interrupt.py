"""A batch on the command line: stopped cleanly by Ctrl-C or SIGTERM, summed up either way."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kzdocs.batch import Outcome, ProgressBar
from kzdocs.cli.common import EXIT_INVALID, EXIT_OK


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: a BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` once; a second signal while the batch stops is
    ignored, so the stopping is never cut short. The previous handlers come back after."""
    raised = False

    def handler(signum: int, frame: object) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@dataclass
class Summary:
    """What a batch did, counted from the outcomes as they arrive: files written (exactly the
    files it put on disk), already there, records failed, interrupted and not started."""

    out_dir: Path
    total: int
    progress: ProgressBar
    outcomes: list[Outcome] = field(default_factory=list)

    def __call__(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if not outcome.interrupted:
            self.progress(outcome)

    def report(self, stream: TextIO) -> int:
        """Print each failure and the totals; the exit code of a batch that ran to its end."""
        for outcome in self.outcomes:
            if not outcome.ok and not outcome.interrupted:
                print(f"{outcome.source}: {outcome.error}", file=stream)
                for line in outcome.details:
                    print(f"  - {line}", file=stream)
        print(self.line(), file=stream)
        failed = sum(not o.ok for o in self.outcomes)
        return EXIT_INVALID if failed else EXIT_OK

    def line(self) -> str:
        written = sum(len(o.written) for o in self.outcomes)
        failed = sum(not o.ok and not o.interrupted for o in self.outcomes)
        line = f"{written} document(s) written to {self.out_dir}; {failed} record(s) failed"
        skipped = sum(len(o.skipped) for o in self.outcomes)
        if skipped:
            line += f"; {skipped} document(s) already there"
        interrupted = sum(o.interrupted for o in self.outcomes)
        if interrupted or len(self.outcomes) < self.total:
            line += (
                f"; interrupted: {interrupted} record(s) unfinished, "
                f"{self.total - len(self.outcomes)} not started"
            )
        return line
