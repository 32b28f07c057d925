"""The claim page's citations: rows located from an excerpt, reordered, and filled in by the picker."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from editorial.models import Citation, Claim
from editorial.services.citations import cite
from tests.editorial.admin.helpers import TEXT, citation_rows, claim_form
from tests.factories import add_revision, make_source, make_user

pytestmark = pytest.mark.django_db


def citation_errors(response):
    """The first citation row's errors, by field, as the claim page shows them."""
    if response.context is None:
        return {}
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    return {field: list(messages) for field, messages in row.errors.items()}


# Adding a claim with citations --------------------------------------------------------------------


def test_an_editor_adds_a_claim_citing_an_excerpt_only_and_it_is_located(editor_client, editor, source):
    revision = source.current_revision
    data = claim_form(**citation_rows({"source": source.pk, "excerpt": "voted on Thursday  to close two libraries"}))

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
    data = claim_form(**citation_rows({"source": source.pk, "excerpt": "council"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "occurs twice" in html
    assert f"at {TEXT.index('council')}–" in html and f"at {TEXT.rindex('council')}–" in html
    assert not Claim.objects.exists() and not Citation.objects.exists()


def test_an_excerpt_missing_from_the_revision_is_an_error_on_the_excerpt_field(editor_client, source):
    data = claim_form(**citation_rows({"source": source.pk, "excerpt": "the harbour froze"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert "does not occur in the text" in response.content.decode()
    errors = citation_errors(response)
    assert list(errors) == ["excerpt"]
    assert "“the harbour froze” does not occur in the text" in errors["excerpt"][0]
    assert not Claim.objects.exists()


def test_a_citation_names_its_source_and_quotes_the_current_revision(editor_client, source):
    add_revision(source, "An early draft.")
    current = add_revision(source, TEXT + "\n\nThe branch in the harbour stays open.")

    response = editor_client.post(
        reverse("admin:editorial_claim_add"),
        claim_form(**citation_rows({"source": source.pk, "excerpt": "The branch in the harbour stays open"})),
    )

    assert response.status_code == 302, citation_errors(response)
    citation = Citation.objects.get()
    assert citation.revision == current and current.number == 3
    assert citation.start == len(TEXT) + 2


def test_an_older_revision_is_quoted_by_its_number(editor_client, source):
    add_revision(source, "The council postponed its vote on the libraries.")
    data = claim_form(**citation_rows({"source": source.pk, "revision_number": "1", "excerpt": "close two libraries"}))

    assert editor_client.post(reverse("admin:editorial_claim_add"), data).status_code == 302
    citation = Citation.objects.get()
    assert citation.revision.number == 1 and citation.revision.source == source
    assert citation.start == TEXT.index("close two libraries")


def test_an_excerpt_of_an_older_revision_is_not_found_in_the_current_one(editor_client, source):
    add_revision(source, "The council postponed its vote on the libraries.")
    data = claim_form(**citation_rows({"source": source.pk, "excerpt": "close two libraries"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert "does not occur in the text" in citation_errors(response)["excerpt"][0]
    assert not Claim.objects.exists()


def test_an_unknown_revision_number_is_an_error_on_the_revision_field(editor_client, source):
    data = claim_form(**citation_rows({"source": source.pk, "revision_number": "4", "excerpt": "close two libraries"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert citation_errors(response) == {
        "revision_number": ["“Council closes libraries” has no revision 4; its only revision is 1."]
    }
    assert not Claim.objects.exists()


def test_a_row_without_a_source_is_an_error_on_the_source_field(editor_client, source):
    data = claim_form(**citation_rows({"excerpt": "close two libraries"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert list(citation_errors(response)) == ["source"]
    assert not Claim.objects.exists()


def test_a_revision_id_alone_no_longer_chooses_the_revision(editor_client, source):
    data = claim_form(**citation_rows({"excerpt": "close two libraries"}))
    data["citations-0-revision"] = source.current_revision.pk

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert list(citation_errors(response)) == ["source"]


def test_the_picker_context_tells_repeated_passages_apart(editor_client, source):
    start = TEXT.rindex("council")
    data = claim_form(**citation_rows({"source": source.pk, "excerpt": "council", "prefix": "Opponents said the "}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (start, start + len("council"))


def test_offsets_from_the_picker_are_stored_as_given(editor_client, source):
    text = "Intro 𝔅 and 🐟 first.\n\nThe passage after them."
    blackletter = make_source("Blackletter", text)
    start = text.index("The passage")
    data = claim_form(
        **citation_rows(
            {
                "source": blackletter.pk,
                "revision_number": 1,
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
                    "source": citation.revision.source_id,
                    "revision_number": citation.revision.number,
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
            "source": source.pk,
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


# Choosing the source --------------------------------------------------------------------------------


def test_the_citation_row_offers_a_source_search_and_no_revision_id(editor_client, claim, source):
    response = editor_client.get(reverse("admin:editorial_claim_change", args=[claim.pk]))

    html = response.content.decode()
    assert 'name="citations-0-revision"' not in html and "vRawIdAdminField" not in html
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert 'class="admin-autocomplete' in str(row["source"])
    assert row["source"].value() == source.pk and row["revision_number"].value() == 1
    assert f'<option value="{source.pk}" selected>Council closes libraries</option>' in html
    assert "admin/js/autocomplete.js" in html


def test_the_source_search_finds_sources_by_title(editor_client, source):
    make_source("Ferry fares rise")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sources", "model_name": "revision", "field_name": "source", "term": "librar"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(source.pk), "text": "Council closes libraries"}]


def test_a_stored_citation_moved_to_an_older_revision_is_located_afresh(editor_client, claim, source):
    add_revision(source, "The council postponed its vote.\n\n" + TEXT)
    citation = claim.citations.get()
    data = claim_form(
        **{
            "citations-INITIAL_FORMS": "1",
            **citation_rows(
                {
                    "id": citation.pk,
                    "source": source.pk,
                    "revision_number": 2,
                    "excerpt": citation.excerpt,
                    "start": citation.start,
                    "end": citation.end,
                    "position": citation.position,
                }
            ),
        }
    )

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302, citation_errors(response)
    citation.refresh_from_db()
    assert citation.revision.number == 2
    assert citation.start == len("The council postponed its vote.\n\n") + TEXT.index(citation.excerpt)


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
    assert data["source_id"] == source.pk and data["source_label"] == "Council closes libraries"
    assert data["text"] == newer.text
    assert "Council closes libraries" in data["label"]


def test_the_picker_needs_the_view_source_permission(client, source):
    user = make_user("outsider")
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_claim", "view_claim"]))
    client.force_login(user)

    assert client.get(reverse("admin:editorial_claim_picker_revision", args=[source.pk])).status_code == 403


def test_the_picker_answers_404_for_an_unknown_source(editor_client):
    assert editor_client.get(reverse("admin:editorial_claim_picker_revision", args=[999999])).status_code == 404
