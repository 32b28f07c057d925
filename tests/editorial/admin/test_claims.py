"""The claim admin: who may open its pages, the claim list and its search, the claim page, deletion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Claim, ClaimRelation, ClaimStatus, ModerationEvent
from editorial.services.citations import cite
from tests.editorial.admin.helpers import (
    CHANGELIST,
    QUEUE,
    change_page,
    changelist,
    citation_rows,
    claim_form,
    in_review,
    listed,
    refresh,
    transition,
)
from tests.factories import add_announced_revision, make_claim, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db


# Pages and who may open them ----------------------------------------------------------------------


def claim_pages(claim):
    return [
        reverse(CHANGELIST),
        reverse("admin:editorial_claim_add"),
        reverse("admin:editorial_claim_change", args=[claim.pk]),
        reverse("admin:editorial_claim_history", args=[claim.pk]),
        reverse("admin:editorial_speaker_changelist"),
        reverse("admin:editorial_moderationevent_changelist"),
    ]


def test_editors_and_moderators_open_the_claim_pages(client, claim, editor, moderator):
    for user in (editor, moderator):
        client.force_login(user)
        for url in claim_pages(claim):
            assert client.get(url).status_code == 200, (user, url)


def test_anonymous_visitors_are_sent_to_the_login_page(client, claim, source):
    login = reverse("admin:login")
    urls = [
        *claim_pages(claim),
        reverse(QUEUE),
        reverse("admin:editorial_claim_picker_revision", args=[source.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


# The claim list -----------------------------------------------------------------------------------


def test_claim_list_shows_speaker_status_tags_citations_sources_and_anchor_state(moderator_client, claim, source):
    other = make_source("Library hours extended", "The central branch opens longer from May.")
    cite(claim=claim, revision=other.current_revision, excerpt="The central branch opens longer")
    add_announced_revision(other, "The central branch opens later from June.")

    response = changelist(moderator_client)

    html = response.content.decode()
    row = listed(response)[0]
    assert row.citation_count == 2
    for shown in ["The council voted to close two libraries.", "City council", "Draft", "libraries"]:
        assert shown in html
    assert "Council closes libraries" in html and "Library hours extended" in html
    assert "Source changed (1 fuzzy)" in html or "Source changed (1 orphaned)" in html


def test_a_claim_whose_sources_are_unchanged_is_current(moderator_client, claim):
    assert "anchor-current" in changelist(moderator_client).content.decode()


def test_search_finds_statements_excerpts_and_speakers_without_repeating_claims(moderator_client, claim, source):
    cite(claim=claim, revision=source.current_revision, excerpt="the council had voted too fast")

    for query, expected in [("voted", 1), ("Thursday", 1), ("city council", 1), ("ferries", 0)]:
        response = changelist(moderator_client, q=query)
        assert response.context["cl"].result_count == expected, query
        assert len(listed(response)) == expected, query


def make_listed_claims(count, source, speaker, user):
    for number in range(count):
        claim = make_claim(f"Claim {number} about libraries.", created_by=user, speaker=speaker, tags=["a", "b"])
        cite(claim=claim, revision=source.current_revision, excerpt="close two libraries")
        cite(claim=claim, revision=source.current_revision, excerpt="longer opening hours")


def test_claim_list_query_count_does_not_grow_with_the_number_of_claims(
    moderator_client, source, moderator, django_assert_max_num_queries
):
    speaker = make_speaker("Mayor")
    make_listed_claims(1, source, speaker, moderator)
    with CaptureQueriesContext(connection) as one, django_assert_max_num_queries(20):
        assert len(listed(changelist(moderator_client))) == 1

    make_listed_claims(49, source, speaker, moderator)
    with CaptureQueriesContext(connection) as fifty, django_assert_max_num_queries(20):
        assert len(listed(changelist(moderator_client))) == 50

    assert len(fifty.captured_queries) == len(one.captured_queries)


# The claim page -----------------------------------------------------------------------------------


def test_relations_are_added_from_the_claim_page(editor_client, claim):
    other = make_claim("The council kept every library open.")
    data = claim_form(
        **{
            "outgoing_relations-TOTAL_FORMS": "1",
            "outgoing_relations-0-kind": "contradicts",
            "outgoing_relations-0-to_claim": other.pk,
            "outgoing_relations-0-note": "",
            "citations-INITIAL_FORMS": "1",
            **citation_rows(
                {
                    "id": claim.citations.get().pk,
                    "source": claim.citations.get().revision.source_id,
                    "excerpt": claim.citations.get().excerpt,
                    "start": claim.citations.get().start,
                    "end": claim.citations.get().end,
                    "position": 1,
                }
            ),
        }
    )

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    assert ClaimRelation.objects.get().to_claim == other


def test_the_history_page_shows_who_changed_what_and_cannot_revert(moderator_client, claim, editor):
    in_review(claim, editor)
    transition(moderator_client, claim, "publish")
    history = claim.history.order_by("history_date").first()

    response = moderator_client.get(reverse("admin:editorial_claim_history", args=[claim.pk]))
    assert response.status_code == 200
    assert "mona" in response.content.decode()

    revert_url = reverse("admin:editorial_claim_simple_history", args=[claim.pk, history.history_id])
    assert moderator_client.get(revert_url).status_code == 200
    assert moderator_client.post(revert_url, {"statement": "Reverted"}).status_code == 403
    assert refresh(claim).status == ClaimStatus.PUBLISHED


# Deletion -----------------------------------------------------------------------------------------


def delete_url(claim):
    return reverse("admin:editorial_claim_delete", args=[claim.pk])


def test_an_editor_deletes_an_own_draft_even_after_it_was_sent_back(editor_client, claim, editor, moderator):
    claim.submit(editor)
    claim.send_back(moderator, "Add the date.")

    assert editor_client.get(delete_url(claim)).status_code == 200
    response = editor_client.post(delete_url(claim), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not ModerationEvent.objects.filter(claim_id=claim.pk).exists()


def test_an_editor_cannot_delete_a_colleagues_draft_or_a_claim_in_review(client, claim, editor):
    colleague = make_user("colleague", "Editors")
    client.force_login(colleague)
    assert client.post(delete_url(claim), {"post": "yes"}).status_code == 403

    client.force_login(editor)
    claim.submit(editor)
    assert client.post(delete_url(claim), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_nobody_deletes_a_claim_that_has_been_public(moderator_client, claim, editor, moderator):
    claim.submit(editor)
    claim.publish(moderator)

    assert moderator_client.post(delete_url(claim), {"post": "yes"}).status_code == 403
    assert delete_url(claim) not in change_page(moderator_client, claim).content.decode()
    assert Claim.objects.filter(pk=claim.pk).exists()


# Statements the claim page refuses or fits --------------------------------------------------------


def test_a_statement_whose_first_word_is_longer_than_the_slug_is_saved_with_a_slug_that_fits(editor_client):
    data = claim_form(statement="x" * 120 + " said the council.")

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Claim.objects.get().slug == "x" * 80


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("The council\x00 voted.", "Null characters are not allowed."),
    ],
)
def test_a_statement_too_long_or_with_a_nul_is_a_form_error_and_nothing_is_saved(editor_client, statement, error):
    response = editor_client.post(reverse("admin:editorial_claim_add"), claim_form(statement=statement))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["statement"] == [error]
    assert not Claim.objects.exists()
