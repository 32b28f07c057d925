"""Full-text search over the approved public version of claims.

What is searched is what readers see: the statement, the speaker's name and the citations'
excerpts *as approved* (``Claim.public_snapshot``), never an editor's unapproved edits.

* On PostgreSQL: a weighted ``tsvector`` (statement A, speaker B, excerpts C) built from the
  snapshot by ``ClaimSearchVector``, matched with ``websearch_to_tsquery`` (quotes for phrases,
  ``-word`` to exclude, ``or``), ranked with ``ts_rank`` and highlighted with ``ts_headline``. The
  migration ``0003_public_search`` creates a GIN index on exactly this expression.
* Elsewhere (SQLite in development and tests): every word of the query must occur, case-insensitively
  (ASCII letters only, as SQLite's LIKE goes) and with typographic quotes and dashes folded, in the
  same three fields; results keep the list's ordering and excerpts are highlighted in Python.

Highlighting never trusts the database with HTML: ``ts_headline`` marks matches with private-use
characters, the text is escaped, and only then are the markers turned into ``<mark>``.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, F, Func, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from editorial.anchoring import CHARACTER_EQUIVALENTS

SEARCH_CONFIG = "english"
MARK_START = "\ue000"
MARK_END = "\ue001"
MAX_QUERY_LENGTH = 200
# Quotes and dashes a reader types plainly but a publisher prints typographically, folded as excerpt
# matching folds them (``editorial.anchoring``): the common ones only, since the SQLite fallback
# nests one REPLACE per character and SQLite's parser refuses deep nesting.
_FOLD_PAIRS = tuple((character, CHARACTER_EQUIVALENTS[character]) for character in "’‘“”„–—")
_FOLD = str.maketrans(dict(_FOLD_PAIRS))


class ClaimSearchVector(Func):
    """The weighted search document of a claim's approved public version (PostgreSQL only).

    Keep the SQL identical to the index in ``editorial/migrations/0003_public_search.py``: the
    planner uses the GIN index only when the expressions match.
    """

    template = (
        "(setweight(to_tsvector('english'::regconfig, coalesce((%(expressions)s ->> 'statement'), '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig,"
        " coalesce(((%(expressions)s -> 'speaker') ->> 'name'), '')), 'B')"
        " || setweight(to_tsvector('english'::regconfig,"
        " coalesce(jsonb_path_query_array(%(expressions)s, '$.citations[*].excerpt'), '[]'::jsonb)), 'C'))"
    )
    output_field = SearchVectorField()

    def __init__(self, snapshot="public_snapshot"):
        super().__init__(F(snapshot))


class SnapshotExcerpts(Func):
    """The excerpts of a snapshot's citations joined into one text, " … " between them."""

    output_field = TextField()

    def __init__(self, snapshot="public_snapshot"):
        super().__init__(F(snapshot))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"SnapshotExcerpts does not support {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "array_to_string(ARRAY(SELECT jsonb_array_elements_text("
            "jsonb_path_query_array(%(expressions)s, '$.citations[*].excerpt'))), ' … ')"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = (
            "(SELECT group_concat(json_extract(cited.value, '$.excerpt'), ' … ')"
            " FROM json_each(%(expressions)s, '$.citations') AS cited)"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)


class SnapshotCitesSource(Func):
    """True when a snapshot cites a revision of the source with primary key ``source_id``."""

    output_field = BooleanField()

    def __init__(self, source_id, snapshot="public_snapshot"):
        super().__init__(F(snapshot), Value(int(source_id)))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"SnapshotCitesSource does not support {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        snapshot_sql, id_sql, params = self._compile_parts(compiler)
        # jsonb containment of {"citations": [{"source": <id>}]}.
        sql = (
            f"({snapshot_sql} @> jsonb_build_object('citations', "
            f"jsonb_build_array(jsonb_build_object('source', ({id_sql})::integer))))"
        )
        return sql, params

    def as_sqlite(self, compiler, connection, **extra_context):
        snapshot_sql, id_sql, params = self._compile_parts(compiler)
        # Only compiled SQL of this expression's own parts is interpolated; values stay parameters.
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({snapshot_sql}, '$.citations') AS cited "  # noqa: S608
            f"WHERE json_extract(cited.value, '$.source') = {id_sql})"
        )
        return sql, params

    def _compile_parts(self, compiler):
        snapshot, source_id = self.get_source_expressions()
        snapshot_sql, snapshot_params = compiler.compile(snapshot)
        id_sql, id_params = compiler.compile(source_id)
        return snapshot_sql, id_sql, (*snapshot_params, *id_params)


def is_full_text():
    """Return True when the database offers real full-text search (PostgreSQL)."""
    return connection.vendor == "postgresql"


def normalise_query(query):
    """Return the query as searched: typographic quotes and dashes folded, white space collapsed."""
    return " ".join((query or "").translate(_FOLD).split())[:MAX_QUERY_LENGTH]


def query_words(query):
    """Return the words of a fallback query, without the quotes and operators readers may type."""
    words = []
    for word in re.split(r"\s+", normalise_query(query)):
        word = word.strip("\"'()")
        if word.startswith("-") and len(word) > 1:
            word = word[1:]
        if word and word.lower() != "or":
            words.append(word)
    return words


def search_claims(claims, query):
    """Return ``claims`` narrowed to those matching ``query``, annotated for display.

    On PostgreSQL the result is annotated with ``search_rank``, ``statement_headline`` and
    ``excerpt_headline`` (``ts_headline`` output with private-use markers, see ``marked``), and
    ``ordered_by_rank`` tells the caller to order by rank. Elsewhere only the filter applies.
    """
    query = normalise_query(query)
    if not query:
        return claims
    if is_full_text():
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        options = {"config": SEARCH_CONFIG, "start_sel": MARK_START, "stop_sel": MARK_END}
        return (
            claims.annotate(search_document=ClaimSearchVector())
            .filter(search_document=search_query)
            .annotate(
                search_rank=SearchRank(ClaimSearchVector(), search_query),
                statement_headline=SearchHeadline(
                    KT("public_snapshot__statement"), search_query, highlight_all=True, **options
                ),
                excerpt_headline=SearchHeadline(
                    SnapshotExcerpts(),
                    search_query,
                    max_fragments=2,
                    min_words=8,
                    max_words=30,
                    fragment_delimiter=" … ",
                    **options,
                ),
            )
        )
    document = Concat(
        Coalesce(KT("public_snapshot__statement"), Value("")),
        Value(" \n "),
        Coalesce(KT("public_snapshot__speaker__name"), Value("")),
        Value(" \n "),
        Coalesce(SnapshotExcerpts(), Value("")),
        output_field=TextField(),
    )
    for typographic, plain in _FOLD_PAIRS:
        document = Func(document, Value(typographic), Value(plain), function="REPLACE", output_field=TextField())
    claims = claims.annotate(search_document=document)
    for word in query_words(query):
        claims = claims.filter(search_document__icontains=word)
    return claims


def marked(text):
    """Return ``text`` (with ``ts_headline``'s private-use markers) escaped, markers made ``<mark>``."""
    if not text:
        return ""
    html = escape(text)
    # Markers that do not pair up (a source containing the private-use characters) are dropped.
    html = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", html)
    html = html.replace(MARK_START, "").replace(MARK_END, "")
    return mark_safe(html)  # noqa: S308 — escaped above; only <mark> is added


def highlight_words(text, query, *, limit=None):
    """Return ``text`` escaped with every word of ``query`` wrapped in ``<mark>`` (fallback search).

    With ``limit``, the text is cut to about ``limit`` characters around the first match.
    """
    text = text or ""
    words = sorted({word for word in query_words(query) if word}, key=len, reverse=True)
    if not words:
        return escape(text[:limit] if limit else text)
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    if limit and len(text) > limit:
        first = pattern.search(text.translate(_FOLD))
        start = max(0, (first.start() if first else 0) - limit // 3)
        text = ("…" if start else "") + text[start : start + limit] + ("…" if start + limit < len(text) else "")
    folded = text.translate(_FOLD)
    pieces, position = [], 0
    for match in pattern.finditer(folded):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 — every piece escaped
