"""The pages the editorial admin adds to Django's: URLs behind the site's login, views in the admin's frame.

Each takes the ``ModelAdmin`` the page belongs to, as Django's own admin actions do.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path


def admin_url(model_admin, route, view, name):
    """Return a URL pattern for ``view`` behind the admin site's login, named ``<app>_<model>_<name>``.

    ``route`` is relative to the model's admin pages, like Django's own ``<path:object_id>/change/``.
    """
    opts = model_admin.opts
    return path(route, model_admin.admin_site.admin_view(view), name=f"{opts.app_label}_{opts.model_name}_{name}")


def admin_page(model_admin, request, template, context):
    """Render ``template`` in the admin's frame (the site's context, the model's options, the admin's media).

    ``context`` comes last, so it may override any of those.
    """
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "media": model_admin.media,
            **context,
        },
    )


def viewable_object(model_admin, request, object_id):
    """Return the object ``object_id`` (quoted as in admin URLs) names, for a user who may view or change it.

    Raise ``Http404`` ("No such <verbose name>.", e.g. "No such claim set.") when there is none, and
    ``PermissionDenied`` when the user may neither view nor change it.
    """
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(f"No such {model_admin.opts.verbose_name}.")
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    return obj
