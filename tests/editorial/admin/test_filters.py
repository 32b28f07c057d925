"""The claim list's filters and its date hierarchy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from editorial.services.citations import cite
from tests.editorial.admin.helpers import changelist, listed
from tests.factories import add_announced_revision, make_claim, make_publisher, make_source, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_claims(editor, moderator, source):
    """Three claims differing in status, tag, speaker, publisher, source, anchor state and author."""
    other_source = make_source("Ferry fares", "Fares rise by a tenth in May.", publisher=make_publisher("Ledger"))
    first = make_claim("Libraries close.", created_by=editor, speaker=make_speaker("Mayor"), tags=["libraries"])
    cite(claim=first, revision=source.current_revision, excerpt="close two libraries")
    second = make_claim("Fares rise.", created_by=moderator, speaker=make_speaker("Harbour board"), tags=["ferries"])
    cite(claim=second, revision=other_source.current_revision, excerpt="Fares rise by a tenth")
    add_announced_revision(other_source, "Fares rise by a fifth in June.")
    second.submit(moderator)
    third = make_claim("Nothing cited yet.", created_by=editor, claim_date=timezone.localdate() - timedelta(days=400))
    return first, second, third, other_source


def test_claim_list_filters(moderator_client, varied_claims, source, editor):
    first, second, third, other_source = varied_claims
    publisher = other_source.publisher
    cases = [
        ({"status__exact": "in_review"}, [second]),
        ({"tag": "libraries"}, [first]),
        ({"speaker__id__exact": first.speaker_id}, [first]),
        ({"publisher": publisher.pk}, [second]),
        ({"source": source.pk}, [first]),
        ({"anchor": "changed"}, [second]),
        ({"anchor": "current"}, [first]),
        ({"anchor": "none"}, [third]),
        ({"created_by__id__exact": editor.pk}, [first, third]),
        ({"claim_date__lt": (timezone.localdate() - timedelta(days=30)).isoformat()}, [third]),
    ]
    for params, expected in cases:
        response = changelist(moderator_client, **params)
        assert response.status_code == 200, params
        assert {claim.pk for claim in listed(response)} == {claim.pk for claim in expected}, params


def test_the_date_hierarchy_narrows_by_creation_date(moderator_client, varied_claims):
    today = timezone.localdate()
    response = changelist(moderator_client, created_at__year=today.year, created_at__month=today.month)
    assert len(listed(response)) == 3
