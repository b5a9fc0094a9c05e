"""A site kept up to date by one running process: after the first build, only what changed.

``kb serve`` builds the site once with MkDocs, then keeps what that build worked
out (the configuration, the list of files, the navigation, the theme's template
environment and every page) and, after each change of the generated folder,
builds only the pages and copies only the files that changed. MkDocs itself would
start over: read the configuration, list and read every page, and render the ones
whose files are newer than their HTML.

Why this gives the site a full build gives: a page's HTML depends only on its own
Markdown, the configuration and the navigation, which is a few fixed sections
(see shards.py); the list of files matters to a page only through its links, and
to the sitemap, which is written again whenever a page comes or goes. Pages opt out
of Material's own search index (the knowledge base has its own, written with the
pages), so that index never changes; a page that did not opt out makes the update
a full build. Tests compare updated sites with clean builds byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path

import jinja2
from mkdocs.commands.build import (
    _build_page,
    _build_theme_template,
    _populate_page,
)
from mkdocs.commands.build import (
    build as mkdocs_build,
)
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .pipeline import collector_paused
from .shards import nav_pages, walk_key
from .write import remove_file


class _Keep(BasePlugin):
    """Keeps what a build worked out for the updates after it (added last, so it sees
    the files, navigation and environment as every other plugin left them)."""

    files: Files | None = None
    nav: Navigation | None = None
    env: jinja2.Environment | None = None

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        self.files, self.env = files, env
        return env


class LiveSite:
    """A site built in full once, then updated file by file.

    ``make_config`` gives MkDocs's configuration afresh for every full build, as
    MkDocs's own server loads it for each: plugins keep state from one build to the
    next only through what this class keeps.
    """

    def __init__(self, make_config: Callable[[], MkDocsConfig], serve_url: str | None = None):
        self._make_config = make_config
        self.serve_url = serve_url
        self._inclusion = InclusionLevel.is_in_serve if serve_url else InclusionLevel.is_included
        self._kept: _Keep | None = None  # None until a full build has succeeded
        self.config: MkDocsConfig | None = None  # that of the last full build

    def build(self) -> None:
        """A full build, as MkDocs makes it (raises what MkDocs raises)."""
        self._kept = None
        config = self._make_config()
        kept = config.plugins["kb-live"] = _Keep()
        mkdocs_build(config, serve_url=self.serve_url)
        self.config, self._kept = config, kept

    def update(self, written: Collection[str], removed: Collection[str]) -> int | None:
        """Bring the site in line with the docs folder after these files of it (paths
        inside it) were written or removed. Returns how many pages were built, or None
        after a full build: when the last build failed, a navigation page came or went,
        or a page is in Material's search index."""
        kept, self._kept = self._kept, None  # until this update is through
        # With the collector running, one update in a few walked the whole site kept in
        # memory, the oldest generation (0.5 s at 10,000 events, ten times the update).
        with collector_paused(running=True):
            built = None if kept is None else self._update(kept, written, removed)
        if built is None:
            self.build()
            return None
        self._kept = kept
        return built

    def _update(
        self, kept: _Keep, written: Collection[str], removed: Collection[str]
    ) -> int | None:
        """How many pages were built; None, having stopped, when only a full build will do."""
        config = self.config
        assert config is not None
        files, nav, env = kept.files, kept.nav, kept.env
        assert files is not None and nav is not None and env is not None
        coming = {name for name in written if files.get_file_from_path(name) is None}
        if nav_pages(config) & (coming | set(removed)):
            return None
        site = Path(config.site_dir)
        # Whether a page came or went: only then do the files' order and the sitemap
        # change. Other files (the search index's parts, named by their content) come
        # and go with most edits; their place in the list shows nowhere.
        pages_changed = False
        for name in removed:
            file = files.get_file_from_path(name)
            if file is not None:
                pages_changed |= file.is_documentation_page()
                files.remove(file)
                remove_file(Path(file.abs_dest_path), site)
        for name in coming:
            file = File(name, config.docs_dir, config.site_dir, config.use_directory_urls)
            set_exclusions([file], config)
            files.append(file)
            if file.is_documentation_page():
                pages_changed = True
                Page(None, file, config)
        if pages_changed:
            files = kept.files = _in_walk_order(files, Path(config.docs_dir))
        pages: list[Page] = []
        for name in written:
            file = files.get_file_from_path(name)
            assert file is not None
            if file.is_documentation_page():
                assert file.page is not None
                pages.append(file.page)
            elif self._inclusion(file.inclusion):
                file.copy_file()
        for page in pages:
            _populate_page(page, config, files)
            if not _search_excluded(page):
                return None
        doc_files = files.documentation_pages(inclusion=self._inclusion)
        for page in pages:
            if self._inclusion(page.file.inclusion):
                _build_page(page, config, doc_files, nav, env)
        for page in pages:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        if pages_changed:
            _build_theme_template("sitemap.xml", env, files, config, nav)
        return len(pages)


def _search_excluded(page: Page) -> bool:
    search = page.meta.get("search")
    return isinstance(search, dict) and search.get("exclude") is True


def _in_walk_order(files: Files, docs: Path) -> Files:
    """The same files, listed as MkDocs lists them (the sitemap follows that order): those
    of the docs folder in the order its walk meets them, then the others (the theme's) as
    they were. Sorted by their paths, without walking the folder again."""
    inside = os.path.join(os.path.abspath(docs), "")
    ours = [file for file in files if (file.abs_src_path or "").startswith(inside)]
    ours.sort(key=lambda file: walk_key(file.src_uri))
    taken = {id(file) for file in ours}
    return Files(ours + [file for file in files if id(file) not in taken])
