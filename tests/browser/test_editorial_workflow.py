"""The issue's "done when", end to end in a browser.

An editor imports a source document through the upload page, writes a claim attributed to a speaker
with citations from two sources (picked with the citation picker), tags it and submits it; a
moderator publishes it from the moderation queue; the claim's page and history show who did what.
"""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from editorial.models import Claim, ClaimStatus
from sources.models import Source
from tests.factories import ensure_editorial_groups, make_source, make_speaker, make_user

pytestmark = pytest.mark.browser

UPLOADED = """---
title: Harbour board backs new ferry timetable
url: https://harbour-gazette.example/news/ferry-timetable
publisher: The Harbour Gazette
byline: Mara Okafor in Portlaine
published: 2024-03-14T08:45:00+00:00
language: en
---

Passengers on the island crossing will pay about 12 per cent more from May.

The board’s chair, Ilse Brandvold, said the increase was
“the smallest rise that keeps both boats sailing through the winter”.
"""
EARLIER_TEXT = (
    "Ilse Brandvold told the Ledger 🐟 that “fuel and crew costs had climbed faster than ticket income”.\n\n"
    "The board meets again in May."
)
FIRST_PASSAGE = "the smallest rise that keeps both boats sailing through the winter"
SECOND_PASSAGE = "fuel and crew costs had climbed faster than ticket income"

SELECT_PASSAGE = """
(passage) => {
  const node = document.querySelector("[data-picker-text]").firstChild;
  const at = node.data.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + passage.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
"""


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-test-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def cite(page, source, passage):
    page.locator("[data-picker-source]").select_option(str(source.pk))
    expect(page.locator("[data-picker-text]")).to_contain_text(passage)
    page.evaluate(SELECT_PASSAGE, passage)
    page.locator("[data-picker-cite]").click()
    expect(page.locator("[data-picker-status]")).to_contain_text("Cited code points")


def test_editor_writes_and_submits_a_claim_and_a_moderator_publishes_it(page, browser, live_server, tmp_path):
    ensure_editorial_groups()
    editor = make_user("edna", "Editors")
    # Capturing sources needs these; the Editors group has only the view permissions so far.
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="sources", codename__in=["add_source", "change_source"])
    )
    make_user("mona", "Moderators")
    make_speaker("Ilse Brandvold", description="Chair of the harbour board")
    earlier = make_source("Ferry costs climb", EARLIER_TEXT)
    upload = tmp_path / "ferry-timetable.md"
    upload.write_text(UPLOADED, encoding="utf-8")

    # The editor imports a source through the upload page.
    log_in(page, live_server, "edna")
    page.goto(f"{live_server.url}/admin/sources/source/import/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messagelist")).to_contain_text("created")
    uploaded = Source.objects.get(url="https://harbour-gazette.example/news/ferry-timetable")

    # ... writes a claim attributed to a speaker, cites both sources with the picker and tags it.
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.get_by_label("Statement").fill("The ferry fare rise is the smallest that keeps both boats sailing.")
    page.locator(".field-speaker .select2-selection").click()
    page.locator(".select2-search__field").fill("Ilse")
    page.locator(".select2-results__option", has_text="Ilse Brandvold").click()
    page.get_by_label("Tags").fill("ferries, prices")
    cite(page, uploaded, FIRST_PASSAGE)
    cite(page, earlier, SECOND_PASSAGE)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    claim = Claim.objects.get()
    assert claim.speaker.name == "Ilse Brandvold"
    assert sorted(claim.tags.names()) == ["ferries", "prices"]
    cited = {citation.revision.source_id: citation for citation in claim.citations.select_related("revision")}
    assert set(cited) == {uploaded.pk, earlier.pk}
    for citation in cited.values():
        assert citation.revision.text[citation.start : citation.end] == citation.excerpt
    assert cited[earlier.pk].start == EARLIER_TEXT.index(SECOND_PASSAGE)

    # ... and submits it.
    page.get_by_label("Note for the moderation log").fill("Both quotes checked.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("is now in review")

    # A moderator publishes it from the moderation queue.
    moderator_page = browser.new_context().new_page()
    log_in(moderator_page, live_server, "mona")
    moderator_page.get_by_role("link", name="Moderation queue").first.click()
    item = moderator_page.locator(f"#queue-claim-{claim.pk}")
    expect(item).to_contain_text(claim.statement)
    expect(item.locator("mark").first).to_have_text(FIRST_PASSAGE)
    item.get_by_label("Note").fill("Quotes match the sources.")
    item.get_by_role("button", name="Publish").click()
    expect(moderator_page.locator(".messagelist .success")).to_contain_text("is now published")
    expect(moderator_page.locator(".queue-empty")).to_be_visible()

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED and claim.is_published()

    # The claim's page shows who did what and when; so does its history.
    moderator_page.goto(f"{live_server.url}/admin/editorial/claim/{claim.pk}/change/")
    log = moderator_page.locator(".moderation-log")
    expect(log.locator("tr", has_text="Submitted for review")).to_contain_text("edna")
    expect(log.locator("tr", has_text="Submitted for review")).to_contain_text("Both quotes checked.")
    expect(log.locator("tr", has_text="Published")).to_contain_text("mona")
    expect(log.locator("tr", has_text="Published")).to_contain_text("Quotes match the sources.")
    moderator_page.get_by_role("link", name="History").click()
    expect(moderator_page.locator("#change-history")).to_contain_text("edna")
    expect(moderator_page.locator("#change-history")).to_contain_text("mona")
