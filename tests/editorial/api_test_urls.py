"""The site's urlconf with the API under ``/api/``, for the API tests.

Until ``config/urls.py`` includes ``editorial.api.urls`` itself, the API tests run against this;
once it does, this is the site's urlconf unchanged.
"""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

API_INCLUDED = any(getattr(pattern, "namespace", None) == "api" for pattern in site_urlpatterns)

urlpatterns = [*site_urlpatterns]
if not API_INCLUDED:
    urlpatterns.append(path("api/", include("editorial.api.urls")))
