"""The root URLconf: the admin, robots.txt, the favicon, the sitemap, the API under ``/api/`` and the public pages."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config.views import favicon
from editorial import views
from editorial.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "editorial/sitemap.xml"},
        name="sitemap",
    ),
    path("api/", include("editorial.api.urls")),
    path("", include("sources.urls")),
    path("", include("editorial.public_urls")),
]
