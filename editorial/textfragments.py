"""Text Fragment links (``#:~:text=``) to a quoted passage in the original page.

Follows the WICG Scroll-to-Text-Fragment draft: ``text=[prefix-,]textStart[,textEnd][,-suffix]``.
Each term is percent-encoded; besides what URLs reserve anyway, ``-``, ``,`` and ``&`` inside a term
are encoded because they delimit the directive's parts (``quote(..., safe="")`` leaves ``-`` alone,
so it is encoded explicitly).

* Short passages on one line are quoted whole (``text=textStart``).
* Long passages, and passages that run over a paragraph break (a single term never matches across
  block boundaries), become ``textStart,textEnd``: their first and last few words.
* When the passage occurs more than once in the captured text, the words just before it
  (``prefix-,``) and just after it (``,-suffix``) are added, taken from the same paragraph.

The captured revision stands in for the page: if the publisher changed the page since, the
browser simply scrolls nowhere, which is what the spec intends.
"""

import re
from urllib.parse import quote, urldefrag

from sources.textutils import PARAGRAPH_BREAK

# Passages longer than this (in characters) are linked by their first and last words.
LONG_EXCERPT = 80
EDGE_WORDS = 4  # words in textStart / textEnd for long passages
CONTEXT_WORDS = 3  # words of prefix / suffix when the passage is not unique


# Terms of only these characters need nothing but their spaces encoded (``quote`` leaves the rest).
PLAIN_TERM = re.compile(r"[A-Za-z0-9_.~ ]*")


def encode_term(term):
    """Return ``term`` percent-encoded for a text directive (``-``, ``,``, ``&`` included)."""
    term = " ".join(term.split())
    if PLAIN_TERM.fullmatch(term):  # most terms: what ``quote`` returns, several times faster
        return term.replace(" ", "%20")
    return quote(term, safe="").replace("-", "%2D")


def _words(text):
    return text.split()


def _context_before(text, start):
    """Return up to ``CONTEXT_WORDS`` words just before ``start``, within the same paragraph.

    The spec matches a prefix from a word start but lets it end anywhere, then skips white space
    to the passage, so the words are taken as they stand, the last one possibly touching it.
    """
    before = PARAGRAPH_BREAK.split(text[max(0, start - 200) : start])[-1]
    return " ".join(_words(before)[-CONTEXT_WORDS:])


def _context_after(text, end):
    """Return up to ``CONTEXT_WORDS`` words just after ``end`` (a suffix may start mid-word)."""
    after = PARAGRAPH_BREAK.split(text[end : end + 200])[0]
    return " ".join(_words(after)[:CONTEXT_WORDS])


def normalise(text):
    """Return ``text`` as occurrences of a passage are counted in it: spaces collapsed, case folded.

    A caller linking many passages of one text (an export) passes it to ``fragment_url`` as
    ``normalised_text``, so that the text is normalised once rather than once per passage.
    """
    return " ".join(text.split()).casefold()


def text_directive(text, start, end, *, normalised_text=None):
    """Return the ``text=…`` directive for ``text[start:end]`` (without ``#:~:``), or "" when empty.

    ``normalised_text`` is ``normalise(text)``, when the caller has it.
    """
    excerpt = text[start:end]
    words = _words(excerpt)
    if not words:
        return ""
    spans_blocks = bool(PARAGRAPH_BREAK.search(excerpt.strip()))
    if (len(excerpt) > LONG_EXCERPT and len(words) > 2 * EDGE_WORDS) or (spans_blocks and len(words) > 1):
        if spans_blocks:
            first_block, *_, last_block = PARAGRAPH_BREAK.split(excerpt.strip())
            head = _words(first_block)[:EDGE_WORDS]
            tail = _words(last_block)[-EDGE_WORDS:]
        else:
            head, tail = words[:EDGE_WORDS], words[-EDGE_WORDS:]
        parts = [encode_term(" ".join(head)), encode_term(" ".join(tail))]
    else:
        parts = [encode_term(excerpt)]
    if normalised_text is None:
        normalised_text = normalise(text)
    if _occurs_more_than_once(normalised_text, excerpt):
        prefix = _context_before(text, start)
        suffix = _context_after(text, end)
        if prefix:
            parts.insert(0, encode_term(prefix) + "-")
        if suffix:
            parts.append("-" + encode_term(suffix))
    return "text=" + ",".join(parts)


def _occurs_more_than_once(normalised_text, excerpt):
    normalised_excerpt = normalise(excerpt)
    first = normalised_text.find(normalised_excerpt)
    return first != -1 and normalised_text.find(normalised_excerpt, first + 1) != -1


def fragment_url(url, text, start, end, *, normalised_text=None):
    """Return ``url`` with a Text Fragment for ``text[start:end]``, or "" when there is no ``url``.

    An existing fragment of ``url`` is kept in front of the directive, as the spec allows.
    ``normalised_text`` is ``normalise(text)``, when the caller has it.
    """
    if not url:
        return ""
    directive = text_directive(text, start, end, normalised_text=normalised_text)
    if not directive:
        return url
    base, fragment = urldefrag(url)
    return f"{base}#{fragment}:~:{directive}"
