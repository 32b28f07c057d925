"""Claim-set JSON: the format ``import_claims`` reads back (docs/claimset.md).

The staff command's export (``version=LIVE``) writes ``editorial.claimset/2``, the whole editorial
record: publishers, sources with their notes, tags and every revision (with its original bytes,
base64, unless ``originals=False``), claims with their citations, relations, approved public version
and moderation history, speakers, and every claim set. Exports over HTTP and ``--public``
(``version=PUBLIC``) write ``editorial.claimset/1``: the approved public versions, with nothing
internal (notes, moderation history, usernames, original files).

It is written as ``json.dumps(document, indent=2, ensure_ascii=False)`` would write it, but
streamed: the header, then the sources a chunk at a time, then the claims a chunk at a time, then
(version 2, ``claimset_full``) the publishers, speakers and claim sets those named.

Document ids are stable references, never database keys: sources are ``s1``, ``s2`` … in the
order they are listed (by database row, so a round trip through an empty database keeps them), and
claims ``c1``, ``c2`` … in export order. Everything else is named by what identifies it to a
reader: publishers and speakers by name, revisions by number, users by username, sets by slug. A
relation or set member outside the export is left out: the document cannot name it. Building the
two id maps (one query per chunk of claims, before the sources are written) is the only part of the
export whose memory grows with its size — 16 bytes per claim and per source (``base.DocumentIds``).

On PostgreSQL, the version 1 document's sources and claims are read by the database
(``json_postgresql``); the text is the same.

Which sources: those the exported claims cite, or with ``all_sources`` every source in the
database (the staff command's full backup, so that sources nobody cites yet survive a restore).
"""

import logging
from collections.abc import Iterator

from django.utils import timezone

from editorial.exports import json_postgresql, postgresql, records
from editorial.exports.base import DocumentIds, Stream, json_chunks, write_chunks
from editorial.exports.claimset_full import FULL_FORMAT, REVISION_EXTRA, full_document
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat
from sources.models import Revision, Source

__all__ = ["FORMAT", "FULL_FORMAT", "REVISION_EXTRA", "iter_chunks", "write"]

NAME = "json"
MEDIA_TYPE = "application/json"
EXTENSION = "json"
LABEL = "Claim-set JSON (for import_claims)"

FORMAT = "editorial.claimset/1"  # what exports over HTTP (the approved public versions) write
SOURCE_CHUNK_SIZE = 50  # sources per chunk: their revision texts are held in memory together

logger = logging.getLogger(__name__)


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(
    claims,
    *,
    version=PUBLIC,
    base_url=None,
    claim_set=None,
    all_sources=False,
    exported_at=None,
    originals=True,
    chunk_size=None,
) -> Iterator[str]:
    """Yield the claim-set JSON document of ``claims`` (a queryset, in its order).

    ``version=PUBLIC`` writes ``editorial.claimset/1`` from the approved public versions; ``LIVE``
    writes ``editorial.claimset/2``, the whole record, with the revisions' original bytes unless
    ``originals`` is false.
    """
    in_database = postgresql.supports(claims, version)  # PostgreSQL reads the claims (json_postgresql)
    chunk_size = chunk_size or (postgresql.CHUNK_SIZE if in_database else CHUNK_SIZE)
    if version != PUBLIC:
        yield from full_document(
            claims,
            claim_set=claim_set,
            all_sources=all_sources,
            exported_at=exported_at,
            originals=originals,
            chunk_size=chunk_size,
        )
        return
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    if in_database:
        claim_pks, cited = json_postgresql.cited_sources(claims)
    else:
        claim_pks, cited = records.cited_source_ids(claims, version=version, chunk_size=chunk_size)
    claim_ids = DocumentIds(claim_pks, "c")
    del claim_pks
    source_pks = list(Source.objects.order_by("pk").values_list("pk", flat=True)) if all_sources else sorted(cited)
    source_ids = DocumentIds(source_pks, "s")
    if in_database:
        sources = json_postgresql.claimset_sources(claims, source_pks, source_ids)
        items = json_postgresql.claimset_claims(claims, claim_ids, source_ids, base_url=base_url, chunk_size=chunk_size)
    else:
        sources = _sources(source_pks, source_ids, base_url)
        items = _claims(claims, claim_ids, source_ids, version=version, base_url=base_url, chunk_size=chunk_size)

    document = {
        "format": FORMAT,
        "exported_at": isoformat(exported_at or timezone.now()),
        "set": (
            {"title": claim_set.title, "slug": claim_set.slug, "description": claim_set.description}
            if claim_set is not None
            else None
        ),
        "sources": Stream(sources),
        "claims": Stream(items),
    }
    yield from json_chunks(document)
    yield "\n"


def _sources(source_pks, source_ids, base_url):
    for chunk in records.chunked(source_pks, SOURCE_CHUNK_SIZE):
        revisions = {}
        for source_id, number, sha256, captured_at, updated_at, text in (
            Revision.objects.filter(source_id__in=chunk)
            .order_by("source_id", "number")
            .values_list("source_id", "number", "sha256", "captured_at", "publisher_updated_at", "text")
        ):
            revisions.setdefault(source_id, []).append(
                {
                    "number": number,
                    "sha256": sha256,
                    "captured_at": isoformat(captured_at),
                    "updated_at": isoformat(updated_at),
                    "text": text,
                }
            )
        for source in records.load_sources(chunk, base_url=base_url):
            yield {
                "id": source_ids[source.pk],
                "title": source.title,
                "url": source.url,
                "publisher": source.publisher or None,
                "section": source.section,
                "byline": source.byline,
                "authors": [{"name": name, "location": location} for name, location in source.authors],
                "language": source.language,
                "published_at": isoformat(source.published_at),
                "updated_at": isoformat(source.updated_at),
                "revisions": revisions.get(source.pk, []),
            }


def _claims(claims, claim_ids, source_ids, *, version, base_url, chunk_size):
    for claim in records.iter_claims(
        claims, version=version, base_url=base_url, with_texts=True, with_speaker_kinds=False, chunk_size=chunk_size
    ):
        if claim.pk not in claim_ids:
            # Created or published after the ids were assigned: it was not in the export's list.
            continue
        citations = []
        for citation in claim.citations:
            source_id = source_ids.get(citation.source.pk)
            if source_id is None:  # cited after the source list was written (a concurrent edit)
                logger.warning("Claim %s: citation of source %s left out of the export", claim.pk, citation.source.pk)
                continue
            citations.append(
                {
                    "source": source_id,
                    "revision": citation.revision.number,
                    "excerpt": citation.excerpt,
                    "start": citation.start,
                    "end": citation.end,
                    "prefix": citation.prefix,
                    "suffix": citation.suffix,
                    "url": citation.fragment_url,
                }
            )
        yield {
            "id": claim_ids[claim.pk],
            "statement": claim.statement,
            "speaker": claim.speaker_name or None,
            "claim_date": isoformat(claim.claim_date),
            "status": claim.status,
            "verdict": claim.verdict or None,
            "tags": claim.tags,
            "citations": citations,
            "relations": [
                {"kind": kind, "claim": claim_ids[target]} for kind, target in claim.relations if target in claim_ids
            ],
        }
