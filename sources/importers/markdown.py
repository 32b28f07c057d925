"""Markdown, or any text, with optional YAML front matter between ``---`` lines.

Front-matter keys: ``title``, ``url``, ``publisher``, ``section``, ``byline`` and/or ``authors``
(a list of names or of ``{name, location}``), ``published``, ``updated``, ``language``, ``tags``
(a list or a comma-separated string); a byline is read in the ``language`` given. The body is
the Markdown after the front matter, stored as written (not rendered to HTML) with paragraphs
normalised. Without a ``title`` key, a leading ``# Heading`` line is the title and is taken out of
the body; a leading heading that repeats the ``title`` is taken out too.
"""

import datetime as dt
import re
import reprlib

import yaml

from sources import bylines, textutils, timestamps
from sources.importers.base import ImportProblem, ParsedAuthor, ParsedDocument

FORMAT = "markdown"
EXTENSIONS = (".md", ".markdown")

KNOWN_KEYS = {
    "title",
    "url",
    "publisher",
    "section",
    "byline",
    "authors",
    "published",
    "updated",
    "language",
    "tags",
}
UNKNOWN_KEYS_NAMED = 10
_FENCE = re.compile(r"^---\s*$")
_FENCE_END = re.compile(r"^(?:---|\.\.\.)\s*$")
_ATX_HEADING = re.compile(r"^#\s+(?P<title>.+?)(?:\s+#+)?\s*$")


class _AliasRefused(yaml.MarkedYAMLError):
    """An anchor or alias in the front matter, which ``_FrontMatterLoader`` does not read."""


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without anchors and aliases.

    A few hundred bytes of nested aliases ("billion laughs") stand for gigabytes of values; front
    matter has no use for them, so they are refused before anything is built.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasRefused(
                problem="anchors and aliases (&name, *name) are not allowed", problem_mark=event.start_mark
            )
        return super().compose_node(parent, index)


def _split_front_matter(lines):
    """Return ``(front_matter_lines, first_line_number, body_lines)``; no front matter gives ``None``."""
    start = next((index for index, line in enumerate(lines) if line.strip()), None)
    if start is None or not _FENCE.match(lines[start]):
        return None, 0, lines
    for end in range(start + 1, len(lines)):
        if _FENCE_END.match(lines[end]):
            return lines[start + 1 : end], start + 2, lines[end + 1 :]
    raise ImportProblem("the front matter opened with “---” is never closed by another “---” line", line=start + 1)


def _load_front_matter(front_lines, first_line):
    try:
        meta = yaml.load("\n".join(front_lines), Loader=_FrontMatterLoader)  # noqa: S506 — a SafeLoader
    except _AliasRefused as error:
        raise ImportProblem(f"YAML front matter: {error.problem}", line=first_line + error.problem_mark.line) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ImportProblem(f"malformed YAML front matter: {textutils.shown(problem)}", line=line) from None
    except RecursionError:  # thousands of nested brackets
        raise ImportProblem("YAML front matter nested too deeply", line=first_line) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ImportProblem("the front matter must be “key: value” lines", line=first_line)
    return meta


def _text(meta, key):
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    raise ImportProblem(f"“{key}” must be a single value, not {type(value).__name__}", field=key)


def _authors(meta, language=""):
    value = meta.get("authors")
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return bylines.parse_byline(value, language) or [ParsedAuthor(name=" ".join(value.split()))]
    if not isinstance(value, list):
        raise ImportProblem("“authors” must be a list of names or of {name, location}", field="authors")
    authors = []
    for item in value:
        if isinstance(item, str) and item.strip():
            authors.append(ParsedAuthor(name=" ".join(item.split())))
        elif isinstance(item, dict) and str(item.get("name") or "").strip():
            authors.append(
                ParsedAuthor(
                    name=" ".join(str(item["name"]).split()),
                    location=" ".join(str(item.get("location") or "").split()),
                )
            )
        else:
            shown = textutils.shown(reprlib.repr(item))
            raise ImportProblem(f"an author must be a name or {{name, location}}, not {shown}", field="authors")
    return authors


def _tags(meta):
    value = meta.get("tags")
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ImportProblem("“tags” must be a list or a comma-separated string", field="tags")
    tags = []
    for tag in value:
        tag = " ".join(str(tag).split())
        if tag and tag.casefold() not in {seen.casefold() for seen in tags}:
            tags.append(tag)
    return tags


def _timestamp(meta, key, warnings):
    """Return the ``datetime`` given under ``key``; an unreadable value adds a warning."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    # YAML reads unquoted ISO dates itself.
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    parsed = timestamps.parse_timestamp(str(value))
    if parsed is None:
        warnings.append(f"field {key}: cannot read the date “{textutils.shown(value)}”; imported without it")
    return parsed


def parse(data, filename, *, encoding=None):
    """Read a Markdown file (front matter optional) into a ``ParsedDocument``."""
    read = textutils.decode_document(data, filename, encoding=encoding)
    decoded, warnings = read.text, read.warnings
    lines = textutils.split_lines(decoded)
    front_lines, first_line, body_lines = _split_front_matter(lines)
    meta = _load_front_matter(front_lines, first_line) if front_lines is not None else {}
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    if unknown:
        listed = ", ".join(textutils.shown(key, 40) for key in unknown[:UNKNOWN_KEYS_NAMED])
        more = f" and {len(unknown) - UNKNOWN_KEYS_NAMED} more" if len(unknown) > UNKNOWN_KEYS_NAMED else ""
        warnings.append(f"front matter: ignored unknown key(s) {listed}{more}")

    body = textutils.normalise_text("\n".join(body_lines))
    title = _text(meta, "title")
    first, _, rest = body.partition("\n")
    heading = _ATX_HEADING.match(first)
    if not title:
        if not heading:
            raise ImportProblem("no title: add “title:” to the front matter or start the text with “# Heading”")
        title, body = heading.group("title").strip(), textutils.normalise_text(rest)
    elif heading and heading.group("title").strip().casefold() == title.casefold():
        body = textutils.normalise_text(rest)  # the title printed again as the first heading
    if not body:
        raise ImportProblem("no body text after the title")

    language = _text(meta, "language")
    authors = _authors(meta, language)
    byline = _text(meta, "byline")
    if byline and not authors:
        authors = bylines.parse_byline(byline, language)
    if authors and not byline:
        byline = bylines.format_byline(authors)

    return ParsedDocument(
        title=title,
        text=body,
        format=FORMAT,
        byline=byline,
        authors=authors,
        publisher=_text(meta, "publisher"),
        section=_text(meta, "section"),
        url=_text(meta, "url"),
        language=language,
        published_at=_timestamp(meta, "published", warnings),
        updated_at=_timestamp(meta, "updated", warnings),
        tags=_tags(meta),
        encoding=read.encoding,
        encoding_confidence=read.confidence,
        warnings=warnings,
    )
