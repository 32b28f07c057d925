"""The unfiltered list's counters (``PublicFacet``) follow every change of the read model."""

import pytest

from editorial.filters import listed_entries
from editorial.models import PublicFacet
from editorial.public import counters, readmodel
from editorial.services.citations import cite
from editorial.views.mixins import counted_facets, publisher_facets, speaker_facets, tag_facets
from tests.factories import make_claim, make_publisher, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    moderator = make_user("mona", "Moderators")
    ledger = make_publisher("Quay Ledger")
    source = make_source("Ferry fares", "Fares rise by a tenth in May.", publisher=ledger)
    claims = []
    mayors = [make_speaker("Mayor Holt"), make_speaker("Mayor Quist")]
    for n, tags in enumerate((["ferries", "prices"], ["ferries"], ["budget"])):
        claim = make_claim(f"Claim {n} about fares.", tags=tags, speaker=mayors[n % 2])
        cite(claim=claim, revision=source.current_revision, excerpt="Fares rise")
        claim.submit(moderator)
        claim.publish(moderator)
        claims.append(claim)
    return moderator, source, claims


def assert_counters_agree():
    assert counters.problems() == []
    listed = listed_entries()
    facets = counted_facets()
    assert facets["tags"] == tag_facets(listed)
    assert facets["speakers"] == speaker_facets(listed)
    assert facets["publishers"] == publisher_facets(listed)
    assert counters.total() == listed.count()


def test_publishing_counts_tags_speakers_publishers_and_the_total(desk):
    assert_counters_agree()
    assert counters.total() == 3
    assert counted_facets()["tags"][0] == {"tag__name": "ferries", "tag__slug": "ferries", "count": 2}


def test_a_correction_moves_the_counts_and_an_unapproved_edit_does_not(desk):
    moderator, _, claims = desk
    claims[0].tags.set(["harbours"])
    claims[0].speaker = make_speaker("Someone Else")
    claims[0].save()
    assert_counters_agree()  # nothing approved yet: the counters still count the approved versions
    assert "harbours" not in {row["tag__name"] for row in counted_facets()["tags"]}

    claims[0].correct(moderator, "New tags and speaker.")

    assert_counters_agree()
    assert "harbours" in {row["tag__name"] for row in counted_facets()["tags"]}


def test_retracting_and_deleting_take_claims_out_of_the_counts(desk):
    moderator, _, claims = desk
    claims[0].retract(moderator, note="Wrong.")
    assert_counters_agree()
    claims[1].delete()
    assert_counters_agree()
    assert counters.total() == 1


def test_a_source_changing_publisher_moves_its_claims(desk):
    _, source, _ = desk
    source.publisher = make_publisher("Harbour Herald")
    source.save()

    assert_counters_agree()
    assert [row["revision__source__publisher__name"] for row in counted_facets()["publishers"]] == ["Harbour Herald"]


def test_verify_reports_a_counter_that_drifted_and_rebuild_repairs_it(desk):
    PublicFacet.objects.filter(kind="total").update(count=99)

    assert any("counter total 0: 99" in line for line in readmodel.verify())
    readmodel.rebuild()
    assert readmodel.verify() == []
    assert_counters_agree()


def test_the_unfiltered_list_reads_the_counters(client, desk, django_assert_max_num_queries):
    page = client.get("/claims/").content.decode()

    assert "3 claims" in page
    assert "ferries" in page
