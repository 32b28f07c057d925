"""The citation picker on the claim page: a passage selected with the mouse becomes a citation."""

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
    page.get_by_role("button", name="Cite selection").click()

    # The browser counts 𝔅 and 🐟 as two units each; the form gets code points.
    assert utf16_start == start + 2
    expect(page.locator("#id_citations-0-start")).to_have_value(str(start))
    expect(page.locator("#id_citations-0-end")).to_have_value(str(start + len(PASSAGE)))
    expect(page.locator("#id_citations-0-revision")).to_have_value(str(source.current_revision_id))
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
