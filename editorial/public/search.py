"""Full-text search over the public read model: PostgreSQL's ``tsvector`` or SQLite's FTS5.

What is searched is what readers see: the approved statement (weighted highest), the approved
speaker's name and the approved excerpts, as the read model (``PublicEntry``) holds them.

* PostgreSQL: ``editorial_publicentry.search``, a stored generated ``tsvector`` column (statement A,
  speaker B, excerpts C; English stemming over ``unaccent``) with a GIN index, created by migration
  ``0009_public_search_and_version``. Queries are read with ``websearch_to_tsquery`` (quotes for
  phrases, ``-word`` to exclude, ``or``) and ranked with ``ts_rank``.
* SQLite: ``editorial_publicentry_fts``, an FTS5 table over the same three columns (``porter`` stemming
  over ``unicode61`` with diacritics removed), kept in step with the entries by triggers and ranked
  with ``bm25`` under the same weights. ``ensure_sqlite_index`` creates it after every ``migrate``
  (SQLite rebuilds a table to alter it, which drops its triggers) and fills it when it was missing.
  The reader's query is turned into an FTS5 expression by ``fts5_query``: words are ANDed, quoted
  phrases stay phrases, ``-word`` excludes and ``or`` alternates, as on PostgreSQL.

Both stem English words and ignore case and diacritics, so the same query finds the same claims
on either database for ordinary words (PostgreSQL also drops English stop words).
"""

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, Value
from django.db.models.expressions import RawSQL

from editorial.models import PublicEntry
from editorial.public import reading_connection
from editorial.search import MARK_END, MARK_START, marked, normalise_query

SEARCH_CONFIG = "editorial_english"  # made by migration 0009: english_stem over unaccent
FTS_TABLE = "editorial_publicentry_fts"
# Weights of statement, speaker and excerpts: PostgreSQL's default A/B/C weights are 1.0/0.4/0.2.
FTS_WEIGHTS = (1.0, 0.4, 0.2)

_SQLITE_SETUP = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(statement, speaker_name, excerpts,"
    " content='editorial_publicentry', content_rowid='claim_id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON editorial_publicentry BEGIN"
    f" INSERT INTO {FTS_TABLE}(rowid, statement, speaker_name, excerpts)"
    " VALUES (new.claim_id, new.statement, new.speaker_name, new.excerpts); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON editorial_publicentry BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, statement, speaker_name, excerpts)"
    " VALUES ('delete', old.claim_id, old.statement, old.speaker_name, old.excerpts); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE ON editorial_publicentry BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, statement, speaker_name, excerpts)"
    " VALUES ('delete', old.claim_id, old.statement, old.speaker_name, old.excerpts);"
    f" INSERT INTO {FTS_TABLE}(rowid, statement, speaker_name, excerpts)"
    " VALUES (new.claim_id, new.statement, new.speaker_name, new.excerpts); END",
)
_TRIGGERS = {f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update"}


def ensure_sqlite_index(using="default", **kwargs):
    """Create the SQLite FTS5 table and its triggers where missing; refill the table if any was.

    Connected to ``post_migrate``; does nothing on other databases.
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'editorial_publicentry'")
        if cursor.fetchone() is None:
            return  # migrated backwards past the read model
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s", [f"{FTS_TABLE}%"]
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE in present and present >= _TRIGGERS:
            return
        for statement in _SQLITE_SETUP:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


NO_RANK = Value(0.0, output_field=FloatField())  # a search with nothing to rank by: callers still order by it


def search_entries(entries, query, *, matching=True):
    """Return ``entries`` narrowed to those matching ``query``, annotated with ``search_rank``.

    With ``matching=False`` the entries are only ranked, not narrowed: for entries already known to
    match (a search's window of ids). The SQL names no table, only the entry's own columns
    (``search``, ``claim_id``), so the result works as a subquery too (Django renames tables there).
    """
    query = normalise_query(query)
    if not query:
        return entries.annotate(search_rank=NO_RANK)
    expression = fts5_query(query)
    if expression is None:
        # Nothing to look for (punctuation only), or only words to leave out (on either database).
        return entries.none().annotate(search_rank=NO_RANK)
    if connection.vendor == "postgresql":
        tsquery = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
        if matching:
            entries = entries.filter(RawSQL(f"search @@ {tsquery}", [query], output_field=BooleanField()))
        return entries.annotate(search_rank=RawSQL(f"ts_rank(search, {tsquery})", [query], output_field=FloatField()))
    weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
    # bm25 is lower for better matches; negated so that a higher rank is better, as on PostgreSQL.
    # Correlated by rowid, which FTS5 seeks to: computed only for the rows a page orders.
    rank = RawSQL(
        f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = claim_id)",
        [expression],
        output_field=FloatField(),
    )
    if matching:
        found = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
        entries = entries.filter(claim_id__in=found)
    return entries.annotate(search_rank=rank)


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def fts5_query(query):
    """Return an FTS5 expression for a reader's query, read as ``websearch_to_tsquery`` reads it.

    Every term is quoted, so nothing a reader types is FTS5 syntax: ``"word"``s are ANDed, a quoted
    phrase stays a phrase, ``-word`` is NOT, ``or`` between terms alternates. Returns ``None`` when
    nothing searchable is left, or when only exclusions are (FTS5 cannot match "everything but").
    """
    positive, negative, pending_or = [], [], False
    for phrase, word in _TOKEN.findall(normalise_query(query)):
        if word and word.lower() == "or":
            pending_or = bool(positive)
            continue
        excluded = bool(word) and word.startswith("-") and len(word) > 1
        words = _WORD.findall(phrase or (word[1:] if excluded else word))
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if excluded:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"({positive[-1]} OR {term})"
        else:
            positive.append(term)
        pending_or = False
    if not positive:
        return None
    expression = " AND ".join(positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def search_headlines(claim_ids, query):
    """Return ``{claim id: (statement html, excerpts html)}``: the matches of ``query`` marked, for a page.

    One query over the page's entries: ``ts_headline`` on PostgreSQL, FTS5's ``highlight`` and
    ``snippet`` on SQLite. The database marks matches with private-use characters; the text is
    escaped and only then are the markers made ``<mark>`` (``editorial.search.marked``), so no
    HTML from a statement or excerpt reaches the page. The excerpts' part is empty when no excerpt
    matched.
    """
    query = normalise_query(query)
    if not claim_ids or not query:
        return {}
    reading = reading_connection(PublicEntry)  # a reader's request reads the replica
    if reading.vendor == "postgresql":
        tsquery = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
        options = f"StartSel={MARK_START}, StopSel={MARK_END}"
        sql = (
            f"SELECT claim_id, ts_headline('{SEARCH_CONFIG}'::regconfig, statement, {tsquery},"
            f" '{options}, HighlightAll=true'),"
            f" ts_headline('{SEARCH_CONFIG}'::regconfig, excerpts, {tsquery},"
            f" '{options}, MaxFragments=2, MinWords=8, MaxWords=30, FragmentDelimiter=\" … \"')"
            f" FROM {reading.ops.quote_name(PublicEntry._meta.db_table)} WHERE claim_id = ANY(%s)"
        )
        params = [query, query, list(claim_ids)]
    else:
        expression = fts5_query(query)
        if expression is None:
            return {}
        marks = f"'{MARK_START}', '{MARK_END}'"
        placeholders = ", ".join(["%s"] * len(claim_ids))
        sql = (
            f"SELECT rowid, highlight({FTS_TABLE}, 0, {marks}), snippet({FTS_TABLE}, 2, {marks}, '…', 40)"
            f" FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        params = [expression, *claim_ids]
    with reading.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        pk: (marked(statement), marked(excerpts) if MARK_START in (excerpts or "") else "")
        for pk, statement, excerpts in rows
    }


def ranked(entries):
    """Order searched ``entries`` by rank, then newest first."""
    return entries.order_by("-search_rank", "-published_at", "-claim_id")
