"""Revisions are immutable, and a stored revision can be checked against its hash and original."""

import pytest
from django.db import connection

from sources.models import Revision, RevisionImmutableError
from sources.services import import_file, reverify_revision
from tests.factories import add_revision, make_source

STORY = b"""Harbour board approves repairs

By Mei Tanaka

The harbour board approved the repairs on Tuesday.

Work starts in June.
"""


def tamper(revision, **columns):
    """Change stored columns behind the model's back, as a faulty script or a bad restore would."""
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Revision._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608 — column names from the test
            [*columns.values(), revision.pk],
        )


@pytest.fixture
def imported_revision(db):
    outcome = import_file(data=STORY, filename="story.txt")
    assert outcome.status == "created", outcome.message
    return outcome.revision


def test_saving_a_revision_with_changed_text_is_refused(imported_revision):
    imported_revision.text = "Something else."
    with pytest.raises(RevisionImmutableError):
        imported_revision.save()
    imported_revision.refresh_from_db()
    assert imported_revision.text.startswith("The harbour board approved")


def test_updating_revision_text_through_a_queryset_is_refused(imported_revision):
    with pytest.raises(RevisionImmutableError):
        Revision.objects.filter(pk=imported_revision.pk).update(text="Something else.")
    with pytest.raises(RevisionImmutableError):
        Revision.objects.filter(pk=imported_revision.pk).update(sha256="0" * 64)


def test_fields_outside_the_text_can_still_be_updated(imported_revision):
    Revision.objects.filter(pk=imported_revision.pk).update(origin="renamed.txt")
    imported_revision.refresh_from_db()
    assert imported_revision.origin == "renamed.txt"
    assert reverify_revision(imported_revision) == []


def test_reverify_finds_nothing_wrong_with_a_freshly_imported_revision(imported_revision):
    assert reverify_revision(imported_revision) == []


def test_reverify_finds_nothing_wrong_with_a_revision_without_an_original(db):
    source = make_source(text="Typed in by an editor.")
    revision = add_revision(source, "A second version, typed in too.")
    assert reverify_revision(revision) == []


def test_reverify_reports_a_stored_hash_that_does_not_match_the_text(imported_revision):
    tamper(imported_revision, sha256="0" * 64)
    problems = reverify_revision(imported_revision)  # the object in memory still has the good hash
    assert len(problems) == 1
    assert problems[0].startswith("stored SHA-256 000000000000… does not match the text")


def test_reverify_reports_text_changed_behind_the_models_back(imported_revision):
    tamper(imported_revision, text="The harbour board rejected the repairs on Tuesday.\n\nWork starts in June.")
    problems = reverify_revision(imported_revision)
    assert problems[0].startswith("stored SHA-256")
    assert problems[1] == "reading the original file again gives different text (first difference at character 18)"


def test_reverify_reports_an_original_that_no_longer_reads(imported_revision):
    tamper(imported_revision, original=b"")
    assert reverify_revision(imported_revision) == []  # nothing to re-read
    tamper(imported_revision, original=b"\x00\x01 binary")
    assert reverify_revision(imported_revision) == ["the original file no longer reads as text: binary file, not text"]
