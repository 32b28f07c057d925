"""W3C Web Annotations: one annotation per citation, in an AnnotationCollection.

Each annotation says "this passage of this source backs this claim":

* ``target`` — a ``SpecificResource`` whose ``source`` is the original page (or the revision page
  here when the source has no address), selected by a ``TextQuoteSelector`` (``exact``, ``prefix``,
  ``suffix``) and a ``TextPositionSelector`` (``start``/``end`` in Unicode code points, as the
  model defines them). Both select in the text as captured, so the target carries a ``TimeState``:
  ``sourceDate`` is when the revision was captured and ``cached`` is its page here, where the
  offsets hold exactly.
* ``body`` — the claim's statement (``TextualBody``, purpose ``describing``), its tags (purpose
  ``tagging``), its verdict (purpose ``assessing``) and its public page when it has one.

The collection embeds one ``AnnotationPage`` holding every annotation (an export is one file; an
API would split pages). Each annotation repeats the ``@context`` so that it stands alone, as the
W3C test suite checks it. Timestamps are UTC with ``Z``, as ``TimeState`` requires.
"""

import datetime
import functools
from collections.abc import Iterator

from editorial.exports import json_postgresql, postgresql, records
from editorial.exports.base import Stream, json_chunks, write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC
from editorial.models import Verdict

NAME = "annotations"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
EXTENSION = "jsonld"
LABEL = "W3C Web Annotations (JSON-LD)"

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


@functools.lru_cache(maxsize=4096)  # a claim's times recur in each of its annotations, a revision's in each citing it
def utc(value):
    """Return ``value`` as xsd:dateTime in UTC with ``Z`` (``2022-08-16T12:19:00Z``)."""
    if not value:
        return None
    # isoformat is several times faster than strftime; the seconds are cut as strftime cuts them.
    return value.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(
    claims, *, version=PUBLIC, base_url=None, claim_set=None, collection_url=None, chunk_size=None
) -> Iterator[str]:
    """Yield the AnnotationCollection of ``claims``' citations.

    ``collection_url`` is the collection's ``id`` (the export's own address when served over HTTP);
    by default the claim list's address here.
    """
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    collection_id = collection_url or f"{base_url}/claims/"
    label = claim_set.title if claim_set is not None else "Cited claims"
    document = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "first": {
            "id": f"{collection_id}#page-1",
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": Stream(
                json_postgresql.annotations(claims, base_url=base_url, chunk_size=chunk_size or postgresql.CHUNK_SIZE)
                if postgresql.supports(claims, version)  # PostgreSQL reads them: the same text
                else _annotations(claims, version=version, base_url=base_url, chunk_size=chunk_size or CHUNK_SIZE)
            ),
        },
    }
    yield from json_chunks(document)
    yield "\n"


def _annotations(claims, *, version, base_url, chunk_size):
    claims = records.iter_claims(
        claims,
        version=version,
        base_url=base_url,
        with_relations=False,
        with_speaker_kinds=False,
        chunk_size=chunk_size,
    )
    for claim in claims:
        for citation in claim.citations:
            yield annotation(claim, citation, base_url=base_url)


def annotation(claim, citation, *, base_url):
    """Return the Web Annotation (a dict) linking ``citation``'s passage to ``claim``."""
    claim_address = claim.permalink or records.claim_url(base_url, claim.pk, claim.slug)
    body = [
        {"type": "TextualBody", "purpose": "describing", "value": claim.statement, "format": "text/plain"},
        *({"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in claim.tags),
    ]
    if claim.verdict:
        label = Verdict(claim.verdict).label if claim.verdict in Verdict.values else claim.verdict
        body.append({"type": "TextualBody", "purpose": "assessing", "value": label, "format": "text/plain"})
    if claim.permalink:
        body.append({"id": claim.permalink, "type": "Text", "format": "text/html"})
    selectors = [
        {"type": "TextQuoteSelector", "exact": citation.excerpt, "prefix": citation.prefix, "suffix": citation.suffix},
        {"type": "TextPositionSelector", "start": citation.start, "end": citation.end},
    ]
    return {
        "@context": CONTEXT,
        "id": f"{claim_address}#citation-{citation.position}",
        "type": "Annotation",
        "motivation": "describing",
        "created": utc(claim.published_at or claim.created_at),
        "modified": utc(claim.modified_at or claim.published_at or claim.created_at),
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": citation.target_url,
            "selector": selectors,
            "state": {
                "type": "TimeState",
                "sourceDate": utc(citation.revision.captured_at),
                "cached": citation.revision.url,
            },
        },
    }
