"""Edits to public claims awaiting approval: submitting them, the queue's section, the list's filter and
marker, the changes page, approving them as a correction and declining them with a note.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import ClaimStatus, ModerationEvent
from editorial.services.citations import cite
from tests.editorial.admin.helpers import (
    ESCAPED_SCRIPT,
    QUEUE,
    SCRIPT,
    change_page,
    changelist,
    listed,
    page_messages,
    refresh,
    transition,
)
from tests.factories import make_claim, make_speaker

pytestmark = pytest.mark.django_db

APPROVED = "The council voted to close two libraries."
EDITED = "The council voted to close three libraries."


@pytest.fixture
def published(claim, editor, moderator):
    """The council claim, published, then edited by its editor (the edit is not approved)."""
    claim.submit(editor)
    claim.publish(moderator, "Checked against the article.")
    claim = refresh(claim)
    claim.statement = EDITED
    claim.save()
    return claim


def changes_url(claim):
    return reverse("admin:editorial_claim_changes", args=[claim.pk])


def queued(client):
    return [claim.pk for claim in client.get(reverse(QUEUE)).context["changed_claims"]]


def filtered(client, value):
    return [claim.pk for claim in listed(changelist(client, changes=value))]


def public_page(claim):
    """The claim's public page as a reader (not logged in) gets it."""
    response = Client().get(reverse("public:claim_redirect", args=[claim.pk]), follow=True)
    assert response.status_code == 200
    return response.content.decode()


# Submitting ---------------------------------------------------------------------------------------


def test_an_editor_submits_changes_and_they_reach_the_queue_filter_and_marker(client, published, editor, moderator):
    client.force_login(editor)
    assert [t.name for t in change_page(client, published).context["workflow"]["transitions"]] == ["submit_changes"]

    response = transition(client, published, "submit_changes", "Third library added to the plan.")

    assert response.status_code == 302
    assert page_messages(response) == [
        f"The changes to “{EDITED}” await a moderator's approval; readers see the approved version."
    ]
    stored = refresh(published)
    assert stored.status == ClaimStatus.PUBLISHED
    assert stored.changes_submission().note == "Third library added to the plan."

    client.force_login(moderator)
    assert queued(client) == [published.pk]
    queue = client.get(reverse(QUEUE)).content.decode()
    assert "Changes awaiting approval" in queue and changes_url(published) in queue and "Statement" in queue
    assert filtered(client, "submitted") == [published.pk]
    assert filtered(client, "unsubmitted") == []
    assert "changes-awaiting-approval" in changelist(client).content.decode()
    # Readers still see the approved version.
    html = public_page(published)
    assert APPROVED in html and EDITED not in html


def test_unsubmitted_changes_are_found_by_their_own_filter_only(moderator_client, published, claims):
    assert filtered(moderator_client, "unsubmitted") == [published.pk]
    assert filtered(moderator_client, "submitted") == []
    assert queued(moderator_client) == []
    assert "changes-awaiting-approval" not in changelist(moderator_client).content.decode()


def test_a_claim_without_changes_cannot_be_submitted_and_is_not_offered_the_step(
    editor_client, claim, editor, moderator
):
    claim.submit(editor)
    claim.publish(moderator)
    assert change_page(editor_client, claim).context["workflow"]["transitions"] == []

    response = transition(editor_client, claim, "submit_changes")

    assert page_messages(response) == [
        f"“{claim}”: There are no changes to submit: the claim is the same as its approved version. "
        "Edit and save it first."
    ]
    assert not claim.moderation_events.filter(action=ModerationEvent.Action.SUBMIT_CHANGES).exists()


def test_changes_are_submitted_once(editor_client, published):
    transition(editor_client, published, "submit_changes")
    response = transition(editor_client, published, "submit_changes")

    assert page_messages(response)[-1] == f"“{EDITED}”: Its changes already await a moderator's approval."
    assert published.moderation_events.filter(action=ModerationEvent.Action.SUBMIT_CHANGES).count() == 1


# Approving and declining --------------------------------------------------------------------------


def test_a_moderator_approves_the_changes_as_a_correction(client, published, editor, moderator):
    published.submit_changes(editor)
    client.force_login(moderator)

    response = transition(client, published, "correct", "The plan closes three libraries.", next=reverse(QUEUE))

    assert response["Location"] == reverse(QUEUE)
    stored = refresh(published)
    assert stored.status == ClaimStatus.CORRECTED
    assert not stored.has_unpublished_changes()
    assert queued(client) == []
    assert filtered(client, "submitted") == filtered(client, "unsubmitted") == []
    html = public_page(published)
    assert EDITED in html and "Correction" in html and "The plan closes three libraries." in html


def test_a_moderator_declines_the_changes_with_a_note_the_editor_sees(client, published, editor, moderator):
    published.submit_changes(editor)
    client.force_login(moderator)

    assert page_messages(transition(client, published, "decline_changes")) == [
        f"“{EDITED}”: A note is required to decline changes to a claim: say why, so that the editor can rework "
        "them; readers never see it."
    ]
    response = transition(client, published, "decline_changes", "The article says two; cite the update first.")

    assert "are declined" in page_messages(response)[-1]
    stored = refresh(published)
    assert stored.status == ClaimStatus.PUBLISHED and stored.statement == EDITED
    assert queued(client) == []
    assert filtered(client, "unsubmitted") == [published.pk]
    html = public_page(published)
    assert APPROVED in html and EDITED not in html and "cite the update first" not in html

    client.force_login(editor)
    response = change_page(client, published)
    page = response.content.decode()
    assert 'class="changes-declined"' in page and "The article says two; cite the update first." in page
    # The editor may rework the edits and submit them again.
    assert [t.name for t in response.context["workflow"]["transitions"]] == ["submit_changes"]


def test_an_editor_can_neither_approve_nor_decline(client, published, editor):
    published.submit_changes(editor)
    client.force_login(editor)
    assert [t.name for t in change_page(client, published).context["workflow"]["transitions"]] == []
    assert 'value="decline_changes"' not in client.get(changes_url(published)).content.decode()

    declined = transition(client, published, "decline_changes", "Not good.")
    corrected = transition(client, published, "correct", "Approve myself.")

    assert "You do not have permission to decline changes to claims" in page_messages(declined)[-1]
    assert "You do not have permission to correct claims" in page_messages(corrected)[-1]
    stored = refresh(published)
    assert stored.status == ClaimStatus.PUBLISHED and stored.changes_submission() is not None


def test_declining_needs_submitted_changes(moderator_client, published):
    response = transition(moderator_client, published, "decline_changes", "No.")
    assert "Cannot decline changes that were not submitted" in page_messages(response)[-1]


def test_retracting_ends_the_wait(moderator_client, published, editor, moderator):
    published.submit_changes(editor)
    published.retract(moderator, "The council never voted.")
    assert queued(moderator_client) == []
    assert filtered(moderator_client, "submitted") == []


# Reading never changes anything -------------------------------------------------------------------


def test_get_requests_change_nothing(moderator_client, published, editor):
    published.submit_changes(editor)
    events = published.moderation_events.count()

    assert moderator_client.get(reverse("admin:editorial_claim_transition", args=[published.pk])).status_code == 405
    for url in (changes_url(published), reverse(QUEUE), reverse("admin:editorial_claim_change", args=[published.pk])):
        assert moderator_client.get(url, {"transition": "correct", "note": "x"}).status_code == 200

    assert published.moderation_events.count() == events
    assert refresh(published).status == ClaimStatus.PUBLISHED


def test_steps_are_posted_with_a_csrf_token(published, moderator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert transition(client, published, "submit_changes").status_code == 403
    assert refresh(published).changes_submission() is None


# The changes page ---------------------------------------------------------------------------------


def test_the_changes_page_shows_each_field_word_by_word_and_escaped(client, published, editor, moderator, source):
    published.speaker = make_speaker(f"Mayor {SCRIPT}")
    published.verdict_explanation = f"Checked {SCRIPT}"
    published.save()
    published.tags.add("budgets")
    cite(claim=published, revision=source.current_revision, excerpt="longer opening hours")
    published.submit_changes(editor, "Speaker and budgets")
    client.force_login(moderator)

    response = client.get(changes_url(published))

    html = response.content.decode()
    assert SCRIPT not in html and ESCAPED_SCRIPT in html
    assert "<del>two</del><ins>three</ins>" in html
    assert "<del>City council</del> → <ins>Mayor " in html
    assert "<ins>budgets, </ins>libraries" in html
    assert "<ins>“Council closes libraries”, revision 1" in html and "longer opening hours" in html
    changed = {change.label: change.changed for change in response.context["fields"]}
    assert changed == {
        "Statement": True,
        "Speaker": True,
        "Claim date": False,
        "Tags": True,
        "Verdict": False,
        "Verdict explanation": True,
        "Citations": True,
    }
    assert [t.name for t in response.context["transitions"]] == ["correct", "decline_changes"]
    assert "Approve as a correction" in html


def test_the_changes_page_offers_an_editor_the_submission(editor_client, published):
    response = editor_client.get(changes_url(published))
    assert [t.name for t in response.context["transitions"]] == ["submit_changes"]
    assert "Not submitted for approval yet." in response.content.decode()


def test_the_changes_page_of_a_draft_says_there_is_nothing_to_approve(editor_client, claim):
    response = editor_client.get(changes_url(claim))
    assert response.status_code == 200
    assert "no approved public version" in response.content.decode()
    assert response.context["transitions"] == []


def test_the_index_links_moderators_to_the_changes_awaiting_approval(client, editor, moderator):
    link = reverse(QUEUE) + "#changes-awaiting-approval"
    client.force_login(moderator)
    assert link in client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    assert link not in client.get(reverse("admin:index")).content.decode()


# Query counts -------------------------------------------------------------------------------------


def test_the_list_marker_costs_no_query_per_claim(moderator_client, editor, moderator, source):
    def submitted_claims(count):
        for number in range(count):
            claim = make_claim(f"Claim {number} about libraries.", created_by=editor)
            cite(claim=claim, revision=source.current_revision, excerpt="close two libraries")
            claim.submit(editor)
            claim.publish(moderator)
            claim.statement += " Edited."
            claim.save()
            claim.submit_changes(editor)

    submitted_claims(1)
    with CaptureQueriesContext(connection) as one:
        assert len(listed(changelist(moderator_client))) == 1
    submitted_claims(9)
    with CaptureQueriesContext(connection) as ten:
        response = changelist(moderator_client)
        assert len(listed(response)) == 10

    assert len(ten.captured_queries) == len(one.captured_queries)
    assert response.content.decode().count('class="changes-awaiting-approval"') == 10
