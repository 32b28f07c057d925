"""``/tags/``, ``/speakers/`` and ``/publishers/``: every public one, by name, with its claims counted.

What is listed and counted comes from the public read model: a tag or speaker appears once a listed
claim's approved version carries it; a publisher once a source of theirs is on record (sources are
public documents), counted by the listed claims citing their sources. A ``?q=`` narrows by name.
A page of 100 rows costs the same whatever the record's size: the counts are computed for that
page's rows only, once per version of the public record (``editorial.public.caching``).
"""

from django.db.models import Count, Exists, OuterRef
from django.views.generic import ListView

from editorial.filters import public_speakers, public_tags
from editorial.models import PublicEntry, PublicEntrySource, PublicEntryTag
from editorial.public.caching import cached
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

    def counts(self, ids):
        """Return ``{pk: listed claims}`` for the rows ``ids``."""
        raise NotImplementedError

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
        counts = cached(f"{self.noun}-index", ",".join(map(str, ids)), lambda: self.counts(ids))
        for row in context["rows"]:
            row.claim_count = counts.get(row.pk, 0)
        context.update(title=self.title, noun=self.noun, query=self.query(), detail_url=self.detail_url)
        return context


class TagIndexView(IndexView):
    title, noun, detail_url = "Tags", "tag", "public:tag_detail"

    def rows(self):
        return public_tags()

    def counts(self, ids):
        rows = PublicEntryTag.objects.filter(tag_id__in=ids, entry__listed=True).values("tag_id")
        return dict(rows.annotate(count=Count("entry_id")).values_list("tag_id", "count"))


class SpeakerIndexView(IndexView):
    title, noun, detail_url = "Speakers", "speaker", "public:speaker_detail"

    def rows(self):
        return public_speakers()

    def counts(self, ids):
        rows = PublicEntry.objects.filter(speaker_id__in=ids, listed=True).values("speaker_id")
        return dict(rows.annotate(count=Count("claim_id")).values_list("speaker_id", "count"))


class PublisherIndexView(IndexView):
    title, noun, detail_url = "Publishers", "publisher", "public:publisher_detail"

    def rows(self):
        return Publisher.objects.filter(Exists(Source.objects.filter(publisher=OuterRef("pk"))))

    def counts(self, ids):
        rows = PublicEntrySource.objects.filter(source__publisher_id__in=ids, entry__listed=True)
        rows = rows.values("source__publisher_id").annotate(count=Count("entry_id", distinct=True))
        return dict(rows.values_list("source__publisher_id", "count"))
