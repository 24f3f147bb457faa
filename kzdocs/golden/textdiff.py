"""A change of text told in words: a unified diff of lines and the words removed and added."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kzdocs.golden.text import words

_CONTEXT = 2  # lines of context around a change: enough to recognise the field


@dataclass(frozen=True)
class TextChange:
    """How the text of a golden document differs from the newly rendered one."""

    diff: tuple[str, ...]  # unified diff lines, without the ---/+++ header
    removed: tuple[str, ...]  # words only in the golden text, in order
    added: tuple[str, ...]  # words only in the new text, in order

    @property
    def changed(self) -> bool:
        return bool(self.diff)

    def summary(self, limit: int = 12) -> str:
        """«−Лицензия +Рұқсат»: the changed words, shortened past `limit` words each way."""
        if not self.changed:
            return "text unchanged"
        parts = [f"−{w}" for w in self.removed[:limit]]
        if len(self.removed) > limit:
            parts.append(f"(−{len(self.removed) - limit} more)")
        parts += [f"+{w}" for w in self.added[:limit]]
        if len(self.added) > limit:
            parts.append(f"(+{len(self.added) - limit} more)")
        return " ".join(parts) if parts else "line breaks only"


NO_CHANGE = TextChange((), (), ())


def diff_text(old: list[str], new: list[str]) -> TextChange:
    """The change from the `old` lines to the `new` ones."""
    if old == new:
        return NO_CHANGE
    lines = list(difflib.unified_diff(old, new, n=_CONTEXT, lineterm=""))[2:]  # no ---/+++
    # Hunk headers («@@ -3,5 +3,5 @@») mean nothing to a lawyer: a gap marker is enough.
    diff = tuple("…" if line.startswith("@@") else line for line in lines)
    removed, added = changed_words(old, new)
    return TextChange(diff, removed, added)


def changed_words(old: list[str], new: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words removed from `old` and added in `new`, by a word-level sequence match."""
    before, after = words(old), words(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(before[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(after[j1:j2])
    return tuple(removed), tuple(added)
