"""The built site in a real headless Chromium: search for ROME, open the incident's page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from helpers import launch_chromium
from playwright.sync_api import ConsoleMessage, Page, Request

pytestmark = pytest.mark.browser

ROME = "events/alibaba/2026-03-rome-crypto-mining-incident/"
ROME_TITLE = (
    "Alibaba stops experimental AI unit ROME from mining cryptocurrency without authorisation"
)
EDIT_URL = (
    "https://github.com/example/company-events-kb/edit/main/content/events/"
    "alibaba/2026-03-rome-crypto-mining-incident.yaml"
)
#: Third-party hosts the Material theme contacts: Google Fonts, and GitHub's API for the
#: repository facts shown beside repo_url. The test blocks them so it never needs the
#: network; any other host a page reaches for is a failure.
THIRD_PARTY_HOSTS = {"fonts.googleapis.com", "api.github.com"}


class PageWatch:
    """Everything a page reports that a reader would not want to see."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.route(lambda url: not url.startswith(origin), self._block)

    def _block(self, route, request: Request) -> None:
        self.blocked.append(request.url)
        route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Our own blocking of a third-party request shows as a failed load; nothing else may.
        if message.text.startswith("Failed to load resource") and url in self.blocked:
            return
        self.console_errors.append(f"{message.text} ({url})")

    def assert_clean(self) -> None:
        assert self.page_errors == []
        assert self.console_errors == []
        assert {urlsplit(url).hostname for url in self.blocked} <= THIRD_PARTY_HOSTS


def test_search_finds_rome_and_opens_the_incident(serve_site):
    with launch_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = PageWatch(page, serve_site)

        response = page.goto(serve_site)
        assert response is not None and response.status == 200
        assert page.title() == "Company events"

        search = page.locator("input.md-search__input")
        search.click()
        search.press_sequentially("ROME")
        results = page.locator("li.md-search-result__item > a.md-search-result__link")
        # Results change while the query is typed: wait for the final list, then read it
        # in one step.
        rome_url = f"{serve_site}{ROME}?h=rome"
        page.locator(f'a.md-search-result__link[href="{rome_url}"]').wait_for(state="visible")
        hrefs = page.eval_on_selector_all(
            "li.md-search-result__item > a.md-search-result__link",
            "links => links.map(link => link.getAttribute('href'))",
        )
        assert rome_url in hrefs, hrefs
        # The incident is the best match, shown first.
        assert hrefs[0] == rome_url
        first = results.first
        assert first.locator("h1").inner_text() == ROME_TITLE
        assert first.locator("h1 mark").all_inner_texts() == ["ROME"]

        first.click()
        page.wait_for_url(rome_url)
        heading = page.locator("article h1")
        assert heading.count() == 1
        assert "ROME" in heading.inner_text()
        assert heading.inner_text().rstrip("¶").strip() == ROME_TITLE
        edit = page.get_by_role("link", name="Edit this event", exact=True)
        assert edit.count() == 1
        assert edit.get_attribute("href") == EDIT_URL
        badge = page.locator("article span.kb-status")
        assert badge.first.inner_text() == "Occurred"
        assert "kb-status--occurred" in (badge.first.get_attribute("class") or "")

        watch.assert_clean()


def test_german_search_finds_the_german_translation(serve_site):
    # The site searches English and German: a German word from the translation of the
    # Jinshan data-centre agreement finds that event.
    with launch_chromium() as browser:
        page = browser.new_context().new_page()
        page.set_default_timeout(15_000)
        watch = PageWatch(page, serve_site)
        page.goto(serve_site)
        search = page.locator("input.md-search__input")
        search.click()
        search.press_sequentially("Rechenzentrums")
        # Results change while the query is typed: wait for the one that must appear.
        jinshan = "events/alibaba-cloud/2026-03-09-jinshan-data-centre-agreement/"
        page.locator(
            f'li.md-search-result__item > a.md-search-result__link[href*="{jinshan}"]'
        ).first.wait_for(state="visible")
        watch.assert_clean()
