"""The CSV export's rows in the public version, written by PostgreSQL (issue #10).

``csv.iter_chunks`` hands the public version on PostgreSQL here: per chunk of claims, one
``COPY … TO STDOUT (FORMAT csv)`` reads the approved versions (``public_snapshot`` of the claims the
queryset lists), cuts the fields and the approved citations out of them with ``jsonb`` operators,
joins the cited revisions and sources, and writes the chunk's rows, quoting and all, so that Python
only passes them on. It is the text ``csv.writer`` writes from ``records.claim_chunks``
(``tests/editorial/exports/test_csv_postgresql.py`` holds the two together), which fixes every rule
below:

* a cell is quoted when it holds a comma, a double quote, a carriage return or a line feed, its
  quotes doubled (``csv.QUOTE_MINIMAL``), which is ``COPY``'s own rule; an empty or missing value
  is an empty cell: the query gives ``NULL`` for both, since ``COPY`` quotes an empty string;
* rows end in ``\\r\\n``, where ``COPY`` ends them in ``\\n``: every row gets a last cell holding
  only a carriage return, which ``COPY`` writes as ``"\\r"``, and Python turns ``,"\\r"\\n`` into
  ``\\r\\n`` (``ROW_END``). That sequence ends a row and nothing else: inside a quoted cell every
  ``"`` is doubled, so a ``,"`` there is never followed by ``\\r"``, and no other cell is last;
* a text cell that a spreadsheet would run as a formula gets a leading ``'`` (``csv.neutralise``);
  numbers, and the claim's date, are written as they are;
* timestamps as ``records.isoformat`` writes them: UTC, ``+00:00``, microseconds when there are any;
* a citation of a revision that no longer exists is left out (a claim left without any still gets
  its row with the citation columns empty), as ``records`` does;
* a version approved without a ``slug`` (older releases) gets ``statement_slug`` of its statement,
  computed in Python for those claims only and passed in with the chunk.

Quoting in SQL (a regular expression and a ``replace`` per cell) cost as much again as a ``COPY`` of
the same columns: ``COPY`` quotes in C. The claims are read as ``postgresql`` says (``id_chunks``,
``CLAIMS``).
"""

from collections.abc import Iterator

from django.db import connections
from psycopg import ClientCursor

from editorial.exports.addresses import claim_path_parts
from editorial.exports.postgresql import CHUNK_SIZE, CLAIMS, id_chunks, supports, timestamp

__all__ = ["CHUNK_SIZE", "iter_rows", "supports"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # csv.FORMULA_STARTS (a test holds them together)
ROW_END = b',"\r"\n'  # a row's last cell, a lone carriage return, and COPY's line feed


def _text(column):
    """Return the SQL of ``column`` as a text cell: NULL when empty, a ``'`` before a formula's start."""
    codes = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
    return f"CASE WHEN ascii({column}) IN ({codes}) THEN '''' || {column} ELSE nullif({column}, '') END"


def _plain(column):
    """Return the SQL of ``column`` as a cell written as it is (offsets, dates): NULL when empty."""
    return f"nullif({column}, '')"


# ``claim``: the chunk's claims (``postgresql.CLAIMS``), read from their approved versions only.
# ``cited``: their approved citations, in snapshot order. ``revision``: the revisions they cite.
# A status is one of ``statuses``, written as it is. A revision's source and publisher are looked
# up by key (``LATERAL … LIMIT 1``): the planner, misjudging how many revisions a chunk cites,
# hashed the whole sources table instead (43 of a chunk's 94 ms at 100,000 sources).
CHUNK_QUERY = f"""
WITH claim AS MATERIALIZED (
    SELECT c.position, c.id, c.status, c.approved->'citations' AS citations,
           c.approved->>'statement' AS statement,
           c.approved->'speaker'->>'name' AS speaker,
           array_to_string(
               ARRAY(SELECT jsonb_array_elements_text(c.approved->'tags')), %(tag_separator)s
           ) AS tags,
           %(claim_path_start)s || c.id || %(claim_path_middle)s || c.slug || %(claim_path_end)s AS permalink,
           c.approved->>'claim_date' AS claim_date,
           c.approved->>'verdict' AS verdict,
           c.approved->>'verdict_explanation' AS verdict_explanation
    FROM ({CLAIMS}) c
),
cited AS MATERIALIZED (
    SELECT claim.position AS claim_position, t.position, (t.cited->>'revision')::bigint AS revision_id,
           t.cited->>'excerpt' AS excerpt, t.cited->>'start' AS start_offset, t.cited->>'end' AS end_offset,
           t.cited->>'note' AS note
    FROM claim CROSS JOIN LATERAL jsonb_array_elements(claim.citations) WITH ORDINALITY AS t(cited, position)
),
revision AS MATERIALIZED (
    SELECT r.id, r.number, r.sha256, s.title, p.name AS publisher, s.byline, s.url, s.section, s.language,
           {timestamp("s.published_at")} AS published_at, {timestamp("s.updated_at")} AS updated_at
    FROM sources_revision r
    JOIN LATERAL (SELECT * FROM sources_source s WHERE s.id = r.source_id LIMIT 1) s ON true
    LEFT JOIN LATERAL (SELECT p.name FROM sources_publisher p WHERE p.id = s.publisher_id LIMIT 1) p ON true
    WHERE r.id IN (SELECT revision_id FROM cited)
)
SELECT claim.id, {_text("claim.statement")}, {_text("claim.speaker")}, claim.status, {_text("claim.tags")},
       {_text("cited.excerpt")}, {_plain("cited.start_offset")}, {_plain("cited.end_offset")},
       {_text("revision.title")}, {_text("revision.publisher")}, {_text("revision.byline")},
       {_text("revision.url")}, revision.published_at, revision.updated_at, revision.number,
       {_text("revision.sha256")}, {_text("claim.permalink")}, {_plain("claim.claim_date")},
       {_text("claim.verdict")}, {_text("claim.verdict_explanation")}, {_text("cited.note")},
       {_text("revision.section")}, {_text("revision.language")}, E'\\r'
FROM claim
LEFT JOIN (cited JOIN revision ON revision.id = cited.revision_id) ON cited.claim_position = claim.position
ORDER BY claim.position, cited.position
"""  # noqa: S608 — the text is made of the constants above; every value is a parameter
COPY = f"COPY ({CHUNK_QUERY}) TO STDOUT (FORMAT csv)"


def iter_rows(claims, *, base_url: str, tag_separator: str, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """Yield the CSV rows (no header) of ``claims``' approved versions, a chunk of claims at a time."""
    path_start, path_middle, path_end = claim_path_parts()
    parameters = {
        "tag_separator": tag_separator,
        "claim_path_start": base_url + path_start,
        "claim_path_middle": path_middle,
        "claim_path_end": path_end,
    }
    connection = connections[claims.db]
    for chunk in id_chunks(claims, chunk_size):
        with connection.cursor() as cursor:
            # The values written into the statement by psycopg (COPY takes no parameters of its own),
            # and the statement passed through Django's cursor, which logs it when queries are logged.
            statement = ClientCursor(connection.connection).mogrify(COPY, {**parameters, **chunk})
            with cursor.copy(statement) as copy:
                rows = b"".join(copy)
        if rows:
            # Each COPY ends at a row's end: the chunk is whole rows, UTF-8 throughout.
            yield rows.replace(ROW_END, b"\r\n").decode()
