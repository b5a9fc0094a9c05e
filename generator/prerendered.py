"""MkDocs's configuration as kb builds with it: pages written as finished HTML skip Markdown,
and the theme's blocks that are the same for many pages are rendered once.

An event page is a Markdown file whose body is one block of HTML (front matter
``kb_html: true``). Python-Markdown passes such a block through unchanged, yet
converting it still costs about as much as a page of Markdown: its HTML parser reads
the whole block. The plugin below, added in code and never in mkdocs.yml, hands
MkDocs the block as the page's content instead. A plain ``mkdocs build`` of the same
folder gives the same site, only more slowly; tests compare the two byte for byte.

The same plugin gives the theme ``kb_shared``, with which generator/theme/main.html
renders the navigation, tabs, footer and settings blocks once per depth of page
where they cannot differ between pages, rather than once per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jinja2
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

#: the front matter key that marks a page whose body is finished HTML
MARKER = "kb_html"

_ID = re.compile(r'\sid="([^"]*)"')


class SharedBlocks:
    """Theme blocks by name and base URL, each rendered by its first page."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], str] = {}

    def render(self, name: str, base_url: str, block: Callable[[], str]) -> str:
        key = (name, base_url)
        if key not in self._blocks:
            self._blocks[key] = block()
        return self._blocks[key]


class PrerenderedPages(BasePlugin):
    """Gives MkDocs the HTML of marked pages instead of converting their Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self._bodies: dict[str, str] = {}

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        env.globals["kb_shared"] = SharedBlocks()  # one per build
        return env

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.meta.get(MARKER) is not True:
            return markdown
        self._bodies[page.file.src_uri] = markdown.strip()
        return ""  # nothing left for Markdown to do

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        body = self._bodies.pop(page.file.src_uri, None)
        if body is None:
            return html
        # What MkDocs gathers from raw HTML, so links to these anchors are checked as before.
        page.present_anchor_ids = set(_ID.findall(body))
        return body


def load_kb_config(**options: Any) -> MkDocsConfig:
    """mkdocs.yml with ``options`` applied, as every kb build uses it."""
    config = load_config(**options)
    config.plugins["kb-prerendered"] = PrerenderedPages()
    return config
