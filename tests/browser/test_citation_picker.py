"""The citation picker on the claim page: a passage selected with the mouse becomes a citation.

The text scrolls inside a box; the button that cites the selection floats by its end, inside the
part of the box in view, and is reached with Tab and put away with Escape.
"""

import pytest
from playwright.sync_api import expect

from editorial.models import Citation, Claim
from tests.factories import ensure_editorial_groups, make_source, make_user

pytestmark = pytest.mark.browser

# "𝔅" and "🐟" are outside the Basic Multilingual Plane: one code point each, two UTF-16 units.
TEXT = (
    "The festival programme is printed in 𝔅lackletter type 🐟 as every year.\n\n"
    "The harbour board said “fares will rise by 12 per cent” from May.\n\n"
    "Opponents called it a tax on living at sea."
)
PASSAGE = "fares will rise by 12 per cent"

SELECT_PASSAGE = """
(passage) => {
  const box = document.querySelector("[data-picker-text]");
  const node = box.firstChild;
  const at = node.data.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + passage.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return at;
}
"""


def select_passage(page, passage):
    """Select ``passage`` in the picker's text as a mouse selection would; return its UTF-16 offset."""
    return page.evaluate(SELECT_PASSAGE, passage)


def test_editor_cites_a_passage_after_characters_outside_the_bmp(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Fares to rise", TEXT)
    start = TEXT.index(PASSAGE)

    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.get_by_label("Statement").fill("Ferry fares will rise by 12 per cent.")
    page.locator("[data-picker-source]").select_option(str(source.pk))
    expect(page.locator("[data-picker-text]")).to_contain_text(PASSAGE)

    utf16_start = select_passage(page, PASSAGE)
    page.locator("[data-picker-cite]").click()

    # The browser counts 𝔅 and 🐟 as two units each; the form gets code points.
    assert utf16_start == start + 2
    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-end")).to_have_value(str(start + len(PASSAGE)))
    expect(page.locator("#id_citations-0-source")).to_have_value(str(source.pk))
    expect(page.locator("#id_citations-0-revision_number")).to_have_value("1")
    expect(page.locator(".field-source .select2-selection__rendered")).to_have_attribute("title", "Fares to rise")
    expect(page.locator("#id_citations-0-excerpt")).to_have_value(PASSAGE)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    claim = Claim.objects.get()
    citation = Citation.objects.get(claim=claim)
    assert citation.revision_id == source.current_revision_id
    assert (citation.start, citation.end) == (start, start + len(PASSAGE))
    assert citation.revision.text[citation.start : citation.end] == citation.excerpt == PASSAGE
    assert citation.prefix == TEXT[start - 32 : start]


def test_the_source_text_is_shown_as_text_never_as_markup(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Markup", 'Before <img src=x onerror="window.hacked=1"> <b>bold</b> after.')

    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.locator("[data-picker-source]").select_option(str(source.pk))

    box = page.locator("[data-picker-text]")
    expect(box).to_contain_text("<b>bold</b>")
    assert box.locator("img, b").count() == 0
    assert page.evaluate("window.hacked") is None


# A long text: the passage sits in the 48th of 60 paragraphs, far below the box's first screen.
LONG_TEXT = "\n\n".join(
    f"Paragraph {number}: the harbour board met again and discussed the winter timetable at length."
    if number != 48
    else "Paragraph 48: the chair said “both boats will sail through January” and left."
    for number in range(1, 61)
)
LOW_PASSAGE = "both boats will sail through January"

PASSAGE_RECTS = """
(passage) => {
  const box = document.querySelector("[data-picker-text]");
  const node = box.firstChild;
  const at = node.data.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + passage.length);
  const rects = Array.from(range.getClientRects()).filter((rect) => rect.width > 0);
  return rects.map((rect) => ({left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom}));
}
"""


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None, "not shown"
    return box


def inside(inner, outer):
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def open_long_source(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Winter timetable", LONG_TEXT)
    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.get_by_label("Statement").fill("Both ferries will sail through January.")
    page.locator("[data-picker-source]").select_option(str(source.pk))
    expect(page.locator("[data-picker-text]")).to_contain_text(LOW_PASSAGE)
    return source


def drag_select(page, passage):
    """Select ``passage`` with the mouse, after scrolling it into the middle of the text box."""
    box = page.locator("[data-picker-text]")
    box.scroll_into_view_if_needed()
    box.evaluate(
        """(box, passage) => {
          const at = box.firstChild.data.indexOf(passage);
          const range = document.createRange();
          range.setStart(box.firstChild, at);
          range.setEnd(box.firstChild, at + 1);
          const rect = range.getBoundingClientRect();
          box.scrollTop += rect.top - box.getBoundingClientRect().top - box.clientHeight / 2;
        }""",
        passage,
    )
    rects = page.evaluate(PASSAGE_RECTS, passage)
    first, last = rects[0], rects[-1]
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()
    return last


def test_the_button_by_a_selection_low_in_a_long_text_cites_it(page, live_server, login):
    source = open_long_source(page, live_server, login)
    box = page.locator("[data-picker-text]")
    floating = page.locator("[data-picker-float]")
    expect(floating).to_be_hidden()

    end = drag_select(page, LOW_PASSAGE)

    assert box.evaluate("(box) => box.scrollTop") > 1000  # far down the scrolled text
    assert page.evaluate("window.getSelection().toString()") == LOW_PASSAGE
    expect(floating).to_be_visible()
    expect(floating).to_have_attribute("aria-label", "Cite selection")
    shown = box_of(floating)
    assert inside(shown, box_of(box))
    # Just below the end of the selection, and level with it.
    assert end["bottom"] <= shown["y"] <= end["bottom"] + 12
    assert shown["x"] <= end["right"] <= shown["x"] + shown["width"]

    # It moves with the text when the box scrolls, and stays inside the box's visible part.
    placed = floating.get_attribute("style")
    box.evaluate("(box) => { box.scrollTop += 40; }")
    expect(floating).not_to_have_attribute("style", placed)
    moved = box_of(floating)
    assert abs((shown["y"] - moved["y"]) - 40) <= 1
    assert inside(moved, box_of(box))
    # Scrolled out of view altogether, the selection has no button; scrolled back, it has it again.
    scrolled = box.evaluate("(box) => box.scrollTop")
    box.evaluate("(box) => { box.scrollTop = 0; }")
    expect(floating).to_be_hidden()
    box.evaluate("(box, top) => { box.scrollTop = top; }", scrolled)
    expect(floating).to_be_visible()
    assert inside(box_of(floating), box_of(box))

    floating.click()

    start = LONG_TEXT.index(LOW_PASSAGE)
    expect(page.locator("[data-picker-status]")).to_contain_text(f"Cited code points {start}–")
    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-end")).to_have_value(str(start + len(LOW_PASSAGE)))
    expect(page.locator("#id_citations-0-excerpt")).to_have_value(LOW_PASSAGE)
    expect(floating).to_be_hidden()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    citation = Citation.objects.get()
    assert citation.revision_id == source.current_revision_id
    assert (citation.start, citation.end) == (start, start + len(LOW_PASSAGE))
    assert citation.excerpt == LOW_PASSAGE


def test_the_button_by_the_selection_is_reached_with_tab_and_put_away_with_escape(page, live_server, login):
    open_long_source(page, live_server, login)
    box = page.locator("[data-picker-text]")
    floating = page.get_by_role("button", name="Cite selection").and_(page.locator("[data-picker-float]"))
    drag_select(page, LOW_PASSAGE)
    expect(floating).to_be_visible()

    box.focus()
    page.keyboard.press("Escape")
    expect(floating).to_be_hidden()
    expect(box).to_be_focused()
    assert page.evaluate("window.getSelection().toString()") == LOW_PASSAGE  # only the button went

    drag_select(page, "the winter timetable")  # a new selection brings it back
    expect(floating).to_be_visible()
    drag_select(page, LOW_PASSAGE)
    box.focus()
    page.keyboard.press("Tab")
    expect(floating).to_be_focused()
    page.keyboard.press("Enter")

    start = LONG_TEXT.index(LOW_PASSAGE)
    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-excerpt")).to_have_value(LOW_PASSAGE)
    expect(page.locator("#id_citations-0-excerpt")).to_be_focused()


def test_an_editor_types_a_citation_choosing_the_source_by_its_title(page, live_server, login):
    ensure_editorial_groups()
    make_user("edna", "Editors")
    source = make_source("Fares to rise", TEXT)
    make_source("Timetable unchanged", "The timetable stays as it is.")
    login("edna", "pw-test-123")
    page.goto(f"{live_server.url}/admin/editorial/claim/add/")
    page.get_by_label("Statement").fill("Ferry fares will rise by 12 per cent.")

    page.locator(".field-source .select2-selection").first.click()
    page.locator(".select2-search__field").fill("fares")
    page.locator(".select2-results__option", has_text="Fares to rise").click()
    page.locator("#id_citations-0-excerpt").fill("fares will rise by 12 per cent")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    citation = Citation.objects.get()
    assert citation.revision_id == source.current_revision_id
    assert citation.start == TEXT.index(PASSAGE)
