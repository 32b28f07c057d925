"""Moderation in the admin: the queue, the claim page's workflow buttons and the transitions they post."""

import pytest
from django.urls import reverse

from editorial.models import ClaimStatus
from editorial.services.citations import cite
from tests.editorial.admin.helpers import QUEUE, change_page, changelist, in_review, page_messages, refresh, transition
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


# The moderation queue -----------------------------------------------------------------------------


def test_the_moderation_queue_is_for_moderators_only(client, editor, moderator):
    client.force_login(moderator)
    assert client.get(reverse(QUEUE)).status_code == 200
    client.force_login(editor)
    assert client.get(reverse(QUEUE)).status_code == 403


def test_the_queue_is_linked_from_the_claim_list_and_the_index_for_moderators(client, editor, moderator):
    queue = reverse(QUEUE)
    client.force_login(moderator)
    assert queue in changelist(client).content.decode()
    assert queue in client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    assert queue not in changelist(client).content.decode()
    assert queue not in client.get(reverse("admin:index")).content.decode()


def test_the_queue_lists_claims_in_review_oldest_first_with_excerpts_in_context(moderator_client, editor, source):
    later = make_claim("Opening hours get longer.")
    cite(claim=later, revision=source.current_revision, excerpt="longer opening hours")
    earlier = make_claim("Two libraries close.")
    cite(claim=earlier, revision=source.current_revision, excerpt="close two libraries")
    earlier.submit(editor)
    later.submit(editor)
    make_claim("A draft is not in the queue.")

    response = moderator_client.get(reverse(QUEUE))

    assert [claim.pk for claim in response.context["claims"]] == [earlier.pk, later.pk]
    html = response.content.decode()
    assert "A draft is not in the queue." not in html
    assert "voted on Thursday to <mark>close two libraries</mark>." in html
    assert 'value="publish"' in html and 'value="reject"' in html and 'value="send_back"' in html


# The claim page's workflow ------------------------------------------------------------------------


def transition_buttons(response):
    return [t.name for t in response.context["workflow"]["transitions"]]


def test_the_claim_page_offers_the_transitions_open_to_the_user(client, claim, editor, moderator):
    client.force_login(editor)
    assert transition_buttons(change_page(client, claim)) == ["submit"]
    in_review(claim, editor)
    assert transition_buttons(change_page(client, claim)) == []

    client.force_login(moderator)
    response = change_page(client, claim)
    assert transition_buttons(response) == ["publish", "reject", "send_back"]
    html = response.content.decode()
    assert 'value="publish"' in html and 'value="send_back"' in html


def test_a_transition_button_moves_the_claim_and_says_so(editor_client, claim, editor):
    response = transition(editor_client, claim, "submit", "Please check the date.")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[claim.pk])
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert "“The council voted to close two libraries.” is now in review." in page_messages(response)


def test_a_refused_transition_is_an_error_message_not_a_server_error(moderator_client, claim, editor):
    in_review(claim, editor)

    response = transition(moderator_client, claim, "reject", note="")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert page_messages(response) == [
        "“The council voted to close two libraries.”: A note is required to reject a claim: say why it is rejected."
    ]


def test_an_editor_forcing_a_moderator_transition_gets_an_error_message(editor_client, claim, editor):
    in_review(claim, editor)

    response = transition(editor_client, claim, "publish")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert "You do not have permission to publish claims" in page_messages(response)[0]


def test_an_unknown_transition_and_a_get_are_refused_politely(moderator_client, claim):
    assert transition(moderator_client, claim, "explode").status_code == 302
    url = reverse("admin:editorial_claim_transition", args=[claim.pk])
    assert moderator_client.get(url).status_code == 405


def test_the_claim_page_shows_status_publication_unpublished_changes_and_the_log(moderator_client, claim, editor):
    in_review(claim, editor)
    transition(moderator_client, claim, "publish", "Checked against the article.")
    published = refresh(claim)
    published.statement = "The council voted to close two of its libraries."
    published.save()

    response = change_page(moderator_client, published)

    html = response.content.decode()
    assert response.context["workflow"]["unpublished_changes"] is True
    assert "This claim has unpublished changes" in html
    assert "first published" in html
    assert "Submitted for review" in html and "edna" in html
    assert "Checked against the article." in html and "mona" in html
    assert transition_buttons(response) == ["correct", "retract"]


def test_a_transition_from_the_queue_returns_to_the_queue(moderator_client, claim, editor):
    in_review(claim, editor)

    response = transition(moderator_client, claim, "publish", next=reverse(QUEUE))

    assert response["Location"] == reverse(QUEUE)
    assert refresh(claim).status == ClaimStatus.PUBLISHED


def test_a_transition_never_redirects_off_site(moderator_client, claim, editor):
    in_review(claim, editor)
    response = transition(moderator_client, claim, "publish", next="https://evil.example/")
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[claim.pk])
