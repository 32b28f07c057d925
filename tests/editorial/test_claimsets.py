"""Claim sets: ordered, curated collections that never reveal an unpublished member."""

import pytest
from django.db import IntegrityError

from editorial.models import ClaimSet, ClaimSetMembership
from tests.factories import make_citation, make_claim, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_user("moderator", "Editors", "Moderators")


def published_claim(statement, moderator):
    claim = make_claim(statement)
    make_citation(claim)
    claim.submit(moderator)
    claim.publish(moderator)
    return claim


def test_slug_is_filled_in_from_the_title_and_kept_unique():
    first = ClaimSet.objects.create(title="Ferry fares")
    second = ClaimSet.objects.create(title="Ferry fares")

    assert (first.slug, second.slug) == ("ferry-fares", "ferry-fares-2")


def test_published_claims_are_the_published_members_in_set_order(moderator):
    claim_set = ClaimSet.objects.create(title="Mixed")
    third = published_claim("Third in time, first in the set.", moderator)
    draft = make_claim("A draft member.")
    first = published_claim("First in time, last in the set.", moderator)
    claim_set.add_claim(third)
    claim_set.add_claim(draft, note="Still being checked")
    claim_set.add_claim(first)

    assert list(claim_set.published_claims()) == [third, first]
    assert list(claim_set.ordered_claims()) == [third, draft, first]
    assert list(claim_set.memberships.values_list("position", flat=True)) == [1, 2, 3]


def test_a_claim_with_unpublished_edits_stays_listed_but_a_retracted_one_does_not(moderator):
    claim_set = ClaimSet.objects.create(title="Edits")
    edited = published_claim("Published, then edited.", moderator)
    edited.statement = "Edited but not approved."
    edited.save()
    retracted = published_claim("Published, then retracted.", moderator)
    retracted.retract(moderator, "Wrong speaker")
    claim_set.add_claim(edited)
    claim_set.add_claim(retracted)

    assert list(claim_set.published_claims()) == [edited]


def test_public_lists_only_sets_marked_public():
    shown = ClaimSet.objects.create(title="Shown", is_public=True)
    ClaimSet.objects.create(title="Hidden")

    assert list(ClaimSet.objects.public()) == [shown]


def test_a_claim_is_in_a_set_once_and_a_position_is_taken_once():
    claim_set = ClaimSet.objects.create(title="Unique")
    claim = make_claim()
    claim_set.add_claim(claim)

    with pytest.raises(IntegrityError):
        ClaimSetMembership.objects.create(claim_set=claim_set, claim=claim, position=2)


def test_two_claims_cannot_share_a_position():
    claim_set = ClaimSet.objects.create(title="Positions")
    ClaimSetMembership.objects.create(claim_set=claim_set, claim=make_claim(), position=1)

    with pytest.raises(IntegrityError):
        ClaimSetMembership.objects.create(claim_set=claim_set, claim=make_claim(), position=1)


def test_deleting_the_curator_keeps_the_set():
    curator = make_user("curator")
    claim_set = ClaimSet.objects.create(title="Curated", curator=curator)

    curator.delete()

    claim_set.refresh_from_db()
    assert claim_set.curator is None
