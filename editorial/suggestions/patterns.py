"""The words a language states attribution with: one table per language, read by ``attribute``.

News text says who said what in a handful of regular shapes (``docs/suggestions.md``). The shapes
are the attributor's code; the words that fill them are data, here: the verbs of speech, the words
that introduce a reported clause, pronouns, the nouns that make a phrase an organisation, the titles
printed before a name, and the cues of scare quotes and titles. Another language is one more
``Language`` in ``LANGUAGES``; text in a language without a table is read with English's.

Every entry is lower case; matching ignores case where a word may open a sentence.
"""

from dataclasses import dataclass, field


def words(text: str) -> frozenset[str]:
    """Return the words of ``text``, for long lists written as prose."""
    return frozenset(text.split())


@dataclass(frozen=True)
class Language:
    """What ``attribute`` needs to know of a language's attribution words."""

    code: str
    # Verbs that attribute a quotation or a reported clause, in the forms news text prints them.
    speech_verbs: tuple[str, ...]
    # Of those, the ones whose object is the reported clause itself ("warned (that) …"); the others
    # ("told reporters") need the "that".
    reporting_verbs: tuple[str, ...]
    # Of those, the ones that need no "that" before their clause ("said the talks failed"); with the
    # others a noun phrase follows as often ("announced a plan").
    bare_reporting_verbs: tuple[str, ...]
    # Auxiliaries printed before a verb of speech ("has said", "had warned").
    auxiliaries: tuple[str, ...]
    # The word that introduces a reported clause ("said that …").
    that: str
    # "according to Name, …" and "…, according to Name".
    according_to: str
    # Pronouns standing for the most recent speaker: pronoun → "person" or "any".
    pronouns: dict[str, str]
    # Nouns that make a phrase an organisation ("the finance ministry", "the Harbour Authority").
    organisation_heads: tuple[str, ...]
    # "a spokesperson for X": X is the speaker, the role its description.
    spokesperson_nouns: tuple[str, ...]
    # Titles printed before a name ("prime minister Mateusz Morawiecki"): the description.
    titles: tuple[str, ...]
    # Words printed just before a quotation that make it a name, a title or a scare quote.
    scare_cues: tuple[str, ...]
    # Verbs that frame a short quoted fragment as someone's words ("describing him as “…”").
    describing_verbs: tuple[str, ...]
    # Capitalised words that open sentences or name days and months, never a speaker.
    not_names: frozenset[str] = field(default_factory=frozenset)
    # Words that open an adverbial phrase between a verb of speech and its clause ("said on Monday that").
    adverbial_openers: tuple[str, ...] = ()
    # Honorifics printed before a name ("Dr Leila Haddad"), not part of it.
    honorifics: tuple[str, ...] = ()
    # Particles inside names ("Piet van der Hoek").
    name_particles: tuple[str, ...] = ()
    # Abbreviations whose full stop does not end a sentence.
    abbreviations: tuple[str, ...] = ()


ENGLISH = Language(
    code="en",
    speech_verbs=(
        "said",
        "says",
        "say",
        "added",
        "adds",
        "told",
        "tells",
        "warned",
        "warns",
        "claimed",
        "claims",
        "argued",
        "argues",
        "insisted",
        "insists",
        "explained",
        "stressed",
        "noted",
        "wrote",
        "writes",
        "continued",
        "replied",
        "recalled",
        "acknowledged",
        "admitted",
        "announced",
        "declared",
        "commented",
        "observed",
        "conceded",
        "predicted",
        "promised",
        "suggested",
        "asked",
    ),
    reporting_verbs=(
        "said",
        "says",
        "say",
        "added",
        "warned",
        "warns",
        "claimed",
        "claims",
        "argued",
        "argues",
        "insisted",
        "insists",
        "stressed",
        "noted",
        "acknowledged",
        "admitted",
        "announced",
        "declared",
        "conceded",
        "predicted",
        "promised",
        "suggested",
        "explained",
        "wrote",
    ),
    bare_reporting_verbs=(
        "said",
        "says",
        "say",
        "added",
        "warned",
        "warns",
        "claimed",
        "claims",
        "argued",
        "argues",
        "insisted",
        "insists",
    ),
    auxiliaries=("has", "had", "have", "also", "later", "then", "has also", "had also"),
    that="that",
    according_to="according to",
    pronouns={"he": "person", "she": "person", "they": "any"},
    organisation_heads=(
        "ministry",
        "government",
        "council",
        "company",
        "union",
        "police",
        "army",
        "court",
        "committee",
        "commission",
        "board",
        "agency",
        "office",
        "department",
        "authority",
        "administration",
        "kremlin",
        "cabinet",
        "party",
        "bank",
        "group",
        "association",
        "federation",
        "institute",
        "embassy",
        "parliament",
        "presidency",
        "operator",
        "service",
        "organisation",
        "organization",
        "foundation",
        "corporation",
        "airline",
        "hospital",
        "university",
        "municipality",
        "secretariat",
        "regulator",
        "watchdog",
        "trust",
    ),
    spokesperson_nouns=("spokesperson", "spokesman", "spokeswoman", "representative", "statement"),
    titles=(
        "minister",
        "president",
        "prime minister",
        "chair",
        "chairman",
        "chairwoman",
        "director",
        "leader",
        "mayor",
        "governor",
        "secretary",
        "chief",
        "head",
        "professor",
        "economist",
        "analyst",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "councillor",
        "senator",
        "general",
        "commander",
        "ambassador",
        "founder",
        "manager",
        "officer",
        "adviser",
        "advisor",
        "captain",
        "inspector",
        "judge",
        "researcher",
        "scientist",
    ),
    scare_cues=("so-called", "so called", "dubbed", "known as", "termed", "titled", "entitled", "branded", "nicknamed"),
    describing_verbs=("describing", "described", "calling", "called", "labelling", "labelled", "branding", "branded"),
    not_names=words(
        """the a an but and or however meanwhile earlier later still yet so then also in on at for from to of
        with by after before when while since despite although though as if this that these those there
        here it its his her their our we you i he she they one two three monday tuesday wednesday thursday
        friday saturday sunday january february march april may june july august september october
        november december nonetheless nevertheless moreover now today yesterday tomorrow last next
        which who whom whose what where why how according asked speaking writing such all both each every some
        many most several"""
    ),
    adverbial_openers=(
        "on",
        "in",
        "at",
        "last",
        "this",
        "earlier",
        "later",
        "yesterday",
        "today",
        "during",
        "after",
        "before",
        "late",
        "early",
        "only",
        "also",
        "again",
        "repeatedly",
        "publicly",
        "privately",
        "separately",
        "afterwards",
        "previously",
        "recently",
    ),
    honorifics=("mr", "mrs", "ms", "dr", "prof", "sir", "dame", "lord", "lady"),
    name_particles=("van", "von", "der", "den", "de", "la", "le", "da", "di", "du", "del", "bin", "al", "ibn"),
    abbreviations=("mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "sgt", "rev", "no", "vs", "etc"),
)

LANGUAGES: dict[str, Language] = {ENGLISH.code: ENGLISH}


def language(code: str | None) -> Language:
    """Return the table for ``code`` ("en", "en-GB"), or English's when there is none."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return LANGUAGES.get(base, ENGLISH)
