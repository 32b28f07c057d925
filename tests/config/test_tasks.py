"""Background tasks (docs/tasks.md): stored in the database and run by its worker, shown in the
admin, failed ones run again by a moderator; the RQ backend against a real Redis where there is one.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.config.tasks_for_tests import add, fail_while_flagged
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    """The database backend, as a user runs it (the suite's default runs tasks at once)."""
    settings.TASKS = DATABASE_TASKS  # django_tasks drops its backends when TASKS changes


def run_worker():
    # The worker closes connections it finds in a transaction; the test's own is one (it would be
    # closed under the test on PostgreSQL), so the worker runs here without that housekeeping.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def test_a_task_waits_in_the_database_until_the_worker_runs_it(database_tasks):
    result = add.enqueue(2, 3)
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == TaskResultStatus.READY

    run_worker()

    stored.refresh_from_db()
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value == 5


def test_a_failed_task_keeps_its_traceback_and_a_moderator_runs_it_again(client, database_tasks):
    cache.set("fail:capture", True)
    failed = fail_while_flagged.enqueue("capture")
    run_worker()
    stored = DBTaskResult.objects.get(pk=failed.id)
    assert stored.status == TaskResultStatus.FAILED
    assert "failed on purpose" in stored.traceback

    cache.delete("fail:capture")
    client.force_login(make_user("mona", "Moderators"))
    response = client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "retry_failed", "_selected_action": [str(stored.pk)]},
        follow=True,
    )
    assert "1 task was queued again." in response.content.decode()
    again = DBTaskResult.objects.exclude(pk=stored.pk).get()
    assert (again.task_path, again.args_kwargs) == (stored.task_path, stored.args_kwargs)
    run_worker()
    again.refresh_from_db()
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert again.return_value == "capture done"
    stored.refresh_from_db()
    assert stored.status == TaskResultStatus.FAILED  # the failure stays on record


def test_only_failed_tasks_are_run_again(client, database_tasks):
    done = add.enqueue(1, 1)
    run_worker()
    client.force_login(make_user("mona", "Moderators"))
    response = client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "retry_failed", "_selected_action": [str(done.id)]},
        follow=True,
    )
    assert "only failed tasks are run again" in response.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_editors_see_the_tasks_but_cannot_run_them_again(client, database_tasks):
    cache.set("fail:import", True)
    failed = fail_while_flagged.enqueue("import")
    run_worker()
    client.force_login(make_user("ed", "Editors"))

    listing = client.get("/admin/django_tasks_database/dbtaskresult/")
    assert listing.status_code == 200
    assert "fail_while_flagged" in listing.content.decode()
    assert "retry_failed" not in listing.content.decode()

    client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "retry_failed", "_selected_action": [str(failed.id)]},
    )
    assert DBTaskResult.objects.count() == 1


def test_a_reader_cannot_see_the_tasks(client):
    client.force_login(make_user("reader"))
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code in (302, 403)


# Settings -----------------------------------------------------------------------------------------


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "TASKS_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKS_BACKEND": "rq"}, "TASKS_BACKEND=rq needs REDIS_URL"),
        ({"TASKS_BACKEND": "celery"}, "use database, rq or immediate"),
    ],
)
def test_a_task_backend_that_cannot_work_is_a_clear_error(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def python(script, **env):
    """Run ``script`` with ``python -c`` under the project's settings and ``env``."""
    settings = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **settings, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379 for the RQ backend")
def test_the_rq_backend_runs_tasks_in_an_rq_worker(tmp_path):
    env = {
        "TASKS_BACKEND": "rq",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    script = (
        "import django; django.setup();"
        "from tests.config.tasks_for_tests import add;"
        "result = add.enqueue(20, 22); print(result.id)"
    )
    enqueued = python(script, **env)
    assert enqueued.returncode == 0, enqueued.stderr
    task_id = enqueued.stdout.strip().splitlines()[-1]

    worker = manage("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default", **env)
    assert worker.returncode == 0, worker.stderr

    check = (
        "import django; django.setup();"
        "from tests.config.tasks_for_tests import add;"
        f"result = add.get_result({task_id!r}); print(result.status, result.return_value)"
    )
    finished = python(check, **env)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split()[-2:] == ["SUCCESSFUL", "42"]
