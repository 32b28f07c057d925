"""Writing the claims a claim-set import creates in bulk: a fixed number of queries per batch.

``write_new_claims`` does for new claims what the importer's per-claim path does for one — speaker,
claim, tags, citations anchored against their source's newest revision, the status restored with
its approved public version and a ``restore`` event (or, for an importer who may not restore, the
claim left a draft with an ``import`` event), the history rows — with one ``insert`` per kind of row
and batch of ``BATCH_SIZE`` claims, inside the import's transaction (``COPY`` on PostgreSQL,
``bulk_create`` elsewhere). The approved public versions are built in Python from the data in hand
(``PublicVersion``), not read back per claim; the public read model is written once per batch
(``readmodel.record_many``) instead of by the ``moderated`` signal, whose only receiver is that
writer (a test keeps it so).

Claims the import matches keep the per-claim path (``importer._write_claim``): each needs its stored
tags and citations read anyway, and re-importing a file changes nothing. Speakers and tags the
import creates are written in bulk too, with slugs as their ``save`` picks them; claims are not
``full_clean``-ed, since ``validate.check`` has refused whatever that would refuse.

The rows are those of the per-claim path; only the timestamps (one per batch) and the order of
primary keys across tables differ.
"""

from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from editorial import textfragments
from editorial.anchoring import context
from editorial.claimset.validate import ref_key
from editorial.models import (
    Citation,
    Claim,
    ClaimRelation,
    ClaimSetMembership,
    ModerationEvent,
    PublicEntry,
    PublicEntrySource,
    PublicEntryTag,
    Speaker,
)
from editorial.public import readmodel
from editorial.public.version import PublicVersion, citation_directive, statement_slug
from editorial.services.citations import anchor_citation
from editorial.services.moderation import IMPORT, RESTORE, actor_name, import_event_note
from editorial.workflow import PUBLIC_STATUSES, ClaimStatus
from sources.models import Revision, Source, unique_slugs
from sources.services.rows import insert, insert_history, insert_rows

BATCH_SIZE = 1000
# Names per query of OR-ed ``iexact`` lookups: SQLite refuses expressions nested 1,000 deep.
LOOKUP_CHUNK = 100


def batches(items, size=BATCH_SIZE):
    """Yield ``items`` (a list) in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def find_named(model, names):
    """Return ``{casefolded name: row}``: each name's stored row, ignoring case, the oldest of several.

    What ``model.objects.filter(name__iexact=name).order_by("pk").first()`` finds for each name, in
    one query per ``LOOKUP_CHUNK`` names.
    """
    wanted = list({name.casefold(): name for name in names if name}.values())
    found = {}
    for chunk in batches(wanted, LOOKUP_CHUNK):
        lookup = reduce(or_, (Q(name__iexact=name) for name in chunk))
        for row in model.objects.filter(lookup).order_by("pk"):
            found.setdefault(row.name.casefold(), row)
    return found


def stored_revisions(source_pks):
    """Return ``{(source pk, SHA-256): revision pk}`` of the revisions of the stored sources ``source_pks``."""
    found = {}
    for chunk in batches(list(source_pks), BATCH_SIZE // 2):  # SQLite takes 999 parameters
        rows = Revision.objects.filter(source__in=chunk).values_list("source_id", "sha256", "pk")
        found |= {(source, sha256): pk for source, sha256, pk in rows}
    return found


def revisions_of(sources):
    """Return ``{source pk: {SHA-256: Revision}}`` for the stored ``sources``, without texts, in one query per batch."""
    by_pk = {source.pk: source for source in sources}
    found = {}
    for chunk in batches(list(by_pk), BATCH_SIZE // 2):  # SQLite takes 999 parameters
        for revision in Revision.objects.filter(source__in=chunk).defer("original", "text"):
            revision.source = by_pk[revision.source_id]
            found.setdefault(revision.source_id, {})[revision.sha256] = revision
    return found


def stored_claims(claims, speakers):
    """Return ``{(statement, speaker pk or None): the oldest stored claim}`` for the document's claims."""
    statements = list(
        {claim.statement for claim in claims if not claim.speaker or claim.speaker.casefold() in speakers}
    )
    found = {}
    for chunk in batches(list(statements), BATCH_SIZE // 2):  # SQLite takes 999 parameters
        for stored in Claim.objects.filter(statement__in=chunk).order_by("pk"):
            found.setdefault((stored.statement, stored.speaker_id), stored)
    return found


class NewClaimWriter:
    """Writes an import's new claims batch by batch; remembers the speakers and tags it has resolved.

    ``revisions`` maps ``(source ref, number in the file)`` to the stored revision (its ``text`` set,
    its ``source`` loaded); ``newest`` each source's pk to its current revision, the one citations
    are anchored against; ``speakers`` the stored speakers by casefolded name.
    """

    def __init__(
        self, revisions, newest, speakers, *, user, operator, origin, restore, import_note, full=False, users=None
    ):
        self.revisions, self.newest, self.speakers = revisions, newest, speakers
        self.user, self.operator, self.restore = user, operator, restore
        self.origin, self.import_note = origin, import_note
        # A version 2 document: claims keep their own history, approved versions, stamps and notes.
        self.full, self.users = full, users or {}
        self.tags = {}  # casefolded name → Tag
        self.normalised = {}  # revision pk → ``textfragments.normalise`` of its text, made once per import
        self.content_type = ContentType.objects.get_for_model(Claim)

    def write(self, steps) -> dict:
        """Write the claims of ``steps`` (``_ClaimStep`` without a stored claim); return ``{ref: Claim}``.

        The claims returned hold their primary key only.
        """
        written = {}
        for batch in batches(steps):
            for step, claim in zip(batch, self._write_batch(batch), strict=True):
                # Relations and set members need only the key: a million full claims would not fit.
                written[step.claim.ref] = Claim(pk=claim.pk)
        return written

    def _write_batch(self, steps):
        now = timezone.now()
        self._resolve_speakers(steps)
        self._resolve_tags(steps)
        claims, citations, tag_links = [], [], []
        for step in steps:
            claim, cited, tags = self._build(step, now)
            claims.append(claim)
            citations.append(cited)
            tag_links.append(tags)
        kept = ("created_at",) if self.full else ()
        insert(Claim, claims, kept=kept)
        self._history(claims, now)
        for claim, cited in zip(claims, citations, strict=True):
            for citation in cited:
                citation.claim = claim
        citations = [citation for cited in citations for citation in cited]
        insert(Citation, citations, kept=kept)
        insert_history(Citation, citations, default_date=now)
        insert_rows(
            Claim.tags.through,
            ("content_type_id", "object_id", "tag_id"),
            (
                (self.content_type.pk, claim.pk, tag.pk)
                for claim, tags in zip(claims, tag_links, strict=True)
                for tag in tags
            ),
        )
        insert(
            ModerationEvent,
            (event for step, claim in zip(steps, claims, strict=True) for event in self._events(step, claim, now)),
        )
        if self.restore:
            readmodel.record_many(claims, new=True)
        return claims

    # Resolving names ------------------------------------------------------------------------------

    def _resolve_speakers(self, steps):
        """Create the batch's speakers that are not stored yet (names ignoring case), as ``Speaker.save`` would."""
        names = {}
        for step in steps:
            for name in [step.claim.speaker, *approved_speakers(step.claim)]:
                if name and name.casefold() not in self.speakers:
                    names.setdefault(name.casefold(), name)
        slugs = unique_slugs(Speaker, list(names.values()))
        new = [Speaker(name=name, slug=slug) for name, slug in zip(names.values(), slugs, strict=True)]
        for speaker in new:
            speaker.full_clean(validate_unique=False, validate_constraints=False)
        for speaker in Speaker.objects.bulk_create(new):
            self.speakers[speaker.name.casefold()] = speaker

    def _resolve_tags(self, steps):
        """Find or create the batch's tags, as ``claim.tags.add`` does (names ignoring case)."""
        names = {tag.casefold(): tag for step in steps for tag in step.missing_tags}
        self.tags |= find_named(Tag, [name for key, name in names.items() if key not in self.tags])
        missing = [name for key, name in names.items() if key not in self.tags]
        new = {Tag().slugify(name): name for name in missing}
        taken = set(Tag.objects.filter(slug__in=list(new)).values_list("slug", flat=True)) if new else set()
        free = [Tag(name=name, slug=slug) for slug, name in new.items() if slug not in taken]
        for tag in Tag.objects.bulk_create(free):
            self.tags[tag.name.casefold()] = tag
        for name in missing:  # a slug clash: ``Tag.save`` numbers the slug
            if name.casefold() not in self.tags:
                self.tags[name.casefold()] = Tag.objects.create(name=name)

    # Building rows --------------------------------------------------------------------------------

    def _build(self, step, now):
        """Return the unsaved claim in its final state, its citations and its tags."""
        parsed = step.claim
        speaker = self.speakers.get(parsed.speaker.casefold()) if parsed.speaker else None
        tags = list({self.tags[name.casefold()].pk: self.tags[name.casefold()] for name in step.missing_tags}.values())
        claim = Claim(
            statement=parsed.statement,
            slug=statement_slug(parsed.statement),
            speaker=speaker,
            claim_date=parsed.claim_date,
            verdict=parsed.verdict,
            created_by=self.user,
        )
        details = parsed.details if self.full else {}
        if self.full:
            claim.slug = details["slug"] or claim.slug
            claim.verdict_explanation = details["verdict_explanation"]
            claim.created_at = details["created_at"] or now
            claim.created_by = self.users.get(details["created_by"])
        citations = [self._citation(cited, position, now) for position, cited in enumerate(step.new_citations, start=1)]
        if self.restore:
            claim.status = ClaimStatus(parsed.status)
            approved = self.snapshot(details.get("approved"))
            if details.get("published_at"):
                claim.published_at = details["published_at"]
            if approved is not None:
                claim.public_snapshot = approved
            if claim.status in PUBLIC_STATUSES:
                claim.published_at = claim.published_at or now
                if approved is None:
                    claim.public_snapshot = _version(
                        claim, speaker, tags, citations, now, directive=self.directive
                    ).to_snapshot()
        return claim, citations, tags

    def snapshot(self, approved):
        """Return an approved version of the document (``claimset_full.approved_version``) with database keys."""
        if approved is None:
            return None
        speaker = approved.get("speaker")
        data = {key: value for key, value in approved.items() if key not in ("speaker", "citations")}
        if speaker:
            name = " ".join(speaker["name"].split())
            data["speaker"] = {
                "id": self.speakers[name.casefold()].pk,
                "name": speaker["name"],
                "description": speaker.get("description") or "",
            }
        else:
            data["speaker"] = None
        data["citations"] = []
        for cited in approved.get("citations") or ():
            revision = self.revisions[(ref_key(cited["source"]), cited["revision"])]
            stored = {key: value for key, value in cited.items() if key not in ("source", "revision")}
            stored |= {"source": revision.source_id, "revision": revision.pk, "revision_number": revision.number}
            # Made from the text here, whatever the document says (an older release wrote none).
            stored["fragment"] = textfragments.text_directive(
                revision.text, cited["start"], cited["end"], normalised_text=self._normalised(revision)
            )
            data["citations"].append(stored)
        return data

    def directive(self, citation):
        """Return the ``fragment`` of a new citation, its revision's text normalised once per import."""
        return citation_directive(citation, normalised_text=self._normalised(citation.revision))

    def _normalised(self, revision):
        normalised = self.normalised.get(revision.pk)
        if normalised is None:
            normalised = self.normalised[revision.pk] = textfragments.normalise(revision.text)
        return normalised

    def _citation(self, cited, position, now):
        revision = self.revisions[(cited.source, cited.number)]
        citation = Citation(
            revision=revision, excerpt=cited.excerpt, start=cited.start, end=cited.end, position=position
        )
        citation.prefix, citation.suffix = context(revision.text, cited.start, cited.end)
        newest = self._newest(revision)
        anchor = cited.details.get("anchor") if self.full else None
        if anchor and anchor["state"] and anchor["revision"] == newest.number:
            # Checked against the revision that is still the newest: the document's result stands.
            citation.anchor_state, citation.anchored_revision = anchor["state"], newest
            citation.anchored_start, citation.anchored_end = anchor["start"], anchor["end"]
            citation.anchor_score, citation.anchor_checked_at = anchor["score"], anchor["checked_at"]
        else:
            anchor_citation(citation, newest, checked_at=now)
        if self.full:
            citation.note = cited.details["note"]
            citation.created_at = cited.details["created_at"] or now
        return citation

    def _newest(self, revision):
        """Return the revision to anchor a citation of ``revision`` against, as ``save_citation`` does."""
        newest = self.newest.get(revision.source_id)
        return revision if newest is None or newest.number <= revision.number else newest

    def _history(self, claims, now):
        """Write each claim's history: created as a draft, then (restored) moved to its status."""
        final = [(claim.status, claim.published_at) for claim in claims]
        for claim in claims:
            claim.status, claim.published_at = ClaimStatus.DRAFT, None
        insert_history(Claim, claims, default_date=now)
        for claim, (status, published_at) in zip(claims, final, strict=True):
            claim.status, claim.published_at = status, published_at
        if self.restore:
            insert_history(Claim, claims, update=True, default_user=self.user, default_date=now)

    def _events(self, step, claim, now):
        """Return the claim's unsaved moderation events: the document's history, a ``restore``, or an ``import``."""
        history = step.claim.details.get("moderation") if self.full else None
        if self.restore and history:
            return [
                ModerationEvent(
                    claim=claim,
                    action=event["action"],
                    from_status=event["from_status"],
                    to_status=event["to_status"],
                    # The account of that username, where there is one: an operator's name matches none.
                    user=self.users.get(event["actor"]),
                    actor=event["actor"],
                    note=event["note"],
                    at=event["at"],
                    public_version=self.snapshot(event["approved"]),
                )
                for event in history
            ]
        if self.full and self.restore and claim.status == ClaimStatus.DRAFT:
            return []  # a draft with no history: nothing happened to it in moderation
        return [self._event(step, claim, now)]

    def _event(self, step, claim, now):
        """Return the claim's unsaved moderation event: ``restore``, or ``import`` for a draft."""
        if self.restore:
            return ModerationEvent(
                claim=claim,
                action=RESTORE,
                from_status=ClaimStatus.DRAFT,
                to_status=claim.status,
                user=self.user,
                actor=self.operator or actor_name(self.user),
                note=self.import_note(self.origin).strip(),
                at=now,
                public_version=claim.public_snapshot,
            )
        return ModerationEvent(
            claim=claim,
            action=IMPORT,
            from_status=claim.status,
            to_status=claim.status,
            user=self.user,
            actor=actor_name(self.user),
            note=import_event_note(self.import_note(self.origin, self.user, step.note), step.claim.status),
            at=now,
        )


def approved_speakers(claim):
    """Return the speaker names of a parsed claim's approved versions (version 2), which the import must find."""
    details = claim.details
    versions = [details.get("approved"), *(event["approved"] for event in details.get("moderation") or ())]
    return [version["speaker"]["name"] for version in versions if version and version.get("speaker")]


def _version(claim, speaker, tags, citations, now, *, directive):
    """Return the approved public version of a claim being created, as ``PublicVersion.of`` reads it back."""
    return PublicVersion.from_parts(
        claim,
        slug=claim.slug,
        speaker=speaker,
        tag_names=[tag.name for tag in tags],
        citations=citations,
        approved_at=now,
        directive=directive,
    )


# Tables an import writes; PostgreSQL's planner needs their statistics once thousands of rows arrive
# (autovacuum may be off, or too slow to notice before the next query).
WRITTEN_MODELS = (
    Source,
    Revision,
    Speaker,
    Claim,
    Claim.history.model,
    Citation,
    Citation.history.model,
    Claim.tags.through,
    Tag,
    ClaimRelation,
    ClaimSetMembership,
    ModerationEvent,
    PublicEntry,
    PublicEntryTag,
    PublicEntrySource,
)


def analyze_written_tables():
    """Refresh PostgreSQL's statistics of the tables an import writes (other databases need nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in WRITTEN_MODELS:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
