"""The printable HTML dossier in Chromium: it opens styled under the site's policy, and downloads on request."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import REPORT_VIOLATIONS
from tests.factories import ensure_editorial_groups, make_published_claim, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "“We effectively froze fares for a decade,” the chair said.\n\nFuel costs rose by a third."


@pytest.fixture
def violations(page):
    found = []
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if "Refused" in message.text or "securitypolicyviolation" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


@pytest.fixture
def claim():
    ensure_editorial_groups()
    revision = make_source("Fares frozen", TEXT).current_revision
    return make_published_claim(
        "Fares were frozen for ten years.", revision=revision, excerpt="“We effectively froze fares for a decade,”"
    )


def test_the_dossier_opens_in_the_browser_with_its_own_styles(page, live_server, claim, violations):
    page.goto(f"{live_server.url}/claims/")
    page.get_by_role("link", name="Printable HTML dossier", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cited claims")
    assert page.url == f"{live_server.url}/claims/export/html/"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith("Georgia"), font
    expect(page.locator("#fn-1")).to_contain_text("“We effectively froze fares for a decade,” — Fares frozen")
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_download_link_saves_the_dossier(page, live_server, claim):
    page.goto(f"{live_server.url}/claims/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Printable HTML dossier (download)").click()

    assert download.value.suggested_filename == "claims.html"
