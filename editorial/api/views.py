"""The API's views: read-only viewsets over published claims, sources and public claim sets; schema docs.

Anonymous and throttled (``REST_FRAMEWORK`` in the settings: ``AnonRateThrottle``); every viewset
is a ``ReadOnlyModelViewSet``, so writing methods answer 405. Filters are the public lists' own
(``editorial.api.filters``); a bad value is a 400 naming the parameter.
"""

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.response import Response

from editorial.api.filters import (
    ApiClaimFilter,
    ApiFilterBackend,
    ApiPagination,
    ApiSourceFilter,
    ClaimApiPagination,
)
from editorial.api.serializers import (
    ClaimSerializer,
    ClaimSetDetailSerializer,
    ClaimSetSerializer,
    SourceDetailSerializer,
    SourceSerializer,
    public_claim_sets,
    public_sources,
)
from editorial.filters import listed_entries
from editorial.models import Claim, ClaimSet
from editorial.public.caching import cached
from sources.models import Source


class VersionCachedReadsMixin:
    """Answers built once per version of the public record (``editorial.public.caching.cached``).

    The page cache does not keep the API's answers, since the throttle must see every request; the
    data of a list or a detail answer is kept here instead, after the throttle and the filters'
    validation ran (an invalid request raises, and nothing is kept). The key holds the scheme, the
    host (the answers' links are absolute) and the address with its query.
    """

    def list(self, request, *args, **kwargs):
        return self._cached_read("api-list", super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._cached_read("api-detail", super().retrieve, request, *args, **kwargs)

    def _cached_read(self, kind, read, request, *args, **kwargs):
        def build():
            response = read(request, *args, **kwargs)
            return response.status_code, response.data, list(response.items())

        address = f"{request.scheme}\n{request.get_host()}\n{request.get_full_path()}"
        status, data, headers = cached(kind, address, build)
        return Response(data, status=status, headers=dict(headers))


@extend_schema_view(
    list=extend_schema(
        summary="List published claims",
        description=(
            "Published and corrected claims, each as its approved public version, newest first. "
            "The filters are those of the public claim list (/claims/)."
        ),
    ),
    retrieve=extend_schema(
        summary="A published claim",
        description="404 unless the claim is published (or corrected); shows its approved public version.",
    ),
)
class ClaimViewSet(VersionCachedReadsMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ClaimSerializer
    filter_backends = [ApiFilterBackend]
    filterset_class = ApiClaimFilter
    pagination_class = ClaimApiPagination
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        # The list reads the public read model (its filters and order are indexed there); a claim is
        # rendered from its approved public_snapshot, so only the columns that reads are loaded.
        if self.action == "list":
            return listed_entries()
        return Claim.objects.published().only("pk", "slug", "status", "published_at", "public_snapshot")

    def filter_queryset(self, queryset):
        # The detail view looks the claim up by id only; the list's filters apply to the list.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        summary="List sources",
        description="Every source (sources are published documents), with its revisions but not their texts.",
    ),
    retrieve=extend_schema(
        summary="A source",
        description="A source with the texts of its revisions and the published claims citing it.",
    ),
)
class SourceViewSet(VersionCachedReadsMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [ApiFilterBackend]
    filterset_class = ApiSourceFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        sources = public_sources(Source.objects.all(), with_texts=self.action == "retrieve")
        return sources.order_by("-published_at", "-created_at", "-pk")

    def get_serializer_class(self):
        return SourceDetailSerializer if self.action == "retrieve" else SourceSerializer

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="List public claim sets", description="Curated sets a curator has made public."),
    retrieve=extend_schema(
        summary="A public claim set",
        description="404 unless the set is public; lists its published claims only, in the set's order.",
    ),
)
class ClaimSetViewSet(VersionCachedReadsMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = ApiPagination
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return public_claim_sets(ClaimSet.objects.public()).order_by("title", "pk")

    def get_serializer_class(self):
        return ClaimSetDetailSerializer if self.action == "retrieve" else ClaimSetSerializer


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI for the schema, its scripts and styles served by this site (no CDN).

    The assets come from drf-spectacular-sidecar's static files, whatever ``SPECTACULAR_SETTINGS``
    says, so the page works for readers offline or behind a network that blocks CDNs. Nothing is
    inline, as the Content-Security-Policy requires: the page's own set-up script is served by this
    view at ``?script`` (the "split" view) and its few styles come from ``css/api_docs.css``.
    """

    url_name = "api:schema"
    template_name = "editorial/api_docs.html"

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
