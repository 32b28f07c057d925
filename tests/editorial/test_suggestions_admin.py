"""The "Suggested claims" panel on a source's admin page, and the draft claims made from it."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from editorial.models import Claim, ClaimStatus, Speaker, SuggestedClaim
from tests.editorial.admin.helpers import ESCAPED_SCRIPT, SCRIPT, page_messages
from tests.factories import make_citation, make_claim, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "The harbour board met on Tuesday.\n\n"
    "“This timetable keeps both boats sailing,” said Ilse Brandvold, chair of the board.\n\n"
    "Zoë Ångström said the fares would be reviewed again in the spring.\n\n"
    f"“Somebody wrote {SCRIPT} on the ferry timetable,” said Rafael Ndiaye."
)


def captured(title, text, capture_on_commit):
    """Create a source as an import does, its suggestions stored by the task its capture queues."""
    with capture_on_commit(execute=True):
        return make_source(title, text)


@pytest.fixture
def source(django_capture_on_commit_callbacks):
    return captured("Harbour board", TEXT, django_capture_on_commit_callbacks)


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("edna", "Editors"))
    return client


def source_page(client, source):
    return client.get(reverse("admin:sources_source_change", args=[source.pk]))


def create_url(source):
    return reverse("admin:sources_source_create_drafts", args=[source.pk])


def suggestion(source, speaker):
    return SuggestedClaim.objects.get(revision=source.current_revision, speaker=speaker)


def test_the_panel_lists_the_suggestions_in_text_order_highlighted_and_escaped(editor_client, source):
    response = source_page(editor_client, source)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Suggested claims" in page
    brandvold, angstrom, ndiaye = (
        page.index("<mark>This timetable keeps both boats sailing</mark>"),
        page.index("<mark>the fares would be reviewed again in the spring</mark>"),
        page.index(f"<mark>Somebody wrote {ESCAPED_SCRIPT} on the ferry timetable</mark>"),
    )
    assert brandvold < angstrom < ndiaye
    assert SCRIPT not in page
    assert "chair of the board — new speaker" in page
    assert page.count(">Create draft claim</button>") == 3
    assert "Create draft claims for the selected" in page


def test_create_draft_claim_makes_a_draft_with_the_speaker_and_the_citation_at_the_passage(editor_client, source):
    existing = make_speaker("Zoe Angstrom")  # the same name with its diacritics left out
    angstrom = suggestion(source, "Zoë Ångström")

    response = editor_client.post(create_url(source), {"suggestion": angstrom.pk})

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[claim.pk])
    assert claim.status == ClaimStatus.DRAFT
    assert claim.statement == "the fares would be reviewed again in the spring"
    assert claim.speaker == existing
    assert claim.created_by.username == "edna"
    (citation,) = claim.citations.all()
    assert (citation.revision, citation.start, citation.end) == (source.current_revision, angstrom.start, angstrom.end)
    assert TEXT[citation.start : citation.end] == citation.excerpt == angstrom.excerpt


def test_a_new_speaker_is_created_with_the_printed_description(editor_client, source):
    editor_client.post(create_url(source), {"suggestion": suggestion(source, "Ilse Brandvold").pk})

    speaker = Speaker.objects.get(name="Ilse Brandvold")
    assert speaker.description == "chair of the board"
    assert speaker.kind == Speaker.Kind.PERSON


def test_several_selected_suggestions_become_drafts_and_show_as_cited(editor_client, source):
    chosen = [suggestion(source, "Ilse Brandvold").pk, suggestion(source, "Rafael Ndiaye").pk]

    response = editor_client.post(create_url(source), {"create_selected": "1", "selected_suggestion": chosen})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_source_change", args=[source.pk])
    assert "2 claims created as drafts." in page_messages(response)
    assert Claim.objects.count() == 2
    page = source_page(editor_client, source).content.decode()
    assert page.count("Cited by") == 2
    assert page.count(">Create draft claim</button>") == 1

    again = editor_client.post(create_url(source), {"create_selected": "1", "selected_suggestion": chosen})

    assert Claim.objects.count() == 2
    assert "2 claims left alone: already cited, or not suggested for this source." in page_messages(again)


def test_a_passage_cited_by_hand_shows_as_cited(editor_client, source):
    passage = suggestion(source, "Ilse Brandvold")
    claim = make_claim("Both boats keep sailing.")
    make_citation(claim, source.current_revision, passage.excerpt)

    page = source_page(editor_client, source).content.decode()

    assert reverse("admin:editorial_claim_change", args=[claim.pk]) in page
    assert page.count(">Create draft claim</button>") == 2


def test_without_the_add_claim_permission_there_are_no_buttons_and_posting_is_refused(client, source):
    reader = make_user("rita")
    reader.user_permissions.set(Permission.objects.filter(codename="view_source"))
    client.force_login(reader)

    page = source_page(client, source).content.decode()
    response = client.post(create_url(source), {"suggestion": suggestion(source, "Ilse Brandvold").pk})

    assert "Suggested claims" in page
    assert "Create draft claim" not in page
    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_creating_needs_a_post_with_the_csrf_token(source):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("edna", "Editors"))
    pk = suggestion(source, "Ilse Brandvold").pk

    assert client.get(create_url(source), {"suggestion": pk}).status_code == 405
    assert client.post(create_url(source), {"suggestion": pk}).status_code == 403
    assert not Claim.objects.exists()


def test_a_suggestion_of_another_source_is_left_alone(editor_client, source, django_capture_on_commit_callbacks):
    other = captured("Other", TEXT, django_capture_on_commit_callbacks)
    foreign = suggestion(other, "Ilse Brandvold")

    response = editor_client.post(create_url(source), {"create_selected": "1", "selected_suggestion": [foreign.pk]})

    assert not Claim.objects.exists()
    assert "1 claim left alone: already cited, or not suggested for this source." in page_messages(response)


def test_the_citation_pickers_json_gives_each_suggestion_with_what_a_citation_row_needs(editor_client, source):
    brandvold = make_speaker("ilse brandvold")

    response = editor_client.get(reverse("admin:sources_source_suggestions", args=[source.pk]))

    data = response.json()
    assert (data["source_id"], data["revision_number"]) == (source.pk, 1)
    first = data["suggestions"][0]
    assert (first["speaker"], first["speaker_id"]) == ("ilse brandvold", brandvold.pk)  # the existing speaker
    assert first["kind"] == "Direct quotation"
    assert TEXT[first["start"] : first["end"]] == first["excerpt"] == "This timetable keeps both boats sailing"
    assert first["prefix"] == TEXT[max(0, first["start"] - 32) : first["start"]]
    assert [item["cited"] for item in data["suggestions"]] == [False, False, False]


def test_the_citation_pickers_json_needs_the_source_view_permission(client, source):
    client.force_login(make_user("nobody"))

    assert client.get(reverse("admin:sources_source_suggestions", args=[source.pk])).status_code == 403
