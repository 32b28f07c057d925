from django.contrib.admin.apps import AdminConfig
from django_tasks_db.apps import TasksAppConfig


class EditorialAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the branded site of ``config.admin`` as ``admin.site``."""

    default_site = "config.admin.EditorialAdminSite"


class BackgroundTasksConfig(TasksAppConfig):
    """``django_tasks_db`` (the background tasks' table), named for the desk in the admin."""

    verbose_name = "Background tasks"
