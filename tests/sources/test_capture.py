"""The capture API every importer uses: one matching rule, one way to add a revision."""

import pytest

from sources.models import Author, Publisher, Source, text_sha256
from sources.services import CapturePlan, capture_revision, create_source, match_source
from sources.signals import revision_added
from tests.factories import add_announced_revision, add_revision, make_publisher, make_source

pytestmark = pytest.mark.django_db

PROVENANCE = {"byline": "", "user": None, "origin": "test", "format": "text", "encoding": "utf-8", "original": b""}


@pytest.fixture
def revisions_added():
    """The ``revision_added`` signals sent during the test, as ``(revision number, previous number)`` pairs."""
    received = []

    def receiver(sender, revision, previous, **kwargs):
        received.append((revision.number, previous.number if previous else None))

    revision_added.connect(receiver)
    yield received
    revision_added.disconnect(receiver)


def capture(source, text, **options):
    return capture_revision(source=source, text=text, title=source.title, **PROVENANCE | options)


# Matching


def test_the_same_url_is_the_same_source_whatever_the_title():
    source = make_source("Pier repairs", url="https://example.org/pier")

    assert match_source(url="https://example.org/pier", publisher="", title="Something else") == source


def test_else_the_same_publisher_and_title_ignoring_case():
    gazette = make_publisher("Harbour Gazette")
    source = make_source("Pier repairs", publisher=gazette)

    assert match_source(url="", publisher="harbour gazette", title="PIER REPAIRS") == source
    assert match_source(url="", publisher="", title="Pier repairs") is None
    assert match_source(url="", publisher="Island Post", title="Pier repairs") is None  # no such publisher


def test_a_source_with_another_url_is_another_document():
    make_source("Pier repairs", url="https://example.org/pier")

    assert match_source(url="https://example.org/other", publisher="", title="Pier repairs") is None
    assert match_source(url="", publisher="", title="Pier repairs") is not None  # no URL on one side


def test_else_a_source_of_the_same_publisher_holding_the_text():
    source = make_source("Pier repairs", "The text.")

    assert match_source(url="", publisher="", title="Pier repairs delayed", sha256=text_sha256("The text.")) == source
    assert match_source(url="", publisher="", title="Pier repairs delayed") is None  # no text, no third step


# Creating sources and capturing revisions


def test_create_source_reuses_the_publisher_and_the_authors_and_lists_each_person_once():
    make_publisher("Harbour Gazette")
    Author.objects.create(name="Mei Tanaka")

    source = create_source(
        title="Pier repairs",
        publisher="harbour gazette",
        authors=[("Mei  Tanaka", "Oslo"), ("Ann Lee", ""), ("mei tanaka", "Bergen")],
    )

    assert source.publisher == Publisher.objects.get()
    assert [(b.author.name, b.location, b.position) for b in source.ordered_bylines()] == [
        ("Mei Tanaka", "Oslo", 1),
        ("Ann Lee", "", 2),
    ]
    assert source.current_revision is None


def test_capture_revision_numbers_makes_current_and_announces_a_newer_text(revisions_added):
    source = create_source(title="Pier repairs")

    first = capture(source, "One.")
    second = capture(source, "Two.", user=None, origin="x" * 2000)

    source.refresh_from_db()
    assert (first.number, second.number, source.current_revision) == (1, 2, second)
    assert second.verify_hash() and len(second.origin) == 1000
    assert revisions_added == [(2, 1)]  # the first capture has nothing older to re-anchor


def test_a_restored_older_number_does_not_become_current(revisions_added):
    source = create_source(title="Pier repairs")
    capture(source, "Three.", number=3)

    restored = capture(source, "One.", number=1)

    source.refresh_from_db()
    assert restored.number == 1
    assert source.current_revision.number == 3
    assert revisions_added == []


def test_the_factories_add_revisions_through_the_capture_api(revisions_added):
    source = make_source("Pier repairs", "One.")

    quiet = add_revision(source, "Two.")
    announced = add_announced_revision(source, "Three.")

    assert (quiet.number, announced.number) == (2, 3)
    assert Source.objects.get().current_revision == announced
    assert revisions_added == [(3, 2)]


# Deciding before writing


def test_a_plan_matches_what_it_will_create_and_writes_nothing():
    plan = CapturePlan()
    planned = plan.create(url="", publisher="Harbour Gazette", title="Pier repairs")
    plan.add_revision(planned, text_sha256("One."))

    assert plan.match(url="", publisher="harbour gazette", title="pier repairs") is planned
    assert plan.match(url="", publisher="Harbour Gazette", title="Other", sha256=text_sha256("One.")) is planned
    assert plan.match(url="", publisher="", title="Pier repairs") is None
    assert not Source.objects.exists() and not Publisher.objects.exists()


def test_a_plan_matches_a_stored_source_as_the_plan_leaves_it():
    stored = make_source("Pier repairs", "One.")
    plan = CapturePlan()
    planned = plan.match(url="", publisher="", title="Pier repairs")
    plan.update(planned, url="https://example.org/pier", publisher="", title="Pier repairs delayed")

    assert planned.source == stored
    assert plan.match(url="", publisher="", title="Pier repairs") is None  # its stored title is no longer its title
    assert plan.match(url="https://example.org/pier", publisher="", title="Anything") is planned
