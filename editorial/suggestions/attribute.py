"""Who said what in a text: its direct quotations and reported statements, each with its speaker.

``attribute(text)`` reads a revision's text (a plain string) and returns ``Suggestion``\\ s in text
order, each with ``text[start:end] == excerpt`` (code points). The shapes, in ``docs/suggestions.md``:

* direct: ``“…,” said Name, title.`` · ``“…,” Name said.`` · ``Name said: “…”`` · split quotes (each
  part is a suggestion) · a quotation over several paragraphs (one suggestion) · a quotation that
  goes on after an attributed one · ``he said`` (the most recent person who spoke, never the byline's
  authors) · organisations and their spokespeople · a short fragment only where the sentence names
  who said or described it; scare quotes (``so-called “…”``) never;
* reported: ``according to Name, …`` · ``…, according to Name`` · ``Name said (that) …`` · ``Name told
  reporters that …`` · ``Name warned that …`` · ``…, Name said.`` — the excerpt is the reported clause.

A name printed in full once ("Kari Lehtonen") is the speaker of its later surname-only mentions
("Lehtonen added"); a description printed with a name ("chair of the union") goes with all of them.
"""

import bisect
import re
from dataclasses import dataclass, replace

from editorial.suggestions import spans
from editorial.suggestions.grammar import grammar
from editorial.suggestions.patterns import language as language_table

DIRECT, REPORTED = "direct", "reported"
# What a speaker is: a person (a full name), an organisation (its name has an organisation's noun),
# other (one capitalised word: "Belarus", "Farmers"), or a pronoun still to resolve.
PERSON, ORGANISATION, OTHER, PRONOUN = "person", "organisation", "other", "pronoun"
# A quotation of fewer words is a fragment: suggested only with a speaker named in its own sentence.
FRAGMENT_WORDS = 4
# A reported clause of fewer words is not a statement ("said last week").
CLAUSE_WORDS = 4
# Words a reported clause without "that" does not open with: it would be an adverbial, not a clause.
NOT_CLAUSE_OPENERS = frozenset(["to", "by", "with", "for", "of", "as", "about", "so", "in", "on", "at", "last", "this"])
TRAILING_CONJUNCTION = re.compile(r"(?:[\s,;:—–-]+(?:although|though|while|whereas|but|and|as|which|so))+[\s,;:]*$")
# A clause ends before "; ", "…, according to", and a participle after a comma (", meaning that …").
CLAUSE_STOPS = re.compile(r";\s|,[ \u00a0]+(?=according to\b|[a-z]+ing\b)|\s[—–]\s(?=according to\b)")

CONFIDENCE = {
    "explicit": 0.9,  # a verb of speech right beside the quotation
    "pronoun": 0.8,
    "in_sentence": 0.75,
    "continued": 0.7,
    "fragment": 0.6,
    "according_to": 0.75,
    "reported_that": 0.7,
    "reported": 0.6,
    "inverted": 0.65,
}


@dataclass(frozen=True)
class Suggestion:
    """A passage of a text (``text[start:end] == excerpt``) and who said it."""

    speaker: str
    speaker_description: str
    excerpt: str
    start: int
    end: int
    kind: str  # DIRECT or REPORTED
    confidence: float
    speaker_kind: str = PERSON  # PERSON, ORGANISATION or OTHER: what a new speaker would be created as


def attribute(text: str, *, language: str | None = None, authors=()) -> list[Suggestion]:
    """Return the direct quotations and reported statements of ``text`` with their speakers, in text order.

    ``language`` picks the pattern table (``patterns.LANGUAGES``; English by default); ``authors``
    are the byline's names, never taken for a speaker.
    """
    return _Reader(text, language, authors).read()


@dataclass
class _Found:
    start: int
    end: int
    kind: str
    speaker: str
    description: str
    speaker_kind: str
    confidence: float
    paragraph: int
    words: int = 0


class _Reader:
    def __init__(self, text, language, authors):
        self.text = text
        self.language = language_table(language)
        self.grammar = grammar(self.language)
        self.authors = {" ".join(name.casefold().split()) for name in authors}
        self.paragraphs = spans.paragraphs(text)
        self.quotations = spans.quotations(text, self.paragraphs)
        self._quotation_starts = [quotation.mark_start for quotation in self.quotations]
        self._paragraph_starts = [paragraph.start for paragraph in self.paragraphs]
        self.full_names, self.organisations, self.mentions = self._names()

    # Names ---------------------------------------------------------------------------------------

    def _names(self):
        """Map the later, shorter mentions of names printed in full to the full names.

        Returns ``(people, organisations, mentions)``: the surname (or any shorter tail: "van der
        Hoek") of each person printed in full → the full name; an organisation's last word ("trust")
        → its full name ("Kellbridge Library Trust"); and ``(position, name)`` of every person named.
        """
        people, organisations, mentions = {}, {}, []
        heads = set(self.language.organisation_heads)
        for match in self.grammar.name.finditer(self.text):
            words = self._clean_words(match[0].split())
            if len(words) < 2:
                continue
            name = " ".join(words)
            if heads & {word.casefold() for word in words}:
                organisations.setdefault(words[-1].casefold(), name)
                continue
            if name.casefold() in self.authors:
                continue
            for first in range(1, len(words)):
                people.setdefault(" ".join(words[first:]).casefold(), name)
            mentions.append((match.start(), name))
        return people, organisations, mentions

    def _clean_words(self, words):
        """Drop the words before a name that are not part of it: sentence openers, honorifics, titles."""
        dropped = (*self.language.honorifics, *self.language.titles)
        while words and (words[0].casefold() in self.language.not_names or words[0].casefold().rstrip(".") in dropped):
            words = words[1:]
        return words

    def speaker(self, phrase):
        """Return ``(name, description, kind)`` for a matched speaker phrase, or None for no speaker."""
        phrase = " ".join(phrase.split())
        lowered = phrase.casefold()
        if lowered in self.language.pronouns:
            return lowered, "", PRONOUN
        spokesperson = self.grammar.spokesperson.fullmatch(phrase)
        if spokesperson:
            who = self.speaker(spokesperson["who"])
            if who is None or who[2] == PRONOUN:
                return None
            return who[0], spokesperson["role"], ORGANISATION
        if self.grammar.organisation.fullmatch(phrase):
            name = re.sub(r"^(?i:the)\s+", "", phrase)
            if " " not in name:  # "the trust": the organisation printed in full before
                name = self.organisations.get(name.casefold(), name)
            return name[:1].upper() + name[1:], "", ORGANISATION
        description = ""
        title = self.grammar.title_before.match(phrase)
        if title:
            description = " ".join(self._clean_words(title["title"].split()))
            phrase = phrase[title.end() :]
        words = self._clean_words(phrase.split())
        if not words:
            return None
        name = " ".join(words)
        if name.casefold() in self.authors:
            return None
        if len(words) < 4 and name.casefold() in self.full_names:
            name = self.full_names[name.casefold()]
        return name, description, PERSON if " " in name else OTHER

    @staticmethod
    def _description(raw):
        description = " ".join((raw or "").strip(" ,").split())
        return description if len(description.split()) <= 20 else ""

    def _found(self, start, end, kind, match, confidence, paragraph):
        """Return a ``_Found`` for ``text[start:end]`` said by ``match``'s speaker, or None without one."""
        speaker = self.speaker(match["speaker"])
        if speaker is None:
            return None
        name, description, speaker_kind = speaker
        description = self._description(match.groupdict().get("description")) or description
        words = len(self.text[start:end].split())
        return _Found(start, end, kind, name, description, speaker_kind, confidence, paragraph, words)

    # Direct quotations ---------------------------------------------------------------------------

    def direct(self):
        found, previous = [], None  # previous: the last quotation read, with what was found for it
        for index, quotation in enumerate(self.quotations):
            paragraph = self.paragraphs[quotation.paragraph]
            earlier = self.quotations[index - 1] if index else None
            head_start = paragraph.start
            if earlier is not None and earlier.mark_end > paragraph.start:
                head_start = earlier.mark_end
            head = self.text[head_start : quotation.mark_start]
            if self.grammar.scare_cue.search(head):
                previous = (quotation, None)
                continue
            item = self._attribute_quotation(quotation, index, head, head_start, previous)
            previous = (quotation, item)
            if item is not None:
                found.append(item)
        return found

    def _attribute_quotation(self, quotation, index, head, head_start, previous):
        words = len(self.text[quotation.start : quotation.end].split())
        fragment = words < FRAGMENT_WORDS
        following = self.quotations[index + 1].mark_start if index + 1 < len(self.quotations) else len(self.text)
        end_paragraph = self.paragraphs[bisect.bisect_right(self._paragraph_starts, quotation.mark_end - 1) - 1]
        tail = self.text[quotation.mark_end : min(following, end_paragraph.end)]
        closed_sentence = self.text[quotation.mark_end - 2 : quotation.mark_end - 1] == "."
        ends_in_mark = quotation.mark_end > quotation.end and self.text[quotation.mark_end - 1] in spans.QUOTE_MARKS

        def make(match, confidence):
            return self._found(quotation.start, quotation.end, DIRECT, match, confidence, quotation.paragraph)

        if ends_in_mark and not closed_sentence:
            for pattern in (self.grammar.after_quote_verb_first, self.grammar.after_quote_speaker_first):
                match = pattern.match(tail)
                if match:
                    return make(match, CONFIDENCE["explicit"])
        if not head.strip() and quotation.paragraph:  # "Name told the rally:" closing the paragraph before
            paragraph_before = self.paragraphs[quotation.paragraph - 1]
            head_before = self.text[paragraph_before.start : paragraph_before.end]
            if head_before.rstrip().endswith(":") and not any(mark in head_before for mark in spans.QUOTE_MARKS):
                head = head_before
        match = self.grammar.before_quote_colon.search(head)
        if match:
            return make(match, CONFIDENCE["explicit"])
        # Within the quotation's own sentence: "Name, description, describing him as “…”", or the
        # attribution between the two halves of a split quotation.
        sentence_start = max((end.end() for end in spans.SENTENCE_END.finditer(head)), default=0)
        matches = list(self.grammar.speaker_verb.finditer(head, sentence_start))
        if matches:
            if fragment:  # a fragment needs a clear speaker: a person's full name or an organisation
                item = make(matches[-1], CONFIDENCE["fragment"])
                return item if item is not None and item.speaker_kind in (PERSON, ORGANISATION) else None
            return make(matches[-1], CONFIDENCE["in_sentence"])
        if fragment or previous is None or previous[1] is None:
            return None
        if self.grammar.speech_word.search(head, sentence_start):  # an attribution not understood: no guess
            return None
        earlier, earlier_found = previous
        same_paragraph = earlier.paragraph == quotation.paragraph or earlier.continues
        next_paragraph = (
            quotation.paragraph == earlier_found.paragraph + 1 and not head.strip() and earlier_found.kind == DIRECT
        )
        if same_paragraph or next_paragraph:
            return _Found(
                quotation.start,
                quotation.end,
                DIRECT,
                earlier_found.speaker,
                earlier_found.description,
                earlier_found.speaker_kind,
                CONFIDENCE["continued"],
                quotation.paragraph,
                words,
            )
        return None

    # Reported statements -------------------------------------------------------------------------

    def reported(self):
        found = []
        for number, paragraph in enumerate(self.paragraphs):
            for sentence in spans.sentences(self.text, paragraph, self.language.abbreviations):
                found.extend(self._reported_in(sentence, number))
        return found

    def _inside_quotation(self, position):
        index = bisect.bisect_right(self._quotation_starts, position) - 1
        return index >= 0 and position < self.quotations[index].mark_end

    def _clause(self, start, end):
        """Trim ``text[start:end]`` to its clause: no surrounding spaces, final stop or trailing conjunction."""
        text = self.text
        stop = CLAUSE_STOPS.search(text, start, end)
        if stop:
            end = stop.start()
        while True:
            while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:—–"):
                end -= 1
            conjunction = TRAILING_CONJUNCTION.search(text, start, end)
            if not conjunction or conjunction.start() == start:
                break
            end = conjunction.start()
        while start < end and text[start].isspace():
            start += 1
        return start, end

    def _reported_in(self, sentence, paragraph):
        text, grammar = self.text, self.grammar
        found = []
        for according in grammar.according_to.finditer(text, sentence.start, sentence.end):
            if self._inside_quotation(according.start()):
                continue
            item = self._according_to(according, sentence, paragraph)
            if item is not None:
                found.append(item)
        verbs = []
        if grammar.reporting_word.search(text, sentence.start, sentence.end):
            verbs = [
                match
                for match in grammar.reported.finditer(text, sentence.start, sentence.end)
                if not self._inside_quotation(match.start())
            ]
        for position, match in enumerate(verbs):
            if (match["told"] or match["adverbial"]) and not match["that"]:
                continue
            end = verbs[position + 1].start() if position + 1 < len(verbs) else sentence.end
            start, end = self._clause(match.end(), end)
            clause = text[start:end]
            if not clause or clause[0] in spans.QUOTE_MARKS + ":" or len(clause.split()) < CLAUSE_WORDS:
                continue
            if not match["that"] and (
                clause.split()[0].casefold() in NOT_CLAUSE_OPENERS
                or (match["verb"] or "").casefold() not in self.language.bare_reporting_verbs
            ):
                continue
            confidence = CONFIDENCE["reported_that"] if match["that"] else CONFIDENCE["reported"]
            item = self._found(start, end, REPORTED, match, confidence, paragraph)
            if item is not None:
                found.append(item)
        whole = text[sentence.start : sentence.end]
        if not found and not any(mark in whole for mark in spans.QUOTE_MARKS):
            for pattern in (grammar.inverted_verb_first, grammar.inverted_speaker_first):
                match = pattern.search(text, sentence.start, sentence.end)
                if match:
                    start, end = self._clause(sentence.start, match.start())
                    if len(text[start:end].split()) >= CLAUSE_WORDS:
                        item = self._found(start, end, REPORTED, match, CONFIDENCE["inverted"], paragraph)
                        if item is not None:
                            found.append(item)
                    break
        return found

    def _according_to(self, according, sentence, paragraph):
        text = self.text
        speaker = re.compile(self.grammar.speaker_phrase).match(text, according.end(), sentence.end)
        if speaker is None:
            return None
        lead = text[sentence.start : according.start()].strip(" ,—–")
        rest = text[speaker.end() : sentence.end]
        description = ""
        if len(lead.split()) <= 1:  # "According to Name, clause." (or "But according to …")
            if not rest.startswith(","):
                return None
            parts = rest[1:].split(",")
            clause_offset = speaker.end() + 1
            if len(parts) > 1 and self._looks_like_description(parts[0]):
                description = parts[0]
                clause_offset += len(parts[0]) + 1
            start, end = self._clause(clause_offset, sentence.end)
        else:  # "Clause, according to Name(, description)."
            comma = text.rfind(",", sentence.start, according.start())
            dashes = (text.rfind(dash, sentence.start, according.start()) for dash in "—–")
            cut = max(comma, *dashes)
            if cut < 0:
                return None
            start, end = self._clause(sentence.start, cut)
            described = re.match(r",[ \u00a0]+([^,.;]+)", rest)
            if described and self._looks_like_description(described[1]):
                description = described[1]
        if len(text[start:end].split()) < CLAUSE_WORDS:
            return None
        match = {"speaker": speaker[0], "description": description}
        return self._found(start, end, REPORTED, _Groups(match), CONFIDENCE["according_to"], paragraph)

    def _looks_like_description(self, segment):
        words = segment.split()
        if not words or len(words) > 14:
            return False
        first = words[0].casefold()
        if first in {"a", "an"} or words[0].endswith(("’s", "'s")):
            return True
        return any(word.casefold().strip("’'s") in self.language.titles for word in words[:5])

    # Putting it together -------------------------------------------------------------------------

    def read(self):
        found = sorted([*self.direct(), *self.reported()], key=lambda item: (item.start, item.end))
        found = self._without_overlaps(self._resolve_pronouns(found))
        descriptions = {}
        for item in found:
            if item.description:
                descriptions.setdefault(item.speaker, item.description)
        return [
            Suggestion(
                speaker=item.speaker,
                speaker_description=item.description or descriptions.get(item.speaker, ""),
                excerpt=self.text[item.start : item.end],
                start=item.start,
                end=item.end,
                kind=item.kind,
                confidence=item.confidence,
                speaker_kind=item.speaker_kind,
            )
            for item in found
        ]

    def _resolve_pronouns(self, found):
        """Give each pronoun the most recent fitting speaker (else the most recent person named); drop the rest."""
        resolved, speakers = [], []
        for item in found:
            if item.speaker_kind != PRONOUN:
                resolved.append(item)
                speakers.append(item)
                continue
            wanted = self.language.pronouns.get(item.speaker, "any")
            fitting = [
                earlier
                for earlier in speakers
                if (wanted == "any" or earlier.speaker_kind == PERSON) and earlier.paragraph >= item.paragraph - 2
            ]
            # A person named in a later paragraph than the last speaker's words is the newer candidate.
            later_paragraph = 0
            if fitting:
                following = fitting[-1].paragraph + 1
                later_paragraph = self.paragraphs[following].start if following < len(self.paragraphs) else item.start
            named = [name for position, name in self.mentions if later_paragraph <= position < item.start]
            if fitting and not (wanted == PERSON and named and fitting[-1].paragraph < item.paragraph):
                chosen = fitting[-1]
                name, description, kind = chosen.speaker, chosen.description, chosen.speaker_kind
            elif wanted == PERSON:
                if not named:
                    continue
                name, description, kind = named[-1], "", PERSON
            else:
                continue
            confidence = min(item.confidence, CONFIDENCE["pronoun"])
            item = replace(item, speaker=name, description=description, speaker_kind=kind, confidence=confidence)
            resolved.append(item)
            speakers.append(item)
        return resolved

    @staticmethod
    def _without_overlaps(found):
        """Keep one suggestion per passage: a quotation inside a reported clause wins unless it is a fragment."""
        dropped = set()
        for index, item in enumerate(found):
            for other_index in range(index + 1, len(found)):
                other = found[other_index]
                if other.start >= item.end:
                    break
                if index in dropped or other_index in dropped:
                    continue
                if item.kind == other.kind:
                    dropped.add(other_index)
                    continue
                direct, reported = (item, other) if item.kind == DIRECT else (other, item)
                loser = reported if direct.words >= FRAGMENT_WORDS else direct
                dropped.add(index if loser is item else other_index)
        return [item for index, item in enumerate(found) if index not in dropped]


class _Groups(dict):
    """A ``re.Match``-like view of a dict, for speakers found without one regular expression."""

    def __getitem__(self, key):
        return self.get(key)

    def groupdict(self):
        return self
