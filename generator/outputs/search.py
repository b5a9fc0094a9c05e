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
from collections import Counter, defaultdict
from dataclasses import dataclass

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
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return _WORD.findall(bare)


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
    """Every search file by its docs-relative path. What an event adds to the index is
    kept between builds until the event changes (``memo``, render_cache.py)."""
    indexed = [
        *(_indexed(_company(c)) for c in kb.companies.values()),
        *(_indexed(_topic(t)) for t in kb.topics.values()),
        *(
            memo.value(f"search:{e.id}", {"event": e}, lambda e=e: _indexed(_event(kb, e)))
            for e in kb.events
        ),
    ]
    postings = _postings(indexed)
    files: dict[str, bytes] = {}
    terms: dict[str, str] = {}
    by_key: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for word in sorted(postings):
        by_key[shard_key(word)][word] = postings[word]
    for key, shard in sorted(by_key.items()):
        terms[key] = _add(files, "t", shard)
    chunks = [
        _add(files, "d", [[d.location, d.title, d.teaser] for d in indexed[i : i + CHUNK]])
        for i in range(0, len(indexed), CHUNK)
    ]
    manifest = {
        "format": FORMAT,
        "prefix": PREFIX,
        "chunk": CHUNK,
        "limit": LIMIT,
        "prefix_share": PREFIX_SHARE,
        "stop_words": sorted(STOP_WORDS),
        "documents": len(indexed),
        "terms": terms,
        "docs": chunks,
    }
    files[MANIFEST] = _json(manifest)
    return files


def _add(files: dict[str, bytes], kind: str, data: object) -> str:
    """Store ``data`` under a name made from its content; the name, relative to FOLDER."""
    body = _json(data)
    name = f"{kind}-{hashlib.sha256(body).hexdigest()[:16]}.json"
    files[FOLDER + name] = body
    return name


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
    weights: Counter[str] = Counter()
    for texts, weight in ((document.heading, TITLE_WEIGHT), (document.body, TEXT_WEIGHT)):
        counts = Counter(w for text in texts for w in words(text) if w not in STOP_WORDS)
        for word, count in counts.items():
            weights[word] += min(count, CAP) * weight
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
