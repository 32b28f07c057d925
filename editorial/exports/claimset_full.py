"""``editorial.claimset/2``, the whole editorial record: the staff command's backup.

Publishers, sources with their notes, tags, history and every revision (with its original bytes,
base64, unless ``originals=False``), claims with their citations, relations, approved public
version and moderation history, speakers, and every claim set. ``claimset`` writes it for
``version=LIVE`` and says how documents name things and stream; docs/claimset.md has the format.
"""

import base64
import logging
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from taggit.models import TaggedItem

from editorial.exports import records
from editorial.exports.base import DocumentIds, Stream, json_chunks
from editorial.exports.records import CHUNK_SIZE, isoformat
from editorial.models import Citation, Claim, ClaimRelation, ClaimSet, ClaimSetMembership, ModerationEvent, Speaker
from sources.models import Byline, Publisher, Revision, Source

FULL_FORMAT = "editorial.claimset/2"  # the whole editorial record: the staff command's backup
# Capture details of a revision newer than the rest, written when the database has them.
REVISION_EXTRA = tuple(
    name for name in ("encoding_confidence", "reason") if name in {field.name for field in Revision._meta.fields}
)
SOURCE_CHUNK_SIZE = 50  # sources per chunk: their revision texts are held in memory together

logger = logging.getLogger(__name__)


def full_document(claims, *, claim_set, all_sources, exported_at, originals, chunk_size):
    """Yield the ``editorial.claimset/2`` document of ``claims``: a fixed number of queries per chunk."""
    claim_pks, cited = records.cited_source_ids(claims, version=records.LIVE, chunk_size=chunk_size)
    claim_ids = DocumentIds(claim_pks, "c")
    if not all_sources:
        cited |= _approved_sources(claim_pks, chunk_size)
    del claim_pks
    source_pks = list(Source.objects.order_by("pk").values_list("pk", flat=True)) if all_sources else sorted(cited)
    source_ids = DocumentIds(source_pks, "s")
    named = {"publishers": set(), "speakers": set()}  # filled in while sources and claims stream
    if claim_set is not None:
        sets = ClaimSet.objects.filter(pk=claim_set.pk)
    elif all_sources:
        sets = ClaimSet.objects.order_by("pk")  # a full backup: every set
    else:
        sets = ClaimSet.objects.none()
    document = {
        "format": FULL_FORMAT,
        "exported_at": isoformat(exported_at or timezone.now()),
        "originals": "included" if originals else "omitted",
        "set": (
            {"title": claim_set.title, "slug": claim_set.slug, "description": claim_set.description}
            if claim_set is not None
            else None
        ),
        "sources": Stream(_full_sources(source_pks, source_ids, named["publishers"], originals=originals)),
        "claims": Stream(_full_claims(claims, claim_ids, source_ids, named["speakers"], chunk_size=chunk_size)),
        "publishers": Stream(_publishers(named["publishers"], everyone=all_sources)),
        "speakers": Stream(_speakers(named["speakers"], everyone=all_sources)),
        "sets": Stream(_sets(sets, claim_ids)),
    }
    yield from json_chunks(document)
    yield "\n"


def _approved_sources(claim_pks, chunk_size):
    """Return the sources the claims' approved versions cite (now and in their history): two queries a chunk.

    An approved version may cite a passage an editor has since removed; its source goes with it.
    """
    sources = set()
    for chunk in records.chunked(claim_pks, chunk_size):
        versions = Claim.objects.filter(pk__in=chunk, public_snapshot__isnull=False).values_list(
            "public_snapshot__citations", flat=True
        )
        events = ModerationEvent.objects.filter(claim_id__in=chunk, public_version__isnull=False).values_list(
            "public_version__citations", flat=True
        )
        for citations in [*versions, *events]:
            sources.update(cited["source"] for cited in citations or ())
    return sources


def _tags_of(model, pks):
    """Return ``{pk: [tag names]}`` of the ``model`` rows ``pks``, in the order they were tagged (one query)."""
    found = defaultdict(list)
    rows = (
        TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
        .order_by("pk")
        .values_list("object_id", "tag__name")
    )
    for pk, name in rows:
        found[pk].append(name)
    return found


def _username(user):
    return user.get_username() if user is not None else None


def _full_sources(source_pks, source_ids, publishers, *, originals):
    for chunk in records.chunked(source_pks, SOURCE_CHUNK_SIZE):
        revisions = defaultdict(list)
        fields = ["source_id", "number", "sha256", "captured_at", "publisher_updated_at", "text", "title", "byline"]
        fields += ["captured_by__username", "origin", "format", "encoding", *REVISION_EXTRA]
        fields += ["original"] if originals else []
        for row in Revision.objects.filter(source_id__in=chunk).order_by("source_id", "number").values(*fields):
            revision = {
                "number": row["number"],
                "sha256": row["sha256"],
                "captured_at": isoformat(row["captured_at"]),
                "updated_at": isoformat(row["publisher_updated_at"]),
                "title": row["title"],
                "byline": row["byline"],
                "captured_by": row["captured_by__username"],
                "origin": row["origin"],
                "format": row["format"],
                "encoding": row["encoding"],
            } | {name: row[name] for name in REVISION_EXTRA}
            if originals:
                revision["original"] = base64.b64encode(bytes(row["original"] or b"")).decode("ascii")
            revision["text"] = row["text"]
            revisions[row["source_id"]].append(revision)
        authors = defaultdict(list)
        for source_id, name, location in (
            Byline.objects.filter(source_id__in=chunk)
            .order_by("source_id", "position")
            .values_list("source_id", "author__name", "location")
        ):
            authors[source_id].append({"name": name, "location": location})
        tags = _tags_of(Source, chunk)
        history = defaultdict(list)
        for row in (
            Source.history.filter(id__in=chunk)
            .order_by("history_date", "history_id")
            .values("id", *HISTORY_FIELDS, "history_user__username", "publisher__name")
        ):
            history[row["id"]].append(_history_row(row))
        for source in Source.objects.filter(pk__in=chunk).select_related("publisher").order_by("pk"):
            if source.publisher_id:
                publishers.add(source.publisher_id)
            yield {
                "id": source_ids[source.pk],
                "slug": source.slug,
                "title": source.title,
                "url": source.url,
                "publisher": source.publisher.name if source.publisher_id else None,
                "section": source.section,
                "byline": source.byline,
                "authors": authors[source.pk],
                "language": source.language,
                "published_at": isoformat(source.published_at),
                "updated_at": isoformat(source.updated_at),
                "notes": source.notes,
                "tags": tags[source.pk],
                "created_at": isoformat(source.created_at),
                "history": history[source.pk],
                "revisions": revisions[source.pk],
            }


# The public metadata a source's history keeps (its page's "Record history"), besides the publisher.
HISTORY_FIELDS = ("history_type", "history_date", "history_change_reason", "title", "section", "url", "language")
HISTORY_FIELDS += ("byline", "published_at", "updated_at")


def _history_row(row):
    """Return a source's history row as the document holds it: names for keys, timestamps as text."""
    return {
        "type": row["history_type"],
        "at": isoformat(row["history_date"]),
        "user": row["history_user__username"],
        "reason": row["history_change_reason"],
        "title": row["title"],
        "publisher": row["publisher__name"],
        "section": row["section"],
        "url": row["url"],
        "language": row["language"],
        "byline": row["byline"],
        "published_at": isoformat(row["published_at"]),
        "updated_at": isoformat(row["updated_at"]),
    }


def _full_claims(claims, claim_ids, source_ids, speakers, *, chunk_size):
    rows = claims.select_related("speaker", "created_by").iterator(chunk_size=chunk_size)
    for chunk in records.chunked(rows, chunk_size):
        chunk = [claim for claim in chunk if claim.pk in claim_ids]  # created after the ids were assigned
        pks = [claim.pk for claim in chunk]
        citations = defaultdict(list)
        for citation in (
            Citation.objects.filter(claim_id__in=pks)
            .select_related("revision", "anchored_revision")
            .defer("revision__text", "revision__original", "anchored_revision__text", "anchored_revision__original")
            .order_by("claim_id", "position", "pk")
        ):
            citations[citation.claim_id].append(citation)
        tags = _tags_of(Claim, pks)
        relations = defaultdict(list)
        for from_id, kind, to_id, note, created_at in (
            ClaimRelation.objects.filter(from_claim_id__in=pks)
            .order_by("pk")
            .values_list("from_claim_id", "kind", "to_claim_id", "note", "created_at")
        ):
            if to_id in claim_ids:
                relations[from_id].append(
                    {"kind": kind, "claim": claim_ids[to_id], "note": note, "created_at": isoformat(created_at)}
                )
        events, claim_events = defaultdict(list), defaultdict(list)
        for event in ModerationEvent.objects.filter(claim_id__in=pks).select_related("user").order_by("at", "pk"):
            claim_events[event.claim_id].append(event)
            events[event.claim_id].append(
                {
                    "action": event.action,
                    "from_status": event.from_status,
                    "to_status": event.to_status,
                    "at": isoformat(event.at),
                    "actor": event.actor or _username(event.user) or "",
                    "note": event.note,
                    "approved": approved_version(event.public_version, source_ids),
                }
            )
        for claim in chunk:
            # The speakers of approved versions too: the document names each one it cites.
            for version in [claim.public_snapshot, *(event.public_version for event in claim_events[claim.pk])]:
                if version and version.get("speaker"):
                    speakers.add(version["speaker"]["id"])
            if claim.speaker_id:
                speakers.add(claim.speaker_id)
            yield {
                "id": claim_ids[claim.pk],
                "statement": claim.statement,
                "slug": claim.slug,
                "speaker": claim.speaker.name if claim.speaker_id else None,
                "claim_date": isoformat(claim.claim_date),
                "status": claim.status,
                "verdict": claim.verdict or None,
                "verdict_explanation": claim.verdict_explanation,
                "tags": tags[claim.pk],
                "created_at": isoformat(claim.created_at),
                "created_by": _username(claim.created_by),
                "published_at": isoformat(claim.published_at),
                "citations": [_full_citation(citation, source_ids) for citation in citations[claim.pk]],
                "relations": relations[claim.pk],
                "approved": approved_version(claim.public_snapshot, source_ids),
                "moderation": events[claim.pk],
            }


def _full_citation(citation, source_ids):
    revision, anchored = citation.revision, citation.anchored_revision
    return {
        "source": source_ids[revision.source_id],
        "revision": revision.number,
        "excerpt": citation.excerpt,
        "start": citation.start,
        "end": citation.end,
        "prefix": citation.prefix,
        "suffix": citation.suffix,
        "note": citation.note,
        "created_at": isoformat(citation.created_at),
        "anchor": {
            "state": citation.anchor_state,
            # Always a revision of the same source: the newest one the passage was checked against.
            "revision": anchored.number if anchored is not None else None,
            "start": citation.anchored_start,
            "end": citation.anchored_end,
            "score": citation.anchor_score,
            "checked_at": isoformat(citation.anchor_checked_at),
        },
    }


def approved_version(snapshot, source_ids):
    """Return an approved public version (``PublicVersion`` JSON) with document ids for database keys.

    The speaker is named (no id), each citation names its source by document id and its revision by
    number; the rest is as approved. None for no version, or one citing a source outside the export.
    """
    if snapshot is None:
        return None
    citations = []
    for cited in snapshot.get("citations", ()):
        source = source_ids.get(cited["source"])
        if source is None:
            logger.warning("Approved version citing source %s left out of the export", cited["source"])
            return None
        citations.append(
            {key: value for key, value in cited.items() if key not in ("source", "revision", "revision_number")}
            | {"source": source, "revision": cited["revision_number"]}
        )
    speaker = snapshot.get("speaker")
    return {key: value for key, value in snapshot.items() if key not in ("speaker", "citations")} | {
        "speaker": ({key: value for key, value in speaker.items() if key != "id"} if speaker else None),
        "citations": citations,
    }


def _rows(model, pks, *, everyone):
    """Yield every row of ``model`` (``everyone``) or those of ``pks``, by primary key, a chunk at a time."""
    if everyone:
        yield from model.objects.order_by("pk").iterator(chunk_size=CHUNK_SIZE)
        return
    for chunk in records.chunked(sorted(pks), CHUNK_SIZE):
        yield from model.objects.filter(pk__in=chunk).order_by("pk")


def _publishers(pks, *, everyone):
    for publisher in _rows(Publisher, pks, everyone=everyone):
        yield {
            "name": publisher.name,
            "slug": publisher.slug,
            "homepage": publisher.homepage,
            "time_zone": publisher.time_zone,
            "created_at": isoformat(publisher.created_at),
        }


def _speakers(pks, *, everyone):
    for speaker in _rows(Speaker, pks, everyone=everyone):
        yield {"name": speaker.name, "slug": speaker.slug, "kind": speaker.kind, "description": speaker.description} | {
            "created_at": isoformat(speaker.created_at)
        }


def _sets(sets, claim_ids):
    for claim_set in sets.select_related("curator"):
        members = [
            {"claim": claim_ids[claim_id], "note": note}
            for claim_id, note in ClaimSetMembership.objects.filter(claim_set=claim_set)
            .order_by("position")
            .values_list("claim_id", "note")
            if claim_id in claim_ids
        ]
        yield {
            "title": claim_set.title,
            "slug": claim_set.slug,
            "description": claim_set.description,
            "public": claim_set.is_public,
            "curator": _username(claim_set.curator),
            "created_at": isoformat(claim_set.created_at),
            "members": members,
        }
