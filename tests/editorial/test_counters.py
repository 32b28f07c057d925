"""The list's counters (``PublicFacet``), of the whole list and of each tag, speaker and publisher,
follow every change of the read model."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from editorial.filters import citing, listed_entries, with_tag
from editorial.models import PublicFacet, Speaker
from editorial.public import counters, readmodel
from editorial.public.version import PublicVersion
from editorial.services.citations import cite
from editorial.views.mixins import counted_facets, publisher_facets, speaker_facets, tag_facets
from editorial.workflow import ClaimStatus
from sources.models import Publisher
from tests.factories import make_claim, make_publisher, make_source, make_speaker, make_user

Kind = PublicFacet.Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    moderator = make_user("mona", "Moderators")
    ledger = make_publisher("Quay Ledger")
    source = make_source("Ferry fares", "Fares rise by a tenth in May.", publisher=ledger)
    claims = []
    mayors = [make_speaker("Mayor Holt"), make_speaker("Mayor Quist")]
    for n, tags in enumerate((["ferries", "prices"], ["ferries"], ["budget"])):
        claim = make_claim(f"Claim {n} about fares.", tags=tags, speaker=mayors[n % 2])
        cite(claim=claim, revision=source.current_revision, excerpt="Fares rise")
        claim.submit(moderator)
        claim.publish(moderator)
        claims.append(claim)
    return moderator, source, claims


def scopes():
    """Every scope with its entries: the whole list, and each tag's, speaker's and publisher's."""
    listed = listed_entries()
    yield counters.EVERYTHING, listed
    for tag in Tag.objects.all():
        yield (Kind.TAG, tag.pk), with_tag(listed, tag)
    for speaker in Speaker.objects.all():
        yield (Kind.SPEAKER, speaker.pk), listed.filter(speaker=speaker)
    for publisher in Publisher.objects.all():
        yield (Kind.PUBLISHER, publisher.pk), citing(listed, source__publisher=publisher)


def assert_counters_agree():
    assert counters.problems() == []
    for scope, entries in scopes():
        facets = counted_facets(scope=scope)
        assert facets["tags"] == tag_facets(entries), scope
        assert facets["speakers"] == speaker_facets(entries), scope
        assert facets["publishers"] == publisher_facets(entries), scope
        assert counters.total(scope) == entries.count(), scope


def test_publishing_counts_tags_speakers_publishers_and_the_total(desk):
    assert_counters_agree()
    assert counters.total() == 3
    assert counted_facets()["tags"][0] == {"tag__name": "ferries", "tag__slug": "ferries", "count": 2}
    ferries = (Kind.TAG, Tag.objects.get(name="ferries").pk)
    assert counters.total(ferries) == 2
    assert [(row["tag__name"], row["count"]) for row in counted_facets(scope=ferries)["tags"]] == [
        ("ferries", 2),
        ("prices", 1),
    ]


def test_a_correction_moves_the_counts_and_an_unapproved_edit_does_not(desk):
    moderator, _, claims = desk
    claims[0].tags.set(["harbours"])
    claims[0].speaker = make_speaker("Someone Else")
    claims[0].save()
    assert_counters_agree()  # nothing approved yet: the counters still count the approved versions
    assert "harbours" not in {row["tag__name"] for row in counted_facets()["tags"]}

    claims[0].correct(moderator, "New tags and speaker.")

    assert_counters_agree()
    assert "harbours" in {row["tag__name"] for row in counted_facets()["tags"]}


def test_retracting_and_deleting_take_claims_out_of_the_counts(desk):
    moderator, _, claims = desk
    claims[0].retract(moderator, note="Wrong.")
    assert_counters_agree()
    claims[1].delete()
    assert_counters_agree()
    assert counters.total() == 1


def test_a_source_changing_publisher_moves_its_claims(desk):
    _, source, _ = desk
    source.publisher = make_publisher("Harbour Herald")
    source.save()

    assert_counters_agree()
    assert [row["revision__source__publisher__name"] for row in counted_facets()["publishers"]] == ["Harbour Herald"]


def test_verify_reports_a_counter_that_drifted_and_rebuild_repairs_it(desk):
    PublicFacet.objects.filter(kind="total").update(count=99)

    assert any("counter total 0 in the whole list: 99" in line for line in readmodel.verify())
    readmodel.rebuild()
    assert readmodel.verify() == []
    assert_counters_agree()


def test_the_unfiltered_list_reads_the_counters(client, desk, django_assert_max_num_queries):
    page = client.get("/claims/").content.decode()

    assert "3 claims" in page
    assert "ferries" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [("tag=ferries", "2 claims"), ("speaker=Mayor+Holt", "2 claims"), ("publisher=Quay+Ledger", "3 claims")],
)
def test_a_filtered_list_of_one_tag_speaker_or_publisher_reads_its_scope(client, desk, query, expected):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/claims/?{query}").content.decode()
    assert expected in page
    statements = [query["sql"] for query in captured.captured_queries]
    assert any("editorial_publicfacet" in sql for sql in statements)
    # Neither the total nor a facet is counted from the entries.
    assert not [sql for sql in statements if "COUNT(" in sql.upper() and "editorial_publicentry" in sql]


def test_a_list_of_two_filters_counts_from_the_entries(client, desk):
    page = client.get("/claims/?tag=ferries&tag=prices").content.decode()
    assert "1 claim" in page


def test_deferred_changes_apply_once_at_the_end_and_not_at_all_on_failure(desk):
    moderator, _, claims = desk
    before = counters.total()
    with transaction.atomic(), counters.deferred():
        claims[0].retract(moderator, note="Wrong.")
        assert counters.total() == before  # gathered, not yet applied
    assert counters.total() == before - 1
    assert_counters_agree()

    with pytest.raises(RuntimeError), transaction.atomic(), counters.deferred():
        claims[1].retract(moderator, note="Wrong too.")
        raise RuntimeError
    assert counters.total() == before - 1
    assert_counters_agree()


def test_a_search_counts_its_facets_over_its_window_of_ids(desk):
    from editorial.filters import ClaimFilter
    from editorial.public.search import search_entries
    from editorial.views.mixins import list_summary

    claims_filter = ClaimFilter({"q": "fares"})
    assert claims_filter.is_valid()
    listed = list(claims_filter.qs)
    assert sorted(claims_filter.window) == sorted(entry.claim_id for entry in listed)

    summary = list_summary(claims_filter.qs, ids=claims_filter.window)
    matching = search_entries(listed_entries(), "fares")
    assert summary["total"] == matching.count() == 3
    assert summary["tags"] == tag_facets(matching)
    assert summary["speakers"] == speaker_facets(matching)
    assert summary["publishers"] == publisher_facets(matching)


def test_a_deferred_block_counts_each_touched_entry_once_whatever_happens_to_it(desk):
    moderator, source, claims = desk
    with transaction.atomic(), counters.deferred():
        claims[0].tags.set(["harbours"])
        claims[0].correct(moderator, "New tags.")
        claims[0].tags.set(["harbours", "budget"])
        claims[0].correct(moderator, "More tags.")  # the same entry written twice
        claims[1].retract(moderator, note="Wrong.")
        source.publisher = make_publisher("Harbour Herald")
        source.save()  # every claim cites it
        claims[2].delete()
    assert_counters_agree()
    assert counters.total() == 1


def test_entries_created_in_a_deferred_block_are_counted_as_written_and_again_when_changed(desk):
    moderator, source, claims = desk
    created = []
    with transaction.atomic(), counters.deferred():
        for statement, tags in [("Ferry fares double.", ["ferries", "prices"]), ("Port closes.", ["ports"])]:
            claim = make_claim(statement, tags=tags)
            cite(claim=claim, revision=source.current_revision, excerpt="Fares rise")
            claim.status, claim.published_at = ClaimStatus.PUBLISHED, timezone.now()
            claim.public_snapshot = PublicVersion.of(claim, approved_at=timezone.now()).to_snapshot()
            claim.save()
            created.append(claim)
        readmodel.record_many(created, new=True)  # the bulk import's path: counted in Python
        assert counters.problems() != []  # gathered, not yet applied
        created[0].tags.set(["harbours"])
        created[0].correct(moderator, "Other tags.")  # an entry of the block, written again
        created[1].retract(moderator, note="Wrong.")  # and one taken off the list
        claims[0].retract(moderator, note="Wrong too.")  # an entry from before the block
    assert_counters_agree()
    assert counters.total() == len(claims)  # three, less one retracted, plus one of the two new


def test_a_scopes_total_and_facets_are_one_read_and_agree_with_the_counters(desk):
    for scope, entries in scopes():
        with CaptureQueriesContext(connection) as captured:
            summary = counted_facets(scope=scope, with_total=True)
        assert len(captured.captured_queries) == 1, scope
        assert summary["total"] == counters.total(scope) == entries.count(), scope
        assert [row["tag__name"] for row in summary["tags"]] == [
            name
            for name, _ in sorted(
                ((Tag.objects.get(pk=pk).name, n) for pk, n in counters.top(Kind.TAG, 99, scope)),
                key=lambda item: (-item[1], item[0]),
            )
        ], scope
