"""Large uploads on the admin's *Import files* page: checked at once, imported by a background task.

An upload over ``IMPORT_TASK_THRESHOLD_BYTES`` would hold the request for as long as its import
takes (a claim-set JSON file of thousands of claims takes minutes), so it is looked at quickly
(``check_file``: size, text, format, a claim-set's JSON and problems), stored under ``imports/``
and queued (``sources.tasks.enqueue_import``). The page says so and links to the task in
*Background tasks*, whose result is the import's line. A file the quick look refuses is reported
at once and neither stored nor queued.
"""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django_tasks import TaskResultStatus
from django_tasks_db import DatabaseBackend

from sources.services import check_file, format_size
from sources.tasks import ImportRefused, enqueue_import


def queue_upload(request, uploaded, options):
    """Check ``uploaded`` and queue its import; return ``(level, message, failed)`` for the page.

    Where the backend ran the task at once (``TASKS_BACKEND=immediate``), its outcome is reported.
    """
    data = uploaded.read()
    uploaded.seek(0)
    problem = check_file(data=data, filename=uploaded.name, format=options["format"] or None, user=request.user)
    if problem:
        return messages.ERROR, f"{uploaded.name}: failed: {problem}", True
    result = enqueue_import(
        uploaded,
        user=request.user,
        format=options["format"],
        publisher=options["publisher"],
        dry_run=options["dry_run"],
    )
    if result.status == TaskResultStatus.SUCCESSFUL:
        return _finished(result.return_value)
    if result.status == TaskResultStatus.FAILED:
        return messages.ERROR, _refusal(result) or f"{uploaded.name}: failed: the import task failed", True
    if isinstance(result.task.get_backend(), DatabaseBackend):
        url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id])
    else:
        url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    message = format_html(
        '{}: queued: at {} it is imported in the background. <a href="{}">Follow the import in Background tasks</a>.',
        uploaded.name,
        format_size(uploaded.size),
        url,
    )
    return messages.INFO, message, False


def _finished(value):
    text = value["line"] + (f" Warnings: {'; '.join(value['warnings'])}" if value["warnings"] else "")
    level = messages.WARNING if value["warnings"] else messages.SUCCESS
    if value["source_id"] is None or value["dry_run"]:
        return level, text, False
    url = reverse("admin:sources_source_change", args=[value["source_id"]])
    return level, format_html('{} <a href="{}">Open the source</a>', text, url), False


def _refusal(result):
    """Return the import's line from a failed task's ``ImportRefused``, or ``""`` for another error."""
    refused = f"{ImportRefused.__module__}.{ImportRefused.__qualname__}"
    for error in result.errors:
        if error.exception_class_path == refused:
            last = error.traceback.strip().splitlines()[-1]
            return last.partition(": ")[2]
    return ""
