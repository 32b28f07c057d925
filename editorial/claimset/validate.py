"""Checking a claim-set JSON document (``editorial.claimset/2`` or ``/1``) before anything is imported.

``check(document)`` reports every problem, each with its JSON path (``$.claims[3].citations[0].start``),
in document order, and reads a valid document into plain records for the importer.

The document's structure — keys, types, required keys, enumerations, patterns — is the JSON Schema
next to this module (``schema.json``, draft 2020-12); ``schema.py`` turns each of its errors into
our own message. What the schema cannot say is checked here, in code: lengths, values that must
not be empty, NUL characters and unpaired surrogates, timestamps and dates, addresses, SHA-256
digests against the text, duplicate and unknown ids, excerpts against their offsets.

The checks walk the document in its order; at each value they report the schema's problems with
it first, then their own, and a value with a problem is not checked further (a wrong type is not
also "too long"). The checker and the records are in ``parsed.py``; ``docs/claimset.md``
describes the format.
"""

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ValidationError

from editorial.claimset.parsed import (  # noqa: F401 (Problem, InvalidClaimSet, parse and ref_key are read from here)
    InvalidClaimSet,
    ParsedCitation,
    ParsedClaim,
    ParsedDocument,
    ParsedRevision,
    ParsedSource,
    Problem,
    _Checker,
    _show,
    parse,
    ref_key,
)
from editorial.exports.claimset import REVISION_EXTRA
from editorial.models import SET_DESCRIPTION_MAX_LENGTH, STATEMENT_MAX_LENGTH, ClaimStatus
from sources.models import Source, text_sha256
from sources.services import format_size
from sources.textutils import shown, unstorable_character

TAG_MAX_LENGTH = 100  # taggit's Tag.name


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
    parsed = ParsedDocument(claim_set, sources, claims, format=document.get("format"))
    parsed.publishers = _check_named(checker, document, "publishers", 200, _PUBLISHER_FIELDS)
    parsed.speakers = _check_named(checker, document, "speakers", 200, _SPEAKER_FIELDS)
    if document.get("sets") is not None:
        parsed.sets = _check_sets(checker, checker.list(document, "sets", "$"), {claim.ref for claim in claims})
    checker.leftovers()
    return parsed, checker.problems


_PUBLISHER_FIELDS = {"slug": 200, "homepage": 500, "time_zone": 64}
_SPEAKER_FIELDS = {"slug": 200, "kind": 20, "description": 300}


def _check_named(checker, document, key, name_length, fields):
    """Return the ``publishers`` or ``speakers`` of a version 2 document as dicts; names are unique."""
    found, seen = [], {}
    for index, data in enumerate(checker.list(document, key, "$")):
        path = f"$.{key}[{index}]"
        if checker.report(path):
            continue
        name = " ".join(checker.text(data, "name", path, required=True, max_length=name_length).split())
        values = {"path": path, "name": name}
        for field_name, length in fields.items():
            values[field_name] = checker.text(data, field_name, path, max_length=length, strip=True)
        values["created_at"] = checker.timestamp(data, "created_at", path)
        if not name:
            continue
        if name.casefold() in seen:
            checker.add(f"{path}.name", f"the same name as {seen[name.casefold()]}")
            continue
        seen[name.casefold()] = path
        found.append(values)
    return found


def _check_sets(checker, items, claims):
    sets, seen = [], {}
    for index, data in enumerate(items):
        path = f"$.sets[{index}]"
        if checker.report(path):
            continue
        values = {
            "path": path,
            "title": checker.text(data, "title", path, required=True, max_length=200, strip=True),
            "slug": checker.text(data, "slug", path, max_length=200, strip=True),
            "description": checker.text(data, "description", path, max_length=SET_DESCRIPTION_MAX_LENGTH),
            "public": bool(checker.get(data, "public", path, default=False)),
            "curator": checker.text(data, "curator", path, max_length=150) or None,
            "created_at": checker.timestamp(data, "created_at", path),
            "members": [],
        }
        if values["slug"]:
            if values["slug"] in seen:
                checker.add(f"{path}.slug", f"the same slug as {seen[values['slug']]}")
            seen.setdefault(values["slug"], path)
        members = set()
        for position, member in enumerate(checker.list(data, "members", path)):
            member_path = f"{path}.members[{position}]"
            if checker.report(member_path):
                continue
            ref = checker.reference(member, "claim", member_path)
            note = checker.text(member, "note", member_path)
            if ref is None:
                continue
            if ref not in claims:
                checker.add(f"{member_path}.claim", f"no claim has the id {_show(ref)}")
            elif ref in members:
                checker.add(f"{member_path}.claim", "the claim is already a member of the set")
            else:
                members.add(ref)
                values["members"].append((member_path, ref, note))
        sets.append(values)
    return sets


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
        details = {
            "slug": checker.text(data, "slug", path, max_length=200, strip=True),
            "notes": checker.text(data, "notes", path),
            "tags": _check_tags(checker, data, path),
            "created_at": checker.timestamp(data, "created_at", path),
            "history": _check_source_history(checker, data, path),
        }
        if ref is not None:
            sources.append(ParsedSource(path, ref, fields, publisher, authors, revisions, details))
    return sources


def _check_source_history(checker, data, path):
    """Return a version 2 source's history rows as dicts (timestamps read), in document order."""
    rows = []
    for index, row in enumerate(checker.list(data, "history", path)):
        at = f"{path}.history[{index}]"
        if checker.report(at):
            continue
        values = {"type": checker.text(row, "type", at, required=True), "at": checker.timestamp(row, "at", at)}
        if values["at"] is None and row.get("at") is None:
            checker.add(f"{at}.at", "missing")
        values |= {
            "user": checker.text(row, "user", at, max_length=150) or None,
            "reason": checker.get(row, "reason", at),
            "title": checker.text(row, "title", at, max_length=500),
            "publisher": " ".join(checker.text(row, "publisher", at, max_length=200).split()),
            "section": checker.text(row, "section", at, max_length=200),
            "url": checker.text(row, "url", at, max_length=1000),
            "language": checker.text(row, "language", at, max_length=35),
            "byline": checker.text(row, "byline", at, max_length=500),
            "published_at": checker.timestamp(row, "published_at", at),
            "updated_at": checker.timestamp(row, "updated_at", at),
        }
        rows.append(values)
    return rows


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
    details = {
        "title": checker.text(data, "title", path, max_length=500),
        "byline": checker.text(data, "byline", path, max_length=500),
        "captured_by": checker.text(data, "captured_by", path, max_length=150) or None,
        "origin": checker.text(data, "origin", path, max_length=1000),
        "format": checker.text(data, "format", path, max_length=20),
        "encoding": checker.text(data, "encoding", path, max_length=40),
        "original": None,
    }
    if "encoding_confidence" in REVISION_EXTRA:
        confidence = checker.get(data, "encoding_confidence", path)
        if confidence is not None and not 0 <= confidence <= 1:
            checker.add(f"{path}.encoding_confidence", f"must be from 0 to 1, not {shown(confidence)}")
            confidence = None
        details["encoding_confidence"] = confidence
    if "reason" in REVISION_EXTRA:
        details["reason"] = checker.text(data, "reason", path, max_length=500)
    original = checker.get(data, "original", path)
    if original is not None:
        try:
            details["original"] = base64.b64decode(original, validate=True)
        except (binascii.Error, ValueError):
            checker.add(f"{path}.original", "is not base64 (RFC 4648, with its padding)")
    if number is None:
        return None
    # Kept without its text when that is missing, so that citations of it are not reported too.
    sha256 = text_sha256(text) if text is not None else ""
    return ParsedRevision(path, number, text, sha256, captured_at, updated_at, details)


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
        details = {
            "slug": checker.text(data, "slug", path, max_length=80, strip=True),
            "verdict_explanation": checker.text(data, "verdict_explanation", path, max_length=1000),
        }
        tags = _check_tags(checker, data, path)
        details |= {
            "created_at": checker.timestamp(data, "created_at", path),
            "created_by": checker.text(data, "created_by", path, max_length=150) or None,
            "published_at": checker.timestamp(data, "published_at", path),
        }
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
            note = checker.text(relation, "note", relation_path)
            created_at = checker.timestamp(relation, "created_at", relation_path)
            if target is not None:
                relations.append((relation_path, kind, target, note, created_at))
        claim_date = checker.date(data, "claim_date", path)
        details["approved"] = _check_approved(checker, data, "approved", path, sources)
        details["moderation"] = _check_events(checker, data, path, sources)
        if ref is not None:
            claim = ParsedClaim(path, ref, statement, speaker, claim_date, status, verdict, tags, citations, relations)
            claim.details = details
            claims.append(claim)
    known = {claim.ref for claim in claims}
    for claim in claims:
        for relation_path, _, target, *_ in claim.relations:
            if target not in known:
                checker.add(f"{relation_path}.claim", f"no claim has the id {_show(target)}")
            elif target == claim.ref:
                checker.add(f"{relation_path}.claim", "a claim cannot be related to itself")
    return claims


def _check_tags(checker, data, path):
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
    return tags


def _check_events(checker, data, path, sources):
    events = []
    for index, event in enumerate(checker.list(data, "moderation", path)):
        event_path = f"{path}.moderation[{index}]"
        if checker.report(event_path):
            continue
        values = {
            "path": event_path,
            "action": checker.text(event, "action", event_path, required=True),
            "from_status": checker.text(event, "from_status", event_path),
            "to_status": checker.text(event, "to_status", event_path, required=True),
            "at": checker.timestamp(event, "at", event_path),
            "actor": checker.text(event, "actor", event_path, max_length=150),
            "note": checker.text(event, "note", event_path),
        }
        if values["at"] is None and event.get("at") is None:
            checker.add(f"{event_path}.at", "missing")
        values["approved"] = _check_approved(checker, event, "approved", event_path, sources)
        events.append(values)
    return events


def _check_approved(checker, data, key, path, sources):
    """Check an approved public version (its citations' sources, revisions and excerpts); return it or None."""
    version = checker.get(data, key, path)
    at = f"{path}.{key}"
    if not isinstance(version, dict) or checker.report(at):
        return None
    problems = len(checker.problems)
    for index, cited in enumerate(version.get("citations") or ()):
        cited_path = f"{at}.citations[{index}]"
        if checker.report(cited_path) or not isinstance(cited, dict):
            continue
        _check_citation(checker, cited, cited_path, sources)
    if isinstance(version.get("approved_at"), str):
        checker.timestamp(version, "approved_at", at)
    return version if len(checker.problems) == problems else None


def _check_citation(checker, data, path, sources):
    if checker.report(path):
        return None
    ref = checker.reference(data, "source", path)
    number = checker.get(data, "revision", path)
    excerpt = checker.get(data, "excerpt", path)
    start = checker.get(data, "start", path)
    end = checker.get(data, "end", path)
    details = {
        "note": checker.text(data, "note", path),
        "created_at": checker.timestamp(data, "created_at", path),
        "anchor": _check_anchor(checker, data, path),
    }
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
    return ParsedCitation(path, ref, number, excerpt, start, end, details)


def _check_anchor(checker, data, path):
    anchor = checker.get(data, "anchor", path)
    if not isinstance(anchor, dict):
        return None
    at = f"{path}.anchor"
    values = {key: checker.get(anchor, key, at) for key in ("state", "revision", "start", "end", "score")}
    values["checked_at"] = checker.timestamp(anchor, "checked_at", at)
    return values
