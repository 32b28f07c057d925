"""Citations follow their passage into a source's newest revision: exact, fuzzy or orphaned."""

import pytest

from editorial.anchoring import FUZZY_THRESHOLD, find_anchor
from editorial.models import Citation, Claim
from editorial.services.citations import reanchor_citations
from sources.models import Source
from sources.signals import revision_added
from tests.factories import add_revision, make_citation, make_claim, make_source

pytestmark = pytest.mark.django_db

FIRST = (
    "Rail operators warned of delays this weekend.\n\n"
    "The transport minister said the new timetable would cut journey times by ten minutes on most routes.\n\n"
    "Unions have called a meeting for Monday."
)
QUOTE = "the new timetable would cut journey times by ten minutes on most routes"


@pytest.fixture
def source():
    return make_source(text=FIRST)


@pytest.fixture
def citation(source):
    return make_citation(revision=source.current_revision, excerpt=QUOTE)


def new_revision(source, text):
    """Add a revision as the import service does, announcing it with ``revision_added``."""
    previous = source.current_revision
    revision = add_revision(source, text)
    revision_added.send(sender=Source, revision=revision, previous=previous)
    return revision


def anchored_text(citation):
    return citation.anchored_revision.text[citation.anchored_start : citation.anchored_end]


def test_a_citation_of_the_newest_revision_is_current(citation, source):
    assert citation.anchor_state == Citation.AnchorState.CURRENT
    assert citation.anchored_revision == source.current_revision
    assert (citation.anchored_start, citation.anchored_end, citation.anchor_score) == (
        citation.start,
        citation.end,
        100,
    )


def test_unchanged_passage_is_exact_at_the_same_offsets(citation, source):
    first = source.current_revision
    second = new_revision(source, FIRST.replace("Monday", "Tuesday"))

    citation.refresh_from_db()
    assert citation.anchor_state == Citation.AnchorState.EXACT
    assert citation.revision == first  # still cites what it quoted
    assert citation.anchored_revision == second
    assert (citation.anchored_start, citation.anchored_end) == (citation.start, citation.end)
    assert citation.anchor_score == 100
    assert citation.anchor_checked_at is not None


def test_moved_passage_is_exact_at_new_offsets(citation, source):
    new_revision(source, "Update: services resume on Sunday evening.\n\n" + FIRST)

    citation.refresh_from_db()
    assert citation.anchor_state == Citation.AnchorState.EXACT
    assert citation.anchored_start == citation.start + len("Update: services resume on Sunday evening.\n\n")
    assert anchored_text(citation) == citation.excerpt == QUOTE


def test_edited_passage_is_fuzzy_with_a_score(citation, source):
    new_revision(source, FIRST.replace("by ten minutes", "by about eight minutes"))

    citation.refresh_from_db()
    assert citation.anchor_state == Citation.AnchorState.FUZZY
    assert FUZZY_THRESHOLD <= citation.anchor_score < 100
    assert anchored_text(citation) == (
        "the new timetable would cut journey times by about eight minutes on most routes"
    )


def test_deleted_passage_is_orphaned(citation, source):
    second = new_revision(
        source, "Rail operators warned of delays this weekend.\n\nUnions have called a meeting for Monday."
    )

    citation.refresh_from_db()
    assert citation.anchor_state == Citation.AnchorState.ORPHANED
    assert citation.anchored_revision == second
    assert (citation.anchored_start, citation.anchored_end, citation.anchor_score) == (None, None, None)
    assert citation.revision.text[citation.start : citation.end] == citation.excerpt


def test_reanchoring_directly_reports_the_states(source):
    first = source.current_revision
    kept = make_citation(revision=first, excerpt="Rail operators warned of delays this weekend.")
    edited = make_citation(revision=first, excerpt=QUOTE)
    dropped = make_citation(revision=first, excerpt="Unions have called a meeting for Monday.")
    second = add_revision(
        source,
        "Rail operators warned of delays this weekend.\n\n"
        "The transport minister said the new timetable would cut journey times by ten minutes on some routes.",
    )

    counts = reanchor_citations(second)

    assert counts == {"current": 0, "exact": 1, "fuzzy": 1, "orphaned": 1}
    states = {c.pk: c.anchor_state for c in Citation.objects.all()}
    assert states == {kept.pk: "exact", edited.pk: "fuzzy", dropped.pk: "orphaned"}


def test_citations_of_older_revisions_follow_the_newest_one(citation, source):
    second = new_revision(source, "Preface.\n\n" + FIRST)
    on_second = make_citation(revision=second, excerpt=QUOTE)
    third = new_revision(source, "Another preface.\n\nPreface.\n\n" + FIRST)

    citation.refresh_from_db()
    on_second.refresh_from_db()
    assert citation.anchored_revision == on_second.anchored_revision == third
    assert citation.anchor_state == on_second.anchor_state == Citation.AnchorState.EXACT
    assert anchored_text(citation) == anchored_text(on_second) == QUOTE


def test_a_new_citation_of_an_older_revision_is_anchored_when_saved(source):
    first = source.current_revision
    add_revision(source, FIRST.replace("ten minutes", "eight minutes"))

    citation = make_citation(revision=first, excerpt=QUOTE)

    assert citation.anchor_state == Citation.AnchorState.FUZZY
    assert citation.anchored_revision == source.current_revision


def test_among_several_exact_occurrences_the_one_with_the_same_context_wins(source):
    citation = make_citation(revision=source.current_revision, excerpt="Unions have called a meeting")
    new_revision(
        source,
        "Unions have called a meeting of drivers.\n\n" + FIRST + "\n\nUnions have called a meeting again.",
    )

    citation.refresh_from_db()
    revision = citation.anchored_revision
    assert citation.anchor_state == Citation.AnchorState.EXACT
    assert revision.text[citation.anchored_start - len("routes.\n\n") : citation.anchored_start] == "routes.\n\n"
    assert revision.text[citation.anchored_end :].startswith(" for Monday.")


def test_among_equal_occurrences_the_nearest_to_the_old_position_wins():
    text = "alpha beta. alpha beta. alpha beta."

    anchor = find_anchor(text, excerpt="alpha beta", start=13)

    assert (anchor.state, anchor.start) == ("exact", 12)


def test_short_passages_are_never_matched_fuzzily():
    anchor = find_anchor("The rate rose to 5 percent.", excerpt="rate fell", start=4)

    assert anchor.state == "orphaned"


def test_reanchoring_adds_no_history_and_no_pending_changes(citation, source):
    history_rows = citation.history.count()

    new_revision(source, "Preface.\n\n" + FIRST)

    assert citation.history.count() == history_rows
    assert Claim.objects.citing_changed_sources().get() == citation.claim


def test_reanchoring_against_an_older_revision_is_refused(citation, source):
    first = source.current_revision
    add_revision(source, FIRST + "\n\nA late paragraph.")

    with pytest.raises(ValueError, match="Revision 1 is not the newest of its source"):
        reanchor_citations(first)


def test_other_sources_citations_are_left_alone(citation, source):
    other = make_source(text=FIRST)
    other_citation = make_citation(revision=other.current_revision, excerpt=QUOTE)

    new_revision(source, "Preface.\n\n" + FIRST)

    other_citation.refresh_from_db()
    assert other_citation.anchor_state == Citation.AnchorState.CURRENT


def test_reanchoring_many_citations_takes_a_fixed_number_of_queries(source, django_assert_max_num_queries):
    claim = make_claim()
    for _ in range(3):
        make_citation(claim=claim, revision=source.current_revision, excerpt=QUOTE)
    second = add_revision(source, "Preface.\n\n" + FIRST)

    with django_assert_max_num_queries(4):
        reanchor_citations(second)
