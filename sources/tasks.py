"""Web captures and watch passes as background tasks (``docs/tasks.md``).

The admin's *Capture from the web* queues one ``capture_url_task`` per address and answers at once;
``manage.py watch_sources`` (the scheduler) queues a ``watch_pass_task`` every ``--sleep`` seconds.
A worker runs them (``manage.py db_worker`` with the database backend, which ``make run`` starts).
Their results are what the admin's task list shows: a capture's line as the command prints it, a
pass's counts. A refused address is a result, not a failure: only an error (a crash, a database
that went away) fails a task, which a moderator can then run again.
"""

from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django_tasks import task

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
