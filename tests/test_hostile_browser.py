"""A site built from hostile-but-valid records, opened page by page in a real Chromium.

The records are the strongest that pass ``kb validate``: plain-text fields full of HTML,
JavaScript, Markdown and Jinja, and summaries using every Markdown construct allowed plus an
http link. Their payloads try ``alert(1)``, ``window.__pwned=1`` and
``fetch('http://127.0.0.1:1/x')``. A reader's browser must run none of it: no dialog, no
canary, no request to any host but the site's own, and the text shown exactly as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import MKDOCS_YML, launch_chromium, run_kb, serve_directory, write_kb
from playwright.sync_api import Browser, Dialog, Page, Route

pytestmark = pytest.mark.browser

SITE_NAME = "Company events"
#: Hosts the Material theme itself contacts whatever the records say (GitHub's API for the
#: facts shown beside repo_url). They are blocked like every other host and reported apart;
#: a request anywhere else, above all 127.0.0.1:1 or evil.example, fails the test.
THEME_HOSTS = {"api.github.com", "fonts.googleapis.com"}
THEME_SCRIPTS = 5  # Material's three inline scripts, its configuration and its bundle

ALERT = "alert(1)"
CANARY = "window.__pwned=1"
FETCH = "fetch('http://127.0.0.1:1/x')"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# --- the hostile records ----------------------------------------------------------------------

COMPANY_NAME = f'<img src=x onerror="{CANARY};{ALERT}">Evil {{{{ 7*7 }}}} | Corp'
ALIASES = [
    f"<script>{CANARY};{FETCH}</script>",
    f"[click](javascript:{CANARY})",
    f'<a href="javascript:{ALERT}">a | b</a>',
]
COMPANY_DESCRIPTION = (
    f"# {{% for x in range(3) %}}loop{{% endfor %}} <iframe src=javascript:{ALERT}></iframe>"
)
WEBSITE = f'https://evil.example/"><script>{CANARY}</script>'
TOPIC_NAME = f"<svg onload={CANARY}>Hostile topic"
TOPIC_DESCRIPTION = f'- {{: onclick="{ALERT}" }} ![x](https://evil.example/x.png) &lt;b&gt;'

SCRIPT_TITLE = f"<script>{CANARY};{ALERT}</script> Quarterly {{{{ 7*7 }}}} results"
BREAKOUT_TITLE = f"</title><script>{CANARY};{ALERT}</script><title>Breakout report"
#: Entities, which the theme's title bar decodes once: shown, not run, but not as written.
ENTITY_TITLE = f"&lt;/title&gt;&lt;script&gt;{FETCH}&lt;/script&gt; Entity report"
DATE_NOTE = f"<img src=x onerror={ALERT}> | not a cell"
PLACE = f'<body onload="{CANARY}">Rome'
AMOUNT_NOTE = f"{{{{ config }}}} <script>{FETCH}</script>"
SOURCE_TITLE = f"[x](javascript:{ALERT}) <svg onload={ALERT}>"
PUBLISHER = f"<marquee onstart={CANARY}>News</marquee>"
TRANSLATION_TITLE = f"{{{{ 7*7 }}}} <iframe srcdoc='<script>{CANARY}</script>'>"
#: Every construct a summary may use, plus an http link; '<' only as an entity.
SUMMARY = f"""\
Acme *did* **well** with `code`, {{{{ 7*7 }}}} and &lt;script&gt;{ALERT}&lt;/script&gt;;
see [the filing](http://example.com/filing "The filing").

- one
- two

1. first
2. second

> quoted *text*

    {FETCH}
"""
GERMAN_SUMMARY = "Gut *so*, siehe [die Meldung](https://example.com/de)."

EVENT_TITLES = {
    "evil/2026-03-02-quarterly-results": SCRIPT_TITLE,
    "evil/2026-03-03-breakout-report": BREAKOUT_TITLE,
    "evil/2026-03-04-entity-report": ENTITY_TITLE,
}


def _event(title: str, number: int, full: bool) -> str:
    day = f"2026-03-0{number + 1}"
    lines = [
        f"title: {_q(title)}",
        f"date: {day}",
        *([f"date_note: {_q(DATE_NOTE)}"] if full else []),
        "status: occurred",
        "type: earnings",
        "companies: [evil]",
        "topics: [hostile]",
        "lang: en",
        "summary: |",
        *(f"  {line}" if line else "" for line in SUMMARY.splitlines()),
    ]
    if full:
        lines += [
            "amounts:",
            "  - value: 5",
            "    currency: USD",
            f"    note: {_q(AMOUNT_NOTE)}",
            f"places: [{_q(PLACE)}]",
        ]
    lines += [
        "sources:",
        f"  - title: {_q(SOURCE_TITLE)}",
        f"    publisher: {_q(PUBLISHER)}",
        f"    published: {day}",
        "    lang: en",
        f"    url: https://news.example.com/{number}",
    ]
    if full:
        lines += [
            "translations:",
            "  de:",
            f"    title: {_q(TRANSLATION_TITLE)}",
            f"    summary: {_q(GERMAN_SUMMARY)}",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-browser")
    content = write_kb(
        root,
        companies={
            "evil": "\n".join(
                [
                    f"name: {_q(COMPANY_NAME)}",
                    "aliases:",
                    *(f"  - {_q(alias)}" for alias in ALIASES),
                    f"description: {_q(COMPANY_DESCRIPTION)}",
                    f"website: {_q(WEBSITE)}",
                ]
            )
            + "\n"
        },
        topics={"hostile": f"name: {_q(TOPIC_NAME)}\ndescription: {_q(TOPIC_DESCRIPTION)}\n"},
        events={
            event_id: _event(title, number, full=number == 1)
            for number, (event_id, title) in enumerate(EVENT_TITLES.items(), start=1)
        },
    )
    # They are valid: this is the worst a contributor can get through review tooling.
    check = run_kb("validate", "--content", content, "-f", MKDOCS_YML, cwd=root)
    assert check.returncode == 0, check.stderr
    site = root / "site"
    result = run_kb(
        "build", "--content", content, "-f", MKDOCS_YML,
        "--docs-dir", root / "docs", "--site-dir", site, cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    with serve_directory(hostile_site) as url:
        yield url


# --- the browser --------------------------------------------------------------------------------


@dataclass
class Watch:
    """Everything a hostile page might manage to do, recorded."""

    origin: str
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.context.route("**/*", self._route)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.origin):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def issues(self) -> dict[str, list[str]]:
        """What went wrong, by kind; empty when the pages did nothing they should not."""
        found = {
            "dialogs": self.dialogs,
            "page errors": self.page_errors,
            "requests to other hosts": [
                url for url in self.foreign if urlsplit(url).netloc not in THEME_HOSTS
            ],
        }
        return {kind: items for kind, items in found.items() if items}

    def assert_clean(self) -> None:
        assert self.issues() == {}


#: Runs in the page: the canary, event-handler attributes and link schemes in the live DOM.
PAGE_FACTS = """() => {
  const handlers = [];
  const schemes = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + attr.name);
    }
  }
  for (const el of document.querySelectorAll('[href], [src], [action], [formaction]')) {
    for (const name of ['href', 'src', 'action', 'formaction']) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      let protocol;
      try {
        protocol = new URL(value, document.baseURI).protocol;
      } catch (e) {
        protocol = 'invalid';
      }
      if (protocol !== 'http:' && protocol !== 'https:') schemes.push(el.tagName + ' ' + value);
    }
  }
  return {
    canary: typeof window.__pwned,
    handlers,
    schemes,
    scripts: document.scripts.length,
    // Embedded documents never; images only the generator's own, from this site.
    frames:
      document.querySelectorAll('iframe, frame, object, embed').length +
      [...document.images].filter((img) => new URL(img.src).origin !== location.origin).length,
    title: document.title,
  };
}"""


SVG_FACTS = """() => ({
  canary: typeof window.__pwned,
  handlers: [...document.querySelectorAll('*')].flatMap((el) =>
    [...el.attributes].filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => a.name)),
  active: document.querySelectorAll('script, foreignObject, iframe, a, use, animate, set').length,
})"""


def _generated_pictures(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.svg")
        if p.relative_to(site).parts[0] != "assets"
    )


def _heading(page: Page) -> str:
    return page.locator("article h1").first.inner_text().replace("¶", "").strip()


def _all_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix().removesuffix("index.html")
        for p in site.rglob("*.html")
        if p.name == "index.html" or p.parent == site
    )


def test_every_page_of_a_hostile_site_is_inert_in_chromium(browser, hostile_site, hostile_url):
    pages = _all_pages(hostile_site)
    # every page there is, and at least the ones the hostile records make
    assert {"", "404.html", "companies/", "topics/", "events/", *HEADINGS} <= set(pages), pages
    problems: dict[str, object] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(hostile_url)
    watch.attach(page)
    for path in pages:
        response = page.goto(hostile_url + path, wait_until="load")
        assert response is not None and response.ok, path
        page.wait_for_timeout(100)  # let anything scheduled run
        facts = page.evaluate(PAGE_FACTS)
        bad = {
            key: facts[key]
            for key, ok in (
                ("canary", facts["canary"] == "undefined"),
                ("handlers", facts["handlers"] == []),
                ("schemes", facts["schemes"] == []),
                ("frames", facts["frames"] == 0),
                ("scripts", facts["scripts"] == THEME_SCRIPTS),
            )
            if not ok
        }
        if bad:
            problems[path] = bad
    # Pictures the generator draws from record text (charts), opened as documents of their own:
    # there nothing sandboxes a script, so none may be there.
    for path in _generated_pictures(hostile_site):
        response = page.goto(hostile_url + path, wait_until="load")
        assert response is not None and response.ok, path
        facts = page.evaluate(SVG_FACTS)
        if facts != {"canary": "undefined", "handlers": [], "active": 0}:
            problems[path] = facts
    context.close()
    assert {**problems, **watch.issues()} == {}


EXPECTED_TEXT = {
    "events/evil/2026-03-02-quarterly-results/": [
        DATE_NOTE,
        PLACE,
        f"5 USD ({AMOUNT_NOTE})",
        SOURCE_TITLE,
        PUBLISHER,
        TRANSLATION_TITLE,
        COMPANY_NAME,
        TOPIC_NAME,
        "{{ 7*7 }} and <script>alert(1)</script>;",
        FETCH,
    ],
    "events/evil/2026-03-03-breakout-report/": [SOURCE_TITLE],
    "events/evil/2026-03-04-entity-report/": [SOURCE_TITLE],
    "companies/evil/": [", ".join(ALIASES), COMPANY_DESCRIPTION, WEBSITE],
    "topics/hostile/": [TOPIC_DESCRIPTION],
}
HEADINGS = {
    **{f"events/{event_id}/": title for event_id, title in EVENT_TITLES.items()},
    "companies/evil/": COMPANY_NAME,
    "topics/hostile/": TOPIC_NAME,
}


@pytest.mark.parametrize("path", list(HEADINGS))
def test_hostile_text_is_shown_literally(browser, hostile_url, path):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(hostile_url)
    watch.attach(page)
    page.goto(hostile_url + path, wait_until="load")
    page.wait_for_timeout(100)
    facts = page.evaluate(PAGE_FACTS)
    heading = _heading(page)
    body = page.locator("article").inner_text()
    summary_links = [
        (link.get_attribute("href") or "", link.get_attribute("rel"))
        for link in page.locator("div.kb-summary a").all()
    ]
    context.close()

    assert facts["canary"] == "undefined"
    watch.assert_clean()
    assert heading == HEADINGS[path]
    # The browser's title bar too: the name as written, then the site's name.
    assert facts["title"] == f"{HEADINGS[path]} - {SITE_NAME}"
    for text in EXPECTED_TEXT.get(path, []):
        assert text in body, text
    assert "49" not in body.replace("2026", "")
    for href, rel in summary_links:
        assert urlsplit(href).scheme in ("http", "https"), href
        assert rel == "nofollow noopener noreferrer"


def test_search_for_a_hostile_title_opens_it_inertly(browser, hostile_url):
    target = "events/evil/2026-03-02-quarterly-results/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(hostile_url)
    watch.attach(page)
    page.goto(hostile_url, wait_until="load")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Quarterly")
    wanted = f"{hostile_url}{target}?h=quarterly"
    hit = page.locator(f'li.md-search-result__item > a.md-search-result__link[href="{wanted}"]')
    hit.wait_for(state="visible")
    assert hit.count() == 1
    # The result shows the title as text, with the search term marked inside it.
    assert hit.locator("h1").inner_text() == SCRIPT_TITLE
    assert hit.locator("h1 mark").all_inner_texts() == ["Quarterly"]
    assert (
        page.locator(".md-search-result").locator("script, img, iframe, svg[onload]").count() == 0
    )
    assert page.evaluate("typeof window.__pwned") == "undefined"

    hit.click()
    page.wait_for_url(wanted)
    page.wait_for_timeout(100)
    heading = _heading(page)
    facts = page.evaluate(PAGE_FACTS)
    context.close()

    assert heading == SCRIPT_TITLE
    assert facts["canary"] == "undefined"
    assert facts["handlers"] == []
    watch.assert_clean()
