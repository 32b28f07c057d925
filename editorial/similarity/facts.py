"""The facts of a statement that a string score must not be trusted with: numbers, negation, names.

Two statements can share nearly every word and still say opposite things: "3.2 million" and "2.3
million", "won 31 to 12" and "won 12 to 31", "will" and "will not", "in Lyon" and "in Porto". A
trigram or token score rates such pairs as near-identical, so these facts are read out of each
statement and compared explicitly; any difference turns a likely duplicate into a possible conflict.

* **Numbers** are read with their scale and unit: "3.2 million", "3,200,000" and "3.2m" are one
  value; "12%", "12 percent" and "12 per cent" one percentage; "$5bn" a value in dollars. Small
  number words ("two" … "twenty", the tens) count as numbers. Years are numbers too (reported as
  years). Numbers joined by "to", a dash, "against" or "versus" are an ordered pair: "31 to 12" and
  "12 to 31" hold the same numbers in another order, which is a different fact (a score, a vote).
* **Negation**: "not", "n't", "never", "no", "no longer", "none", "nobody", "nothing", "neither",
  "nor", "without", "cannot", and "lack" (to have no). Only the parity matters ("it is not true that
  it will not" affirms), since a rewording may move the negation but not flip it.
* **Named entities**: runs of capitalised words (with "of", "the", "de" … inside a run), the first
  word of a sentence only when the run goes on ("New Zealand says" but not "Officials say"). Two
  statements conflict on names only when each names something the other does not: "Anna Berg said"
  and "Berg said" agree (one name is part of the other), "in Lyon" and "in Porto" do not. A name on
  one side only is a detail the other left out, not a contradiction.
"""

import itertools
import re
from dataclasses import dataclass

# Quotes, apostrophes and dashes as publishers print them, folded to the plain ones the rules read.
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "hundred": 1e2,
}
_CURRENCY_SIGNS = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}
_CURRENCY_WORDS = {
    "dollar": "dollars",
    "dollars": "dollars",
    "usd": "dollars",
    "euro": "euros",
    "euros": "euros",
    "eur": "euros",
    "pound": "pounds",
    "pounds": "pounds",
    "gbp": "pounds",
    "yen": "yen",
}
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBER_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# "one" is a pronoun more often than a count ("one of the largest"), "zero" a figure of speech.
del _NUMBER_WORDS["one"], _NUMBER_WORDS["zero"]

_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUMBER = re.compile(
    r"(?P<sign>[$€£¥])?\s?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?P<word>\b(?:"
    rf"(?:{_TENS})[- ](?:{_UNITS})|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b))"
    r"(?:\s?(?P<scale>thousand|millions?|billions?|trillion|hundred|bn|mn|tn|[kmb])\b)?"
    r"(?:\s?(?P<percent>%|percent\b|per\s?cent\b|percentage points?\b))?"
    r"(?:\s(?P<unit>dollars?|euros?|pounds?|yen|usd|eur|gbp)\b)?",
    re.IGNORECASE,
)
# Between the two figures of a pair: a joiner, perhaps after the figures' unit ("31 votes to 12").
_PAIR_JOINER = re.compile(r"^\s*(?:[^\W\d_]+\s+)?(?:-|to|against|versus|vs\.?|:)\s*$", re.IGNORECASE)

_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without|cannot|lacks?|lacking|lacked)\b|n't\b",
    re.IGNORECASE,
)
# "not only … but also" adds, it does not deny.
_NOT_ONLY = re.compile(r"\bnot\s+only\b", re.IGNORECASE)
_NEGATED_PHRASE = re.compile(
    r"\b(\w+)\s+(not|never|no\s+longer)\b|\b(\w+?)n't\b|\b(no\s+longer|never|cannot|no|without|lacks?|lacking|lacked)\b",
    re.IGNORECASE,
)
# The stems of contracted negations ("won't" splits as "wo" + "n't") and the verbs they stand for.
_CONTRACTIONS = {"wo": "will", "ca": "can", "sha": "shall"}

_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
# Words that may sit inside a name ("Bank of England", "Ministry for the Economy", "Charles de Gaulle");
# not "and", which joins two names more often than it sits in one ("from Lyon and Porto").
_NAME_LINKS = {"of", "the", "for", "de", "du", "la", "le", "van", "von", "der", "da", "di", "del"}
# "the" links only after "of" or "for" ("Bank of the North"); "In May the Quill Street market" is two names.
_LINKS_BEFORE_THE = {"of", "for"}
# Capitalised words that start a sentence or a clause without naming anything.
_NOT_NAMES = {
    "a",
    "an",
    "the",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "to",
    "of",
    "and",
    "but",
    "or",
    "if",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "there",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "after",
    "before",
    "since",
    "during",
    "as",
    "when",
    "while",
    "according",
    "last",
    "next",
    "some",
    "most",
    "all",
    "no",
    "not",
    "more",
    "less",
    "about",
    "almost",
    "nearly",
    "over",
    "under",
}


@dataclass(frozen=True)
class Number:
    """A figure as written (``text``) and as compared (``value``, ``kind``: plain, percent, year, a currency)."""

    text: str
    value: float
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Facts:
    """What ``read_facts`` found in one statement."""

    numbers: tuple[Number, ...]
    pairs: tuple[tuple[Number, Number], ...]
    negated: bool
    negation_phrase: str
    names: tuple[str, ...]


def fold(text: str) -> str:
    """Return ``text`` with typographic quotes and dashes made plain and white space collapsed."""
    return " ".join(text.translate(_FOLD).split())


def read_numbers(text: str) -> list[Number]:
    """Return the figures of ``text`` in reading order, each with its value in units (3.2 million → 3200000)."""
    numbers = []
    for match in _NUMBER.finditer(text):
        if match.group("word"):
            value = float(sum(_NUMBER_WORDS.get(part, 1) for part in re.split(r"[- ]", match.group("word").lower())))
        else:
            value = float(match.group("digits").replace(",", ""))
        scale = (match.group("scale") or "").lower()
        if scale in ("k", "m", "b") and match.group("scale") != match.group("scale").lower() and scale != "m":
            scale = ""  # "3 K" or "5 B" is more likely a label than a scale
        value *= _SCALES.get(scale, 1)
        unit = _CURRENCY_SIGNS.get(match.group("sign") or "") or _CURRENCY_WORDS.get(
            (match.group("unit") or "").lower()
        )
        if match.group("percent"):
            kind = "percentage points" if "point" in match.group("percent").lower() else "percent"
        elif unit:
            kind = unit
        elif not scale and not match.group("word") and re.fullmatch(r"1[5-9]\d\d|20\d\d", match.group("digits")):
            kind = "year"
        else:
            kind = "number"
        numbers.append(Number(" ".join(match.group(0).split()), value, kind, match.start(), match.end()))
    return numbers


def read_pairs(text: str, numbers: list[Number]) -> list[tuple[Number, Number]]:
    """Return the ordered pairs among ``numbers``: two figures joined by "to", a dash, "against" or "versus"."""
    return [
        (first, second)
        for first, second in itertools.pairwise(numbers)
        if _PAIR_JOINER.match(text[first.end : second.start])
    ]


def read_negation(text: str) -> tuple[bool, str]:
    """Return whether ``text`` denies (an odd number of negations) and the first negated phrase ("will not")."""
    plain = _NOT_ONLY.sub(" ", text)
    count = len(_NEGATION.findall(plain))
    match = _NEGATED_PHRASE.search(plain)
    phrase = ""
    if match and match.group(1):
        phrase = f"{match.group(1).lower()} {' '.join(match.group(2).lower().split())}"
    elif match and match.group(3):
        stem = match.group(3).lower()
        phrase = f"{_CONTRACTIONS.get(stem, stem)} not"
    elif match:
        phrase = " ".join(match.group(4).lower().split())
    return count % 2 == 1, phrase


def read_names(text: str) -> list[str]:
    """Return the runs of capitalised words that name someone or something, in reading order."""
    names = []
    sentence_start = True
    run: list[str] = []
    run_started_sentence = False

    def close():
        while run and run[-1].lower() in _NAME_LINKS:
            run.pop()
        while run and run[0].lower() in _NOT_NAMES:
            run.pop(0)
        capitalised = [word for word in run if word[0].isupper()]
        if capitalised and not (run_started_sentence and len(capitalised) == 1 and run[0] == capitalised[0]):
            names.append(" ".join(run))
        run.clear()

    position = 0
    for match in _WORD.finditer(text):
        between = text[position : match.start()]
        position = match.end()
        if run and re.search(r'[.!?;:,()"]', between):
            close()
        if re.search(r"[.!?:]", between):
            sentence_start = True
        word = match.group(0)
        capital = word[0].isupper()
        if capital and not (not run and word.lower() in _NOT_NAMES and sentence_start):
            if not run:
                run_started_sentence = sentence_start
            run.append(word)
        elif run and word.lower() in _NAME_LINKS and (word.lower() != "the" or run[-1].lower() in _LINKS_BEFORE_THE):
            run.append(word)
        elif run:
            close()
        sentence_start = False
    if run:
        close()
    return [_without_possessive(name) for name in names]


def _without_possessive(name: str) -> str:
    return re.sub(r"'s?$", "", name)


def read_facts(statement: str) -> Facts:
    """Return the numbers, ordered pairs, negation and names of ``statement``."""
    text = fold(statement)
    numbers = read_numbers(text)
    negated, phrase = read_negation(text)
    return Facts(
        numbers=tuple(numbers),
        pairs=tuple(read_pairs(text, numbers)),
        negated=negated,
        negation_phrase=phrase,
        names=tuple(read_names(text)),
    )


def same_name(first: str, second: str) -> bool:
    """Return True when one name is the other or a part of it ("Berg" in "Anna Berg"; "Russia" in "Russian")."""
    a, b = first.casefold(), second.casefold()
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    if set(words_a) <= set(words_b) or set(words_b) <= set(words_a):
        return True
    # A demonym or a plural: "Russia"/"Russian", "Finland"/"Finnish" does not match; good enough.
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter) and len(longer) - len(shorter) <= 2


def _number_label(kind: str) -> str:
    return {"year": "years", "percent": "percentages", "percentage points": "percentages"}.get(kind, "numbers")


def compare(first: Facts, second: Facts) -> tuple[str, ...]:
    """Return the differences of fact between two statements, as an editor reads them; empty when they agree.

    ("numbers differ: 3.2 million / 2.3 million", "negation: will / will not", "names differ: Lyon / Porto",
    "order differs: 31 to 12 / 12 to 31").
    """
    differences = []
    values_first = sorted((number.value, number.kind) for number in first.numbers)
    values_second = sorted((number.value, number.kind) for number in second.numbers)
    if values_first != values_second:
        only_first = [n for n in first.numbers if (n.value, n.kind) not in values_second]
        only_second = [n for n in second.numbers if (n.value, n.kind) not in values_first]
        # A figure on one side only is a detail the other left out ("in 2019"), not another fact.
        if only_first and only_second:
            kinds = {n.kind for n in only_first + only_second}
            label = _number_label(kinds.pop()) if len(kinds) == 1 else "numbers"
            left = ", ".join(n.text for n in only_first) or "none"
            right = ", ".join(n.text for n in only_second) or "none"
            differences.append(f"{label} differ: {left} / {right}")
    else:
        pairs_first = [(a.value, b.value) for a, b in first.pairs]
        pairs_second = [(a.value, b.value) for a, b in second.pairs]
        swapped = [pair for pair in pairs_first if pair not in pairs_second and pair[::-1] in pairs_second]
        if swapped:
            a, b = next((a, b) for a, b in first.pairs if (a.value, b.value) == swapped[0])
            c, d = next((c, d) for c, d in second.pairs if (c.value, d.value) == swapped[0][::-1])
            differences.append(f"order differs: {a.text} to {b.text} / {c.text} to {d.text}")
    if first.negated != second.negated:
        left = first.negation_phrase if first.negated else _affirmed(second.negation_phrase)
        right = second.negation_phrase if second.negated else _affirmed(first.negation_phrase)
        differences.append(f"negation: {left or 'affirms'} / {right or 'affirms'}")
    only_first = [name for name in first.names if not any(same_name(name, other) for other in second.names)]
    only_second = [name for name in second.names if not any(same_name(name, other) for other in first.names)]
    if only_first and only_second:
        differences.append(f"names differ: {', '.join(only_first)} / {', '.join(only_second)}")
    return tuple(differences)


def _affirmed(negation_phrase: str) -> str:
    """Return the positive twin of a negated phrase: "will not" → "will"; "never" → "" (said plainly)."""
    words = negation_phrase.split()
    if len(words) > 1 and words[0] not in ("no", "never", "without"):
        return words[0]
    return ""
