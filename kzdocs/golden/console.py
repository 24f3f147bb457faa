"""The text `kzdocs golden check|update` prints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kzdocs.golden.harness import GoldenResult
from kzdocs.golden.report import totals

_DIFF_LINES = 30  # per file in the terminal; the HTML report shows the rest


def format_result(result: GoldenResult, *, diff_lines: int = _DIFF_LINES) -> str:
    """A check result for a terminal: totals, one line per failure, the start of each diff."""
    lines = [totals(result)]
    for outcome in result.failures:
        where = f"{outcome.fixture} {outcome.lang or '--'} {outcome.format}"
        lines.append(f"{outcome.status.upper():8} {where}: {outcome.words}")
        if outcome.status == "orphan":
            lines.append(f"         {outcome.golden}")
        if outcome.status == "changed":
            lines += diff_excerpt(outcome.text.diff, diff_lines)
            for page in outcome.pages:
                regions = f", {len(page.boxes)} changed region(s)" if page.boxes else ""
                lines.append(f"    page {page.number}: {page.text.summary()}{regions}")
    if result.unchecked:
        lines.append(
            f"{len(result.unchecked)} signed golden file(s) not checked: "
            "give --sign KEY.p12 (the test key, e.g. fixtures/sign/dev-rsa.p12) to check them too"
        )
    if result.report is not None:
        lines.append(f"report: {result.report}")
    if not result.ok:
        lines.append("approve the new renderings with: kzdocs golden update")
    return "\n".join(lines)


def diff_excerpt(diff: Sequence[str], limit: int) -> list[str]:
    """The first `limit` lines of a text diff, indented, and how many more there are."""
    lines = [f"    {line}" for line in diff[:limit]]
    if len(diff) > limit:
        lines.append(f"    … {len(diff) - limit} more lines")
    return lines


def format_updated(paths: Sequence[Path]) -> str:
    """The golden files `update` wrote or removed, one a line."""
    if not paths:
        return "golden files are up to date: nothing changed"
    removed = [p for p in paths if not p.exists()]
    lines = [f"updated {len(paths) - len(removed)} golden file(s), removed {len(removed)}:"]
    lines += [f"  {'removed' if p in removed else 'wrote'} {p}" for p in paths]
    return "\n".join(lines)
