"""Candidates on SQLite: the claims that share a statement's rarest words, from an FTS5 index.

SQLite has no trigram operator, so candidates are the claims sharing the statement's *rare* words:
a rare word shared ("Lyon", "desalination") says far more than a common one ("government"), and the
rare words' posting lists are short, so the lookup stays fast however many claims there are.

* ``editorial_claim_words``: an FTS5 index over ``editorial_claim.statement`` (``unicode61`` with
  diacritics removed, no stemming, so that its vocabulary holds the words as ``lexical.words``
  folds them), kept in step by triggers; ``editorial_claim_words_vocab`` (``fts5vocab``) gives each
  word's document frequency. Made by migration ``0015_similarity`` and again after every ``migrate``
  (``ensure_sqlite_index``): SQLite rebuilds a table to alter it, which drops its triggers.
* A statement's words are looked up in the vocabulary (one query for a whole page of claims), the
  ``RARE_WORDS`` rarest are ORed in one ``MATCH`` ranked by ``bm25`` (which weighs rare words
  higher again), and the best ``size`` are the candidates.
* The public side searches the read model's own FTS5 table (``editorial.public.search``), its
  statement column only, by the statement's longest words, joined to listed entries: the approved
  text, never an editor's.
"""

from django.db import connection

from editorial.models import PublicEntry
from editorial.public import reading_connection
from editorial.public.search import FTS_TABLE as PUBLIC_FTS_TABLE
from editorial.similarity.lexical import words

WORDS_TABLE = "editorial_claim_words"
VOCABULARY_TABLE = "editorial_claim_words_vocab"
# Words of a statement ORed in the candidate query; more find more rewordings but cost more postings.
RARE_WORDS = 8
# Words of a statement looked up at all (a statement is one sentence; this bounds a pasted paragraph).
LOOKED_UP_WORDS = 40
# A compound SELECT may hold 500 parts in SQLite's default build; a page of claims stays under it.
BATCH = 200

_SETUP = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {WORDS_TABLE} USING fts5(statement, content='editorial_claim',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY_TABLE} USING fts5vocab({WORDS_TABLE}, 'row')",
    f"CREATE TRIGGER IF NOT EXISTS {WORDS_TABLE}_insert AFTER INSERT ON editorial_claim BEGIN"
    f" INSERT INTO {WORDS_TABLE}(rowid, statement) VALUES (new.id, new.statement); END",
    f"CREATE TRIGGER IF NOT EXISTS {WORDS_TABLE}_delete AFTER DELETE ON editorial_claim BEGIN"
    f" INSERT INTO {WORDS_TABLE}({WORDS_TABLE}, rowid, statement) VALUES ('delete', old.id, old.statement); END",
    f"CREATE TRIGGER IF NOT EXISTS {WORDS_TABLE}_update AFTER UPDATE OF statement ON editorial_claim BEGIN"
    f" INSERT INTO {WORDS_TABLE}({WORDS_TABLE}, rowid, statement) VALUES ('delete', old.id, old.statement);"
    f" INSERT INTO {WORDS_TABLE}(rowid, statement) VALUES (new.id, new.statement); END",
)
_TRIGGERS = {f"{WORDS_TABLE}_insert", f"{WORDS_TABLE}_delete", f"{WORDS_TABLE}_update"}


def ensure_sqlite_index(using="default", **kwargs):
    """Create the claims' word index, its vocabulary and its triggers where missing; refill it if any was.

    Connected to ``post_migrate`` and run by migration 0015; does nothing on other databases.
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        # The dismissals' table says migration 0015 is applied (after a migration back to 0014, not).
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'editorial_similaritydismissal'")
        if cursor.fetchone() is None:
            return
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s", [f"{WORDS_TABLE}%"]
        )
        present = {row[0] for row in cursor.fetchall()}
        if {WORDS_TABLE, VOCABULARY_TABLE} <= present and present >= _TRIGGERS:
            return
        for statement in _SETUP:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {WORDS_TABLE}({WORDS_TABLE}) VALUES ('rebuild')")


def drop_sqlite_index(using="default", **kwargs):
    """Drop the claims' word index and its triggers (migration 0015 backwards)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for trigger in sorted(_TRIGGERS):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {VOCABULARY_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {WORDS_TABLE}")


def _quoted(word):
    return '"' + word.replace('"', "") + '"'


def candidates(queries, *, public, size, spelling=True):
    """Return ``{key: [(claim id, statement), …]}`` for ``queries``, a list of ``(key, statement, excluded ids)``.

    ``spelling`` is PostgreSQL's (its trigram search for nearly the same words); SQLite has none.

    Two queries for any number of statements: the vocabulary lookup and one compound ``SELECT``
    (in parts of ``BATCH``).
    """
    looked_up = {key: list(dict.fromkeys(words(statement)))[:LOOKED_UP_WORDS] for key, statement, _ in queries}
    frequency = {} if public else _document_frequencies({word for found in looked_up.values() for word in found})
    parts, params, found = [], [], {key: [] for key, _, _ in queries}
    for key, _, excluded in queries:
        chosen = _rarest(looked_up[key], frequency, public=public)
        if not chosen:
            continue
        expression = " OR ".join(_quoted(word) for word in chosen)
        excluded = [pk for pk in excluded if pk is not None]
        id_column = "c.claim_id" if public else "c.id"
        not_in = f" AND {id_column} NOT IN ({', '.join(['%s'] * len(excluded))})" if excluded else ""
        if public:
            expression = f"statement : ({expression})"
            table, listed = PUBLIC_FTS_TABLE, " AND c.listed"
            source = "editorial_publicentry"
        else:
            table, listed, source = WORDS_TABLE, "", "editorial_claim"
        parts.append(
            f"SELECT * FROM (SELECT %s, {id_column}, c.statement FROM {source} c JOIN"
            f" (SELECT rowid AS id, rank FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT %s) m"
            f" ON m.id = {id_column} WHERE 1 = 1{listed}{not_in} ORDER BY m.rank)"
        )
        # Matches are ranked before the listed ones are kept: retracted entries must not crowd them out.
        params.append([key, expression, size * (2 if public else 1) + len(excluded), *excluded])
    # A reader's search reads where the public side reads (the replica on a reader's request).
    using = reading_connection(PublicEntry) if public else connection
    with using.cursor() as cursor:
        for start in range(0, len(parts), BATCH):
            cursor.execute(
                " UNION ALL ".join(parts[start : start + BATCH]),
                [value for part in params[start : start + BATCH] for value in part],
            )
            for key, pk, statement in cursor.fetchall():
                found[key].append((pk, statement))
    return found


def _document_frequencies(vocabulary):
    """Return ``{word: number of claims containing it}`` for the words of ``vocabulary`` that any claim has."""
    if not vocabulary:
        return {}
    vocabulary = sorted(vocabulary)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM {VOCABULARY_TABLE} WHERE term IN ({', '.join(['%s'] * len(vocabulary))})",
            vocabulary,
        )
        return dict(cursor.fetchall())


def _rarest(statement_words, frequency, *, public):
    """Return the ``RARE_WORDS`` rarest words of a statement that some claim shares.

    The public side's FTS5 table stems its words, so its vocabulary cannot be asked about these
    ones: there the longest words are taken, which are the rarer as a rule.
    """
    if public:
        return sorted(statement_words, key=len, reverse=True)[:RARE_WORDS]
    known = [word for word in statement_words if frequency.get(word)]
    return sorted(known, key=lambda word: (frequency[word], word))[:RARE_WORDS]
