"""``kb serve``: build, serve with live reload, and regenerate pages when a record changes."""

from __future__ import annotations

import logging
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


def _not_the_dirty_build_warning(record: logging.LogRecord) -> bool:
    # MkDocs warns that a dirty build may leave navigation inaccurate; here it cannot
    # (see below), and a warning on every rebuild would hide the ones that matter.
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def serve(settings: Settings, regenerate: Callable[[], None], dev_addr: str | None) -> None:
    """Regenerate on record changes; MkDocs's own server rebuilds and reloads the browser."""
    import mkdocs.commands.serve
    from mkdocs.commands.serve import serve as mkdocs_serve

    from ..prerendered import load_kb_config

    logging.getLogger("mkdocs.commands.build").addFilter(_not_the_dirty_build_warning)
    # MkDocs's server loads the configuration itself, for the first build and each
    # rebuild; it gets the one kb builds with (prerendered.py), which gives the same
    # pages sooner. Set here, for this command only, and put back after.
    observer = Observer()
    observer.schedule(_Debounced(regenerate), str(Path(settings.content)), recursive=True)
    observer.start()
    mkdocs_load_config = mkdocs.commands.serve.load_config
    mkdocs.commands.serve.load_config = load_kb_config
    try:
        mkdocs_serve(
            config_file=str(settings.mkdocs_file),
            livereload=True,
            # After the first build, MkDocs rebuilds only the pages whose Markdown changed:
            # a page's HTML depends on nothing else (the navigation is a few fixed
            # sections, and search has its own index), so this is the site a full build
            # would give, in seconds rather than minutes on a large knowledge base. A
            # deleted page's old HTML is still served until kb serve is restarted.
            build_type="dirty",
            dev_addr=dev_addr,
            docs_dir=str(settings.docs_dir.resolve()),
            # Serve at the root of the local address, whatever path site_url has.
            site_url="",
        )
    finally:
        mkdocs.commands.serve.load_config = mkdocs_load_config
        observer.stop()
        observer.join()
