"""schema.org JSON-LD for public pages, and a ``<script>`` element that cannot be broken out of."""

import json

from django.utils.safestring import mark_safe

from editorial.models import SpeakerKind

# The characters that could end the <script> element or open an HTML comment, escaped as JSON
# allows (the same set as Django's ``json_script``).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _isoformat(value):
    return value.isoformat() if value else None


def _compact(data):
    """Drop empty values (None, "", [], {}) so the document states only what is known."""
    if isinstance(data, dict):
        cleaned = {key: _compact(value) for key, value in data.items()}
        return {key: value for key, value in cleaned.items() if value not in (None, "", [], {})}
    if isinstance(data, list):
        return [_compact(item) for item in data if item not in (None, "", [], {})]
    return data


def speaker_entity(speaker, name):
    """Return the schema.org Person or Organization for a claim's speaker (None when there is none)."""
    if not name:
        return None
    kind = getattr(speaker, "kind", SpeakerKind.PERSON)
    entity = {"@type": "Person" if kind == SpeakerKind.PERSON else "Organization", "name": name}
    if speaker is not None and getattr(speaker, "description", ""):
        entity["description"] = speaker.description
    return entity


def news_article(source, *, url=""):
    """Return ``source`` as a schema.org NewsArticle (the claim's ``appearance``)."""
    return {
        "@type": "NewsArticle",
        "headline": source.title,
        "url": source.url or url,
        "author": [{"@type": "Person", "name": byline.author.name} for byline in source.public_bylines],
        "publisher": {"@type": "Organization", "name": source.publisher.name} if source.publisher else None,
        "datePublished": _isoformat(source.published_at),
        "dateModified": _isoformat(source.updated_at),
        "inLanguage": source.language,
        "articleSection": source.section,
    }


def claim_document(public_claim, *, claim_url, source_urls):
    """Return the schema.org ``Claim`` for a public claim (see ``editorial.views.PublicClaim``).

    ``source_urls`` maps source ids to the absolute URL of their page here, used when a source has
    no original address.
    """
    sources, seen = [], set()
    for citation in public_claim.citations:
        if citation.source is not None and citation.source.pk not in seen:
            seen.add(citation.source.pk)
            sources.append(citation.source)
    appearances = [news_article(source, url=source_urls.get(source.pk, "")) for source in sources]
    document = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "@id": claim_url,
        "url": claim_url,
        "text": public_claim.statement,
        "author": speaker_entity(public_claim.speaker, public_claim.speaker_name),
        "dateCreated": _isoformat(public_claim.claim_date),
        "datePublished": _isoformat(public_claim.claim.published_at),
        "dateModified": public_claim.approved_at,
        "keywords": [tag.name for tag in public_claim.tags],
        "appearance": appearances,
        "firstAppearance": appearances[0] if appearances else None,
    }
    return _compact(document)


def script_element(document):
    """Return ``<script type="application/ld+json">`` holding ``document``, safe inside HTML."""
    payload = json.dumps(document, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 — escaped above
