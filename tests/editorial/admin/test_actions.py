"""The claim list's bulk actions: workflow transitions, adding to a set, exporting, deleting."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from editorial.models import Claim, ClaimSet, ClaimStatus
from tests.editorial.admin.helpers import (
    CHANGELIST,
    action,
    changelist,
    in_review,
    offered_actions,
    page_messages,
    refresh,
)
from tests.factories import make_claim, make_user

pytestmark = pytest.mark.django_db


# Workflow transitions -----------------------------------------------------------------------------


def test_an_editor_submits_drafts_after_a_confirmation_page(editor_client, claim, editor):
    response = action(editor_client, "submit_selected", [claim])

    assert response.status_code == 200
    assert b'name="note"' in response.content and claim.statement.encode() in response.content
    assert refresh(claim).status == ClaimStatus.DRAFT

    response = action(editor_client, "submit_selected", [claim], post="yes", note="Ready")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    event = claim.moderation_events.get()
    assert (event.user, event.action, event.note) == (editor, "submit", "Ready")


def test_a_moderator_publishes_claims_in_review(moderator_client, claim, editor, moderator):
    in_review(claim, editor)

    response = action(moderator_client, "publish_selected", [claim], post="yes", note="")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.PUBLISHED
    assert claim.moderation_events.last().user == moderator
    assert "1 claim now published." in page_messages(response)


def test_rejecting_asks_for_a_note_and_changes_nothing_without_one(moderator_client, claim, editor):
    in_review(claim, editor)

    response = action(moderator_client, "reject_selected", [claim], post="yes", note="  ")

    assert response.status_code == 200
    assert "A note is required to reject claims" in response.content.decode()
    assert refresh(claim).status == ClaimStatus.IN_REVIEW

    response = action(moderator_client, "reject_selected", [claim], post="yes", note="Not what she said.")

    assert refresh(claim).status == ClaimStatus.REJECTED
    assert claim.moderation_events.last().note == "Not what she said."


def test_a_moderator_sends_claims_back_with_a_note(moderator_client, claim, editor):
    in_review(claim, editor)

    action(moderator_client, "send_back_selected", [claim], post="yes", note="Add the date.")

    assert refresh(claim).status == ClaimStatus.DRAFT
    assert claim.moderation_events.last().action == "send_back"


def test_each_claim_that_cannot_move_is_reported_and_the_others_move(moderator_client, claim, editor, source):
    in_review(claim, editor)
    draft = make_claim("Still a draft.")
    uncited = in_review(make_claim("Nothing cited."), editor)

    response = action(moderator_client, "publish_selected", [claim, draft, uncited], post="yes")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.PUBLISHED
    assert refresh(draft).status == ClaimStatus.DRAFT
    assert refresh(uncited).status == ClaimStatus.IN_REVIEW
    shown = page_messages(response)
    assert "“Still a draft.”: Cannot publish a claim that is draft; submit it for review first." in shown
    assert any(message.startswith("“Nothing cited.”: Cannot publish a claim without citations") for message in shown)
    assert "1 claim now published." in shown


def test_an_editor_is_not_offered_moderation_actions_and_cannot_force_them(editor_client, claim, editor):
    in_review(claim, editor)

    choices = offered_actions(changelist(editor_client))
    assert "submit_selected" in choices
    assert not {"publish_selected", "reject_selected", "send_back_selected"} & set(choices)

    response = action(editor_client, "publish_selected", [claim], post="yes")

    assert response.status_code in (200, 302, 403)
    assert refresh(claim).status == ClaimStatus.IN_REVIEW


def test_a_user_without_the_submit_permission_is_not_offered_submit(client, claim):
    viewer = make_user("viewer")
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "change_claim"]))
    client.force_login(viewer)

    assert "submit_selected" not in offered_actions(changelist(client))


# Add selected claims to a set ---------------------------------------------------------------------


def test_add_to_set_asks_for_the_set_first(editor_client, claims):
    response = action(editor_client, "add_to_set_selected", list(claims))

    assert response.status_code == 200
    assert "Add claims to a set" in response.content.decode()
    assert not ClaimSet.objects.exists()


def test_add_to_a_new_set(editor_client, editor, claims):
    published, draft, _other = claims

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
    published, _draft, other = claims
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


# Export selected claims ---------------------------------------------------------------------------


def test_export_asks_for_a_format_and_says_only_published_claims_go(editor_client, claims):
    response = action(editor_client, "export_selected", list(claims))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Only published claims are exported" in page
    assert "2 of the 3 selected claims" in page
    assert 'value="json"' in page


def test_export_streams_an_attachment_of_the_published_selected_claims(editor_client, claims):
    published, draft, _other = claims

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


# Delete selected claims ---------------------------------------------------------------------------


def test_bulk_delete_removes_only_what_the_user_may_delete(moderator_client, claim, editor, moderator):
    draft = make_claim("Just a draft.")
    claim.submit(editor)
    claim.publish(moderator)

    response = action(moderator_client, "delete_selected", [claim, draft])
    assert response.status_code == 200
    assert "Not deleted: “The council voted to close two libraries.”" in page_messages(response)[0]

    action(moderator_client, "delete_selected", [draft], post="yes")

    assert Claim.objects.filter(pk=claim.pk).exists()
    assert not Claim.objects.filter(pk=draft.pk).exists()
