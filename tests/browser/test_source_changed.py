"""Issue #14 end to end: a cited page changes on the web, a watch check brings the claim to the
moderation queue, and a moderator compares the passages and approves a corrected citation.

The page is captured from the suite's local web server (``tests.sources.webserver``); the watch
check runs in the test, as the task worker would run it; the moderator works in Chromium.
"""

import pytest
from playwright.sync_api import expect

from editorial.models import AnchorState, Citation, ClaimStatus
from editorial.services.citations import cite
from sources.services import capture_url, check_source
from tests.factories import ensure_editorial_groups, make_claim, make_user
from tests.sources.webserver import Site, article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = article(
    "Pier repairs to start in May",
    "The council said on Tuesday that repairs to the old pier would start in May and take a year.",
)
CHANGED = article(
    "Pier repairs to start in June",
    "The council said on Tuesday that repairs to the old pier would start in June and take a year.",
)


@pytest.fixture
def site(settings, tmp_path):
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = True
    settings.CAPTURE_TIMEOUT = 3
    settings.CAPTURE_PER_HOST_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    server = Site().start()
    yield server
    server.stop()


def test_a_moderator_corrects_a_citation_whose_source_changed(browser, page, login, live_server, site):
    ensure_editorial_groups()
    editor, moderator = make_user("edna", "Editors"), make_user("mona", "Moderators")
    captured = capture_url(site.page("/pier", PAGE, etag='"v1"'), watch=True)
    assert captured.status == "created", captured
    claim = make_claim("Repairs to the pier start in May.")
    cite(claim=claim, revision=captured.revision, excerpt="repairs to the old pier would start in May")
    claim.submit(editor)
    claim.publish(moderator)

    site.page("/pier", CHANGED, etag='"v2"')
    checked = check_source(captured.source)

    assert str(checked).startswith(f"{site.url('/pier')}: new revision 2")
    citation = Citation.objects.get(claim=claim)
    assert citation.anchor_state == AnchorState.FUZZY and citation.anchored_revision.number == 2

    login("mona", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/moderation/")
    expect(page.get_by_role("heading", name="Source changed — check the citation")).to_be_visible()
    row = page.locator(f"#source-changed-citation-{citation.pk}")
    old_passage, new_passage = row.locator("blockquote").all()
    expect(old_passage.locator("mark")).to_have_text("repairs to the old pier would start in May")
    expect(new_passage).to_contain_text("repairs to the old pier would start in June and take a year.")
    expect(row).to_contain_text("revision 2 · fuzzy")

    row.get_by_role("link", name="Repairs to the pier start in May.").click()
    inline = page.locator(".citation-inline .inline-related").first
    # A blank revision quotes the current one; a new excerpt without offsets is located in it.
    inline.get_by_label("Revision").fill("")
    inline.get_by_label("Excerpt").fill("repairs to the old pier would start in June")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("p.unpublished-changes")).to_contain_text("This claim has unpublished changes")
    page.get_by_label("Note for the moderation log").fill("The council moved the start of the repairs to June.")
    page.get_by_role("button", name="Correct").click()
    expect(page.locator(".messagelist .success")).to_contain_text("is now corrected")

    page.goto(f"{live_server.url}/admin/editorial/claim/moderation/")
    expect(page.locator(".source-changed-empty")).to_be_visible()
    expect(page.locator(f"#source-changed-citation-{citation.pk}")).to_have_count(0)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CORRECTED and not claim.has_unpublished_changes()
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}{claim.get_absolute_url()}")
    body = reader.locator("body")
    expect(body).to_contain_text("repairs to the old pier would start in June")
    expect(body).not_to_contain_text("repairs to the old pier would start in May")
    expect(body).to_contain_text("The council moved the start of the repairs to June.")
