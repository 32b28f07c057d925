"""Admin for speakers, claims and their citations, relations and moderation.

Besides the usual pages, the claim admin has:

* bulk workflow actions (submit, publish, reject, send back), each confirmed on a page with a note;
* a transition view the claim page's workflow buttons post to (``<id>/transition/``);
* the moderation queue (``moderation/``): claims in review, oldest first, with their excerpts;
* the citation picker's JSON view (``picker/revision/<source_id>/``): a source's current text;
* "Add selected claims to a set" and "Export selected claims", each with a page to choose the set
  or the format.

The claim set admin orders a set's members inline and links the set's exports, which, like every
export reachable over HTTP, hold published claims only (``exports.export_response``).

Every workflow change goes through the ``Claim`` transition methods; a ``TransitionError`` becomes an
error message naming the claim, never a server error.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as delete_selected_objects
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from editorial import anchoring, workflow
from editorial.forms import CitationInlineForm, TransitionNoteForm
from editorial.models import (
    AnchorState,
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ClaimSetMembership,
    ModerationEvent,
    Speaker,
    TransitionError,
)
from sources.admin import SourceAdmin
from sources.models import Publisher, Source

# Transitions a moderator makes on claims in review, in the order their buttons appear.
REVIEW_TRANSITIONS = ("publish", "reject", "send_back")

ANCHOR_LABELS = {
    AnchorState.CURRENT: "Current",
    AnchorState.EXACT: "Source changed: same words",
    AnchorState.FUZZY: "Source changed: found with differences",
    AnchorState.ORPHANED: "Source changed: passage gone",
}
# The worst state first: a claim's summary names the worst of its citations.
ANCHOR_SEVERITY = (AnchorState.ORPHANED, AnchorState.FUZZY, AnchorState.EXACT, AnchorState.CURRENT)


# Rendering helpers -------------------------------------------------------------------------------


PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


def one_line(text):
    """Return ``text`` with each line or paragraph break shown as " ¶ ", for context shown inline."""
    return PARAGRAPH_BREAK.sub(" ¶ ", text)


def excerpt_in_context(prefix, excerpt, suffix):
    """Return the excerpt highlighted between its context, escaped: ``…prefix<mark>excerpt</mark>suffix…``."""
    lead = "…" if len(prefix) >= anchoring.CONTEXT_LENGTH else ""
    tail = "…" if len(suffix) >= anchoring.CONTEXT_LENGTH else ""
    return format_html(
        '<span class="excerpt-in-context">{}{}<mark>{}</mark>{}{}</span>',
        lead,
        one_line(prefix),
        one_line(excerpt),
        one_line(suffix),
        tail,
    )


def citation_in_context(citation):
    return excerpt_in_context(citation.prefix, citation.excerpt, citation.suffix)


def anchor_html(citation):
    """Return the citation's anchor state as a labelled badge, with its score when the source changed."""
    label = ANCHOR_LABELS.get(citation.anchor_state, citation.anchor_state)
    detail = ""
    if citation.anchor_state == AnchorState.FUZZY and citation.anchor_score is not None:
        detail = f" ({citation.anchor_score}/100)"
    return format_html(
        '<span class="anchor-state anchor-{}" title="{}">{}{}</span>',
        citation.anchor_state,
        AnchorState(citation.anchor_state).label if citation.anchor_state in AnchorState.values else "",
        label,
        detail,
    )


def anchor_summary_html(citations):
    """Return one line summing up the anchor states of ``citations`` ("Source changed: 1 fuzzy, 1 exact")."""
    if not citations:
        return format_html('<span class="anchor-state anchor-none">{}</span>', "No citations")
    counts = dict.fromkeys(ANCHOR_SEVERITY, 0)
    for citation in citations:
        counts[citation.anchor_state] = counts.get(citation.anchor_state, 0) + 1
    changed = [(state, counts[state]) for state in ANCHOR_SEVERITY[:-1] if counts[state]]
    if not changed:
        return format_html('<span class="anchor-state anchor-current">{}</span>', "Current")
    worst = changed[0][0]
    details = ", ".join(f"{count} {AnchorState(state).name.lower()}" for state, count in changed)
    return format_html('<span class="anchor-state anchor-{}">Source changed ({})</span>', worst, details)


def citing_claims_html(source):
    """Return an HTML table of the claims citing ``source`` (any revision), with their anchor states.

    For the source's admin page: ``readonly_fields = [..., "citing_claims"]`` with a display method
    returning ``citing_claims_html(source)``. Everything shown is escaped.
    """
    citations = list(
        Citation.objects.filter(revision__source=source)
        .select_related("claim__speaker", "revision")
        .defer("revision__text", "revision__original")
        .order_by("claim__statement", "claim_id", "position", "pk")
    )
    if not citations:
        return format_html('<p class="citing-claims-empty">{}</p>', "No claims cite this source yet.")
    rows = format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a><div class="help">{}</div></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:editorial_claim_change", args=[citation.claim_id]),
                Truncator(citation.claim.statement).chars(120),
                citation.claim.speaker or "No speaker",
                citation.claim.get_status_display(),
                citation.revision.number,
                citation_in_context(citation),
                anchor_html(citation),
            )
            for citation in citations
        ),
    )
    return format_html(
        '<table class="citing-claims"><thead><tr><th>Claim</th><th>Status</th><th>Revision</th>'
        "<th>Excerpt</th><th>Anchor</th></tr></thead><tbody>{}</tbody></table>"
        '<p><a href="{}?source={}">Open these claims in the claim list</a></p>',
        rows,
        reverse("admin:editorial_claim_changelist"),
        source.pk,
    )


def moderation_log_html(claim):
    """Return the claim's moderation log as an HTML table, oldest first, escaped."""
    events = list(claim.moderation_events.select_related("user").order_by("at", "pk"))
    if not events:
        return "No moderation steps yet."
    rows = format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
        (
            (
                date_format(timezone.localtime(event.at), "Y-m-d H:i"),
                event.get_action_display(),
                event.user.get_username() if event.user else "(deleted user)",
                event.get_from_status_display() or "—",
                event.get_to_status_display(),
                event.note or "—",
            )
            for event in events
        ),
    )
    return format_html(
        '<table class="moderation-log"><thead><tr><th>When</th><th>Step</th><th>By</th><th>Status</th>'
        "<th>Note</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


# List filters ------------------------------------------------------------------------------------


def citing(**lookups):
    """Return an ``Exists`` condition: the claim has a citation matching ``lookups`` (no duplicate rows)."""
    return Exists(Citation.objects.filter(claim=OuterRef("pk"), **lookups))


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(tag.slug, tag.name) for tag in Claim.tags.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class PublisherFilter(admin.SimpleListFilter):
    title = "publisher of a cited source"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        cited = Publisher.objects.filter(Exists(Citation.objects.filter(revision__source__publisher=OuterRef("pk"))))
        return [(str(pk), name) for pk, name in cited.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(citing(revision__source__publisher_id=self.value()))
        return queryset


class SourceFilter(admin.SimpleListFilter):
    """Claims citing a source (any of its revisions): ``?source=<id>``, linked from the source's page."""

    title = "cited source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        cited = Source.objects.filter(Exists(Citation.objects.filter(revision__source=OuterRef("pk"))))
        return [
            (str(pk), Truncator(title).chars(60)) for pk, title in cited.order_by("title").values_list("pk", "title")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(citing(revision__source_id=self.value()))
        return queryset


class AnchorStateFilter(admin.SimpleListFilter):
    title = "anchor state"
    parameter_name = "anchor"

    def lookups(self, request, model_admin):
        return [
            ("changed", "Source changed (any)"),
            (AnchorState.EXACT, "Source changed: same words"),
            (AnchorState.FUZZY, "Source changed: found with differences"),
            (AnchorState.ORPHANED, "Source changed: passage gone"),
            ("current", "All citations current"),
            ("none", "No citations"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "changed":
            return queryset.filter(citing(anchor_state__in=Citation.CHANGED_STATES))
        if value in (AnchorState.EXACT, AnchorState.FUZZY, AnchorState.ORPHANED):
            return queryset.filter(citing(anchor_state=value))
        if value == "current":
            return queryset.filter(citing()).exclude(citing(anchor_state__in=Citation.CHANGED_STATES))
        if value == "none":
            return queryset.exclude(citing())
        return queryset


class CreatedByFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "author of the claim"


# Forms of the claim list's actions ---------------------------------------------------------------


def export_format_choices():
    from editorial.exports import EXPORTERS

    return [(name, getattr(module, "LABEL", name)) for name, module in EXPORTERS.items()]


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(
        choices=export_format_choices,
        widget=forms.RadioSelect,
        help_text="Only the published claims among those selected are exported, in their approved versions.",
    )


class AddToClaimSetForm(forms.Form):
    """Choose an existing set, or type the title of a new one; with an optional note for each claim."""

    claim_set = forms.ModelChoiceField(
        queryset=ClaimSet.objects.order_by("title", "pk"),
        required=False,
        label="Existing set",
        empty_label="— none: create a new set —",
    )
    new_title = forms.CharField(
        max_length=200, required=False, label="Or a new set titled", help_text="Created private; make it public later."
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        required=False,
        help_text="Stored as the note of each claim added (shown publicly with the claim in a public set).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned_data = super().clean()
        claim_set, title = cleaned_data.get("claim_set"), (cleaned_data.get("new_title") or "").strip()
        if "claim_set" in self.errors:
            return cleaned_data
        if claim_set is None and not title:
            raise forms.ValidationError("Choose a set, or type the title of a new one.")
        if claim_set is not None and title:
            raise forms.ValidationError("Choose a set or type a new title, not both.")
        if claim_set is not None and not self.user.has_perm("editorial.change_claimset"):
            raise forms.ValidationError("You may not change claim sets; type the title of a new set instead.")
        if title and not self.user.has_perm("editorial.add_claimset"):
            raise forms.ValidationError("You may not create claim sets; choose an existing set instead.")
        cleaned_data["new_title"] = title
        return cleaned_data

    def chosen_set(self):
        """Return ``(claim_set, created)``: the chosen set, or a new private one curated by the user."""
        if self.cleaned_data["claim_set"] is not None:
            return self.cleaned_data["claim_set"], False
        return ClaimSet.objects.create(title=self.cleaned_data["new_title"], curator=self.user), True


# Speakers and the moderation log -----------------------------------------------------------------


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description", "claim_count"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    # Explicit: the claim count's GROUP BY drops the model's default ordering.
    ordering = ["name"]
    fields = ["name", "kind", "description", "slug", "created_at", "modified_at"]
    readonly_fields = ["slug", "created_at", "modified_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="Claims", ordering="claim_count")
    def claim_count(self, speaker):
        return speaker.claim_count


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The moderation log across all claims; append-only, so the admin only shows it."""

    list_display = ["at", "action", "claim_link", "user", "from_status", "to_status", "note"]
    list_select_related = ["claim", "user"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["claim__statement", "note"]
    ordering = ["-at", "-pk"]
    fields = ["claim", "action", "from_status", "to_status", "user", "at", "note"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Claim", ordering="claim__statement")
    def claim_link(self, event):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:editorial_claim_change", args=[event.claim_id]), event.claim
        )


# Claims ------------------------------------------------------------------------------------------


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationInlineForm
    extra = 1
    raw_id_fields = ["revision"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("revision", "position"),
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
        kwargs.setdefault("fields", ["revision", "excerpt", "start", "end", "note", "position"])
        return super().get_formset(request, obj, **kwargs)

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
                    date_format(timezone.localtime(citation.anchor_checked_at), "Y-m-d H:i")
                    if citation.anchor_checked_at
                    else "never",
                )
            )
        return format_html_join(" ", "{}", ((part,) for part in parts))


class RelationInline(admin.TabularInline):
    model = ClaimRelation
    fk_name = "from_claim"
    fields = ["kind", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "relation to another claim"
    verbose_name_plural = "Relations to other claims"


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = [
        "short_statement",
        "speaker",
        "status",
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
        ("created_by", CreatedByFilter),
        ("claim_date", admin.DateFieldListFilter),
        ("published_at", admin.DateFieldListFilter),
    ]
    date_hierarchy = "created_at"
    # Excerpts span a reverse relation; the changelist removes the duplicate rows a search causes.
    search_fields = ["statement", "citations__excerpt", "speaker__name"]
    search_help_text = "Searches statements, cited excerpts and speakers' names."
    actions = [
        "submit_selected",
        "publish_selected",
        "reject_selected",
        "send_back_selected",
        "add_to_set_selected",
        "export_selected",
        "delete_selected",
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
            .annotate(citation_count=Coalesce(Subquery(citation_count, output_field=IntegerField()), 0))
            .prefetch_related(
                "tags",
                Prefetch(
                    "citations",
                    queryset=Citation.objects.select_related("revision__source")
                    .defer("revision__text", "revision__original")
                    .order_by("position", "pk"),
                ),
            )
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

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, claim):
        return Truncator(claim.statement).chars(100)

    @admin.display(description="Tags")
    def tag_list(self, claim):
        return ", ".join(sorted((tag.name for tag in claim.tags.all()), key=str.casefold)) or None

    @admin.display(description="Citations", ordering="citation_count")
    def citation_count(self, claim):
        return claim.citation_count

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
        if claim.has_unpublished_changes():
            return format_html(
                '<span class="unpublished-changes">{}</span>',
                "Yes: edits since the last approval are not public yet; a moderator approves them with “Correct”.",
            )
        return "No"

    @admin.display(description="Moderation log")
    def moderation_log(self, claim):
        return moderation_log_html(claim)

    # Permissions ---------------------------------------------------------------------------------

    def has_submit_permission(self, request):
        return request.user.has_perm(workflow.SUBMIT_PERMISSION)

    def has_moderate_permission(self, request):
        return request.user.has_perm(workflow.MODERATE_PERMISSION)

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

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        # Positions are unique per claim and rows are saved one by one, so swapping two citations
        # would collide halfway: moved rows are parked on free positions first.
        citations = formset.save(commit=False)
        for citation in formset.deleted_objects:
            citation.delete()
        moved = [citation.pk for citation, changed in formset.changed_objects if "position" in changed]
        if moved:
            top = max(Citation.objects.filter(claim=form.instance).values_list("position", flat=True), default=0)
            for offset, pk in enumerate(moved, start=1):
                Citation.objects.filter(pk=pk).update(position=top + offset)
        for citation in citations:
            citation.save()
        formset.save_m2m()

    # History: shown, never reverted -------------------------------------------------------------

    def revert_disabled(self, request, obj=None):
        # Reverting would write an old status back without the workflow and its log.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Claims are not reverted from their history; edit the claim instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Change page ---------------------------------------------------------------------------------

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
        if obj is not None and obj.pk:
            context["workflow"] = {
                "url": reverse("admin:editorial_claim_transition", args=[obj.pk]),
                "status": obj.get_status_display(),
                "published_at": obj.published_at,
                "unpublished_changes": obj.has_unpublished_changes(),
                "transitions": [workflow.TRANSITIONS[name] for name in obj.available_transitions(request.user)],
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

    # Extra views ---------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "moderation/",
                self.admin_site.admin_view(self.moderation_view),
                name="{}_{}_moderation".format(*info),
            ),
            path(
                "picker/revision/<int:source_id>/",
                self.admin_site.admin_view(self.picker_revision_view),
                name="{}_{}_picker_revision".format(*info),
            ),
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def apply_transition(self, request, claim, name, note):
        """Apply the transition ``name`` to ``claim`` as the request's user; report the outcome as a message.

        Return True when it was applied. A ``TransitionError`` (wrong status, missing note or
        citation, missing permission) becomes an error message naming the claim.
        """
        transition = workflow.TRANSITIONS.get(name)
        if transition is None:
            messages.error(request, f"“{name}” is not a workflow step.")
            return False
        try:
            event = getattr(claim, transition.name)(request.user, note)
        except TransitionError as error:
            messages.error(request, f"“{claim}”: {error}")
            return False
        self.log_change(
            request, claim, f"{event.get_action_display()}." + (f" Note: {event.note}" if event.note else "")
        )
        return True

    def transition_view(self, request, object_id):
        """Apply one workflow transition (POST: ``transition``, ``note``, optional ``next``) and go back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        if not self.has_view_or_change_permission(request, claim):
            raise PermissionDenied
        name = request.POST.get("transition", "")
        if self.apply_transition(request, claim, name, request.POST.get("note", "")):
            messages.success(request, f"“{claim}” is now {workflow.status_label(claim.status)}.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:editorial_claim_change", args=[claim.pk])
        return HttpResponseRedirect(target)

    def moderation_view(self, request):
        """The moderation queue: claims in review, longest waiting first, with their excerpts in context."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        submissions = ModerationEvent.objects.filter(
            claim=OuterRef("pk"), action=ModerationEvent.Action.SUBMIT
        ).order_by("-at", "-pk")
        claims = list(
            Claim.objects.awaiting_review()
            .select_related("speaker", "created_by")
            .annotate(
                submitted_at=Subquery(submissions.values("at")[:1]),
                submitted_by=Subquery(submissions.values("user__username")[:1]),
            )
            .prefetch_related(
                "tags",
                Prefetch(
                    "citations",
                    queryset=Citation.objects.select_related("revision__source")
                    .defer("revision__text", "revision__original")
                    .order_by("position", "pk"),
                ),
            )
            .order_by(F("submitted_at").asc(nulls_first=True), "created_at", "pk")
        )
        for claim in claims:
            for citation in claim.citations.all():
                citation.in_context = citation_in_context(citation)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Moderation queue",
            "subtitle": f"{len(claims)} claim{'s' if len(claims) != 1 else ''} in review",
            "claims": claims,
            "transitions": [workflow.TRANSITIONS[name] for name in REVIEW_TRANSITIONS],
            "queue_url": request.get_full_path(),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/editorial/claim/moderation_queue.html", context)

    def picker_revision_view(self, request, source_id):
        """Return the current revision of a source as JSON: ``{revision_id, number, label, text}``."""
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
                "revision_id": revision.pk,
                "number": revision.number,
                "label": f"“{source.title}”{publisher}, revision {revision.number}",
                "text": revision.text,
            }
        )

    # Bulk actions --------------------------------------------------------------------------------

    def transition_selected(self, request, queryset, name):
        """Ask for a note on a confirmation page, then apply transition ``name`` to each selected claim."""
        transition = workflow.TRANSITIONS[name]
        claims = list(queryset.order_by("pk"))
        if request.POST.get("post"):
            form = TransitionNoteForm(request.POST, transition=transition)
            if form.is_valid():
                done = [
                    claim for claim in claims if self.apply_transition(request, claim, name, form.cleaned_data["note"])
                ]
                if done:
                    count = len(done)
                    messages.success(
                        request,
                        f"{count} claim{'s' if count != 1 else ''} now {workflow.status_label(transition.target)}.",
                    )
                return None
        else:
            form = TransitionNoteForm(transition=transition)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{transition.verb.capitalize()} claims",
            "transition": transition,
            "action_name": f"{name}_selected",
            "claims": claims,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/editorial/claim/transition_selected.html", context)

    @admin.action(description="Submit selected claims for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        return self.transition_selected(request, queryset, "submit")

    @admin.action(description="Publish selected claims", permissions=["moderate"])
    def publish_selected(self, request, queryset):
        return self.transition_selected(request, queryset, "publish")

    @admin.action(description="Reject selected claims (with a note)", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        return self.transition_selected(request, queryset, "reject")

    @admin.action(description="Send selected claims back to draft (with a note)", permissions=["moderate"])
    def send_back_selected(self, request, queryset):
        return self.transition_selected(request, queryset, "send_back")

    def action_page(self, request, template, context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
                **context,
            },
        )

    @admin.action(description="Add selected claims to a set", permissions=["curate"])
    def add_to_set_selected(self, request, queryset):
        """Ask for a set (an existing one or a new title), then append the selected claims in list order.

        Claims already in the set are skipped; the message says how many were added and skipped.
        """
        claims = list(queryset.prefetch_related(None))
        if request.POST.get("post"):
            form = AddToClaimSetForm(request.POST, user=request.user)
            if form.is_valid():
                claim_set, created = form.chosen_set()
                note = form.cleaned_data["note"]
                with transaction.atomic():
                    present = set(claim_set.memberships.values_list("claim_id", flat=True))
                    added = [claim for claim in claims if claim.pk not in present]
                    for claim in added:
                        claim_set.add_claim(claim, note=note)
                if created:
                    self.log_addition(request, claim_set, [{"added": {}}])
                if added:
                    self.log_change(request, claim_set, f"Added {len(added)} claim(s) from the claim list.")
                skipped = len(claims) - len(added)
                text = format_html(
                    '{} claim{} added to <a href="{}">{}</a>{}.',
                    len(added),
                    "" if len(added) == 1 else "s",
                    reverse("admin:editorial_claimset_change", args=[claim_set.pk]),
                    claim_set,
                    f"; {skipped} skipped, already in the set" if skipped else "",
                )
                (messages.success if added else messages.warning)(request, text)
                return None
        else:
            form = AddToClaimSetForm(user=request.user)
        return self.action_page(
            request,
            "admin/editorial/claim/add_to_set.html",
            {"title": "Add claims to a set", "action_name": "add_to_set_selected", "claims": claims, "form": form},
        )

    @admin.action(description="Export selected claims (published ones only)", permissions=["view"])
    def export_selected(self, request, queryset):
        """Ask for a format, then download the published ones among the selected claims."""
        from editorial.exports import export_response

        claims = list(queryset.prefetch_related(None))
        selected = Claim.objects.filter(pk__in=[claim.pk for claim in claims])
        if request.POST.get("post"):
            form = ExportFormatForm(request.POST)
            if form.is_valid():
                return export_response(form.cleaned_data["format"], selected, filename="claims", request=request)
        else:
            form = ExportFormatForm()
        published = set(selected.published().values_list("pk", flat=True))
        return self.action_page(
            request,
            "admin/editorial/claim/export_selected.html",
            {
                "title": "Export claims",
                "action_name": "export_selected",
                "claims": [(claim, claim.pk in published) for claim in claims],
                "published_count": len(published),
                "form": form,
            },
        )

    @admin.action(description="Delete selected claims", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's delete confirmation, for the selected claims the user may delete (``Claim.can_delete``)."""
        claims = list(queryset)
        deletable = [claim.pk for claim in claims if claim.can_delete(request.user)]
        refused = [claim for claim in claims if claim.pk not in deletable]
        if refused and not request.POST.get("post"):
            messages.warning(
                request,
                "Not deleted: "
                + "; ".join(f"“{claim}”" for claim in refused)
                + ". Claims that have been public are retracted, not deleted; editors delete only their own drafts.",
            )
        if not deletable:
            return None
        return delete_selected_objects(self, request, Claim.objects.filter(pk__in=deletable))


# Claim sets --------------------------------------------------------------------------------------


class ClaimSetMembershipForm(forms.ModelForm):
    class Meta:
        model = ClaimSetMembership
        fields = ["position", "claim", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = "Order in the set: 1 comes first. Left blank, the claim goes last."


class ClaimSetMembershipInline(admin.TabularInline):
    model = ClaimSetMembership
    form = ClaimSetMembershipForm
    autocomplete_fields = ["claim"]
    ordering = ["position", "pk"]
    extra = 1
    verbose_name = "claim"
    verbose_name_plural = "Claims, in order"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim")


@admin.register(ClaimSet)
class ClaimSetAdmin(admin.ModelAdmin):
    list_display = ["title", "is_public", "curator", "claim_count", "published_count"]
    list_filter = ["is_public"]
    list_select_related = ["curator"]
    search_fields = ["title"]
    # Explicit: the claim count's GROUP BY drops the model's default ordering.
    ordering = ["title", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "description", "is_public", "curator", "exports", "created_at", "modified_at"]
    readonly_fields = ["exports", "created_at", "modified_at"]
    inlines = [ClaimSetMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_published_count().annotate(claim_count=Count("memberships"))

    def get_changeform_initial_data(self, request):
        return {"curator": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description="Claims", ordering="claim_count")
    def claim_count(self, claim_set):
        return claim_set.claim_count

    @admin.display(description="Published claims", ordering="published_count")
    def published_count(self, claim_set):
        return claim_set.published_count

    @admin.display(description="Exports")
    def exports(self, claim_set):
        from editorial.exports import EXPORTERS

        if claim_set.pk is None:
            return "Save the set to export it."
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:editorial_claimset_export", args=[claim_set.pk, name]), getattr(module, "LABEL", name))
                for name, module in EXPORTERS.items()
            ),
        )
        public = (
            format_html(' <a href="{}">Public page</a>.', claim_set.get_absolute_url()) if claim_set.is_public else ""
        )
        return format_html(
            "{}<div class=\"help\">Exports hold the set's published claims only, in the set's order and their "
            "approved versions, as readers get them; drafts, claims in review and unapproved edits are left "
            "out.{}</div>",
            links,
            public,
        )

    def save_model(self, request, obj, form, change):
        if not change and obj.curator_id is None:
            obj.curator = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ClaimSetMembership:
            return super().save_formset(request, form, formset, change)
        # Positions are unique per set and rows are saved one by one, so reordering would collide
        # halfway: moved rows are parked on free positions first, and new rows go last.
        claim_set = form.instance
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        moved = [membership.pk for membership, changed in formset.changed_objects if "position" in changed]
        stored = dict(ClaimSetMembership.objects.filter(claim_set=claim_set).values_list("pk", "position"))
        if moved:
            top = max(stored.values(), default=0)
            for offset, pk in enumerate(moved, start=1):
                ClaimSetMembership.objects.filter(pk=pk).update(position=top + offset)
        kept = {pk: position for pk, position in stored.items() if pk not in moved}
        wanted = [membership.position for membership in memberships if membership.position is not None]
        following = max([*kept.values(), *wanted], default=0) + 1
        for membership in sorted(memberships, key=lambda membership: membership.pk is None):
            if membership.position is None:
                membership.position = following
                following += 1
            membership.save()
        formset.save_m2m()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/export/<slug:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id, fmt):
        """Download the set's published claims as ``fmt``; an unknown format is reported, not a 500."""
        from editorial.exports import UnknownFormat, export_response

        claim_set = self.get_object(request, unquote(object_id))
        if claim_set is None:
            raise Http404("No such claim set.")
        if not self.has_view_or_change_permission(request, claim_set):
            raise PermissionDenied
        try:
            return export_response(
                fmt, claim_set.published_claims(), filename=claim_set.slug, request=request, claim_set=claim_set
            )
        except UnknownFormat as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:editorial_claimset_change", args=[claim_set.pk]))


# The admin index links to the moderation queue (for moderators) through this template, unless
# another app has already given the site its own index template.
if admin.site.index_template is None:
    admin.site.index_template = "admin/editorial/index.html"


class SourceAdminWithClaims(SourceAdmin):
    """The sources app's admin page for a source, plus the claims citing it and their anchor states.

    The sources app knows nothing of claims (data flows one way, sources → editorial), so the
    editorial app extends its admin here rather than the sources admin importing editorial code.
    """

    fieldsets = [*SourceAdmin.fieldsets, ("Claims citing this source", {"fields": ["citing_claims"]})]
    readonly_fields = [*SourceAdmin.readonly_fields, "citing_claims"]

    @admin.display(description="Claims")
    def citing_claims(self, source):
        if source is None or source.pk is None:
            return "—"
        return citing_claims_html(source)


admin.site.unregister(Source)
admin.site.register(Source, SourceAdminWithClaims)
