"""What the public views share: conditional answers, pagination, facets, the claims of a tag or a speaker.

Lists read the public read model (``PublicEntry``) through its indexes; their totals and facet
counts are cached per version of the public record (``editorial.public.caching``).
"""

import hashlib

from django.db.models import Count
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date

from editorial.filters import DEFAULT_PAGE_SIZE, ORDERINGS, among, listed_entries
from editorial.models import PublicEntry, PublicEntrySource, PublicEntryTag, PublicFacet
from editorial.public import counters
from editorial.public.caching import DepthLimitedPaginator, cached, query_key
from editorial.views.cards import claim_cards
from editorial.views.presenters import entry_claims

# Sets ETag from the rendered page and answers If-None-Match / If-Modified-Since with 304.
conditional_page = decorator_from_middleware(ConditionalGetMiddleware)

FACET_SIZE = 15


class PaginatedMixin:
    """Pagination that never fails: a bad or too large ``?page=`` shows the nearest page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, orphans=0, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class FilteredListMixin(PaginatedMixin):
    """A public list behind a filter set: always bound (the default order applies), paginated by
    its ``page_size``, and answered with 400 when a filter does not validate.
    """

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET
        return kwargs

    def get_paginate_by(self, queryset):
        return self.filterset.get_page_size() if self.filterset.is_valid() else DEFAULT_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response


# Facets count what the approved versions say (the public read model), one query each; callers cache them.


def _of(rows, entries, ids, column):
    """Narrow ``rows`` to the entries listed: those of ``entries``, or of ``ids`` when given."""
    if ids is not None:
        return among(rows, ids, column)
    return rows.filter(**{f"{column}__in": entries.values("claim_id")})


def tag_facets(entries, limit=FACET_SIZE, ids=None):
    """Return ``[{tag__name, tag__slug, count}]``: the tags of ``entries`` (or of the entries ``ids``)
    with how many carry each.
    """
    return list(
        _of(PublicEntryTag.objects.all(), entries, ids, "entry_id")
        .values("tag__name", "tag__slug")
        .annotate(count=Count("entry_id"))
        .order_by("-count", "tag__name")[:limit]
    )


def speaker_facets(entries, limit=FACET_SIZE, ids=None):
    """Return ``[{speaker__name, speaker__slug, count}]`` for ``entries``' approved speakers."""
    return list(
        _of(PublicEntry.objects.filter(speaker__isnull=False), entries, ids, "claim_id")
        .values("speaker__name", "speaker__slug")
        .annotate(count=Count("claim_id"))
        .order_by("-count", "speaker__name")[:limit]
    )


def publisher_facets(entries, limit=FACET_SIZE, ids=None):
    """Return the publishers of the sources ``entries``' approved versions cite, with claim counts.

    The keys keep the names the list template reads (``revision__source__publisher__…``).
    """
    rows = (
        _of(PublicEntrySource.objects.filter(source__publisher__isnull=False), entries, ids, "entry_id")
        .values("source__publisher__name", "source__publisher__slug")
        .annotate(count=Count("entry_id", distinct=True))
        .order_by("-count", "source__publisher__name")[:limit]
    )
    return [
        {
            "revision__source__publisher__name": row["source__publisher__name"],
            "revision__source__publisher__slug": row["source__publisher__slug"],
            "count": row["count"],
        }
        for row in rows
    ]


def counted_facets(limit=FACET_SIZE, scope=counters.EVERYTHING, *, with_total=False):
    """Return the facets of ``scope`` (the unfiltered list, or the claims of one tag, speaker or
    publisher) from the counters (``editorial.public.counters``), shaped as the facet functions shape
    theirs; with ``with_total``, also ``total``, the scope's count. One indexed read whatever the
    record's size.
    """
    spare = limit + 50  # ties at the edge are ordered by name, as the facet queries order them
    total, top = counters.summary(spare, scope)

    def ranked(kind, name, slug):
        rows = [{name: row_name, slug: row_slug, "count": count} for _, row_name, row_slug, count in top[kind]]
        return sorted(rows, key=lambda row: (-row["count"], row[name]))[:limit]

    facets = {
        "tags": ranked(PublicFacet.Kind.TAG, "tag__name", "tag__slug"),
        "speakers": ranked(PublicFacet.Kind.SPEAKER, "speaker__name", "speaker__slug"),
        "publishers": ranked(
            PublicFacet.Kind.PUBLISHER, "revision__source__publisher__name", "revision__source__publisher__slug"
        ),
    }
    return {"total": total, **facets} if with_total else facets


def list_summary(entries, *, scope=None, ids=None):
    """Return a list's total and facets: for a list the counters keep (``scope``: the whole list, or
    the claims of one tag, speaker or publisher) from them; for any other computed once per version
    of the public record (one cache entry), over ``ids`` when the list is a search's window of them.
    """
    if scope is not None:
        return counted_facets(scope=scope, with_total=True)
    if ids is not None:
        key = "ids:" + hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    else:
        key = query_key(entries)
    return cached(
        "list",
        key,
        lambda: {
            "total": entries.count() if ids is None else len(ids),
            "tags": tag_facets(entries, ids=ids),
            "speakers": speaker_facets(entries, ids=ids),
            "publishers": publisher_facets(entries, ids=ids),
        },
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
    """A paginated list of the published claims of one tag, speaker or publisher (read-model entries)."""

    paginate_by = DEFAULT_PAGE_SIZE
    paginator_class = DepthLimitedPaginator
    context_object_name = "claim_rows"

    def entries(self, listed):
        """Return ``listed`` (the read model's listed entries) narrowed to this page's subject."""
        raise NotImplementedError

    def scope(self):
        """Return this page's subject as a counters' scope (``editorial.public.counters``)."""
        raise NotImplementedError

    def get_queryset(self):
        return self.entries(listed_entries()).order_by(*ORDERINGS["newest"])

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=0, allow_empty_first_page=True, total=counters.total(self.scope())
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["claims"] = entry_claims(context["object_list"])
        context["cards"] = claim_cards(context["claims"])
        return context
