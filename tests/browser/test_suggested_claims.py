"""Suggested claims: an editor opens a source and makes a draft claim of a suggestion in one click."""

import pytest
from playwright.sync_api import expect

from editorial.models import Citation, Claim
from tests.factories import ensure_editorial_groups, make_source, make_user

pytestmark = pytest.mark.browser

# "𝔅" and "🌊" are outside the Basic Multilingual Plane: the offsets must be code points.
TEXT = (
    "The 𝔅oard of the harbour met on Tuesday 🌊.\n\n"
    "“This timetable keeps both boats sailing,” said Ilse Brandvold, chair of the board.\n\n"
    "Zoë Ångström said the fares would be reviewed again in the spring."
)
PASSAGE = "the fares would be reviewed again in the spring"


def test_editor_creates_a_draft_claim_from_a_suggestion_in_one_click(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Harbour board", TEXT)  # a live server's test commits: the capture's task runs
    start = TEXT.index(PASSAGE)

    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/sources/source/{source.pk}/change/")
    panel = page.locator("#suggested-claims")
    expect(panel).to_contain_text("Suggested claims")
    row = panel.locator("tr", has_text=PASSAGE)
    expect(row.locator("mark")).to_have_text(PASSAGE)
    row.get_by_role("button", name="Create draft claim").click()

    expect(page.locator(".messagelist .success")).to_contain_text("Draft claim created from the suggestion")
    expect(page.get_by_label("Statement")).to_have_value(PASSAGE)
    claim = Claim.objects.get()
    assert claim.speaker.name == "Zoë Ångström"
    citation = Citation.objects.get(claim=claim)
    assert citation.revision_id == source.current_revision_id
    assert (citation.start, citation.end) == (start, start + len(PASSAGE))
    assert citation.revision.text[citation.start : citation.end] == citation.excerpt == PASSAGE

    page.goto(f"{live_server.url}/admin/sources/source/{source.pk}/change/")
    expect(panel.locator("tr", has_text=PASSAGE)).to_contain_text(f"Cited by claim {claim.pk}")


def test_the_citation_picker_lists_a_sources_suggestions_and_uses_one(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Harbour board", TEXT)
    start = TEXT.index(PASSAGE)

    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.locator("[data-picker-source]").select_option(str(source.pk))
    suggestions = page.locator("[data-picker-suggestions]")
    expect(suggestions).to_be_visible()
    entry = suggestions.locator("li", has_text=PASSAGE)
    expect(entry).to_contain_text("Zoë Ångström")
    entry.get_by_role("button", name="Use").click()

    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-end")).to_have_value(str(start + len(PASSAGE)))
    expect(page.locator("#id_citations-0-excerpt")).to_have_value(PASSAGE)
    expect(page.get_by_label("Statement")).to_have_value(PASSAGE)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    citation = Citation.objects.get()
    assert citation.revision_id == source.current_revision_id
    assert (citation.start, citation.end, citation.excerpt) == (start, start + len(PASSAGE), PASSAGE)
