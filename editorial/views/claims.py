"""The claims' public pages: home, the list with filters and facets, a claim's page, and the
published claims of a tag, a speaker or a publisher.
"""

import logging

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from editorial.exports import schemaorg
from editorial.exports.records import site_url
from editorial.filters import (
    ORDERINGS,
    SEARCH_WINDOW,
    ClaimFilter,
    citing,
    listed_entries,
    public_speakers,
    public_tags,
    with_tag,
)
from editorial.models import Claim, ClaimRelation, ClaimSet, ModerationEvent, PublicFacet
from editorial.public.caching import LIST_DEPTH, DepthLimitedPaginator
from editorial.public.search import search_headlines
from editorial.public.version import PublicVersion
from editorial.similarity import similar_to_claim
from editorial.views.cards import claim_cards
from editorial.views.exports import export_links
from editorial.views.mixins import (
    ClaimsOfMixin,
    FilteredListMixin,
    counted_facets,
    latest,
    list_summary,
    set_last_modified,
)
from editorial.views.presenters import can_preview, claim_record, entry_claims, public_claims
from sources.history import changed_fields_since, metadata_changes
from sources.models import Publisher

logger = logging.getLogger(__name__)

RECENT_CLAIMS = 10
# How many claims found by their wording a claim's page lists, apart from the relations editors made.
SIMILAR_CLAIMS = 5
RECENT_SETS = 5
POPULAR_TAGS = 20
# How a relation reads from the claim it points at ("this claim is contradicted by …").
INCOMING_LABELS = {
    "supports": "Supported by",
    "contradicts": "Contradicted by",
    "updates": "Updated by",
    "duplicates": "Duplicated by",
}


class HomeView(TemplateView):
    template_name = "editorial/home.html"

    def get_context_data(self, **kwargs):
        listed = listed_entries()
        recent = listed.order_by(*ORDERINGS["newest"])[:RECENT_CLAIMS]
        return super().get_context_data(
            cards=claim_cards(entry_claims(recent), level=3),
            claim_sets=ClaimSet.objects.public().with_published_count().order_by("-created_at", "-pk")[:RECENT_SETS],
            popular_tags=counted_facets(limit=POPULAR_TAGS)["tags"],
            **kwargs,
        )


class ClaimListView(FilteredListMixin, FilterView):
    """``/claims/``: the published claims, filtered, searched, ordered, paginated, with facets."""

    filterset_class = ClaimFilter
    paginator_class = DepthLimitedPaginator
    template_name = "editorial/claim_list.html"
    context_object_name = "claim_rows"

    def get_queryset(self):
        return listed_entries()

    def paginate_queryset(self, queryset, page_size):
        # The total and the facets in one cache entry per version of the public record.
        valid = self.filterset.is_valid()
        self.summary = None
        if valid:
            scope = self.filterset.counted_scope()
            self.summary = list_summary(queryset, scope=scope, ids=None if scope else self.filterset.window)
        total = self.summary["total"] if self.summary else 0
        paginator = self.get_paginator(queryset, page_size, orphans=0, allow_empty_first_page=True, total=total)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        searching = self.filterset.is_searching()
        claims = entry_claims(context["object_list"])
        if searching:
            headlines = search_headlines([item.claim.pk for item in claims], self.filterset.form.cleaned_data["q"])
            for item in claims:
                item.statement_html, item.excerpt_html = headlines.get(item.claim.pk, ("", ""))
        paginator = context.get("paginator")
        total = paginator.total if paginator else len(claims)
        context.update(
            claims=claims,
            cards=claim_cards(claims),
            searching=searching,
            search_window=SEARCH_WINDOW,
            search_capped=searching and total >= SEARCH_WINDOW,
            list_depth=LIST_DEPTH,
            list_truncated=bool(paginator and paginator.truncated),
            facets={
                "tags": self.summary["tags"] if valid else [],
                "speakers": self.summary["speakers"] if valid else [],
                "publishers": self.summary["publishers"] if valid else [],
            },
            selected_tags=set(self.request.GET.getlist("tag")),
            export_links=export_links(self.request) if valid else [],
            result_count=total,
        )
        return context


class ClaimDetailView(DetailView):
    """``/claims/<id>/<slug>/``: a claim's public version with its citations, notices and relations, and
    the listed claims worded like it (``similar_listed_claims``), apart from the relations editors made.
    """

    template_name = "editorial/claim_detail.html"
    context_object_name = "claim"

    def get_object(self, queryset=None):
        pk = self.kwargs["pk"]
        claim = Claim.objects.publicly_visible().select_related("speaker").filter(pk=pk).first()
        self.preview = False
        if claim is None or (self.request.GET.get("preview") and can_preview(self.request.user)):
            if not can_preview(self.request.user):
                raise Http404("No public claim has this address.")
            claim = get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)
            self.preview = True
        return claim

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.kwargs.get("slug") != self.object.slug:
            url = self.object.get_absolute_url()
            if request.GET:
                url += "?" + request.GET.urlencode()
            return HttpResponsePermanentRedirect(url)
        context = self.get_context_data(object=self.object)
        response = self.render_to_response(context)
        if self.preview:
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        else:
            response["Cache-Control"] = "public, max-age=0, must-revalidate"
            set_last_modified(response, context["last_modified"])
        return response

    def json_ld(self, item):
        """The schema.org document of the page: the same builder as the JSON-LD export."""
        base_url = site_url(self.request)
        return schemaorg.page_document(claim_record(item, base_url=base_url), base_url=base_url)

    def get_context_data(self, **kwargs):
        claim = self.object
        (item,) = public_claims([claim], preview=self.preview, with_texts=True)
        if not self.preview and item.approved_at:
            # Sources are not moderated: say which provenance details were edited after approval.
            changes = metadata_changes({c.source_id for c in item.citations if c.source})
            for citation in item.citations:
                citation.metadata_changed = changed_fields_since(changes.get(citation.source_id, []), item.approved_at)
        events = list(
            claim.moderation_events.filter(
                action__in=[
                    ModerationEvent.Action.PUBLISH,
                    ModerationEvent.Action.CORRECT,
                    ModerationEvent.Action.RETRACT,
                    ModerationEvent.Action.RESTORE,
                ]
            ).order_by("at", "pk")
        )
        published = listed_entries().values("claim_id")
        outgoing = list(
            ClaimRelation.objects.filter(from_claim=claim, to_claim__in=published)
            .select_related("to_claim")
            .order_by("kind", "pk")
        )
        incoming = list(
            ClaimRelation.objects.filter(to_claim=claim, from_claim__in=published)
            .select_related("from_claim")
            .order_by("kind", "pk")
        )
        related_ids = {relation.to_claim_id for relation in outgoing} | {
            relation.from_claim_id for relation in incoming
        }
        similar = similar_listed_claims(claim, leave_out=related_ids | {claim.pk})
        # One call for both lists: the page's query count stays the same whatever their length.
        related_claims = public_claims(
            [relation.to_claim for relation in outgoing] + [relation.from_claim for relation in incoming] + similar
        )
        by_claim = {related.claim.pk: related for related in related_claims}
        relations = [
            {"label": relation.get_kind_display(), "claim": by_claim.get(relation.to_claim_id), "note": relation.note}
            for relation in outgoing
        ] + [
            {
                "label": INCOMING_LABELS.get(relation.kind, relation.get_kind_display()),
                "claim": by_claim.get(relation.from_claim_id),
                "note": relation.note,
            }
            for relation in incoming
        ]
        relations = [relation for relation in relations if relation["claim"] is not None]
        canonical = self.request.build_absolute_uri(claim.get_absolute_url())
        last_modified = latest(
            claim.modified_at,
            item.speaker.modified_at if item.speaker else None,
            *(event.at for event in events),
            *(c.live.modified_at for c in item.citations if c.live),
            *(c.live.anchor_checked_at for c in item.citations if c.live),
            *(c.source.modified_at for c in item.citations if c.source),
            *(related.claim.modified_at for related in related_claims),
        )
        return super().get_context_data(
            item=item,
            preview=self.preview,
            notices=correction_notices(events),
            relations=relations,
            similar_claims=[by_claim[similar_claim.pk] for similar_claim in similar if similar_claim.pk in by_claim],
            canonical_url=canonical,
            jsonld=None if self.preview else self.json_ld(item),
            last_modified=last_modified,
            public_url=claim.get_absolute_url() if self.preview and claim.is_publicly_visible() else "",
            **kwargs,
        )


def similar_listed_claims(claim, *, leave_out):
    """Return up to ``SIMILAR_CLAIMS`` listed claims worded like ``claim``, closest first, other than ``leave_out``.

    Found in the public read model alone (approved statements of listed claims), so an editor's
    unapproved edit or a draft never shows, and the list changes only with the public record's
    version, which keys the page's caches. The list is the page's least part: a failure of the
    similarity service is logged and leaves it empty rather than failing the page.
    """
    try:
        found = similar_to_claim(claim, public=True, limit=SIMILAR_CLAIMS + len(leave_out))
    except Exception:
        logger.exception("Similar claims of claim %s could not be looked up", claim.pk)
        return []
    ids = [item.claim_id for item in found if item.claim_id not in leave_out][:SIMILAR_CLAIMS]
    if not ids:
        return []
    claims = (
        Claim.objects.filter(pk__in=listed_entries().filter(claim_id__in=ids).values("claim_id"))
        .only("pk", "slug", "status", "created_at", "modified_at", "published_at", "public_snapshot")
        .in_bulk()
    )
    return [claims[pk] for pk in ids if pk in claims]


def correction_notices(events):
    """Return the corrections and retraction readers are told about (``Claim.public_notices()``), oldest
    first, each with what changed from the version approved before it.
    """
    notices, previous = [], None
    for event in events:
        version = PublicVersion.from_snapshot(event.public_version)
        if event.action in (ModerationEvent.Action.CORRECT, ModerationEvent.Action.RETRACT):
            notices.append({"event": event, "changes": version.changes_from(previous) if version else []})
        if version is not None:
            previous = version
    return notices


@require_GET
def claim_redirect(request, pk):
    """``/claims/<id>/``: send readers to the canonical address with the slug."""
    claim = Claim.objects.publicly_visible().filter(pk=pk).only("pk", "slug").first()
    if claim is None and can_preview(request.user):
        claim = Claim.objects.filter(pk=pk).only("pk", "slug").first()
    if claim is None:
        raise Http404("No public claim has this address.")
    return HttpResponsePermanentRedirect(claim.get_absolute_url())


class TagDetailView(ClaimsOfMixin, ListView):
    template_name = "editorial/tag_detail.html"

    def get(self, request, *args, **kwargs):
        # A tag is public once a public claim's approved version carries it (retracted ones included).
        self.tag = get_object_or_404(public_tags(listed_only=False), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def entries(self, listed):
        return with_tag(listed, self.tag)

    def scope(self):
        return (PublicFacet.Kind.TAG, self.tag.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SpeakerDetailView(ClaimsOfMixin, ListView):
    template_name = "editorial/speaker_detail.html"

    def get(self, request, *args, **kwargs):
        # A speaker is public once a public claim's approved version names them (retracted ones included).
        self.speaker = get_object_or_404(public_speakers(listed_only=False), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def entries(self, listed):
        return listed.filter(speaker=self.speaker)

    def scope(self):
        return (PublicFacet.Kind.SPEAKER, self.speaker.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(speaker=self.speaker, **kwargs)


class PublisherDetailView(ClaimsOfMixin, ListView):
    template_name = "sources/publisher_detail.html"

    def get(self, request, *args, **kwargs):
        self.publisher = get_object_or_404(Publisher, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def entries(self, listed):
        return citing(listed, source__publisher=self.publisher)

    def scope(self):
        return (PublicFacet.Kind.PUBLISHER, self.publisher.pk)

    def get_context_data(self, **kwargs):
        sources = self.publisher.sources.defer("notes").order_by("-published_at", "-created_at")[:20]
        return super().get_context_data(
            publisher=self.publisher,
            sources=sources,
            source_count=self.publisher.sources.count(),
            **kwargs,
        )
