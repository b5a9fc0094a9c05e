"""Files for following, reusing and searching the knowledge base: feeds, calendars, data
and the search index.

``render_outputs`` returns every such file by its path in the generated docs
folder (``feeds/all.atom.xml``, ``calendars/all.ics``, ``api/events.json``,
``events.csv``, ``search/kb/index.json``, ...); MkDocs copies files that are not
Markdown verbatim. Each is a pure function of the model and the site's address: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import KnowledgeBase
from ..render_cache import NO_MEMO, Memo, NoMemo
from .api import render_api
from .calendars import render_calendars
from .common import Site
from .feeds import render_feeds
from .search import render_search

__all__ = ["KINDS", "Site", "render_outputs"]


#: the kinds of output, each rendered by one function of the model
KINDS = ("feeds", "calendars", "api", "search")


def render_outputs(
    kb: KnowledgeBase,
    site_url: str,
    site_name: str = "Company events",
    memo: Memo | NoMemo = NO_MEMO,
    kinds: Iterable[str] = KINDS,
) -> dict[str, bytes]:
    """Every feed, calendar and data file of ``kinds``, by docs-relative path, in a stable
    order.

    ``site_url`` is the site's public address (mkdocs.yml ``site_url``); when it is
    empty, links are relative to the file they are in and ids use a fixed authority.
    With ``memo``, what did not change since the last build is taken from it; with the
    ``changes`` since the last build of a running process (``memo.changes``), the files
    of a company or topic that none of them reaches are taken as that build made them.
    """
    site = Site.of(site_url, site_name)
    render = {
        "feeds": lambda: render_feeds(kb, site, memo),
        "calendars": lambda: render_calendars(kb, site, memo),
        "api": lambda: render_api(kb, site, memo),
        "search": lambda: render_search(kb, memo),
    }
    files: dict[str, bytes] = {}
    for kind in kinds:
        part = render[kind]()
        overlap = files.keys() & part.keys()
        if overlap:
            raise ValueError(f"two outputs claim the same path: {sorted(overlap)}")
        files.update(part)
    return dict(sorted(files.items()))
