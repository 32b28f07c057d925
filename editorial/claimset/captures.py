"""Capturing a claim-set document's sources and revisions, through the sources app's capture API.

New sources are created in bulk (``sources.services.create_sources``) with all their revisions; a
stored source gains the revisions it lacks one by one (``capture_revision``, which re-anchors the
citations of older revisions). A version 2 document's sources keep their own details (``full``).
"""

from editorial.claimset import full
from editorial.claimset.bulk import revisions_of
from sources.services import NewSource, capture_revision, create_sources

CAPTURED_AS = {"format": "claimset", "encoding": "utf-8"}  # how the revisions' text was read


def write_sources(decision, *, user, origin):
    """Create the sources and capture the revisions ``decision`` holds.

    Returns ``(revisions, newest)``: ``{(source ref, number in the file): Revision}``, each revision's
    text set from the document (the same text, by its SHA-256) rather than read back, and
    ``{source pk: its current revision}``.
    """
    revisions, newest = {}, {}
    created = [step for step in decision.sources if step.create]  # in bulk, with all their revisions
    new = [new_source(step.source, users=decision.users if decision.full else None) for step in created]
    for step, stored in zip(created, create_sources(new, user=user, origin=origin, **CAPTURED_AS), strict=True):
        step.planned.source = stored
    if decision.full:
        full.restore_source_details(created, decision.users)
    for step in decision.sources:
        source, stored = step.source, step.planned.source
        for number in [] if step.create else step.new:
            revision = source.revisions[number]
            captured = {
                "title": stored.title,
                "byline": stored.byline,
                "user": user,
                "origin": origin,
                "original": b"",
                **CAPTURED_AS,
            }
            if decision.full:
                captured |= full.revision_details(revision, decision.users)
                captured["user"] = captured.pop("captured_by")
            capture_revision(
                source=stored,
                number=number,
                text=revision.text,
                **captured,
                captured_at=revision.captured_at,
                publisher_updated_at=revision.updated_at,
            )
    read_back = revisions_of([step.planned.source for step in decision.sources])
    for step in decision.sources:
        source, stored = step.source, step.planned.source
        by_sha256 = read_back.get(stored.pk, {})
        for number, parsed in source.revisions.items():
            revision = revisions[(source.ref, number)] = by_sha256[parsed.sha256]
            revision.text = parsed.text
        newest[stored.pk] = next((r for r in by_sha256.values() if r.pk == stored.current_revision_id), None)
    return revisions, newest


def new_source(source, *, users=None):
    """Return the ``NewSource`` of a parsed source; with ``users`` (version 2), with its revisions' own details."""
    revisions = [(n, r.text, r.captured_at, r.updated_at) for n, r in sorted(source.revisions.items())]
    fields = source.fields
    if users is not None:
        revisions = [(*revision, full.revision_details(source.revisions[revision[0]], users)) for revision in revisions]
        fields = fields | {"notes": source.details["notes"]}
    return NewSource(fields=fields, publisher=source.publisher, authors=source.authors, revisions=revisions)
