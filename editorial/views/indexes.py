"""``/tags/``, ``/speakers/`` and ``/publishers/``: every public one, by name, with its claims counted.

What is listed and counted comes from the public read model: a tag or speaker appears once a listed
claim's approved version carries it; a publisher once a source of theirs is on record (sources are
public documents), counted by the listed claims citing their sources. A ``?q=`` narrows by name.
A page of 100 rows costs the same whatever the record's size: the counts are the read model's
counters (``editorial.public.counters``), read for that page's rows only.
"""

from django.db.models import Exists, OuterRef
from django.views.generic import ListView

from editorial.filters import public_speakers, public_tags
from editorial.models import PublicFacet
from editorial.search import MAX_QUERY_LENGTH
from editorial.views.mixins import PaginatedMixin
from sources.models import Publisher, Source

INDEX_PAGE_SIZE = 100


class IndexView(PaginatedMixin, ListView):
    """One index page: ``rows()`` narrowed by ``?q=``, ordered by name, each with ``count``."""

    template_name = "editorial/index_list.html"
    paginate_by = INDEX_PAGE_SIZE
    context_object_name = "rows"
    title = ""
    noun = ""
    name_field = "name"
    detail_url = ""

    def rows(self):
        raise NotImplementedError

    kind = None  # the PublicFacet kind counting this index's rows

    def counts(self, ids):
        """Return ``{pk: listed claims}`` for the rows ``ids``, from the counters."""
        rows = PublicFacet.objects.filter(
            scope_kind=PublicFacet.Kind.TOTAL, scope_id=0, kind=self.kind, item_id__in=ids
        )
        return dict(rows.values_list("item_id", "count"))

    def query(self):
        return " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]

    def get_queryset(self):
        rows = self.rows()
        if self.query():
            rows = rows.filter(**{f"{self.name_field}__icontains": self.query()})
        return rows.order_by(self.name_field, "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = [row.pk for row in context["rows"]]
        counts = self.counts(ids)
        for row in context["rows"]:
            row.claim_count = counts.get(row.pk, 0)
        context.update(title=self.title, noun=self.noun, query=self.query(), detail_url=self.detail_url)
        return context


class TagIndexView(IndexView):
    title, noun, detail_url, kind = "Tags", "tag", "public:tag_detail", PublicFacet.Kind.TAG

    def rows(self):
        return public_tags()


class SpeakerIndexView(IndexView):
    title, noun, detail_url, kind = "Speakers", "speaker", "public:speaker_detail", PublicFacet.Kind.SPEAKER

    def rows(self):
        return public_speakers()


class PublisherIndexView(IndexView):
    title, noun, detail_url, kind = "Publishers", "publisher", "public:publisher_detail", PublicFacet.Kind.PUBLISHER

    def rows(self):
        return Publisher.objects.filter(Exists(Source.objects.filter(publisher=OuterRef("pk"))))
