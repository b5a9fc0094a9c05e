"""``kb serve``: build, serve with live reload, and update the site when a record changes.

MkDocs's own server would start every rebuild over: read the configuration, list and
read every page, render those whose files are newer. Here the site is kept by one
``LiveSite`` (live.py) for the life of the command: after a change of the records,
the pages are written again from them and only the files that changed are built,
then the browsers reload. MkDocs's live-reload server serves the result.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, ConfigurationError
from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..config import Settings
from ..live import LiveSite
from ..prerendered import load_kb_config
from ..site import mkdocs_logging
from ..write import WriteReport

#: how long after a build the browsers have had to reload, in seconds
IDLE_AFTER = 0.25


class ServeError(Exception):
    """The site cannot be served: the address is taken, or no longer reachable."""


class Server:
    """``kb serve``: the address is checked and the way of watching chosen when made,
    before any page is generated, so that a taken port is told at once."""

    def __init__(self, settings: Settings, dev_addr: str | None, poll: bool = False) -> None:
        self._settings = settings
        self._options = {"dev_addr": dev_addr} if dev_addr else {}
        # Only the address and the theme are read here. The generated folder may not exist
        # yet (a fresh clone), and MkDocs refuses a docs_dir that does not, so an empty
        # folder stands in for it.
        with mkdocs_logging() as log, tempfile.TemporaryDirectory() as nothing_yet:
            try:
                first = load_kb_config(
                    config_file=str(settings.mkdocs_file), docs_dir=nothing_yet, **self._options
                )
            except (Abort, ConfigurationError) as exc:  # an address that is none, say
                said = [m.removeprefix("error: ") for m in log.messages if m.startswith("error")]
                raise ServeError(f"cannot serve: {'; '.join(said) or exc}") from None
        self.host, self.port = first.dev_addr
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.address = f"{host}:{self.port}"
        self.url = f"http://{self.address}/"
        _check_free(self.host, self.port, self.address)
        self._watched = _Watched(settings, first.theme.custom_dir)
        self._observer = _observer(self._watched.paths, poll)

    def run(
        self,
        regenerate: Callable[[], WriteReport | None],
        idle: Callable[[], None] = lambda: None,
    ) -> None:
        """Serve until interrupted; ``regenerate`` writes the pages again from the records
        and says which files it wrote and removed (None when the records have errors,
        which it has reported: the pages served stay as they were). ``idle`` is called
        after each build, once the browsers have been told to reload: what can wait
        until then (freeing a build's garbage) waits."""
        site_dir = tempfile.mkdtemp(prefix="kb-serve-")
        try:
            self._serve(site_dir, regenerate, idle)
        finally:
            shutil.rmtree(site_dir, ignore_errors=True)

    def _serve(
        self,
        site_dir: str,
        regenerate: Callable[[], WriteReport | None],
        idle: Callable[[], None],
    ) -> None:
        def make_config() -> MkDocsConfig:
            config = load_kb_config(
                config_file=str(self._settings.mkdocs_file),
                docs_dir=str(self._settings.docs_dir.resolve()),
                site_dir=site_dir,
                site_url="",
                **self._options,
            )
            config.site_url = self.url  # pages link to where they are served, at its root
            return config

        live = LiveSite(make_config, serve_url=self.url)
        watched = self._watched

        def rebuild() -> None:
            started = time.perf_counter()
            written = regenerate()  # records may have changed with the configuration
            if watched.changed():  # mkdocs.yml or the theme: every page may change
                _report(live.build, started)
            elif written is not None:
                _report(lambda: live.update(written.written_files, written.removed_files), started)
            # The server tells the browsers to reload when this returns.
            later = threading.Timer(IDLE_AFTER, idle)
            later.daemon = True
            later.start()

        server = LiveReloadServer(builder=rebuild, host=self.host, port=self.port, root=site_dir)
        server.observer = self._observer
        server.error_handler = lambda code: _error_page(Path(site_dir), code)
        # Stopped by a signal as by Ctrl-C, so that the served folder is removed either way.
        signal.signal(signal.SIGTERM, _interrupt)
        _report(live.build, time.perf_counter(), quiet=True)
        idle()
        for path in watched.paths:
            server.watch(str(path))
        click.echo(f"Serving on {self.url}", err=True)
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        except OSError as exc:  # the port taken since it was checked, or a watch refused
            raise ServeError(f"cannot serve on {self.address}: {exc.strerror or exc}") from None
        finally:
            server.shutdown()


def _check_free(host: str, port: int, address: str) -> None:
    """Bind the address as the server will, so that a taken port stops the command before
    the pages are generated rather than after."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server does
        try:
            probe.bind((host, port))
        except (OSError, OverflowError) as exc:  # taken; no such port
            reason = getattr(exc, "strerror", None) or str(exc).removeprefix("bind(): ").rstrip(".")
            raise ServeError(f"cannot serve on {address}: {reason}") from None


def _observer(paths: list[Path], poll: bool) -> BaseObserver:
    """The system's file notifications where they can watch ``paths``; polling, as
    MkDocs's own server does, when asked or when they cannot (a limit of the system
    reached, or a file system that sends none)."""
    if not poll:
        try:
            _try_notifications(paths)
            return _Notified()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            click.echo(f"note: watching by polling; file notifications failed: {reason}", err=True)
    return _Polled(timeout=0.5)


def _try_notifications(paths: list[Path]) -> None:
    """Watch ``paths`` once and stop: the system refuses an instance or a watch here,
    with OSError, rather than in the server's thread once it serves."""
    probe = _Notified()
    try:
        for path in paths:
            probe.schedule(FileSystemEventHandler(), str(path), recursive=True)
        probe.start()
    finally:
        probe.stop()
        if probe.is_alive():
            probe.join()


class _ChangesOnly(BaseObserver):
    """Reports files written, made, moved or deleted; not files opened or read, as
    regenerating the pages does with every record."""

    def schedule(self, handler: FileSystemEventHandler, path: str, **options: Any) -> Any:
        return super().schedule(_Changes(handler), path, **options)


class _Notified(_ChangesOnly, Observer):  # type: ignore[misc,valid-type]
    pass


class _Polled(_ChangesOnly, PollingObserver):
    pass


class _Changes(FileSystemEventHandler):
    def __init__(self, handler: FileSystemEventHandler) -> None:
        self._handler = handler

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("opened", "closed_no_write"):
            self._handler.dispatch(event)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _report(build: Callable[[], int | None], started: float, quiet: bool = False) -> None:
    """Run a build of the site and say what it did, or what stopped it."""
    with mkdocs_logging() as log:
        try:
            built = build()
        except (Abort, BuildError, ConfigurationError) as exc:
            log.messages.append(f"error: {exc}")
            built = -1
    for message in log.messages:
        click.echo(message, err=True)
    if built == -1:
        click.echo("Site not updated; fix the errors above.", err=True)
    elif not quiet:
        what = "the whole site" if built is None else f"{built} page{'s' * (built != 1)}"
        click.echo(f"Rebuilt {what} in {time.perf_counter() - started:.2f} s", err=True)


class _Watched:
    """The content folder, mkdocs.yml and the theme override: what a change can come from."""

    def __init__(self, settings: Settings, custom_dir: str | None) -> None:
        self.configuration = [settings.mkdocs_file.resolve()]
        if custom_dir:
            self.configuration.append(Path(custom_dir).resolve())
        self.paths = [Path(settings.content).resolve(), *self.configuration]
        self._digest = self._configuration_digest()

    def changed(self) -> bool:
        """Whether mkdocs.yml or the theme changed since last asked."""
        digest, self._digest = self._digest, self._configuration_digest()
        return digest != self._digest

    def _configuration_digest(self) -> bytes:
        digest = hashlib.blake2b()
        for root in self.configuration:
            for path in sorted([root, *root.rglob("*")] if root.is_dir() else [root]):
                if path.is_file():
                    digest.update(str(path).encode() + b"\0" + path.read_bytes())
        return digest.digest()


def _error_page(site: Path, code: int) -> bytes | None:
    page = site / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
