"""MkDocs's configuration as kb builds with it: pages written as finished HTML skip Markdown,
and the theme's blocks that are the same for many pages are rendered once.

An event page is a Markdown file whose body is one block of HTML (front matter
``kb_html: true``). Python-Markdown passes such a block through unchanged, yet
converting it still costs about as much as a page of Markdown: its HTML parser reads
the whole block. The plugin below, added in code and never in mkdocs.yml, hands
MkDocs the block as the page's content instead. A plain ``mkdocs build`` of the same
folder gives the same site, only more slowly; tests compare the two byte for byte.

Other pages hold event lists, each one block of HTML too, between Markdown
headings and paragraphs. Python-Markdown's HTML parser reads every list again, the
bulk of such a page's time; the plugin sets the lists aside, lets Markdown convert
the rest with a placeholder paragraph in place of each list, and puts the lists
back where the placeholders came out.

The same plugin gives the theme ``kb_shared``, with which generator/theme/main.html
renders the navigation, tabs, footer, settings and header blocks of event pages once
per depth of page, where they cannot differ between them but for the title, rather
than once per page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import jinja2
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .render import EVENT_LIST

#: the front matter key that marks a page whose body is finished HTML
MARKER = "kb_html"

_ID = re.compile(r'\sid="([^"]*)"')
#: an event list as render.py writes it (EVENT_LIST ... </ul>, at the start of lines)
_LIST = re.compile(rf"^{re.escape(EVENT_LIST)}\n.*?^</ul>$", re.MULTILINE | re.DOTALL)


class SharedBlocks:
    """Theme blocks by name and base URL, each rendered by its first page."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], str] = {}
        self._around: dict[tuple[str, str], tuple[str, str] | None] = {}

    def render(self, name: str, base_url: str, block: Callable[[], str]) -> str:
        key = (name, base_url)
        if key not in self._blocks:
            self._blocks[key] = block()
        return self._blocks[key]

    def render_titled(self, name: str, base_url: str, title: str, block: Callable[[], str]) -> str:
        """A block that shows the page's title once, as it is, and is otherwise the same
        for every page at this depth (the header): the first page's block, cut where its
        title is, with this page's title in the cut. When the first title appears more
        than once, the cut could be anywhere, and every page renders its own block."""
        key = (name, base_url)
        if key not in self._around:
            rendered = block()
            before, found, after = rendered.partition(title) if title else ("", "", "")
            self._around[key] = (before, after) if found and title not in after else None
            return rendered
        around = self._around[key]
        return around[0] + title + around[1] if around else block()


class PrerenderedPages(BasePlugin):
    """Gives MkDocs the HTML of marked pages instead of converting their Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self._bodies: dict[str, str] = {}
        self._lists: dict[str, list[str]] = {}
        # Unguessable, so that no text of a record can pass for a placeholder.
        self._placeholder = f"kblist{secrets.token_hex(8)}n"
        self._placed = re.compile(rf"<p>{self._placeholder}(\d+)</p>")

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        env.globals["kb_shared"] = SharedBlocks()  # one per build
        return env

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.meta.get(MARKER) is True:
            self._bodies[page.file.src_uri] = markdown.strip()
            return ""  # nothing left for Markdown to do
        lists = _LIST.findall(markdown)
        if not lists:
            return markdown
        self._lists[page.file.src_uri] = lists
        number = iter(range(len(lists)))
        return _LIST.sub(lambda _: f"{self._placeholder}{next(number)}", markdown)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        lists = self._lists.pop(page.file.src_uri, None)
        if lists is not None:
            at_end = any(m.end() == len(html) for m in self._placed.finditer(html))
            # Markdown writes a block of HTML with the line break that ends it, except at
            # the very end of the page, where it strips the page's last line break.
            html, placed = self._placed.subn(lambda m: lists[int(m.group(1))] + "\n", html)
            if placed != len(lists):  # a bug, not bad content: the lists are generated
                raise RuntimeError(f"{page.file.src_uri}: {len(lists) - placed} lists lost")
            return html.removesuffix("\n") if at_end else html
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
