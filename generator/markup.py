"""Turning record text into page content that cannot do more than the text says.

Plain-text fields (titles, names, notes) are escaped so that every character
shows as written. Summaries are Markdown of a small, documented subset: they
are converted to HTML here, checked, cleaned with an allow-list sanitiser,
and placed in the page as finished HTML, so what was checked is exactly what
is published. Generated Markdown is carried as ``MarkdownText`` (a
``markupsafe.Markup``): Jinja's autoescaping leaves it alone and escapes
everything else.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

import markdown
import nh3
from markupsafe import Markup

# Characters Python-Markdown can read as syntax inline, plus '|' for tables.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")

#: What a summary may contain, as HTML elements.
SUMMARY_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote"}
)
URL_SCHEMES = frozenset({"http", "https"})
#: Bounds that keep one record from stalling the build (Markdown's link parsing is
#: quadratic in unclosed brackets).
MAX_SUMMARY = 5_000
MAX_BRACKETS = 60
_REFUSED = {
    "img": "images are not allowed in a summary; link to the picture instead",
    "hr": "horizontal rules are not allowed in a summary",
    "h1": "headings are not allowed in a summary; the page has its own",
}


class MarkdownText(Markup):
    """Markdown that is ready to place in a page as it is (never escaped again)."""

    __slots__ = ()


def escape(text: object) -> MarkdownText:
    """Plain text as inline Markdown that renders exactly as written, on one line."""
    if isinstance(text, Markup):
        return MarkdownText(text)
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    return MarkdownText(" ".join(value.split()))


def html_text(text: object) -> Markup:
    """Plain text as HTML that shows exactly as written, on one line."""
    if isinstance(text, Markup):
        return text
    return Markup(html.escape(" ".join(str(text).split()), quote=True))


def html_link(text: object, url: str) -> Markup:
    return Markup(f'<a href="{html.escape(safe_url(url), quote=True)}">{html_text(text)}</a>')


def safe_url(url: str) -> str:
    """A URL that cannot break out of a Markdown link: quotes, brackets and spaces encoded."""
    return quote(url, safe=":/?#@!$&*+,;=%~-._")


def link(text: str, url: str) -> MarkdownText:
    return MarkdownText(f"[{escape(text)}]({safe_url(url)})")


@dataclass(frozen=True)
class SummaryProblem:
    #: the text that causes the problem, to find it in the file ("" for the whole summary)
    needle: str
    message: str


def check_summary(text: str) -> list[SummaryProblem]:
    """Everything in a summary that goes beyond the allowed Markdown, with its line."""
    if len(text) > MAX_SUMMARY:
        return [SummaryProblem("", f"is {len(text)} characters long; keep it to {MAX_SUMMARY}")]
    if text.count("[") > MAX_BRACKETS:
        return [
            SummaryProblem(
                "[",
                f"has {text.count('[')} '[' characters; at most {MAX_BRACKETS} are allowed",
            )
        ]
    if _harmless(text):  # most summaries: paragraphs, lists, emphasis and links at most
        return []
    return _problems(text)


def _problems(text: str) -> list[SummaryProblem]:
    """What ``check_summary`` finds, found the long way: through Python-Markdown."""
    problems = []
    for match in re.finditer(r"\{:?[^}\n]*\}", text):
        if match.group().startswith("{:") or "=" in match.group() or match.group()[1:2] in ".#":
            problems.append(
                SummaryProblem(
                    match.group(),
                    f"attribute list '{match.group()}' is not allowed in a summary",
                )
            )
    for comment in re.finditer(r"<!--.*?(?:-->|$)", text, flags=re.MULTILINE):
        problems.append(
            SummaryProblem(
                comment.group(), f"HTML comment '{comment.group()}' is not allowed in a summary"
            )
        )
    for tag in re.finditer(r"<\s*(?!https?://)([A-Za-z][\w-]*)[^>]*>", text):
        problems.append(
            SummaryProblem(
                tag.group(),
                f"HTML tag '{tag.group()}' is not allowed in a summary; use Markdown",
            )
        )
    scanner = _Scanner()
    scanner.feed(_to_html(text))
    for kind, detail in scanner.found:
        if kind == "href":
            problems.append(
                SummaryProblem(
                    _link_target(text, detail),
                    f"link '{detail}' is not allowed; links must start with http:// or https://",
                )
            )
        else:
            message = _REFUSED.get("h1" if re.fullmatch(r"h[1-6]", kind) else kind)
            problems.append(
                SummaryProblem(
                    _source_of(text, kind),
                    message or f"'{kind}' elements are not allowed in a summary",
                )
            )
    return problems


def summary_html(text: str) -> MarkdownText:
    """The summary as clean HTML, for a page; call after check_summary found nothing."""
    cleaned = _SANITISER.clean(_to_html(text))
    # One HTML block for Markdown: blank lines would end it early.
    body = re.sub(r"\n\s*\n", "\n", cleaned.strip())
    return MarkdownText(f'<div class="kb-summary">\n{body}\n</div>')


#: Made once: making one per summary took three times as long as cleaning it.
_SANITISER = nh3.Cleaner(
    tags=set(SUMMARY_TAGS),
    attributes={"a": {"href"}},
    url_schemes=set(URL_SCHEMES),
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)
_MARKDOWN = markdown.Markdown(output_format="html")
_NOT_AUTOLINK = re.compile(r"<(?!https?://[^\s<>]+>)")
_MARKDOWN_LOCK = threading.Lock()  # one converter, reused: building one costs more than using it


# Unbounded: a bound below the number of summaries (about 60,000 at 50,000 events) would
# evict each one before its page is rendered and convert every summary twice.
@functools.cache  # a summary is converted for its check, page, feeds and calendar
def _to_html(text: str) -> str:
    """Summary Markdown as HTML; cached because validation and rendering both need it."""
    if plain_paragraphs(text):
        return _plain_html(text)
    # Raw HTML never reaches the converter: '<' is always text, except to open an
    # autolink such as <https://example.com>.
    source = _NOT_AUTOLINK.sub("&lt;", text)
    with _MARKDOWN_LOCK:
        return _MARKDOWN.reset().convert(source)


#: paragraphs of prose: lines that hold no character Markdown reads inline (emphasis,
#: code, links, escapes, HTML, entities, attribute lists) and end without spaces; the
#: first line of a paragraph opens with a letter (not a list marker, heading, quote or
#: code), the others with a letter or a number that is not a list item's
_PLAIN_TEXT = r"[^\\`*_\[\]<>&{}#|\x00-\x1f\x7f]*(?<=\S)"
_PLAIN_FIRST = rf"[^\W\d_]{_PLAIN_TEXT}"
_PLAIN_NEXT = rf"(?:[^\W\d_]|\d+(?![\d.)])){_PLAIN_TEXT}"
_PLAIN_PARAGRAPH = rf"{_PLAIN_FIRST}(?:\n{_PLAIN_NEXT})*"
_PLAIN = re.compile(rf"{_PLAIN_PARAGRAPH}(?:\n\n{_PLAIN_PARAGRAPH})*\n?")


#: A line that Markdown can only make into a paragraph's line or a list item, with
#: emphasis and web links at most: no character that opens code, images, HTML,
#: entities, escapes, headings, quotes, tables or attribute lists, and brackets only
#: around a link's text; no tab or indent (code); it opens with a letter, emphasis before
#: a letter, a number that is not an ordered list's, or a link, after a "- " list marker
#: at most (so never a rule or a setext heading's underline).
_HARMLESS_CHARACTER = r"[^\\`\[\]<>&{}#|\x00-\x1f\x7f]"
_URL_CHARACTER = r"[^\s()<>\\`\"'\[\]{}|&\x00-\x1f\x7f]"
_WEB_LINK = rf"(?<!!)\[{_HARMLESS_CHARACTER}*\]\(https?://{_URL_CHARACTER}+\)"
_HARMLESS_LINE = (
    rf"(?:- )?(?:[*_]{{1,3}})?(?:[^\W\d_]|\d+(?![\d.)])|{_WEB_LINK})"
    rf"(?:{_HARMLESS_CHARACTER}|{_WEB_LINK})*"
)
_HARMLESS = re.compile(rf"(?:{_HARMLESS_LINE})?(?:\n(?:{_HARMLESS_LINE})?)*")


def _harmless(text: str) -> bool:
    """Whether Markdown makes of ``text`` only elements a summary may hold (paragraphs,
    lists, emphasis, line breaks, links to web addresses): then ``_problems`` finds
    nothing."""
    return _HARMLESS.fullmatch(text) is not None


def plain_paragraphs(text: str) -> bool:
    """Whether ``text`` is paragraphs that Markdown turns into <p>paragraph</p> unchanged."""
    return _PLAIN.fullmatch(text) is not None


def paragraphs(text: str) -> list[str]:
    """The paragraphs of plain paragraphs (``plain_paragraphs``), as Markdown finds them."""
    return text.rstrip("\n").split("\n\n")


def _plain_html(text: str) -> str:
    """What Markdown makes of plain paragraphs (``plain_paragraphs``), without its cost."""
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs(text))


def _link_target(text: str, href: str) -> str:
    """The link target as written in the source, which may be entity-encoded."""
    for target in re.findall(r"\]\(\s*<?([^)\s>]*)", text):
        if not _is_web_url(target):
            return target
    return href


def _source_of(text: str, kind: str) -> str:
    """The source line that produced a refused element."""
    for line in text.splitlines():
        stripped = line.strip()
        if kind == "img" and "![" in line:
            return line[line.index("![") :]
        if kind == "hr" and re.fullmatch(r"([-*_])( ?\1){2,}", stripped.replace(" ", "")):
            return stripped
        if kind.startswith("h") and (stripped.startswith("#") or set(stripped) in ({"="}, {"-"})):
            return stripped
    return ""


class _Scanner(HTMLParser):
    """Finds elements outside the allow-list and links with other schemes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SUMMARY_TAGS:
            self.found.append((tag, ""))
        for name, value in attrs:
            if name == "href" and not _is_web_url(value or ""):
                self.found.append(("href", value or ""))


def _is_web_url(url: str) -> bool:
    # Browsers ignore control characters and spaces inside a scheme; so must we.
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower()
    return cleaned.split(":", 1)[0] in URL_SCHEMES and ":" in cleaned
