"""Web captures, watch passes and large imports as background tasks (``docs/tasks.md``).

The admin's *Capture from the web* queues one ``capture_url_task`` per address and answers at once;
``manage.py watch_sources`` (the scheduler) queues a ``watch_pass_task`` every ``--sleep`` seconds;
the admin's *Import files* stores an upload over ``IMPORT_TASK_THRESHOLD_BYTES`` and queues an
``import_file_task`` for it (``enqueue_import``). A worker runs them (``manage.py db_worker`` with
the database backend, which ``make run`` starts). Their results are what the admin's task list
shows: a capture's line as the command prints it, a pass's counts, an import's line. A refused
address is a result, not a failure: only an error (a crash, a database that went away) fails a
capture or a pass. A refused file fails its import task (``ImportRefused``, with the import's line
naming the file and the problem), so that the list shows it as failed; its upload is kept, and a
moderator can run it again (once the user may import it, say).
"""

import uuid
from collections import Counter
from datetime import timedelta
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from sources.services.imports import import_file
from sources.services.web import capture_url, watch_pass

# One watch pass at a time: a pass that finds another running stops at once (the lock expires
# after WATCH_LOCK_SECONDS should a worker die holding it).
WATCH_LOCK = "sources:watch-pass-running"
WATCH_LOCK_SECONDS = 3600


@task
def capture_url_task(url, *, user_id=None, watch=None, interval_seconds=None):
    """Capture ``url`` as ``capture_url`` does; return what happened, as the admin shows it."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    interval = timedelta(seconds=interval_seconds) if interval_seconds else None
    outcome = capture_url(url, user=user, watch=watch, interval=interval)
    return {
        "url": url,
        "status": outcome.status,
        "line": str(outcome),
        "source_id": outcome.source.pk if outcome.source is not None else None,
        "warnings": list(outcome.warnings),
    }


@task
def watch_pass_task(every=False):
    """Check the watched sources that are due (every watched one with ``every``); return the counts."""
    if not cache.add(WATCH_LOCK, True, WATCH_LOCK_SECONDS):
        return {"skipped": "another watch pass is running"}
    try:
        return dict(Counter(outcome.status for _, outcome in watch_pass(every=every)))
    finally:
        cache.delete(WATCH_LOCK)


class ImportRefused(Exception):
    """A queued import whose file was refused; the message is the import's line (file, then why)."""


def enqueue_import(uploaded, *, user=None, format="", publisher="", dry_run=False):
    """Store ``uploaded`` (a Django ``File``) under ``imports/`` and queue its import; return the task's result.

    The stored name is made up (the upload's own name is passed to the task, for its messages), so
    that no upload can choose where it is written.
    """
    suffix = PurePath(uploaded.name).suffix.lower()[:16]
    name = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}", uploaded)
    return import_file_task.enqueue(
        name,
        filename=uploaded.name,
        format=format or "",
        user_id=user.pk if user is not None else None,
        publisher=publisher,
        dry_run=dry_run,
    )


@task
def import_file_task(stored_name, *, filename, format="", user_id=None, publisher="", dry_run=False):
    """Import the upload stored as ``stored_name`` as ``import_file`` does; return its line and counts.

    Raises ``ImportRefused`` when the file is refused (the import wrote nothing: each file is
    imported in one transaction), keeping the upload for a retry; a finished import deletes it.
    """
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with default_storage.open(stored_name, "rb") as stored:
        data = stored.read()
    outcome = import_file(
        data=data, filename=filename, format=format or None, user=user, publisher=publisher, dry_run=dry_run
    )
    if outcome.failed:
        raise ImportRefused(str(outcome))
    default_storage.delete(stored_name)
    return {
        "filename": outcome.filename,
        "status": outcome.status,
        "line": str(outcome),
        "detail": outcome.detail,
        "source_id": outcome.source.pk if outcome.source is not None and outcome.source.pk else None,
        "warnings": list(outcome.warnings),
        "dry_run": dry_run,
    }
