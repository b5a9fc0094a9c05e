"""Paths inside the generated site: links between pages and files, relative to a page."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=65536)  # pages link to the same few companies and topics
def relative(target: str, folder: str) -> str:
    """``target`` as seen from ``folder``; both docs-relative POSIX paths without "." or
    ".." parts ("" is the docs folder). The same as ``posixpath.relpath``, which spends
    most of its time asking the system for the working directory it never needs here."""
    start = folder.split("/") if folder else []
    parts = target.split("/") if target else []
    common = 0
    while common < min(len(start), len(parts)) and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


def page_url(page: str, directory_urls: bool) -> str:
    """The address MkDocs gives a page, relative to the site's root ("" for the home page):
    ``events/a/b.md`` is ``events/a/b/`` with directory URLs, else ``events/a/b.html``."""
    folder, _, name = page.removesuffix(".md").rpartition("/")
    prefix = folder + "/" if folder else ""
    if name == "README":  # MkDocs serves a README as its folder's index
        name = "index"
    if not directory_urls:
        return f"{prefix}{name}.html"
    return prefix if name == "index" else f"{prefix}{name}/"


def href(target: str, page: str, directory_urls: bool) -> str:
    """A link from ``page`` to ``target`` (both docs-relative pages or files) as written in
    the HTML of ``page``: what MkDocs makes of a Markdown link to ``target``."""
    to = page_url(target, directory_urls) if target.endswith(".md") else target
    here = page_url(page, directory_urls).rpartition("/")[0]
    path = relative(to.rstrip("/"), here)
    return path + "/" if to.endswith("/") or not to else path
