"""The claim set admin: its list, a set's page with its members and exports, adding and reordering."""

import json

import pytest
from django.urls import reverse

from editorial.models import ClaimSet
from tests.editorial.admin.helpers import ESCAPED_SCRIPT, SCRIPT, page_messages
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_set_list_shows_counts_without_a_query_per_set(editor_client, claims, django_assert_max_num_queries):
    published, draft, _other = claims
    for number in range(10):
        claim_set = ClaimSet.objects.create(title=f"Set {number}", curator=make_user())
        claim_set.add_claim(published)
        claim_set.add_claim(draft)

    with django_assert_max_num_queries(12):
        response = editor_client.get(reverse("admin:editorial_claimset_changelist"))

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 10
    assert {(row.claim_count, row.published_count) for row in rows} == {(2, 1)}


def test_set_list_searches_titles(editor_client):
    ClaimSet.objects.create(title="Ferry fares")
    ClaimSet.objects.create(title="Battery storage")

    response = editor_client.get(reverse("admin:editorial_claimset_changelist"), {"q": "ferry"})

    assert [row.title for row in response.context["cl"].result_list] == ["Ferry fares"]


def test_set_change_page_shows_members_and_export_links(editor_client, claims):
    published, draft, _other = claims
    claim_set = ClaimSet.objects.create(title=f"Set {SCRIPT}", is_public=True)
    claim_set.add_claim(published, note=f"Note {SCRIPT}")
    claim_set.add_claim(draft)

    response = editor_client.get(reverse("admin:editorial_claimset_change", args=[claim_set.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert SCRIPT not in page and ESCAPED_SCRIPT in page
    export_url = reverse("admin:editorial_claimset_export", args=[claim_set.pk, "json"])
    assert f'href="{export_url}"' in page
    assert "published claims only" in page
    document = json.loads(b"".join(editor_client.get(export_url).streaming_content))
    assert [claim["statement"] for claim in document["claims"]] == [published.statement]
    unknown = editor_client.get(reverse("admin:editorial_claimset_export", args=[claim_set.pk, "nonsense"]))
    assert unknown.status_code == 302
    assert any("Unknown export format" in message for message in page_messages(unknown))


def test_adding_a_set_makes_the_user_its_curator_and_orders_new_members_last(editor_client, editor, claims):
    published, _draft, other = claims
    data = {
        "title": "New set",
        "slug": "new-set",
        "description": "",
        "is_public": "on",
        "curator": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-claim": str(other.pk),
        "memberships-0-position": "",
        "memberships-0-note": "Second",
        "memberships-1-claim": str(published.pk),
        "memberships-1-position": "",
        "memberships-1-note": "",
    }

    response = editor_client.post(reverse("admin:editorial_claimset_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    claim_set = ClaimSet.objects.get(slug="new-set")
    assert claim_set.curator == editor
    assert list(claim_set.ordered_claims()) == [other, published]


def test_members_can_swap_positions(editor_client, claims):
    published, _draft, other = claims
    claim_set = ClaimSet.objects.create(title="Swap")
    first = claim_set.add_claim(published)
    second = claim_set.add_claim(other)
    data = {
        "title": "Swap",
        "slug": "swap",
        "description": "",
        "curator": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "2",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(first.pk),
        "memberships-0-claim_set": str(claim_set.pk),
        "memberships-0-claim": str(published.pk),
        "memberships-0-position": "2",
        "memberships-0-note": "",
        "memberships-1-id": str(second.pk),
        "memberships-1-claim_set": str(claim_set.pk),
        "memberships-1-claim": str(other.pk),
        "memberships-1-position": "1",
        "memberships-1-note": "",
    }

    response = editor_client.post(reverse("admin:editorial_claimset_change", args=[claim_set.pk]), data)

    assert response.status_code == 302
    assert list(claim_set.ordered_claims()) == [other, published]
