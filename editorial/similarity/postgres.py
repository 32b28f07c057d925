"""Candidates on PostgreSQL: the claims sharing a statement's rare words, exactly or nearly, both indexed.

A whole-statement trigram search (``statement % %s``) was measured first and dropped as the
search: the trigrams every English sentence has (" th", "the", "ing") have posting lists as long
as the table: at a million claims one search took 0.8–2.2 s at the default threshold 0.3, and
still 0.2–0.35 s at 0.7 (``bench/README.md``). What a claim is about is in its *rare* words, so both searches start
from them:

* **Shared words** (full text): up to ``QUERY_WORDS`` of the statement's rarest content words, ORed,
  over a ``simple`` (unstemmed) ``tsvector`` with its own GIN index; rarer words first, as long as
  the claims they are in add up to ``WORDS_BUDGET`` by the counts ``ANALYZE`` keeps for that index
  (``pg_stats``: the most common words and their shares).
* **Nearly the same words** (``pg_trgm``): ``%s <% statement`` for the rarest long word that
  ``ANALYZE`` did not find common — a claim containing a word spelled like it (word similarity at
  least ``WORD_THRESHOLD``, set for the transaction only): another ending, a typo, "Tromso" for
  "Tromsø". A rare word's trigrams are rarer than a sentence's, so the GIN ``gin_trgm_ops`` index of
  migration ``0015_similarity`` answers in tens of milliseconds at a million claims.

Each search ranks at most ``RANKED_ROWS`` matches: a statement made only of common words
would otherwise rank tens of thousands.

Both rank their matches by ``pg_trgm``'s ``similarity()`` with the whole statement (``ts_rank``
when ``pg_trgm`` could not be installed: then only the shared-words search runs, the path the
migration falls back to without the privilege to create the extension).

The public side reads the read model (``editorial_publicentry``): its trigram index on the approved
statement and its own ``search`` vector (``editorial.public.search``), listed entries only.

A page of claims is one query per search: a ``LATERAL`` join over the page's statements.
"""

import re
import time

from django.db import connection, transaction

from editorial.models import PublicEntry
from editorial.public import reading_connection
from editorial.similarity.lexical import words

WORD_THRESHOLD = 0.7
FUZZY_WORDS = 1
FUZZY_LENGTH = 6  # shorter words are spelled alike by chance too often ("port", "sport")
WORDS_CONFIG = "simple"
PUBLIC_WORDS_CONFIG = "editorial_english"  # the read model's search vector (migration 0009)
QUERY_WORDS = 8
WORDS_INDEX = "claim_statement_words_idx"  # migration 0015
# Claims the words of one statement may match together (estimated), and that are ranked at most:
# the bounds that keep a statement of common words from costing seconds (bench/README.md).
WORDS_BUDGET = 1000
RANKED_ROWS = 1000
FREQUENCIES_TTL = 600
_FREQUENCIES = {}  # (alias, database name) → (when read, claims, {word: share of claims})
_LEXEME = re.compile(r"^[^\W_]+$")


_TRIGRAM_INSTALLED = {}  # (alias, database name) → bool: a test run switches databases on one connection


def trigram_available(using=None):
    """Return True when ``pg_trgm`` is installed in this database (checked once per database).

    ``using``: the connection to ask (default: the default one).
    """
    using = using or connection
    database = (using.alias, using.settings_dict["NAME"])
    if database not in _TRIGRAM_INSTALLED:
        with using.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAM_INSTALLED[database] = cursor.fetchone() is not None
    return _TRIGRAM_INSTALLED[database]


def _frequencies(using=None):
    """Return ``(claims, {word: share of claims containing it})`` for the claims' most common words.

    ``ANALYZE`` keeps the most common elements of the words index's ``tsvector`` with their
    frequencies (``pg_stats``) and the table's estimated size (``pg_class``); a word not among them
    is rare. Read once per ``FREQUENCIES_TTL`` seconds per database, from ``using`` (default: the
    default connection).
    """
    using = using or connection
    database = (using.alias, using.settings_dict["NAME"])
    loaded_at, claims, frequencies = _FREQUENCIES.get(database, (-FREQUENCIES_TTL, 0, {}))
    if time.monotonic() - loaded_at >= FREQUENCIES_TTL:
        with using.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT reltuples FROM pg_class WHERE relname = 'editorial_claim'),"
                " s.most_common_elems::text::text[], s.most_common_elem_freqs"
                " FROM (SELECT 1) AS one LEFT JOIN pg_stats s ON s.tablename = %s AND s.most_common_elems IS NOT NULL",
                [WORDS_INDEX],
            )
            claims, elements, shares = cursor.fetchone()
        frequencies = dict(zip(elements, shares, strict=False)) if elements else {}
        claims = max(claims or 0, 0)
        _FREQUENCIES[database] = (time.monotonic(), claims, frequencies)
    return claims, frequencies


def _lookup_words(statement, claims, frequencies):
    """Return the statement's words to look claims up by, rarest first: as many as ``QUERY_WORDS`` whose
    claims add up to at most ``WORDS_BUDGET`` (by ``ANALYZE``'s counts), and at least the rarest one.

    A common word's list of claims is what makes a query slow, and it says little about a claim.
    """
    found = sorted({word for word in words(statement) if _LEXEME.match(word)})
    found.sort(key=lambda word: (frequencies.get(word, 0.0), -len(word)))
    chosen, rows = [], 0.0
    for word in found[:QUERY_WORDS]:
        rows += frequencies.get(word, 0.0) * claims
        if chosen and rows > WORDS_BUDGET:
            break
        chosen.append(word)
    return chosen


def candidates(queries, *, public, size, spelling=True):
    """Return ``{key: [(claim id, statement), …]}`` for ``queries``, a list of ``(key, statement, excluded ids)``.

    At most two queries for any number of statements (nearly the same words, then the same words);
    each statement's exclusions are applied after the ``LATERAL`` limit, widened by their number.
    ``spelling=False`` leaves out the search for nearly the same words (a page of claims: it costs
    about 40 ms a statement at a million claims, the shared words about 8 ms).
    """
    found = {key: [] for key, _, _ in queries}
    if not queries:
        return found
    widest = size + max(len(excluded) for _, _, excluded in queries)
    keys = [key for key, _, _ in queries]
    statements = [statement for _, statement, _ in queries]
    # A reader's search reads where the public side reads (the replica on a reader's request).
    using = reading_connection(PublicEntry) if public else connection
    if public:
        table, id_column, listed = "editorial_publicentry", "claim_id", " AND c.listed"
        vector, config = "c.search", PUBLIC_WORDS_CONFIG
    else:
        table, id_column, listed = "editorial_claim", "id", ""
        vector, config = f"to_tsvector('{WORDS_CONFIG}'::regconfig, c.statement)", WORDS_CONFIG
    # The words' shares among all claims stand for their shares among the listed ones: a word common
    # in one is common in the other, and leaving it out of the public search kept it from ORing every
    # word of a statement of common words (0.44 s at a million claims).
    claims, frequencies = _frequencies(using)
    chosen_words = [_lookup_words(statement, claims, frequencies) for statement in statements]
    tsqueries = [" | ".join(chosen) for chosen in chosen_words]
    trigrams = trigram_available(using)
    tsquery = f"to_tsquery('{config}'::regconfig, q.words)"
    # pg_trgm's similarity() with the whole statement; without it, the full-text rank of the document.
    document = "" if trigrams else f", {vector} AS document"
    rank = "similarity(c.statement, q.statement) DESC" if trigrams else f"ts_rank(c.document, {tsquery}) DESC"

    def lateral(columns, condition):
        # One row per statement (unnest of parallel arrays), each joined to its best ``widest`` matches.
        arrays = ", ".join(["%s::bigint[]", "%s::text[]"] + ["%s::text[]"] * len(columns))
        return (
            f"SELECT q.key, c.{id_column}, c.statement FROM unnest({arrays}) AS q(key, statement, {', '.join(columns)})"
            f" CROSS JOIN LATERAL (SELECT c.{id_column}, c.statement FROM (SELECT c.{id_column}, c.statement{document}"
            f" FROM {table} c"
            f" WHERE {condition}{listed} LIMIT {RANKED_ROWS}) c ORDER BY {rank} LIMIT %s) c"
        )

    rows = []
    # No savepoint: the threshold only needs a transaction to be local to (SET LOCAL), not its own one.
    with transaction.atomic(using=using.alias, savepoint=False), using.cursor() as cursor:
        # Only words ANALYZE did not find common: a common word's trigrams are common too.
        fuzzy = [
            [word for word in chosen if len(word) >= FUZZY_LENGTH and word not in frequencies][:FUZZY_WORDS]
            for chosen in chosen_words
        ]
        if spelling and trigrams and any(fuzzy):
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(WORD_THRESHOLD)])
            # As many columns as words: a statement with fewer rare words repeats its first one.
            fuzzy = [(chosen * FUZZY_WORDS)[:FUZZY_WORDS] if chosen else [""] * FUZZY_WORDS for chosen in fuzzy]
            columns = [f"w{n}" for n in range(FUZZY_WORDS)]
            condition = " OR ".join(f"q.{column} <%% c.statement" for column in columns)
            cursor.execute(
                lateral(columns, f"q.w0 <> '' AND ({condition})"),
                [keys, statements, *(list(column) for column in zip(*fuzzy, strict=True)), widest],
            )
            rows.extend(cursor.fetchall())
        cursor.execute(
            lateral(["words"], f"q.words <> '' AND {vector} @@ {tsquery}"), [keys, statements, tsqueries, widest]
        )
        rows.extend(cursor.fetchall())
    excluded_by_key = {key: set(excluded) for key, _, excluded in queries}
    seen = set()
    for key, pk, statement in rows:
        if pk in excluded_by_key[key] or (key, pk) in seen:
            continue
        seen.add((key, pk))
        found[key].append((pk, statement))
    return found
