"""The claim admin: the claim list with its columns, filters and search, and the claim page.

The claim page's citations and their picker are ``editorial.admin.citations``; its workflow buttons,
the transition view and the moderation queue, ``editorial.admin.moderation``; its "Similar claims"
panel, ``editorial.admin.similar``; the list's bulk actions, ``editorial.admin.actions``.
``ClaimAdmin`` puts them together.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from editorial.admin.actions import (
    add_to_set_selected,
    delete_selected,
    export_selected,
    publish_selected,
    reject_selected,
    send_back_selected,
    submit_selected,
)
from editorial.admin.changes import ClaimChangesMixin, changes_state
from editorial.admin.citations import CitationInline, CitationPickerMixin
from editorial.admin.display import (
    anchor_summary_html,
    annotation_column,
    claim_display_prefetches,
    moderation_log_html,
)
from editorial.admin.filters import (
    AnchorStateFilter,
    ChangesFilter,
    CreatedByFilter,
    PublisherFilter,
    SourceFilter,
    TagFilter,
)
from editorial.admin.moderation import ClaimModerationMixin
from editorial.admin.positions import park_moved_rows
from editorial.admin.similar import SimilarClaimsMixin
from editorial.models import Citation, Claim, ClaimRelation, ModerationEvent
from editorial.services.citations import save_citation


class RelationInline(admin.TabularInline):
    model = ClaimRelation
    fk_name = "from_claim"
    fields = ["kind", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "relation to another claim"
    verbose_name_plural = "Relations to other claims"


@admin.register(Claim)
class ClaimAdmin(SimilarClaimsMixin, CitationPickerMixin, ClaimModerationMixin, ClaimChangesMixin, SimpleHistoryAdmin):
    list_display = [
        "short_statement",
        "speaker",
        "status_and_changes",
        "tag_list",
        "citation_count",
        "anchor_summary",
        "source_titles",
    ]
    list_select_related = ["speaker"]
    list_filter = [
        "status",
        TagFilter,
        ("speaker", admin.RelatedOnlyFieldListFilter),
        PublisherFilter,
        SourceFilter,
        AnchorStateFilter,
        ChangesFilter,
        ("created_by", CreatedByFilter),
        ("claim_date", admin.DateFieldListFilter),
        ("published_at", admin.DateFieldListFilter),
    ]
    date_hierarchy = "created_at"
    # Excerpts span a reverse relation; the changelist removes the duplicate rows a search causes.
    search_fields = ["statement", "citations__excerpt", "speaker__name"]
    search_help_text = "Searches statements, cited excerpts and speakers' names."
    actions = [
        submit_selected,
        publish_selected,
        reject_selected,
        send_back_selected,
        add_to_set_selected,
        export_selected,
        delete_selected,
    ]
    autocomplete_fields = ["speaker"]
    inlines = [CitationInline, RelationInline]
    readonly_fields = [
        "status",
        "published_at",
        "unpublished_changes",
        "created_by",
        "created_at",
        "modified_at",
        "moderation_log",
    ]
    change_form_template = "admin/editorial/claim/change_form.html"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}

    class Media:
        css = {"all": ["css/editorial_admin.css"]}
        js = ["js/citation_picker.js"]

    def get_queryset(self, request):
        citation_count = (
            Citation.objects.filter(claim=OuterRef("pk"))
            .order_by()
            .values("claim")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .with_changes_submission()
            .annotate(citation_count=Coalesce(Subquery(citation_count, output_field=IntegerField()), 0))
            .prefetch_related(*claim_display_prefetches())
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["statement", "speaker", "claim_date", "tags"]}),
            ("Verdict", {"fields": ["verdict", "verdict_explanation"]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Moderation",
                    {
                        "fields": [
                            "status",
                            "published_at",
                            "unpublished_changes",
                            "created_by",
                            ("created_at", "modified_at"),
                            "moderation_log",
                        ]
                    },
                )
            )
        return fieldsets

    # Columns -------------------------------------------------------------------------------------

    citation_count = annotation_column("citation_count", "Citations")

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, claim):
        return Truncator(claim.statement).chars(100)

    @admin.display(description="Status", ordering="status")
    def status_and_changes(self, claim):
        """The status, marked when the claim's edits await a moderator's approval (annotated: no query)."""
        if claim.changes_submitted_at is None:
            return claim.get_status_display()
        return format_html(
            '{}<span class="changes-awaiting-approval">{}</span>',
            claim.get_status_display(),
            "Changes awaiting approval",
        )

    @admin.display(description="Tags")
    def tag_list(self, claim):
        return ", ".join(sorted((tag.name for tag in claim.tags.all()), key=str.casefold)) or None

    @admin.display(description="Sources")
    def source_titles(self, claim):
        titles = list(dict.fromkeys(citation.revision.source.title for citation in claim.citations.all()))
        if not titles:
            return None
        return format_html_join("", '<div class="source-title">{}</div>', ((title,) for title in titles))

    @admin.display(description="Anchor state")
    def anchor_summary(self, claim):
        return anchor_summary_html(claim.citations.all())

    @admin.display(description="Unpublished changes")
    def unpublished_changes(self, claim):
        state = changes_state(claim)
        if not state.unapproved:
            return "No"
        if state.submitted:
            where = "they are submitted for approval; a moderator approves them with “Correct” or declines them."
        else:
            where = "they are not submitted for approval yet."
        return format_html(
            '<span class="unpublished-changes">Yes: edits since the last approval are not public; {}</span> '
            '<a href="{}">See the changes</a>',
            where,
            reverse("admin:editorial_claim_changes", args=[claim.pk]),
        )

    @admin.display(description="Moderation log")
    def moderation_log(self, claim):
        return moderation_log_html(claim)

    # Permissions (submitting and moderating: ClaimModerationMixin) -------------------------------

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return obj.can_delete(request.user)

    def has_curate_permission(self, request):
        """Return True when the user may add claims to an existing set or to a new one."""
        return request.user.has_perm("editorial.change_claimset") or request.user.has_perm("editorial.add_claimset")

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A claim takes its moderation log and tag links with it; nobody deletes those on their own.
        perms_needed.discard(ModerationEvent._meta.verbose_name)
        perms_needed.discard("tagged item")
        return deleted, model_count, perms_needed, protected

    # Saving --------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        citations = formset.save(commit=False)
        park_moved_rows(formset, Citation.objects.filter(claim=form.instance))
        for citation in citations:
            save_citation(citation)  # anchored against the source's newest revision
        formset.save_m2m()

    # History: shown, never reverted -------------------------------------------------------------

    def revert_disabled(self, request, obj=None):
        # Reverting would write an old status back without the workflow and its log.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Claims are not reverted from their history; edit the claim instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)
