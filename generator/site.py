"""Stage 6: the MkDocs build, into a fresh folder that replaces the old site only on success."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.exceptions import Abort, ConfigurationError

from .config import Settings
from .incremental import (
    Manifest,
    build_changed,
    file_hashes,
    fingerprint,
    forget,
    keep_as_spare,
    read_manifest,
    remember,
)
from .prerendered import load_kb_config
from .shards import Layout, ShardError, build_sharded, read_layout
from .write import remove_abandoned, staging_prefix, why


class SiteBuildError(Exception):
    """MkDocs refused the pages; ``messages`` holds what it said."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class SiteFolderError(Exception):
    """No site can be written where it was asked for: the folder is not writable."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def mkdocs_logging() -> Iterator[_Collect]:
    """Collect MkDocs's warnings instead of letting them print; only the CLI prints."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def build_site(
    settings: Settings, strict: bool = True, jobs: int = 1, incremental: bool = True
) -> list[str]:
    """Build into a temporary folder beside the site, then swap it in; returns warnings.

    A build that fails, or is killed, leaves the previous site exactly as it was.
    With ``jobs`` above 1, large sites are built in parallel shards (see shards.py).
    """
    target = settings.site_dir.resolve()
    previous = read_manifest(target)
    current: Manifest | None = None

    def spare() -> Manifest | None:
        # The replaced site can start the next build if it was built as this one is.
        if previous is not None and current is not None:
            return previous if previous.fingerprint == current.fingerprint else None
        return None

    with staged(target, spare) as staging:
        layout, current = read_inputs(settings, strict, previous)
        warnings = _build_into(
            settings, staging, target, strict, jobs, current, layout, incremental
        )
    remember(target, current)
    return warnings


@contextmanager
def staged(target: Path, spare: Callable[[], Manifest | None] | None = None) -> Iterator[Path]:
    """A new folder beside ``target`` to build in, put in its place if the block succeeds.

    On any failure the folder is removed and ``target`` stays exactly as it was. The
    manifest of incremental builds is removed before the swap: whoever built the new
    site writes it again. The replaced site is deleted, or kept as the spare of the
    next incremental build when ``spare`` (asked after the block) gives its manifest.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(target, "building")
        staging = Path(
            tempfile.mkdtemp(dir=target.parent, prefix=staging_prefix(target, "building"))
        )
    except OSError as exc:
        raise SiteFolderError(f"cannot write a site at {target}: {why(exc)}") from None
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp made it private; a site is served by others
        forget(target)
        old = _swap(staging, target)
        kept = spare() if spare is not None and old is not None else None
        if old is not None and kept is not None:
            keep_as_spare(old, target, kept)
        elif old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_inputs(
    settings: Settings, strict: bool, previous: Manifest | None = None
) -> tuple[Layout, Manifest]:
    """The docs folder's layout, and the fingerprint and file hashes a build is made from
    (those of files untouched since ``previous`` was made taken from it)."""
    docs = settings.docs_dir.resolve()
    with mkdocs_logging() as log:
        try:
            layout = read_layout(settings.mkdocs_file, docs)
            current = Manifest(
                fingerprint(settings.mkdocs_file, layout.custom_dir, settings.site_url, strict),
                *file_hashes(docs, layout.order, previous),
            )
        except (Abort, ConfigurationError) as exc:
            raise SiteBuildError([*log.messages, f"error: {exc}"]) from None
    return layout, current


def _build_into(
    settings: Settings,
    staging: Path,
    target: Path,
    strict: bool,
    jobs: int,
    current: Manifest,
    layout: Layout,
    incremental: bool,
) -> list[str]:
    """The cheapest build that gives the same site: changed pages only, shards, or one build."""
    docs = settings.docs_dir.resolve()
    try:
        changed = (
            build_changed(
                settings.mkdocs_file,
                docs,
                staging,
                target,
                settings.site_url,
                strict,
                current,
                layout,
            )
            if incremental
            else None
        )
        if changed is not None:
            return changed
        if jobs > 1:
            sharded = build_sharded(
                settings.mkdocs_file, docs, staging, settings.site_url, strict, jobs, layout
            )
            if sharded is not None:
                return sharded
    except ShardError as exc:
        raise SiteBuildError(exc.messages) from None
    with mkdocs_logging() as log:
        try:
            config = load_kb_config(
                config_file=str(settings.mkdocs_file),
                docs_dir=str(docs),
                site_dir=str(staging),
                strict=strict,
                site_url=settings.site_url,
            )
            mkdocs_build(config)
        except (Abort, ConfigurationError) as exc:
            raise SiteBuildError([*log.messages, f"error: {exc}"]) from None
    return log.messages

    return True


def _swap(new: Path, target: Path) -> Path | None:
    """Put ``new`` in place of ``target`` with two renames; where the old site went."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        old.rmdir()
        target.rename(old)
    new.rename(target)
    return old
