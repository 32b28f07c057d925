"""Reading imported files as text: decoding bytes and normalising the text every importer stores.

``decode_document`` turns a file's bytes into text and says which encoding it used and how sure
that reading is (``decode`` gives the text, the encoding and the warnings); ``normalise_text``
gives every importer the same paragraph layout, so the SHA-256 of a revision does not depend on
line endings or stray trailing spaces. The characters themselves (curly quotes, dashes, emoji)
stay as printed: citations quote them.

``unstorable_character`` and ``validate_storable_text`` refuse the characters no text may hold
(NUL, unpaired surrogates), wherever text comes in; ``shown`` quotes input in a message safely.
"""

import codecs
import itertools
import re
import reprlib
import unicodedata
from dataclasses import dataclass, field

import charset_normalizer
from django.core.exceptions import ValidationError

from sources.importers.base import ImportProblem
from sources.languages import plausibility

# File signatures of formats that are certainly not text (checked before any decoding).
BINARY_SIGNATURES = {
    b"%PDF-": "PDF",
    b"PK\x03\x04": "ZIP (or a Word/OpenDocument file)",
    b"PK\x05\x06": "ZIP",
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7-Zip",
    b"Rar!\x1a\x07": "RAR",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "old Microsoft Office document",
    b"\x7fELF": "executable",
    b"SQLite format 3\x00": "SQLite database",
    b"OggS": "Ogg audio",
    b"ID3": "MP3 audio",
    b"RIFF": "RIFF (WAV/AVI/WebP)",
    b"wOFF": "web font",
    b"wOF2": "web font",
}

# Byte-order marks of the encodings that announce themselves; UTF-32 before UTF-16 because the
# UTF-32 little-endian mark starts with the UTF-16 one.
BYTE_ORDER_MARKS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]

# Control characters that ordinary text contains: tab, line feed, vertical tab, form feed,
# carriage return and escape (terminal colour codes in pasted logs).
TEXT_CONTROL_BYTES = frozenset(b"\t\n\x0b\x0c\r\x1b")
SNIFF_BYTES = 8192
# Share of control bytes above which a file counts as binary.
MAX_CONTROL_SHARE = 0.05


def check_is_text(data):
    """Raise ``ImportProblem`` when ``data`` is empty or clearly not a text file."""
    if not data.strip():
        raise ImportProblem("empty file")
    if any(data.startswith(bom) for bom, _, _ in BYTE_ORDER_MARKS):
        return
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportProblem(f"binary file, not text (looks like {kind})")
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        raise ImportProblem("binary file, not text")
    control = sum(1 for byte in head if (byte < 0x20 and byte not in TEXT_CONTROL_BYTES) or byte == 0x7F)
    if control > MAX_CONTROL_SHARE * len(head):
        raise ImportProblem("binary file, not text")


def encoding_label(codec_name):
    """Return the usual (WHATWG/IANA) label for a Python codec name: ``cp1252`` → ``windows-1252``."""
    name = codecs.lookup(codec_name).name
    if match := re.fullmatch(r"cp(125\d)", name):
        return f"windows-{match.group(1)}"
    if name in {"latin-1", "iso8859-1"}:
        return "ISO-8859-1"
    if match := re.fullmatch(r"iso8859-(\d+)", name):
        return f"ISO-8859-{match.group(1)}"
    return {
        "cp932": "Shift_JIS",
        "shift_jis": "Shift_JIS",
        "euc_jp": "EUC-JP",
        "koi8-r": "KOI8-R",
        "cp949": "EUC-KR",
        "euc_kr": "EUC-KR",
        "gb18030": "GB18030",
        "gbk": "GBK",
        "big5": "Big5",
        "utf-8": "utf-8",
    }.get(name, name)


_C1_CONTROL = re.compile("[\x80-\x9f]")


def _has_c1_controls(text):
    return _C1_CONTROL.search(text) is not None


# The encodings news text comes in, in order of preference: when two of them read the bytes as the
# same text, or equally well, the earlier one is named. Each is a Python codec; Shift_JIS and
# EUC-KR are read by their Windows supersets, as browsers do. ISO-8859-1 is not listed: bytes that
# read as ISO-8859-1 without control characters read the same as windows-1252.
NEWS_ENCODINGS = (
    "cp1252",
    "iso8859-15",
    "cp1250",
    "iso8859-2",
    "cp1251",
    "koi8-r",
    "iso8859-13",
    "cp1257",
    "cp932",
    "gb18030",
    "cp949",
)

# A detected encoding must read at least this plausibly; below it, every code page is tried.
MIN_PLAUSIBILITY = 0.6


def _candidates(data):
    """Yield ``(score, preference, codec, text)`` for each news encoding that reads ``data``."""
    seen = set()
    for preference, codec in enumerate(NEWS_ENCODINGS):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if text in seen or _has_c1_controls(text) or "\ufffd" in text:
            continue
        seen.add(text)
        yield plausibility(text), preference, codec, text


def _detect_news_encoding(data):
    """Return ``(text, codec, confidence)`` for the news encoding that reads ``data`` best, or ``None``.

    Best: the most plausible text (``plausibility``); of equally plausible ones, the encoding
    earlier in ``NEWS_ENCODINGS``. The confidence is the winner's plausibility, halved when another
    encoding reads (differently) as plausibly: then the choice is in doubt.
    """
    ranked = sorted(_candidates(data), key=lambda candidate: (-round(candidate[0], 3), candidate[1]))
    if not ranked or ranked[0][0] < MIN_PLAUSIBILITY:
        return None
    score, _, codec, text = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    # Half the score when the runner-up reads as well; the full score from a margin of 0.1.
    return text, codec, round(score * min(1.0, 0.5 + 5 * (score - runner_up)), 2)


def _detect(data):
    """Return ``(text, codec)`` for bytes in no news encoding, or ``None`` when nothing fits.

    The last resort, after ``_detect_news_encoding``: any code page charset-normalizer knows,
    DOS ones included.
    """
    matches = [
        match
        for match in charset_normalizer.from_bytes(data)
        # Without a byte-order mark, UTF-16/32 "matches" of NUL-free bytes are CJK nonsense.
        if not match.encoding.startswith(("utf_16", "utf_32", "utf_7")) and not _has_c1_controls(str(match))
    ]
    if matches:
        return str(matches[0]), matches[0].encoding
    return None


# UTF-8 with a few bad bytes (a copy cut in the middle of a character, one byte from another
# encoding) is still UTF-8: read as another encoding, every other accented letter would be garbled.
MAX_BAD_UTF8_SHARE = 0.01  # of the file's bytes
MAX_BAD_UTF8_ANYWAY = 3  # allowed in a file too short for the share
BAD_BYTES_NAMED = 5
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # what "surrogateescape" makes of a bad byte


def _utf8_with_bad_bytes(data, *, announced=False):
    """Return ``(text, warning)`` when ``data`` is UTF-8 but for a few bad bytes, else ``None``.

    A few: at most 1% of the bytes (or 3), and, unless a byte-order mark ``announced`` UTF-8, no
    more than the valid multi-byte characters. Those characters are what shows the file is UTF-8:
    in a single-byte encoding such as windows-1252 nearly every accented letter or curly quote is a
    bad byte, so such text (and ASCII with a few high bytes, which reads as either) is left to
    detection. Each bad byte becomes U+FFFD; the warning names the first few, by line and offset.
    """
    escaped = data.decode("utf-8", "surrogateescape")
    # Valid characters encode back to their own bytes; the escaped bad bytes are dropped.
    bad = len(data) - len(escaped.encode("utf-8", "ignore"))
    non_ascii = len(escaped) - len(escaped.encode("ascii", "ignore"))
    if bad > max(MAX_BAD_UTF8_ANYWAY, len(data) * MAX_BAD_UTF8_SHARE):
        return None
    if not announced and non_ascii - bad < bad:
        return None
    places = []
    for match in itertools.islice(_ESCAPED_BYTE.finditer(escaped), BAD_BYTES_NAMED):
        before = escaped[: match.start()]
        line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
        offset = len(before.encode("utf-8", "surrogateescape"))
        places.append(f"line {line} (byte offset {offset}: 0x{ord(match.group()) - 0xDC00:02x})")
    if bad > len(places):
        places.append(f"{bad - len(places)} more")
    verbs = "byte is not valid UTF-8 and was" if bad == 1 else "bytes are not valid UTF-8 and were"
    warning = f"{bad} {verbs} replaced by U+FFFD (�): {'; '.join(places)}"
    return _ESCAPED_BYTE.sub("\ufffd", escaped), warning


@dataclass
class Decoded:
    """A file's bytes read as text: the encoding used (its usual label), how sure the reading is
    (0 to 1; 1 for UTF-8 and for byte-order marks), and warnings for the editor."""

    text: str
    encoding: str
    confidence: float
    warnings: list[str] = field(default_factory=list)


def is_text_encoding(codec):
    """Return True for a codec of text: "base64", "rot13" and "zlib" are codecs, but not of text."""
    return getattr(codec, "_is_text_encoding", True)


def decode_as(data, encoding):
    """Return ``Decoded`` for ``data`` read in ``encoding`` (a label or codec name), as an editor chose.

    A byte-order mark of that encoding is dropped; UTF-8 keeps its tolerance of a few bad bytes.
    Raises ``ImportProblem`` for an unknown encoding or bytes the encoding cannot read, naming the
    first bad byte.
    """
    try:
        codec = codecs.lookup(encoding.strip())
    except (LookupError, ValueError):
        codec = None
    if codec is None or not is_text_encoding(codec):
        raise ImportProblem(f"unknown encoding “{shown(encoding, 40)}”")
    label = encoding_label(codec.name)
    if codec.name == "utf-8":
        try:
            return Decoded(data.decode("utf-8-sig"), "utf-8", 1.0)
        except UnicodeDecodeError as error:
            if lenient := _utf8_with_bad_bytes(data, announced=True):
                return Decoded(lenient[0].removeprefix("\ufeff"), "utf-8", 1.0, [lenient[1]])
            byte = data[error.start : error.start + 1].hex()
            raise ImportProblem(f"the original is not valid utf-8: byte 0x{byte} at offset {error.start}") from None
    for bom, bom_codec, _ in BYTE_ORDER_MARKS:
        if data.startswith(bom) and codecs.lookup(bom_codec).name == codec.name:
            data = data[len(bom) :]
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex()
        raise ImportProblem(f"the original is not valid {label}: byte 0x{byte} at offset {error.start}") from None
    return Decoded(text.removeprefix("\ufeff"), label, round(plausibility(text), 2), [f"read as {label}, as chosen"])


def decode_document(data, filename="", *, encoding=None):
    """Return ``Decoded`` for a file's bytes; ``encoding`` forces one (see ``decode_as``).

    UTF-8 (with or without a byte-order mark) is read as is; UTF-8 with a few bad bytes is read as
    UTF-8 with each bad byte replaced by U+FFFD, and a warning says where they were. Other bytes
    are read in the news encoding (``NEWS_ENCODINGS``) whose text reads most plausibly as one
    language; only when none reads plausibly is every code page tried, DOS ones included. A
    warning names the encoding used, since a wrong guess changes characters. Empty, binary and
    undecodable files raise ``ImportProblem``. ``filename`` is accepted for messages.
    """
    check_is_text(data)
    if encoding:
        return decode_as(data, encoding)
    for bom, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                if label == "utf-8" and (lenient := _utf8_with_bad_bytes(data, announced=True)):
                    return Decoded(lenient[0].removeprefix("\ufeff"), "utf-8", 1.0, [lenient[1]])
                raise ImportProblem(f"starts with a {label} byte-order mark but is not valid {label}") from error
            warnings = [] if label == "utf-8" else [f"decoded as {label}, not UTF-8"]
            return Decoded(text, label, 1.0, warnings)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    if lenient := _utf8_with_bad_bytes(data):
        return Decoded(lenient[0], "utf-8", 1.0, [lenient[1]])
    if detected := _detect_news_encoding(data):
        text, codec, confidence = detected
        label = encoding_label(codec)
        return Decoded(text, label, confidence, [f"decoded as {label}, not UTF-8"])
    detected = _detect(data)
    if detected is None:
        raise ImportProblem("cannot decode the text: it is not UTF-8 and no likely encoding fits")
    text, codec = detected
    label = encoding_label(codec)
    confidence = round(plausibility(text), 2)
    return Decoded(
        text,
        label,
        confidence,
        [f"decoded as {label}, not UTF-8: no usual news encoding fits, so check the characters"],
    )


def decode(data, filename=""):
    """Return ``(text, encoding, warnings)`` for a file's bytes, as ``decode_document`` reads them."""
    decoded = decode_document(data, filename)
    return decoded.text, decoded.encoding, decoded.warnings


def split_lines(text):
    """Return the lines of ``text`` in NFC, without line endings or trailing white space.

    Only ``\\r\\n``, ``\\r`` and ``\\n`` end a line; the numbering matches what an editor sees.
    """
    text = unicodedata.normalize("NFC", text).removeprefix("\ufeff")
    return [line.rstrip() for line in re.split(r"\r\n|\r|\n", text)]


def normalise_text(text):
    """Return ``text`` in the stored layout.

    NFC; ``\\r\\n`` and ``\\r`` become ``\\n``; no trailing white space on any line; paragraphs
    separated by exactly one blank line; no blank lines at the start or end. Characters are kept
    as printed (curly quotes, dashes, characters outside the Basic Multilingual Plane).
    """
    text = "\n".join(split_lines(text))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


# Paragraphs are separated by a blank line (normalised text has exactly one between them); white
# space after it belongs to the break, not to the next paragraph.
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def paragraph_spans(text):
    """Return the ``(start, end)`` code-point offsets of the paragraphs of ``text``, in order.

    The one definition of a paragraph: the importers' layout, revision diffs, excerpt highlighting
    and Text Fragment links all cut text here.
    """
    spans, position = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    return spans


def paragraphs(text):
    """Return the non-empty paragraphs of ``text``."""
    return [text[start:end] for start, end in paragraph_spans(text) if text[start:end].strip()]


# Storable text and quoting input -----------------------------------------------------------------

# NUL cannot be stored in a PostgreSQL text column, and an unpaired surrogate (which JSON's "\ud800"
# escape and YAML's produce) cannot be encoded as UTF-8 at all: not for hashing, the database or a
# response. Python strings never hold a valid surrogate pair, so every surrogate is unpaired here.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(text):
    """Return what makes ``text`` unstorable, naming the first such character, or "" when nothing does.

    "contains a NUL character at position 12", "contains an unpaired surrogate (U+D800) at
    position 3"; positions count code points from 0, like citation offsets.
    """
    match = _UNSTORABLE.search(text)
    if match is None:
        return ""
    if match.group() == "\x00":
        return f"contains a NUL character at position {match.start()}"
    return f"contains an unpaired surrogate (U+{ord(match.group()):04X}) at position {match.start()}"


def replace_unstorable(text):
    """Return ``text`` with each NUL character and surrogate replaced by U+FFFD.

    For names that are only shown and recorded, such as a file name that is not UTF-8 (Python
    spells its bad bytes as surrogates); text that is imported is refused instead.
    """
    return _UNSTORABLE.sub("\ufffd", text)


def validate_storable_text(value):
    """Validator of text fields: refuse text with a NUL character or an unpaired surrogate."""
    if isinstance(value, str) and (problem := unstorable_character(value)):
        raise ValidationError(f"The text {problem}; remove it.", code="unstorable_character")


ECHO_LENGTH = 80
# Characters that would break or disguise a one-line message: control characters (line breaks
# included), surrogates (which cannot even be printed) and bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def shown(value, limit=ECHO_LENGTH):
    """Return ``value`` as a message may quote it: at most ``limit`` characters, on one line.

    Longer input is cut, ending in "…"; control characters, surrogates and bidirectional overrides
    are written as escapes (``\\n``, ``\\x00``, ``\\ud800``). A value that is not a string is shown
    as its abbreviated ``repr``. Input can be megabytes long, and a message quotes it only to point
    at it.
    """
    text = value if isinstance(value, str) else reprlib.repr(value)  # reprlib: bounded for any value
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)
