"""``kb serve``: build, serve with live reload, and regenerate pages when a record changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..config import Settings


class _Debounced(FileSystemEventHandler):
    """Runs ``action`` once after a burst of changes has settled."""

    def __init__(self, action: Callable[[], None], delay: float = 0.3) -> None:
        self._action = action
        self._delay = delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._delay, self._action)
            self._timer.daemon = True
            self._timer.start()


def serve(settings: Settings, regenerate: Callable[[], None], dev_addr: str | None) -> None:
    """Regenerate on record changes; MkDocs's own server rebuilds and reloads the browser."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    observer = Observer()
    observer.schedule(_Debounced(regenerate), str(Path(settings.content)), recursive=True)
    observer.start()
    try:
        mkdocs_serve(
            config_file=str(settings.mkdocs_file),
            livereload=True,
            dev_addr=dev_addr,
            docs_dir=str(settings.docs_dir.resolve()),
            # Serve at the root of the local address, whatever path site_url has.
            site_url="",
        )
    finally:
        observer.stop()
        observer.join()
