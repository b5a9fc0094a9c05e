"""The knowledge base's own search: the split index the generator writes, and the worker
that answers Material's search box from it in a real headless Chromium."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT, launch_chromium, read_search_files
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from generator.outputs import search

WORKER = PROJECT_ROOT / "generator" / "theme" / "assets" / "javascripts" / "kb-search.js"
ROME = "events/alibaba/2026-03-rome-crypto-mining-incident/"
JINSHAN = "events/alibaba-cloud/2026-03-09-jinshan-data-centre-agreement/"
RESULT_LINKS = "li.md-search-result__item > a.md-search-result__link"


# --- the words, as the generator and the worker both read them ----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Übernahme der Aktien", ["ubernahme", "der", "aktien"]),
        ("Alibaba's Q4-results", ["alibaba", "s", "q4", "results"]),
        ("Straße", ["straße"]),
        (
            "\ufb01nance \uff21\uff22\uff23 \uff11\uff12",
            ["finance", "abc", "12"],
        ),  # ligature, full width
        ("İstanbul", ["istanbul"]),
        ("阿里巴巴集团 (Alibaba)", ["阿里巴巴集团", "alibaba"]),
        ("snake_case, e-mail; 3.10", ["snake", "case", "e", "mail", "3", "10"]),
        ("", []),
    ],
)
def test_words_are_folded_and_split_at_anything_but_letters_and_digits(text, expected):
    assert search.words(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=30))
def test_marks_are_dropped_as_a_look_at_every_character_drops_them(text):
    """Only characters beyond ASCII are looked at for combining marks: the words are those
    of the plain way, which looks at every character."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    assert search.words(text) == search._WORD.findall(bare)


def _corpus() -> list[str]:
    """Every text of the real content, tricky strings, and every assigned letter, digit and
    mark of the Basic Multilingual Plane, in short runs."""
    texts = [p.read_text("utf-8") for p in sorted((PROJECT_ROOT / "content").rglob("*.yaml"))]
    texts += ["Übernahme", "ǅemal", "ΣΊΣΥΦΟΣ", "Ⅻ ½ ²", "e\u0301te\u0301", "ﬃ", "Σ"]
    chars = [
        chr(c)
        for c in range(0x20, 0x10000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c))[0] in "LNM"
    ]
    texts += ["".join(chars[i : i + 40]) for i in range(0, len(chars), 40)]
    return texts


def test_the_worker_reads_words_exactly_as_the_generator_writes_them():
    # The index is written by Python and read by JavaScript: one word split or folded
    # differently and a record could not be found by its own words.
    corpus = _corpus()
    with launch_chromium() as browser:
        page = browser.new_page()
        page.add_script_tag(content=WORKER.read_text("utf-8"))
        in_browser = page.evaluate("texts => texts.map(words)", corpus)
    differing = [
        (text[:60], got[:8], search.words(text)[:8])
        for text, got in zip(corpus, in_browser, strict=True)
        if got != search.words(text)
    ]
    assert differing == []


# --- the files ------------------------------------------------------------------------------


def test_every_file_is_named_by_its_content_and_listed_once(built_site: Path):
    folder = built_site / "search" / "kb"
    manifest = json.loads((folder / "index.json").read_text("utf-8"))
    assert manifest["format"] == search.FORMAT
    listed = [*manifest["terms"].values(), *manifest["docs"]]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in folder.iterdir() if p.name != "index.json")
    for name in listed:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:16]
        assert name.split("-")[1] == f"{digest}.json", name


def test_index_holds_every_record_once_and_no_stop_word(built_site: Path):
    files = read_search_files(built_site)
    locations = [doc[0] for doc in files.documents]
    assert len(locations) == len(set(locations))
    content = PROJECT_ROOT / "content"
    expected = {
        *(f"companies/{p.stem}/" for p in (content / "companies").glob("*.yaml")),
        *(f"topics/{p.stem}/" for p in (content / "topics").glob("*.yaml")),
        *(f"events/{p.parent.name}/{p.stem}/" for p in (content / "events").glob("*/*.yaml")),
    }
    assert set(locations) == expected
    assert set(files.words) & search.STOP_WORDS == set()
    for word, postings in files.words.items():
        assert list(postings) == sorted(postings), word


def test_a_word_in_the_title_outweighs_the_same_word_in_the_text(built_site: Path):
    files = read_search_files(built_site)
    numbers = {doc[0]: n for n, doc in enumerate(files.documents)}
    rome = numbers[ROME]
    # "ROME" is in the incident's title (and text), "tried" only in its text.
    assert files.words["rome"][rome] > files.words["tried"][rome] > 0
    # A company's page outranks the events that only mention the company.
    alibaba = files.words["alibaba"]
    assert alibaba[numbers["companies/alibaba/"]] == max(alibaba.values())


def test_the_same_records_give_the_same_files(built_site: Path, tmp_path: Path):
    from helpers import kb_build

    site = tmp_path / "site"
    result = kb_build(PROJECT_ROOT / "content", tmp_path / "docs", site)
    assert result.returncode == 0, result.stderr
    first = {p.name: p.read_bytes() for p in (built_site / "search" / "kb").iterdir()}
    second = {p.name: p.read_bytes() for p in (site / "search" / "kb").iterdir()}
    assert first == second


# --- kept by a running process and patched after an edit --------------------------------------

_WORDS = st.sampled_from(["alpha", "alpine", "beta", "bet", "gamma", "zeta", "übernahme", "q4"])
_DOCUMENTS = st.builds(
    lambda n, title, heading, body: search._indexed(
        search.Document(f"events/{n}/", title, title, tuple(heading), tuple(body))
    ),
    st.integers(0, 3),
    _WORDS,
    st.lists(_WORDS, max_size=3),
    st.lists(_WORDS, max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(
    before=st.lists(_DOCUMENTS, min_size=1, max_size=3 * search.CHUNK),
    edits=st.lists(st.tuples(st.integers(0, 10_000), _DOCUMENTS), max_size=12),
)
def test_an_index_patched_after_edits_has_the_files_of_one_built_afresh(before, edits):
    """kb serve keeps the index and, after an edit, rewrites only the files holding the
    changed documents: whatever the edits, those files are the ones a fresh build writes.
    Words share shards, come, go and change weight; chunks change with titles."""
    after = list(before)
    for number, document in edits:
        after[number % len(after)] = document
    changed = sum(1 for old, new in zip(before, after, strict=True) if old != new)
    patched = search._patched(search._built(before), after)
    if changed > len(after) // 8:
        assert patched is None
        return
    assert patched is not None
    assert patched.files() == search._built(after).files()


def test_an_index_is_built_afresh_when_documents_come_or_go():
    document = search._indexed(search.Document("events/a/", "A", "A", ("alpha",), ()))
    last = search._built([document] * 20)
    assert search._patched(last, [document] * 21) is None
    assert search._patched(last, [document] * 19) is None


# --- in the browser ----------------------------------------------------------------------------


class SearchPage:
    """The built site's home page in Chromium, with the search files it fetches."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.fetched: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.on("request", self._record)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(base)

    def _record(self, request) -> None:
        if request.url.startswith(self.base + "search/"):
            self.fetched.append(request.url.removeprefix(self.base))

    def type(self, query: str) -> None:
        box = self.page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(query)

    def wait_for_result(self, location: str, query_terms: str) -> None:
        href = f"{self.base}{location}?h={query_terms}"
        self.page.locator(f'{RESULT_LINKS}[href="{href}"]').wait_for(state="visible")

    def hrefs(self) -> list[str]:
        links = self.page.eval_on_selector_all(
            RESULT_LINKS, "links => links.map(link => link.getAttribute('href'))"
        )
        return [link.removeprefix(self.base).split("?")[0] for link in links]


@pytest.fixture
def search_page(serve_site):
    with launch_chromium() as browser:
        yield SearchPage(browser, serve_site)


def test_the_start_of_a_word_finds_the_record(search_page):
    search_page.type("cryptoc")
    search_page.wait_for_result(ROME, "cryptoc")
    # The topic named after the word comes first: names weigh most, and entries more.
    assert search_page.hrefs()[:2] == ["topics/cryptocurrency/", ROME]


@pytest.mark.parametrize("query", ["schürfen", "schurfen", "SCHÜRFEN"])
def test_german_words_are_found_with_or_without_umlauts(search_page, query):
    search_page.type(query)
    search_page.wait_for_result(ROME, search.words(query)[0])


def test_every_word_must_match_and_a_missing_one_is_shown_struck_out(search_page):
    search_page.type("alibaba rome")
    search_page.wait_for_result(ROME, "alibaba+rome")
    assert search_page.hrefs() == [ROME]

    search_page.page.locator("input.md-search__input").fill("")
    search_page.type("rome zzqqxx")
    search_page.wait_for_result(ROME, "rome")
    item = search_page.page.locator(RESULT_LINKS).first
    # The results of "rome zzq" link to the same page as those of the whole query: wait
    # until the list shows the whole query (expect retries) rather than read it at once.
    expect(item.locator("del")).to_have_text(["zzqqxx"])


def test_the_commonest_completion_is_suggested(search_page):
    search_page.type("cryptocur")
    suggestion = search_page.page.locator(".md-search__suggest")
    search_page.page.wait_for_function(
        "el => el.textContent === 'cryptocurrency'", arg=suggestion.element_handle()
    )


def test_a_query_fetches_only_the_files_it_needs(search_page, built_site: Path):
    search_page.type("Rechenzentrum")
    search_page.wait_for_result(JINSHAN, "rechenzentrum")
    manifest = json.loads((built_site / "search/kb/index.json").read_text("utf-8"))
    fetched = set(search_page.fetched)
    # Material's own index (which holds no page), the manifest, the words files of the
    # prefixes typed, and the documents of the results: nothing else.
    assert "search/search_index.json" in fetched and "search/kb/index.json" in fetched
    words_files = {
        f"search/kb/{manifest['terms'][k]}" for k in ("r", "re") if k in manifest["terms"]
    }
    assert fetched - {"search/search_index.json", "search/kb/index.json"} <= words_files | {
        f"search/kb/{name}" for name in manifest["docs"]
    }
    assert {f"search/kb/{manifest['terms']['re']}"} <= fetched
