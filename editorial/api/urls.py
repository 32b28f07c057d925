"""The read-only API (namespace ``api``); included under ``/api/`` by ``config/urls.py``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from editorial.api import views

app_name = "api"

router = SimpleRouter()
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("sources", views.SourceViewSet, basename="source")
router.register("sets", views.ClaimSetViewSet, basename="claimset")

urlpatterns = [
    path("", include(router.urls)),
    # The OpenAPI 3 schema: YAML by default, JSON with ?format=json.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.ApiDocsView.as_view(), name="docs"),
]
