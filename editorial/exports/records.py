"""Reading claims for export: in chunks, a fixed number of queries per chunk, as plain records.

Every exporter reads claims through ``claim_chunks()``, which turns a claim queryset into lists of
``ClaimRecord`` (with their ``CitationRecord``, ``RevisionRecord`` and ``SourceRecord``), a chunk at
a time, so that memory stays bounded by the chunk size whatever the number of claims.

Two versions of a claim can be exported:

* ``PUBLIC`` — the approved public version (``claim.approved_version()``): statement, speaker, claim
  date, tags, verdict and citations as a moderator approved them. Claims without one are skipped.
  Everything reachable over HTTP uses it, so a claim with unpublished edits exports what readers see.
* ``LIVE`` — the stored fields, whatever the status: what editors see in the admin. The staff
  command uses it, so that a claim-set JSON backup holds exactly what is stored.

Sources, publishers and bylines are not moderated per claim; both versions read them as stored.

Queries per chunk: the claims themselves (one cursor for the whole export), then, per chunk, in the
public version speakers, relations, revisions (+ their bylines); in the live version citations,
tags, relations, revisions (+ bylines). Revision texts are loaded only when asked (``with_texts``).
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, Q
from taggit.models import TaggedItem

from editorial import textfragments

# Exporters read addresses and timestamps from here too (``records.site_url``, ``isoformat``).
from editorial.exports.addresses import (  # noqa: F401
    claim_path_parts,
    claim_url,
    isoformat,
    revision_url,
    site_url,
    source_page_url,
)
from editorial.models import Citation, Claim, ClaimRelation, Speaker, SpeakerKind
from editorial.public.version import statement_slug
from editorial.workflow import PUBLIC_STATUSES
from sources.models import Byline, Revision, Source

PUBLIC = "public"
LIVE = "live"
VERSIONS = (PUBLIC, LIVE)

CHUNK_SIZE = 500  # claims per chunk; a chunk's related rows are loaded with one query per kind


# Records -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class SourceRecord:
    pk: int
    slug: str
    title: str
    url: str
    publisher: str
    section: str
    byline: str
    language: str
    published_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    time_zone: str  # the publisher's IANA zone, or the site's
    page_url: str  # our public page of the source
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name, location), in byline order

    def local_date(self, value):
        """Return the calendar date of ``value`` where the publisher is (what its readers saw)."""
        return value.astimezone(zoneinfo.ZoneInfo(self.time_zone)).date() if value else None


@dataclass(slots=True)
class RevisionRecord:
    pk: int
    number: int
    sha256: str
    captured_at: datetime.datetime
    publisher_updated_at: datetime.datetime | None
    source: SourceRecord
    url: str  # our public page of the revision
    text: str | None = None  # loaded only with ``with_texts``
    normalised_text: str | None = None  # ``textfragments.normalise(text)``, made when first needed


@dataclass(slots=True)
class CitationRecord:
    position: int
    excerpt: str
    start: int
    end: int
    prefix: str
    suffix: str
    note: str
    revision: RevisionRecord

    @property
    def source(self):
        return self.revision.source

    @property
    def target_url(self):
        """Return the original page's address, or our revision page when the source has none."""
        return self.source.url or self.revision.url

    @property
    def fragment_url(self):
        """Return the original page's address with a Text Fragment to the passage (or our revision page).

        Needs the revision text (``with_texts``); without it the plain address is returned.
        """
        if not self.source.url:
            return self.revision.url
        revision = self.revision
        if revision.text is None:
            return self.source.url
        if revision.normalised_text is None:
            # Once per revision: an export links many passages of each.
            revision.normalised_text = textfragments.normalise(revision.text)
        return textfragments.fragment_url(
            self.source.url, revision.text, self.start, self.end, normalised_text=revision.normalised_text
        )


@dataclass(slots=True)
class ClaimRecord:
    pk: int
    slug: str
    statement: str
    speaker_name: str
    speaker_kind: str
    speaker_description: str
    claim_date: datetime.date | None
    status: str
    verdict: str
    verdict_explanation: str
    tags: list[str]
    citations: list[CitationRecord]
    relations: list[tuple[str, int]]  # (kind, target claim pk), in creation order
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    modified_at: datetime.datetime | None  # approval time of the public version; last edit when live
    permalink: str  # absolute public address; "" when the claim is not publicly visible

    @property
    def sources(self):
        """Return the cited sources, once each, in citation order."""
        seen = {}
        for citation in self.citations:
            seen.setdefault(citation.source.pk, citation.source)
        return list(seen.values())


# Loading -----------------------------------------------------------------------------------------


def chunked(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load_revisions(revision_ids, *, base_url: str, with_texts: bool = False) -> dict[int, RevisionRecord]:
    """Return ``{revision pk: RevisionRecord}`` with sources, publishers and bylines, in two queries."""
    if not revision_ids:
        return {}
    deferred = ["original", "source__notes"] + ([] if with_texts else ["text"])
    revisions = list(Revision.objects.filter(pk__in=revision_ids).select_related("source__publisher").defer(*deferred))
    sources = {}
    for revision in revisions:
        if revision.source_id not in sources:
            sources[revision.source_id] = source_record(revision.source, base_url=base_url)
    _add_authors(sources)
    return {
        revision.pk: RevisionRecord(
            pk=revision.pk,
            number=revision.number,
            sha256=revision.sha256,
            captured_at=revision.captured_at,
            publisher_updated_at=revision.publisher_updated_at,
            source=sources[revision.source_id],
            url=revision_url(base_url, revision.source.slug, revision.number),
            text=revision.text if with_texts else None,
        )
        for revision in revisions
    }


def load_sources(source_ids, *, base_url: str) -> list[SourceRecord]:
    """Return ``SourceRecord`` for ``source_ids`` in that order (missing ones left out), in two queries."""
    sources = Source.objects.filter(pk__in=source_ids).select_related("publisher").defer("notes").in_bulk()
    records = {pk: source_record(sources[pk], base_url=base_url) for pk in source_ids if pk in sources}
    _add_authors(records)
    return list(records.values())


def source_record(source: Source, *, base_url: str) -> SourceRecord:
    """Return a ``SourceRecord`` (without authors) for a ``Source`` loaded with its publisher."""
    publisher = source.publisher if source.publisher_id else None
    return SourceRecord(
        pk=source.pk,
        slug=source.slug,
        title=source.title,
        url=source.url,
        publisher=publisher.name if publisher else "",
        section=source.section,
        byline=source.byline,
        language=source.language,
        published_at=source.published_at,
        updated_at=source.updated_at,
        time_zone=(publisher.time_zone if publisher else "") or settings.TIME_ZONE,
        page_url=source_page_url(base_url, source.slug),
    )


def _add_authors(sources):
    """Fill in ``authors`` of ``{pk: SourceRecord}`` from their bylines, in one query."""
    authors = defaultdict(list)
    if sources:
        for source_id, name, location in (
            Byline.objects.filter(source_id__in=sources)
            .order_by("source_id", "position")
            .values_list("source_id", "author__name", "location")
        ):
            authors[source_id].append((name, location))
    for pk, record in sources.items():
        record.authors = authors[pk]


def exported_claims(claims, version):
    """Return ``claims`` narrowed to those ``claim_chunks`` exports in ``version``."""
    if version == PUBLIC:
        return claims.filter(status__in=PUBLIC_STATUSES, public_snapshot__isnull=False)
    return claims


def cited_source_ids(claims, *, version=PUBLIC, chunk_size=CHUNK_SIZE):
    """Return ``(claim_ids, source_ids)``: the exported claims' pks in order, and the set of cited sources.

    The public version reads the sources from the approved versions, the live one from the stored
    citations (one query per chunk of claims).
    """
    claim_ids, source_ids = [], set()
    if version == PUBLIC:
        # Only the approved citations, not the whole snapshot: the database cuts them out.
        rows = (
            exported_claims(claims, version)
            .values_list("pk", "public_snapshot__citations")
            .iterator(chunk_size=chunk_size)
        )
        for pk, citations in rows:
            claim_ids.append(pk)
            source_ids.update(citation["source"] for citation in citations or ())
        return claim_ids, source_ids
    for chunk in chunked(claims.values_list("pk", flat=True).iterator(chunk_size=chunk_size), chunk_size):
        claim_ids.extend(chunk)
        source_ids.update(
            Citation.objects.filter(claim_id__in=chunk).values_list("revision__source_id", flat=True).distinct()
        )
    return claim_ids, source_ids


def claim_chunks(
    claims,
    *,
    version=PUBLIC,
    base_url=None,
    with_texts=False,
    with_relations=True,
    with_speaker_kinds=True,
    chunk_size=CHUNK_SIZE,
) -> Iterator[list[ClaimRecord]]:
    """Yield ``claims`` (a queryset, in its order) as lists of ``ClaimRecord``, ``chunk_size`` at a time.

    ``version`` is ``PUBLIC`` (approved public versions; claims without one are skipped, relations
    lead only to published claims) or ``LIVE`` (stored fields, any status). ``with_texts`` also
    loads the cited revisions' texts, for Text Fragment links. A format that does not write them
    saves a query per chunk each with ``with_relations=False`` (``relations`` are then empty) and,
    in the public version, ``with_speaker_kinds=False`` (``speaker_kind`` is then a person's).
    """
    if version not in VERSIONS:
        raise ValueError(f"Unknown version “{version}”; use {PUBLIC!r} or {LIVE!r}.")
    base_url = site_url() if base_url is None else base_url.rstrip("/")
    if version == PUBLIC:
        # Plain tuples, not model instances: a claim is read only through its approved version.
        rows = exported_claims(claims, version).values_list(*PUBLIC_CLAIM_FIELDS).iterator(chunk_size=chunk_size)
        load = _load_public_chunk
    else:
        # The snapshot is not needed; only whether there is one (for the permalink).
        rows = (
            claims.select_related("speaker")
            .defer("public_snapshot")
            .annotate(export_has_snapshot=ExpressionWrapper(Q(public_snapshot__isnull=False), BooleanField()))
            .iterator(chunk_size=chunk_size)
        )
        load = _load_live_chunk
    revisions = RevisionCache(base_url=base_url, with_texts=with_texts)
    for chunk in chunked(rows, chunk_size):
        records = load(
            chunk,
            base_url=base_url,
            revisions=revisions,
            with_relations=with_relations,
            with_speaker_kinds=with_speaker_kinds,
        )
        if records:
            yield records


def iter_claims(claims, **options) -> Iterator[ClaimRecord]:
    """Yield ``ClaimRecord`` one by one; see ``claim_chunks`` for the options."""
    for chunk in claim_chunks(claims, **options):
        yield from chunk


def _relations(pks, *, published_only):
    """Return ``{claim pk: [(kind, target pk)]}`` for ``pks``; with ``published_only``, to published claims."""
    rows = list(
        ClaimRelation.objects.filter(from_claim_id__in=pks)
        .order_by("pk")
        .values_list("from_claim_id", "kind", "to_claim_id")
    )
    if published_only and rows:
        # A second small query rather than a subquery over every claim (slow on SQLite).
        targets = {to_id for _, _, to_id in rows}
        published = set(Claim.objects.published().filter(pk__in=targets).values_list("pk", flat=True))
        rows = [row for row in rows if row[2] in published]
    grouped = defaultdict(list)
    for from_id, kind, to_id in rows:
        grouped[from_id].append((kind, to_id))
    return grouped


PUBLIC_CLAIM_FIELDS = ("pk", "slug", "status", "created_at", "published_at", "public_snapshot")


class RevisionCache:
    """``RevisionRecord`` by revision pk, loaded for the revisions a chunk cites that the last ones did not.

    Claims exported together tend to cite the same sources, so a revision is usually loaded once
    for many chunks. At most ``limit`` revisions are kept (their texts too, with ``with_texts``),
    so memory stays bounded however many sources an export cites.
    """

    def __init__(self, *, base_url, with_texts, limit=2000):
        self.base_url, self.with_texts, self.limit = base_url, with_texts, limit
        self.records: dict[int, RevisionRecord] = {}

    def load(self, revision_ids) -> dict[int, RevisionRecord]:
        """Return the records of ``revision_ids`` (missing revisions left out), querying only the new ones."""
        missing = set(revision_ids).difference(self.records)
        if missing:
            if len(self.records) + len(missing) > self.limit:
                self.records = {pk: self.records[pk] for pk in revision_ids if pk in self.records}
            self.records.update(load_revisions(missing, base_url=self.base_url, with_texts=self.with_texts))
        return self.records


def _approved_citations(snapshot):
    """Return the approved citations of a snapshot as plain tuples, defaults as ``PublicVersion`` reads them.

    ``(position, excerpt, start, end, prefix, suffix, note, revision id)``. This is
    ``PublicVersion.from_snapshot(snapshot).citations`` without building a frozen dataclass per
    citation, which costs more than the rest of the export's work on a claim.
    """
    return [
        (
            cited["position"],
            cited["excerpt"],
            cited["start"],
            cited["end"],
            cited.get("prefix", ""),
            cited.get("suffix", ""),
            cited.get("note", ""),
            cited["revision"],
        )
        for cited in snapshot.get("citations", ())
    ]


def _load_public_chunk(rows, *, base_url, revisions, with_relations, with_speaker_kinds):
    """Return ``ClaimRecord`` of ``(pk, slug, status, created_at, published_at, snapshot)`` rows.

    Reads each snapshot's keys as ``PublicVersion.from_snapshot`` does (missing ones read as
    empty; ``tests/editorial/exports/test_records.py`` holds the two together).
    """
    if not rows:
        return []
    approved = [(row, row[5], _approved_citations(row[5])) for row in rows]
    pks = [row[0] for row in rows]
    speaker_ids = {snapshot["speaker"]["id"] for _, snapshot, _ in approved if snapshot.get("speaker")}
    if with_speaker_kinds and speaker_ids:
        kinds = dict(Speaker.objects.filter(pk__in=speaker_ids).values_list("pk", "kind"))
    else:
        kinds = {}
    relations = _relations(pks, published_only=True) if with_relations else {}
    loaded = revisions.load({cited[7] for _, _, citations in approved for cited in citations})
    path_start, path_middle, path_end = claim_path_parts()
    claim_path = base_url + path_start
    person = SpeakerKind.PERSON
    records = []
    for (pk, claim_slug, status, created_at, published_at, snapshot), _, citations in approved:
        statement = snapshot["statement"]
        speaker = snapshot.get("speaker")
        claim_date = snapshot.get("claim_date")
        approved_at = snapshot.get("approved_at")
        slug = snapshot.get("slug") or statement_slug(statement) or claim_slug
        records.append(
            ClaimRecord(
                pk,
                slug,
                statement,
                speaker.get("name", "") if speaker else "",
                kinds.get(speaker["id"], person) if speaker else person,
                speaker.get("description", "") if speaker else "",
                datetime.date.fromisoformat(claim_date) if claim_date else None,
                status,
                snapshot.get("verdict", ""),
                snapshot.get("verdict_explanation", ""),
                list(snapshot.get("tags", ())),
                [
                    CitationRecord(*cited[:7], loaded[cited[7]])
                    for cited in citations
                    # A revision goes only with its source, which cannot be deleted while live
                    # citations quote it; a snapshot can outlive that. Such a passage has nothing
                    # left to point at.
                    if cited[7] in loaded
                ],
                relations.get(pk, []),
                created_at,
                published_at,
                (datetime.datetime.fromisoformat(approved_at) if approved_at else None) or published_at,
                claim_path + str(pk) + path_middle + (slug or "claim") + path_end,
            )
        )
    return records


def _load_live_chunk(claims, *, base_url, revisions, with_relations, with_speaker_kinds):
    pks = [claim.pk for claim in claims]
    citations = defaultdict(list)
    rows = list(
        Citation.objects.filter(claim_id__in=pks)
        .order_by("claim_id", "position", "pk")
        .values_list("claim_id", "revision_id", "position", "excerpt", "start", "end", "prefix", "suffix", "note")
    )
    revisions = revisions.load({row[1] for row in rows})
    for claim_id, revision_id, position, excerpt, start, end, prefix, suffix, note in rows:
        citations[claim_id].append(
            CitationRecord(position, excerpt, start, end, prefix, suffix, note, revisions[revision_id])
        )
    tags = defaultdict(list)
    content_type = ContentType.objects.get_for_model(Claim)
    for object_id, name in TaggedItem.objects.filter(content_type=content_type, object_id__in=pks).values_list(
        "object_id", "tag__name"
    ):
        tags[object_id].append(name)
    relations = _relations(pks, published_only=False) if with_relations else {}
    records = []
    for claim in claims:
        speaker = claim.speaker
        public = claim.status in PUBLIC_STATUSES and claim.export_has_snapshot
        records.append(
            ClaimRecord(
                pk=claim.pk,
                slug=claim.slug,
                statement=claim.statement,
                speaker_name=speaker.name if speaker else "",
                speaker_kind=speaker.kind if speaker else SpeakerKind.PERSON,
                speaker_description=speaker.description if speaker else "",
                claim_date=claim.claim_date,
                status=claim.status,
                verdict=claim.verdict,
                verdict_explanation=claim.verdict_explanation,
                tags=sorted(tags[claim.pk], key=str.casefold),
                citations=citations[claim.pk],
                relations=relations.get(claim.pk, []),
                created_at=claim.created_at,
                published_at=claim.published_at,
                modified_at=claim.modified_at,
                permalink=claim_url(base_url, claim.pk, claim.slug) if public else "",
            )
        )
    return records
