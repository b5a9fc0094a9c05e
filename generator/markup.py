"""Turning record text into Markdown that cannot do more than the text says.

Plain-text fields (titles, names, notes) are escaped so that every character
shows as written. Summaries are Markdown, limited to what ``summary`` allows.
Generated Markdown is carried as ``MarkdownText`` (a ``markupsafe.Markup``),
so Jinja's autoescaping leaves it alone and escapes everything else.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup

# Characters Python-Markdown can read as syntax inline, plus '|' for tables.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


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


def safe_url(url: str) -> str:
    """A URL that cannot break out of a Markdown link: quotes, brackets and spaces encoded."""
    return quote(url, safe=":/?#@!$&*+,;=%~[]-._")


def link(text: str, url: str) -> MarkdownText:
    return MarkdownText(f"[{escape(text)}]({safe_url(url)})")


def summary(text: str) -> MarkdownText:
    """A record's summary as Markdown: paragraphs, emphasis, lists and links; no raw HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    # Attribute lists ({: ...}) could add attributes such as event handlers.
    text = text.replace("{", "&#123;")
    return MarkdownText(text.strip())
