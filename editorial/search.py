"""What search shares across the public lists: reading a reader's query and marking matches safely.

Claims are searched in the public read model (``editorial.public.search``); sources by words
(``editorial.filters.SourceFilter``). Highlighting never trusts the database with HTML: the
database marks matches with private-use characters, the text is escaped, and only then are the
markers turned into ``<mark>`` (``marked``).
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from editorial.anchoring import CHARACTER_EQUIVALENTS

MARK_START = "\ue000"
MARK_END = "\ue001"
MAX_QUERY_LENGTH = 200
# Quotes and dashes a reader types plainly but a publisher prints typographically, folded as excerpt
# matching folds them (``editorial.anchoring``).
_FOLD = str.maketrans({character: CHARACTER_EQUIVALENTS[character] for character in "’‘“”„–—"})


def normalise_query(query):
    """Return the query as searched: typographic quotes and dashes folded, white space collapsed."""
    return " ".join((query or "").translate(_FOLD).split())[:MAX_QUERY_LENGTH]


def query_words(query):
    """Return the words of a query, without the quotes and operators readers may type."""
    words = []
    for word in re.split(r"\s+", normalise_query(query)):
        word = word.strip("\"'()")
        if word.startswith("-") and len(word) > 1:
            word = word[1:]
        if word and word.lower() != "or":
            words.append(word)
    return words


def marked(text):
    """Return ``text`` (with the database's private-use markers) escaped, markers made ``<mark>``."""
    if not text:
        return ""
    html = escape(text)
    # Markers that do not pair up (a source containing the private-use characters) are dropped.
    html = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", html)
    html = html.replace(MARK_START, "").replace(MARK_END, "")
    return mark_safe(html)  # noqa: S308 — escaped above; only <mark> is added
