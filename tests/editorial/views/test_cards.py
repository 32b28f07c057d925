"""Claim cards kept in the cache (``editorial.views.cards``): never another version's, and cheap to read."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from taggit.models import Tag

from editorial.models import Speaker
from editorial.public.readmodel import bump
from editorial.views import cards
from tests.editorial.test_public_pages import CLAIM_LIST_QUERIES
from tests.factories import make_citation, make_claim, make_speaker, make_user

pytestmark = pytest.mark.django_db

# The suite's cache is the database's, so cards are kept in the process; with another cache
# (Redis in production, here one in memory) they are kept in that one.
SHARED_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cards-test"}}


@pytest.fixture
def moderator():
    return make_user("moderator", "Moderators")


@pytest.fixture(autouse=True, params=["database cache", "shared cache"])
def card_store(request):
    """Run each test with the suite's database cache, then with a shared cache other than the database's."""
    if request.param == "database cache":
        cards.card_cache().clear()
        yield cards.card_cache()
        return
    with override_settings(CACHES=SHARED_CACHE):
        cards.card_cache().clear()
        yield cards.card_cache()


def published(moderator, statement, **fields):
    claim = make_claim(statement, **fields)
    make_citation(claim)
    claim.submit(moderator)
    claim.publish(moderator)
    claim.refresh_from_db()
    return claim


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_each_approved_version_and_drops_a_retracted_claim(client, moderator):
    claim = published(moderator, "Ferry fares rise by a tenth.", speaker=make_speaker("Ilse"), tags=["ferries"])
    for url in ("/claims/", "/tags/ferries/"):
        assert "Ferry fares rise by a tenth." in page(client, url)

    claim.statement = "Ferry fares rise by a quarter."
    claim.save()  # an edit awaiting approval
    bump()
    for url in ("/claims/", "/tags/ferries/"):
        shown = page(client, url)
        assert "Ferry fares rise by a tenth." in shown and "a quarter" not in shown

    claim.correct(moderator, "The board's figure.")
    for url in ("/claims/", "/tags/ferries/"):
        shown = page(client, url)
        assert "Ferry fares rise by a quarter." in shown and "a tenth" not in shown
        assert '<span class="badge">Corrected</span>' in shown

    claim.retract(moderator, "Misattributed.")
    for url in ("/claims/", "/tags/ferries/"):
        assert "Ferry fares rise" not in page(client, url)


def test_new_tag_and_speaker_addresses_change_the_cached_card(client, moderator):
    published(moderator, "Harbour dues are frozen.", speaker=make_speaker("Ilse", slug="ilse"), tags=["harbour"])
    shown = page(client, "/claims/")
    assert 'href="/tags/harbour/"' in shown and 'href="/speakers/ilse/"' in shown

    Speaker.objects.filter(slug="ilse").update(slug="ilse-brandvold")
    bump()
    shown = page(client, "/claims/")
    assert 'href="/speakers/ilse-brandvold/"' in shown and 'href="/speakers/ilse/"' not in shown

    Tag.objects.filter(name="harbour").update(slug="harbours")
    bump()
    shown = page(client, "/claims/")
    assert 'href="/tags/harbours/"' in shown and 'href="/tags/harbour/"' not in shown


def statements_shown(html):
    return re.findall(r'class="claim-card__statement"><a href="[^"]*">(.*?)</a></h2>', html)


def test_user_text_stays_escaped_in_cached_and_highlighted_cards(client, moderator):
    published(moderator, "The <script>alert(1)</script> minister spoke.", tags=["<b>bold</b>"])
    plain = "The &lt;script&gt;alert(1)&lt;/script&gt; minister spoke."
    marked = "The &lt;script&gt;alert(1)&lt;/script&gt; <mark>minister</mark> spoke."
    for url, statements in [
        ("/claims/", [plain]),
        ("/claims/?q=minister", [marked]),
        ("/claims/", [plain]),
        # SQLite's search matches "<script>" in the statement; PostgreSQL's reads it as markup, so nothing.
        ("/claims/?q=%3Cscript%3E+minister", None),
    ]:
        for _ in range(2):  # rendered, then from the cache
            bump()
            shown = page(client, url)
            if statements is not None:
                assert statements_shown(shown) == statements
            assert "<script>alert" not in shown and "<b>bold" not in shown
            assert all(statement.startswith("The &lt;") for statement in statements_shown(shown))
    assert "Claims matching “&lt;script&gt; minister”" in shown


def test_cached_cards_cost_no_more_queries_and_give_the_same_page(client, moderator):
    for n in range(30):
        published(moderator, f"Claim {n} about tolls.", speaker=make_speaker(), tags=["tolls", f"t{n}"])
    for url in ("/", "/claims/?page_size=30", "/claims/?q=tolls", "/tags/tolls/"):
        cards.card_cache().clear()
        bump()
        with CaptureQueriesContext(connection) as rendered:
            first = page(client, url)
        bump()
        with CaptureQueriesContext(connection) as cached:
            second = page(client, url)
        assert second == first
        assert len(cached) <= len(rendered)
        if url.startswith("/claims/"):
            assert len(cached) <= CLAIM_LIST_QUERIES


@pytest.mark.parametrize("page_size", [5, 50])
def test_one_cache_read_and_at_most_one_write_whatever_the_page_length(client, moderator, card_store, page_size):
    for n in range(page_size):
        published(moderator, f"Claim {n} about bridges.", tags=["bridges"])
    with (
        mock.patch.object(card_store, "get_many", wraps=card_store.get_many) as reads,
        mock.patch.object(card_store, "set_many", wraps=card_store.set_many) as writes,
    ):
        page(client, f"/claims/?page_size={page_size}")
        assert (reads.call_count, writes.call_count) == (1, 1)
        assert len(writes.call_args.args[0]) == page_size

        bump()
        page(client, f"/claims/?page_size={page_size}")
        assert (reads.call_count, writes.call_count) == (2, 1)


def test_claim_set_cards_show_the_curators_note_escaped(client, moderator):
    from editorial.models import ClaimSet, ClaimSetMembership

    claim_set = ClaimSet.objects.create(title="Tolls", slug="tolls", is_public=True)
    for position, note in enumerate(["Why <script>x</script>", ""], start=1):
        claim = published(moderator, f"Toll claim {position}.")
        ClaimSetMembership.objects.create(claim_set=claim_set, claim=claim, position=position, note=note)

    for _ in range(2):
        bump()
        shown = page(client, "/sets/tolls/")
        assert shown.count('class="set-note"') == 1
        assert "Why &lt;script&gt;x&lt;/script&gt;" in shown
