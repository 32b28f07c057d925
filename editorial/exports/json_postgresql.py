"""The claim-set JSON (version 1) and the Web Annotations of the public version, read by PostgreSQL.

``claimset.iter_chunks`` and ``annotations.iter_chunks`` hand the public version on PostgreSQL
here (``postgresql.supports``). Per chunk of claims one query cuts what the document holds out of
the approved versions with ``jsonb`` operators, joins the cited revisions and sources, and returns
plain rows (a row per passage) that Python turns into the document's dicts, constant parts and
all, for ``base.json_chunks`` to write as every export does. The sources of the claim set, mostly
their revisions' texts, come back as one JSON array per chunk (``json_build_object`` keeps its
keys in the order written), parsed by orjson. Reading the approved versions as Django's JSON
fields, and building records claim by claim (``records.claim_chunks``), was these exports' whole
cost. The text is the Python writers', byte for byte (``tests/editorial/exports/test_json_postgresql.py``
holds them together); the rules are theirs:

* a citation of a revision that no longer exists is left out; a claim keeps its other ones;
* a passage's link (the claim set's ``url``) is the source's address with the Text Fragment
  directive the approved version holds (``fragment``, made at approval); our revision page when
  the source has no address. A version approved by an older release has no directive, and an
  address with a fragment of its own needs ``urllib``'s parsing: those few links are made in
  Python from the revision's text (``_fill_links``);
* relations lead only to published claims, and (in Python) only to claims in the export;
* timestamps as ``records.isoformat`` and ``annotations.utc`` write them.

Document ids (``c1`` …, ``s1`` …) are given in Python from the export's lists (``base.DocumentIds``).
"""

import logging
from array import array

import orjson
from django.db import connections

from editorial import textfragments
from editorial.choices import Verdict
from editorial.exports.addresses import claim_path_parts, revision_path_parts
from editorial.exports.postgresql import CLAIMS, fetch_text, id_chunks, timestamp
from editorial.exports.records import PUBLIC, exported_claims
from editorial.workflow import LISTED_STATUSES
from sources.models import Revision

logger = logging.getLogger(__name__)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"  # annotations.CONTEXT
SOURCE_CHUNK_SIZE = 200  # sources per query: their revisions' texts come back together

UTC_SECONDS = '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\''  # ``annotations.utc``: UTC, whole seconds, ``Z``
REVISION_PAGE = "%(revision_path_start)s || s.slug || %(revision_path_middle)s || r.number || %(revision_path_end)s"


def _utc(column):
    return f"to_char(({column}) AT TIME ZONE 'UTC', {UTC_SECONDS})"


def _text_or_empty(key):
    """Return the SQL of ``cited.get(key, "")``: a missing key reads as "", a JSON null as NULL."""
    return f"CASE WHEN t.cited->'{key}' IS NULL THEN '' ELSE t.cited->>'{key}' END"


# A revision and its source looked up by key: the planner, misjudging how many passages a chunk
# quotes, otherwise scans every revision for each claim.
PASSAGES = f"""
    SELECT t.n, t.cited->>'position' AS position, r.id AS revision_id, r.number, r.captured_at, r.source_id,
           s.url AS source_url, {REVISION_PAGE} AS revision_page,
           t.cited->>'excerpt' AS excerpt, (t.cited->>'start')::bigint AS start, (t.cited->>'end')::bigint AS "end",
           {_text_or_empty("prefix")} AS prefix, {_text_or_empty("suffix")} AS suffix, t.cited->>'fragment' AS fragment
    FROM jsonb_array_elements(c.approved->'citations') WITH ORDINALITY AS t(cited, n)
    JOIN LATERAL (
        SELECT r.id, r.number, r.captured_at, r.source_id FROM sources_revision r
        WHERE r.id = (t.cited->>'revision')::bigint LIMIT 1
    ) r ON true
    JOIN LATERAL (SELECT s.url, s.slug FROM sources_source s WHERE s.id = r.source_id LIMIT 1) s ON true
"""  # noqa: S608 — made of constants; every value is a parameter

# The claim set's claims: a row per passage (one, its passage columns NULL, for a claim without
# any), in claim then passage order. ``url`` is NULL where the link is left to Python.
CLAIMSET_CLAIMS = f"""
WITH c AS MATERIALIZED ({CLAIMS})
SELECT c.id, c.approved->>'statement', nullif(c.approved->'speaker'->>'name', ''),
       nullif(c.approved->>'claim_date', ''), c.status, nullif(c.approved->>'verdict', ''),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(c.approved->'tags', '[]'::jsonb))),
       relation.kinds, relation.targets,
       p.source_id, p.number, p.excerpt, p.start, p."end", p.prefix, p.suffix,
       CASE
           WHEN p.source_url = '' THEN p.revision_page
           WHEN p.fragment = '' THEN p.source_url
           WHEN strpos(p.source_url, '#') = 0 THEN p.source_url || '#:~:' || p.fragment
       END,
       p.revision_id, p.source_url
FROM c
LEFT JOIN LATERAL (
    SELECT array_agg(relation.kind ORDER BY relation.id) AS kinds,
           array_agg(relation.to_claim_id ORDER BY relation.id) AS targets
    FROM editorial_claimrelation relation
    JOIN editorial_claim target ON target.id = relation.to_claim_id
    WHERE relation.from_claim_id = c.id
      AND target.status = ANY(%(listed)s) AND target.public_snapshot IS NOT NULL
) relation ON true
LEFT JOIN LATERAL ({PASSAGES}) p ON true
ORDER BY c.position, p.n
"""  # noqa: S608

CLAIMSET_SOURCES = f"""
SELECT (json_agg(json_build_object(
    'id', s.id,
    'title', s.title,
    'url', s.url,
    'publisher', nullif(p.name, ''),
    'section', s.section,
    'byline', s.byline,
    'authors', coalesce((
        SELECT json_agg(json_build_object('name', a.name, 'location', b.location) ORDER BY b.position)
        FROM sources_byline b JOIN sources_author a ON a.id = b.author_id
        WHERE b.source_id = s.id
    ), '[]'),
    'language', s.language,
    'published_at', {timestamp("s.published_at")},
    'updated_at', {timestamp("s.updated_at")},
    'revisions', coalesce((
        SELECT json_agg(json_build_object(
            'number', r.number,
            'sha256', r.sha256,
            'captured_at', {timestamp("r.captured_at")},
            'updated_at', {timestamp("r.publisher_updated_at")},
            'text', r.text
        ) ORDER BY r.number)
        FROM sources_revision r WHERE r.source_id = s.id
    ), '[]')
) ORDER BY s.id))::text
FROM sources_source s
LEFT JOIN sources_publisher p ON p.id = s.publisher_id
WHERE s.id = ANY(%(ids)s::bigint[])
"""  # noqa: S608

# One row per annotation: per approved citation of a revision that exists, in claim then citation order.
ANNOTATIONS = f"""
WITH c AS MATERIALIZED ({CLAIMS})
SELECT c.position, %(claim_path_start)s || c.id || %(claim_path_middle)s || c.slug || %(claim_path_end)s,
       {_utc("coalesce(c.published_at, c.created_at)")},
       {_utc("coalesce((c.approved->>'approved_at')::timestamptz, c.published_at, c.created_at)")},
       c.approved->>'statement', ARRAY(SELECT jsonb_array_elements_text(coalesce(c.approved->'tags', '[]'::jsonb))),
       c.approved->>'verdict',
       p.position, CASE WHEN p.source_url = '' THEN p.revision_page ELSE p.source_url END,
       p.excerpt, p.prefix, p.suffix, p.start, p."end", {_utc("p.captured_at")}, p.revision_page
FROM c
CROSS JOIN LATERAL ({PASSAGES}) p
ORDER BY c.position, p.n
"""  # noqa: S608


def _addresses(base_url):
    claim_start, claim_middle, claim_end = claim_path_parts()
    revision_start, revision_middle, revision_end = revision_path_parts()
    return {
        "claim_path_start": base_url + claim_start,
        "claim_path_middle": claim_middle,
        "claim_path_end": claim_end,
        "revision_path_start": base_url + revision_start,
        "revision_path_middle": revision_middle,
        "revision_path_end": revision_end,
    }


def _items(connection, query, parameters):
    """Return the items of the chunk ``query`` answers as one JSON array (sent as text, parsed here)."""
    text = fetch_text(connection, query, parameters)
    return orjson.loads(text) if text else []


def cited_sources(claims):
    """Return ``(claim pks in order, cited source pks)`` of ``claims``' export: ``records.cited_source_ids``.

    The sources are collected by the database from the approved versions, not decoded claim by claim.
    """
    exported = exported_claims(claims, PUBLIC)
    pks = array("q", exported.values_list("pk", flat=True).iterator(chunk_size=10_000))
    members, parameters = exported.order_by().values("pk").query.sql_with_params()
    with connections[claims.db].cursor() as cursor:
        query = f"""
            SELECT DISTINCT (cited->>'source')::bigint FROM editorial_claim c
            CROSS JOIN LATERAL jsonb_array_elements(c.public_snapshot->'citations') AS cited
            WHERE c.id IN ({members})
        """  # noqa: S608 — Django's SQL, its values as parameters
        cursor.execute(query, parameters)
        sources = {pk for (pk,) in cursor}
    return pks, sources


def claimset_sources(claims, source_pks, source_ids):
    """Yield the claim set's sources ``source_pks`` (ascending) as dicts, ``SOURCE_CHUNK_SIZE`` a query."""
    connection = connections[claims.db]
    for start in range(0, len(source_pks), SOURCE_CHUNK_SIZE):
        chunk = source_pks[start : start + SOURCE_CHUNK_SIZE]
        ids = "{" + ",".join([str(pk) for pk in chunk]) + "}"
        for source in _items(connection, CLAIMSET_SOURCES, {"ids": ids}):
            source["id"] = source_ids[source["id"]]
            yield source


def claimset_claims(claims, claim_ids, source_ids, *, base_url, chunk_size):
    """Yield the claim set's claims as dicts, in the queryset's order, ``chunk_size`` a query."""
    connection = connections[claims.db]
    parameters = {**_addresses(base_url), "listed": list(LISTED_STATUSES)}
    for chunk in id_chunks(claims, chunk_size):
        with connection.cursor() as cursor:
            cursor.execute(CLAIMSET_CLAIMS, {**parameters, **chunk})
            rows = cursor.fetchall()
        claims_in_chunk, links = [], []
        claim_pk = claim = None
        for row in rows:
            pk = row[0]
            if pk != claim_pk:
                claim_pk = pk
                claim = _claimset_claim(row, claim_ids)
                if claim is not None:
                    claims_in_chunk.append(claim)
            if claim is None or row[9] is None:  # not in the export's list; no passage
                continue
            source = source_ids.get(row[9])
            if source is None:  # cited after the source list was written (a concurrent edit)
                logger.warning("Claim %s: citation of source %s left out of the export", pk, row[9])
                continue
            number, excerpt, start, end, prefix, suffix, url, revision_id, source_url = row[10:]
            citation = {
                "source": source,
                "revision": number,
                "excerpt": excerpt,
                "start": start,
                "end": end,
                "prefix": prefix,
                "suffix": suffix,
                "url": url,
            }
            if url is None:
                links.append((citation, revision_id, source_url))
            claim["citations"].append(citation)
        _fill_links(links, claims.db)
        yield from claims_in_chunk


def _claimset_claim(row, claim_ids):
    """Return a claim of the document (its citations to come) from a row, or None when not in the export."""
    pk, statement, speaker, claim_date, status, verdict, tags, kinds, targets = row[:9]
    document_id = claim_ids.get(pk)
    if document_id is None:
        return None  # created or published after the ids were assigned: not in the export's list
    relations = []
    for kind, target in zip(kinds or (), targets or (), strict=True):
        target_id = claim_ids.get(target)
        if target_id is not None:
            relations.append({"kind": kind, "claim": target_id})
    return {
        "id": document_id,
        "statement": statement,
        "speaker": speaker,
        "claim_date": claim_date,
        "status": status,
        "verdict": verdict,
        "tags": tags,
        "citations": [],
        "relations": relations,
    }


def _fill_links(links, using):
    """Make in Python the passage links the query left to it, reading those revisions' texts (one query)."""
    if not links:
        return
    revisions = Revision.objects.using(using).filter(pk__in={revision_id for _, revision_id, _ in links})
    texts = dict(revisions.values_list("pk", "text"))
    for citation, revision_id, source_url in links:
        text = texts.get(revision_id)
        citation["url"] = (
            source_url
            if text is None  # deleted since the query: no text to find the passage in
            else textfragments.fragment_url(source_url, text, citation["start"], citation["end"])
        )


def annotations(claims, *, base_url, chunk_size):
    """Yield the annotations of ``claims``' approved citations as dicts, ``chunk_size`` claims a query.

    Each is ``annotations.annotation``'s dict; its parts that stay the same are built here, the
    claim's body once per claim.
    """
    connection = connections[claims.db]
    parameters = _addresses(base_url)
    labels = {value: str(label) for value, label in Verdict.choices}
    for chunk in id_chunks(claims, chunk_size):
        with connection.cursor() as cursor:
            cursor.execute(ANNOTATIONS, {**parameters, **chunk})
            rows = cursor.fetchall()
        claim_position = body = None
        for row in rows:
            position, permalink, created, modified, statement, tags, verdict = row[:7]
            if position != claim_position:
                claim_position = position
                body = [
                    {"type": "TextualBody", "purpose": "describing", "value": statement, "format": "text/plain"},
                    *({"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags),
                ]
                if verdict:
                    body.append(
                        {
                            "type": "TextualBody",
                            "purpose": "assessing",
                            "value": labels.get(verdict, verdict),
                            "format": "text/plain",
                        }
                    )
                body.append({"id": permalink, "type": "Text", "format": "text/html"})
            number, source, excerpt, prefix, suffix, start, end, captured, cached = row[7:]
            yield {
                "@context": CONTEXT,
                "id": f"{permalink}#citation-{number}",
                "type": "Annotation",
                "motivation": "describing",
                "created": created,
                "modified": modified,
                "body": body,
                "target": {
                    "type": "SpecificResource",
                    "source": source,
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": excerpt, "prefix": prefix, "suffix": suffix},
                        {"type": "TextPositionSelector", "start": start, "end": end},
                    ],
                    "state": {"type": "TimeState", "sourceDate": captured, "cached": cached},
                },
            }
