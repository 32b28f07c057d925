"""Reading printed bylines: "Max Seddon in Moscow and Richard Milne in Oslo" → ordered authors.

The parser is deliberately strict: a line is a byline only when every part of it reads as a
person's name, optionally with a filing location ("in Moscow") or a role after a comma
("Moscow correspondent"). A sentence, a headline or a rubric ("Belarus in focus") gives ``[]``.

Choices, for the cases where a printed byline can be read two ways:

- "A and B in X": the location is shared, so both A and B are in X. A location applies to the
  name it follows and to the names before it that have none of their own, back to the previous
  located name ("A in X, B and C in Y" → A in X, B in Y, C in Y).
- "A, Moscow correspondent": the role is not stored (authors have no role field); the place it
  names becomes the location ("Moscow"). A role that names no place ("A, chief economist") adds
  nothing.
- "A, Reuters" / "A, Associated Press": a part after a comma that names a news organisation is
  an affiliation, not an author, and is dropped.
- A one-word name ("By Reuters") is accepted only after "By"; without it, one-word parts
  ("Russia and Belarus") are not names.

Bylines are read in English, German, French, Spanish, Italian, Swedish and Dutch ("Von A, B und C
aus Berlin", "Par A et B à Paris", "Por A y B en Madrid", "Di A e B da Roma", "Av A och B i
Göteborg", "Door A en B in Den Haag"). The document's language decides which words count: in
Dutch "en" joins two names, in Spanish it names a place. A byline of a document in another
language is read in English too; without a language, the opening word ("Von", "Par" …) decides,
else English. In the languages other than English a single place after a comma ("Anna Schmidt,
Berlin") is the location; in English it may be a news organisation ("John Smith, Bloomberg").
"""

import re
import unicodedata
from dataclasses import dataclass

from sources.importers.base import ParsedAuthor


def _word_set(words):
    return frozenset(words.split())


MAX_BYLINE_LENGTH = 300
MAX_NAME_WORDS = 6

BY_PREFIX = re.compile(
    r"^(?:(?:written|reporting|reported|words|story|text|analysis|interview)\s+)?by\b\s*:?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class BylineWords:
    """The words of one language's bylines: before the names, between them, before a place."""

    by: tuple[str, ...]
    conjunctions: tuple[str, ...]
    locations: tuple[str, ...]


BYLINE_WORDS = {
    "en": BylineWords(by=("by",), conjunctions=("and", "&"), locations=("in",)),
    "de": BylineWords(by=("von",), conjunctions=("und", "&"), locations=("aus", "in")),
    "fr": BylineWords(by=("par",), conjunctions=("et", "&"), locations=("à", "depuis")),
    "es": BylineWords(by=("por",), conjunctions=("y", "e", "&"), locations=("en", "desde")),
    "it": BylineWords(by=("di",), conjunctions=("e", "ed", "&"), locations=("da", "a")),
    "sv": BylineWords(by=("av",), conjunctions=("och", "&"), locations=("i", "från")),
    "nl": BylineWords(by=("door",), conjunctions=("en", "&"), locations=("in", "uit", "vanuit")),
}


def primary_language(language):
    """Return the primary subtag of a BCP 47 tag in lower case: "de-AT" → "de"; "" for none."""
    return re.split(r"[-_]", (language or "").strip(), maxsplit=1)[0].casefold()


def byline_languages(line, language=""):
    """Return the languages whose byline words to try on ``line``, in order.

    The document's language first (then English, which bylines abroad are often in); without one,
    the language whose opening word the line starts with ("Von …" → German), else English.
    """
    language = primary_language(language)
    if language in BYLINE_WORDS:
        return list(dict.fromkeys([language, "en"]))
    first = (line or "").strip().split(" ", 1)[0].casefold()
    opening = [name for name, words in BYLINE_WORDS.items() if name != "en" and first in words.by]
    return [*opening, "en"]


# Lower-case words that belong inside names: "Ursula von der Leyen", "Luiz Inácio Lula da Silva".
NAME_PARTICLES = _word_set("al bin binti da das de del della der di do dos du el la le st ten ter van von y zu")
# Lower-case words that may sit inside a place name: "Rio de Janeiro", "Isle of Man".
PLACE_PARTICLES = NAME_PARTICLES | {"of", "on", "upon", "am", "an", "sur", "en"}

# Words that make a comma-separated part a role rather than a name.
ROLE_WORDS = _word_set(
    """
    correspondent correspondents editor editors reporter reporters writer writers columnist
    columnists analyst analysts chief bureau contributor contributors producer producers
    commentator critic economist journalist journalists photographer staff
    korrespondent korrespondentin redakteur redakteurin reporterin correspondant correspondante
    envoyé envoyée spécial spéciale corresponsal enviado enviada corrispondente inviato inviata
    medarbetare utrikeskorrespondent verslaggever redacteur
    """
)
# Words inside a role that describe the beat, not the place: "Chief Political Correspondent".
ROLE_QUALIFIERS = _word_set(
    """
    senior junior chief deputy associate assistant special contributing staff political politics
    economics economic business foreign diplomatic defence defense security science health
    environment environmental climate technology tech sports sport arts culture legal investigations
    investigative data global world national international regional europe-wide managing executive
    """
)
# Words that mark a part as a news organisation (an affiliation), not a person. Only words that
# are not also surnames ("Post", "Times" and "Bloomberg" are).
ORGANISATION_WORDS = _word_set(
    "press news agency agencies reuters afp dpa efe ansa wire wires newswire service services newsroom bbc cnn tass"
)

# One word of a name: capitalised (any script), an initial ("J." or "J.R.R."), a suffix.
_NAME_WORD = re.compile(r"^(?:[^\W\d_][.]){1,4}$|^[^\W\d_](?:[^\W\d_]|['’\-.])*$")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _clean(text):
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.replace("\u00a0", " ").split())


def _is_capitalised(word):
    # "al-Assad", "d’Estaing": a lower-case article joined to a capitalised name.
    word = re.sub(r"^(?:al|el|ad|as|ash|at|az|d|l)['’\-](?=\w)", "", word)
    first = word[0]
    return first.isalpha() and (first.isupper() or not first.islower())  # scripts without case count


def _is_name(words, *, allow_single):
    """Return True when ``words`` read as a person's (or, after "By", an organisation's) name."""
    if not words or len(words) > MAX_NAME_WORDS:
        return False
    capitalised = 0
    for position, word in enumerate(words):
        if word.casefold().rstrip(",") in _SUFFIXES and position > 0:
            continue
        if word.casefold() in NAME_PARTICLES and 0 < position < len(words) - 1:
            continue
        if not _NAME_WORD.match(word) or not _is_capitalised(word):
            return False
        capitalised += 1
    if capitalised == 0:
        return False
    return allow_single or capitalised >= 2


def _is_place(words):
    if not words or len(words) > 5:
        return False
    for position, word in enumerate(words):
        if word.casefold() in PLACE_PARTICLES and 0 < position < len(words) - 1:
            continue
        if word.casefold() == "the" and position == 0:
            continue  # "The Hague"
        if not _NAME_WORD.match(word) or not _is_capitalised(word):
            return False
    return True


def _role_location(part, locations=("in",)):
    """Return ``(is_role, location)`` for a part printed after a name and a comma."""
    words = part.split()
    if at := [index for index, word in enumerate(words) if word in locations]:
        # "our correspondent in Kyiv", "Korrespondent in Moskau"
        index = at[-1]
        is_role, _ = _role_location(" ".join(words[:index]), ())
        place = words[index + 1 :]
        return (True, " ".join(place)) if is_role and _is_place(place) else (False, "")
    folded = [word.casefold().strip(".") for word in words]
    if not any(word in ROLE_WORDS for word in folded):
        return False, ""
    place = [
        word
        for word, fold in zip(words, folded, strict=True)
        if fold not in ROLE_WORDS and fold not in ROLE_QUALIFIERS and fold not in PLACE_PARTICLES
    ]
    if place and _is_place(place):
        return True, " ".join(place)
    # A role may be all lower case ("our correspondent"), or name no place at all.
    if all(word.casefold() == word or word.casefold() in ROLE_WORDS | ROLE_QUALIFIERS for word in place):
        return True, ""
    return False, ""


def _is_organisation(part):
    return any(word.casefold().strip(".") in ORGANISATION_WORDS for word in part.split())


def _split_name_and_place(part, locations=("in",)):
    """Return ``(name_words, place)`` for "Name in Place" or ``(name_words, "")``."""
    words = part.split()
    for index in range(len(words) - 1, 0, -1):
        if words[index] in locations or words[index] in {word.upper() for word in locations}:
            place = words[index + 1 :]
            if _is_place(place):
                return words[:index], " ".join(place)
            return None, ""
    return words, ""


def parse_byline(text, language=""):
    """Return the authors named in a printed byline, in order; ``[]`` when it is not a byline.

    ``language`` (a BCP 47 tag) is the document's: it decides which words join names and name
    places (see ``byline_languages``).
    """
    line = _clean(text or "")
    if not line or len(line) > MAX_BYLINE_LENGTH:
        return []
    for name in byline_languages(line, language):
        if authors := _parse_in(line, BYLINE_WORDS[name], english=name == "en"):
            return authors
    return []


def _parse_in(line, words, *, english):
    """Return the authors of ``line`` read with one language's byline ``words``, or ``[]``."""
    has_by = False
    if english:
        if match := BY_PREFIX.match(line):
            has_by, line = True, line[match.end() :]
    elif match := re.match(r"^(?:" + "|".join(map(re.escape, words.by)) + r")\b\s*:?\s+", line, re.IGNORECASE):
        has_by, line = True, line[match.end() :]
    line = line.strip(" ,;")
    if not line or (line[-1] in ".!?:" and not re.search(r"\b[^\W\d_]\.$|\b(?:Jr|Sr)\.$", line)):
        return []

    joining = "|".join(re.escape(word) for word in words.conjunctions)
    authors = []
    pending = []  # names waiting for a shared location ("A and B in X")
    for group in re.split(r"\s*;\s*", line):
        # "A, B, and C" / "A, B und C" / "A & B": conjunctions become commas.
        group = re.sub(rf",?\s+(?:{joining})\s+", ", ", group)
        parts = [part.strip() for part in group.split(",") if part.strip()]
        if not parts:
            return []
        for part in parts:
            if authors:
                # After a name, a part with a role word is that author's role: "Chief Political
                # Correspondent" reads as a name by its capitals alone.
                is_role, location = _role_location(part, words.locations)
                if is_role:
                    if location and not authors[-1].location:
                        authors[-1].location = location
                    continue
            name_words, place = _split_name_and_place(part, words.locations)
            if name_words is not None and _is_name(name_words, allow_single=has_by and not authors):
                if _is_organisation(part) and authors:
                    continue
                author = ParsedAuthor(name=" ".join(name_words), location=place)
                authors.append(author)
                if place:
                    for waiting in pending:
                        waiting.location = place
                    pending = []
                else:
                    pending.append(author)
                continue
            if authors and _is_organisation(part):
                continue
            if authors and not english and len(part.split()) == 1 and _is_place(part.split()):
                # "Von Anna Schmidt und Jonas Weber, Berlin": the place of the names before it.
                for author in [*pending, authors[-1]]:
                    author.location = author.location or part
                pending = []
                continue
            return []
        pending = []  # a location after ";" belongs to its own group only
    return authors


def looks_like_byline(line, language=""):
    """Return True when ``line`` is a byline (read in ``language``, as ``parse_byline`` reads it).

    That is a line ``parse_byline`` reads authors from, or a short "By …" line that names no one
    ("By our Moscow correspondent", "By staff reporters"): still a byline, with no authors.
    """
    if parse_byline(line, language):
        return True
    line = _clean(line or "")
    match = re.match(r"^by\s+(?P<rest>.+)$", line, re.IGNORECASE)
    if not match:
        return False
    rest = match.group("rest")
    return len(rest.split()) <= 6 and not re.search(r"[.!?:;,…\"“”]", rest)


def format_byline(authors):
    """Return a byline for ``authors`` as a newsroom would print it: "A in X and B in Y", "A, B and C"."""
    names = [f"{author.name} in {author.location}" if author.location else author.name for author in authors]
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
