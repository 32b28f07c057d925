"""What the exports PostgreSQL writes itself share (issue #10): which exports, and how claims are read.

On PostgreSQL the public version of the CSV (``csv_postgresql``), the claim-set JSON and the Web
Annotations (``json_postgresql``) are written by the database, a chunk of claims per query, rather
than built claim by claim in Python: that work, not the database's, was their whole cost.

Each such export reads the queryset once, by a cursor over the claims' ids in its order
(``id_chunks``); each chunk's query re-reads only those of them still published with an approved
version (the rule of ``records.exported_claims``), and of a claim row only its id, status, stamps
and approved version, never the live, editable fields (``CLAIMS``).
"""

from collections.abc import Iterator

from django.db import connections
from django.db.models import Case, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from editorial.exports.records import PUBLIC, exported_claims
from editorial.public.version import statement_slug
from editorial.workflow import PUBLIC_STATUSES

# Claims per query: more than ``records.CHUNK_SIZE``, since a query costs its planning and a round
# trip, and what it answers is held only until it is written.
CHUNK_SIZE = 2000

# The chunk's claims in the order of ``ids``, those still published with an approved version. They
# are found by their ids alone (the innermost ``OFFSET 0``): a chunk is a few hundred of them,
# whatever an index on the status promises. ``slug`` is the approved version's, or for a version
# approved without one (older releases) the one made in Python (``fallback_ids``/``fallback_slugs``).
CLAIMS = """
    SELECT k.position, c.id, c.status, c.created_at, c.published_at, c.public_snapshot AS approved,
           coalesce(nullif(c.public_snapshot->>'slug', ''), f.slug, 'claim') AS slug
    FROM (
        SELECT id, status, created_at, published_at, public_snapshot
        FROM editorial_claim WHERE id = ANY(%(ids)s::bigint[]) OFFSET 0
    ) c
    JOIN unnest(%(ids)s::bigint[]) WITH ORDINALITY AS k(id, position) ON k.id = c.id
    LEFT JOIN unnest(%(fallback_ids)s::bigint[], %(fallback_slugs)s::text[]) AS f(id, slug) ON f.id = c.id
    WHERE c.status = ANY(%(statuses)s) AND c.public_snapshot IS NOT NULL
"""


def supports(claims, version) -> bool:
    """Return True when PostgreSQL writes ``claims``' export in ``version`` (the public one)."""
    return version == PUBLIC and connections[claims.db].vendor == "postgresql"


def timestamp(column):
    """Return the SQL of ``records.isoformat(column)``: ISO 8601 in UTC, microseconds only when set."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN to_char({utc}, 'US') <> '000000' THEN '.' || to_char({utc}, 'US') ELSE '' END "
        f"|| '+00:00'"
    )


def id_chunks(claims, chunk_size) -> Iterator[dict]:
    """Yield the query parameters of ``claims``' exported claims, ``chunk_size`` at a time, in order.

    ``ids`` (an array's text: psycopg's list dumper costs more than the rest of the client's work),
    and ``fallback_ids``/``fallback_slugs`` for the claims whose approved version has no slug.
    """
    unslugged_statement = Case(
        When(export_approved_slug="", then=KT("public_snapshot__statement")),
        default=None,
        output_field=TextField(),
    )
    rows = (
        exported_claims(claims, PUBLIC)
        .annotate(export_approved_slug=Coalesce(KT("public_snapshot__slug"), Value(""), output_field=TextField()))
        .values_list("pk", unslugged_statement)
        .iterator(chunk_size=chunk_size)
    )
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield _parameters(chunk)
            chunk = []
    if chunk:
        yield _parameters(chunk)


def _parameters(chunk):
    unslugged = [(pk, statement_slug(statement)) for pk, statement in chunk if statement is not None]
    return {
        "ids": "{" + ",".join([str(pk) for pk, _ in chunk]) + "}",
        "fallback_ids": [pk for pk, _ in unslugged],
        "fallback_slugs": [slug for _, slug in unslugged],
        "statuses": list(PUBLIC_STATUSES),
    }


def fetch_text(connection, query, parameters):
    """Return the one text the chunk ``query`` answers (None when the chunk has no rows)."""
    with connection.cursor() as cursor:
        cursor.execute(query, parameters)
        (text,) = cursor.fetchone()
    return text
