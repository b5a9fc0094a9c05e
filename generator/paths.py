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
