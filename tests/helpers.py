"""Shared helpers for the end-to-end tests: running kb, small knowledge bases, HTML, HTTP."""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = PROJECT_ROOT / "mkdocs.yml"

#: 2026-03-12 00:00 UTC, the publication date of the one source the real content cites.
TODAY_EPOCH = "1773273600"


# --- running kb -------------------------------------------------------------------------------


def kb_env(**extra: str) -> dict[str, str]:
    """The environment for a kb subprocess: today pinned, never inside GitHub Actions."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS",)}
    env["SOURCE_DATE_EPOCH"] = TODAY_EPOCH
    env.update(extra)
    return env


def run_kb(
    *args: str | Path, cwd: Path = PROJECT_ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    """``kb ARGS`` in a fresh interpreter, as a contributor runs it."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *map(str, args)],
        cwd=cwd,
        env=kb_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def kb_build(
    content: Path, docs: Path, site: Path, *extra: str | Path, cwd: Path = PROJECT_ROOT, **env: str
):
    """``kb build`` of ``content`` into ``docs`` and ``site`` with the project's mkdocs.yml."""
    return run_kb(
        "build",
        "-f",
        MKDOCS_YML,
        "--content",
        content,
        "--docs-dir",
        docs,
        "--site-dir",
        site,
        *extra,
        cwd=cwd,
        **env,
    )


# --- git, for the history of records ----------------------------------------------------------


def epoch(text: str) -> int:
    """Seconds since 1970 of an ISO time, e.g. 2026-01-05T10:00:00+00:00."""
    return int(dt.datetime.fromisoformat(text).timestamp())


def git_env(when: str | None = None) -> dict[str, str]:
    """git with no user or system configuration and a fixed author; commits dated ``when``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.org",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.org",
    )
    if when:
        # "@<epoch> <offset>": the instant is fixed, the offset only says where it was.
        offset = dt.datetime.fromisoformat(when).strftime("%z") or "+0000"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{epoch(when)} {offset}"
    return env


# --- small knowledge bases --------------------------------------------------------------------


def write_kb(
    root: Path,
    *,
    companies: dict[str, str] | None = None,
    topics: dict[str, str] | None = None,
    events: dict[str, str] | None = None,
) -> Path:
    """Write records under ``root/content`` and return that folder.

    ``events`` is keyed by event id, ``<company>/<date>-<slug>``; texts are dedented.
    """
    content = root / "content"
    for folder, records in (("companies", companies), ("topics", topics), ("events", events)):
        (content / folder).mkdir(parents=True, exist_ok=True)
        for record_id, text in (records or {}).items():
            path = content / folder / f"{record_id}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return content


def synthetic_content(root: Path, monkeypatch: pytest.MonkeyPatch, events: int, seed: int) -> Path:
    """``kb synth`` content under ``root/content``, with the date it is consistent with set
    as the build date (SOURCE_DATE_EPOCH) for the rest of the test."""
    from generator.synth import SYNTH_EPOCH, write_synthetic

    monkeypatch.setenv("SOURCE_DATE_EPOCH", SYNTH_EPOCH)
    content = root / "content"
    write_synthetic(content, events, seed)
    return content


def second_look(event: Path) -> Path:
    """A new event beside ``event``: its record with another title and source address."""
    copy = event.with_name(event.stem + "-second-look.yaml")
    copy.write_text(
        event.read_text("utf-8")
        .replace("title: ", "title: A second look at ", 1)
        .replace("url: https://", "url: https://second-look."),
        "utf-8",
    )
    return copy


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the search index, read with the standard library --------------------------------------


@dataclass(frozen=True)
class SearchFiles:
    """The knowledge base's search index under ``site/search/kb/``, read in full."""

    manifest: dict
    #: [location, title, teaser] by document number
    documents: list[list[str]]
    #: word → {document number: weight}
    words: dict[str, dict[int, int]]

    def locations(self, word: str) -> set[str]:
        """Addresses of the documents holding exactly ``word`` (already normalised)."""
        return {self.documents[doc][0] for doc in self.words.get(word, {})}

    def by_location(self) -> dict[str, list[str]]:
        return {doc[0]: doc for doc in self.documents}


def read_search_files(site: Path) -> SearchFiles:
    folder = site / "search" / "kb"
    manifest = json.loads((folder / "index.json").read_text("utf-8"))
    documents = [doc for name in manifest["docs"] for doc in _json_file(folder / name)]
    assert len(documents) == manifest["documents"]
    words: dict[str, dict[int, int]] = {}
    for key, name in manifest["terms"].items():
        for word, postings in _json_file(folder / name).items():
            assert word[: manifest["prefix"]] == key, (word, key)
            words[word] = dict(zip(postings[::2], postings[1::2], strict=True))
    return SearchFiles(manifest, documents, words)


def _json_file(path: Path):
    return json.loads(path.read_text("utf-8"))


# --- HTML, read with the standard library's parser ---------------------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)  # elements are equal only to themselves
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and (class_ is None or class_ in e.classes)
        ]

    def find(self, tag: str | None = None, class_: str | None = None) -> Element:
        found = self.find_all(tag, class_)
        assert found, f"no <{tag or '*'}> with class {class_!r} in <{self.tag}>"
        return found[0]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    """An element tree read as a browser reads HTML: <title> and <textarea> hold raw
    text (RCDATA), so ``<title><script>…</script></title>`` is text while
    ``</title><script>`` really starts a script."""

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag in ("title", "textarea"):  # RCDATA: character references count
            data = html.unescape(data)
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def page_url(site: Path, html_file: Path) -> str:
    """The address a page is served at, under a fixed origin, for resolving its links."""
    relative = html_file.relative_to(site).as_posix()
    if relative == "index.html":
        relative = ""
    elif relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return f"http://kb.test/{relative}"


def site_path(url: str) -> str | None:
    """The path of an address on the site (``events/x/y/``), or None for other hosts."""
    parts = urlsplit(url)
    if parts.netloc != "kb.test":
        return None
    return parts.path.lstrip("/")


def links(site: Path, html_file: Path, within: Element | None = None) -> list[tuple[str, str]]:
    """(resolved site path or absolute URL, link text) for every <a href> in the page or part."""
    root = within if within is not None else parse_html(html_file.read_text(encoding="utf-8"))
    base = page_url(site, html_file)
    found = []
    for anchor in root.find_all("a"):
        href = anchor.attrs.get("href")
        if href is None:
            continue
        absolute = urljoin(base, href)
        path = site_path(absolute)
        found.append((path if path is not None else absolute, anchor.text().strip()))
    return found


# --- serving a folder over HTTP ---------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_directory(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at an ephemeral port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="kb-http", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- a real Chromium ----------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",  # Debian's chromium refuses to run as root without it
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium, or $KB_CHROMIUM; a missing browser fails the test, never skips it."""
    path = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium not found at {path}: install Debian's chromium (apt-get install chromium) "
            "or set KB_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return path


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Headless Chromium driven through Playwright."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
