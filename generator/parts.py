"""A site built in parts on separate machines: ``kb build --shard I/N``, then ``kb merge``.

A part is one shard of the parallel build of shards.py, built alone: the same split of
the pages, the same MkDocs build of the shard's pages only. Its folder holds two things:

- ``site/``, what that shard built (of shards after the first, only what the merge takes);
- ``shard.json``, the record of what it is: which shard of how many, the site address,
  every page in the order a single build lists them and the navigation pages (from
  which the merge works out each shard's pages, with the same split), and a
  fingerprint of the inputs.

The fingerprint covers everything a page's HTML depends on: the fingerprint of
incremental builds (mkdocs.yml, the theme override, the versions of MkDocs, Material and
this package, the site address, strict mode, the build date), the versions of Markdown
and Jinja, and the name and contents of every file of the docs folder. Parts merge only
when they are every shard of one N, each once, with one fingerprint; the merged site
is then byte-identical to a single build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Settings
from .incremental import Manifest
from .shards import (
    SEARCH_INDEX,
    SITEMAP,
    Layout,
    ShardError,
    _dest,
    _merge,
    build_one_shard,
    split,
)
from .site import SiteBuildError, read_inputs, staged
from .write import write_atomic

#: The record beside a part's files; not hidden, so artifact uploads keep it.
RECORD = "shard.json"
#: The part's built files, beside the record.
SITE = "site"
#: The version of the record's layout.
FORMAT = 1

_SHARD = re.compile(r"(\d+)/(\d+)")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class PartError(Exception):
    """The parts cannot be merged (or a part cannot be read); the message says why."""


@dataclass(frozen=True, order=True)
class Shard:
    """Shard ``number`` of ``count``, counted from 1 as in ``--shard 2/3``."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.fullmatch(text.strip())
        shard = cls(int(match[1]), int(match[2])) if match else None
        if shard is None or not 1 <= shard.number <= shard.count:
            raise ValueError(
                f"--shard {text}: expected I/N, shard I of N counted from 1 (such as 2/3)"
            )
        return shard

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class Record:
    shard: Shard
    fingerprint: str
    site_url: str
    #: every documentation page (docs-relative source path), in the order MkDocs lists them
    pages: tuple[str, ...]
    #: the pages the navigation names, built by the first shard
    navigation: tuple[str, ...]

    def shares(self) -> list[frozenset[str]]:
        """The pages each shard builds besides the navigation pages, as the build split them."""
        return split(Layout(list(self.pages), frozenset(self.navigation), None), self.shard.count)

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "kb": __version__,
            "shard": self.shard.number,
            "shards": self.shard.count,
            "fingerprint": self.fingerprint,
            "site_url": self.site_url,
            "pages": list(self.pages),
            "navigation": list(self.navigation),
        }
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def part_fingerprint(inputs: Manifest) -> str:
    digest = hashlib.sha256(inputs.fingerprint.encode("ascii") + b"\0")
    for package in ("markdown", "jinja2"):
        digest.update(f"{package} {metadata.version(package)}\0".encode())
    for name, file_hash in inputs.files.items():  # in the order MkDocs lists the files
        digest.update(f"{name}\0{file_hash}\0".encode())
    return digest.hexdigest()


# --- one part ------------------------------------------------------------------------------


def build_part(settings: Settings, shard: Shard, strict: bool = True) -> list[str]:
    """Build ``shard`` of the site into ``settings.site_dir`` as a part; returns warnings.

    Like every build, into a new folder that replaces the old only on success.
    """
    docs = settings.docs_dir.resolve()
    with staged(settings.site_dir.resolve()) as staging:
        layout, inputs = read_inputs(settings, strict)
        try:
            warnings = build_one_shard(
                settings.mkdocs_file,
                docs,
                staging / SITE,
                settings.site_url,
                strict,
                layout,
                shard.number - 1,
                shard.count,
            )
        except ShardError as exc:
            raise SiteBuildError(exc.messages) from None
        pages = tuple(name for name in layout.order if name.endswith(".md"))
        navigation = tuple(sorted(layout.navigation))
        record = Record(shard, part_fingerprint(inputs), settings.site_url, pages, navigation)
        write_atomic(staging / RECORD, record.as_json())
    return warnings


def read_record(part: Path) -> Record:
    if not part.is_dir():
        raise PartError(f"{part}: no such folder")
    path = part / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PartError(
            f"{part}: not a part of a site (no {RECORD}); build one with kb build --shard I/N"
        ) from None
    except (OSError, ValueError) as exc:
        raise PartError(f"{path}: cannot be read: {exc}") from None
    record = _record(data)
    if record is None:
        raise PartError(f"{path}: not a shard record this version of kb can read")
    return record


def _record(data: object) -> Record | None:
    """The record in ``data``, or None when anything in it is not as kb writes it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    number, count = data.get("shard"), data.get("shards")
    fingerprint, site_url = data.get("fingerprint"), data.get("site_url")
    pages, navigation = data.get("pages"), data.get("navigation")
    if not (
        type(number) is int
        and type(count) is int
        and 1 <= number <= count
        and isinstance(fingerprint, str)
        and _HEX64.fullmatch(fingerprint)
        and isinstance(site_url, str)
        and isinstance(pages, list)
        and isinstance(navigation, list)
        and all(isinstance(page, str) and _is_page(page) for page in pages + navigation)
    ):
        return None
    return Record(Shard(number, count), fingerprint, site_url, tuple(pages), tuple(navigation))


def _is_page(name: str) -> bool:
    """A docs-relative Markdown path that stays inside the site it names a file of."""
    parts = name.split("/")
    return (
        name.endswith(".md") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)
    )


# --- the merge -----------------------------------------------------------------------------


def merge_parts(parts: list[Path], target: Path) -> None:
    """Merge ``parts`` into the complete site at ``target``, replacing it only on success.

    Refuses (PartError), before anything is written, unless the parts are every shard
    of one N, each once, built from the same inputs.
    """
    records = [read_record(part) for part in parts]
    _check(parts, records, target)
    ordered = sorted(zip(records, parts, strict=True), key=lambda item: item[0].shard)
    first_record, first = ordered[0]
    shares = first_record.shares()
    for index, (_, part) in enumerate(ordered):
        pages = shares[index] | (set(first_record.navigation) if index == 0 else set())
        expected = [SEARCH_INDEX, SITEMAP, *sorted(_dest(src, part) for src in pages)]
        for name in expected:
            if not (part / SITE / name).is_file():
                raise PartError(f"{part}: {SITE}/{name} is missing; build the part again")
    with staged(target.resolve()) as staging:
        try:
            shutil.copytree(first / SITE, staging, copy_function=_link_or_copy, dirs_exist_ok=True)
            _merge(
                staging,
                [part / SITE for _, part in ordered[1:]],
                shares[1:],
                list(first_record.pages),
                staging,  # only names are worked out from it, nothing is read
                first_record.site_url,
                frozenset(),
                _link_or_copy,
            )
        except OSError as exc:
            raise PartError(f"cannot merge the parts: {exc.filename}: {exc.strerror}") from None
        except ValueError as exc:  # a part's search index is not JSON
            raise PartError(f"cannot merge the parts: {exc}") from None


def _check(parts: list[Path], records: list[Record], target: Path) -> None:
    """Every shard of one N, each once, with one fingerprint; the target holds no part."""
    if not parts:
        raise PartError("no parts to merge")
    first, reference = parts[0], records[0]
    count = reference.shard.count
    for part, record in zip(parts, records, strict=True):
        if record.shard.count != count:
            raise PartError(
                f"{part} is shard {record.shard} but {first} is shard {reference.shard}; "
                "all parts must be shards of the same N"
            )
    seen: dict[int, Path] = {}
    for part, record in zip(parts, records, strict=True):
        if record.shard.number in seen:
            raise PartError(
                f"shard {record.shard} is given twice: {seen[record.shard.number]} and {part}"
            )
        seen[record.shard.number] = part
    missing = [str(Shard(n, count)) for n in range(1, count + 1) if n not in seen]
    if missing:
        if len(missing) == 1:
            raise PartError(f"shard {missing[0]} is missing")
        raise PartError(f"shards {', '.join(missing[:-1])} and {missing[-1]} are missing")
    for part, record in zip(parts, records, strict=True):
        if record.fingerprint != reference.fingerprint:
            raise PartError(
                f"{part} (shard {record.shard}) was built from other inputs than {first} "
                f"(shard {reference.shard}): records, configuration, site address, versions "
                "or build date differ; build every shard from the same commit"
            )
    site = target.resolve()
    for part in parts:
        folder = part.resolve()
        if folder == site or site in folder.parents or folder in site.parents:
            raise PartError(f"{target} overlaps the part {part}; merge into a folder of its own")


def _link_or_copy(source: str | Path, dest: str | Path) -> None:
    """A hard link where the file system allows it (a part is never written to), else a copy."""
    Path(dest).unlink(missing_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)
