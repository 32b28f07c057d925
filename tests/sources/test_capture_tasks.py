"""Captures and watch passes as background tasks: queued by the admin and by the scheduler, run by
the database backend's worker (the suite's default backend runs tasks at once)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sources.models import Source
from sources.tasks import WATCH_LOCK, watch_pass_task
from tests.sources.test_capture_web import PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker():
    # The worker closes connections it finds in a transaction; the test's own is one (it would be
    # closed under the test on PostgreSQL), so the worker runs here without that housekeeping.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def test_the_admin_queues_a_capture_per_address_and_the_worker_captures_it(site, staff_client, database_tasks):
    first, second = site.page("/pier", PAGE), site.page("/pier-2", PAGE.replace(b"Pier", b"Jetty"))

    response = staff_client.post(
        "/admin/sources/source/capture/", {"urls": f"{first}\n{second}", "interval": "1"}, follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        '2 addresses queued: each is captured in the background. <a href="/admin/django_tasks_database/dbtaskresult/">'
        "Follow them in Background tasks</a>."
    ]
    assert site.requests == [] and not Source.objects.exists()  # nothing fetched in the request
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2

    run_worker()

    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [result.status for result in results] == [TaskResultStatus.SUCCESSFUL] * 2
    assert results[0].return_value["line"].startswith(f"{first}: created — “Pier repairs to start in May”")
    assert Source.objects.count() == 2


def test_the_scheduler_queues_a_watch_pass_for_the_worker(database_tasks, capsys):
    with mock.patch("sources.management.commands.watch_sources.time.sleep", side_effect=KeyboardInterrupt):
        call_command("watch_sources", "--sleep", "5")

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "sources.tasks.watch_pass_task"
    assert f"Watch pass queued ({queued.pk})." in capsys.readouterr().out
    run_worker()
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == {}  # nothing watched yet


def test_a_watch_pass_task_checks_the_due_sources(site):
    call_command("capture_sources", site.page("/pier", PAGE), "--watch")
    result = watch_pass_task.enqueue(every=True)
    assert result.return_value == {"unchanged": 1}


def test_only_one_watch_pass_runs_at_a_time(site):
    cache.set(WATCH_LOCK, True)
    assert watch_pass_task.enqueue().return_value == {"skipped": "another watch pass is running"}
    cache.delete(WATCH_LOCK)
    assert watch_pass_task.enqueue().return_value == {}
