"""Reading the claim-set JSON (``editorial.claimset/1``) back into the database: ``import_claims``.

``import_claims_file(path)`` / ``import_document(data)`` first check the whole document and report
every problem found, each with its JSON path (``$.claims[3].citations[0].start: …``) — malformed
JSON (with line and column), a wrong ``format``, unknown statuses, verdicts or relation kinds,
references to unknown source or claim ids, SHA-256 digests that do not match the revision text,
excerpts that are not at their offsets, revision numbers already taken by different text. Only a
document without problems is imported, in one transaction.

What is matched, so that importing the same file twice changes nothing:

* publishers by name (ignoring case); sources by URL, else by publisher and title (ignoring case;
  a source with another URL is another document); revisions of a source by SHA-256. A missing
  source is created with the file's metadata and bylines, a missing revision with the file's number.
  Sources that already exist keep their metadata.
* speakers by name; claims by statement and speaker; citations by revision and offsets; relations
  by both claims and kind; the claim set (``set``) by slug, its members appended in file order.

A claim is created with the file's claim date, verdict, tags and citations, then its status is
restored with ``Claim.restore_status`` (a ``restore`` event in the moderation log; a public status
gets an approved public version built from what was imported). A claim that already exists gets
what the file adds — a changed claim date or verdict, missing tags and citations — and its
status restored when it differs or when the claim changed while public.

Derived values in the file (``prefix``, ``suffix``, ``url`` of citations, ``exported_at``) are not
read; unknown keys are ignored; missing optional keys mean empty.
"""

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import Truncator

from editorial.exports.claimset import FORMAT
from editorial.models import (
    SET_DESCRIPTION_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ClaimSetMembership,
    ClaimStatus,
    RelationKind,
    Speaker,
    Verdict,
)
from editorial.workflow import PUBLIC_STATUSES, may_restore, status_label
from sources.models import Author, Byline, Publisher, Revision, Source, normalise_name, text_sha256, unique_slug
from sources.services import format_size
from sources.signals import revision_added
from sources.textutils import replace_unstorable, shown, unstorable_character

_SHA256 = re.compile(r"[0-9a-f]{64}")
TAG_MAX_LENGTH = 100  # taggit's Tag.name
CURATE_SET_PERMISSIONS = ("editorial.add_claimset", "editorial.change_claimset")


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


@dataclass
class ImportResult:
    """What an import did: counts by kind of change (``sources created``, ``claims matched`` …)."""

    counts: Counter = field(default_factory=Counter)
    # What the import left as it was and why, each at its JSON path (statuses a user without the
    # moderate permission stated, claims past draft that were not theirs to change).
    notices: list = field(default_factory=list)

    def __str__(self):
        order = [
            "sources created",
            "sources matched",
            "revisions created",
            "revisions matched",
            "claims created",
            "claims updated",
            "claims matched",
            "citations created",
            "relations created",
            "statuses restored",
            "claims imported as drafts",
            "claims left unchanged",
            "set members added",
        ]
        return ", ".join(f"{self.counts[name]} {name}" for name in order if self.counts[name]) or "nothing to import"

    @property
    def changed(self):
        """Return True when the import wrote anything."""
        return any(count for name, count in self.counts.items() if not name.endswith(("matched", "left unchanged")))


# Reading -----------------------------------------------------------------------------------------


def parse(data):
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


def _timestamp(value):
    return datetime.datetime.fromisoformat(value)


# Checking ----------------------------------------------------------------------------------------


class _Checker:
    """Collects the problems of a document, and what the import needs from it once it is valid."""

    def __init__(self):
        self.problems = []

    def add(self, path, message):
        self.problems.append(Problem(path, message))

    def get(self, data, key, path, kinds, *, required=False, default=None):
        """Return ``data[key]`` when it has one of the JSON ``kinds``; record a problem otherwise."""
        if key not in data or data[key] is None:
            if required:
                self.add(f"{path}.{key}", "missing")
            return default
        value = data[key]
        if not _is_kind(value, kinds):
            self.add(f"{path}.{key}", f"must be {' or '.join(kinds)}, not {_kind(value)}")
            return default
        # JSON spells NUL as \u0000 and a lone surrogate as \ud800; neither can be stored or hashed.
        if isinstance(value, str) and (problem := unstorable_character(value)):
            self.add(f"{path}.{key}", problem)
            return default
        return value

    def text(self, data, key, path, *, required=False, max_length=None, strip=False):
        found = len(self.problems)
        value = self.get(data, key, path, ["a string"], required=required, default="")
        if len(self.problems) > found and isinstance(data.get(key), str):
            return value  # refused for a NUL or a surrogate; "" would only add "must not be empty"
        if required and isinstance(value, str) and not value.strip():
            self.add(f"{path}.{key}", "must not be empty")
        if max_length and len(value) > max_length:
            self.add(f"{path}.{key}", f"longer than {max_length} characters ({len(value)})")
        return value.strip() if strip else value

    def timestamp(self, data, key, path, *, required=False):
        value = self.get(data, key, path, ["a string"], required=required)
        if value is None:
            return None
        try:
            parsed = _timestamp(value)
        except ValueError:
            self.add(f"{path}.{key}", f"“{shown(value)}” is not an ISO 8601 timestamp")
            return None
        if parsed.tzinfo is None:
            self.add(f"{path}.{key}", f"“{shown(value)}” has no UTC offset (write it as 2024-03-14T08:45:00+00:00)")
            return None
        return parsed

    def date(self, data, key, path):
        value = self.get(data, key, path, ["a string"])
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
        return self.get(data, key, path, ["a list"], default=[])

    def reference(self, data, key, path, *, required=True):
        """Return a document id (a string or a number), as a hashable key."""
        value = self.get(data, key, path, ["a string", "a number"], required=required)
        return None if value is None else _ref(value)


def _ref(value):
    return ("n", value) if isinstance(value, int | float) else ("s", value)


def _show(ref):
    return shown(json.dumps(ref[1], ensure_ascii=False))


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}[type(value)]


def _is_kind(value, kinds):
    checks = {
        "a string": lambda v: isinstance(v, str),
        "a number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "a whole number": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "a list": lambda v: isinstance(v, list),
        "an object": lambda v: isinstance(v, dict),
    }
    return any(checks[kind](value) for kind in kinds)


@dataclass
class _Revision:
    path: str
    number: int
    text: str | None  # None only in a document with problems
    sha256: str
    captured_at: datetime.datetime | None
    updated_at: datetime.datetime | None


@dataclass
class _Source:
    path: str
    ref: tuple
    fields: dict
    publisher: str
    authors: list
    revisions: dict  # number → _Revision


@dataclass
class _Citation:
    path: str
    source: tuple
    number: int
    excerpt: str
    start: int
    end: int


@dataclass
class _Claim:
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
class _Document:
    set: dict | None
    sources: list
    claims: list


def check(document):
    """Return ``(parsed, problems)``: the document read into plain records, and every problem in it."""
    checker = _Checker()
    if not isinstance(document, dict):
        checker.add("$", f"the document must be a JSON object, not {_kind(document)}")
        return None, checker.problems
    found = document.get("format")
    if found != FORMAT:
        described = "missing" if found is None else f"“{shown(found)}”" if isinstance(found, str) else _kind(found)
        checker.add("$.format", f"must be “{FORMAT}”, found {described}")

    claim_set = None
    if isinstance(document.get("set"), dict):
        data = document["set"]
        title = checker.text(data, "title", "$.set", required=True, max_length=200, strip=True)
        slug = checker.text(data, "slug", "$.set", max_length=200, strip=True)
        if slug and not re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
            checker.add("$.set.slug", f"“{shown(slug)}” is not a slug (letters, digits, - and _)")
        description = checker.text(data, "description", "$.set", max_length=SET_DESCRIPTION_MAX_LENGTH)
        claim_set = {"title": title, "slug": slug, "description": description}
    elif document.get("set") is not None:
        checker.add("$.set", f"must be an object or null, not {_kind(document['set'])}")

    sources = _check_sources(checker, checker.list(document, "sources", "$"))
    claims = _check_claims(checker, checker.list(document, "claims", "$"), {source.ref: source for source in sources})
    return _Document(claim_set, sources, claims), checker.problems


def _check_sources(checker, items):
    sources, seen_ids, seen_urls = [], {}, {}
    for index, data in enumerate(items):
        path = f"$.sources[{index}]"
        if not isinstance(data, dict):
            checker.add(path, f"must be an object, not {_kind(data)}")
            continue
        ref = checker.reference(data, "id", path)
        if ref is not None:
            if ref in seen_ids:
                checker.add(f"{path}.id", f"{_show(ref)} is already the id of {seen_ids[ref]}")
            seen_ids.setdefault(ref, path)
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
        publisher = checker.text(data, "publisher", path, max_length=200)
        publisher = " ".join(publisher.split())
        authors = []
        for position, author in enumerate(checker.list(data, "authors", path)):
            author_path = f"{path}.authors[{position}]"
            if not isinstance(author, dict):
                checker.add(author_path, f"must be an object, not {_kind(author)}")
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
            sources.append(_Source(path, ref, fields, publisher, authors, revisions))
    return sources


def _check_revision(checker, data, path):
    if not isinstance(data, dict):
        checker.add(path, f"must be an object, not {_kind(data)}")
        return None
    number = checker.get(data, "number", path, ["a whole number"], required=True)
    if number is not None and number < 1:
        checker.add(f"{path}.number", f"must be 1 or more, not {shown(number)}")
        number = None
    text = checker.get(data, "text", path, ["a string"], required=True)
    if text is not None and (size := len(text.encode("utf-8"))) > settings.IMPORT_MAX_BYTES:
        limit = format_size(settings.IMPORT_MAX_BYTES)
        checker.add(f"{path}.text", f"longer than the {limit} import limit ({format_size(size)} in UTF-8)")
        text = None
    sha256 = checker.text(data, "sha256", path)
    if text is not None and sha256:
        if not _SHA256.fullmatch(sha256):
            checker.add(f"{path}.sha256", "must be 64 lower-case hexadecimal digits")
        elif sha256 != text_sha256(text):
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
    return _Revision(path, number, text, text_sha256(text) if text is not None else "", captured_at, updated_at)


def _check_claims(checker, items, sources):
    claims, seen_ids, seen_statements = [], {}, {}
    for index, data in enumerate(items):
        path = f"$.claims[{index}]"
        if not isinstance(data, dict):
            checker.add(path, f"must be an object, not {_kind(data)}")
            continue
        ref = checker.reference(data, "id", path)
        if ref is not None:
            if ref in seen_ids:
                checker.add(f"{path}.id", f"{_show(ref)} is already the id of {seen_ids[ref]}")
            seen_ids.setdefault(ref, path)
        statement = checker.text(data, "statement", path, required=True, max_length=STATEMENT_MAX_LENGTH, strip=True)
        speaker = " ".join(checker.text(data, "speaker", path, max_length=200).split())
        key = (statement, speaker.casefold())
        if statement and key in seen_statements:
            checker.add(f"{path}.statement", f"the same statement and speaker as {seen_statements[key]}")
        seen_statements.setdefault(key, path)
        status = checker.text(data, "status", path) or ClaimStatus.DRAFT
        if status not in ClaimStatus.values:
            checker.add(
                f"{path}.status", f"unknown status “{shown(status)}”; statuses: {', '.join(ClaimStatus.values)}"
            )
        verdict = checker.text(data, "verdict", path)
        if verdict and verdict not in Verdict.values:
            checker.add(f"{path}.verdict", f"unknown verdict “{shown(verdict)}”; verdicts: {', '.join(Verdict.values)}")
        tags = []
        for position, tag in enumerate(checker.list(data, "tags", path)):
            if not isinstance(tag, str) or not tag.strip():
                checker.add(f"{path}.tags[{position}]", "must be a non-empty string")
            elif problem := unstorable_character(tag):
                checker.add(f"{path}.tags[{position}]", problem)
            elif len(tag) > TAG_MAX_LENGTH:
                checker.add(f"{path}.tags[{position}]", f"longer than {TAG_MAX_LENGTH} characters ({len(tag)})")
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
            if not isinstance(relation, dict):
                checker.add(relation_path, f"must be an object, not {_kind(relation)}")
                continue
            kind = checker.text(relation, "kind", relation_path, required=True)
            if kind and kind not in RelationKind.values:
                checker.add(
                    f"{relation_path}.kind",
                    f"unknown relation “{shown(kind)}”; relations: {', '.join(RelationKind.values)}",
                )
            target = checker.reference(relation, "claim", relation_path)
            if target is not None:
                relations.append((relation_path, kind, target))
        if ref is not None:
            claims.append(
                _Claim(
                    path,
                    ref,
                    statement,
                    speaker,
                    checker.date(data, "claim_date", path),
                    status,
                    verdict,
                    tags,
                    citations,
                    relations,
                )
            )
    known = {claim.ref for claim in claims}
    for claim in claims:
        for relation_path, _, target in claim.relations:
            if target not in known:
                checker.add(f"{relation_path}.claim", f"no claim has the id {_show(target)}")
            elif target == claim.ref:
                checker.add(f"{relation_path}.claim", "a claim cannot be related to itself")
    return claims


def _check_citation(checker, data, path, sources):
    if not isinstance(data, dict):
        checker.add(path, f"must be an object, not {_kind(data)}")
        return None
    ref = checker.reference(data, "source", path)
    number = checker.get(data, "revision", path, ["a whole number"], required=True)
    excerpt = checker.get(data, "excerpt", path, ["a string"], required=True)
    start = checker.get(data, "start", path, ["a whole number"], required=True)
    end = checker.get(data, "end", path, ["a whole number"], required=True)
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
    return _Citation(path, ref, number, excerpt, start, end)


# Matching against the database -------------------------------------------------------------------


def _find_publisher(name):
    return Publisher.objects.filter(name__iexact=name).order_by("pk").first() if name else None


def _match_source(source):
    """Return the stored source ``source`` (a ``_Source``) is, or ``None`` (see the module docstring)."""
    url = source.fields["url"]
    if url and (found := Source.objects.filter(url=url).first()):
        return found
    publisher = _find_publisher(source.publisher)
    if source.publisher and publisher is None:
        return None
    candidates = Source.objects.filter(publisher=publisher, title__iexact=source.fields["title"])
    if url:
        candidates = candidates.filter(url="")
    return candidates.order_by("pk").first()


def _check_against_database(document):
    """Return the problems that only the database reveals: revision numbers taken by other text."""
    problems = []
    for source in document.sources:
        stored = _match_source(source)
        if stored is None:
            continue
        by_number = dict(stored.revisions.values_list("number", "sha256"))
        hashes = set(by_number.values())
        for number, revision in source.revisions.items():
            if revision.sha256 in hashes:
                continue
            if number in by_number:
                problems.append(
                    Problem(
                        f"{revision.path}.number",
                        f"revision {number} of the stored source “{Truncator(stored.title).chars(60)}” holds "
                        f"different text (SHA-256 {by_number[number][:12]}…, the file's is "
                        f"{revision.sha256[:12]}…); a source's revisions cannot be changed",
                    )
                )
    return problems


# Importing ---------------------------------------------------------------------------------------


def import_claims_file(path, *, user=None, operator=""):
    """Import the claim-set JSON file at ``path``; see ``import_document``."""
    # A file name that is not UTF-8 holds surrogates; the moderation notes record it readably.
    origin = replace_unstorable(str(path))
    return import_document(Path(path).read_bytes(), user=user, operator=operator, origin=origin)


def import_document(data, *, user=None, operator="", origin=""):
    """Check the claim-set JSON ``data`` (bytes, str or the parsed document) and import it.

    Raises ``InvalidClaimSet`` listing every problem, with nothing imported, when the document has
    any. Otherwise imports it in one transaction and returns an ``ImportResult``. ``user`` is
    recorded on the moderation events and revisions; ``origin`` (the file name) in their notes.

    Who imports decides what statuses do (``workflow.may_restore``): a moderator, or the
    command-line ``operator`` (named, acting without an account), restores them as the document
    states. Anyone else brings new claims in as drafts and leaves claims that have left draft
    as they are; each status or change not applied is listed in ``ImportResult.notices`` with its
    JSON path, and logged as an ``import`` event naming the user.
    """
    document = parse(data) if isinstance(data, bytes | str) else data
    parsed, problems = check(document)
    if problems:
        raise InvalidClaimSet(problems)
    with transaction.atomic():
        problems = _check_against_database(parsed)
        if problems:
            raise InvalidClaimSet(problems)
        return _import(parsed, user=user, operator=operator, origin=origin)


def _import(document, *, user, operator, origin):
    result = ImportResult()
    counts = result.counts
    restore = may_restore(user, operator=operator)
    revisions = {}  # (source ref, number in the file) → Revision
    for source in document.sources:
        stored = _import_source(source, counts)
        revisions.update(_import_revisions(source, stored, counts, user=user, origin=origin))

    claims = {}
    for claim in document.claims:
        claims[claim.ref] = _import_claim(
            claim, revisions, result, user=user, operator=operator, restore=restore, origin=origin
        )

    for claim in document.claims:
        for _, kind, target in claim.relations:
            _, created = ClaimRelation.objects.get_or_create(
                from_claim=claims[claim.ref], to_claim=claims[target], kind=kind
            )
            counts["relations created"] += created

    if document.set is not None:
        if operator or (user is not None and user.has_perms(CURATE_SET_PERMISSIONS)):
            _import_set(document.set, [claims[claim.ref] for claim in document.claims], counts, user=user)
        else:
            result.notices.append(Problem("$.set", "not imported: you do not have permission to curate claim sets"))
    return result


def _import_source(source, counts):
    stored = _match_source(source)
    if stored is not None:
        counts["sources matched"] += 1
        return stored
    publisher = None
    if source.publisher:
        publisher = _find_publisher(source.publisher)
        if publisher is None:
            publisher = Publisher(name=source.publisher)
            publisher.full_clean(exclude=["slug"])
            publisher.save()
    stored = Source(publisher=publisher, **source.fields)
    stored.full_clean(exclude=["current_revision", "slug"])
    stored.save()
    seen = set()
    for name, location in source.authors:
        key = normalise_name(name)
        author = Author.objects.filter(normalised_name=key).first() or Author.objects.create(name=name)
        if author.pk in seen:
            continue
        seen.add(author.pk)
        Byline.objects.create(source=stored, author=author, position=len(seen), location=location)
    counts["sources created"] += 1
    return stored


def _import_revisions(source, stored, counts, *, user, origin):
    """Create the source's missing revisions; return ``{(source ref, number): Revision}``."""
    existing = {revision.sha256: revision for revision in stored.revisions.defer("original", "text")}
    previous = stored.current_revision
    newest_before = stored.revisions.aggregate(last=Max("number"))["last"] or 0
    found = {}
    for number in sorted(source.revisions):
        revision = source.revisions[number]
        match = existing.get(revision.sha256)
        if match is not None:
            counts["revisions matched"] += 1
        else:
            match = Revision(
                source=stored,
                number=number,
                text=revision.text,
                publisher_updated_at=revision.updated_at,
                title=stored.title,
                byline=stored.byline,
                captured_by=user,
                origin=origin[:1000],
                format="claimset",
                encoding="utf-8",
            )
            if revision.captured_at is not None:
                match.captured_at = revision.captured_at
            match.full_clean(exclude=["sha256", "captured_by"])
            match.save()
            existing[match.sha256] = match
            counts["revisions created"] += 1
        found[(source.ref, number)] = match
    newest = stored.revisions.defer("original").order_by("-number").first()
    if newest is not None and newest.pk != stored.current_revision_id:
        stored.current_revision = newest
        stored.save(update_fields=["current_revision", "modified_at"])
        if newest_before and newest.number > newest_before:
            # Citations of the older revisions are re-anchored against the new newest one.
            revision_added.send(sender=Revision, revision=newest, previous=previous)
    return found


def _speaker(name):
    if not name:
        return None
    speaker = Speaker.objects.filter(name__iexact=name).order_by("pk").first()
    if speaker is None:
        speaker = Speaker(name=name)
        speaker.full_clean(exclude=["slug"])
        speaker.save()
    return speaker


def _import_claim(claim, revisions, result, *, user, operator, restore, origin):
    counts = result.counts
    speaker = _speaker(claim.speaker)
    stored = Claim.objects.filter(statement=claim.statement, speaker=speaker).order_by("pk").first()
    created = stored is None
    if created:
        stored = Claim(
            statement=claim.statement,
            speaker=speaker,
            claim_date=claim.claim_date,
            verdict=claim.verdict,
            created_by=user,
        )
        stored.full_clean(exclude=["slug", "created_by"])
        stored.save()
        updates, missing_tags = [], claim.tags
    else:
        updates = [
            name
            for name, value in (("claim_date", claim.claim_date), ("verdict", claim.verdict))
            if getattr(stored, name) != value
        ]
        present = {name.casefold() for name in stored.tags.names()}
        missing_tags = [tag for tag in claim.tags if tag.casefold() not in present]
    cited = set() if created else set(stored.citations.values_list("revision_id", "start", "end"))
    new_citations = [
        citation
        for citation in claim.citations
        if (revisions[(citation.source, citation.number)].pk, citation.start, citation.end) not in cited
    ]

    if not restore and not created and stored.status != ClaimStatus.DRAFT:
        # Past draft, a claim changes only through moderation: leave it, say so and log who tried.
        if stored.status != claim.status or updates or missing_tags or new_citations:
            message = (
                f"matches a claim that is {status_label(stored.status)}; the document's status and changes "
                "were not applied: only a moderator may change a claim once it has left draft"
            )
            result.notices.append(Problem(claim.path, message))
            stored.record_import(user=user, stated_status=claim.status, note=_import_note(origin, user, message))
            counts["claims left unchanged"] += 1
        else:
            counts["claims matched"] += 1
        return stored

    for name in updates:
        setattr(stored, name, getattr(claim, name))
    if updates:
        stored.save(update_fields=[*updates, "modified_at"])
    if missing_tags:
        stored.tags.add(*missing_tags)
    for citation in new_citations:
        revision = revisions[(citation.source, citation.number)]
        Citation(
            claim=stored, revision=revision, excerpt=citation.excerpt, start=citation.start, end=citation.end
        ).save()
        counts["citations created"] += 1
    changed = bool(not created and (updates or missing_tags or new_citations))

    if restore:
        # A public claim that changed needs its approved public version rebuilt: restoring does that.
        if created or stored.status != claim.status or (changed and stored.status in PUBLIC_STATUSES):
            stored.restore_status(claim.status, user=user, operator=operator, note=_import_note(origin))
            counts["statuses restored"] += 1
    elif created or stored.status != claim.status:
        message = ""
        if claim.status != ClaimStatus.DRAFT:
            message = f"“{claim.status}” not restored: only a moderator may restore a status; imported as a draft"
            result.notices.append(Problem(f"{claim.path}.status", message))
        stored.record_import(user=user, stated_status=claim.status, note=_import_note(origin, user, message))
        counts["claims imported as drafts"] += 1
    if created:
        counts["claims created"] += 1
    elif changed:
        counts["claims updated"] += 1
    else:
        counts["claims matched"] += 1
    return stored


def _import_note(origin, user=None, message=""):
    """Return the moderation note of an imported claim: the file, who imported it, what was refused."""
    note = f"Imported from {origin}" if origin else "Imported"
    if user is not None:
        note += f" by {user.get_username()}"
    return f"{note}: {message}." if message else f"{note}."


def _import_set(data, claims, counts, *, user):
    claim_set = ClaimSet.objects.filter(slug=data["slug"]).first() if data["slug"] else None
    if claim_set is None:
        claim_set = ClaimSet(title=data["title"], slug=data["slug"] or unique_slug(ClaimSet, data["title"]))
        claim_set.description = data["description"]
        claim_set.curator = user
        claim_set.full_clean()
        claim_set.save()
    members = set(claim_set.memberships.values_list("claim_id", flat=True))
    position = claim_set.memberships.aggregate(last=Max("position"))["last"] or 0
    for claim in claims:
        if claim.pk in members:
            continue
        position += 1
        ClaimSetMembership.objects.create(claim_set=claim_set, claim=claim, position=position)
        members.add(claim.pk)
        counts["set members added"] += 1


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back, carrying its result."""

    def __init__(self, result):
        self.result = result


PROBLEMS_SHOWN = 10
ADD_CLAIM_PERMISSION = "editorial.add_claim"


def import_sources_bundle(data, filename, *, user=None, operator="", dry_run=False):
    """Import a claim-set JSON file for ``import_sources`` (registered as its ``claimset`` format).

    Returns ``(changed, title, summary, warnings)``, the warnings being the import's notices (statuses
    not restored, with their JSON paths). Raises ``ImportProblem`` naming the first problems when the
    document is refused, having written nothing, and when ``user`` may not add claims (the admin's
    source upload is open to anyone who may capture sources). A dry run imports inside a transaction
    that is rolled back, so its summary counts are exactly what a real run would do.
    """
    from sources.importers import ImportProblem

    if not operator and (user is None or not user.has_perm(ADD_CLAIM_PERMISSION)):
        raise ImportProblem(
            "claim-set JSON brings in claims, and you do not have permission to add claims (ask for the Editors group)"
        )
    try:
        if dry_run:
            try:
                with transaction.atomic():
                    raise _DryRun(import_document(data, user=user, operator=operator, origin=filename))
            except _DryRun as rolled_back:
                result = rolled_back.result
        else:
            result = import_document(data, user=user, operator=operator, origin=filename)
    except InvalidClaimSet as invalid:
        shown = "; ".join(str(problem) for problem in invalid.problems[:PROBLEMS_SHOWN])
        more = len(invalid.problems) - PROBLEMS_SHOWN
        raise ImportProblem(
            f"invalid claim-set JSON: {shown}" + (f"; and {more} more (run import_claims for all)" if more > 0 else "")
        ) from None
    document = parse(data)
    claim_set = document.get("set") if isinstance(document, dict) else None
    title = (claim_set or {}).get("title") or "claim-set JSON"
    return result.changed, title, str(result), [str(notice) for notice in result.notices]
