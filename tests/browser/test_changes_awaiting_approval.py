"""Issue #12 end to end: an editor submits the edits of a published claim, a moderator reviews them
word by word from the queue and approves them as a correction; the pages fit a phone's width.
"""

import pytest
from playwright.sync_api import expect

from editorial.models import ClaimStatus
from tests.factories import ensure_editorial_groups, make_citation, make_published_claim, make_source, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "The harbour board backs a new timetable. Fares rise by a tenth in May."
PHONE = {"width": 390, "height": 844}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-test-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_an_editor_submits_changes_and_a_moderator_approves_them(browser, live_server):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    make_user("mona", "Moderators")
    claim = make_published_claim("Fares rise by a tenth in May.")
    make_citation(claim, make_source("Ferry timetable", TEXT).current_revision, "Fares rise by a tenth in May")
    claim.correct(make_user("chief", is_superuser=True), "Cited the timetable.")
    claim.statement = "Fares rise by a fifth in May."
    claim.save()

    editor = browser.new_context().new_page()
    log_in(editor, live_server, "edna")
    editor.goto(f"{live_server.url}/admin/editorial/claim/{claim.pk}/change/")
    editor.get_by_role("button", name="Submit changes for review").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("await a moderator's approval")

    moderator = browser.new_context(viewport=PHONE).new_page()
    log_in(moderator, live_server, "mona")
    moderator.goto(f"{live_server.url}/admin/editorial/claim/moderation/")
    row = moderator.locator(f"#changes-claim-{claim.pk}")
    expect(row).to_contain_text("Statement")
    assert overflow(moderator) <= 0
    row.get_by_role("link", name="Review changes").click()
    expect(moderator.locator(".claim-changes-table del").first).to_have_text("tenth")
    expect(moderator.locator(".claim-changes-table ins").first).to_have_text("fifth")
    assert overflow(moderator) <= 0
    moderator.get_by_label("Note").fill("The timetable says a fifth.")
    moderator.get_by_role("button", name="Approve as a correction").click()
    expect(moderator.locator(".messagelist .success")).to_contain_text("is now corrected")
    expect(moderator.locator(".changes-queue-empty")).to_be_visible()

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CORRECTED and not claim.has_unpublished_changes()
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(reader.locator("body")).to_contain_text("Fares rise by a fifth in May.")
    expect(reader.locator("body")).to_contain_text("The timetable says a fifth.")
