"""Claim-set JSON (``editorial.claimset/1``): the format ``import_claims`` reads back (docs/claimset.md).

The document holds ``format``, ``exported_at``, ``set``, then ``sources[]`` with every revision's
text, then ``claims[]`` whose citations name a source by its document id and a revision by its
number. It is written as ``json.dumps(document, indent=2,
ensure_ascii=False)`` would write it, but streamed: the header, then the sources a chunk at a time,
then the claims a chunk at a time.

Document ids are stable references, never database keys: sources are ``s1``, ``s2`` … in the
order they are listed (by database row, so a round trip through an empty database keeps them), and
claims ``c1``, ``c2`` … in export order. A relation to a claim outside the export is left out: the
document cannot name it. Building the two id maps (one query per chunk of claims, before the
sources are written) is the only part of the export whose memory grows with its size — a few dozen
bytes per claim and per source.

Which sources: those the exported claims cite, or with ``all_sources`` every source in the
database (the staff command's full backup, so that sources nobody cites yet survive a restore).
"""

import logging
from collections.abc import Iterator

from django.utils import timezone

from editorial.exports import records
from editorial.exports.base import Stream, json_chunks, write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat
from sources.models import Revision, Source

NAME = "json"
MEDIA_TYPE = "application/json"
EXTENSION = "json"
LABEL = "Claim-set JSON (for import_claims)"

FORMAT = "editorial.claimset/1"
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
    chunk_size=CHUNK_SIZE,
) -> Iterator[str]:
    """Yield the claim-set JSON document of ``claims`` (a queryset, in its order)."""
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    claim_pks, cited = records.cited_source_ids(claims, version=version, chunk_size=chunk_size)
    claim_ids = {pk: f"c{number}" for number, pk in enumerate(claim_pks, start=1)}
    del claim_pks
    source_pks = list(Source.objects.order_by("pk").values_list("pk", flat=True)) if all_sources else sorted(cited)
    source_ids = {pk: f"s{number}" for number, pk in enumerate(source_pks, start=1)}

    document = {
        "format": FORMAT,
        "exported_at": isoformat(exported_at or timezone.now()),
        "set": (
            {"title": claim_set.title, "slug": claim_set.slug, "description": claim_set.description}
            if claim_set is not None
            else None
        ),
        "sources": Stream(_sources(source_pks, source_ids, base_url)),
        "claims": Stream(
            _claims(claims, claim_ids, source_ids, version=version, base_url=base_url, chunk_size=chunk_size)
        ),
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
