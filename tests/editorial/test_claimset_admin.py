"""The claim set admin, and the claim list's "add to a set" and "export" actions."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from editorial.models import ClaimSet
from tests.factories import make_citation, make_claim, make_published_claim, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:editorial_claim_changelist"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def action(client, name, claims, **extra):
    data = {"action": name, "_selected_action": [claim.pk for claim in claims], **extra}
    return client.post(reverse(CHANGELIST), data)


def offered_actions(response):
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


@pytest.fixture
def editor():
    return make_user("edna", "Editors")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def claims():
    published = make_published_claim("Fares rise by a tenth in May.")
    draft = make_claim("DRAFT claim still being written.")
    make_citation(draft)
    other = make_published_claim("Season tickets are frozen.")
    return published, draft, other


# The claim set admin -----------------------------------------------------------------------------


def test_set_list_shows_counts_without_a_query_per_set(editor_client, claims, django_assert_max_num_queries):
    published, draft, other = claims
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
    published, draft, other = claims
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
    published, draft, other = claims
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
    published, draft, other = claims
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


# Add selected claims to a set --------------------------------------------------------------------


def test_add_to_set_asks_for_the_set_first(editor_client, claims):
    response = action(editor_client, "add_to_set_selected", list(claims))

    assert response.status_code == 200
    assert "Add claims to a set" in response.content.decode()
    assert not ClaimSet.objects.exists()


def test_add_to_a_new_set(editor_client, editor, claims):
    published, draft, other = claims

    response = action(
        editor_client, "add_to_set_selected", [published, draft], post="yes", new_title="Fresh set", note="Why"
    )

    assert response.status_code == 302
    claim_set = ClaimSet.objects.get(title="Fresh set")
    assert claim_set.curator == editor and not claim_set.is_public
    assert set(claim_set.ordered_claims()) == {published, draft}
    assert set(claim_set.memberships.values_list("note", flat=True)) == {"Why"}
    assert any("2 claims added" in message for message in page_messages(response))


def test_add_to_an_existing_set_appends_and_skips_members(editor_client, claims):
    published, draft, other = claims
    claim_set = ClaimSet.objects.create(title="Existing")
    claim_set.add_claim(published)

    response = action(editor_client, "add_to_set_selected", [published, other], post="yes", claim_set=str(claim_set.pk))

    assert response.status_code == 302
    assert list(claim_set.ordered_claims()) == [published, other]
    assert list(claim_set.memberships.values_list("position", flat=True)) == [1, 2]
    assert any("1 claim added" in m and "1 skipped" in m for m in page_messages(response))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"new_title": "   "},
        {"claim_set": "999999"},
        {"claim_set": "not-a-number"},
        {"claim_set": "EXISTING", "new_title": "Both"},
    ],
)
def test_add_to_set_reports_bad_input_on_the_form(editor_client, claims, data):
    existing = ClaimSet.objects.create(title="Existing")
    if data.get("claim_set") == "EXISTING":
        data = {**data, "claim_set": str(existing.pk)}

    response = action(editor_client, "add_to_set_selected", list(claims), post="yes", **data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert ClaimSet.objects.count() == 1 and not existing.memberships.exists()


def test_add_to_set_is_refused_without_set_permissions(client, claims):
    reader = make_user("viewer")
    from django.contrib.auth.models import Permission

    reader.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "change_claim"]))
    client.force_login(reader)
    claim_set = ClaimSet.objects.create(title="Existing")

    assert "add_to_set_selected" not in offered_actions(client.get(reverse(CHANGELIST)))
    response = action(client, "add_to_set_selected", list(claims), post="yes", claim_set=str(claim_set.pk))

    assert not claim_set.memberships.exists()
    assert ClaimSet.objects.count() == 1
    assert response.status_code == 302


def test_a_user_who_may_only_add_sets_cannot_fill_an_existing_one(client, claims):
    from django.contrib.auth.models import Permission

    user = make_user("adder")
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "add_claimset"]))
    client.force_login(user)
    claim_set = ClaimSet.objects.create(title="Existing")

    response = action(client, "add_to_set_selected", list(claims), post="yes", claim_set=str(claim_set.pk))

    assert response.status_code == 200
    assert "may not change claim sets" in response.content.decode()
    assert not claim_set.memberships.exists()


# Export selected claims --------------------------------------------------------------------------


def test_export_asks_for_a_format_and_says_only_published_claims_go(editor_client, claims):
    response = action(editor_client, "export_selected", list(claims))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Only published claims are exported" in page
    assert "2 of the 3 selected claims" in page
    assert 'value="json"' in page


def test_export_streams_an_attachment_of_the_published_selected_claims(editor_client, claims):
    published, draft, other = claims

    response = action(editor_client, "export_selected", [published, draft], post="yes", format="json")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="claims.json"' in response["Content-Disposition"]
    document = json.loads(b"".join(response.streaming_content))
    assert [claim["statement"] for claim in document["claims"]] == [published.statement]


@pytest.mark.parametrize("fmt", ["nonsense", ""])
def test_export_with_an_unknown_format_shows_the_form_again(editor_client, claims, fmt):
    response = action(editor_client, "export_selected", list(claims), post="yes", format=fmt)

    assert response.status_code == 200
    assert not getattr(response, "streaming", False)
    assert response.context["form"].errors["format"]
