"""The claim page's citations: their inline rows, and the picker that fills a row from a source's text.

A row names its source (an autocomplete) and, for an older revision, the revision's number; it
never asks for a database id. The picker (``static/js/citation_picker.js``) lists the sources that
have a current revision, fetches one's text as JSON (``picker/revision/<source_id>/``), and fills
in a row's source, revision number, excerpt, offsets and context from the passage the editor
selects, with the button by the selection or the one above the text.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from editorial.admin.display import anchor_html, citation_in_context, local_time
from editorial.admin.forms import CitationInlineForm
from editorial.admin.pages import admin_url
from editorial.models import AnchorState, Citation
from sources.models import Source


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationInlineForm
    extra = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("source", "revision_number", "position"),
                    "excerpt",
                    ("start", "end"),
                    ("prefix", "suffix"),
                    "note",
                    "in_context",
                    "anchor",
                ]
            },
        )
    ]
    readonly_fields = ["in_context", "anchor"]
    ordering = ["position", "pk"]
    classes = ["citation-inline"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("revision__source", "anchored_revision")
            .defer("revision__original", "anchored_revision__original", "anchored_revision__text")
        )

    def get_formset(self, request, obj=None, **kwargs):
        # prefix and suffix are form fields only: the model derives them, so they are not editable
        # model fields and must stay out of the model form's field list.
        kwargs.setdefault("fields", ["excerpt", "start", "end", "note", "position"])
        formset = super().get_formset(request, obj, **kwargs)
        # The form class is made for this call, so the site is set on it alone.
        formset.form.admin_site = self.admin_site
        return formset

    @admin.display(description="In context")
    def in_context(self, citation):
        if citation.pk is None:
            return "—"
        return citation_in_context(citation)

    @admin.display(description="Anchor in the newest revision")
    def anchor(self, citation):
        if citation.pk is None:
            return "—"
        parts = [anchor_html(citation)]
        if citation.anchor_state != AnchorState.CURRENT and citation.anchored_revision_id:
            where = (
                f"at {citation.anchored_start}–{citation.anchored_end} " if citation.anchored_start is not None else ""
            )
            parts.append(
                format_html(
                    '<span class="help">{}in revision {}, checked {}</span>',
                    where,
                    citation.anchored_revision.number,
                    local_time(citation.anchor_checked_at) if citation.anchor_checked_at else "never",
                )
            )
        return format_html_join(" ", "{}", ((part,) for part in parts))


class CitationPickerMixin:
    """The claim admin's citation picker: its sources, its JSON view, and its place on an editable claim page."""

    def get_urls(self):
        return [
            admin_url(self, "picker/revision/<int:source_id>/", self.picker_revision_view, "picker_revision"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        editable = (add and self.has_add_permission(request)) or (
            change and obj is not None and self.has_change_permission(request, obj)
        )
        citation_formset = next(
            (inline.formset for inline in context.get("inline_admin_formsets", []) if inline.formset.model is Citation),
            None,
        )
        if editable and citation_formset is not None:
            context["citation_picker"] = {
                "sources": self.picker_sources(),
                "text_url": reverse("admin:editorial_claim_picker_revision", args=[0]),
                "inline_prefix": citation_formset.prefix,
            }
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def picker_sources(self):
        """Return ``(id, label)`` for every source with a current revision, by title."""
        sources = (
            Source.objects.filter(current_revision__isnull=False)
            .select_related("publisher")
            .only("pk", "title", "publisher__name")
            .order_by("title", "pk")
        )
        return [
            (source.pk, f"{source.title} — {source.publisher.name}" if source.publisher else source.title)
            for source in sources
        ]

    def picker_revision_view(self, request, source_id):
        """Return a source's current revision as JSON: source id and label, revision id, number, label, text."""
        source_admin = self.admin_site._registry.get(Source)
        allowed = (
            source_admin.has_view_permission(request)
            if source_admin is not None
            else request.user.has_perm("sources.view_source")
        )
        if not allowed:
            raise PermissionDenied
        source = (
            Source.objects.select_related("publisher", "current_revision")
            .defer("current_revision__original")
            .filter(pk=source_id)
            .first()
        )
        if source is None or source.current_revision is None:
            raise Http404("No such source, or it has no current revision.")
        revision = source.current_revision
        publisher = f", {source.publisher.name}" if source.publisher else ""
        return JsonResponse(
            {
                "source_id": source.pk,
                "source_label": str(source),
                "revision_id": revision.pk,
                "number": revision.number,
                "label": f"“{source.title}”{publisher}, revision {revision.number}",
                "text": revision.text,
            }
        )
