"""schema.org JSON-LD: a ``Claim`` per claim — a ``ClaimReview`` of it where it has a verdict.

The one schema.org builder: the export's graph and a claim page's embedded document
(``page_document``, in a ``<script>`` from ``script_element``) are built here from the same
``ClaimRecord``, so the two always agree.

* ``Claim`` — ``text`` (the statement), ``author`` (the speaker: Person or Organization),
  ``dateCreated`` (the claim date), ``keywords`` (tags), ``appearance`` (every cited source as a
  ``NewsArticle`` with author, publisher, datePublished, dateModified), ``firstAppearance`` (the
  earliest published of them) and ``citation`` (each excerpt as a ``Quotation`` whose ``isBasedOn``
  is its article and whose ``url`` deep-links to the passage with a Text Fragment).
* ``ClaimReview`` (claims with a verdict) — ``claimReviewed``, ``reviewRating`` (a ``Rating`` whose
  ``alternateName`` is the verdict as readers read it, as Google's fact-check markup requires),
  ``itemReviewed`` (the Claim above), ``url``, ``datePublished``.

The document is ``{"@context": "https://schema.org", "@graph": [...]}``; empty values are left out.
"""

import datetime
import json
from collections.abc import Iterator

from django.utils.safestring import mark_safe

from editorial.exports import records
from editorial.exports.base import Stream, compact, json_chunks, write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat
from editorial.models import SpeakerKind, Verdict

NAME = "jsonld"
MEDIA_TYPE = "application/ld+json"
EXTENSION = "jsonld"
LABEL = "schema.org JSON-LD (Claim, ClaimReview)"


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield the JSON-LD document of ``claims``."""
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    items = (
        item(claim, base_url=base_url)
        for claim in records.iter_claims(
            claims, version=version, base_url=base_url, with_texts=True, chunk_size=chunk_size
        )
    )
    document = {"@context": "https://schema.org"}
    if claim_set is not None:
        document["name"] = claim_set.title
    document["@graph"] = Stream(items)
    yield from json_chunks(document)
    yield "\n"


def speaker(claim):
    if not claim.speaker_name:
        return None
    kind = "Person" if claim.speaker_kind == SpeakerKind.PERSON else "Organization"
    return {"@type": kind, "name": claim.speaker_name, "description": claim.speaker_description}


def news_article(source):
    """Return a cited source as a schema.org ``NewsArticle``."""
    return {
        "@type": "NewsArticle",
        "@id": source.url or source.page_url,
        "headline": source.title,
        "url": source.url or source.page_url,
        "author": [{"@type": "Person", "name": name} for name, _ in source.authors],
        "publisher": {"@type": "Organization", "name": source.publisher} if source.publisher else None,
        "datePublished": isoformat(source.published_at),
        "dateModified": isoformat(source.updated_at),
        "articleSection": source.section,
        "inLanguage": source.language,
    }


def _first(sources):
    """Return the source published first (sources without a date come last, in citation order)."""
    latest = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return min(sources, key=lambda source: source.published_at or latest) if sources else None


def claim_entity(claim):
    """Return the schema.org ``Claim`` for a ``ClaimRecord``."""
    sources = claim.sources
    first = _first(sources)
    said_by = speaker(claim)
    return {
        "@type": "Claim",
        "@id": claim.permalink or None,
        "url": claim.permalink or None,
        "text": claim.statement,
        "author": said_by,
        "dateCreated": isoformat(claim.claim_date),
        "datePublished": isoformat(claim.published_at),
        "dateModified": isoformat(claim.modified_at),
        "keywords": claim.tags,
        "appearance": [news_article(source) for source in sources],
        "firstAppearance": news_article(first) if first else None,
        "citation": [
            {
                "@type": "Quotation",
                "text": citation.excerpt,
                "spokenByCharacter": said_by,
                "url": citation.fragment_url,
                "isBasedOn": {"@type": "NewsArticle", "@id": citation.source.url or citation.source.page_url},
            }
            for citation in claim.citations
        ],
    }


def item(claim, *, base_url):
    """Return the graph node for a claim: its ``ClaimReview`` when it has a verdict, else its ``Claim``."""
    entity = claim_entity(claim)
    if not claim.verdict:
        return compact(entity)
    label = Verdict(claim.verdict).label if claim.verdict in Verdict.values else claim.verdict
    review = {
        "@type": "ClaimReview",
        "url": claim.permalink or None,
        "claimReviewed": claim.statement,
        "datePublished": isoformat(claim.published_at),
        "dateModified": isoformat(claim.modified_at),
        "author": {"@type": "Organization", "url": base_url},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": label,
            "name": label,
            "ratingExplanation": claim.verdict_explanation,
        },
        "itemReviewed": entity,
    }
    return compact(review)


def page_document(claim, *, base_url):
    """Return the JSON-LD document a claim's page embeds: its graph node with the schema.org context."""
    return {"@context": "https://schema.org", **item(claim, base_url=base_url)}


# The characters that could end the <script> element or open an HTML comment, escaped as JSON
# allows (the same set as Django's ``json_script``).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script_element(document):
    """Return ``<script type="application/ld+json">`` holding ``document``, safe inside HTML."""
    payload = json.dumps(document, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 — escaped above
