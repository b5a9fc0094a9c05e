"""Rebuilding only what changed since the previous build, with the same result as a clean one.

Beside the site a manifest records what the last build was made from: a
fingerprint of everything every page depends on (mkdocs.yml, the theme override,
the versions of MkDocs, Material and this package, the site address, strict mode
and the build date) and a hash of each generated file. When the fingerprint
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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.utils import get_build_date

from . import __version__
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


def manifest_path(site: Path) -> Path:
    return site.parent / f".{site.name}.manifest.json"


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


def file_hashes(docs: Path, order: list[str]) -> dict[str, str]:
    return {name: hashlib.sha1((docs / name).read_bytes()).hexdigest() for name in order}


def read_manifest(site: Path) -> Manifest | None:
    try:
        data = json.loads(manifest_path(site).read_text(encoding="utf-8"))
        return Manifest(str(data["fingerprint"]), dict(data["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget(site: Path) -> None:
    manifest_path(site).unlink(missing_ok=True)


def remember(site: Path, manifest: Manifest) -> None:
    data = {"fingerprint": manifest.fingerprint, "files": manifest.files}
    write_atomic(manifest_path(site), json.dumps(data, sort_keys=True).encode("utf-8"))


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
    """Build into ``staging`` from the previous site and the changed pages; None if unsure."""
    previous = read_manifest(target)
    if previous is None or previous.fingerprint != current.fingerprint or not target.is_dir():
        return None
    changed = {name for name, digest in current.files.items() if previous.files.get(name) != digest}
    removed = set(previous.files) - set(current.files)
    pages = [name for name in current.files if name.endswith(".md")]
    changed_pages = {name for name in changed if name.endswith(".md")}
    if len(changed_pages) > MAX_CHANGED_SHARE * max(len(pages), 1):
        return None
    navigation = layout.navigation
    shutil.rmtree(staging)
    try:
        shutil.copytree(target, staging, copy_function=os.link)
    except OSError:  # a file system without hard links: build everything instead
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        return None
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
