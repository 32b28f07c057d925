"""The editors' admin site: Django's own with the desk's branding.

``config.apps.EditorialAdminConfig`` makes it the default site, so ``django.contrib.admin.site`` and
``@admin.register`` everywhere use it.
"""

from django.contrib import admin


class EditorialAdminSite(admin.AdminSite):
    site_header = "Editorial desk"
    site_title = "Editorial desk"
    index_title = "Sources, claims and moderation"
    # The index links moderators to the moderation queue.
    index_template = "admin/editorial/index.html"
