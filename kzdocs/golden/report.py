"""The HTML report of a golden check: a summary table, then each change as text and pictures.

One self-contained HTML file (inline CSS, no scripts, no external URLs) beside a `pages/` folder
of PNGs. Fixtures hold untrusted text, so every value goes through Jinja2's autoescaping, and
file names are numbered, never taken from the data.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from kzdocs.golden.harness import STATUSES, GoldenResult, Outcome

_PAGES = "pages"
_OUR_PNG = re.compile(r"\d{3,}-p\d+\.png")
_MAX_DIFF_LINES = 400  # a brand-new document is all additions: show its start, not a novel

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kzdocs golden check</title>
<style>
body { font-family: "Liberation Serif", "Times New Roman", serif; margin: 2em; color: #111; }
table.summary { border-collapse: collapse; margin: 1em 0; }
table.summary th, table.summary td { border: 1px solid #bbb; padding: .25em .6em;
  text-align: left; vertical-align: top; }
.status { font-weight: bold; }
.status-same { color: #2a7a2a; } .status-changed { color: #b35c00; }
.status-new { color: #0b5cad; } .status-orphan, .status-error { color: #b00020; }
pre.diff { background: #f6f6f6; padding: .6em; white-space: pre-wrap; border: 1px solid #ddd; }
pre.diff .del { background: #ffe0e0; color: #900; display: block; }
pre.diff .ins { background: #ddf5dd; color: #060; display: block; }
pre.diff .gap { color: #888; display: block; }
img.page { max-width: 100%; border: 1px solid #ccc; }
.legend { color: #555; }
</style>
</head>
<body>
<h1>kzdocs golden check</h1>
<p class="totals">{{ totals }}</p>
<p class="legend">Each row is one golden file. «−word» was in the approved document and is gone;
«+word» is new. Approve all changes with <code>kzdocs golden update</code>.</p>
<table class="summary">
<thead><tr><th>#</th><th>fixture</th><th>lang</th><th>format</th><th>status</th>
<th>changed words</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="row-{{ row.outcome.status }}">
<td>{{ row.number }}</td><td>{{ row.outcome.fixture }}</td><td>{{ row.outcome.lang or "—" }}</td>
<td>{{ row.outcome.format }}</td>
<td class="status status-{{ row.outcome.status }}">{% if row.detailed
  %}<a href="#case-{{ row.number }}">{{ row.outcome.status }}</a>{% else
  %}{{ row.outcome.status }}{% endif %}</td>
<td>{{ row.outcome.words }}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% for row in rows if row.detailed %}
<section class="case" id="case-{{ row.number }}">
<h2>{{ row.number }}. {{ row.outcome.fixture }} · {{ row.outcome.lang or "—" }} ·
{{ row.outcome.format }} — {{ row.outcome.status }}</h2>
<p>Golden file: <code>{{ row.outcome.golden }}</code></p>
{% if row.outcome.error %}<pre class="diff">{{ row.outcome.error }}</pre>{% endif %}
{% if row.diff %}<pre class="diff">{% for line in row.diff
  %}<span class="{{ line.kind }}">{{ line.text }}</span>{% endfor %}</pre>{% endif %}
{% if row.cut %}<p class="legend">… {{ row.cut }} more lines not shown.</p>{% endif %}
{% for page in row.pages %}
<h3>Page {{ page.number }}</h3>
<p class="legend">Left: approved golden page. Right: new rendering. Red boxes: what changed.</p>
{% if page.image %}<img class="page" src="{{ page.image }}"
  alt="page {{ page.number }}: golden and new side by side">{% endif %}
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def totals(result: GoldenResult) -> str:
    """«40 golden files: 38 same, 1 changed, 1 new»."""
    counts = [f"{result.count(s)} {s}" for s in reversed(STATUSES) if result.count(s)]
    return f"{len(result.outcomes)} golden files: " + (", ".join(counts) or "none")


def write_report(result: GoldenResult, report_dir: Path) -> Path:
    """Write `index.html` and page pictures into `report_dir`; return the index path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    pages_dir = report_dir / _PAGES
    pages_dir.mkdir(exist_ok=True)
    for stale in pages_dir.iterdir():
        if _OUR_PNG.fullmatch(stale.name):
            stale.unlink()
    rows = [_row(number, outcome, pages_dir) for number, outcome in enumerate(result.outcomes, 1)]
    html = _environment().from_string(_TEMPLATE).render(rows=rows, totals=totals(result))
    index = report_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index


def _row(number: int, outcome: Outcome, pages_dir: Path) -> dict:
    lines = [_line(text) for text in outcome.text.diff]
    pages = []
    for page in outcome.pages:
        image = None
        if page.image is not None:
            name = f"{number:03d}-p{page.number}.png"
            (pages_dir / name).write_bytes(page.image)
            image = f"{_PAGES}/{name}"
        pages.append({"number": page.number, "image": image})
    return {
        "number": number,
        "outcome": outcome,
        "detailed": outcome.status in ("changed", "new", "error"),
        "diff": lines[:_MAX_DIFF_LINES],
        "cut": max(0, len(lines) - _MAX_DIFF_LINES),
        "pages": pages,
    }


def _line(text: str) -> dict[str, str]:
    kind = {"-": "del", "+": "ins", "…": "gap"}.get(text[:1], "same")
    return {"kind": kind, "text": text}
