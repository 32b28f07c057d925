"""The attribution shapes as regular expressions, filled in from a language's table (``patterns``).

``grammar(language)`` compiles them once per language. A *speaker phrase* is a spokesperson for
someone ("a spokesperson for the ministry"), an organisation ("the finance ministry", "the Harbour
Authority"), a name ("Kari Lehtonen", "Piet van der Hoek", "Lehtonen") or a pronoun; the shapes
put it before or after a verb of speech, with a description between commas when one is printed.
"""

import re
from dataclasses import dataclass

from editorial.suggestions.patterns import Language

# Capital letters of the Latin, Greek and Cyrillic alphabets, for names.
UPPER = "".join(
    re.escape(character) for character in map(chr, [*range(0x41, 0x250), *range(0x370, 0x530)]) if character.isupper()
)
WORD = rf"[{UPPER}](?:[^\W\d_]|-(?=[^\W\d_])|[’'](?=[{UPPER}]))*"
GAP = r"[ \u00a0]+"
# A description printed between commas: a few words, no sentence punctuation or quotation marks.
DESCRIPTION = r"[^,.;:“”\"\n]{2,140}?"


def alternatives(words):
    """Return a regex alternation of ``words``, longest first, each matched as whole words."""
    ordered = sorted({re.escape(word).replace(r"\ ", GAP) for word in words}, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")"


def capitalised(words):
    """Like ``alternatives``, also matching each word with a capital first letter (opening a sentence)."""
    return alternatives([*words, *(word[:1].upper() + word[1:] for word in words)])


@dataclass(frozen=True)
class Grammar:
    language: Language
    name: re.Pattern
    speaker_phrase: str  # the pattern text, for embedding
    speaker: re.Pattern  # a whole speaker phrase, for classifying one
    spokesperson: re.Pattern
    organisation: re.Pattern
    title_before: re.Pattern  # "prime minister " opening a speaker phrase, before the name
    after_quote_verb_first: re.Pattern  # ”, said Name, description.
    after_quote_speaker_first: re.Pattern  # ” Name said. / ” he added.
    before_quote_colon: re.Pattern  # Name said: “
    speaker_verb: re.Pattern  # Name (, description,) said — anywhere
    reported: re.Pattern  # Name said (that) … — up to the clause
    speech_word: re.Pattern  # any verb of speech
    reporting_word: re.Pattern  # a verb ``reported`` needs: sentences without one are not searched
    according_to: re.Pattern
    inverted_speaker_first: re.Pattern  # Clause, Name said.
    inverted_verb_first: re.Pattern  # Clause, said Name, description.
    scare_cue: re.Pattern  # so-called “
    describing: frozenset


_compiled: dict[str, Grammar] = {}


def grammar(language: Language) -> Grammar:
    """Return the attribution shapes for ``language``, compiled once."""
    if language.code not in _compiled:
        _compiled[language.code] = _compile(language)
    return _compiled[language.code]


def _compile(language):
    particles = alternatives(language.name_particles)
    name = rf"{WORD}(?:{GAP}(?:{particles}{GAP})*{WORD}){{0,3}}"
    heads = alternatives(language.organisation_heads)
    organisation = (
        rf"(?:(?i:the){GAP})?(?:{WORD}(?:[’']s?)?{GAP}){{0,4}}(?:[a-z][a-z\-]*{GAP}){{0,2}}(?i:{heads})(?![\w’'-])"
    )
    roles = alternatives(language.spokesperson_nouns)
    spokesperson = rf"(?i:an?|the){GAP}(?:[a-z\-]+{GAP})?{roles}{GAP}(?i:for|of|from){GAP}(?:{organisation}|{name})"
    pronouns = capitalised(language.pronouns)
    # "prime minister Mateusz Morawiecki", "Russia’s finance minister Anton Siluanov": the title describes.
    title = rf"(?:{WORD}(?:[’']s?)?{GAP})?(?:[a-z\-]+{GAP}){{0,2}}{alternatives(language.titles)}{GAP}"
    phrase = rf"(?:{spokesperson}|{organisation}|(?:{title})?{name}|{pronouns}(?![\w’']))"
    speech = capitalised(language.speech_verbs)
    reporting = alternatives(language.reporting_verbs)
    auxiliaries = alternatives(language.auxiliaries)
    describing = alternatives(language.describing_verbs)
    # "Name, chair of the board, said" — or "the opposition leader, Name, said": a comma after the name.
    description = rf"(?:(?P<description>,{GAP}{DESCRIPTION},)|,)?"
    verb = rf"(?:{auxiliaries}{GAP})?(?P<verb>{speech})(?![\w’'-])"
    that = re.escape(language.that)
    adverbial = rf"(?:(?:{alternatives(language.adverbial_openers)})(?![\w’'-])[^,.;:“”\"\n]{{0,40}}?{GAP})"
    return Grammar(
        language=language,
        name=re.compile(name),
        speaker_phrase=phrase,
        speaker=re.compile(rf"(?:{phrase})"),
        spokesperson=re.compile(
            rf"(?i:an?|the){GAP}(?P<role>(?:[a-z\-]+{GAP})?{roles}){GAP}(?i:for|of|from){GAP}(?P<who>.+)"
        ),
        organisation=re.compile(organisation),
        title_before=re.compile(rf"(?P<title>{title})(?={WORD})"),
        after_quote_verb_first=re.compile(
            rf"\s*,?\s*(?:{auxiliaries}{GAP})?(?P<verb>{speech}){GAP}(?P<speaker>{phrase})"
            rf"(?P<description>,{GAP}[^.;“”\"\n]{{2,200}}?)?(?=[.;!?]?\s*$|[.;!?]\s|,\s*[“\"])"
        ),
        after_quote_speaker_first=re.compile(rf"\s*,?\s*(?P<speaker>{phrase}){description}{GAP}{verb}"),
        before_quote_colon=re.compile(
            rf"(?P<speaker>{phrase}){description}{GAP}{verb}(?:{GAP}[^\s:.“”\"]+){{0,10}}\s*:\s*$"
        ),
        speaker_verb=re.compile(
            rf"(?P<speaker>{phrase}){description}{GAP}(?:{auxiliaries}{GAP})?(?P<verb>{speech}|{describing})(?![\w’'-])"
        ),
        reported=re.compile(
            rf"(?P<speaker>{phrase}){description}{GAP}(?:{auxiliaries}{GAP}){{0,2}}"
            rf"(?:(?P<verb>{reporting})|(?P<told>told|tells){GAP}(?!{that}\b)[^\s,.;:“”\"]+(?:{GAP}(?!{that}\b)[^\s,.;:“”\"]+)?)"
            rf"(?![\w’'-]){GAP}(?:(?P<adverbial>{adverbial}{{1,2}})?(?P<that>{that}{GAP}))?"
        ),
        speech_word=re.compile(rf"(?<![\w’'-]){speech}(?![\w’'-])"),
        reporting_word=re.compile(rf"(?<![\w’'-])(?:{reporting}|told|tells)(?![\w’'-])"),
        according_to=re.compile(rf"(?<![\w’'-])(?i:{alternatives([language.according_to])}){GAP}"),
        inverted_speaker_first=re.compile(
            rf",{GAP}(?P<speaker>{phrase}){description}{GAP}{verb}(?:{GAP}[^\s.,;:“”\"]+){{0,3}}[.!?]?\s*$"
        ),
        inverted_verb_first=re.compile(
            rf",{GAP}(?P<verb>{speech}){GAP}(?P<speaker>{phrase})(?P<description>,{GAP}[^.;“”\"\n]{{2,200}}?)?[.!?]?\s*$"
        ),
        scare_cue=re.compile(rf"(?<![\w’'-]){capitalised(language.scare_cues)}{GAP}?$"),
        describing=frozenset(language.describing_verbs),
    )
