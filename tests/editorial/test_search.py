"""Search over the approved public version: full-text on PostgreSQL, a word-by-word fallback elsewhere."""

import pytest
from django.db import connection

from editorial.models import Claim
from editorial.search import highlight_words, marked, normalise_query, query_words, search_claims
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
    return {claim.public_snapshot["statement"] for claim in search_claims(Claim.objects.published(), query)}


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


@pytest.mark.skipif(not POSTGRES, reason="full-text search runs on PostgreSQL")
def test_postgres_ranks_statement_matches_above_excerpt_matches(claims, moderator):
    publish(moderator, "Boats and more boats: boats everywhere.", "Passengers on the island crossing")

    results = list(search_claims(Claim.objects.published(), "boats").order_by("-search_rank"))

    assert results[0].public_snapshot["statement"] == "Boats and more boats: boats everywhere."
    assert all(result.search_rank > 0 for result in results)


@pytest.mark.skipif(not POSTGRES, reason="full-text search runs on PostgreSQL")
def test_postgres_stems_words_and_understands_websearch_syntax(claims):
    assert found("fare") == statements(claims, "fares")  # stemmed: fares → fare
    assert found('"smallest rise"') == statements(claims, "boats")
    assert found("island -tax") == statements(claims, "fares")
    assert found("zebra or sailing") == statements(claims, "boats")


@pytest.mark.skipif(not POSTGRES, reason="full-text search runs on PostgreSQL")
def test_postgres_headlines_are_escaped_and_marked(moderator):
    publish(moderator, "Fares <b>rise</b> again.", "Passengers on the island crossing")

    (claim,) = search_claims(Claim.objects.published(), "fares")

    assert str(marked(claim.statement_headline)) == "<mark>Fares</mark> &lt;b&gt;rise&lt;/b&gt; again."


@pytest.mark.skipif(not POSTGRES, reason="full-text search runs on PostgreSQL")
def test_postgres_search_can_use_the_gin_index(claims):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claim_public_search_idx'")
        (definition,) = cursor.fetchone()
        assert "gin" in definition
        cursor.execute("SET enable_seqscan = off")
        # Without the status filter, whose own index the planner may prefer on a tiny table.
        plan = search_claims(Claim.objects.all(), "fares").explain()
        cursor.execute("SET enable_seqscan = on")
    assert "claim_public_search_idx" in plan


@pytest.mark.skipif(POSTGRES, reason="the fallback runs on databases without full-text search")
def test_fallback_matches_parts_of_words_case_insensitively(claims):
    assert found("FARE") == statements(claims, "fares")
    assert found("smallest boats") == statements(claims, "boats")
    assert found("-tax") == statements(claims, "tax")  # operators are ignored, the word must match


def test_query_normalisation():
    assert normalise_query("  “smallest   rise” – ok ") == '"smallest rise" - ok'
    assert query_words('"smallest rise" -boats OR sea') == ["smallest", "rise", "boats", "sea"]
    assert len(normalise_query("x" * 1000)) == 200


def test_fallback_highlight_escapes_and_marks_each_word():
    html = str(highlight_words("The <b>board’s</b> fares rise", "board's FARES"))

    assert html == "The &lt;b&gt;<mark>board’s</mark>&lt;/b&gt; <mark>fares</mark> rise"
