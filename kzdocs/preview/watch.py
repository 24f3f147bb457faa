"""Saving a file is an event for the page: watchfiles watches the template folder (words files
included), the records, the golden files and the configuration file, and a hub hands each
change to every open page (server-sent events), numbered so none is missed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Topics = frozenset[str]


class Hub:
    """The latest change, numbered; each page waits for a number newer than the one it saw."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.generation = 0
        self._topics: dict[int, Topics] = {}

    def publish(self, topics: Iterable[str]) -> int:
        with self._changed:
            self.generation += 1
            self._topics[self.generation] = frozenset(topics)
            self._topics.pop(self.generation - 100, None)  # a page more than 100 behind reloads
            self._changed.notify_all()
            return self.generation

    def wait(self, seen: int, timeout: float) -> tuple[int, Topics]:
        """The newest generation after `seen` and every topic since, or `seen` after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation > seen, timeout)
            latest = self.generation
            since = range(seen + 1, latest + 1)
            topics = frozenset().union(*(self._topics.get(g, {"all"}) for g in since))
            return latest, topics


class Watcher:
    """A thread per set of paths, publishing which kinds of file changed."""

    def __init__(self, hub: Hub, topic_of: Callable[[Path], str]):
        self.hub = hub
        self.topic_of = topic_of
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def watch(
        self,
        paths: list[Path],
        *,
        recursive: bool = True,
        only: Callable[[Path], bool] | None = None,
    ) -> None:
        """Start watching `paths` (`only`: the files that count)."""
        if not paths:
            return
        thread = threading.Thread(
            target=self._run,
            args=(paths, recursive, only),
            name="kzdocs-preview-watch",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self, paths: list[Path], recursive: bool, only: Callable[[Path], bool] | None) -> None:
        import watchfiles

        usual = watchfiles.DefaultFilter()  # editors' swap and backup files do not count

        def counts(change: Any, path: str) -> bool:
            return usual(change, path) and (only is None or only(Path(path)))

        for changes in watchfiles.watch(
            *paths,
            recursive=recursive,
            watch_filter=counts,
            stop_event=self._stop,
            step=20,
            raise_interrupt=False,
        ):
            self.hub.publish({self.topic_of(Path(path)) for _change, path in changes})
