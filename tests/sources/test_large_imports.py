"""Large uploads on the admin's *Import files* page: checked at once, stored, imported by a task."""

import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from editorial.models import Claim
from sources.models import Revision, Source, text_sha256
from tests.factories import make_user
from tests.sources.test_capture_tasks import run_worker

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/sources/source/import/"
TEXT = "The harbour board approved the new ferry timetable on Tuesday. Fares rise by a tenth in May."


def claim_set(*statements, excerpt="Fares rise by a tenth in May"):
    """Return a claim-set JSON file (version 1) of one source and a claim per statement, padded past 2 KB."""
    document = {
        "format": "editorial.claimset/1",
        "sources": [
            {
                "id": "s1",
                "title": "Ferry timetable approved",
                "url": "https://harbour-gazette.example/ferry",
                "revisions": [{"number": 1, "text": TEXT, "sha256": text_sha256(TEXT)}],
            }
        ],
        "claims": [
            {
                "id": number,
                "statement": statement,
                "status": "draft",
                "citations": [
                    {
                        "source": "s1",
                        "revision": 1,
                        "excerpt": excerpt,
                        "start": TEXT.index(excerpt),
                        "end": TEXT.index(excerpt) + len(excerpt),
                    }
                ],
            }
            for number, statement in enumerate(statements, start=1)
        ],
        "padding": "x" * 2048,  # unknown keys are ignored: it only makes the file large
    }
    return json.dumps(document, indent=2).encode()


@pytest.fixture
def large(settings, tmp_path):
    """Uploads over 1 KB go to a task; stored uploads go to tmp_path."""
    settings.IMPORT_TASK_THRESHOLD_BYTES = 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "imports"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def editor(client):
    user = make_user("edna", "Editors")
    client.force_login(user)
    return user


def upload(client, name, data, **fields):
    return client.post(IMPORT_URL, {"files": [SimpleUploadedFile(name, data)], **fields}, follow=True)


def shown(response):
    return [str(message) for message in response.context["messages"]]


def stored(folder):
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_large_upload_is_queued_with_a_link_to_its_task_and_the_worker_imports_it(
    client, editor, large, database_tasks
):
    response = upload(client, "ferry.json", claim_set("Fares rise by a tenth in May."))

    task = DBTaskResult.objects.get()
    assert task.task_path == "sources.tasks.import_file_task" and task.status == TaskResultStatus.READY
    assert shown(response) == [
        f"ferry.json: queued: at {len(claim_set('Fares rise by a tenth in May.')) / 1024:.1f} KB it is imported in "
        f'the background. <a href="/admin/django_tasks_database/dbtaskresult/{task.pk}/change/">Follow the import '
        "in Background tasks</a>."
    ]
    assert not Source.objects.exists() and len(stored(large)) == 1

    run_worker()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value["line"] == (
        "ferry.json: created — “claim-set JSON”: 1 sources created, 1 revisions created, 1 claims created, "
        "1 citations created, 1 claims imported as drafts"
    )
    assert Claim.objects.get().statement == "Fares rise by a tenth in May."
    assert stored(large) == []  # a finished import deletes its upload


def test_a_small_upload_is_still_imported_in_the_request(client, editor, large, database_tasks):
    response = upload(client, "ferry.txt", b"Ferry timetable approved\n\n" + TEXT.encode())

    assert "ferry.txt: created — “Ferry timetable approved”" in shown(response)[0]
    assert not DBTaskResult.objects.exists() and stored(large) == []


def test_with_tasks_run_at_once_the_page_shows_the_import(client, editor, large):
    response = upload(client, "ferry.json", claim_set("Fares rise by a tenth in May."))

    [message] = shown(response)
    assert message.startswith("ferry.json: created — “claim-set JSON”: 1 sources created")
    assert response.redirect_chain[-1][0] == reverse("admin:sources_source_changelist")
    assert Claim.objects.count() == 1 and stored(large) == []


def test_malformed_json_is_reported_at_once_and_nothing_is_queued(client, editor, large, database_tasks):
    data = b'{"format": "editorial.claimset/1",\n  "sources": [}' + b" " * 2048

    response = upload(client, "broken.json", data)

    assert shown(response) == [
        "broken.json: failed: invalid claim-set JSON: $: malformed JSON at line 2, column 15: Expecting value"
    ]
    assert response.redirect_chain == []  # the form stays, to try again
    assert not DBTaskResult.objects.exists() and stored(large) == []


def test_a_document_with_problems_is_reported_at_once_with_their_paths(client, editor, large, database_tasks):
    response = upload(client, "ferry.json", claim_set("Fares rise by a tenth in May.", "  "))

    [message] = shown(response)
    assert message.startswith("ferry.json: failed: invalid claim-set JSON: $.claims[1].statement:")
    assert not DBTaskResult.objects.exists() and not Source.objects.exists()


def test_a_user_who_may_not_add_claims_hears_so_before_anything_is_queued(client, large, database_tasks, staff_user):
    client.force_login(staff_user)  # every sources permission, no editorial one

    response = upload(client, "ferry.json", claim_set("Fares rise by a tenth in May."))

    assert "you do not have permission to add claims" in shown(response)[0]
    assert not DBTaskResult.objects.exists()


def test_a_file_refused_by_the_import_fails_its_task_and_keeps_the_upload(client, editor, large, database_tasks):
    # The quick look passes (a text file), the import refuses it: a title and nothing else.
    response = upload(client, "notes.txt", b"Ferry timetable approved\n" + b" " * 2048)
    assert "queued" in shown(response)[0]

    run_worker()

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "sources.tasks.ImportRefused"
    assert task.traceback.strip().splitlines()[-1] == (
        "sources.tasks.ImportRefused: notes.txt: failed: no body text: the file has a header but no paragraphs after it"
    )
    assert not Source.objects.exists() and len(stored(large)) == 1  # kept for a retry


def test_an_import_that_breaks_half_way_fails_its_task_and_writes_nothing(client, editor, large, database_tasks):
    upload(client, "ferry.json", claim_set("Fares rise by a tenth in May.", "The timetable starts in June."))
    from editorial.claimset import importer

    written_before = []

    def break_after_the_sources(*args, **kwargs):
        written_before.append(Source.objects.count())
        raise RuntimeError("the database went away")

    with mock.patch.object(importer.NewClaimWriter, "write", break_after_the_sources):
        run_worker()

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED and "the database went away" in task.traceback
    assert written_before == [1]  # the source was written when the claims broke …
    assert (Source.objects.count(), Revision.objects.count(), Claim.objects.count()) == (0, 0, 0)  # … and undone
    assert len(stored(large)) == 1


def test_the_stored_name_is_made_up_whatever_the_upload_is_called(client, editor, large, database_tasks):
    upload(client, "../../etc/ferry.json", claim_set("Fares rise by a tenth in May."))

    [path] = stored(large)
    assert Path(path).suffix == ".json" and large in path.parents and "etc" not in path.name


def test_the_import_page_says_when_a_file_goes_to_the_background(client, editor, large):
    page = client.get(IMPORT_URL).text

    assert "A file over 1 KB is checked at once, then imported in the background" in page


def test_with_tasks_run_at_once_a_refused_file_is_reported_on_the_page(client, editor, large):
    response = upload(client, "notes.txt", b"Ferry timetable approved\n" + b" " * 2048)

    assert shown(response) == ["notes.txt: failed: no body text: the file has a header but no paragraphs after it"]
    assert response.redirect_chain == [] and not Source.objects.exists()
