"""`kzdocs templates check` run again after every change of the templates or configuration, in
the background and after the panes: it waits a moment, then takes the panes' lock, so it never
slows the rendering the lawyer is waiting for. Each pane shows the problems of its kind and
language."""

from __future__ import annotations

import threading
import time
from typing import Any

from kzdocs.preview.watch import Hub
from kzdocs.preview.workspace import Workspace


class TemplateChecks:
    """The latest templates check; `request()` asks for a new one (requests coalesce)."""

    DELAY = 0.3  # seconds: the page asks for its rendering within this after a change

    def __init__(self, workspace: Workspace, hub: Hub, lock: threading.Lock):
        self.workspace = workspace
        self.hub = hub
        self.lock = lock
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._problems: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._run, name="kzdocs-preview-check", daemon=True)

    def start(self) -> None:
        self._wanted.set()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        self._thread.join(timeout=10)

    def request(self) -> None:
        self._wanted.set()

    def problems(self) -> list[dict[str, Any]]:
        return list(self._problems)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wanted.wait()
            time.sleep(self.DELAY)
            self._wanted.clear()
            if self._stop.is_set():
                return
            with self.lock:
                self._problems = self._check()
            self.hub.publish({"problems"})

    def _check(self) -> list[dict[str, Any]]:
        from kzdocs.templatecheck import check_templates

        try:
            problems = check_templates(self.workspace.config().templates)
        except Exception as exc:  # a broken configuration is shown by the panes already
            return [
                {
                    "kind": None,
                    "lang": None,
                    "field": None,
                    "template": None,
                    "message": f"the templates cannot be checked: {exc}",
                }
            ]
        return [
            {
                "kind": p.kind,
                "lang": p.lang,
                "field": p.field,
                "template": p.template,
                "message": p.message,
            }
            for p in problems
        ]
