"""The claim page's "Similar claims" panel, its endpoint and buttons, and the moderation queue's flag."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from editorial.models import ClaimRelation, SimilarityDismissal
from tests.editorial.admin.helpers import ESCAPED_SCRIPT, QUEUE, SCRIPT, change_page, claim_form, page_messages
from tests.factories import make_claim, make_user

pytestmark = pytest.mark.django_db

LIBRARIES = "The city council voted on Thursday to close two public libraries in the northern districts."
LIBRARIES_AGAIN = "On Thursday the city council voted to close two public libraries in the northern districts."
# The same words with another number: a possible conflict, never a duplicate.
THREE_LIBRARIES = "The city council voted on Thursday to close three public libraries in the northern districts."
UNRELATED = "Ferry fares between the islands are frozen for the whole of next year."


def similar_url(**params):
    return reverse("admin:editorial_claim_similar"), params


def look_up(client, statement, exclude=None):
    url, params = similar_url(statement=statement)
    if exclude is not None:
        params["exclude"] = exclude.pk
    return client.get(url, params)


def act_url(claim, other, action):
    return reverse("admin:editorial_claim_similar_act", args=[claim.pk, other.pk, action])


@pytest.fixture
def original():
    make_claim(UNRELATED)
    return make_claim(LIBRARIES)


@pytest.fixture
def duplicate(original, editor):
    return make_claim(LIBRARIES_AGAIN, created_by=editor)


# The endpoint the panel refreshes from ---------------------------------------------------------------


def test_the_endpoint_answers_a_typed_statement_with_its_likely_duplicate(editor_client, original):
    response = look_up(editor_client, LIBRARIES_AGAIN)

    assert response.status_code == 200
    data = response.json()
    best = data["similar"][0]
    assert (best["id"], best["statement"], best["duplicate"], best["conflict"]) == (original.pk, LIBRARIES, True, False)
    assert 0 < best["score"] <= 1
    assert UNRELATED not in [item["statement"] for item in data["similar"]]
    assert LIBRARIES in data["html"] and "Likely duplicate" in data["html"]
    # No claim is being edited: nothing to link, so no buttons.
    assert "Mark as duplicate" not in data["html"]


def test_same_words_with_another_number_are_a_possible_conflict_not_a_duplicate(editor_client, original):
    data = look_up(editor_client, THREE_LIBRARIES).json()

    best = data["similar"][0]
    assert (best["id"], best["duplicate"], best["conflict"]) == (original.pk, False, True)
    assert best["differences"]
    assert "Possible conflict" in data["html"] and "Likely duplicate" not in data["html"]
    for difference in best["differences"]:
        assert escape(difference) in data["html"]


def test_the_endpoint_with_the_claim_being_edited_leaves_it_out_and_offers_buttons(editor_client, duplicate, original):
    data = look_up(editor_client, LIBRARIES_AGAIN, exclude=duplicate).json()

    assert [item["id"] for item in data["similar"]][:1] == [original.pk]
    assert duplicate.pk not in [item["id"] for item in data["similar"]]
    assert act_url(duplicate, original, "duplicates") in data["html"]


def test_the_endpoint_costs_the_same_queries_for_one_row_or_five(editor_client, duplicate, original):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert len(look_up(editor_client, LIBRARIES_AGAIN, exclude=duplicate).json()["similar"]) == 1
    for n in range(4):
        make_claim(f"The city council voted on Thursday to close two public libraries in the northern districts {n}.")

    with CaptureQueriesContext(connection) as five:
        assert len(look_up(editor_client, LIBRARIES_AGAIN, exclude=duplicate).json()["similar"]) == 5
    assert len(five) == len(one)


def test_a_short_statement_is_not_looked_up(editor_client, original):
    data = look_up(editor_client, "Two").json()

    assert data["similar"] == []
    assert "Type the statement" in data["html"]


def test_statements_are_escaped_in_the_panel(editor_client, editor):
    make_claim(f"{SCRIPT} The council voted to close two public libraries in the north.")
    claim = make_claim("The council voted to close two public libraries in the north.", created_by=editor)

    data = look_up(editor_client, "The council voted to close two public libraries in the north.").json()
    page = change_page(editor_client, claim).content.decode()

    for html in (data["html"], page):
        assert ESCAPED_SCRIPT in html
        assert SCRIPT not in html


def test_the_endpoint_needs_the_view_permission(client, original):
    client.force_login(make_user("nobody"))  # staff, in no group
    assert look_up(client, LIBRARIES_AGAIN).status_code == 403
    client.logout()
    assert look_up(client, LIBRARIES_AGAIN).status_code == 302  # to the admin's login


# The panel on the pages, without JavaScript ----------------------------------------------------------


def test_the_change_page_renders_the_panel_with_buttons_that_post_outside_the_claim_form(
    editor_client, duplicate, original
):
    page = change_page(editor_client, duplicate).content.decode()

    assert 'id="similar-claims"' in page and "Similar claims" in page
    assert LIBRARIES in page and "Likely duplicate" in page
    for action in ("duplicates", "contradicts", "dismiss"):
        button = re.search(rf'<button [^>]*formaction="{re.escape(act_url(duplicate, original, action))}"', page)
        assert button and 'form="similar-claims-form"' in button.group(0)
    # The buttons post a form of their own holding the CSRF token, not the claim's form.
    assert '<form id="similar-claims-form" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken"' in page
    assert "js/similar_claims.js" in page


def test_the_add_page_warns_but_offers_no_buttons(editor_client, original):
    page = editor_client.get(reverse("admin:editorial_claim_add")).content.decode()

    assert "Similar claims" in page and "Linking needs a saved claim" in page
    assert "similar-claims-form" not in page

    # Sent back with an error, the add page shows what the typed statement resembles.
    response = editor_client.post(
        reverse("admin:editorial_claim_add"), claim_form(statement=LIBRARIES_AGAIN, claim_date="not a date")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert LIBRARIES in page and "Likely duplicate" in page
    assert "Mark as duplicate" not in page


def test_saving_a_likely_duplicate_warns_with_a_link_to_its_panel(editor_client, original):
    response = editor_client.post(reverse("admin:editorial_claim_add"), claim_form(statement=LIBRARIES_AGAIN))

    assert response.status_code == 302
    assert any("looks like a duplicate of a claim already recorded" in message for message in page_messages(response))


def test_a_failing_similarity_service_never_breaks_the_page(editor_client, duplicate, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr("editorial.admin.similar.similar_to_claim", broken)
    monkeypatch.setattr("editorial.admin.similar._similar_to_statement", broken)
    with caplog.at_level(logging.ERROR, logger="editorial.admin.similar"):
        response = change_page(editor_client, duplicate)
        data = look_up(editor_client, LIBRARIES).json()

    assert response.status_code == 200
    assert "could not be looked up just now" in response.content.decode()
    assert data["failed"] is True and "could not be looked up just now" in data["html"]
    assert "index unavailable" in caplog.text
    # Saving still works.
    saved = editor_client.post(
        reverse("admin:editorial_claim_change", args=[duplicate.pk]), claim_form(statement=LIBRARIES_AGAIN)
    )
    assert saved.status_code == 302


# The buttons --------------------------------------------------------------------------------------


def test_mark_as_duplicate_creates_the_relation_and_the_panel_shows_it(editor_client, duplicate, original):
    response = editor_client.post(act_url(duplicate, original, "duplicates"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[duplicate.pk]) + "#similar-claims"
    relation = ClaimRelation.objects.get()
    assert (relation.from_claim, relation.to_claim, relation.kind) == (duplicate, original, "duplicates")
    assert any("marked as a duplicate of" in message for message in page_messages(response))
    page = change_page(editor_client, duplicate).content.decode()
    assert "Related already: This claim duplicates it." in page
    assert act_url(duplicate, original, "duplicates") not in page
    # From the other claim's page the relation reads the other way round.
    assert "Related already: It duplicates this claim." in change_page(editor_client, original).content.decode()


def test_mark_as_contradicting_creates_a_contradicts_relation_once(editor_client, original, editor):
    conflicting = make_claim(THREE_LIBRARIES, created_by=editor)

    editor_client.post(act_url(conflicting, original, "contradicts"))
    again = editor_client.post(act_url(conflicting, original, "duplicates"))

    relation = ClaimRelation.objects.get()
    assert (relation.from_claim, relation.to_claim, relation.kind) == (conflicting, original, "contradicts")
    assert any("related already" in message for message in page_messages(again))


def test_a_dismissed_pair_is_not_offered_again(editor_client, duplicate, original):
    panel = change_page(editor_client, duplicate).content.decode().split('id="similar-claims"')[1]
    assert act_url(duplicate, original, "duplicates") in panel

    editor_client.post(act_url(duplicate, original, "dismiss"))

    assert SimilarityDismissal.objects.filter(claim=min(duplicate, original, key=lambda c: c.pk)).exists()
    panel = change_page(editor_client, duplicate).content.decode().split('id="similar-claims"')[1]
    assert act_url(duplicate, original, "duplicates") not in panel
    assert original.pk not in [
        item["id"] for item in look_up(editor_client, LIBRARIES_AGAIN, exclude=duplicate).json()["similar"]
    ]
    # From either side.
    panel = change_page(editor_client, original).content.decode().split('id="similar-claims"')[1]
    assert act_url(original, duplicate, "duplicates") not in panel
    assert not ClaimRelation.objects.exists()


def test_the_buttons_need_the_change_permission(client, duplicate, original):
    viewer = make_user("viewer")
    viewer.user_permissions.add(*_permissions("view_claim"))
    client.force_login(viewer)

    for action in ("duplicates", "contradicts", "dismiss"):
        assert client.post(act_url(duplicate, original, action)).status_code == 403
    assert not ClaimRelation.objects.exists() and not SimilarityDismissal.objects.exists()
    page = change_page(client, duplicate).content.decode()
    assert "Mark as duplicate" not in page and "similar-claims-form" not in page


def test_the_buttons_only_post_with_a_csrf_token(editor, duplicate, original):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.get(act_url(duplicate, original, "duplicates")).status_code == 405
    assert client.post(act_url(duplicate, original, "duplicates")).status_code == 403
    assert not ClaimRelation.objects.exists()


def test_a_claim_is_neither_linked_to_nor_dismissed_with_itself(editor_client, duplicate):
    for action in ("duplicates", "dismiss"):
        response = editor_client.post(act_url(duplicate, duplicate, action))
        assert response.status_code == 302
        assert any("not offered as similar to itself" in message for message in page_messages(response))
    assert not ClaimRelation.objects.exists() and not SimilarityDismissal.objects.exists()


def test_an_unknown_action_or_claim_is_not_found(editor_client, duplicate, original):
    assert editor_client.post(act_url(duplicate, original, "supports")).status_code == 404
    missing = reverse("admin:editorial_claim_similar_act", args=[duplicate.pk, 999999, "duplicates"])
    assert editor_client.post(missing).status_code == 404


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames)


# The moderation queue ------------------------------------------------------------------------------


def test_the_queue_flags_a_claim_in_review_that_likely_duplicates_another(
    moderator_client, editor, duplicate, original
):
    from editorial.services.citations import cite
    from tests.factories import make_source

    revision = make_source("Libraries", LIBRARIES).current_revision
    cite(claim=duplicate, revision=revision, excerpt="close two public libraries")
    duplicate.submit(editor)

    page = moderator_client.get(reverse(QUEUE)).content.decode()

    item = page.split(f'id="queue-claim-{duplicate.pk}"')[1].split("</article>")[0]
    assert "Likely duplicate" in item
    assert reverse("admin:editorial_claim_change", args=[original.pk]) + "#similar-claims" in item


def test_the_queue_costs_the_same_queries_whatever_its_length(moderator_client, editor, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from editorial.services.citations import cite
    from tests.factories import make_source

    revision = make_source("Libraries", LIBRARIES).current_revision

    def submit_pair(n):
        make_claim(f"The council of district {n} voted on Thursday to close two public libraries in the north.")
        claim = make_claim(f"On Thursday the council of district {n} voted to close two public libraries in the north.")
        cite(claim=claim, revision=revision, excerpt="close two public libraries")
        claim.submit(editor)

    submit_pair(0)
    with CaptureQueriesContext(connection) as one:
        page = moderator_client.get(reverse(QUEUE)).content.decode()
    assert page.count("queue-likely-duplicate") == 1
    for n in range(1, 8):
        submit_pair(n)

    with django_assert_max_num_queries(len(one)):
        page = moderator_client.get(reverse(QUEUE)).content.decode()
    assert page.count("queue-likely-duplicate") == 8
