"""What the public views share: conditional answers, pagination, facets, the claims of a tag or a speaker."""

from django.db.models import Count
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from taggit.models import TaggedItem

from editorial.filters import DEFAULT_PAGE_SIZE
from editorial.models import Citation, Claim
from editorial.views.presenters import public_claims

# Sets ETag from the rendered page and answers If-None-Match / If-Modified-Since with 304.
conditional_page = decorator_from_middleware(ConditionalGetMiddleware)

FACET_SIZE = 15


class PaginatedMixin:
    """Pagination that never fails: a bad or too large ``?page=`` shows the nearest page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, orphans=0, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


def tag_facets(claims, limit=FACET_SIZE):
    """Return ``[{name, slug, count}]``: the tags of ``claims`` with how many carry each, one query."""
    return list(
        TaggedItem.objects.filter(
            content_type__app_label="editorial", content_type__model="claim", object_id__in=claims.values("pk")
        )
        .values("tag__name", "tag__slug")
        .annotate(count=Count("object_id"))
        .order_by("-count", "tag__name")[:limit]
    )


def speaker_facets(claims, limit=FACET_SIZE):
    return list(
        Claim.objects.filter(pk__in=claims.values("pk"), speaker__isnull=False)
        .values("speaker__name", "speaker__slug")
        .annotate(count=Count("pk"))
        .order_by("-count", "speaker__name")[:limit]
    )


def publisher_facets(claims, limit=FACET_SIZE):
    return list(
        Citation.objects.filter(claim__in=claims.values("pk"), revision__source__publisher__isnull=False)
        .values("revision__source__publisher__name", "revision__source__publisher__slug")
        .annotate(count=Count("claim_id", distinct=True))
        .order_by("-count", "revision__source__publisher__name")[:limit]
    )


def latest(*values):
    return max((value for value in values if value is not None), default=None)


def set_last_modified(response, moment):
    if moment is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(moment.timestamp())
    return response


def page_canonical(request, path, page_obj):
    """Return the absolute URL of ``path``, with ``?page=`` past the first page."""
    url = request.build_absolute_uri(path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


class ClaimsOfMixin(PaginatedMixin):
    """A paginated list of the published claims of one tag, speaker or publisher."""

    paginate_by = DEFAULT_PAGE_SIZE
    context_object_name = "claim_rows"

    def claims(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.claims().order_by("-published_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["claims"] = public_claims(context["object_list"])
        return context
