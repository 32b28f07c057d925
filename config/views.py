"""Site-wide answers that belong to no app: the favicon at the address browsers ask for."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

# A day: the redirect points at a hashed file name, which changes when the icon does.
FAVICON_REDIRECT_MAX_AGE = 24 * 60 * 60


@require_safe
def favicon(request):
    """``/favicon.ico``: redirect to the static icon, which the pages also link to.

    Browsers request ``/favicon.ico`` from every site, and from pages (the admin, the API's
    documentation, a file opened from an export) that carry no ``<link rel="icon">``. The
    redirect is temporary so that a new icon (with a new hashed name) is picked up.
    """
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=FAVICON_REDIRECT_MAX_AGE)
    return response
