"""One preview: the workspace, its panes, its watchers and its templates check; one method per
thing the page asks, each taking and giving plain JSON data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kzdocs.errors import PreviewRequestError
from kzdocs.forms import KINDS, LANGS
from kzdocs.preview.changes import approve
from kzdocs.preview.checks import TemplateChecks
from kzdocs.preview.panes import Panes, View
from kzdocs.preview.watch import Hub, Watcher
from kzdocs.preview.workspace import Workspace


class Preview:
    """What `kzdocs preview` serves; `start()` starts watching, `stop()` ends it."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.hub = Hub()
        self.panes = Panes(workspace)
        self.checks = TemplateChecks(workspace, self.hub, self.panes.lock)
        self.watcher = Watcher(self.hub, self._topic)

    def start(self) -> None:
        self.watcher.watch(self.workspace.watched())
        config = self.workspace.config_file
        if config is not None:
            # The folder, not the file: editors save by writing a new file over the old one.
            only = lambda path: path.name == config.name  # noqa: E731
            self.watcher.watch([config.parent], recursive=False, only=only)
        self.checks.start()

    def stop(self) -> None:
        self.watcher.stop()
        self.checks.stop()

    def _topic(self, path: Path) -> str:
        """Which kind of file changed; a template or configuration also re-runs the check."""
        workspace = self.workspace
        for topic, folder in (("records", workspace.records), ("golden", workspace.golden)):
            if folder is not None and path.resolve().is_relative_to(folder.resolve()):
                return topic
        self.checks.request()
        config = workspace.config_file
        return "config" if config is not None and path.name == config.name else "templates"

    # -- what the page asks ------------------------------------------------------------------

    def state(self, _body: dict[str, Any]) -> dict[str, Any]:
        workspace = self.workspace
        return {
            "kinds": list(KINDS),
            "langs": list(LANGS),
            "records": [entry.as_json() for entry in workspace.entries()],
            "records_folder": str(workspace.records) if workspace.records else None,
            "golden_folder": str(workspace.golden),
            "templates": str(workspace.template_folder() or "the shipped templates"),
            "signed_copies": workspace.key is not None,
            "generation": self.hub.generation,
        }

    def record(self, body: dict[str, Any]) -> dict[str, Any]:
        entry = self.workspace.entry(_text(body, "name"))
        return {"name": entry.name, "text": self.workspace.record_text(entry)}

    def render(self, body: dict[str, Any]) -> dict[str, Any]:
        generation = self.hub.generation  # before rendering: a change during it renders again
        return {**self.panes.render(View.from_json(body)), "generation": generation}

    def problems(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {"problems": self.checks.problems()}

    def approve(self, body: dict[str, Any]) -> dict[str, Any]:
        entry = self.workspace.entry(_text(body, "name"))
        with self.panes.lock:
            written = approve(self.workspace, entry)
        folder = self.workspace.golden / entry.name
        return {
            "written": [str(path) for path in written],
            "folder": str(folder),
            "signed": self.workspace.key is not None,
        }

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        path = self.workspace.save_record(
            _text(body, "name"), _text(body, "text"), overwrite=body.get("overwrite") is True
        )
        return {"name": path.stem, "file": str(path), "errors": self._broken_rules(path)}

    def _broken_rules(self, path: Path) -> int:
        """How many rules the saved record breaks: saving work in progress is allowed, and said."""
        from kzdocs.errors import ValidationError
        from kzdocs.records import load_record
        from kzdocs.schema import validate

        try:
            validate(load_record(path), self.workspace.config())
        except ValidationError as exc:
            return len(exc.errors)
        except Exception:
            return 0  # a broken configuration is the panes' news, not the record's
        return 0


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise PreviewRequestError(f"{key} must be a string, got {type(value).__name__}")
    return value
