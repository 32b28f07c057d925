"""How alike two statements' words are, from 0 to 1: the string half of the similarity score.

The words are compared after folding case, diacritics and English endings ("rose"/"rises" do not
meet, "prices"/"price" and "closed"/"closing" do), with function words left out, so that a
rewording that keeps the content words but moves them ("the council closed the library" / "the
library was closed by the council") still scores high. RapidFuzz (C++, already a dependency) gives
the order-free token scores; a plain share of content words keeps one long statement from matching
every short one it contains. What this cannot see is meaning without shared words (synonyms,
paraphrase): see ``docs/similarity.md``.
"""

import re
import unicodedata

from rapidfuzz import fuzz

from editorial.similarity.facts import fold

# English function words: they say nothing about what a statement is about, and they are the most
# frequent words of every index (so they would make the candidate queries slow as well as noisy).
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not now of
    off on once only or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your said says say according per cent percent s t would've
    its year years last new""".split()  # noqa: SIM905 — a word list reads best as words
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_POSSESSIVE = re.compile(r"'s\b")


def _tokens(text):
    # "Lindau's" is the word "lindau" (as the indexes split it); "won't" stays one word.
    return _WORD.findall(_POSSESSIVE.sub("", plain(text)))


def plain(text: str) -> str:
    """Return ``text`` folded for comparison: lower case, no diacritics, plain quotes and dashes."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Return the content words of ``text``, folded, in reading order (for the candidate indexes)."""
    return [word for word in _tokens(text) if word not in STOP_WORDS and not word.isdigit()]


def stem(word: str) -> str:
    """Return a light English stem: plural and verb endings off ("closing", "closed", "closes" → "clos")."""
    for ending in ("ings", "ing", "ies", "ied", "es", "ed", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)] + ("y" if ending in ("ies", "ied") else "")
    return word


def stems(text: str) -> list[str]:
    """Return the stems of the content words of ``text``, figures included (they are words of the claim too)."""
    return [stem(word) for word in _tokens(text) if word not in STOP_WORDS]


def score(first: list[str], second: list[str]) -> float:
    """Return how alike two statements' stems are, from 0 (nothing shared) to 1 (the same words)."""
    if not first or not second:
        return 0.0
    a, b = " ".join(first), " ".join(second)
    shared = set(first) & set(second)
    share = len(shared) / len(set(first) | set(second))
    return 0.35 * fuzz.token_set_ratio(a, b) / 100 + 0.3 * fuzz.token_sort_ratio(a, b) / 100 + 0.35 * share
