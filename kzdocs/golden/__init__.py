"""Golden files: approved renderings of the fixtures, and a check that explains any change.

result = check("fixtures", "tests/golden", report_dir="out/report")
print(format_result(result))
update("fixtures", "tests/golden")   # approve: rewrite what changed
"""

from kzdocs.golden.cases import FORMATS, LANGS, Case, golden_name, plan
from kzdocs.golden.console import format_result, format_updated
from kzdocs.golden.harness import GoldenResult, Outcome, check, compare, update
from kzdocs.golden.pdfdiff import PageDiff
from kzdocs.golden.text import document_text
from kzdocs.golden.textdiff import TextChange, diff_text

__all__ = [
    "FORMATS",
    "LANGS",
    "Case",
    "GoldenResult",
    "Outcome",
    "PageDiff",
    "TextChange",
    "check",
    "compare",
    "diff_text",
    "document_text",
    "format_result",
    "format_updated",
    "golden_name",
    "plan",
    "update",
]
