"""A source's page uses a wide screen: the text in a reading column, its details beside it; on a
phone the details come first and the text below, nothing wider than the screen."""

import pytest

from tests.factories import make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "side_by_side"), [(1280, True), (390, False)])
def test_the_source_text_and_its_details_share_a_wide_screen(live_server, page, width, side_by_side):
    source = make_source(
        "Harbour board backs new timetable", "\n\n".join(f"Paragraph {n} of the text." for n in range(12))
    )
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/sources/{source.slug}/")

    text = page.locator(".source-text").bounding_box()
    details = page.get_by_role("complementary", name="About this source").bounding_box()
    if side_by_side:
        assert details["x"] >= text["x"] + text["width"]  # beside the text ...
        assert abs(details["y"] - text["y"]) < 200  # ... from its top
        assert text["width"] > 500
    else:
        assert details["y"] + details["height"] <= text["y"]  # above the text
    assert page.evaluate("document.documentElement.scrollWidth") <= width
