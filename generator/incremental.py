"""Rebuilding only what changed since the previous build, with the same result as a clean one.

Beside the site a manifest records what the last build was made from: a
fingerprint of everything every page depends on (mkdocs.yml, the theme override,
the versions of MkDocs, Material and this package, the site address, strict mode
and the build date) and a hash of each generated file, with what the file was
seen as (inode, size, times of change), so that an untouched file is not read
and hashed again by the next build. When the fingerprint
still matches, the new site starts as hard links to the previous one; MkDocs
builds only the pages whose Markdown changed (and the navigation pages, which
list the others), and the merge of shards.py replaces their HTML, search-index
and sitemap entries. Any doubt (no manifest, another fingerprint, a large
change) means a full build. The manifest is removed before a site is swapped
in and written after, so a build killed in between leaves none.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils import get_build_date

from . import __version__
from .loader import untouched_since
from .shards import (
    Layout,
    ShardError,
    ShardJob,
    _build_shard,
    _merge,
    page_url,
)
from .write import remove_file, write_atomic

#: Above this share of changed pages a full (parallel) build is faster.
MAX_CHANGED_SHARE = 0.25


@dataclass(frozen=True)
class Manifest:
    fingerprint: str
    files: dict[str, str]
    #: each file's inode, size and times of change when it was hashed (``untouched_since``)
    seen: dict[str, list[int]] = field(default_factory=dict)


def manifest_path(site: Path, spare: bool = False) -> Path:
    return site.parent / f".{site.name}{'.spare' if spare else ''}.manifest.json"


def spare_path(site: Path) -> Path:
    """Where the site a build replaced waits, to become the next incremental build."""
    return site.parent / f".{site.name}.spare"


def fingerprint(config_file: Path, custom: str | None, site_url: str, strict: bool) -> str:
    digest = hashlib.sha256()
    for part in (
        __version__,
        metadata.version("mkdocs"),
        metadata.version("mkdocs-material"),
        site_url,
        str(strict),
        get_build_date(),
        config_file.read_bytes().hex(),
    ):
        digest.update(part.encode("utf-8") + b"\0")
    if custom:
        for path in sorted(Path(custom).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(custom).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def file_hashes(
    docs: Path, order: list[str], before: Manifest | None = None
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """The hash of every file in ``order``, and what it was seen as. A file untouched since
    ``before`` hashed it keeps its hash rather than being read again (the whole generated
    folder, 135 MB at 10,000 events): the same inode, size, and times of change to the
    nanosecond, as the render cache trusts them (a change time cannot be set back by hand)."""
    files: dict[str, str] = {}
    seen: dict[str, list[int]] = {}
    known_files = before.files if before is not None else {}
    known_seen = before.seen if before is not None else {}
    for name in order:
        path = os.path.join(docs, name)
        # Before reading: a change made while reading is seen by the next build.
        signature = list(untouched_since(os.stat(path)))
        digest = known_files.get(name)
        if digest is None or known_seen.get(name) != signature:
            with open(path, "rb") as handle:
                digest = hashlib.sha1(handle.read()).hexdigest()
        files[name], seen[name] = digest, signature
    return files, seen


def read_manifest(site: Path, spare: bool = False) -> Manifest | None:
    try:
        data = json.loads(manifest_path(site, spare).read_text(encoding="utf-8"))
        seen = {str(name): list(value) for name, value in data.get("seen", {}).items()}
        return Manifest(str(data["fingerprint"]), dict(data["files"]), seen)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # unreadable: rebuild all
        return None


def forget(site: Path, spare: bool = False) -> None:
    manifest_path(site, spare).unlink(missing_ok=True)


def remember(site: Path, manifest: Manifest, spare: bool = False) -> None:
    data = {"fingerprint": manifest.fingerprint, "files": manifest.files, "seen": manifest.seen}
    write_atomic(manifest_path(site, spare), json.dumps(data, sort_keys=True).encode("utf-8"))


def keep_as_spare(old: Path, site: Path, manifest: Manifest) -> None:
    """Keep ``old``, the site a build just replaced and built from ``manifest``, as the
    start of the next incremental build, instead of deleting it (a second or more at
    10,000 pages). Its manifest is written last: a spare without one is never used."""
    spare = spare_path(site)
    forget(site, spare=True)
    if spare.exists():  # one no build took up
        shutil.rmtree(spare)
    old.rename(spare)
    remember(site, manifest, spare=True)


_Changes = tuple[set[str], set[str], set[str]]


def _changes(base: Manifest, current: Manifest) -> _Changes | None:
    """The files changed and removed since ``base``, and the changed pages; None when so
    many pages changed that a full (parallel) build is faster."""
    changed = {name for name, digest in current.files.items() if base.files.get(name) != digest}
    removed = set(base.files) - set(current.files)
    pages = sum(1 for name in current.files if name.endswith(".md"))
    changed_pages = {name for name in changed if name.endswith(".md")}
    if len(changed_pages) > MAX_CHANGED_SHARE * max(pages, 1):
        return None
    return changed, removed, changed_pages


def _take_spare(site: Path, staging: Path, current: Manifest) -> _Changes | None:
    """Move the spare site into ``staging`` when it can start this build; the changes
    since it was built."""
    spare = spare_path(site)
    manifest = read_manifest(site, spare=True)
    if manifest is None or manifest.fingerprint != current.fingerprint or not spare.is_dir():
        return None
    found = _changes(manifest, current)
    if found is None:
        return None
    forget(site, spare=True)  # from here on it changes
    staging.rmdir()
    spare.rename(staging)
    return found


def build_changed(
    config_file: Path,
    docs: Path,
    staging: Path,
    target: Path,
    site_url: str,
    strict: bool,
    current: Manifest,
    layout: Layout,
) -> list[str] | None:
    """Build into ``staging`` from an earlier site and the changed pages; None if unsure.

    The earlier site is the spare (the site the last build replaced, moved into
    ``staging``) when there is one of the same configuration, else a copy of the
    current site as hard links. Either way nothing is written into a file, only
    new files put in place of old ones: the current site, which shares the files,
    is never touched.
    """
    previous = read_manifest(target)
    if previous is None or previous.fingerprint != current.fingerprint or not target.is_dir():
        return None
    found = _take_spare(target, staging, current)
    if found is None:
        found = _changes(previous, current)
        if found is None:
            return None
        shutil.rmtree(staging)
        try:
            shutil.copytree(target, staging, copy_function=os.link)
        except OSError:  # a file system without hard links: build everything instead
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            return None
    changed, removed, changed_pages = found
    navigation = layout.navigation
    for name in removed:
        remove_file(staging / _site_path(name, docs, staging), staging)
    for name in changed - changed_pages:
        write_atomic(staging / name, (docs / name).read_bytes())
    rebuilt = frozenset(changed_pages | navigation)
    scratch = staging.with_name(f"{staging.name}-changed")
    try:
        job = ShardJob(str(config_file), str(docs), str(scratch), site_url, strict, rebuilt, False)
        result = _build_shard(job, navigation)
        if result.failed:
            raise ShardError(result.messages)
        dropped = frozenset(page_url(name, docs) for name in removed if name.endswith(".md"))
        _merge(staging, [scratch], [rebuilt], layout.order, docs, site_url, dropped)
        return result.messages
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _site_path(name: str, docs: Path, site: Path) -> str:
    return File(name, str(docs), str(site), True).dest_uri if name.endswith(".md") else name
