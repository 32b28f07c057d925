"""Similar claims: an editor typing a claim already recorded is warned before saving, and links the two in one click."""

import pytest
from playwright.sync_api import expect

from editorial.models import Claim, ClaimRelation
from tests.factories import ensure_editorial_groups, make_claim, make_user

pytestmark = pytest.mark.browser

RECORDED = "The harbour board raised ferry fares by twelve per cent for passengers from Portlaine."
TYPED = "For passengers from Portlaine, the harbour board raised ferry fares by twelve per cent."


def test_editor_sees_the_likely_duplicate_while_typing_and_links_it_in_one_click(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    recorded = make_claim(RECORDED)
    make_claim("Season tickets for island residents are frozen until next spring.")

    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    panel = page.locator("#similar-claims")
    expect(panel).to_contain_text("Linking needs a saved claim")
    page.get_by_label("Statement").press_sequentially(TYPED, delay=5)

    row = panel.locator("tr", has_text=RECORDED)
    expect(row).to_contain_text("Likely duplicate")
    expect(panel.locator("[data-similar-status]")).to_contain_text("1 likely duplicate")
    expect(panel).not_to_contain_text("Season tickets")
    expect(row.get_by_role("button")).to_have_count(0)  # nothing to link before the claim exists

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("looks like a duplicate of a claim already recorded")
    typed = Claim.objects.get(statement=TYPED)
    row = page.locator("#similar-claims tr", has_text=RECORDED)
    row.get_by_role("button", name="Mark as duplicate").click()

    expect(page.locator(".messagelist .success")).to_contain_text("now marked as a duplicate of")
    expect(page.locator("#similar-claims tr", has_text=RECORDED)).to_contain_text(
        "Related already: This claim duplicates it."
    )
    relation = ClaimRelation.objects.get()
    assert (relation.from_claim_id, relation.to_claim_id, relation.kind) == (typed.pk, recorded.pk, "duplicates")
