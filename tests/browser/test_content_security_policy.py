"""The Content-Security-Policy in Chromium: the pages work under it and it refuses nothing they need.

Every page is loaded with its console and ``securitypolicyviolation`` events recorded; a message
"Refused to …" or any violation fails the test. The header itself is checked on each page, so the
tests fail on a site that sends no policy (where nothing could be refused).
"""

import json

import pytest
from playwright.sync_api import expect

from editorial.models import Claim
from tests.browser.test_citation_picker import PASSAGE, TEXT, select_passage
from tests.factories import ensure_editorial_groups, make_published_claim, make_source, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def violations(page):
    """The CSP violations the pages report, as console messages; filled while the test runs."""
    found = []

    def on_console(message):
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text or "securitypolicyviolation" in text:
            found.append(text)

    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    return found


def assert_strict_policy(response):
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], policy
    assert directives.get("style-src") == ["'self'"], policy


def test_a_claim_page_works_under_the_policy(page, live_server, violations):
    ensure_editorial_groups()
    source = make_source("Fares to rise", TEXT)
    claim = make_published_claim(
        "Ferry fares will rise by 12 per cent.", revision=source.current_revision, excerpt=PASSAGE
    )

    response = page.goto(f"{live_server.url}{claim.get_absolute_url()}")

    assert_strict_policy(response)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferry fares will rise by 12 per cent.")
    expect(page.locator("blockquote mark")).to_have_text(PASSAGE)
    # The JSON-LD block is data, not script: the policy leaves it alone and it still parses.
    document = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert document["@type"] == "Claim"
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_a_script_injected_into_a_public_page_does_not_run(page, live_server, violations):
    response = page.goto(f"{live_server.url}/claims/")
    assert_strict_policy(response)

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )

    assert page.evaluate("window.injected") is None
    for _ in range(20):  # the console messages arrive asynchronously
        if any("script-src" in message for message in violations):
            break
        page.wait_for_timeout(100)
    assert any("script-src" in message for message in violations), violations


def test_the_citation_picker_works_under_the_policy(page, live_server, login, violations):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Fares to rise", TEXT)
    claim = Claim.objects.create(statement="Ferry fares will rise by 12 per cent.")
    start = TEXT.index(PASSAGE)
    login("edna", "pw-test-123")

    response = page.goto(f"{live_server.url}/admin/editorial/claim/{claim.pk}/change/")

    assert_strict_policy(response)
    page.locator("[data-picker-source]").select_option(str(source.pk))
    expect(page.locator("[data-picker-text]")).to_contain_text(PASSAGE)
    select_passage(page, PASSAGE)
    # The button by the selection: the script places it with CSSOM properties, which the policy allows.
    page.locator("[data-picker-float]").click()
    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-end")).to_have_value(str(start + len(PASSAGE)))
    expect(page.locator("#id_citations-0-excerpt")).to_have_value(PASSAGE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert claim.citations.get().excerpt == PASSAGE
    assert violations == []


def test_the_api_docs_work_under_the_policy(page, live_server, violations):
    ensure_editorial_groups()
    make_published_claim("Ferry fares will rise by 12 per cent.")

    response = page.goto(f"{live_server.url}/api/docs/")

    assert_strict_policy(response)
    operation = page.locator(".opblock-summary", has_text="/api/claims/{id}/")
    expect(operation).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(6)
    # Try the list operation: Swagger UI calls the API from the page (connect-src 'self').
    page.locator(".opblock-summary", has_text="/api/claims/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    assert violations == []
