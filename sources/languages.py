"""Which language a text is in, and how plausibly a decoded text reads as one.

``plausibility`` judges a decoding: the letters a wrong encoding gives belong to no one language,
mix scripts inside a word ("ZЪrich") or sit in odd places ("ą»astný"); ``textutils`` picks the
encoding whose text reads best. ``guess_language`` names the language of a text by its function
words, for importers whose format does not state one (it decides how a byline is read).
"""

import functools
import re
from collections import Counter

from charset_normalizer.md import mess_ratio

# The letters beyond ASCII each language writes; a decoding is plausible when the letters it gives
# are those of one language. Scripts without case (CJK) are recognised by their Unicode blocks.
LANGUAGE_LETTERS = {
    "en": "",
    "de": "äöüßÄÖÜẞ",
    "fr": "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ",
    "es": "áéíñóúüÁÉÍÑÓÚÜ",
    "it": "àèéìíîòóùúÀÈÉÌÍÎÒÓÙÚ",
    "pt": "ãõáâàçéêíóôúÃÕÁÂÀÇÉÊÍÓÔÚ",
    "sv": "åäöéÅÄÖÉ",
    "da": "æøåéÆØÅÉ",
    "fi": "äöåšžÄÖÅŠŽ",
    "nl": "éëïöüèáóÉËÏÖÜÈ",
    "pl": "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ",
    "cs": "áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ",
    "sk": "áäčďéíĺľňóôŕšťúýžÁÄČĎÉÍĹĽŇÓÔŔŠŤÚÝŽ",
    "hu": "áéíóöőúüűÁÉÍÓÖŐÚÜŰ",
    "ro": "ăâîșțşţĂÂÎȘȚŞŢ",
    "hr": "čćđšžČĆĐŠŽ",
    "lt": "ąčęėįšųūžĄČĘĖĮŠŲŪŽ",
    "lv": "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ",
    "et": "äõöüšžÄÕÖÜŠŽ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ’",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ",
}
_CJK = {
    "ja": re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf]"),
    "zh": re.compile("[\u4e00-\u9fff\u3400-\u4dbf]"),
    "ko": re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),
}
# Punctuation and signs of any language's news text: quotes, dashes, the euro, the degree sign.
NEWS_PUNCTUATION = frozenset(
    "\u00a0“”„‚‘’«»‹›–—…€£¥°·§©®™•×¡¿½\u2009\u202f\u200b\u3000、。「」『』（）・！？：；，．〈〉《》【】〜ー％＆"
)
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS = (
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("cjk", re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")),
)


@functools.cache  # a text has a few hundred distinct characters, read many times over
def _script(char):
    return next((name for name, pattern in _SCRIPTS if pattern.match(char)), "other")


# Each language's letters (a string, or a pattern for CJK) and the script they are written in.
_ALPHABETS = [(letters, _script(letters[0]) if letters else "latin") for letters in LANGUAGE_LETTERS.values()]
_ALPHABETS += [(pattern, "cjk") for pattern in _CJK.values()]


@functools.lru_cache(maxsize=4096)
def _plausible_word(word):
    """A word in one script, cased as words are (no capital after a small letter: "ZЪrich", "пРЮБХ")."""
    if len({_script(char) for char in word}) != 1 or _script(word[0]) == "other":
        return False
    return not re.search(r"[^\W\d_](?<=[a-zà-ÿа-яё])[A-ZÀ-ÞА-ЯЁ]", word)


# Letters of another language than the text's best fit count for less: names and quoted words
# bring a few, but a wrong decoding brings mostly such letters.
FOREIGN_LETTER_WEIGHT = 0.75
# Punctuation between two letters ("ą»astný") is a letter read wrong, except an apostrophe or dot.
_PUNCTUATION_IN_WORD = re.compile(r"(?<=[^\W\d_])[^\w\s’'·.\-\u3000-\u303f\uff00-\uffef](?=[^\W\d_])")


def _in_alphabet(char, alphabet):
    return bool(alphabet.match(char)) if isinstance(alphabet, re.Pattern) else char in alphabet


def _language_fit(letters, alphabet, script):
    """Return how many of ``letters`` (char → count) fit a language: its own letters count 1, other
    letters of its script ``FOREIGN_LETTER_WEIGHT``."""
    own = sum(count for char, count in letters.items() if _in_alphabet(char, alphabet))
    of_script = sum(count for char, count in letters.items() if _script(char) == script)
    return own + FOREIGN_LETTER_WEIGHT * max(0, of_script - own)


def plausibility(text):
    """Return how plausibly ``text`` reads as news text in one language, from 0 to 1.

    The share of its characters beyond ASCII that are letters of one language (in words of one
    script and ordinary case; letters of other languages count for less) or news punctuation
    (not inside a word), less charset-normalizer's measure of mess (odd symbols, accents in odd
    places). Text of ASCII alone reads as 1.
    """
    sample = text[:20000]
    beyond = [char for char in sample if ord(char) > 0x7F]
    if not beyond:
        return 1.0
    bad_words = "".join(word for word in _WORD.findall(sample) if not word.isascii() and not _plausible_word(word))
    bad = Counter(char for char in bad_words + "".join(_PUNCTUATION_IN_WORD.findall(sample)) if ord(char) > 0x7F)
    counts = Counter(beyond)
    punctuation = sum(max(0, count - bad[char]) for char, count in counts.items() if char in NEWS_PUNCTUATION)
    letters = {char: max(0, count - bad[char]) for char, count in counts.items() if char.isalpha()}
    best = max(_language_fit(letters, alphabet, script) for alphabet, script in _ALPHABETS)
    fit = (best + punctuation) / len(beyond)
    return max(0.0, min(1.0, fit) - mess_ratio(sample, maximum_threshold=1.0))


# Short words frequent in each language's news text and rare in the others'.
FUNCTION_WORDS = {
    "en": "the and of to is was that for with on are said have has from by this were will not",
    "de": "der die das und ist nicht mit den dem sich auf für eine ein auch sagte wird wurde von zu",
    "fr": "le la les et est des une du que pour dans sur pas qui au avec il elle a été sont",
    "es": "el la los las y es del que por para una con en se no su fue dijo al como más",
    "it": "il la le gli e è che di per una con del della non sono ha sul nel alla dei",
    "sv": "och att det är som en på för med av till inte har den om var sade säger",
    "nl": "de het een en van is dat op te met voor niet zijn aan ook zei heeft wordt",
}
_FUNCTION_WORDS = {language: frozenset(words.split()) for language, words in FUNCTION_WORDS.items()}
MIN_LANGUAGE_EVIDENCE = 5  # function words of the winning language


def guess_language(text):
    """Return the language ("en", "de", "fr", "es", "it", "sv", "nl") ``text`` is most likely in, or "".

    Counted by function words ("the", "und", "les" …); "" when fewer than five are found or another
    language comes close (within a quarter), so that a guess is made only when it is clear.
    """
    words = re.findall(r"[^\W\d_]+", text[:20000].casefold())
    counts = sorted(
        ((sum(word in vocabulary for word in words), language) for language, vocabulary in _FUNCTION_WORDS.items()),
        reverse=True,
    )
    (best, language), (second, _) = counts[0], counts[1]
    if best < MIN_LANGUAGE_EVIDENCE or second > 0.75 * best:
        return ""
    return language
