"""The CSV export's rows in the public version, written by PostgreSQL (issue #10).

``csv.iter_chunks`` hands the public version on PostgreSQL here: per chunk of claims, one query
reads the approved versions (``public_snapshot`` of the claims the queryset lists), cuts the
fields and the approved citations out of them with ``jsonb`` operators, joins the cited revisions
and sources, and returns the chunk's CSV text whole, so that Python only passes it on. It is the
text ``csv.writer`` writes from ``records.claim_chunks`` (``tests/editorial/exports/test_csv_postgresql.py``
holds the two together), which fixes every rule below:

* a cell is quoted when it holds a comma, a double quote, a carriage return or a line feed, its
  quotes doubled (``csv.QUOTE_MINIMAL``); rows end in ``\\r\\n``; an empty or missing value is
  an empty cell. ``COPY … (FORMAT csv)`` cannot write that: it ends rows in ``\\n`` and quotes
  empty strings;
* a text cell that a spreadsheet would run as a formula gets a leading ``'`` (``csv.neutralise``);
  numbers, and the claim's date, are written as they are;
* timestamps as ``records.isoformat`` writes them: UTC, ``+00:00``, microseconds when there are any;
* a citation of a revision that no longer exists is left out (a claim left without any still gets
  its row with the citation columns empty), as ``records`` does;
* a version approved without a ``slug`` (older releases) gets ``statement_slug`` of its statement,
  computed in Python for those claims only and passed in with the chunk.

The claims are read as ``postgresql`` says (``id_chunks``, ``CLAIMS``).
"""

from collections.abc import Iterator

from django.db import connections

from editorial.exports.addresses import claim_path_parts
from editorial.exports.postgresql import CHUNK_SIZE, CLAIMS, fetch_text, id_chunks, supports, timestamp

__all__ = ["CHUNK_SIZE", "iter_rows", "supports"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # csv.FORMULA_STARTS (a test holds them together)


def _cell(column, *, guard=True):
    """Return the SQL of ``column`` (text, or NULL for an empty cell) as one CSV cell."""
    codes = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
    mark = f"CASE WHEN ascii({column}) IN ({codes}) THEN '''' ELSE '' END || " if guard else ""
    return (
        f"CASE WHEN {column} ~ '[\",\\r\\n]' THEN '\"' || {mark}replace({column}, '\"', '\"\"') || '\"' "
        f"ELSE {mark}{column} END"
    )


def _cells(*cells):
    """Return the SQL of ``cells`` (from ``_cell``) as part of a row; a NULL cell is written empty."""
    return "concat(" + ", ',', ".join(cells) + ")"


HEAD = _cells("id::text", _cell("statement"), _cell("speaker"), "status", _cell("tags"))
TAIL = _cells(_cell("permalink"), _cell("claim_date", guard=False), _cell("verdict"), _cell("verdict_explanation"))
PASSAGE = _cells(_cell("excerpt"), _cell("start_offset", guard=False), _cell("end_offset", guard=False))
SOURCE = _cells(
    *(_cell(column) for column in ("title", "publisher", "byline", "url")),
    _cell("published_at", guard=False),
    _cell("updated_at", guard=False),
    "number::text",
    _cell("sha256"),
)
DETAILS = _cells(_cell("section"), _cell("language"))

# A row is made of parts, each formatted once where it comes from: per claim ``head`` (claim_id …
# tags) and ``tail`` (permalink … verdict_explanation); per citation ``passage`` (excerpt, start,
# end) and ``note``; per cited revision ``source`` (source_title … sha256) and ``details``
# (section, language). A claim without citations gets empty citation cells.
#
# ``claim``: the chunk's claims (``postgresql.CLAIMS``), read from their approved versions only.
# ``cited``: their approved citations, in snapshot order. ``revision``: the revisions they cite.
# Each ``raw`` subquery (kept apart by ``OFFSET 0``) reads a field once per row, however often its
# cell names it. A status is one of ``statuses``, so it needs no quoting. A revision's source and
# publisher are looked up by key (``LATERAL … LIMIT 1``): the planner, misjudging how many
# revisions a chunk cites, hashed the whole sources table instead (43 of a chunk's 94 ms at
# 100,000 sources).
CHUNK_QUERY = f"""
WITH claim AS MATERIALIZED (
    SELECT position, citations, {HEAD} AS head, {TAIL} AS tail
    FROM (
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
        OFFSET 0
    ) raw
),
cited AS MATERIALIZED (
    SELECT claim_position, position, revision_id, {PASSAGE} AS passage, {_cells(_cell("note"))} AS note
    FROM (
        SELECT claim.position AS claim_position, t.position, (t.cited->>'revision')::bigint AS revision_id,
               t.cited->>'excerpt' AS excerpt, t.cited->>'start' AS start_offset, t.cited->>'end' AS end_offset,
               t.cited->>'note' AS note
        FROM claim CROSS JOIN LATERAL jsonb_array_elements(claim.citations) WITH ORDINALITY AS t(cited, position)
        OFFSET 0
    ) raw
),
revision AS MATERIALIZED (
    SELECT id, {SOURCE} AS source, {DETAILS} AS details
    FROM (
        SELECT r.id, r.number, r.sha256, s.title, p.name AS publisher, s.byline, s.url, s.section, s.language,
               {timestamp("s.published_at")} AS published_at, {timestamp("s.updated_at")} AS updated_at
        FROM sources_revision r
        JOIN LATERAL (SELECT * FROM sources_source s WHERE s.id = r.source_id LIMIT 1) s ON true
        LEFT JOIN LATERAL (SELECT p.name FROM sources_publisher p WHERE p.id = s.publisher_id LIMIT 1) p ON true
        WHERE r.id IN (SELECT revision_id FROM cited)
        OFFSET 0
    ) raw
)
SELECT string_agg(
    CASE WHEN revision.id IS NULL
        THEN claim.head || ',,,,,,,,,,,,' || claim.tail || E',,,\\r\\n'
        ELSE concat_ws(',', claim.head, cited.passage, revision.source, claim.tail, cited.note, revision.details)
            || E'\\r\\n'
    END,
    '' ORDER BY claim.position, cited.position
)
FROM claim
LEFT JOIN (cited JOIN revision ON revision.id = cited.revision_id) ON cited.claim_position = claim.position
"""  # noqa: S608 — the text is made of the constants above; every value is a parameter


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
        text = fetch_text(connection, CHUNK_QUERY, {**parameters, **chunk})
        if text:
            yield text
