"""What changed since a record was approved: its golden HTML against the current rendering,
word by word, with the golden harness' comparison and text; and approving a record."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from kzdocs.golden import compare, document_text, golden_name, update
from kzdocs.golden.text import words
from kzdocs.preview.workspace import RecordEntry, Workspace

Op = list[str]  # [op, text]: op is "same", "del" (only in the approved copy) or "ins" (new)
NEWLINE = "\n"


def golden_file(workspace: Workspace, entry: RecordEntry, lang: str, signed: bool) -> Path | None:
    """The approved HTML of a record in a language (None for a built-in sample)."""
    if entry.path is None:
        return None
    return workspace.golden / entry.name / golden_name(lang, "html", "signed" if signed else None)


def golden_state(golden: Path | None, html: bytes) -> dict[str, Any]:
    """How the rendering compares with its approved copy, in a few words."""
    if golden is None:
        return {
            "status": "none",
            "summary": "no approved copy: a built-in sample, or a record shown as its application",
        }
    expected = golden.read_bytes() if golden.is_file() else None
    status, text, _ = compare(expected, html, "html")
    summary = {
        "same": "the same as the approved copy",
        "new": "no approved copy yet",
        "changed": f"changed since approved: {text.summary()}",
    }[status]
    return {"status": status, "summary": summary, "file": str(golden)}


def word_diff(golden: Path | None, html: bytes) -> list[Op]:
    """The current text word by word, with the approved copy's removed words in between."""
    old = document_text(golden.read_bytes(), "html") if golden and golden.is_file() else []
    before, after = _tokens(old), _tokens(document_text(html, "html"))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(ops, "same", after[j1:j2])
            continue
        _add(ops, "del", before[i1:i2])
        _add(ops, "ins", after[j1:j2])
    return ops


def _tokens(lines: list[str]) -> list[str]:
    return [token for line in lines for token in (*words([line]), NEWLINE)]


def _add(ops: list[Op], op: str, tokens: list[str]) -> None:
    """Runs of one op joined into one text: a line break stays a token of its own."""
    for token in tokens:
        if token != NEWLINE and ops and ops[-1][0] == op and ops[-1][1] != NEWLINE:
            ops[-1][1] += " " + token
        else:
            ops.append([op, token])


def approve(workspace: Workspace, entry: RecordEntry) -> list[Path]:
    """Write the golden files of this record only (every language and format, and signed with
    `--sign`'s key); the files whose bytes changed."""
    from kzdocs.errors import PreviewRequestError

    if entry.path is None or workspace.records is None:
        raise PreviewRequestError(
            "a built-in sample has no golden files: save it as a record first"
        )
    # The applicants' keys as `kzdocs golden` finds them: none is made up for a golden file.
    signer = workspace.golden_keys() if workspace.key is not None else None
    return update(
        workspace.records,
        workspace.golden,
        names=[entry.name],
        config=workspace.config(),
        signer=signer,
    )
