"""The desk's background tasks in the admin: their states, and a retry of the failed ones.

Tasks (web captures, watch checks, large imports; ``docs/tasks.md``) are stored by
``django-tasks-db`` whatever the backend runs them, and its admin lists them read-only. This one
adds the action that runs failed tasks again: the same task, arguments, queue and priority, as a
new task (the failed one stays, with its traceback). Editors see the list; retrying needs the
``django_tasks_database.change_dbtaskresult`` permission (moderators have it, see the migration).
"""

from django.contrib import admin, messages
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

RETRY_PERMISSION = "django_tasks_database.change_dbtaskresult"


def retry(result: DBTaskResult):
    """Enqueue ``result``'s task again with its arguments; return the new task's result."""
    task = result.task.using(queue_name=result.queue_name, priority=result.priority)
    return task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["retry_failed"]
    search_fields = ["task_path"]

    @admin.action(description="Run the selected failed tasks again", permissions=["retry"])
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=TaskResultStatus.FAILED))
        skipped = queryset.count() - len(failed)
        for result in failed:
            retry(result)
        if failed:
            self.message_user(
                request,
                ngettext("%d task was queued again.", "%d tasks were queued again.", len(failed)) % len(failed),
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d task was left alone: only failed tasks are run again.",
                    "%d tasks were left alone: only failed tasks are run again.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    def has_retry_permission(self, request):
        return request.user.has_perm(RETRY_PERMISSION)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
