"""The claim list's bulk actions: workflow transitions, adding to a set, exporting, deleting.

Each is a function of ``(modeladmin, request, queryset)``, as Django's own ``delete_selected``, and
each but the deletion first shows a confirmation page (``action_page``) that posts the selection
back with ``post=yes``.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as delete_selected_objects
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from editorial import workflow
from editorial.admin.display import claims_count
from editorial.admin.forms import AddToClaimSetForm, ExportFormatForm, TransitionNoteForm
from editorial.admin.pages import admin_page
from editorial.models import Claim


def action_page(modeladmin, request, template, context):
    """Render the confirmation page of a bulk action, with the selection's checkbox name for its inputs."""
    return admin_page(modeladmin, request, template, {"action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, **context})


def transition_selected(modeladmin, request, queryset, name):
    """Ask for a note on a confirmation page, then apply transition ``name`` to each selected claim."""
    transition = workflow.TRANSITIONS[name]
    claims = list(queryset.order_by("pk"))
    if request.POST.get("post"):
        form = TransitionNoteForm(request.POST, transition=transition)
        if form.is_valid():
            done = [
                claim
                for claim in claims
                if modeladmin.apply_transition(request, claim, name, form.cleaned_data["note"])
            ]
            if done:
                messages.success(request, f"{claims_count(len(done))} now {workflow.status_label(transition.target)}.")
            return None
    else:
        form = TransitionNoteForm(transition=transition)
    return action_page(
        modeladmin,
        request,
        "admin/editorial/claim/transition_selected.html",
        {
            "title": f"{transition.verb.capitalize()} claims",
            "transition": transition,
            "action_name": f"{name}_selected",
            "claims": claims,
            "form": form,
        },
    )


@admin.action(description="Submit selected claims for review", permissions=["submit"])
def submit_selected(modeladmin, request, queryset):
    return transition_selected(modeladmin, request, queryset, "submit")


@admin.action(description="Publish selected claims", permissions=["moderate"])
def publish_selected(modeladmin, request, queryset):
    return transition_selected(modeladmin, request, queryset, "publish")


@admin.action(description="Reject selected claims (with a note)", permissions=["moderate"])
def reject_selected(modeladmin, request, queryset):
    return transition_selected(modeladmin, request, queryset, "reject")


@admin.action(description="Send selected claims back to draft (with a note)", permissions=["moderate"])
def send_back_selected(modeladmin, request, queryset):
    return transition_selected(modeladmin, request, queryset, "send_back")


@admin.action(description="Add selected claims to a set", permissions=["curate"])
def add_to_set_selected(modeladmin, request, queryset):
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
                modeladmin.log_addition(request, claim_set, [{"added": {}}])
            if added:
                modeladmin.log_change(request, claim_set, f"Added {len(added)} claim(s) from the claim list.")
            skipped = len(claims) - len(added)
            text = format_html(
                '{} added to <a href="{}">{}</a>{}.',
                claims_count(len(added)),
                reverse("admin:editorial_claimset_change", args=[claim_set.pk]),
                claim_set,
                f"; {skipped} skipped, already in the set" if skipped else "",
            )
            (messages.success if added else messages.warning)(request, text)
            return None
    else:
        form = AddToClaimSetForm(user=request.user)
    return action_page(
        modeladmin,
        request,
        "admin/editorial/claim/add_to_set.html",
        {"title": "Add claims to a set", "action_name": "add_to_set_selected", "claims": claims, "form": form},
    )


@admin.action(description="Export selected claims (published ones only)", permissions=["view"])
def export_selected(modeladmin, request, queryset):
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
    return action_page(
        modeladmin,
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
def delete_selected(modeladmin, request, queryset):
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
    return delete_selected_objects(modeladmin, request, Claim.objects.filter(pk__in=deletable))
