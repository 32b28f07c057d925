"""Sources' public pages: the list, a source with its newest text and the passages published claims
quote from it highlighted, each captured revision, and the changes between revisions.
"""

from collections import Counter

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from editorial import highlight
from editorial.filters import SourceFilter
from editorial.models import Citation, Claim
from editorial.views.mixins import FilteredListMixin, latest, set_last_modified
from editorial.views.presenters import public_claims
from sources.diffs import diff_texts
from sources.history import metadata_changes
from sources.models import Byline, Source


def _sources_with_bylines(queryset):
    return queryset.select_related("publisher").prefetch_related(
        Prefetch(
            "bylines", queryset=Byline.objects.select_related("author").order_by("position"), to_attr="public_bylines"
        )
    )


class SourceListView(FilteredListMixin, FilterView):
    filterset_class = SourceFilter
    template_name = "sources/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return _sources_with_bylines(Source.objects.defer("notes")).order_by("-published_at", "-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        context["result_count"] = paginator.count if paginator else len(context["object_list"])
        return context


def published_citations_of(source, claims=None):
    """Return ``[(PublicClaim, PublicCitation)]`` for every published claim's citation of ``source``.

    Read from the approved versions: a claim whose approved version cites the source, and only the
    citations in that version. Two queries plus those of ``public_claims``.
    """
    claims = Claim.objects.published() if claims is None else claims
    citing = claims.citing_source(source.pk)
    items = public_claims(citing)
    live = {}
    if items:
        stored = Citation.objects.filter(claim__in=[item.claim.pk for item in items], revision__source=source).only(
            "claim_id",
            "revision_id",
            "start",
            "end",
            "anchor_state",
            "anchored_revision_id",
            "anchored_start",
            "anchored_end",
            "modified_at",
        )
        live = {(c.claim_id, c.revision_id, c.start, c.end): c for c in stored}
    pairs = []
    for item in items:
        for citation in item.citations:
            if citation.source_id == source.pk:
                citation.live = live.get((item.claim.pk, citation.revision_id, citation.start, citation.end))
                pairs.append((item, citation))
    return pairs


def _spans_for(revision, pairs, *, newest):
    """Return the highlight spans of ``pairs`` in ``revision``'s text.

    A citation of this very revision uses its offsets. On the newest revision, a citation of an
    older one uses where re-anchoring found its passage (exact or fuzzy), if it did.
    """
    spans = []
    for item, citation in pairs:
        title = f"{item.speaker_name}: {item.statement}" if item.speaker_name else item.statement
        if citation.revision_id == revision.pk:
            if revision.text[citation.start : citation.end] == citation.excerpt:
                spans.append(highlight.Span(citation.start, citation.end, item.url, title))
        elif newest and citation.live is not None and citation.live.anchored_revision_id == revision.pk:
            live = citation.live
            if live.anchored_start is not None and live.anchored_end is not None:
                spans.append(highlight.Span(live.anchored_start, live.anchored_end, item.url, title))
    return spans


class SourceDetailView(DetailView):
    """``/sources/<slug>/``: a source's metadata, revisions, and newest text with published excerpts."""

    template_name = "sources/source_detail.html"
    context_object_name = "source"

    def get_queryset(self):
        return _sources_with_bylines(Source.objects.select_related("current_revision").defer("notes"))

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return set_last_modified(response, self.last_modified)

    def get_context_data(self, **kwargs):
        source = self.object
        revisions = list(source.revisions.defer("text", "original").select_related("capture").order_by("number"))
        revision = source.current_revision
        pairs = published_citations_of(source)
        spans = _spans_for(revision, pairs, newest=True) if revision else []
        claims, seen = [], set()
        for item, _citation in pairs:
            if item.claim.pk not in seen:
                seen.add(item.claim.pk)
                claims.append(item)
        record_changes = metadata_changes([source.pk])[source.pk]
        self.last_modified = latest(
            source.modified_at,
            *(r.captured_at for r in revisions),
            *(item.claim.modified_at for item in claims),
            *(c.live.modified_at for _, c in pairs if c.live),
        )
        return super().get_context_data(
            revision=revision,
            revisions=revisions,
            text_html=highlight.highlight_text(revision.text, spans) if revision else "",
            citing_claims=claims,
            highlighted_count=len(spans),
            unplaced=[c for _, c in pairs if c.revision_id != getattr(revision, "pk", None)],
            record_changes=record_changes[::-1],
            **kwargs,
        )


def _source_and_revision(slug, number):
    source = get_object_or_404(_sources_with_bylines(Source.objects.defer("notes")), slug=slug)
    revision = get_object_or_404(source.revisions.defer("original"), number=number)
    return source, revision


@method_decorator(require_GET, name="dispatch")
class RevisionDetailView(TemplateView):
    """``/sources/<slug>/revisions/<n>/``: the text of one captured revision, published excerpts marked."""

    template_name = "sources/revision_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return response

    def get_context_data(self, **kwargs):
        source, revision = _source_and_revision(self.kwargs["slug"], self.kwargs["number"])
        pairs = published_citations_of(source)
        newest = source.current_revision_id == revision.pk
        spans = _spans_for(revision, pairs, newest=newest)
        return super().get_context_data(
            source=source,
            revision=revision,
            is_current=newest,
            revision_count=source.revisions.count(),
            text_html=highlight.highlight_text(revision.text, spans),
            highlighted_count=len(spans),
            **kwargs,
        )


@method_decorator(require_GET, name="dispatch")
class RevisionDiffView(TemplateView):
    """``/sources/<slug>/diff/<n>/``: what changed from revision n-1 to revision n."""

    template_name = "sources/revision_diff.html"

    def get_context_data(self, **kwargs):
        source, revision = _source_and_revision(self.kwargs["slug"], self.kwargs["number"])
        previous = source.revisions.defer("original").filter(number=revision.number - 1).first()
        if previous is None:
            raise Http404("The first revision has nothing to compare with.")
        paragraphs = diff_texts(previous.text, revision.text)
        changed = Counter(paragraph.status for paragraph in paragraphs)
        return super().get_context_data(
            source=source,
            revision=revision,
            previous=previous,
            paragraphs=paragraphs,
            changed=changed,
            **kwargs,
        )
