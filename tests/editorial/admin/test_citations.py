"""The claim page's citations: rows located from an excerpt, reordered, and filled in by the picker."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from editorial.models import Citation, Claim
from editorial.services.citations import cite
from tests.editorial.admin.helpers import TEXT, citation_rows, claim_form
from tests.factories import add_revision, make_source, make_user

pytestmark = pytest.mark.django_db


# Adding a claim with citations --------------------------------------------------------------------


def test_an_editor_adds_a_claim_citing_an_excerpt_only_and_it_is_located(editor_client, editor, source):
    revision = source.current_revision
    data = claim_form(
        **citation_rows({"revision": revision.pk, "excerpt": "voted on Thursday  to close two libraries"})
    )

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    claim = Claim.objects.get()
    assert claim.created_by == editor
    assert sorted(claim.tags.names()) == ["budgets", "libraries"]
    citation = claim.citations.get()
    assert (
        revision.text[citation.start : citation.end] == citation.excerpt == "voted on Thursday to close two libraries"
    )
    assert citation.start == TEXT.index("voted on Thursday")


def test_an_ambiguous_excerpt_is_a_form_error_listing_the_occurrences_and_nothing_is_saved(editor_client, source):
    data = claim_form(**citation_rows({"revision": source.current_revision.pk, "excerpt": "council"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "occurs twice" in html
    assert f"at {TEXT.index('council')}–" in html and f"at {TEXT.rindex('council')}–" in html
    assert not Claim.objects.exists() and not Citation.objects.exists()


def test_an_excerpt_missing_from_the_revision_is_a_form_error(editor_client, source):
    data = claim_form(**citation_rows({"revision": source.current_revision.pk, "excerpt": "the harbour froze"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert "does not occur in the text" in response.content.decode()
    assert not Claim.objects.exists()


def test_the_picker_context_tells_repeated_passages_apart(editor_client, source):
    start = TEXT.rindex("council")
    data = claim_form(
        **citation_rows({"revision": source.current_revision.pk, "excerpt": "council", "prefix": "Opponents said the "})
    )

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (start, start + len("council"))


def test_offsets_from_the_picker_are_stored_as_given(editor_client, source):
    text = "Intro 𝔅 and 🐟 first.\n\nThe passage after them."
    revision = make_source("Blackletter", text).current_revision
    start = text.index("The passage")
    data = claim_form(
        **citation_rows(
            {
                "revision": revision.pk,
                "excerpt": "The passage",
                "start": start,
                "end": start + len("The passage"),
                "prefix": text[start - 10 : start],
            }
        )
    )

    assert editor_client.post(reverse("admin:editorial_claim_add"), data).status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (start, start + 11)
    assert citation.prefix == text[:start]


def test_changing_a_stored_excerpt_locates_it_afresh(editor_client, claim, source):
    citation = claim.citations.get()
    data = claim_form(
        **{
            "citations-INITIAL_FORMS": "1",
            **citation_rows(
                {
                    "id": citation.pk,
                    "revision": citation.revision_id,
                    "excerpt": "longer opening hours",
                    "start": citation.start,
                    "end": citation.end,
                    "prefix": citation.prefix,
                    "suffix": citation.suffix,
                    "position": citation.position,
                }
            ),
        }
    )

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    citation.refresh_from_db()
    assert citation.excerpt == "longer opening hours"
    assert TEXT[citation.start : citation.end] == "longer opening hours"


def test_citations_swap_positions(editor_client, claim, source):
    first = claim.citations.get()
    second = cite(claim=claim, revision=source.current_revision, excerpt="longer opening hours")
    rows = [
        {
            "id": citation.pk,
            "revision": citation.revision_id,
            "excerpt": citation.excerpt,
            "start": citation.start,
            "end": citation.end,
            "position": position,
        }
        for citation, position in ((first, 2), (second, 1))
    ]
    data = claim_form(**{"citations-INITIAL_FORMS": "2", **citation_rows(*rows)})

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    assert list(claim.citations.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


# The citation picker ------------------------------------------------------------------------------


def test_the_claim_page_carries_the_picker_with_sources_that_have_text(editor_client, source):
    make_source("Empty source", "placeholder").revisions.all()  # has a revision, so it is listed too
    response = editor_client.get(reverse("admin:editorial_claim_add"))

    html = response.content.decode()
    assert "data-citation-picker" in html and "Cite selection" in html
    assert "js/citation_picker.js" in html and "css/editorial_admin.css" in html
    assert (source.pk, "Council closes libraries — The Harbour Gazette") in response.context["citation_picker"][
        "sources"
    ]


def test_the_picker_fetches_the_current_revision_as_json(editor_client, source):
    newer = add_revision(source, TEXT + "\n\nA late paragraph.")

    response = editor_client.get(reverse("admin:editorial_claim_picker_revision", args=[source.pk]))

    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["revision_id"] == newer.pk and data["number"] == 2
    assert data["text"] == newer.text
    assert "Council closes libraries" in data["label"]


def test_the_picker_needs_the_view_source_permission(client, source):
    user = make_user("outsider")
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_claim", "view_claim"]))
    client.force_login(user)

    assert client.get(reverse("admin:editorial_claim_picker_revision", args=[source.pk])).status_code == 403


def test_the_picker_answers_404_for_an_unknown_source(editor_client):
    assert editor_client.get(reverse("admin:editorial_claim_picker_revision", args=[999999])).status_code == 404
