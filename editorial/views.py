"""Public pages: anonymous, read-only, server-rendered, and working without JavaScript.

Claims are read only through ``Claim.objects.published()`` (lists, facets, related claims, source
highlights) and ``Claim.objects.publicly_visible()`` (a claim's own page, where a retracted claim
stays with its notice). What a page shows of a claim is its approved public version
(``public_snapshot``); staff with ``editorial.view_claim`` may preview any claim's live fields under a
"Preview — not public" banner. Sources are published documents and are all public.

Each page loads what it shows in a fixed number of queries whatever the number of rows or
citations: the approved versions are turned into ``PublicClaim`` objects in bulk
(``public_claims``), with one query per kind of related row.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import decorator_from_middleware, method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import http_date
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from taggit.models import Tag, TaggedItem

from editorial import highlight, jsonld, textfragments
from editorial.filters import DEFAULT_PAGE_SIZE, ClaimFilter, SourceFilter, claim_tags
from editorial.models import (
    AnchorState,
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ModerationEvent,
    Speaker,
    Verdict,
)
from editorial.search import SnapshotCitesSource, highlight_words, is_full_text, marked
from sources.diffs import diff_texts
from sources.history import changed_fields_since, metadata_changes
from sources.models import Byline, Publisher, Revision, Source

# Sets ETag from the rendered page and answers If-None-Match / If-Modified-Since with 304.
conditional_page = decorator_from_middleware(ConditionalGetMiddleware)

RECENT_CLAIMS = 10
RECENT_SETS = 5
SETS_PAGE_SIZE = 20
SET_CLAIMS_PAGE_SIZE = 50
# How a relation reads from the claim it points at ("this claim is contradicted by …").
INCOMING_LABELS = {
    "supports": "Supported by",
    "contradicts": "Contradicted by",
    "updates": "Updated by",
    "duplicates": "Duplicated by",
}
POPULAR_TAGS = 20
FACET_SIZE = 15


# The public version of a claim -----------------------------------------------------------------


@dataclass
class TagLink:
    name: str
    slug: str = ""


@dataclass
class PublicCitation:
    """One citation of a claim's public (or previewed) version, with its revision and source."""

    position: int
    excerpt: str
    start: int
    end: int
    note: str
    revision_id: int
    revision_number: int
    source_id: int
    source_title: str
    revision: Revision | None = None
    source: Source | None = None
    live: Citation | None = None  # the stored citation quoting the same passage, for its anchor state
    metadata_changed: list = field(default_factory=list)  # source fields edited after the approval

    @property
    def anchor_state(self):
        newer = self.source is not None and self.source.current_revision_id not in (None, self.revision_id)
        if self.live is not None and (self.live.anchor_state != AnchorState.CURRENT or not newer):
            return self.live.anchor_state
        if newer:
            # Not re-anchored (yet): say whether the very words are still in the newest text.
            return AnchorState.EXACT if self._in_current_text() else AnchorState.ORPHANED
        return AnchorState.CURRENT

    def _in_current_text(self):
        current = getattr(self.source, "current_revision", None)
        return current is not None and self.excerpt in (current.text or "")

    @property
    def source_changed(self):
        return self.anchor_state in Citation.CHANGED_STATES

    @property
    def anchor_state_label(self):
        return AnchorState(self.anchor_state).label

    @property
    def current_revision_number(self):
        current = getattr(self.source, "current_revision", None) if self.source else None
        return current.number if current is not None else None

    @cached_property
    def highlighted(self):
        """The paragraph(s) of the revision holding the excerpt, escaped, the excerpt in ``<mark>``."""
        if self.revision is None or self.revision.text[self.start : self.end] != self.excerpt:
            return format_html('<p><mark class="excerpt">{}</mark></p>', self.excerpt)
        return highlight.highlight_in_paragraph(self.revision.text, self.start, self.end)

    @cached_property
    def fragment_url(self):
        if self.source is None or not self.source.url or self.revision is None:
            return ""
        return textfragments.fragment_url(self.source.url, self.revision.text, self.start, self.end)

    @property
    def revision_url(self):
        if self.source is None:
            return ""
        return reverse("public:revision_detail", args=[self.source.slug, self.revision_number])

    @property
    def source_url(self):
        return reverse("public:source_detail", args=[self.source.slug]) if self.source is not None else ""


@dataclass
class PublicClaim:
    """What a page shows of a claim: its approved public version, or its live fields in a preview."""

    claim: Claim
    version: dict
    preview: bool = False
    speaker: Speaker | None = None
    tags: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    statement_html: str = ""  # search highlight of the statement, when searching
    excerpt_html: str = ""  # search highlight of the excerpts, when searching

    @property
    def statement(self):
        return self.version["statement"]

    @property
    def url(self):
        return self.claim.get_absolute_url()

    @property
    def speaker_name(self):
        return (self.version.get("speaker") or {}).get("name", "")

    @property
    def speaker_description(self):
        return (self.version.get("speaker") or {}).get("description", "")

    @property
    def speaker_url(self):
        return self.speaker.get_absolute_url() if self.speaker is not None and not self.preview else ""

    @property
    def claim_date(self):
        value = self.version.get("claim_date")
        return datetime.date.fromisoformat(value) if value else None

    @property
    def verdict(self):
        return self.version.get("verdict", "")

    @property
    def verdict_label(self):
        return Verdict(self.verdict).label if self.verdict in Verdict.values else ""

    @property
    def verdict_explanation(self):
        return self.version.get("verdict_explanation", "")

    @property
    def approved_at(self):
        return self.version.get("approved_at")

    @property
    def status(self):
        return self.claim.status

    @property
    def is_retracted(self):
        return self.claim.is_retracted()

    @property
    def source_titles(self):
        titles = []
        for citation in self.citations:
            if citation.source_title not in titles:
                titles.append(citation.source_title)
        return titles


def _citation_from_version(data):
    return PublicCitation(
        position=data["position"],
        excerpt=data["excerpt"],
        start=data["start"],
        end=data["end"],
        note=data.get("note", ""),
        revision_id=data["revision"],
        revision_number=data["revision_number"],
        source_id=data["source"],
        source_title=data.get("source_title", ""),
    )


def public_claims(claims, *, preview=False, with_texts=False):
    """Return ``claims`` as ``PublicClaim`` objects, in order, loading related rows in bulk.

    ``preview`` renders live fields (staff only; the caller checks). ``with_texts`` loads the cited
    revisions' texts, sources with publishers and bylines, and the stored citations (for anchor
    states) — what a claim's own page needs; lists only need source titles and slugs.
    """
    claims = list(claims)
    public = []
    for claim in claims:
        version = claim.build_public_version() if preview else claim.public_version()
        if version is None:
            continue
        item = PublicClaim(claim=claim, version=version, preview=preview)
        item.citations = [_citation_from_version(data) for data in version.get("citations", [])]
        search_statement = getattr(claim, "statement_headline", None)
        search_excerpt = getattr(claim, "excerpt_headline", None)
        if search_statement is not None:
            item.statement_html = marked(search_statement)
        if search_excerpt and "\ue000" in search_excerpt:
            item.excerpt_html = marked(search_excerpt)
        public.append(item)

    speaker_ids = {item.version["speaker"]["id"] for item in public if item.version.get("speaker")}
    speakers = Speaker.objects.in_bulk(speaker_ids) if speaker_ids else {}
    tag_names = {name for item in public for name in item.version.get("tags", [])}
    tag_slugs = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "slug")) if tag_names else {}
    source_ids = {citation.source_id for item in public for citation in item.citations}
    if with_texts:
        revision_ids = {citation.revision_id for item in public for citation in item.citations}
        revisions = (
            Revision.objects.filter(pk__in=revision_ids)
            .select_related("source__publisher", "source__current_revision")
            .defer("original", "source__current_revision__original", "source__notes")
            .prefetch_related(
                Prefetch(
                    "source__bylines",
                    queryset=Byline.objects.select_related("author").order_by("position"),
                    to_attr="public_bylines",
                )
            )
            .in_bulk()
            if revision_ids
            else {}
        )
        sources = {revision.source_id: revision.source for revision in revisions.values()}
        live = {}
        if public:
            stored = Citation.objects.filter(claim__in=[item.claim.pk for item in public]).only(
                "claim_id", "revision_id", "start", "end", "anchor_state", "modified_at", "anchor_checked_at"
            )
            live = {(c.claim_id, c.revision_id, c.start, c.end): c for c in stored}
    else:
        revisions = {}
        sources = Source.objects.only("pk", "slug", "title").in_bulk(source_ids) if source_ids else {}
        live = {}

    for item in public:
        speaker = item.version.get("speaker")
        item.speaker = speakers.get(speaker["id"]) if speaker else None
        item.tags = [TagLink(name, tag_slugs.get(name, "")) for name in item.version.get("tags", [])]
        for citation in item.citations:
            citation.revision = revisions.get(citation.revision_id)
            citation.source = sources.get(citation.source_id)
            citation.live = live.get((item.claim.pk, citation.revision_id, citation.start, citation.end))
    return public


def can_preview(user):
    """Return True when ``user`` may preview claims that are not public (staff who can view claims)."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("editorial.view_claim"))


# Shared pieces -----------------------------------------------------------------------------------


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


def _latest(*values):
    return max((value for value in values if value is not None), default=None)


def _set_last_modified(response, moment):
    if moment is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(moment.timestamp())
    return response


class PaginatedMixin:
    """Pagination that never fails: a bad or too large ``?page=`` shows the nearest page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, orphans=0, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


# Home --------------------------------------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "editorial/home.html"

    def get_context_data(self, **kwargs):
        published = Claim.objects.published()
        recent = published.order_by("-published_at", "-pk")[:RECENT_CLAIMS]
        return super().get_context_data(
            claims=public_claims(recent),
            claim_sets=ClaimSet.objects.public().with_published_count().order_by("-created_at", "-pk")[:RECENT_SETS],
            popular_tags=tag_facets(published, limit=POPULAR_TAGS),
            **kwargs,
        )


# Claims ------------------------------------------------------------------------------------------


class ClaimListView(PaginatedMixin, FilterView):
    """``/claims/``: the published claims, filtered, searched, ordered, paginated, with facets."""

    filterset_class = ClaimFilter
    template_name = "editorial/claim_list.html"
    context_object_name = "claim_rows"

    def get_queryset(self):
        return Claim.objects.published().select_related(None)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so the default order applies
        return kwargs

    def get_paginate_by(self, queryset):
        return self.filterset.get_page_size() if self.filterset.is_valid() else DEFAULT_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        filtered = self.object_list if valid else Claim.objects.none()
        searching = self.filterset.is_searching()
        claims = public_claims(context["object_list"])
        if searching and not is_full_text():
            query = self.filterset.form.cleaned_data["q"]
            for item in claims:
                item.statement_html = highlight_words(item.statement, query)
                excerpts = " … ".join(citation.excerpt for citation in item.citations)
                snippet = highlight_words(excerpts, query, limit=240)
                item.excerpt_html = snippet if "<mark>" in snippet else ""
        context.update(
            claims=claims,
            searching=searching,
            full_text=is_full_text(),
            facets={
                "tags": tag_facets(filtered) if valid else [],
                "speakers": speaker_facets(filtered) if valid else [],
                "publishers": publisher_facets(filtered) if valid else [],
            },
            selected_tags=set(self.request.GET.getlist("tag")),
            export_links=export_links(self.request) if valid else [],
            result_count=context["paginator"].count if context.get("paginator") else len(claims),
        )
        return context


class ClaimDetailView(DetailView):
    """``/claims/<id>/<slug>/``: a claim's public version with its citations, notices and relations."""

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
            _set_last_modified(response, context["last_modified"])
        return response

    def get_context_data(self, **kwargs):
        claim = self.object
        (item,) = public_claims([claim], preview=self.preview, with_texts=True)
        if not self.preview and item.approved_at:
            # Sources are not moderated: say which provenance details were edited after approval.
            approved_at = datetime.datetime.fromisoformat(item.approved_at)
            changes = metadata_changes({c.source_id for c in item.citations if c.source})
            for citation in item.citations:
                citation.metadata_changed = changed_fields_since(changes.get(citation.source_id, []), approved_at)
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
        published = Claim.objects.published()
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
        related_claims = public_claims(
            [relation.to_claim for relation in outgoing] + [relation.from_claim for relation in incoming]
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
        source_urls = {
            citation.source.pk: self.request.build_absolute_uri(citation.source_url)
            for citation in item.citations
            if citation.source is not None
        }
        last_modified = _latest(
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
            canonical_url=canonical,
            jsonld=None if self.preview else jsonld.claim_document(item, claim_url=canonical, source_urls=source_urls),
            last_modified=last_modified,
            public_url=claim.get_absolute_url() if self.preview and claim.is_publicly_visible() else "",
            **kwargs,
        )


def correction_notices(events):
    """Return the corrections and retraction readers are told about (``Claim.public_notices()``), oldest
    first, each with what changed from the version approved before it.
    """
    notices, previous = [], None
    for event in events:
        if event.action in (ModerationEvent.Action.CORRECT, ModerationEvent.Action.RETRACT):
            changes = _changes(previous, event.public_version) if event.public_version else []
            notices.append({"event": event, "changes": changes})
        if event.public_version:
            previous = event.public_version
    return notices


def _changes(before, after):
    """Return ``[(what, was)]`` describing how version ``after`` differs from ``before``."""
    if not before:
        return []
    changes = []
    if before.get("statement") != after.get("statement"):
        changes.append(("Statement", before.get("statement", "")))
    if (before.get("speaker") or {}).get("name") != (after.get("speaker") or {}).get("name"):
        changes.append(("Speaker", (before.get("speaker") or {}).get("name", "") or "none"))
    if before.get("claim_date") != after.get("claim_date"):
        changes.append(("Claim date", before.get("claim_date") or "none"))
    if sorted(before.get("tags", [])) != sorted(after.get("tags", [])):
        changes.append(("Tags", ", ".join(before.get("tags", [])) or "none"))
    if before.get("verdict") != after.get("verdict"):
        label = Verdict(before["verdict"]).label if before.get("verdict") in Verdict.values else "none"
        changes.append(("Verdict", label))

    def cited(version):
        return [(c["revision"], c["start"], c["end"]) for c in version.get("citations", [])]

    if cited(before) != cited(after):
        changes.append(("Citations", f"{len(before.get('citations', []))} before"))
    return changes


@require_GET
def claim_export(request, fmt):
    """``/claims/export/<format>/?<filters>``: the filtered list's published claims as a download.

    ``export_response`` narrows to published claims in their approved versions whatever is passed.
    """
    from editorial.exports import UnknownFormat, export_response

    filterset = ClaimFilter(request.GET)
    if not filterset.is_valid():
        return HttpResponse(
            "The filters could not be read: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        return export_response(fmt, filterset.qs, filename="claims", request=request)
    except UnknownFormat as error:
        raise Http404(str(error)) from error


def export_links(request):
    """Return ``[(label, url)]``: the current list in every export format."""
    from editorial.exports import EXPORTERS

    query = request.GET.copy()
    query.pop("page", None)
    suffix = "?" + query.urlencode() if query else ""
    return [
        (getattr(module, "LABEL", name), reverse("public:claim_export", args=[name]) + suffix)
        for name, module in EXPORTERS.items()
    ]


@require_GET
def claim_redirect(request, pk):
    """``/claims/<id>/``: send readers to the canonical address with the slug."""
    claim = Claim.objects.publicly_visible().filter(pk=pk).only("pk", "slug").first()
    if claim is None and can_preview(request.user):
        claim = Claim.objects.filter(pk=pk).only("pk", "slug").first()
    if claim is None:
        raise Http404("No public claim has this address.")
    return HttpResponsePermanentRedirect(claim.get_absolute_url())


class _ClaimsOfMixin(PaginatedMixin):
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


class TagDetailView(_ClaimsOfMixin, ListView):
    template_name = "editorial/tag_detail.html"

    def get(self, request, *args, **kwargs):
        # A tag is public once a public claim carries it (a retracted claim's tags stay linked).
        self.tag = get_object_or_404(claim_tags(Claim.objects.publicly_visible()), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def claims(self):
        return Claim.objects.published().filter(
            pk__in=TaggedItem.objects.filter(
                tag=self.tag, content_type__app_label="editorial", content_type__model="claim"
            ).values("object_id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SpeakerDetailView(_ClaimsOfMixin, ListView):
    template_name = "editorial/speaker_detail.html"

    def get(self, request, *args, **kwargs):
        # A speaker is public once a public claim is attributed to them (retracted ones included).
        public = Claim.objects.publicly_visible()
        self.speaker = get_object_or_404(
            Speaker.objects.filter(pk__in=public.values("speaker_id")), slug=kwargs["slug"]
        )
        return super().get(request, *args, **kwargs)

    def claims(self):
        return Claim.objects.published().filter(speaker=self.speaker)

    def get_context_data(self, **kwargs):
        return super().get_context_data(speaker=self.speaker, **kwargs)


class PublisherDetailView(_ClaimsOfMixin, ListView):
    template_name = "sources/publisher_detail.html"

    def get(self, request, *args, **kwargs):
        self.publisher = get_object_or_404(Publisher, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def claims(self):
        return Claim.objects.published().filter(
            pk__in=Citation.objects.filter(revision__source__publisher=self.publisher).values("claim_id")
        )

    def get_context_data(self, **kwargs):
        sources = self.publisher.sources.defer("notes").order_by("-published_at", "-created_at")[:20]
        return super().get_context_data(
            publisher=self.publisher,
            sources=sources,
            source_count=self.publisher.sources.count(),
            **kwargs,
        )


# Claim sets --------------------------------------------------------------------------------------


def _page_canonical(request, path, page_obj):
    """Return the absolute URL of ``path``, with ``?page=`` past the first page."""
    url = request.build_absolute_uri(path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


class ClaimSetListView(PaginatedMixin, ListView):
    """``/sets/``: the public claim sets, newest first, each with its number of published claims."""

    template_name = "editorial/claimset_list.html"
    context_object_name = "claim_sets"
    paginate_by = SETS_PAGE_SIZE

    def get_queryset(self):
        return ClaimSet.objects.public().with_published_count().order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = _page_canonical(
            self.request, reverse("public:claimset_list"), context.get("page_obj")
        )
        return context


def public_claim_set(slug):
    """Return the public set at ``slug``, or raise 404 (a set that is not public has no public page)."""
    return get_object_or_404(ClaimSet.objects.public(), slug=slug)


class ClaimSetDetailView(PaginatedMixin, ListView):
    """``/sets/<slug>/``: a public set's published claims in the set's order, with the curator's notes.

    Members that are not published are neither listed nor counted (``ClaimSet.published_claims()``).
    """

    template_name = "editorial/claimset_detail.html"
    context_object_name = "claim_rows"
    paginate_by = SET_CLAIMS_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        self.claim_set = public_claim_set(kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The note comes through the membership join that published_claims() filters and orders by.
        return self.claim_set.published_claims().select_related(None).annotate(set_note=F("set_memberships__note"))

    def get_context_data(self, **kwargs):
        from editorial.exports import EXPORTERS

        context = super().get_context_data(**kwargs)
        claim_set = self.claim_set
        context.update(
            claim_set=claim_set,
            claims=public_claims(context["object_list"]),
            export_links=[
                (getattr(module, "LABEL", name), reverse("public:claimset_export", args=[claim_set.slug, name]))
                for name, module in EXPORTERS.items()
            ],
            canonical_url=_page_canonical(self.request, claim_set.get_absolute_url(), context.get("page_obj")),
        )
        return context


@require_GET
def claimset_export(request, slug, fmt):
    """``/sets/<slug>/export/<format>/``: a public set's published claims, in order, as a download."""
    from editorial.exports import UnknownFormat, export_response

    claim_set = public_claim_set(slug)
    try:
        return export_response(
            fmt, claim_set.published_claims(), filename=claim_set.slug, request=request, claim_set=claim_set
        )
    except UnknownFormat as error:
        raise Http404(str(error)) from error


# Sources -----------------------------------------------------------------------------------------


def _sources_with_bylines(queryset):
    return queryset.select_related("publisher").prefetch_related(
        Prefetch(
            "bylines", queryset=Byline.objects.select_related("author").order_by("position"), to_attr="public_bylines"
        )
    )


class SourceListView(PaginatedMixin, FilterView):
    filterset_class = SourceFilter
    template_name = "sources/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return _sources_with_bylines(Source.objects.defer("notes")).order_by("-published_at", "-created_at", "-pk")

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
    citing = claims.filter(SnapshotCitesSource(source.pk)).order_by("-published_at", "-pk")
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
        return _set_last_modified(response, self.last_modified)

    def get_context_data(self, **kwargs):
        source = self.object
        revisions = list(source.revisions.defer("text", "original").order_by("number"))
        revision = source.current_revision or (source.revisions.order_by("-number").first() if revisions else None)
        pairs = published_citations_of(source)
        spans = _spans_for(revision, pairs, newest=True) if revision else []
        claims, seen = [], set()
        for item, _citation in pairs:
            if item.claim.pk not in seen:
                seen.add(item.claim.pk)
                claims.append(item)
        record_changes = metadata_changes([source.pk])[source.pk]
        self.last_modified = _latest(
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


# Plain-text endpoints --------------------------------------------------------------------------


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Views whose answers may be served with 304 Not Modified.
home = HomeView.as_view()
claim_list = ClaimListView.as_view()
claim_detail = conditional_page(ClaimDetailView.as_view())
tag_detail = TagDetailView.as_view()
speaker_detail = SpeakerDetailView.as_view()
publisher_detail = PublisherDetailView.as_view()
claimset_list = ClaimSetListView.as_view()
claimset_detail = ClaimSetDetailView.as_view()
source_list = SourceListView.as_view()
source_detail = conditional_page(SourceDetailView.as_view())
revision_detail = conditional_page(RevisionDetailView.as_view())
revision_diff = conditional_page(RevisionDiffView.as_view())

__all__ = [
    "claim_detail",
    "claim_export",
    "claim_list",
    "claim_redirect",
    "claimset_detail",
    "claimset_export",
    "claimset_list",
    "home",
    "publisher_detail",
    "revision_detail",
    "revision_diff",
    "robots_txt",
    "source_detail",
    "source_list",
    "speaker_detail",
    "tag_detail",
]
