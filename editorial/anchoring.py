"""Finding a quoted passage in a text, and finding it again in a newer text: pure algorithms.

Offsets are Unicode code points — Python ``str`` indices, the unit of the W3C TextPositionSelector —
never UTF-16 code units: a character outside the Basic Multilingual Plane (𝔅, most emoji) counts as
one. The stored excerpt is always the source's own characters, ``text[start:end]``.

Two jobs live here, on plain strings (the rows are read and written by
``editorial.services.citations``; this module imports nothing of the project):

* ``locate_excerpt`` finds what an editor quoted. Typographic variants are matched leniently
  (’ and ', “ and ", – and -, runs of white space), so an editor can type or paste the passage
  without matching the publisher's punctuation. ``fold`` is that equivalence, which search uses too.
* ``find_anchor`` finds a passage quoted from an older revision in the newest text: ``exact`` (same
  characters, possibly moved), ``fuzzy`` (found with differences, scored 0–100 with RapidFuzz) or
  ``orphaned`` (gone). The approach follows Hypothesis's quote/prefix/suffix/position anchoring.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from rapidfuzz import fuzz

CONTEXT_LENGTH = 32  # code points of prefix and suffix stored with a citation
ERROR_CONTEXT = 24  # code points of context shown around an occurrence in error messages
FUZZY_THRESHOLD = 75  # lowest RapidFuzz similarity (0–100) at which a changed passage still counts as found
# Shorter passages are only ever anchored exactly: a short string resembles too many others.
FUZZY_MIN_LENGTH = 20

# Characters matched as equal to their plain ASCII form. The stored excerpt keeps the source's own.
EQUIVALENTS = {
    "\u2019": "'",  # ’ right single quotation mark (and apostrophe)
    "\u2018": "'",  # ‘
    "\u201b": "'",  # ‛
    "\u201a": "'",  # ‚
    "\u2032": "'",  # ′ prime, often typed for an apostrophe
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201e": '"',  # „
    "\u201f": '"',  # ‟
    "\u2033": '"',  # ″
    "\u2010": "-",  # ‐ hyphen
    "\u2011": "-",  # ‑ non-breaking hyphen
    "\u2012": "-",  # ‒ figure dash
    "\u2013": "-",  # – en dash
    "\u2014": "-",  # — em dash
    "\u2015": "-",  # ― horizontal bar
    "\u2212": "-",  # − minus sign
    "\u2026": "...",  # … ellipsis
}
# The one-for-one part of that equivalence, which keeps offsets: search folds with it.
CHARACTER_EQUIVALENTS = {character: plain for character, plain in EQUIVALENTS.items() if len(plain) == 1}
# Invisible characters that copying from a web page adds or drops: skipped when matching.
_IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


class AnchorState(models.TextChoices):
    CURRENT = "current", "Current (cites the newest revision)"
    EXACT = "exact", "Exact (same words in the newest revision)"
    FUZZY = "fuzzy", "Fuzzy (found with differences)"
    ORPHANED = "orphaned", "Orphaned (gone from the newest revision)"


# The states that mean the source changed since the passage was quoted ("claims whose source changed").
CHANGED_STATES = (AnchorState.EXACT, AnchorState.FUZZY, AnchorState.ORPHANED)


class Match(NamedTuple):
    """Where an excerpt sits: ``text[start:end] == excerpt``, in code points."""

    start: int
    end: int
    excerpt: str


class ExcerptError(ValidationError):
    """An excerpt that cannot be located: absent, ambiguous, or offsets that do not fit.

    ``str(error)`` is the sentence to show; ``error.matches`` lists the occurrences found (several for
    ``code == "ambiguous"``) so that a form can offer them as choices.
    """

    def __init__(self, message, *, code, matches=()):
        super().__init__(message, code=code)
        self.matches = list(matches)

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Anchor:
    """Where a citation's passage sits in a newer revision, and how sure that is."""

    state: str
    start: int | None = None
    end: int | None = None
    score: int | None = None


# Finding an excerpt ------------------------------------------------------------------------------


def fold(text: str) -> tuple[str, list[int]]:
    """Return ``(folded, origins)``: ``text`` with equivalent characters made equal, and a map back.

    Typographic quotes and dashes become ASCII, every run of white space (non-breaking spaces and
    newlines included) becomes one space, and invisible characters are dropped. ``origins[i]`` is the
    index in ``text`` of the character that produced ``folded[i]``; indices are code points.
    """
    folded = []
    origins = []
    in_space = False
    for index, character in enumerate(text):
        if character in _IGNORABLE:
            continue
        if character.isspace():
            if not in_space:
                folded.append(" ")
                origins.append(index)
                in_space = True
            continue
        in_space = False
        replacement = EQUIVALENTS.get(character, character)
        folded.append(replacement)
        origins.extend([index] * len(replacement))
    return "".join(folded), origins


def _trim(text, start, end):
    """Return ``(start, end)`` narrowed past white space and invisible characters at either edge."""
    while start < end and (text[start].isspace() or text[start] in _IGNORABLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _IGNORABLE):
        end -= 1
    return start, end


def _occurrences(text, folded_text, origins, needle):
    """Yield ``(Match, folded_start)`` for every lenient occurrence of the folded ``needle``."""
    position = folded_text.find(needle)
    while position != -1:
        folded_end = position + len(needle)
        # An occurrence must not start or end inside one character's expansion (the dots of "…").
        starts_cleanly = position == 0 or origins[position - 1] != origins[position]
        ends_cleanly = folded_end == len(folded_text) or origins[folded_end] != origins[folded_end - 1]
        if starts_cleanly and ends_cleanly:
            start, end = origins[position], origins[folded_end - 1] + 1
            yield Match(start, end, text[start:end]), position
        position = folded_text.find(needle, position + 1)


def _shorten(text, limit=80):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(text: str, match: Match) -> str:
    """Return ``match`` as an editor reads it: offsets and a little context ("at 12–30: “…”")."""
    before = text[max(0, match.start - ERROR_CONTEXT) : match.start]
    after = text[match.end : match.end + ERROR_CONTEXT]
    lead = "…" if match.start > ERROR_CONTEXT else ""
    tail = "…" if match.end + ERROR_CONTEXT < len(text) else ""
    shown = " ".join(f"{lead}{before}[{_shorten(match.excerpt, 60)}]{after}{tail}".split())
    return f"at {match.start}–{match.end}: “{shown}”"


def locate_excerpt(
    text: str,
    excerpt: str,
    *,
    start: int | None = None,
    end: int | None = None,
    prefix: str = "",
    suffix: str = "",
) -> Match:
    """Return the ``Match`` of ``excerpt`` in ``text``, in the source's own characters.

    Quotes, dashes and white space are matched leniently (see ``fold``); the returned excerpt is
    ``text[start:end]``, whatever the editor typed. Leading and trailing white space is not part of
    an excerpt. When the passage occurs more than once, ``start`` and/or ``end`` choose the
    occurrence, or ``prefix``/``suffix`` (text just before/after it, also matched leniently) do.

    Raises ``ExcerptError`` (a ``ValidationError``) when the excerpt is empty or absent, occurs
    several times with nothing to choose between them (the message lists them), or when the
    offsets lie outside the text or do not hold the excerpt.
    """
    folded_excerpt = fold(excerpt)[0].strip(" ")
    if not folded_excerpt:
        raise ExcerptError("The excerpt is empty; quote the passage the claim rests on.", code="empty")
    if start is not None and end is not None:
        return _check_offsets(text, excerpt, folded_excerpt, start, end)

    folded_text, origins = fold(text)
    found = list(_occurrences(text, folded_text, origins, folded_excerpt))
    if not found:
        raise ExcerptError(
            f"The excerpt “{_shorten(excerpt)}” does not occur in the text. Copy it from the source as printed.",
            code="not_found",
        )
    candidates = found
    if start is not None or end is not None:
        _check_bounds(text, start, end)
        candidates = [(m, p) for m, p in candidates if start in (None, m.start) and end in (None, m.end)]
    folded_prefix = fold(prefix)[0].strip(" ")
    folded_suffix = fold(suffix)[0].strip(" ")
    if folded_prefix:
        candidates = [
            (m, p)
            for m, p in candidates
            if folded_text[max(0, p - len(folded_prefix) - 1) : p].rstrip(" ").endswith(folded_prefix)
        ]
    if folded_suffix:
        candidates = [
            (m, p)
            for m, p in candidates
            if folded_text[p + len(folded_excerpt) : p + len(folded_excerpt) + len(folded_suffix) + 1]
            .lstrip(" ")
            .startswith(folded_suffix)
        ]
    matches = [match for match, _ in candidates]
    if len(matches) == 1:
        return matches[0]
    listing = "; ".join(describe(text, match) for match, _ in (candidates or found))
    if not matches:
        raise ExcerptError(
            f"The excerpt “{_shorten(excerpt)}” occurs {_times(len(found))}, but not with the given "
            f"position or context: {listing}.",
            code="not_found",
            matches=[match for match, _ in found],
        )
    raise ExcerptError(
        f"The excerpt “{_shorten(excerpt)}” occurs {_times(len(matches))}: {listing}. Give the start "
        "(or the words just before or after it) to say which one is meant.",
        code="ambiguous",
        matches=matches,
    )


def _times(count):
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _check_bounds(text, start, end):
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ExcerptError(f"The {name} offset must be a whole number, not {value!r}.", code="out_of_range")
    if (start is not None and not 0 <= start < len(text)) or (end is not None and not 0 < end <= len(text)):
        raise ExcerptError(
            f"Offsets {_span(start, end)} lie outside the text, which has {len(text)} characters "
            "(counted in code points).",
            code="out_of_range",
        )
    if start is not None and end is not None and end <= start:
        raise ExcerptError(f"Offsets {start}–{end} are empty: the end must come after the start.", code="out_of_range")


def _span(start, end):
    return f"{'?' if start is None else start}–{'?' if end is None else end}"


def _check_offsets(text, excerpt, folded_excerpt, start, end):
    _check_bounds(text, start, end)
    start, end = _trim(text, start, end)
    held = text[start:end]
    if fold(held)[0].strip(" ") == folded_excerpt:
        return Match(start, end, held)
    folded_text, origins = fold(text)
    elsewhere = [match for match, _ in _occurrences(text, folded_text, origins, folded_excerpt)]
    where = (
        f" The excerpt occurs {'; '.join(describe(text, match) for match in elsewhere)}."
        if elsewhere
        else " The excerpt does not occur anywhere in the text."
    )
    raise ExcerptError(
        f"The text at {start}–{end} is “{_shorten(held)}”, not the excerpt “{_shorten(excerpt)}”.{where}",
        code="mismatch",
        matches=elsewhere,
    )


def context(text: str, start: int, end: int, length: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """Return ``(prefix, suffix)``: up to ``length`` code points of ``text`` either side of start–end."""
    return text[max(0, start - length) : start], text[end : end + length]


# Re-anchoring ------------------------------------------------------------------------------------


def _shared_length(first, second):
    """Return how many characters ``first`` and ``second`` share from their start."""
    for index, (one, other) in enumerate(zip(first, second, strict=False)):
        if one != other:
            return index
    return min(len(first), len(second))


def find_anchor(text: str, *, excerpt: str, start: int, prefix: str = "", suffix: str = "") -> Anchor:
    """Return the ``Anchor`` of a passage quoted at ``start`` of an older text, within ``text``.

    Exact occurrences win; among several, the one whose surroundings best match the old ``prefix``
    and ``suffix``, then the one nearest the old position. Otherwise the most similar span (RapidFuzz
    ``partial_ratio_alignment``, its edges then adjusted to the best ``fuzz.ratio``) counts as
    ``fuzzy`` when it scores at least ``FUZZY_THRESHOLD``; otherwise the passage is ``orphaned``.
    """
    exact = []
    position = text.find(excerpt)
    while position != -1:
        exact.append(position)
        position = text.find(excerpt, position + 1)
    if exact:

        def rank(position):
            end = position + len(excerpt)
            agreement = _shared_length(prefix[::-1], text[:position][::-1][: len(prefix)]) + _shared_length(
                suffix, text[end : end + len(suffix)]
            )
            return (-agreement, abs(position - start))

        best = min(exact, key=rank)
        return Anchor(AnchorState.EXACT, best, best + len(excerpt), 100)

    if len(excerpt) >= FUZZY_MIN_LENGTH and text:
        alignment = fuzz.partial_ratio_alignment(excerpt, text, score_cutoff=FUZZY_THRESHOLD)
        if alignment is not None:
            score, fuzzy_start, fuzzy_end = _refine(
                text,
                excerpt,
                alignment.dest_start,
                alignment.dest_end,
                whole_words=(not prefix or not prefix[-1].isalnum(), not suffix or not suffix[0].isalnum()),
            )
            if score >= FUZZY_THRESHOLD:
                # Not rounded up: 100 means the very same characters, which is "exact".
                return Anchor(AnchorState.FUZZY, fuzzy_start, fuzzy_end, min(99, math.floor(score)))
    return Anchor(AnchorState.ORPHANED)


def _refine(text, excerpt, start, end, *, whole_words=(True, True)):
    """Return ``(score, start, end)``: the window's edges moved to where ``fuzz.ratio`` peaks.

    ``partial_ratio_alignment`` compares windows as long as the excerpt, so a passage that grew or
    shrank is found with ragged edges; sliding each edge a little recovers most of it. An edge left
    inside a word then moves out to the word's boundary, when the quote began (``whole_words[0]``)
    or ended (``whole_words[1]``) on one.
    """
    slack = max(3, min(len(excerpt) // 4, 40))
    best = (fuzz.ratio(excerpt, text[start:end]), start, end)
    for _ in range(2):
        _, start, end = best
        for candidate in range(max(0, start - slack), min(end - 1, start + slack) + 1):
            score = fuzz.ratio(excerpt, text[candidate:end])
            if score > best[0]:
                best = (score, candidate, end)
        _, start, end = best
        for candidate in range(max(start + 1, end - slack), min(len(text), end + slack) + 1):
            score = fuzz.ratio(excerpt, text[start:candidate])
            if score > best[0]:
                best = (score, start, candidate)
    _, start, end = best
    start, end = _trim(text, start, end)
    while whole_words[0] and 0 < start < end and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while whole_words[1] and start < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return fuzz.ratio(excerpt, text[start:end]), start, end
