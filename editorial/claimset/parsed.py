"""The pieces of checking a claim-set JSON document: problems, the checker, and the records it reads.

``validate.check`` walks a document with a ``_Checker``, which reports each value's schema problems
(``schema.py``) in document order among the checks of its own, and reads what it checked into the
``Parsed…`` records the importer works from. ``docs/claimset.md`` describes the format.
"""

import datetime
import json
import re
from dataclasses import dataclass, field

from editorial.claimset.schema import schema_problems
from editorial.exports.claimset import FULL_FORMAT
from sources.textutils import shown, unstorable_character


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the document, at ``path`` (``$.sources[0].revisions[1].sha256``)."""

    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class InvalidClaimSet(Exception):
    """The document cannot be imported; ``problems`` lists every reason, in document order."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def parse(data: bytes | str):
    """Return the document in ``data`` (bytes or str); ``InvalidClaimSet`` when it is not JSON."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidClaimSet(
                [Problem("$", f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})")]
            ) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise InvalidClaimSet(
            [Problem("$", f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}")]
        ) from None
    except ValueError as error:  # a number of more than 4,300 digits
        raise InvalidClaimSet([Problem("$", f"unreadable JSON: {shown(str(error))}")]) from None
    except RecursionError:  # thousands of nested brackets
        raise InvalidClaimSet([Problem("$", "JSON nested too deeply")]) from None


# The walk ----------------------------------------------------------------------------------------


class _Checker:
    """Collects the problems of a document in document order: the schema's and the code's."""

    def __init__(self, document):
        self.problems = []
        self.pending = schema_problems(document)  # JSON path → [(is_about_the_type, message), …]

    def add(self, path, message):
        self.problems.append(Problem(path, message))

    def report(self, path, *, type_only=False):
        """Report the schema's problems with the value at ``path``; return True when it had any."""
        entries = self.pending.get(path)
        if not entries or (type_only and not entries[0][0]):
            return False
        del self.pending[path]
        self.problems.extend(Problem(path, message) for _, message in entries)
        return True

    # A valid document's schema problems are none: the paths below are then built only for a problem.

    def _read(self, data, key, path):
        """Return ``(value, usable)``: ``data[key]`` after reporting its type and character problems."""
        if self.pending and self.report(f"{path}.{key}", type_only=True):
            return None, False
        value = data.get(key)
        # JSON spells NUL as \u0000 and a lone surrogate as \ud800; neither can be stored or hashed.
        if isinstance(value, str) and (problem := unstorable_character(value)):
            at = f"{path}.{key}"
            self.pending.pop(at, None)  # the character is the problem; a pattern miss would only repeat it
            self.add(at, problem)
            return None, False
        return value, True

    def get(self, data, key, path, *, default=None):
        """Return ``data[key]``, or ``default`` when it is missing, null or has a problem (reported)."""
        value, usable = self._read(data, key, path)
        if not usable or (self.pending and self.report(f"{path}.{key}")):
            return default
        return default if value is None else value

    def text(self, data, key, path, *, required=False, max_length=None, strip=False, check_value=True):
        """Return the string ``data[key]`` (``""`` when missing or refused), checking it is not empty and fits.

        Without ``check_value`` the schema's rules for the value itself (a pattern) are left out.
        """
        value, usable = self._read(data, key, path)
        if not usable:
            return ""
        value = value or ""
        if required and not value.strip():
            if not value:
                self.pending.pop(f"{path}.{key}", None)  # an empty relation kind is not also an unknown one
            self.add(f"{path}.{key}", "must not be empty")
        if max_length and len(value) > max_length:
            self.add(f"{path}.{key}", f"longer than {max_length} characters ({len(value)})")
        if self.pending:
            at = f"{path}.{key}"
            if self.report(at) if check_value else self.pending.pop(at, None):
                return ""
        return value.strip() if strip else value

    def timestamp(self, data, key, path):
        value = self.get(data, key, path)
        if value is None:
            return None
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            self.add(f"{path}.{key}", f"“{shown(value)}” is not an ISO 8601 timestamp")
            return None
        if parsed.tzinfo is None:
            self.add(f"{path}.{key}", f"“{shown(value)}” has no UTC offset (write it as 2024-03-14T08:45:00+00:00)")
            return None
        return parsed

    def date(self, data, key, path):
        value = self.get(data, key, path)
        if value is None or value == "":
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.add(f"{path}.{key}", f"“{shown(value)}” is not a date (YYYY-MM-DD)")
            return None

    def list(self, data, key, path):
        return self.get(data, key, path, default=[])

    def reference(self, data, key, path):
        """Return a document id (a string or a number), as a hashable key."""
        value = self.get(data, key, path)
        return None if value is None else ref_key(value)

    def unique_id(self, data, path, seen):
        """Return the ``id`` at ``path`` (see ``reference``); report it when ``seen`` holds it already.

        ``seen`` maps the ids met so far to where they were met; this id is added to it.
        """
        ref = self.reference(data, "id", path)
        if ref is not None:
            if ref in seen:
                self.add(f"{path}.id", f"{_show(ref)} is already the id of {seen[ref]}")
            seen.setdefault(ref, path)
        return ref

    def leftovers(self):
        # The walk visits every value the schema constrains; whatever it did not is still reported.
        for path in list(self.pending):
            self.report(path)


def ref_key(value):
    """Return a document id (a string or a number) as a hashable key: ``1`` and ``1.0`` are one, ``"1"`` another."""
    return ("n", value) if isinstance(value, int | float) else ("s", value)


def _show(ref):
    return shown(json.dumps(ref[1], ensure_ascii=False))


@dataclass
class ParsedRevision:
    path: str
    number: int
    text: str | None  # None only in a document with problems
    sha256: str
    captured_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    # Version 2: title, byline, captured_by (a username or None), origin, format, encoding, and
    # original (bytes; None when the document left them out). Empty for a version 1 document.
    details: dict = field(default_factory=dict)


@dataclass
class ParsedSource:
    path: str
    ref: tuple
    fields: dict  # title, url, section, byline, language, published_at, updated_at
    publisher: str
    authors: list  # (name, location)
    revisions: dict  # number → ParsedRevision
    details: dict = field(default_factory=dict)  # version 2: slug, notes, tags


@dataclass
class ParsedCitation:
    path: str
    source: tuple
    number: int
    excerpt: str
    start: int
    end: int
    details: dict = field(default_factory=dict)  # version 2: note, created_at, anchor


@dataclass
class ParsedClaim:
    path: str
    ref: tuple
    statement: str
    speaker: str
    claim_date: datetime.date | None
    status: str
    verdict: str
    tags: list
    citations: list
    relations: list  # (path, kind, target ref, note, created_at)
    # Version 2: slug, verdict_explanation, created_at, created_by, published_at, approved (the
    # approved version as in the document, or None), moderation (a list of event dicts).
    details: dict = field(default_factory=dict)


@dataclass
class ParsedDocument:
    set: dict | None
    sources: list
    claims: list
    publishers: list = field(default_factory=list)  # version 2: dicts of name, slug, homepage, time_zone
    speakers: list = field(default_factory=list)  # version 2: dicts of name, slug, kind, description
    sets: list | None = None  # version 2: dicts of title, slug, …, members [(path, claim ref, note)]
    format: str = ""

    @property
    def full(self):
        """Return True for a version 2 document: the whole record, restored as it stands."""
        return self.format == FULL_FORMAT
