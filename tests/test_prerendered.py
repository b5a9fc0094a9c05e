"""Event pages are finished HTML: kb's builds skip Markdown for them, and nothing changes.

The proof is a plain MkDocs build of the same generated folder, with no plugin of
kb's, compared byte for byte with kb's build; and, since MkDocs no longer checks
the links inside those pages, every one of them is followed to a file of the site.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from helpers import MKDOCS_YML, links, snapshot, synthetic_content, write_kb
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.structure.files import File, get_files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from generator import pipeline, prerendered
from generator.config import load_settings
from generator.paths import href

HOSTILE_TITLE = "A & B <script>alert(1)</script> \"q\" 'x' *em* [x](y.md) \\\\ `c` {{ z }} ---"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = synthetic_content(tmp_path, monkeypatch, 60, seed=11)
    company = sorted(p.stem for p in (folder / "companies").glob("*.yaml"))[0]
    topic = sorted(p.stem for p in (folder / "topics").glob("*.yaml"))[0]
    write_kb(
        tmp_path,
        events={
            f"{company}/2026-03-02-hostile": f"""
                title: {json.dumps(HOSTILE_TITLE)}
                date: 2026-03-02
                status: occurred
                type: incident
                companies: [{company}]
                topics: [{topic}]
                lang: en
                summary: "Some *emphasis*, a [link](https://example.com/?a=1&b=2), &lt;tags&gt;."
                sources:
                  - title: {json.dumps(HOSTILE_TITLE)}
                    url: "https://example.com/a?b=1&c='2'"
                    published: 2026-03-02
                    lang: en
                translations:
                  de:
                    title: "Überschrift & <b>Zeichen</b>"
                    summary: "Ein *Satz*."
            """
        },
    )
    return folder


def _generate(tmp_path: Path, content: Path, directory_urls: bool) -> Path:
    settings = load_settings(MKDOCS_YML, content=content, docs_dir=tmp_path / "docs")
    settings = dataclasses.replace(settings, directory_urls=directory_urls)
    result = pipeline.generate(settings)
    assert result.kb is not None, result.check.diagnostics
    return settings.docs_dir


def _mkdocs(load, docs: Path, site: Path, directory_urls: bool) -> Path:
    config = load(
        config_file=str(MKDOCS_YML),
        docs_dir=str(docs),
        site_dir=str(site),
        strict=True,
        use_directory_urls=directory_urls,
    )
    mkdocs_build(config)
    return site


@pytest.mark.parametrize("directory_urls", [True, False])
def test_kb_build_equals_a_plain_mkdocs_build(tmp_path, content, directory_urls, monkeypatch):
    docs = _generate(tmp_path, content, directory_urls)
    taken = []
    real = prerendered.PrerenderedPages.on_page_content
    monkeypatch.setattr(
        prerendered.PrerenderedPages,
        "on_page_content",
        lambda self, html, **kw: taken.append(kw["page"].file.src_uri) or real(self, html, **kw),
    )
    stampers = _kept(monkeypatch)
    fast = _mkdocs(prerendered.load_kb_config, docs, tmp_path / "fast", directory_urls)
    events = sorted(p.relative_to(docs).as_posix() for p in (docs / "events").glob("*/*.md"))
    assert len(events) == 61 and set(events) <= set(taken)  # every event page went the fast way
    # All but a few event pages are stamped: not the pages that check their form, nor those
    # whose titles the theme escapes (the hostile one, apostrophes, ...).
    [stamper] = stampers
    assert stamper.rendered == prerendered.StampedPages.CHECKS
    assert stamper.stamped == 61 - stamper.rendered, stamper.stamped
    plain = _mkdocs(load_config, docs, tmp_path / "plain", directory_urls)
    expected, actual = snapshot(plain), snapshot(fast)
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_link_of_an_event_page_reaches_a_file_of_the_site(tmp_path, content, directory_urls):
    docs = _generate(tmp_path, content, directory_urls)
    site = _mkdocs(prerendered.load_kb_config, docs, tmp_path / "site", directory_urls)
    pages = [
        p
        for p in (site / "events").rglob("*.html")
        if p.name != "index.html" or p.parent != site / "events"
    ]
    checked = 0
    for page in pages:
        for target, _ in links(site, page):
            if target.startswith(("http://", "https://")):
                continue
            path = target.split("#", 1)[0]
            file = site / path / "index.html" if path.endswith("/") or not path else site / path
            assert file.is_file(), f"{page.relative_to(site)} links to {target}, which is missing"
            checked += 1
    assert checked > 300


def test_the_hostile_event_is_shown_as_written(tmp_path, content):
    docs = _generate(tmp_path, content, True)
    site = _mkdocs(prerendered.load_kb_config, docs, tmp_path / "site", True)
    company = sorted(p.stem for p in (content / "companies").glob("*.yaml"))[0]
    html = (site / "events" / company / "2026-03-02-hostile" / "index.html").read_text("utf-8")
    escaped = (
        "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#x27;x&#x27; *em* "
        "[x](y.md) \\\\ `c` {{ z }} ---"
    )
    assert f"<h1>{escaped}</h1>" in html
    assert "<script>alert(1)" not in html
    assert '<a href="https://example.com/a?b=1&amp;c=%272%27">' in html
    assert "<p><strong>Überschrift &amp; &lt;b&gt;Zeichen&lt;/b&gt;</strong></p>" in html


_SEGMENT = st.sampled_from(["a", "b", "events", "index", "README", "x-1"])
_PAGE = st.lists(_SEGMENT, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + ".md")
_FILE = st.one_of(
    _PAGE, st.lists(_SEGMENT, min_size=1, max_size=3).map(lambda p: "/".join(p) + ".json")
)


@given(page=_PAGE, target=_FILE, directory_urls=st.booleans())
def test_href_is_the_link_mkdocs_makes(page, target, directory_urls):
    here = File(page, "/docs", "/site", directory_urls)
    there = File(target, "/docs", "/site", directory_urls)
    assert href(target, page, directory_urls) == get_relative_url(there.url, here.url)


def test_href_of_every_pair_of_page_kinds():
    pages = ["index.md", "api.md", "events/index.md", "events/a/2020-x.md", "companies/a/2019.md"]
    for page, target, urls in itertools.product(pages, pages, [True, False]):
        expected = get_relative_url(
            File(target, "/d", "/s", urls).url, File(page, "/d", "/s", urls).url
        )
        assert href(target, page, urls) == expected


def test_a_shared_block_is_rendered_once_per_depth():
    shared = prerendered.SharedBlocks()
    calls = []

    def block(text: str):
        return lambda: calls.append(text) or text

    assert shared.render("tabs", "../..", block("deep")) == "deep"
    assert shared.render("tabs", "../..", block("other")) == "deep"
    assert shared.render("tabs", "..", block("shallow")) == "shallow"
    assert calls == ["deep", "shallow"]


def test_a_header_is_cut_where_the_first_title_is_and_given_each_title():
    shared = prerendered.SharedBlocks()
    first = shared.render_around("header", "..", "One", lambda: "<h>One</h><nav>x</nav>")
    second = shared.render_around("header", "..", "Two &amp; 2", lambda: "unused")
    assert (first, second) == ("<h>One</h><nav>x</nav>", "<h>Two &amp; 2</h><nav>x</nav>")


@pytest.mark.parametrize("title", ["nav", ""])
def test_a_header_whose_first_title_is_not_unique_in_it_is_rendered_for_every_page(title):
    shared = prerendered.SharedBlocks()
    header = f"<h>{title}</h><nav>nav</nav>"
    assert shared.render_around("header", "..", title, lambda: header) == header
    assert shared.render_around("header", "..", "Two", lambda: "<h>Two</h>") == "<h>Two</h>"


def test_a_page_is_placed_by_its_depth_top_folder_and_what_it_hides():
    def place(url: str, **meta: object) -> str:
        return prerendered.SharedBlocks.place(SimpleNamespace(url=url, meta=meta), "../../..")

    event = place("events/acme/2026-01-05-launch/", hide=["toc"])
    assert event == place("events/globex/2025-launch/", hide=["toc"])
    # the Timeline tab (events/) is one folder up from an event page, three from a year page
    assert event != place("companies/acme/2026/", hide=["toc"])
    assert event != place("events/acme/2026/")  # shows its table of contents


def test_a_navigation_is_cut_where_the_first_table_of_contents_is_and_given_each():
    shared = prerendered.SharedBlocks()
    nav = "<nav>site</nav><div>{}</div>"
    first = shared.render_around("site_nav", "..", "<ul>a</ul>", lambda: nav.format("<ul>a</ul>"))
    second = shared.render_around("site_nav", "..", "<ul>b</ul>", lambda: "unused")
    assert (first, second) == (nav.format("<ul>a</ul>"), nav.format("<ul>b</ul>"))


def _kept(monkeypatch: pytest.MonkeyPatch) -> list[prerendered.StampedPages]:
    """Every StampedPages made from now on, to count what it did."""
    made: list[prerendered.StampedPages] = []
    real = prerendered.StampedPages.__init__

    def keep(self, theme):
        real(self, theme)
        made.append(self)

    monkeypatch.setattr(prerendered.StampedPages, "__init__", keep)
    return made


class _Theme:
    """A theme template that counts its renderings."""

    def __init__(self, source: str) -> None:
        self._template = jinja2.Environment().from_string(source)
        self.renders = 0

    def render(self, context: dict) -> str:
        self.renders += 1
        return self._template.render(context)


class _Page(SimpleNamespace):
    parent = previous_page = next_page = edit_url = None
    toc = ()

    @property
    def title(self) -> str:  # as MkDocs's: the front matter's title first
        return self.meta["title"]


def _stamp(theme: _Theme, pages: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Each page (title, url) through StampedPages, and through the theme alone."""
    stamper = prerendered.StampedPages(theme)  # type: ignore[arg-type]
    env = jinja2.Environment()
    env.globals["kb_stamped"] = jinja2.pass_context(lambda context: stamper.render(context))
    page_template = env.from_string("{{ kb_stamped() }}")
    stamped, expected = [], []
    for title, url in pages:
        page = _Page(meta={"title": title, "kb_html": True}, content=f"<p>{url}</p>", url=url)
        through = page_template if stamper.stampable(page) else theme  # as the plugin chooses
        stamped.append(through.render({"page": page, "base_url": "../.."}))
        expected.append(theme._template.render(page=page, base_url="../.."))
    return stamped, expected


THEME = (
    "<title>{{ page.title }}</title><a href='{{ base_url }}/{{ page.url }}'>{{ page.title }}</a>"
    "{{ page.content }}"
)
PAGES = [(f"Event {n}", f"events/acme/2026-0{n}-x/") for n in range(1, 7)]


def test_pages_of_one_form_are_stamped_once_it_checked():
    theme = _Theme(THEME)
    stamped, expected = _stamp(theme, PAGES)
    assert stamped == expected
    # The first page twice (as it is, and marked), the second to check: then stamps.
    assert theme.renders == 3


def test_a_form_the_theme_does_not_follow_is_never_used():
    # A page whose address ends in 2/ gets more than its form: the check on the second
    # page fails, and every page after it is rendered by the theme.
    theme = _Theme(THEME + "{% if page.url.endswith('2-x/') %}!{% endif %}")
    stamped, expected = _stamp(theme, PAGES)
    assert stamped == expected
    assert theme.renders == 1 + len(PAGES)


def test_titles_the_theme_escapes_are_stamped_escaped_as_the_theme_escapes_them():
    theme = _Theme(
        "<title>{{ page.title | striptags | e }}</title><h1>{{ page.title }}</h1>"
        "<a title='{{ page.title | e }}'>{{ page.content }}</a>"
    )
    titles = ["Alibaba's results", 'M&A: "big" deal', "Q3 > Q2", "Plain", "Tom & Jerry's"]
    stamped, expected = _stamp(theme, [(t, f"events/a/{n}/") for n, t in enumerate(titles)])
    assert stamped == expected
    assert theme.renders == 3
    assert '<title>M&amp;A: &#34;big&#34; deal</title><h1>M&A: "big" deal</h1>' in stamped[1]


def test_titles_with_markup_and_entities_are_stamped_stripped_as_the_theme_strips_them():
    theme = _Theme(
        "<title>{{ page.title | striptags }}</title><h1>{{ page.title }}</h1>"
        "<p>{{ page.title | striptags | e }}</p>{{ page.content }}"
    )
    titles = ["One", "Two", "Three <b>bold</b>", "Four &amp; more", "Five  spaced", "&#39;Six&#39;"]
    stamped, expected = _stamp(theme, [(t, f"events/a/{n}/") for n, t in enumerate(titles)])
    assert stamped == expected
    assert theme.renders == 3
    assert stamped[3].startswith("<title>Four & more</title><h1>Four &amp; more</h1>")


def test_a_title_the_theme_transforms_is_never_stamped():
    theme = _Theme("<title>{{ page.title | upper }}</title>{{ page.content }}")
    stamped, expected = _stamp(theme, PAGES)
    assert stamped == expected
    assert theme.renders == 1 + len(PAGES)


def test_an_event_page_skips_markdown_and_is_left_as_markdown_would_leave_it(tmp_path, content):
    docs = _generate(tmp_path, content, True)
    config = prerendered.load_kb_config(
        config_file=str(MKDOCS_YML), docs_dir=str(docs), site_dir=str(tmp_path / "site")
    )
    files = get_files(config)
    event = next(f for f in files.documentation_pages() if f.src_uri.count("/") == 2)
    pages = []
    for render in (Page.render, prerendered._render_nothing_for):
        page = Page(None, event, config)
        page.read_source(config)
        page.markdown = ""
        render(page, config, files)
        pages.append(page)
    skipped, converted = pages[1], pages[0]
    assert skipped.content == converted.content == ""
    assert list(skipped.toc) == list(converted.toc) == []
    assert skipped.title == converted.title
    assert skipped.present_anchor_ids == converted.present_anchor_ids
    assert skipped.links_to_anchors == converted.links_to_anchors
    assert {k: v for k, v in vars(skipped).items() if k != "toc"} == {
        k: v for k, v in vars(converted).items() if k != "toc"
    }
