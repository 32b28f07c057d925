"""Where a text's paragraphs, quotations and sentences are: code-point spans of a plain string.

Revision text is paragraphs separated by blank lines, whatever the importer (newsroom text,
Markdown, HTML). A quotation opens with “ „ « or a straight " after a space, and closes with ” “ »
or a straight " ; a quotation left open at the end of a paragraph continues when the next paragraph
opens with a quotation mark (the newsroom convention for a quote over several paragraphs), and
otherwise ends with its paragraph. Single quotation marks are not read: they are apostrophes as
often as quotes, and news text uses them for scare quotes.
"""

import re
from dataclasses import dataclass

OPENING = "“„«"
CLOSING = "”“»"
STRAIGHT = '"'
QUOTE_MARKS = OPENING + CLOSING + STRAIGHT
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Quotation:
    """A quotation: ``mark_start``–``mark_end`` with its marks, ``start``–``end`` its words."""

    mark_start: int
    mark_end: int
    start: int
    end: int
    paragraph: int  # index of the paragraph it opens in
    continues: bool  # runs over into a later paragraph


def paragraphs(text: str) -> list[Span]:
    """Return the spans of the text's paragraphs (non-empty runs between line breaks)."""
    spans, position = [], 0
    for brk in PARAGRAPH_BREAK.finditer(text):
        if text[position : brk.start()].strip():
            spans.append(Span(position, brk.start()))
        position = brk.end()
    if text[position:].strip():
        spans.append(Span(position, len(text)))
    return spans


def _opens(text, index):
    """True when the straight quotation mark at ``index`` opens a quotation (it follows a space or a start)."""
    return index == 0 or text[index - 1].isspace() or text[index - 1] in "([{—–-/"


def quotations(text: str, paragraph_spans: list[Span]) -> list[Quotation]:
    """Return the text's quotations in order (see the module's docstring)."""
    found = []
    open_at = None  # (mark_start, paragraph index) of the open quotation
    closing = None
    for number, paragraph in enumerate(paragraph_spans):
        index = paragraph.start
        if open_at is not None:
            if text[index] in OPENING or text[index] == STRAIGHT:
                index += 1  # the mark that re-opens a continued quotation
            else:  # not continued: the quotation ended with the previous paragraph
                mark_start, first = open_at
                previous = paragraph_spans[number - 1]
                found.append(_quotation(text, mark_start, previous.end, previous.end, first, number - 1 > first))
                open_at = None
        while index < paragraph.end:
            character = text[index]
            if open_at is None:
                if character in OPENING or (character == STRAIGHT and _opens(text, index)):
                    open_at = (index, number)
                    closing = {"“": "”", "„": "“", "«": "»", STRAIGHT: STRAIGHT}[character]
            elif character == closing or (character in "”»" and closing == STRAIGHT):
                mark_start, first = open_at
                found.append(_quotation(text, mark_start, index, index + 1, first, number > first))
                open_at = None
            index += 1
    if open_at is not None:
        mark_start, first = open_at
        last = paragraph_spans[-1]
        found.append(_quotation(text, mark_start, last.end, last.end, first, len(paragraph_spans) - 1 > first))
    return [quotation for quotation in found if quotation.end > quotation.start]


def _quotation(text, mark_start, close, mark_end, paragraph, continues):
    start, end = mark_start + 1, close
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return Quotation(mark_start, mark_end, start, end, paragraph, continues)


SENTENCE_END = re.compile(r"[.!?]+[”\"’)]*(?=\s+[“\"‘(\[]?[^\W\d_a-z]|\s+\d|\s*$)")
WORD_BEFORE = re.compile(r"(\w+)$")


def sentences(text: str, paragraph: Span, abbreviations=()) -> list[Span]:
    """Return the spans of ``paragraph``'s sentences, each ending after its full stop (and closing mark).

    A full stop after one of ``abbreviations`` ("Dr") or a single capital ("U.S.") ends no sentence.
    """
    spans, start = [], paragraph.start
    for end in SENTENCE_END.finditer(text, paragraph.start, paragraph.end):
        before = WORD_BEFORE.search(text, max(paragraph.start, end.start() - 12), end.start())
        if text[end.start()] == "." and before and (before[1].lower() in abbreviations or len(before[1]) == 1):
            continue
        if text[start : end.end()].strip():
            spans.append(Span(start, end.end()))
        start = end.end()
        while start < paragraph.end and text[start].isspace():
            start += 1
    if start < paragraph.end and text[start : paragraph.end].strip():
        spans.append(Span(start, paragraph.end))
    return spans
