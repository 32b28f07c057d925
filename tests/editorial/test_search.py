"""Search over the approved public version in the read model: PostgreSQL's tsvector or SQLite's FTS5.

Both stem English words, ignore case and diacritics and read the same query syntax, so the tests
that are not about one database's internals run on both and expect the same claims.
"""

import pytest
from django.db import connection

from editorial.filters import listed_entries
from editorial.models import PublicEntry
from editorial.public.search import FTS_TABLE, ensure_sqlite_index, fts5_query, ranked, search_entries, search_headlines
from editorial.search import normalise_query, query_words
from tests.factories import make_citation, make_claim, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"

TEXT = (
    "Passengers on the island crossing will pay about 12 per cent more from May.\n\n"
    "The board’s chair said the increase was “the smallest rise that keeps both boats sailing”.\n\n"
    "Councillor Rafael Ndiaye called the decision “a tax on living at sea”."
)


@pytest.fixture
def moderator():
    return make_user("moderator", "Moderators")


def publish(moderator, statement, excerpt, *, speaker=None, source=None):
    source = source or make_source("Ferry fares", TEXT)
    claim = make_claim(statement, speaker=speaker)
    make_citation(claim, source.current_revision, excerpt)
    claim.submit(moderator)
    claim.publish(moderator)
    return claim


@pytest.fixture
def claims(moderator):
    source = make_source("Ferry fares", TEXT)
    return {
        "fares": publish(
            moderator,
            "Ferry fares will rise by 12 per cent.",
            "Passengers on the island crossing will pay about 12 per cent more from May.",
            speaker=make_speaker("Ilse Brandvold"),
            source=source,
        ),
        "tax": publish(
            moderator,
            "The decision is a tax on island residents.",
            "Councillor Rafael Ndiaye called the decision “a tax on living at sea”.",
            speaker=make_speaker("Rafael Ndiaye"),
            source=source,
        ),
        "boats": publish(
            moderator,
            "The rise is the smallest possible.",
            "the increase was “the smallest rise that keeps both boats sailing”",
            source=source,
        ),
    }


def found(query):
    entries = search_entries(listed_entries(), query)
    return set(entries.values_list("statement", flat=True))


def statements(claims, *keys):
    return {claims[key].public_snapshot["statement"] for key in keys}


def test_statement_speaker_and_excerpt_are_searched(claims):
    assert found("fares") == statements(claims, "fares")
    assert found("Ndiaye") == statements(claims, "tax")  # speaker name (and excerpt)
    assert found("sailing") == statements(claims, "boats")  # excerpt only
    assert found("") == statements(claims, "fares", "tax", "boats")


def test_every_word_must_match(claims):
    assert found("island tax") == statements(claims, "tax")
    assert found("island zebra") == set()


def test_typographic_quotes_match_plain_ones(claims, moderator):
    chair = publish(moderator, "The board’s chair backs the rise.", "The board’s chair said the increase")
    statement = chair.public_snapshot["statement"]

    assert found("board's chair") == {statement}
    assert found("board’s chair") == {statement}
    assert found("“a tax on living”") == statements(claims, "tax")


def test_only_published_claims_and_their_approved_text_are_found(claims, moderator):
    draft = make_claim("A draft about sailing fares.")
    make_citation(draft, make_source("Other", "Sailing fares fall.").current_revision, "Sailing fares fall.")
    edited = claims["fares"]
    edited.statement = "Unapproved wording about zeppelins."
    edited.save()

    assert found("zeppelins") == set()
    assert found("draft") == set()
    assert found("fares") == statements(claims, "fares")


def test_search_page_marks_matches_and_escapes_everything(client, claims, moderator):
    publish(
        moderator,
        "Markup <script>alert(1)</script> in a statement about ferries.",
        "Passengers on the island crossing",
    )

    page = client.get("/claims/", {"q": "ferries"}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>" in page


def test_statement_matches_rank_above_excerpt_matches(claims, moderator):
    publish(moderator, "Boats and more boats: boats everywhere.", "Passengers on the island crossing")

    results = list(ranked(search_entries(listed_entries(), "boats")))

    assert [entry.statement for entry in results] == [
        "Boats and more boats: boats everywhere.",
        claims["boats"].public_snapshot["statement"],
    ]
    assert all(result.search_rank > 0 for result in results)


def test_words_are_stemmed_and_the_web_search_syntax_is_read(claims):
    assert found("fare") == statements(claims, "fares")  # stemmed: fares → fare
    assert found("FARE") == statements(claims, "fares")
    assert found('"smallest rise"') == statements(claims, "boats")
    assert found('"rise smallest"') == set()  # a phrase keeps its order
    assert found("island -tax") == statements(claims, "fares")
    assert found("zebra or sailing") == statements(claims, "boats")
    assert found("-tax") == set()  # nothing but an exclusion finds nothing


def test_diacritics_are_ignored(moderator):
    publish(moderator, "The café on the quay reopens.", "Passengers on the island crossing")

    assert found("cafe") == {"The café on the quay reopens."}
    assert found("café") == {"The café on the quay reopens."}


def test_what_readers_type_is_never_query_syntax(claims):
    # FTS5 operators, column filters and unbalanced quotes are searched as words or ignored.
    for query in [
        "statement:fares",
        "fares NEAR(tax)",
        '"unbalanced',
        "fares*",
        "^fares",
        "(fares",
        "AND",
        "NOT fares",
    ]:
        found(query)  # no error
    assert (
        fts5_query('statement:fares "a phrase" -tax or boats')
        == '("statement fares" AND ("a phrase" OR "boats")) NOT "tax"'
    )


@pytest.mark.parametrize("query", [",", "-", "-fares", '""', "?!", "\U000f10f4", ",\U000f10f4"])
@pytest.mark.parametrize("url", ["/claims/", "/api/claims/", "/claims/export/csv/"])
def test_a_search_with_nothing_to_search_for_finds_nothing_without_an_error(client, claims, query, url):
    # Punctuation alone, or only words to leave out: no claim, on every surface that searches.
    response = client.get(url, {"q": query})

    assert response.status_code == 200
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    assert claims
    for claim in claims.values():
        assert claim.statement not in body


def test_headlines_are_escaped_and_marked(moderator):
    claim = publish(moderator, "Fares <b>rise</b> again.", "Passengers on the island crossing")

    headlines = search_headlines([claim.pk], "fares")

    statement, excerpts = headlines[claim.pk]
    assert str(statement) == "<mark>Fares</mark> &lt;b&gt;rise&lt;/b&gt; again."
    assert excerpts == ""  # no excerpt matched


def test_an_excerpt_match_is_marked(claims):
    claim = claims["boats"]

    _, excerpts = search_headlines([claim.pk], "sailing")[claim.pk]

    assert "<mark>sailing</mark>" in str(excerpts)


@pytest.mark.skipif(not POSTGRES, reason="the GIN index is PostgreSQL's")
def test_postgres_search_uses_the_gin_index(claims):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'publicentry_search_idx'")
        (definition,) = cursor.fetchone()
        assert "gin" in definition
        cursor.execute("SET enable_seqscan = off")
        plan = search_entries(PublicEntry.objects.all(), "fares").explain()
        cursor.execute("SET enable_seqscan = on")
    assert "publicentry_search_idx" in plan


@pytest.mark.skipif(POSTGRES, reason="the FTS5 table is SQLite's")
def test_sqlite_index_follows_the_entries_and_is_remade_when_lost(claims, moderator):
    claims["tax"].retract(moderator, note="Wrong.")
    assert found("Ndiaye") == set()  # the entry's listed flag went; its row in the index follows it
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {FTS_TABLE}_insert")
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 — a constant
    ensure_sqlite_index()
    assert found("fares") == statements(claims, "fares")


def test_query_normalisation():
    assert normalise_query("  “smallest   rise” – ok ") == '"smallest rise" - ok'
    assert query_words('"smallest rise" -boats OR sea') == ["smallest", "rise", "boats", "sea"]
    assert len(normalise_query("x" * 1000)) == 200
