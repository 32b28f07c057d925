"""Moderation in the admin: the log of every step, the queue of claims in review, the transition buttons.

``ModerationEventAdmin`` shows the log across all claims. ``ClaimModerationMixin`` gives the claim
admin its workflow: who may submit and who may moderate, the transition view that the claim page's
buttons and the queue's post to (``<id>/transition/``), the moderation queue (``moderation/``: claims
in review, then public claims whose edits await approval), and ``apply_transition``, which the bulk
actions use too.

Every workflow change goes through the ``Claim`` transition methods; a ``TransitionError`` becomes an
error message naming the claim, never a server error.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from editorial import anchoring, workflow
from editorial.admin.changes import changed_labels, changes_state, offered_transitions
from editorial.admin.display import citation_in_context, claim_display_prefetches, claims_count, excerpt_in_context
from editorial.admin.pages import admin_page, admin_url, viewable_object
from editorial.admin.similar import mark_likely_duplicates
from editorial.models import AnchorState, Citation, Claim, ModerationEvent, TransitionError

# Transitions a moderator makes on claims in review, in the order their buttons appear.
REVIEW_TRANSITIONS = ("publish", "reject", "send_back")

# The most "source changed" citations the queue lists at once, most recently re-anchored first.
SOURCE_CHANGED_LIMIT = 200

# What the transition view says once a step that keeps the claim's status is done.
DONE = {
    "submit_changes": "The changes to “{claim}” await a moderator's approval; readers see the approved version.",
    "decline_changes": (
        "The changes to “{claim}” are declined; readers keep the approved version, and the editor sees your note."
    ),
}


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


def source_changed_citations(limit=SOURCE_CHANGED_LIMIT):
    """Return the citations of published claims whose passage the source's newest revision holds only
    fuzzily or not at all, most recently re-anchored first, each with ``old_passage`` and
    ``new_passage`` (``None`` when orphaned) in their context, for the queue's side-by-side view.
    """
    citations = list(
        Citation.objects.filter(
            claim__in=Claim.objects.published(), anchor_state__in=(AnchorState.FUZZY, AnchorState.ORPHANED)
        )
        .select_related("claim__speaker", "revision__source", "anchored_revision")
        .order_by(F("anchor_checked_at").desc(nulls_last=True), "pk")[:limit]
    )
    for citation in citations:
        citation.old_passage = citation_in_context(citation)
        newest, start, end = citation.anchored_revision, citation.anchored_start, citation.anchored_end
        citation.new_passage = None
        if newest is not None and start is not None and end is not None:
            prefix, suffix = anchoring.context(newest.text, start, end)
            citation.new_passage = excerpt_in_context(prefix, newest.text[start:end], suffix)
    return citations


class ClaimModerationMixin:
    """The claim admin's workflow: its permissions, the transition view, the queue and the claim page's buttons."""

    def has_submit_permission(self, request):
        return request.user.has_perm(workflow.SUBMIT_PERMISSION)

    def has_moderate_permission(self, request):
        return request.user.has_perm(workflow.MODERATE_PERMISSION)

    def get_urls(self):
        return [
            admin_url(self, "moderation/", self.moderation_view, "moderation"),
            admin_url(self, "<path:object_id>/transition/", self.transition_view, "transition"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            state = changes_state(obj)
            context["workflow"] = {
                "url": reverse("admin:editorial_claim_transition", args=[obj.pk]),
                "changes_url": reverse("admin:editorial_claim_changes", args=[obj.pk]),
                "status": obj.get_status_display(),
                "published_at": obj.published_at,
                "unpublished_changes": state.unapproved,
                "changes": state,
                "transitions": offered_transitions(obj, request.user, state),
            }
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

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
        claim = viewable_object(self, request, object_id)
        name = request.POST.get("transition", "")
        if self.apply_transition(request, claim, name, request.POST.get("note", "")):
            messages.success(
                request,
                DONE.get(name, "“{claim}” is now {status}.").format(
                    claim=claim, status=workflow.status_label(claim.status)
                ),
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:editorial_claim_change", args=[claim.pk])
        return HttpResponseRedirect(target)

    def moderation_view(self, request):
        """The moderation queue: claims in review, longest waiting first, with their excerpts in context;
        then the public claims whose edits await approval, longest waiting first, with what changed.
        Each is flagged when it likely duplicates another claim.
        """
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
            .prefetch_related(*claim_display_prefetches())
            .order_by(F("submitted_at").asc(nulls_first=True), "created_at", "pk")
        )
        for claim in claims:
            for citation in claim.citations.all():
                citation.in_context = citation_in_context(citation)
        changed = list(
            Claim.objects.changes_awaiting_approval().select_related("speaker").order_by("changes_submitted_at", "pk")
        )
        for claim in changed:
            claim.changed_labels = changed_labels(claim)
        mark_likely_duplicates([*claims, *changed])
        source_changed = source_changed_citations()
        return admin_page(
            self,
            request,
            "admin/editorial/claim/moderation_queue.html",
            {
                "title": "Moderation queue",
                "subtitle": (
                    f"{claims_count(len(claims))} in review, {len(changed)} with changes awaiting approval, "
                    f"{len(source_changed)} citation{'s' if len(source_changed) != 1 else ''} whose source changed"
                ),
                "claims": claims,
                "changed_claims": changed,
                "source_changed": source_changed,
                "transitions": [workflow.TRANSITIONS[name] for name in REVIEW_TRANSITIONS],
                "queue_url": request.get_full_path(),
            },
        )
