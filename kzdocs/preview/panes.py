"""Both panes of the page: one record in Kazakh and in Russian, in the view asked for; when
something fails, what went wrong above the last good rendering of that pane, dimmed."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from kzdocs.errors import PreviewRequestError, RecordFileError, ValidationError
from kzdocs.forms import LANGS
from kzdocs.pairs import AS_CHOICES
from kzdocs.prepared import PreparedRecord
from kzdocs.preview.changes import golden_file, golden_state, word_diff
from kzdocs.preview.documents import prepare_record
from kzdocs.preview.failures import explain
from kzdocs.preview.pages import page_images
from kzdocs.preview.workspace import SAMPLE, RecordEntry, Workspace
from kzdocs.records import MAX_RECORD_BYTES, load_record, parse_record
from kzdocs.templatecheck import sample_record

VIEWS = ("html", "pages", "changes")
Pane = dict[str, Any]


@dataclass(frozen=True)
class View:
    """What the page asks for: a record (its text if edited in the page), a view, signed or not."""

    name: str
    view: str = "html"
    signed: bool = False
    text: str | None = None
    as_: str | None = None  # "application": a licence or permit as its applicant's form

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> View:
        name, view, text = body.get("name"), body.get("view", "html"), body.get("text")
        if not isinstance(name, str) or view not in VIEWS:
            raise PreviewRequestError(f"name must be a record and view one of {', '.join(VIEWS)}")
        if text is not None and (not isinstance(text, str) or len(text) > MAX_RECORD_BYTES):
            raise PreviewRequestError(f"text must be a record of at most {MAX_RECORD_BYTES} bytes")
        as_ = body.get("as")
        if as_ is not None and as_ not in AS_CHOICES:
            raise PreviewRequestError(f"as must be one of {', '.join(AS_CHOICES)} or absent")
        return cls(name, view, bool(body.get("signed")), text, as_)


class Panes:
    """Renders the panes, one request at a time, and keeps each pane's last good rendering."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.lock = threading.Lock()  # WeasyPrint and the signer are not for concurrent use
        self._last_good: dict[tuple[Any, ...], Pane] = {}

    def render(self, view: View) -> dict[str, Any]:
        """`{"panes": {"kk": …, "ru": …}, "record_errors": […]}` for the page."""
        entry = self.workspace.entry(view.name)
        with self.lock:
            config = None
            try:
                config = self.workspace.config()
                signer = self.workspace.signer if view.signed else None
                prepared = prepare_record(_record(entry, view.text), config, signer, view.as_)
            except Exception as exc:  # the server never dies of a bad record or configuration
                panes = {lang: self._failed(entry, view, lang, exc, config) for lang in LANGS}
                return {"panes": panes, "record_errors": _record_errors(exc)}
            panes = {lang: self._pane(entry, view, lang, prepared) for lang in LANGS}
            return {"panes": panes, "record_errors": []}

    def _pane(self, entry: RecordEntry, view: View, lang: str, prepared: PreparedRecord) -> Pane:
        try:
            pane = self._content(entry, view, lang, prepared)
        except Exception as exc:
            return self._failed(entry, view, lang, exc, prepared.config)
        self._last_good[_key(entry, view, lang)] = pane
        return {**pane, "errors": [], "stale": False}

    def _content(self, entry: RecordEntry, view: View, lang: str, prepared: PreparedRecord) -> Pane:
        html = prepared.render(lang, "html")
        # The applicant's form of a record has no approved copy of its own.
        golden = None if view.as_ else golden_file(self.workspace, entry, lang, view.signed)
        pane: Pane = {"golden": golden_state(golden, html)}
        if view.view == "html":
            pane["html"] = html.decode("utf-8")
        elif view.view == "pages":
            pane["pages"] = page_images(prepared.pdf(lang))
        else:
            pane["diff"] = word_diff(golden, html)
        return pane

    def _failed(self, entry: RecordEntry, view: View, lang: str, exc: Exception, config) -> Pane:
        last = self._last_good.get(_key(entry, view, lang), {})
        return {**last, "errors": explain(exc, lang, config), "stale": bool(last)}


def _key(entry: RecordEntry, view: View, lang: str) -> tuple[Any, ...]:
    return (entry.name, view.view, view.signed, view.as_, lang)


def _record(entry: RecordEntry, text: str | None) -> dict[str, Any]:
    if text is not None:
        return parse_record(text, "the record in the editor")
    if entry.path is None:
        return sample_record(entry.name.removeprefix(SAMPLE))
    return load_record(entry.path)


def _record_errors(exc: Exception) -> list[dict[str, Any]]:
    """The editor's per-field marks: every broken rule, or where the JSON stops parsing."""
    if isinstance(exc, ValidationError):
        return [error.as_json() for error in exc.errors]
    if isinstance(exc, RecordFileError):
        return [{"field": None, "path": "", "message": exc.reason, "label_kk": "", "label_ru": ""}]
    return []
