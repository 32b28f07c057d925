"""Differences between two revisions' texts, paragraph by paragraph and word by word.

The result is plain data (no HTML): templates render it, so every piece of text is escaped there.
"""

import difflib
import re
from dataclasses import dataclass, field

from sources.textutils import paragraph_spans

# Words, runs of white space and single punctuation marks: changing "said" to "says" marks one word,
# and a changed comma does not swallow the word next to it.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass
class Piece:
    """A run of text that is unchanged ("equal"), added ("insert") or removed ("delete")."""

    kind: str
    text: str


@dataclass
class ParagraphDiff:
    """One paragraph of the comparison: "equal", "inserted", "deleted" or "changed"."""

    status: str
    pieces: list[Piece] = field(default_factory=list)


def paragraphs(text):
    """Return ``(start, paragraph)`` pairs; ``start`` is the code-point offset of the paragraph."""
    return [(start, text[start:end]) for start, end in paragraph_spans(text) if text[start:end].strip()]


def diff_words(old, new):
    """Return the pieces that turn paragraph ``old`` into paragraph ``new``."""
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    pieces = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(pieces, "equal", "".join(old_tokens[i1:i2]))
            continue
        if tag in {"delete", "replace"}:
            _append(pieces, "delete", "".join(old_tokens[i1:i2]))
        if tag in {"insert", "replace"}:
            _append(pieces, "insert", "".join(new_tokens[j1:j2]))
    return pieces


def diff_texts(old, new):
    """Return a list of :class:`ParagraphDiff` turning text ``old`` into text ``new``.

    Paragraphs are matched first; a paragraph replaced by another is then compared word by word,
    so a one-word correction shows as one word, not as a whole paragraph removed and added.
    """
    old_paragraphs = [text for _, text in paragraphs(old)]
    new_paragraphs = [text for _, text in paragraphs(new)]
    matcher = difflib.SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    result = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(ParagraphDiff("equal", [Piece("equal", text)]) for text in old_paragraphs[i1:i2])
        elif tag == "delete":
            result.extend(ParagraphDiff("deleted", [Piece("delete", text)]) for text in old_paragraphs[i1:i2])
        elif tag == "insert":
            result.extend(ParagraphDiff("inserted", [Piece("insert", text)]) for text in new_paragraphs[j1:j2])
        else:
            result.extend(_pair_replaced(old_paragraphs[i1:i2], new_paragraphs[j1:j2]))
    return result


def _pair_replaced(old_block, new_block):
    """Compare replaced paragraphs pairwise when they resemble each other, else as removed and added."""
    result = []
    for index in range(max(len(old_block), len(new_block))):
        old = old_block[index] if index < len(old_block) else None
        new = new_block[index] if index < len(new_block) else None
        if old is not None and new is not None and _similar(old, new):
            result.append(ParagraphDiff("changed", diff_words(old, new)))
            continue
        if old is not None:
            result.append(ParagraphDiff("deleted", [Piece("delete", old)]))
        if new is not None:
            result.append(ParagraphDiff("inserted", [Piece("insert", new)]))
    return result


def _similar(old, new):
    matcher = difflib.SequenceMatcher(None, TOKEN.findall(old), TOKEN.findall(new), autojunk=False)
    return matcher.ratio() >= 0.4


def _append(pieces, kind, text):
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1].text += text
    else:
        pieces.append(Piece(kind, text))
