"""``/tags/``, ``/speakers/``, ``/publishers/``: what is public, counted from the read model."""

import pytest

from editorial.services.citations import cite
from tests.factories import make_claim, make_publisher, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    moderator = make_user("mona", "Moderators")
    ledger = make_publisher("Quay Ledger")
    source = make_source("Ferry fares", "Fares rise by a tenth in May.", publisher=ledger)
    make_source("Unrelated", "Nothing cited here.", publisher=make_publisher("Silent Press"))
    published = []
    for n, tags in enumerate((["ferries", "prices"], ["ferries"])):
        claim = make_claim(f"Claim number {n} about fares.", tags=tags, speaker=make_speaker(f"Mayor {n}"))
        cite(claim=claim, revision=source.current_revision, excerpt="Fares rise")
        claim.submit(moderator)
        claim.publish(moderator)
        published.append(claim)
    draft = make_claim("A draft.", tags=["secret-tag"], speaker=make_speaker("Hidden Speaker"))
    cite(claim=draft, revision=source.current_revision, excerpt="Fares rise")
    # An unapproved edit of a published claim: its new tag and speaker are not public.
    published[0].tags.add("unapproved-tag")
    published[0].speaker = make_speaker("Unapproved Speaker")
    published[0].save()
    return published


def test_the_tag_index_lists_public_tags_with_their_counts(client, record):
    page = client.get("/tags/").content.decode()

    assert 'ferries</a> <span class="count">2 published claims' in page
    assert 'prices</a> <span class="count">1 published claim<' in page
    assert "secret-tag" not in page
    assert "unapproved-tag" not in page


def test_the_speaker_index_lists_approved_speakers_only(client, record):
    page = client.get("/speakers/").content.decode()

    assert "Mayor 0" in page and "Mayor 1" in page
    assert "Hidden Speaker" not in page
    assert "Unapproved Speaker" not in page


def test_the_publisher_index_counts_claims_citing_their_sources(client, record):
    page = client.get("/publishers/").content.decode()

    assert 'Quay Ledger</a> <span class="count">2 published claims' in page
    assert 'Silent Press</a> <span class="count">0 published claims' in page


def test_a_name_narrows_the_index_and_is_escaped(client, record):
    page = client.get("/tags/", {"q": "pri"}).content.decode()
    assert "prices" in page and "ferries" not in page

    page = client.get("/tags/", {"q": "<script>"}).content.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "No tags match" in page


def test_an_index_page_costs_the_same_whatever_its_length(client, record, django_assert_max_num_queries):
    # Both requests come right after a change: the counts are computed, not read from the cache.
    with django_assert_max_num_queries(12) as few:
        client.get("/tags/")
    moderator = make_user("mona2", "Moderators")
    source = make_source("More", "More text here.")
    for n in range(30):
        claim = make_claim(f"Extra claim {n}.", tags=[f"extra-{n}"])
        cite(claim=claim, revision=source.current_revision, excerpt="More text")
        claim.submit(moderator)
        claim.publish(moderator)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/tags/").content.decode()
    assert "extra-29" in page
