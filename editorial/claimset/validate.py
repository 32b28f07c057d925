"""Checking a claim-set JSON document (``editorial.claimset/1``) before anything is imported.

``check(document)`` reports every problem, each with its JSON path (``$.claims[3].citations[0].start``),
in document order, and reads a valid document into plain records for the importer.

The document's structure — keys, types, required keys, enumerations, patterns — is the JSON Schema
next to this module (``schema.json``, draft 2020-12); ``schema.py`` turns each of its errors into
our own message. What the schema cannot say is checked here, in code: lengths, values that must
not be empty, NUL characters and unpaired surrogates, timestamps and dates, addresses, SHA-256
digests against the text, duplicate and unknown ids, excerpts against their offsets.

The checks walk the document in its order; at each value they report the schema's problems with
it first, then their own, and a value with a problem is not checked further (a wrong type is not
also "too long"). ``docs/claimset.md`` describes the format.
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from editorial.claimset.schema import schema_problems
from editorial.models import SET_DESCRIPTION_MAX_LENGTH, STATEMENT_MAX_LENGTH, ClaimStatus
from sources.models import Source, text_sha256
from sources.services import format_size
from sources.textutils import shown, unstorable_character

TAG_MAX_LENGTH = 100  # taggit's Tag.name


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
        return None if value is None else _ref(value)

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


def _ref(value):
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


@dataclass
class ParsedSource:
    path: str
    ref: tuple
    fields: dict  # title, url, section, byline, language, published_at, updated_at
    publisher: str
    authors: list  # (name, location)
    revisions: dict  # number → ParsedRevision


@dataclass
class ParsedCitation:
    path: str
    source: tuple
    number: int
    excerpt: str
    start: int
    end: int


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
    relations: list  # (path, kind, target ref)


@dataclass
class ParsedDocument:
    set: dict | None
    sources: list
    claims: list


def check(document) -> tuple[ParsedDocument | None, list[Problem]]:
    """Return ``(parsed, problems)``: the document read into plain records, and every problem in it."""
    checker = _Checker(document)
    if checker.report("$"):
        return None, checker.problems
    checker.report("$.format")

    claim_set = None
    if not checker.report("$.set") and isinstance(document.get("set"), dict):
        data = document["set"]
        title = checker.text(data, "title", "$.set", required=True, max_length=200, strip=True)
        slug = checker.text(data, "slug", "$.set", max_length=200, strip=True)
        description = checker.text(data, "description", "$.set", max_length=SET_DESCRIPTION_MAX_LENGTH)
        claim_set = {"title": title, "slug": slug, "description": description}

    sources = _check_sources(checker, checker.list(document, "sources", "$"))
    claims = _check_claims(checker, checker.list(document, "claims", "$"), {source.ref: source for source in sources})
    checker.leftovers()
    return ParsedDocument(claim_set, sources, claims), checker.problems


def _check_sources(checker, items):
    sources, seen_ids, seen_urls = [], {}, {}
    for index, data in enumerate(items):
        path = f"$.sources[{index}]"
        if checker.report(path):
            continue
        ref = checker.unique_id(data, path, seen_ids)
        fields = {
            "title": checker.text(data, "title", path, required=True, max_length=500, strip=True),
            "url": checker.text(data, "url", path, max_length=1000, strip=True),
            "section": checker.text(data, "section", path, max_length=200),
            "byline": checker.text(data, "byline", path, max_length=500),
            "language": checker.text(data, "language", path, max_length=35),
            "published_at": checker.timestamp(data, "published_at", path),
            "updated_at": checker.timestamp(data, "updated_at", path),
        }
        if fields["url"]:
            try:
                Source._meta.get_field("url").run_validators(fields["url"])
            except ValidationError as error:
                checker.add(f"{path}.url", " ".join(error.messages))
            if fields["url"] in seen_urls:
                checker.add(f"{path}.url", f"the same address as {seen_urls[fields['url']]}")
            seen_urls.setdefault(fields["url"], path)
        publisher = " ".join(checker.text(data, "publisher", path, max_length=200).split())
        authors = []
        for position, author in enumerate(checker.list(data, "authors", path)):
            author_path = f"{path}.authors[{position}]"
            if checker.report(author_path):
                continue
            name = checker.text(author, "name", author_path, required=True, max_length=200, strip=True)
            location = checker.text(author, "location", author_path, max_length=200, strip=True)
            if name.strip():
                authors.append((name, location))
        revisions = {}
        for position, revision in enumerate(checker.list(data, "revisions", path)):
            checked = _check_revision(checker, revision, f"{path}.revisions[{position}]")
            if checked is None:
                continue
            if checked.number in revisions:
                checker.add(f"{checked.path}.number", f"revision {shown(checked.number)} is listed twice")
                continue
            revisions[checked.number] = checked
        if ref is not None:
            sources.append(ParsedSource(path, ref, fields, publisher, authors, revisions))
    return sources


def _check_revision(checker, data, path):
    if checker.report(path):
        return None
    number = checker.get(data, "number", path)
    text = checker.get(data, "text", path)
    if text is not None and (size := len(text.encode("utf-8"))) > settings.IMPORT_MAX_BYTES:
        limit = format_size(settings.IMPORT_MAX_BYTES)
        checker.add(f"{path}.text", f"longer than the {limit} import limit ({format_size(size)} in UTF-8)")
        text = None
    sha256 = checker.text(data, "sha256", path, check_value=text is not None)  # a digest of no text is not read
    if text is not None and sha256 and sha256 != text_sha256(text):
        checker.add(
            f"{path}.sha256",
            f"does not match the revision text, whose SHA-256 is {text_sha256(text)} "
            "(the text was changed, or the digest belongs to another text)",
        )
    captured_at = checker.timestamp(data, "captured_at", path)
    updated_at = checker.timestamp(data, "updated_at", path)
    if number is None:
        return None
    # Kept without its text when that is missing, so that citations of it are not reported too.
    return ParsedRevision(path, number, text, text_sha256(text) if text is not None else "", captured_at, updated_at)


def _check_claims(checker, items, sources):
    claims, seen_ids, seen_statements = [], {}, {}
    for index, data in enumerate(items):
        path = f"$.claims[{index}]"
        if checker.report(path):
            continue
        ref = checker.unique_id(data, path, seen_ids)
        statement = checker.text(data, "statement", path, required=True, max_length=STATEMENT_MAX_LENGTH, strip=True)
        speaker = " ".join(checker.text(data, "speaker", path, max_length=200).split())
        key = (statement, speaker.casefold())
        if statement and key in seen_statements:
            checker.add(f"{path}.statement", f"the same statement and speaker as {seen_statements[key]}")
        seen_statements.setdefault(key, path)
        status = checker.text(data, "status", path) or ClaimStatus.DRAFT
        verdict = checker.text(data, "verdict", path)
        tags = []
        for position, tag in enumerate(checker.list(data, "tags", path)):
            tag_path = f"{path}.tags[{position}]"
            if checker.report(tag_path):
                continue
            if not tag.strip():
                checker.add(tag_path, "must be a non-empty string")
            elif problem := unstorable_character(tag):
                checker.add(tag_path, problem)
            elif len(tag) > TAG_MAX_LENGTH:
                checker.add(tag_path, f"longer than {TAG_MAX_LENGTH} characters ({len(tag)})")
            else:
                tags.append(tag.strip())
        citations = []
        for position, citation in enumerate(checker.list(data, "citations", path)):
            checked = _check_citation(checker, citation, f"{path}.citations[{position}]", sources)
            if checked is not None:
                citations.append(checked)
        relations = []
        for position, relation in enumerate(checker.list(data, "relations", path)):
            relation_path = f"{path}.relations[{position}]"
            if checker.report(relation_path):
                continue
            kind = checker.text(relation, "kind", relation_path, required=True)
            target = checker.reference(relation, "claim", relation_path)
            if target is not None:
                relations.append((relation_path, kind, target))
        claim_date = checker.date(data, "claim_date", path)
        if ref is not None:
            claim = ParsedClaim(path, ref, statement, speaker, claim_date, status, verdict, tags, citations, relations)
            claims.append(claim)
    known = {claim.ref for claim in claims}
    for claim in claims:
        for relation_path, _, target in claim.relations:
            if target not in known:
                checker.add(f"{relation_path}.claim", f"no claim has the id {_show(target)}")
            elif target == claim.ref:
                checker.add(f"{relation_path}.claim", "a claim cannot be related to itself")
    return claims


def _check_citation(checker, data, path, sources):
    if checker.report(path):
        return None
    ref = checker.reference(data, "source", path)
    number = checker.get(data, "revision", path)
    excerpt = checker.get(data, "excerpt", path)
    start = checker.get(data, "start", path)
    end = checker.get(data, "end", path)
    if ref is None:
        return None
    source = sources.get(ref)
    if source is None:
        checker.add(f"{path}.source", f"no source has the id {_show(ref)}")
        return None
    if number is None:
        return None
    revision = source.revisions.get(number)
    if revision is None:
        listed = shown(", ".join(str(n) for n in sorted(source.revisions))) or "none"
        checker.add(f"{path}.revision", f"source {_show(ref)} has no revision {shown(number)} (it has: {listed})")
        return None
    if excerpt is None or start is None or end is None or revision.text is None:
        return None
    if not excerpt.strip():
        checker.add(f"{path}.excerpt", "must not be empty")
        return None
    if not 0 <= start < end <= len(revision.text):
        checker.add(
            f"{path}.start",
            f"offsets {shown(start)}–{shown(end)} do not fit revision {number}, which has "
            f"{len(revision.text)} characters (code points; the end must come after the start)",
        )
        return None
    held = revision.text[start:end]
    if held != excerpt:
        checker.add(
            f"{path}.start",
            f"excerpt not at its offsets: the text at {start}–{end} is “{shown(held, 60)}”, "
            f"the excerpt is “{shown(excerpt, 60)}”",
        )
        return None
    return ParsedCitation(path, ref, number, excerpt, start, end)
