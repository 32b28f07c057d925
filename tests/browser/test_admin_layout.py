"""The admin's layout at a laptop's width: the claim list fits its box, titles never run under the tools."""

import pytest

from tests.factories import add_announced_revision, make_citation, make_claim, make_source, make_speaker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 900}
LONG_TITLE = (
    "Stadtrat stimmt knapp für die Erweiterung des Fischereihafens und die "
    "Donaudampfschifffahrtsgesellschaftskapitänsmütze am Nordkai"
)
TEXT = (
    "The council voted nine to eight for the harbour expansion on Tuesday night.\n\n"
    "The mayor called it the most important investment in the coast in a generation."
)


@pytest.fixture
def claims():
    """A claim list like the demo's: long statements, two-word names, several tags, long headlines."""
    source = make_source(LONG_TITLE, TEXT, url="https://stadt.example/hafen")
    other = make_source("Tide Lights festival returns to Portlaine lighthouse after four-year pause", TEXT)
    speakers = [make_speaker(name) for name in ("Katrin Sommerfeld", "The Harbour Gazette", "Bernard Achterberg")]
    made = []
    for number in range(12):
        claim = make_claim(
            f"Claim {number}: the mayor called the fishing-port expansion the most important investment in the "
            "coast in a generation, and said the council would not revisit the vote before the summer recess.",
            speaker=speakers[number % 3],
            tags=["infrastructure", "working conditions", "fisheries"][: 1 + number % 3],
        )
        make_citation(claim, source.current_revision, "the most important investment in the coast")
        if number % 2:
            make_citation(claim, other.current_revision, "The council voted nine to eight")
        made.append(claim)
    # A new revision with the passage reworded: the anchor-state column says "Source changed".
    add_announced_revision(source, TEXT.replace("most important", "most significant"))
    return made, source


def table_and_box_widths(page):
    return page.evaluate(
        """() => {
          const table = document.querySelector("#result_list");
          const box = table.closest(".results");
          return [table.getBoundingClientRect().width, box.clientWidth, box.scrollWidth];
        }"""
    )


@pytest.mark.parametrize("ordering", ["", "?o=1.2", "?o=-7.3"])
def test_the_claim_list_fits_its_box_at_1280_pixels(page, live_server, login, django_user_model, claims, ordering):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123")
    page.set_viewport_size(LAPTOP)
    login("chief", "pw-chief-123")

    page.goto(f"{live_server.url}/admin/editorial/claim/{ordering}")
    table, box, scrolled = table_and_box_widths(page)

    assert table <= box, (table, box)
    assert scrolled <= box, (scrolled, box)
    # The last columns are on screen, not scrolled out of view.
    for column in ("anchor_summary", "source_titles"):
        header = page.locator(f"#result_list thead th.column-{column}").bounding_box()
        assert header["x"] + header["width"] <= LAPTOP["width"], column


@pytest.mark.parametrize("url", ["/admin/sources/source/{source}/change/", "/admin/editorial/claim/{claim}/change/"])
def test_a_long_title_on_a_change_page_does_not_run_under_the_object_tools(
    page, live_server, login, django_user_model, claims, url
):
    made, source = claims
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123")
    page.set_viewport_size(LAPTOP)
    login("chief", "pw-chief-123")

    page.goto(live_server.url + url.format(source=source.pk, claim=made[0].pk))
    title = page.locator("#content > h2").bounding_box()
    tools = page.locator(".object-tools").bounding_box()

    overlap_x = min(title["x"] + title["width"], tools["x"] + tools["width"]) - max(title["x"], tools["x"])
    overlap_y = min(title["y"] + title["height"], tools["y"] + tools["height"]) - max(title["y"], tools["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (title, tools)
