"""A reader's path through the public pages in Chromium, at a phone's width and a desktop's."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from tests.factories import make_citation, make_claim, make_publisher, make_source, make_speaker, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
TEXT = (
    "Passengers on the island crossing will pay about 12 per cent more from May.\n\n"
    "The board’s chair, Ilse Brandvold, said the increase was “the smallest rise possible”.\n\n"
    "Councillor Rafael Ndiaye called it “a tax on living at sea”."
)
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def make_moderator():
    """A moderator by permission: live-server tests flush the tables, groups made by migrations too."""
    user = make_user("moderator")
    user.user_permissions.set(Permission.objects.filter(codename__in=["submit_claim", "moderate_claim"]))
    return user


def publish(moderator, statement, source, excerpt, **fields):
    claim = make_claim(statement, **fields)
    make_citation(claim, source.current_revision, excerpt)
    claim.submit(moderator)
    claim.publish(moderator)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def ferry_claims():
    moderator = make_moderator()
    source = make_source(
        "Island ferry fares to rise",
        TEXT,
        publisher=make_publisher("Harbour Gazette"),
        url="https://gazette.example/ferry",
    )
    chair = publish(
        moderator,
        "The fare rise is the smallest possible.",
        source,
        "the increase was “the smallest rise possible”",
        speaker=make_speaker("Ilse Brandvold"),
        tags=["ferries", "fares"],
    )
    councillor = publish(
        moderator,
        "The fare rise is a tax on islanders.",
        source,
        "Councillor Rafael Ndiaye called it “a tax on living at sea”.",
        speaker=make_speaker("Rafael Ndiaye"),
        tags=["ferries"],
    )
    publish(
        moderator,
        "Fares rise by 12 per cent.",
        source,
        "Passengers on the island crossing will pay about 12 per cent more from May.",
        speaker=make_speaker("Ilse Brandvold Office"),
        tags=["fares"],
    )
    return chair, councillor, source


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_filters_opens_a_claim_and_sees_the_passage_in_its_source(page, live_server, ferry_claims, width):
    chair, _, _source = ferry_claims
    page.set_viewport_size(WIDTHS[width])

    page.goto(f"{live_server.url}/claims/")
    page.get_by_label("ferries").check()
    # Typed, not picked from a list of every speaker; the exact name wins over "Ilse Brandvold Office".
    page.get_by_label("Speaker", exact=True).fill("ilse brandvold")
    page.get_by_role("button", name="Apply filters").click()

    assert "tag=ferries" in page.url and "speaker=ilse+brandvold" in page.url
    results = page.locator(".results article")
    expect(results).to_have_count(1)
    expect(page.get_by_role("heading", name="1 claim")).to_be_visible()
    results.get_by_role("link", name="The fare rise is the smallest possible.").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The fare rise is the smallest possible.")
    expect(page.locator("blockquote mark")).to_have_text("the increase was “the smallest rise possible”")
    original = page.get_by_role("link", name="Read it on the original page")
    expect(original).to_have_attribute("href", re.compile(r"^https://gazette\.example/ferry#:~:text=the%20increase"))
    page.get_by_role("link", name="Island ferry fares to rise").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Island ferry fares to rise")
    highlight = page.locator(f'.source-text mark a[href="{chair.get_absolute_url()}"]')
    expect(highlight).to_have_text("the increase was “the smallest rise possible”")
    highlight.click()
    expect(page).to_have_url(f"{live_server.url}{chair.get_absolute_url()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_searches_from_the_home_page(page, live_server, ferry_claims, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server.url}/")

    page.get_by_label("Search published claims").fill("tax")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Claims matching “tax”")
    expect(page.locator(".results article")).to_have_count(1)
    expect(page.locator(".results article mark").first).to_have_text(re.compile("tax", re.I))
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


def test_keyboard_reader_can_skip_to_the_content(page, live_server, ferry_claims):
    page.goto(f"{live_server.url}/claims/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()


def test_markup_in_every_field_never_runs(page, live_server):
    moderator = make_moderator()
    payload = " ".join(PAYLOADS)
    source = make_source(
        f"Title {payload}",
        f"He said {payload} loudly.\n\nMore {payload}.",
        byline=f"By {payload}",
        publisher=make_publisher(f"Publisher {payload}"),
    )
    claim = publish(
        moderator,
        f"Statement {payload}",
        source,
        f"He said {payload} loudly.",
        speaker=make_speaker(f"Speaker {payload}"),
        tags=[f"tag {PAYLOADS[0]}"],
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tag_slug = claim.tags.get().slug
    urls = [
        "/",
        "/claims/",
        "/claims/?q=loudly",
        f"/claims/?tag={tag_slug}",
        claim.get_absolute_url(),
        f"/tags/{tag_slug}/",
        f"/speakers/{claim.speaker.slug}/",
        f"/sources/{source.slug}/",
        f"/sources/{source.slug}/revisions/1/",
    ]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")
        expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
        assert page.locator("main img").count() == 0, url
    assert dialogs == []
