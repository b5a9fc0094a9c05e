"""A parallel MkDocs build: the pages split into shards, one MkDocs build per core,
merged into one site that is byte-identical to a single build.

Why this is sound: with the navigation kept to a few fixed sections, a page's HTML
depends only on its own Markdown and the configuration, never on which other pages
are built with it. Every shard sees every file, so links between pages resolve as
in a full build, but each builds only its own pages (MkDocs's own exclusion, set by
a small plugin added in code, never in mkdocs.yml). The navigation pages, the
static files and the theme are built by shard 0; the other shards contribute their
pages' HTML, search-index entries and sitemap entries, put back in the order a
single build writes them.

The same shards can also be built on separate machines, one per run
(``kb build --shard I/N``), and merged afterwards (``kb merge``, see parts.py).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
from bisect import bisect_left
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel, _file_sort_key

from .prerendered import load_kb_config
from .write import write_atomic

#: Below this many pages one process is faster than starting several.
MIN_PAGES_PER_SHARD = 2000

#: What every shard contributes besides its pages' HTML: its entries in these two files.
SEARCH_INDEX = "search/search_index.json"
SITEMAP = "sitemap.xml"


@dataclass(frozen=True)
class ShardJob:
    config_file: str
    docs_dir: str
    site_dir: str
    site_url: str
    strict: bool
    #: pages (src paths) this shard builds besides the navigation pages
    pages: frozenset[str]
    #: shard 0 also copies the static files (feeds, data, images) from the docs folder
    first: bool


@dataclass(frozen=True)
class ShardResult:
    messages: list[str]
    failed: bool


class _OnlyThesePages(BasePlugin):
    """Excludes from this shard's build every docs-folder file it does not own."""

    def __init__(self, job: ShardJob, nav_pages: set[str]) -> None:
        super().__init__()
        self.job = job
        self.nav_pages = nav_pages

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs = os.path.abspath(self.job.docs_dir)
        for file in files:
            if file.abs_src_path is None or not file.abs_src_path.startswith(docs + os.sep):
                continue  # the theme's own files
            owned = (
                file.src_uri in self.job.pages or file.src_uri in self.nav_pages
                if file.is_documentation_page()
                else self.job.first
            )
            if not owned:
                file.inclusion = InclusionLevel.EXCLUDED
        return files


def walk_order(docs_dir: Path) -> list[str]:
    """Docs-relative paths of every file, in the order MkDocs's get_files lists them."""
    order = []
    for folder, dirnames, filenames in os.walk(docs_dir, followlinks=True):
        dirnames.sort()
        relative = os.path.relpath(folder, docs_dir)
        for name in sorted(filenames, key=_file_sort_key):
            order.append(Path(relative, name).as_posix().removeprefix("./"))
    return order


def walk_key(path: str) -> tuple[tuple[int, object], ...]:
    """Where ``walk_order`` puts a docs-relative path, to sort paths without walking the
    folder: a folder's files by ``_file_sort_key``, before its subfolders by name."""
    *folders, name = path.split("/")
    return (*((1, folder) for folder in folders), (0, _file_sort_key(name)))


def nav_pages(config: MkDocsConfig) -> set[str]:
    found: set[str] = set()

    def visit(items: object) -> None:
        for item in items or []:  # type: ignore[attr-defined]
            values = item.values() if isinstance(item, dict) else [item]
            for value in values:
                if isinstance(value, str) and value.endswith(".md"):
                    found.add(value)
                elif isinstance(value, list):
                    visit(value)

    visit(config.nav)
    return found


@dataclass(frozen=True)
class Layout:
    """What every way of building needs to know of the site, worked out once per build."""

    #: every file of the docs folder, in the order MkDocs lists them
    order: list[str]
    #: the pages the navigation names
    navigation: frozenset[str]
    #: the theme override folder, if any
    custom_dir: str | None


def read_layout(config_file: Path, docs_dir: Path) -> Layout:
    config = load_config(config_file=str(config_file), docs_dir=str(docs_dir))
    return Layout(walk_order(docs_dir), frozenset(nav_pages(config)), config.theme.custom_dir)


#: What a page costs a shard, in halves of an event page. An event page is handed over
#: as finished HTML and stamped from one rendering of the theme; any other page goes
#: through Python-Markdown and the whole theme, and the first shard also copies the
#: static files. Tuned on the two-shard build of 10,000 events, whose listing pages
#: came first, on memory-backed storage: split by count it took 4.23 to 5.01 s;
#: weighing another page as 2.5 event pages, 4.14 to 4.20 s; as 6, 3.95 to 4.32 s; as
#: 10, 3.96 to 4.39 s; as 11, 3.71 to 4.37 s; as 15, 4.22 to 4.82 s (a few runs of
#: each, interleaved; an outlier or two of 5 to 7 s left out).
EVENT_PAGE_COST = 2
OTHER_PAGE_COST = 20


def page_cost(page: str) -> int:
    """What building ``page`` (docs-relative) costs MkDocs, in ``EVENT_PAGE_COST`` units."""
    parts = page.split("/")
    is_event = len(parts) == 3 and parts[0] == "events" and parts[2] != "index.md"
    return EVENT_PAGE_COST if is_event else OTHER_PAGE_COST


def split(layout: Layout, count: int) -> list[frozenset[str]]:
    """The pages each of ``count`` shards builds besides the navigation pages (shard 0's).

    Contiguous runs keep a shard's pages in one part of the tree. Their costs to MkDocs
    (``page_cost``) are as even as whole pages allow: split by count, the first of two
    shards got nearly every listing page, and took a second longer than the other at
    10,000 events built alone. A shard of a tiny site may have none.
    """
    own = [p for p in layout.order if p.endswith(".md") and p not in layout.navigation]
    before = [0, *accumulate(page_cost(p) for p in own)]  # cost of own[:k], by k
    scaled = [cost * count for cost in before]
    bounds = [0]
    for i in range(1, count):
        even = bisect_left(scaled, before[-1] * i)
        # Each shard has a page while enough are left for the shards after it; short of
        # pages, the first shard, which builds the navigation pages, goes without.
        enough_left = max(len(own) - (count - i), 0)
        bounds.append(max(bounds[-1], min(max(even, bounds[-1] + 1), enough_left)))
    bounds.append(len(own))
    return [frozenset(own[bounds[i] : bounds[i + 1]]) for i in range(count)]


def build_sharded(
    config_file: Path,
    docs_dir: Path,
    staging: Path,
    site_url: str,
    strict: bool,
    jobs: int,
    layout: Layout,
) -> list[str] | None:
    """Build into ``staging`` with several processes; None when one process is better."""
    pages = [p for p in layout.order if p.endswith(".md")]
    shards = max(1, min(jobs, len(pages) // MIN_PAGES_PER_SHARD))
    if shards < 2:
        return None
    parts = split(layout, shards)
    sites = [staging] + [staging.with_name(f"{staging.name}-shard{i}") for i in range(1, shards)]
    jobs_ = [
        ShardJob(str(config_file), str(docs_dir), str(site), site_url, strict, part, i == 0)
        for i, (part, site) in enumerate(zip(parts, sites, strict=True))
    ]
    try:
        with ProcessPoolExecutor(max_workers=shards) as pool:
            results = list(pool.map(_build_shard, jobs_, [layout.navigation] * shards))
        messages = sorted({m for r in results for m in r.messages})
        if any(r.failed for r in results):
            raise ShardError(messages)
        _merge(staging, sites[1:], [j.pages for j in jobs_[1:]], layout.order, docs_dir, site_url)
        return messages
    finally:
        for site in sites[1:]:
            shutil.rmtree(site, ignore_errors=True)


def build_one_shard(
    config_file: Path,
    docs_dir: Path,
    site_dir: Path,
    site_url: str,
    strict: bool,
    layout: Layout,
    index: int,
    count: int,
) -> list[str]:
    """Build shard ``index`` (from 0) of ``count`` alone into ``site_dir``; its warnings.

    The same job as one process of ``build_sharded``, however small the site. Of a shard
    other than the first, only what the merge takes from it is kept.
    """
    pages = split(layout, count)[index]
    job = ShardJob(
        str(config_file), str(docs_dir), str(site_dir), site_url, strict, pages, index == 0
    )
    result = _build_shard(job, layout.navigation)
    if result.failed:
        raise ShardError(result.messages)
    if index > 0:
        _keep_only(site_dir, {SEARCH_INDEX, SITEMAP} | {_dest(src, docs_dir) for src in pages})
    return result.messages


class ShardError(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _build_shard(job: ShardJob, navigation: set[str]) -> ShardResult:
    from .site import mkdocs_logging  # the same collection of warnings as a single build

    with mkdocs_logging() as log:
        try:
            config = load_kb_config(
                config_file=job.config_file,
                docs_dir=job.docs_dir,
                site_dir=job.site_dir,
                strict=job.strict,
                site_url=job.site_url,
            )
            config.plugins["kb-shard"] = _OnlyThesePages(job, navigation)
            mkdocs_build(config)
        except (Abort, ConfigurationError) as exc:
            return ShardResult([*log.messages, f"error: {exc}"], True)
    return ShardResult(log.messages, False)


def _merge(
    staging: Path,
    others: list[Path],
    pages: list[frozenset[str]],
    order: list[str],
    docs: Path,
    site_url: str,
    dropped: frozenset[str] = frozenset(),
    take: Callable[[Path, Path], object] = os.replace,
) -> None:
    """Move the other builds' ``pages`` into ``staging``; merge search index and sitemap.

    Entries that ``staging`` already has for those pages, or for the ``dropped``
    page addresses, are replaced or removed. ``take`` puts a page's HTML in place
    (moved by default; ``kb merge`` copies, leaving its parts as they were).
    """
    url_of = {src: page_url(src, docs) for src in order if src.endswith(".md")}
    rank = {url: position for position, url in enumerate(url_of.values())}
    owned = [{url_of[src] for src in part} for part in pages]
    replaced = set(dropped).union(*owned)
    for site, part in zip(others, pages, strict=True):
        dests = sorted(_dest(src, docs) for src in part)
        # Folders move whole only when pages are moved: kb merge copies, to keep its parts.
        whole = _whole_folders(site, set(dests)) if take is os.replace else {}
        for dest in dests:
            if _moved_with_folder(dest, site, staging, whole):
                continue
            (staging / dest).parent.mkdir(parents=True, exist_ok=True)
            take(site / dest, staging / dest)
    _merge_search_index(staging, others, owned, rank, replaced)
    _merge_sitemap(staging, others, owned, rank, site_url or "/", replaced)


def _whole_folders(site: Path, dests: set[str]) -> dict[str, bool]:
    """The folders of ``site`` that hold nothing but ``dests`` (paths inside it), each
    mapped to False until it is moved: moving a folder whole is one rename, where moving
    its pages makes a folder per page again, which costs more than building them here."""
    complete: dict[str, bool] = {}
    for root, folders, names in os.walk(site, topdown=False):
        relative = os.path.relpath(root, site)
        prefix = "" if relative == "." else relative + "/"
        complete[relative] = all(prefix + name in dests for name in names) and all(
            complete[prefix + folder] for folder in folders
        )
    return {folder: False for folder, only in complete.items() if only and folder != "."}


def _moved_with_folder(dest: str, site: Path, staging: Path, whole: dict[str, bool]) -> bool:
    """Whether ``dest`` went, or now goes, into ``staging`` with the topmost folder above
    it that holds only pages to move and that ``staging`` does not have yet."""
    parts = dest.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in whole:
            continue
        if whole[folder]:
            return True
        if not (staging / folder).exists():
            (staging / folder).parent.mkdir(parents=True, exist_ok=True)
            os.replace(site / folder, staging / folder)
            whole[folder] = True
            return True
    return False


def _dest(src: str, docs: Path) -> str:
    """Where a page's HTML goes in the site, relative to it."""
    return File(src, str(docs), str(docs), True).dest_uri


def _keep_only(site: Path, keep: set[str]) -> None:
    """Delete every file of ``site`` not named in ``keep``, and the folders left empty."""
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.relative_to(site).as_posix() not in keep:
            path.unlink()


def page_url(src: str, docs: Path) -> str:
    """A page's address as search-index and sitemap entries spell it ("" for the home page)."""
    url = File(src, str(docs), str(docs), True).url
    return "" if url == "./" else url


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def _merge_search_index(
    staging: Path,
    others: list[Path],
    owned: list[set[str]],
    rank: dict[str, int],
    replaced: set[str],
) -> None:
    path = staging / SEARCH_INDEX
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = [d for d in data["docs"] if _page_of(d["location"]) not in replaced]
    for site, pages in zip(others, owned, strict=True):
        entries = json.loads((site / SEARCH_INDEX).read_text("utf-8"))["docs"]
        docs += [d for d in entries if _page_of(d["location"]) in pages]
    # Entries of one page stay together and in their order (the sort is stable);
    # pages go in the order a single build indexes them.
    docs.sort(key=lambda d: rank.get(_page_of(d["location"]), -1))
    data["docs"] = docs
    # Replace, never rewrite in place: the file may be a hard link into the previous site.
    write_atomic(path, json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))


_URL_BLOCK = re.compile(r"\s*<url>.*?</url>", re.DOTALL)
_LOC = re.compile(r"<loc>(.*?)</loc>")


def _merge_sitemap(
    staging: Path,
    others: list[Path],
    owned: list[set[str]],
    rank: dict[str, int],
    base: str,
    replaced: set[str],
) -> None:
    path = staging / SITEMAP
    text = path.read_text(encoding="utf-8")

    def page(block: str) -> str:
        loc = _LOC.search(block)
        return loc.group(1).removeprefix(base) if loc else ""

    blocks = [b for b in _URL_BLOCK.findall(text) if page(b) not in replaced]
    for site, pages in zip(others, owned, strict=True):
        theirs = _URL_BLOCK.findall((site / SITEMAP).read_text(encoding="utf-8"))
        blocks += [b for b in theirs if page(b) in pages]
    blocks.sort(key=lambda b: rank.get(page(b), -1))
    first, end = _URL_BLOCK.search(text), text.rindex("</urlset>")
    last_end = max((m.end() for m in _URL_BLOCK.finditer(text)), default=end)
    head = text[: first.start()] if first else text[:end]
    merged = head + "".join(blocks) + text[last_end:] if first else text
    write_atomic(path, merged.encode("utf-8"))
    gz = staging / "sitemap.xml.gz"
    mtime = int.from_bytes(gz.read_bytes()[4:8], "little")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, filename=str(gz), mode="wb", mtime=mtime) as zipped:
        zipped.write(merged.encode("utf-8"))
    write_atomic(gz, buffer.getvalue())
