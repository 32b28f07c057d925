"""The plain-text newsroom layout: header lines, then body paragraphs separated by blank lines.

The header, in this order, each line on its own:

- optional timestamp lines ("Updated at 13:19,16-08-2022", "Published 16 August 2022",
  "Stand: 28.04.2020 18:00 Uhr", "Mis à jour le 5 mai 2024 à 10h12"), before or after the headline;
- the headline, sometimes printed twice in a row (kept once);
- an optional byline ("Max Seddon in Moscow and Richard Milne in Oslo", "By A, B and C",
  "Von A, B und C aus Berlin", "Por A y B en Madrid" …);
- an optional section or rubric line ("Belarus in focus").

A labelled timestamp line at the very end of the text ("Stand: 28.04.2020 18:00 Uhr", as some
sites print it under the article) is read too and left out of the body.

The document's language is guessed from its words (``languages.guess_language``); it decides
which words a byline is read with (``sources.bylines``).

The header ends at the first line that is none of these; the body starts there. A line counts
as a byline only if it parses as one (``sources.bylines``). A line counts as a rubric only when
the structure says so: it is short, stands alone between blank lines, does not end like a
sentence, and is followed by a real paragraph — so a short first sentence of the body, or the
first of a run of short lines (a list), stays in the body.
"""

import re

from sources import bylines, languages, textutils, timestamps
from sources.importers.base import ImportProblem, ParsedDocument

FORMAT = "text"
EXTENSIONS = (".txt",)

MAX_TITLE_LENGTH = 300
MAX_RUBRIC_LENGTH = 80
MAX_RUBRIC_WORDS = 8
# A timestamp printed without a label is recognised only on a short line of its own.
MAX_BARE_TIMESTAMP_LENGTH = 60
# Ends like a sentence: . ! ? … : ; possibly followed by closing quotes or brackets.
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


def _same_line(first, second):
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


class _Header:
    """The header lines read so far."""

    def __init__(self):
        self.title = ""
        self.byline = ""
        self.authors = []
        self.section = ""
        self.published_at = None
        self.updated_at = None
        self.last_kind = None


def _stands_alone(lines, index):
    """Return True when ``lines[index]`` has a blank line (or the file's edge) on both sides."""
    before = index == 0 or not lines[index - 1].strip()
    after = index == len(lines) - 1 or not lines[index + 1].strip()
    return before and after


def _is_short_unfinished(line):
    """A short line that does not end like a sentence: a heading, a rubric or a list item."""
    return len(line) <= MAX_RUBRIC_LENGTH and len(line.split()) <= MAX_RUBRIC_WORDS and not SENTENCE_END.search(line)


def _is_header_line(line, language):
    return bool(timestamps.timestamp_label(line) or _bare_timestamp(line) or bylines.looks_like_byline(line, language))


def _bare_timestamp(line):
    if len(line) > MAX_BARE_TIMESTAMP_LENGTH:
        return None
    return timestamps.parse_timestamp(line)


def _is_rubric(lines, index, following, language):
    """Return True when the line at ``index`` is a section or rubric line.

    ``following`` are the indexes of the non-blank lines after it.
    """
    line = lines[index].strip()
    if not _is_short_unfinished(line) or not _stands_alone(lines, index):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    # The next line that is not itself a header line must be a real paragraph, not another
    # short line: the rubric introduces the body, it is not the first item of it.
    for next_index in following:
        candidate = lines[next_index].strip()
        if _is_header_line(candidate, language):
            continue
        return not (_is_short_unfinished(candidate) and _stands_alone(lines, next_index))
    return False  # nothing after it: it is the body


def _read_timestamp(line, number, header, warnings):
    """Record the timestamp on ``line`` and return True, or return False if it is not one."""
    label = timestamps.timestamp_label(line)
    value = timestamps.parse_timestamp(line) if label else _bare_timestamp(line)
    if not label and value is None:
        return False
    if value is None:
        warnings.append(f"line {number}: cannot read the date in “{textutils.shown(line)}”; imported without it")
        return True
    field = "updated_at" if label == "updated" else "published_at"
    if getattr(header, field) is None:
        setattr(header, field, value)
    else:
        warnings.append(f"line {number}: a second {label or 'published'} time “{textutils.shown(line)}” was ignored")
    return True


def _read_closing_timestamp(lines, filled, body_start, header, warnings):
    """Return where the body ends: before a labelled timestamp line that closes the text, read into
    ``header``; else at the end. The body keeps at least one paragraph."""
    last = filled[-1]
    line = lines[last].strip()
    if last <= body_start or not _stands_alone(lines, last) or not timestamps.timestamp_label(line):
        return len(lines)
    if timestamps.parse_timestamp(line) is None:
        return len(lines)  # "Updated 3 times" ends a sentence, not a time line
    _read_timestamp(line, last + 1, header, warnings)
    return last


def parse(data, filename, *, encoding=None):
    """Read a newsroom-layout text file into a ``ParsedDocument``."""
    read = textutils.decode_document(data, filename, encoding=encoding)
    decoded, warnings = read.text, read.warnings
    lines = textutils.split_lines(decoded)
    language = languages.guess_language(decoded)
    filled = [index for index, line in enumerate(lines) if line.strip()]
    header = _Header()
    body_start = None

    for position, index in enumerate(filled):
        line = lines[index].strip()
        number = index + 1
        if _read_timestamp(line, number, header, warnings):
            header.last_kind = "timestamp"
            continue
        if not header.title:
            if len(line) > MAX_TITLE_LENGTH:
                raise ImportProblem(
                    f"no title: the first line is a {len(line)}-character paragraph, "
                    f"not a headline (at most {MAX_TITLE_LENGTH} characters)",
                    line=number,
                )
            header.title = line
            header.last_kind = "title"
            continue
        if header.last_kind == "title" and _same_line(line, header.title):
            continue  # the headline printed twice in a row
        if not header.byline and bylines.looks_like_byline(line, language):
            header.byline, header.authors = " ".join(line.split()), bylines.parse_byline(line, language)
            header.last_kind = "byline"
            continue
        if not header.section and _is_rubric(lines, index, filled[position + 1 :], language):
            header.section = line
            header.last_kind = "section"
            continue
        body_start = index
        break

    if not header.title:
        raise ImportProblem("no title: the file holds only timestamp lines")
    if body_start is None:
        raise ImportProblem("no body text: the file has a header but no paragraphs after it")
    body_end = _read_closing_timestamp(lines, filled, body_start, header, warnings)

    return ParsedDocument(
        title=header.title,
        text=textutils.normalise_text("\n".join(lines[body_start:body_end])),
        format=FORMAT,
        byline=header.byline,
        authors=header.authors,
        section=header.section,
        language=language,
        published_at=header.published_at,
        updated_at=header.updated_at,
        encoding=read.encoding,
        encoding_confidence=read.confidence,
        warnings=warnings,
    )
