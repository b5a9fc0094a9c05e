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
renders the navigation, tabs, footer, settings and header blocks of the pages in no
navigation section (event pages and listings) once per place of page, where they
cannot differ between them but for the title and the table of contents, rather than
once per page.

Most event pages skip the theme altogether: see ``StampedPages``.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .render import EVENT_LIST

#: the front matter key that marks a page whose body is finished HTML
MARKER = "kb_html"
#: the template kb's builds give a page that StampedPages may stamp (never on disk)
STAMPED = "kb-stamped.html"

_ID = re.compile(r'\sid="([^"]*)"')
#: an event list as render.py writes it (EVENT_LIST ... </ul>, at the start of lines)
_LIST = re.compile(rf"^{re.escape(EVENT_LIST)}\n.*?^</ul>$", re.MULTILINE | re.DOTALL)


class SharedBlocks:
    """Theme blocks by name and place, each rendered by its first page.

    A page in no navigation section (``outside_nav``) has the same header, tabs, footer
    and navigation as every other such page in the same place that hides the same
    (``place``), but for its title and its table of contents: event pages, and the
    listings of companies, topics and years. A plain MkDocs build renders them for every
    page; tests prove the two sites equal.
    """

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], str] = {}
        self._around: dict[tuple[str, str], tuple[str, str] | None] = {}

    @staticmethod
    def outside_nav(page: Page | None) -> bool:
        """Whether a page is in no navigation section."""
        return (
            page is not None
            and page.parent is None
            and page.previous_page is None
            and page.next_page is None
        )

    @staticmethod
    def place(page: Page, base_url: str) -> str:
        """Where a page is as its links see it: how deep, and in which top folder (a link
        into its own top folder is shorter, as the Timeline tab's from an event page);
        and which parts of the theme it hides (front matter ``hide``)."""
        return f"{base_url} {page.url.partition('/')[0]} {page.meta.get('hide')!r}"

    def render(self, name: str, place: str, block: Callable[[], str]) -> str:
        key = (name, place)
        if key not in self._blocks:
            self._blocks[key] = block()
        return self._blocks[key]

    def render_around(self, name: str, place: str, own: str, block: Callable[[], str]) -> str:
        """A block that holds ``own``, this page's part of it, once and is otherwise the
        same for every page in this place: the title in the header, the table of contents
        in the navigation. The first page's block is cut where its part is, and others
        are given theirs in the cut; when the first page's part appears more than once
        (the cut could be anywhere), or is empty, every page renders its own block."""
        key = (name, place)
        if key not in self._around:
            rendered = block()
            before, found, after = rendered.partition(own) if own else ("", "", "")
            self._around[key] = (before, after) if found and own not in after else None
            return rendered
        around = self._around[key]
        return around[0] + own + around[1] if around else block()


class StampedPages:
    """Event pages made from one rendering of the theme per form of page.

    A page marked kb_html has no navigation section, table of contents or edit link,
    so the theme makes the same page of every such page at the same depth and with
    the same front matter, but for its title, body and address. The first page of
    each form is rendered twice: as it is, and with markers in place of its title,
    body and address, which cut the second rendering into the form's fixed parts.
    Other pages of the form are the fixed parts with their own title, body and
    address between them, once the form has given exactly what the theme renders for
    its first ``CHECKS`` pages; a form that does not is never used. The title marker
    ends in an entity and characters that HTML escapes, so that the form knows how
    each place shows the title: as it is, escaped, stripped of tags and entities, or
    both (``_SHOWN``). A title shown any other way fails the check; an address that is
    not plain, or a page whose template, navigation or table of contents is its own,
    is rendered by the theme.
    """

    CHECKS = 2

    def __init__(self, theme: jinja2.Template) -> None:
        self._theme = theme
        self._forms: dict[tuple[str, str, bool], list[str] | None] = {}
        self._checked: dict[tuple[str, str, bool], int] = {}
        token = secrets.token_hex(8)
        self._title, self._body = f"kbtitle{token}x", f"kbbody{token}x"
        #: how many pages were made from a form, and how many by the theme instead
        self.stamped = self.rendered = 0

    def render(self, context: jinja2.runtime.Context) -> Markup:
        page: Page = context["page"]
        front_matter = sorted((name, value) for name, value in page.meta.items() if name != "title")
        # Material's content.html adds an <h1> of the title to a body without one.
        key = (context["base_url"], repr(front_matter), "<h1" in page.content)
        form = self._forms.get(key, [])
        if form and self._checked[key] >= self.CHECKS:
            self.stamped += 1
            return Markup(_fill(form, page.title, page.content, page.url))
        self.rendered += 1
        rendered = self._theme.render(context.get_all())
        if form == []:
            form = self._forms[key] = self._cut(context, page)
            self._checked[key] = 0
        if form is not None:
            if _fill(form, page.title, page.content, page.url) == rendered:
                self._checked[key] += 1
            else:
                self._forms[key] = None
        return Markup(rendered)

    def _cut(self, context: jinja2.runtime.Context, page: Page) -> list[str] | None:
        """The theme's page with markers for title, body and address, split at them:
        fixed parts at even places, the name of what goes between them at odd ones."""
        title, content = page.meta["title"], page.content
        heading = "<h1" in content  # kept, for the theme to do as it does for the page
        page.meta["title"] = self._title + _PROBE
        page.content = self._body + ("<h1>" if heading else "")
        try:
            marked = self._theme.render(context.get_all())
        finally:
            page.meta["title"], page.content = title, content
        titles = "|".join(
            re.escape(self._title + probe) for probe in sorted(_TITLE_AS, key=len)[::-1]
        )
        slots = f"({titles}|{self._body}|{re.escape(page.url)})"
        parts = re.split(slots, marked)
        names = {self._title + probe: name for probe, name in _TITLE_AS.items()}
        names[self._body] = "content"
        parts[1::2] = [names.get(part, "url") for part in parts[1::2]]
        if parts[1::2].count("content") != 1:
            return None
        after = parts.index("content") + 1
        if heading and not parts[after].startswith("<h1>"):
            return None
        parts[after] = parts[after].removeprefix("<h1>") if heading else parts[after]
        return parts

    @staticmethod
    def stampable(page: Page) -> bool:
        """Whether the page can be made from its form (see the class)."""
        title, url = page.meta.get("title"), page.url
        return (
            "template" not in page.meta
            and isinstance(title, str)
            and bool(title)
            and page.title == title
            and _PLAIN_ADDRESS.fullmatch(url) is not None
            and SharedBlocks.outside_nav(page)
            and page.edit_url is None
            and not list(page.toc)
        )


#: The ways a theme shows a title: Jinja's e and striptags filters, Python's html.escape.
_SHOWN: dict[str, Callable[[str], str]] = {
    "title": str,
    "title escaped": lambda title: str(markupsafe_escape(title)),
    "title escaped by html": html.escape,
    "title stripped": lambda title: Markup(title).striptags(),
    "title stripped and escaped": lambda title: str(markupsafe_escape(Markup(title).striptags())),
}
#: ends the title marker: an entity and characters that each way shows differently
_PROBE = "&#39;'&>"
_TITLE_AS = {shown(_PROBE): name for name, shown in _SHOWN.items()}
assert len(_TITLE_AS) == len(_SHOWN), "the probe must tell every way apart"
#: an address that every way of escaping shows as it is (an event page's always is)
_PLAIN_ADDRESS = re.compile(r"[\w./-]+", re.ASCII)


def _fill(form: list[str], title: str, content: str, url: str) -> str:
    values = {"content": content, "url": url}
    parts = form.copy()
    parts[1::2] = [values[name] if name in values else _SHOWN[name](title) for name in form[1::2]]
    return "".join(parts)


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
        stamped = StampedPages(env.get_template("main.html"))
        env.globals["kb_stamped"] = jinja2.pass_context(lambda context: stamped.render(context))
        env.loader = jinja2.ChoiceLoader(
            [jinja2.DictLoader({STAMPED: "{{ kb_stamped() }}"}), env.loader]
        )
        return env

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.meta.get(MARKER) is True:
            self._bodies[page.file.src_uri] = markdown.strip()
            # Nothing is left for Markdown to do, and making a converter with every
            # extension costs as much as the rest of reading the page.
            page.render = lambda config, files: _render_nothing_for(page, config, files)  # type: ignore[method-assign]
            return ""
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
        if StampedPages.stampable(page):
            page.meta["template"] = STAMPED
        return body


def _render_nothing_for(page: Page, config: MkDocsConfig, files: Files) -> None:
    """What ``Page.render`` leaves on a page whose Markdown is empty, without converting it
    (a test holds the two to the same page)."""
    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {}


def load_kb_config(**options: Any) -> MkDocsConfig:
    """mkdocs.yml with ``options`` applied, as every kb build uses it."""
    config = load_config(**options)
    config.plugins["kb-prerendered"] = PrerenderedPages()
    return config
