"""Finding an excerpt in a revision's text, and the cite() service."""

import pytest

from editorial.anchoring import ExcerptError, Match, locate_excerpt
from editorial.models import Citation
from editorial.services.citations import cite
from tests.factories import make_claim, make_source

HARBOUR = (
    "The harbour authority said on Tuesday that cargo volumes rose by 4 percent.\n\n"
    "“We expect a busy winter,” the director told reporters – adding that new cranes\u00a0arrive in May.\n\n"
    "The port’s board did not comment. Cargo volumes rose by 4 percent in the spring as well."
)


def assert_is_source_text(text, match):
    assert text[match.start : match.end] == match.excerpt


class TestLocateExcerpt:
    def test_exact_excerpt_is_found_at_its_code_point_offsets(self):
        match = locate_excerpt(HARBOUR, "The harbour authority said on Tuesday")

        assert match == Match(0, 37, "The harbour authority said on Tuesday")

    def test_straight_quotes_match_curly_ones_and_the_source_characters_are_kept(self):
        match = locate_excerpt(HARBOUR, '"We expect a busy winter," the director')

        assert match.excerpt == "“We expect a busy winter,” the director"
        assert_is_source_text(HARBOUR, match)

    @pytest.mark.parametrize("apostrophe", ["'", "’", "‘", "‛", "′"])
    def test_every_apostrophe_form_matches(self, apostrophe):
        match = locate_excerpt(HARBOUR, f"The port{apostrophe}s board")

        assert match.excerpt == "The port’s board"
        assert_is_source_text(HARBOUR, match)

    @pytest.mark.parametrize("dash", ["-", "–", "—", "‒", "−"])
    def test_every_dash_form_matches(self, dash):
        match = locate_excerpt(HARBOUR, f"told reporters {dash} adding")

        assert match.excerpt == "told reporters – adding"

    def test_low_double_quote_matches_a_straight_one(self):
        text = "Er sagte: „Wir bleiben hier“ und ging."

        match = locate_excerpt(text, '"Wir bleiben hier"')

        assert match.excerpt == "„Wir bleiben hier“"

    def test_white_space_runs_match_leniently_across_paragraphs_and_non_breaking_spaces(self):
        match = locate_excerpt(HARBOUR, "rose by 4 percent. “We expect")

        assert match.excerpt == "rose by 4 percent.\n\n“We expect"
        assert_is_source_text(HARBOUR, match)

        match = locate_excerpt(HARBOUR, "new cranes   arrive in May")
        assert match.excerpt == "new cranes\u00a0arrive in May"

    def test_surrounding_white_space_is_not_part_of_the_excerpt(self):
        match = locate_excerpt(HARBOUR, "  \nThe port’s board did not comment.\n")

        assert match.excerpt == "The port’s board did not comment."
        assert_is_source_text(HARBOUR, match)

    def test_ellipsis_character_matches_three_dots(self):
        text = "She paused… then said the deal was off."

        match = locate_excerpt(text, "paused... then said")

        assert match.excerpt == "paused… then said"

    def test_soft_hyphens_in_the_source_do_not_stop_a_match(self):
        text = "The govern\u00adment will decide next week."

        match = locate_excerpt(text, "government will decide")

        assert match.excerpt == "govern\u00adment will decide"

    def test_a_character_outside_the_basic_plane_counts_as_one_offset(self):
        text = "𝔅𝔢𝔩𝔞𝔯𝔲𝔰 digest. The minister said “talks will resume” soon."

        match = locate_excerpt(text, 'The minister said "talks will resume"')

        assert match.start == 16  # seven letters, then " digest. ": code points, not UTF-16 units (23)
        assert text[match.start : match.end] == match.excerpt == "The minister said “talks will resume”"
        assert len(text[: match.start].encode("utf-16-le")) // 2 == 23

    def test_an_excerpt_containing_a_non_bmp_character_keeps_it(self):
        text = "Fans cheered 🎉 loudly when the team won."

        match = locate_excerpt(text, "cheered 🎉 loudly")

        assert (match.start, match.end) == (5, 21)
        assert_is_source_text(text, match)

    def test_several_occurrences_are_listed_with_offsets_and_context(self):
        with pytest.raises(ExcerptError) as raised:
            locate_excerpt(HARBOUR, "volumes rose by 4 percent")

        error = raised.value
        assert error.code == "ambiguous"
        assert [(m.start, m.end) for m in error.matches] == [(49, 74), (213, 238)]
        message = str(error)
        assert "occurs twice" in message
        assert "at 49–74: “…d on Tuesday that cargo [volumes rose by 4 percent]. “We expect a busy win…”" in message
        assert "at 213–238: “… did not comment. Cargo [volumes rose by 4 percent] in the spring as well.”" in message
        assert all(HARBOUR[m.start : m.end] == m.excerpt == "volumes rose by 4 percent" for m in error.matches)

    def test_the_start_offset_chooses_among_occurrences(self):
        match = locate_excerpt(HARBOUR, "volumes rose by 4 percent", start=213)

        assert match == Match(213, 238, "volumes rose by 4 percent")

    def test_prefix_or_suffix_chooses_among_occurrences(self):
        by_prefix = locate_excerpt(HARBOUR, "volumes rose by 4 percent", prefix="comment.\nCargo")
        by_suffix = locate_excerpt(HARBOUR, "volumes rose by 4 percent", suffix='. "We')

        assert by_prefix.start == 213
        assert by_suffix == Match(49, 74, "volumes rose by 4 percent")

    def test_context_that_fits_no_occurrence_is_an_error_listing_them(self):
        with pytest.raises(ExcerptError) as raised:
            locate_excerpt(HARBOUR, "volumes rose by 4 percent", prefix="exports")

        assert raised.value.code == "not_found"
        assert "occurs twice, but not with the given position or context" in str(raised.value)

    def test_an_excerpt_that_does_not_occur_is_an_error(self):
        with pytest.raises(ExcerptError) as raised:
            locate_excerpt(HARBOUR, "cargo volumes fell")

        assert raised.value.code == "not_found"
        assert str(raised.value) == (
            "The excerpt “cargo volumes fell” does not occur in the text. Copy it from the source as printed."
        )

    def test_an_empty_excerpt_is_an_error(self):
        with pytest.raises(ExcerptError, match="The excerpt is empty"):
            locate_excerpt(HARBOUR, " \n ")

    @pytest.mark.parametrize(("start", "end"), [(-1, 10), (0, 10_000), (400, 410)])
    def test_offsets_outside_the_text_are_an_error(self, start, end):
        with pytest.raises(ExcerptError) as raised:
            locate_excerpt(HARBOUR, "The harbour", start=start, end=end)

        assert raised.value.code == "out_of_range"
        assert f"which has {len(HARBOUR)} characters (counted in code points)" in str(raised.value)

    def test_an_empty_span_is_an_error(self):
        with pytest.raises(ExcerptError, match="the end must come after the start"):
            locate_excerpt(HARBOUR, "The harbour", start=11, end=11)

    def test_offsets_that_do_not_hold_the_excerpt_are_an_error_naming_where_it_is(self):
        with pytest.raises(ExcerptError) as raised:
            locate_excerpt(HARBOUR, "The port’s board", start=0, end=16)

        message = str(raised.value)
        assert raised.value.code == "mismatch"
        assert message.startswith("The text at 0–16 is “The harbour auth”, not the excerpt “The port’s board”.")
        assert "The excerpt occurs at 173–189" in message

    def test_matching_offsets_are_accepted_with_lenient_characters(self):
        match = locate_excerpt(HARBOUR, "The port's board", start=173, end=189)

        assert match == Match(173, 189, "The port’s board")

    def test_an_ambiguous_excerpt_is_a_validation_error_for_forms(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            locate_excerpt(HARBOUR, "rose by 4 percent")


@pytest.mark.django_db
class TestCite:
    def test_cite_saves_the_source_characters_with_offsets_and_context(self):
        revision = make_source(text=HARBOUR).current_revision
        claim = make_claim("Cargo at the harbour grew by 4 percent.")

        citation = cite(claim=claim, revision=revision, excerpt='"We expect a busy winter,"', note="The director")

        citation.refresh_from_db()
        assert citation.excerpt == "“We expect a busy winter,”"
        assert revision.text[citation.start : citation.end] == citation.excerpt
        assert citation.prefix == HARBOUR[citation.start - 32 : citation.start]
        assert citation.suffix == HARBOUR[citation.end : citation.end + 32]
        assert citation.note == "The director"
        assert citation.position == 1
        assert citation.anchor_state == Citation.AnchorState.CURRENT

    def test_citations_of_a_claim_are_numbered_in_order(self):
        revision = make_source(text=HARBOUR).current_revision
        claim = make_claim()

        first = cite(claim=claim, revision=revision, excerpt="The port’s board did not comment.")
        second = cite(claim=claim, revision=revision, excerpt="new cranes arrive in May")

        assert (first.position, second.position) == (1, 2)
        assert list(claim.citations.all()) == [first, second]

    def test_an_ambiguous_excerpt_saves_nothing(self):
        revision = make_source(text=HARBOUR).current_revision
        claim = make_claim()

        with pytest.raises(ExcerptError):
            cite(claim=claim, revision=revision, excerpt="volumes rose by 4 percent")

        assert not claim.citations.exists()

    def test_a_non_bmp_character_before_the_excerpt_survives_the_database(self):
        text = "𝔅 Notes from the capital 🏛️.\n\nThe mayor promised “cheaper tram fares” by autumn."
        revision = make_source(text=text).current_revision

        citation = cite(claim=make_claim(), revision=revision, excerpt='"cheaper tram fares"')

        citation.refresh_from_db()
        citation.revision.refresh_from_db()
        assert citation.revision.text[citation.start : citation.end] == citation.excerpt == "“cheaper tram fares”"
        assert citation.start == text.index("“cheaper")
