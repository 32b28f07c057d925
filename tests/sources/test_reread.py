"""Reading a revision's original again in another encoding: the service, the admin page, verification."""

from datetime import datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sources.importers.base import ImportProblem
from sources.models import Revision, Source
from sources.services import capture_revision, create_source, import_file, reread_revision, reverify_revision
from sources.textutils import normalise_text
from tests.factories import make_publisher

pytestmark = pytest.mark.django_db

ORIGINAL = "Müller named harbour master in Zürich\n\nKarl Müller will run the lake harbour from June.\n".encode(
    "cp1252"
)


@pytest.fixture
def misread():
    """A revision read as the DOS code page cp775, as imports did before: "Zürich" became "Z³rich"."""
    title, _, body = ORIGINAL.decode("cp775").partition("\n\n")
    source = create_source(title=title)
    return capture_revision(
        source=source,
        text=normalise_text(body),
        title=title,
        byline="",
        user=None,
        origin="harbour.txt",
        format="text",
        encoding="cp775",
        encoding_confidence=0.4,
        original=ORIGINAL,
    )


def reread_url(revision):
    return reverse("admin:sources_revision_reread", args=[revision.pk])


def test_import_stores_the_encoding_and_its_confidence_on_the_revision():
    outcome = import_file(
        data="Müller named harbour master in Zürich\n\nThe council met.".encode("cp1252"), filename="a.txt"
    )
    revision = Revision.objects.get(pk=outcome.revision.pk)
    assert revision.encoding == "windows-1252"
    assert 0.9 <= revision.encoding_confidence <= 1
    assert revision.source.title == "Müller named harbour master in Zürich"


def test_reread_captures_a_new_revision_with_the_reason(misread, staff_user):
    assert misread.title == "M³ller named harbour master in Z³rich"

    new = reread_revision(revision=misread, encoding="windows-1252", reason="ü shown as ³", user=staff_user)

    assert new.number == 2
    assert new.encoding == "windows-1252"
    assert new.encoding_confidence >= 0.9
    assert new.reason == "Revision 1 read again as windows-1252: ü shown as ³"
    assert new.captured_by == staff_user
    assert new.text == "Karl Müller will run the lake harbour from June."
    assert bytes(new.original) == ORIGINAL
    source = Source.objects.get(pk=misread.source_id)
    assert source.title == "Müller named harbour master in Zürich"
    assert source.current_revision == new
    assert Revision.objects.get(pk=misread.pk).text == "Karl M³ller will run the lake harbour from June."


def test_reverification_reads_an_original_in_the_encoding_its_revision_was_read_in(misread):
    # Detection now reads the file as windows-1252; the stored revision was read as cp775.
    assert reverify_revision(misread) == []


def test_reread_keeps_a_title_the_editor_corrected(misread, staff_user):
    Source.objects.filter(pk=misread.source_id).update(title="Müller named harbour master (corrected by hand)")
    reread_revision(revision=misread, encoding="windows-1252", reason="wrong letters", user=staff_user)
    assert Source.objects.get(pk=misread.source_id).title == "Müller named harbour master (corrected by hand)"


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("no-such-codec", "unknown encoding"),
        ("Shift_JIS", "not valid Shift_JIS"),
        ("cp775", "nothing was changed"),
    ],
)
def test_reread_that_fails_writes_nothing(misread, staff_user, encoding, message):
    with pytest.raises(ImportProblem, match=message):
        reread_revision(revision=misread, encoding=encoding, reason="check", user=staff_user)
    assert Revision.objects.filter(source=misread.source_id).count() == 1


def test_admin_reread_page_shows_the_readings_and_the_form(staff_client, misread):
    response = staff_client.get(reread_url(misread))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cp775 (confidence 40%)" in page
    assert "Müller named harbour master in Zürich" in page  # the windows-1252 reading in the table
    assert 'name="reason"' in page
    revision_page = staff_client.get(reverse("admin:sources_revision_change", args=[misread.pk])).content.decode()
    assert "Read again in another encoding" in revision_page


def test_admin_reread_creates_a_revision_and_returns_to_the_source(staff_client, misread):
    response = staff_client.post(reread_url(misread), {"encoding": "windows-1252", "reason": "ü shown as ³"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_source_change", args=[misread.source_id])
    new = Revision.objects.get(source=misread.source_id, number=2)
    assert new.reason.endswith("ü shown as ³")
    page = staff_client.get(response["Location"]).content.decode()
    assert "windows-1252 (confidence" in page
    assert "Revision 1 read again as windows-1252: ü shown as ³" in page
    assert "Müller named harbour master in Zürich" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"encoding": "no-such-codec", "reason": "try"}, "Unknown encoding"),
        ({"encoding": "rot13", "reason": "try"}, "Unknown encoding"),
        ({"encoding": "Shift_JIS", "reason": "try"}, "the original is not valid Shift_JIS: byte 0xfc at offset 1"),
        ({"encoding": "windows-1252", "reason": ""}, "This field is required"),
    ],
)
def test_admin_reread_with_an_encoding_that_fails_says_why_and_writes_nothing(staff_client, misread, data, message):
    response = staff_client.post(reread_url(misread), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Revision.objects.filter(source=misread.source_id).count() == 1


def test_admin_reread_needs_the_change_source_permission(client, django_user_model, misread):
    viewer = django_user_model.objects.create_user(username="viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_source", "view_revision"], content_type__app_label="sources")
    )
    client.force_login(viewer)

    assert client.get(reread_url(misread)).status_code == 403
    assert client.post(reread_url(misread), {"encoding": "windows-1252", "reason": "x"}).status_code == 403
    assert Revision.objects.filter(source=misread.source_id).count() == 1
    revision_page = client.get(reverse("admin:sources_revision_change", args=[misread.pk])).content.decode()
    assert "Read again in another encoding" not in revision_page
    assert "cp775 (confidence 40%)" in revision_page


def test_a_date_without_a_time_keeps_its_date_in_the_publishers_zone():
    make_publisher("Island Post", time_zone="Pacific/Auckland")
    document = "Last updated 5 May 2024\n\nFerry fares frozen\n\nThe board decided on Friday.\n"
    outcome = import_file(data=document.encode(), filename="fares.txt", publisher="Island Post")
    source = Source.objects.get(pk=outcome.source.pk)
    zone = source.publisher.tzinfo()
    assert source.updated_at.astimezone(zone).date().isoformat() == "2024-05-05"
    assert source.updated_at.astimezone(zone).time().isoformat() == "00:00:00"


def test_a_printed_zone_wins_over_the_publishers_zone():
    document = "Updated: 5 May 2024, 10:12 CET\n\nFerry fares frozen\n\nThe board decided on Friday.\n"
    outcome = import_file(data=document.encode(), filename="fares.txt")
    assert Source.objects.get(pk=outcome.source.pk).updated_at == datetime(
        2024, 5, 5, 10, 12, tzinfo=timezone(timedelta(hours=1))
    )
