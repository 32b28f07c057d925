from django.contrib.admin.apps import AdminConfig


class EditorialAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the branded site of ``config.admin`` as ``admin.site``."""

    default_site = "config.admin.EditorialAdminSite"
