"""The search index, split so that a reader's browser loads only what a query needs.

Material's own search downloads one index of every page and builds it in the
browser before it answers: at 10,000 events that is 1.5 MB gzipped and seconds
of work. This index is written from the model instead, in small files under
``search/kb/`` that the theme's search worker (``assets/javascripts/kb-search.js``)
reads with Material's search interface unchanged:

- ``index.json``: the settings below and the names of every other file; small,
  the only file whose name stays the same, so it is fetched fresh every time
- ``t-<hash>.json``: the words starting with the same two characters, each with
  its postings (document number, weight, document number, weight, ...)
- ``d-<hash>.json``: a chunk of documents (address, title, teaser) by number

A query loads ``index.json``, one words file per query word and the documents
chunks of its best results. File names hold a hash of their content, so a host
may cache them forever and a reader never mixes files of two builds.

Words are normalised exactly as the worker does it: lower case, decomposed
(NFKD) without combining marks ("Übernahme" → "ubernahme"), split at anything
that is not a letter or digit.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain

from ..model import CompanyEntry, EventEntry, KnowledgeBase, TopicEntry
from ..render_cache import NO_MEMO, Memo, NoMemo
from .common import company_path, date_line, event_path, summary_text, topic_path

FOLDER = "search/kb/"
#: how a weight is packed (array typecode): unsigned, two bytes or more, and a weight
#: is at most CAP * (TITLE_WEIGHT + TEXT_WEIGHT) * ENTRY_BOOST
_WEIGHT = "I"
MANIFEST = FOLDER + "index.json"
#: Bump when the files' layout changes: the worker refuses a format it does not know.
FORMAT = 1
#: Words are filed by their first characters; a query word needs at least this many
#: characters to match longer words (a shorter one matches only itself).
PREFIX = 2
#: Documents per documents file: small enough that the best results cost little.
CHUNK = 64
#: The most results shown for one query, best first.
LIMIT = 50
#: A word's weight in a title-like field and in the rest; repeated words count up to CAP.
TITLE_WEIGHT = 8
TEXT_WEIGHT = 1
CAP = 3
#: Companies and topics are few and are what a name search is usually after.
ENTRY_BOOST = 2
#: A query word that is only the start of a word scores this share of an exact match.
PREFIX_SHARE = 0.5
#: Teasers are cut at about this many characters.
TEASER = 180
#: Words too common in English and German to tell documents apart: not indexed.
_ENGLISH = "a an and are as at be by for from has have in is it its of on or that the this to"
_GERMAN = "der die das den dem des ein eine einer eines einem und oder im ist sind von vom zu"
STOP_WORDS = frozenset(
    f"{_ENGLISH} was were will with {_GERMAN} zur zum mit fur auf aus bei"
    " als am auch nicht sich es".split(" ")
)

_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")


def words(text: str) -> list[str]:
    """The normalised words of ``text``, in order (the worker's ``words``)."""
    if text.isascii():  # nothing to decompose: most text, and much faster
        return _WORD.findall(text.lower())
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _WORD.findall(_NON_ASCII.sub(_without_marks, decomposed))


#: runs of characters beyond ASCII, the only ones that can be combining marks: most text
#: with accents is ASCII but for them, and looking at each character took a third of the
#: time of indexing 10,000 events
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if not unicodedata.category(c).startswith("M"))


def shard_key(word: str) -> str:
    return word[:PREFIX]


@dataclass(frozen=True, slots=True)
class Document:
    location: str
    title: str
    teaser: str
    #: text that counts like a title (names, other-language titles), and the rest
    heading: tuple[str, ...]
    body: tuple[str, ...]
    boost: int = 1


def render_search(kb: KnowledgeBase, memo: Memo | NoMemo = NO_MEMO) -> dict[str, bytes]:
    """Every search file by its docs-relative path. What a document adds to the index is
    kept between builds until it changes (``memo``, render_cache.py); a running process
    (``kb serve``) also keeps the index itself, and after an edit writes again only the
    files that hold the changed documents' words and results."""
    indexed = [
        *memo.each("search/company", [*kb.companies.values()], {}, lambda c: _indexed(_company(c))),
        *memo.each("search/topic", [*kb.topics.values()], {}, lambda t: _indexed(_topic(t))),
        *memo.each("search/event", kb.events, {}, lambda e: _indexed(_event(kb, e))),
    ]
    kept = memo.kept(FOLDER)
    index = _patched(kept, indexed) if isinstance(kept, _Index) else None
    if index is None:
        index = _built(indexed)
    memo.keep(FOLDER, index)
    return index.files()


@dataclass(frozen=True)
class _Index:
    """The index as its files hold it. Never changed once made: a patched index shares
    what did not change with the one it was patched from."""

    documents: tuple[Indexed, ...]
    #: the words of each shard key, with their postings (document, weight, ...)
    words: dict[str, dict[str, list[int]]]
    #: each shard key's words file, and each chunk of documents' file: (name, body)
    terms: dict[str, tuple[str, bytes]]
    chunks: tuple[tuple[str, bytes], ...]

    def files(self) -> dict[str, bytes]:
        files = {FOLDER + name: body for name, body in (*self.terms.values(), *self.chunks)}
        manifest = {
            "format": FORMAT,
            "prefix": PREFIX,
            "chunk": CHUNK,
            "limit": LIMIT,
            "prefix_share": PREFIX_SHARE,
            "stop_words": sorted(STOP_WORDS),
            "documents": len(self.documents),
            "terms": {key: name for key, (name, _) in sorted(self.terms.items())},
            "docs": [name for name, _ in self.chunks],
        }
        files[MANIFEST] = _json(manifest)
        return files


def _built(indexed: list[Indexed]) -> _Index:
    words: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for word, postings in _postings(indexed).items():
        words[shard_key(word)][word] = postings
    return _Index(
        tuple(indexed),
        dict(words),
        {key: _file("t", shard) for key, shard in words.items()},
        tuple(_chunk(indexed, start) for start in range(0, len(indexed), CHUNK)),
    )


def _patched(last: _Index, indexed: list[Indexed]) -> _Index | None:
    """``last`` with the documents that changed since put in its place; None when
    documents came or went (every later one is numbered anew) or too many changed."""
    if len(indexed) != len(last.documents):
        return None
    changed = [
        number
        for number, (old, new) in enumerate(zip(last.documents, indexed, strict=True))
        if old is not new and old != new
    ]
    if len(changed) > len(indexed) // 8:  # then building it afresh costs less
        return None
    words = dict(last.words)
    copied: set[str] = set()
    for number in changed:
        before, after = _weights_of(last.documents[number]), _weights_of(indexed[number])
        for word in before.keys() | after.keys():
            weight = after.get(word)
            if before.get(word) == weight:
                continue
            key = shard_key(word)
            if key not in copied:
                words[key] = dict(words.get(key, {}))
                copied.add(key)
            postings = _replaced(words[key].get(word, []), number, weight)
            if postings:
                words[key][word] = postings
            else:
                del words[key][word]
    terms = dict(last.terms)
    for key in copied:
        if words[key]:
            terms[key] = _file("t", words[key])
        else:
            del words[key], terms[key]
    chunks = list(last.chunks)
    for start in sorted({number - number % CHUNK for number in changed}):
        chunks[start // CHUNK] = _chunk(indexed, start)
    return _Index(tuple(indexed), words, terms, tuple(chunks))


def _weights_of(document: Indexed) -> dict[str, int]:
    if not document.words:
        return {}
    weights = array(_WEIGHT, document.weights)
    return dict(zip(document.words.split("\n"), weights, strict=True))


def _replaced(postings: list[int], number: int, weight: int | None) -> list[int]:
    """A copy of ``postings`` with document ``number``'s weight, or without it (None)."""
    at = bisect_left(postings[::2], number) * 2
    end = at + 2 if at < len(postings) and postings[at] == number else at
    return postings[:at] + ([number, weight] if weight is not None else []) + postings[end:]


def _chunk(indexed: list[Indexed], start: int) -> tuple[str, bytes]:
    return _file("d", [[d.location, d.title, d.teaser] for d in indexed[start : start + CHUNK]])


def _file(kind: str, data: object) -> tuple[str, bytes]:
    """The file of ``data``, named after its content (relative to FOLDER), and its body."""
    body = _json(data)
    return f"{kind}-{hashlib.sha256(body).hexdigest()[:16]}.json", body


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _postings(indexed: list[Indexed]) -> dict[str, list[int]]:
    """word → [document, weight, document, weight, ...] by document number."""
    postings: dict[str, list[int]] = defaultdict(list)
    for number, document in enumerate(indexed):
        if document.words:
            weights = array(_WEIGHT, document.weights)
            for word, weight in zip(document.words.split("\n"), weights, strict=True):
                postings[word] += (number, weight)
    return postings


@dataclass(frozen=True)
class Indexed:
    """A document as the index holds it: what its result shows, and its words' weights.

    Compact, because the render cache keeps one for every event: the words one per
    line, their weights packed in the same order.
    """

    location: str
    title: str
    teaser: str
    words: str
    weights: bytes


def _indexed(document: Document) -> Indexed:
    weights = _weights(document)
    return Indexed(
        document.location,
        document.title,
        document.teaser,
        "\n".join(weights),
        array(_WEIGHT, weights.values()).tobytes(),
    )


def _weights(document: Document) -> dict[str, int]:
    """The weight of each word in a document, in the order the words first appear."""
    weights: dict[str, int] = {}
    for texts, weight in ((document.heading, TITLE_WEIGHT), (document.body, TEXT_WEIGHT)):
        # Counted all at once, stop words among them, then looked at once per word.
        for word, count in Counter(chain.from_iterable(map(words, texts))).items():
            if word not in STOP_WORDS:
                weights[word] = weights.get(word, 0) + min(count, CAP) * weight
    return {word: weight * document.boost for word, weight in weights.items()}


def _company(company: CompanyEntry) -> Document:
    record = company.record
    names = (record.name, *record.aliases, *(t.symbol for t in record.tickers))
    description = record.description or "Company"
    return Document(
        company_path(company.id),
        record.name,
        _teaser(description),
        names,
        (description, *(t.exchange for t in record.tickers)),
        ENTRY_BOOST,
    )


def _topic(topic: TopicEntry) -> Document:
    record = topic.record
    description = record.description or "Topic"
    return Document(
        topic_path(topic.id),
        record.name,
        _teaser(description),
        (record.name,),
        (description,),
        ENTRY_BOOST,
    )


def _event(kb: KnowledgeBase, event: EventEntry) -> Document:
    record = event.record
    companies = [kb.companies[c].name for c in record.companies if c in kb.companies]
    topics = [kb.topics[t].name for t in record.topics if t in kb.topics]
    summary = summary_text(record.summary)
    translations = record.translations.values()
    when = date_line(event)
    teaser = " · ".join((when, ", ".join(companies), summary))
    return Document(
        event_path(event.id),
        record.title,
        _teaser(teaser),
        (record.title, *(t.title for t in translations)),
        (
            summary,
            *(summary_text(t.summary) for t in translations if t.summary),
            *companies,
            *topics,
            *record.places,
            when,
            record.type.replace("-", " "),
            *(s.title for s in record.sources),
            *(s.publisher for s in record.sources if s.publisher),
        ),
    )


def _teaser(text: str) -> str:
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= TEASER:
        return flat
    cut = flat.rfind(" ", 0, TEASER)
    return flat[: cut if cut > TEASER // 2 else TEASER].rstrip(" ,;·") + " …"
