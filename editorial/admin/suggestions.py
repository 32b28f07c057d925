"""The "Suggested claims" panel of a source's admin page, and the views that make draft claims of them.

The panel lists the suggestions of the source's current revision in text order, each passage
highlighted in its context, with its speaker (an existing speaker when one matches, case and
diacritics folded, else "new"), its kind and confidence, and a "Create draft claim" button; a
suggestion a citation already overlaps is shown as cited, with its claims. Ticking several and
"Create draft claims for the selected" makes them in one go. The panel sits inside the source's
change form, so its buttons post that form (with its CSRF token) to these views by ``formaction``.
Making claims needs ``editorial.add_claim``; everything shown is escaped.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from editorial import anchoring
from editorial.admin.display import claims_count, excerpt_in_context
from editorial.admin.pages import admin_url
from editorial.models import Citation, Speaker, SuggestedClaim
from editorial.suggestions.store import create_draft_claim, fold, statement_of, suggestions_for
from sources.models import Source

ADD_CLAIM = "editorial.add_claim"
# How much of the text either side of a passage the panel shows.
PANEL_CONTEXT = 60


def suggested_claims_html(source, *, can_create):
    """Return the panel for ``source``'s current revision as HTML (everything escaped)."""
    revision = source.current_revision
    if revision is None:
        return format_html('<p class="suggested-claims-empty">{}</p>', "No revision captured yet.")
    suggestions = suggestions_for(revision)
    if not suggestions:
        return format_html(
            '<p class="suggested-claims-empty">{}</p>', "No quotations or reported statements found in this revision."
        )
    citations = list(Citation.objects.filter(revision=revision).select_related("claim").order_by("start", "pk"))
    speakers = {fold(name): name for name in Speaker.objects.values_list("name", flat=True)}
    rows = format_html_join(
        "\n", "{}", ((_row(item, revision.text, citations, speakers, can_create),) for item in suggestions)
    )
    bulk = ""
    if can_create:
        bulk = format_html(
            '<p><button type="submit" class="button" formmethod="post" formaction="{}" formnovalidate '
            'name="create_selected" value="1">{}</button></p>',
            reverse("admin:sources_source_create_drafts", args=[source.pk]),
            "Create draft claims for the selected",
        )
    return format_html(
        '<p class="help">{}</p><table class="suggested-claims citing-claims"><thead><tr><th></th><th>Passage</th>'
        "<th>Speaker</th><th>Kind</th><th></th></tr></thead><tbody>{}</tbody></table>{}",
        f"Found in revision {revision.number}, in text order. A draft claim gets the passage as its statement "
        "(edit it there), the speaker, and the passage cited.",
        rows,
        bulk,
    )


def _row(suggestion, text, citations, speakers, can_create):
    citing = [citation for citation in citations if suggestion.is_cited_by([citation])]
    prefix, suffix = anchoring.context(text, suggestion.start, suggestion.end, PANEL_CONTEXT)
    known = speakers.get(fold(suggestion.speaker))
    speaker = format_html(
        '{}<div class="help">{}</div>',
        known or suggestion.speaker,
        " — ".join(
            part for part in (suggestion.speaker_description, "existing speaker" if known else "new speaker") if part
        ),
    )
    if citing:
        action = format_html(
            '<span class="suggested-claim-cited">Cited by {}</span>',
            format_html_join(
                ", ",
                '<a href="{}">claim {}</a>',
                ((reverse("admin:editorial_claim_change", args=[c.claim_id]), c.claim_id) for c in citing),
            ),
        )
        checkbox = ""
    elif can_create:
        action = format_html(
            '<button type="submit" class="button" formmethod="post" formaction="{}" formnovalidate '
            'name="suggestion" value="{}">Create draft claim</button>',
            reverse("admin:sources_source_create_drafts", args=[suggestion.revision.source_id]),
            suggestion.pk,
        )
        checkbox = format_html(
            '<input type="checkbox" name="selected_suggestion" value="{}" aria-label="Select this suggestion">',
            suggestion.pk,
        )
    else:
        action, checkbox = "", ""
    return format_html(
        '<tr id="suggestion-{}" data-start="{}" data-end="{}"><td>{}</td><td>{}</td><td>{}</td>'
        '<td>{}<div class="help">{}</div></td><td>{}</td></tr>',
        suggestion.pk,
        suggestion.start,
        suggestion.end,
        checkbox,
        excerpt_in_context(prefix, suggestion.excerpt, suffix),
        speaker,
        suggestion.get_kind_display(),
        f"{suggestion.confidence:.0%} sure",
        action,
    )


class SuggestedClaimsMixin:
    """For the source admin: the panel on the change page, and the view its buttons post to.

    The panel is rendered by ``admin/editorial/source/change_form.html`` from the context, inside
    the change form (its buttons post with the form's CSRF token).
    """

    change_form_template = "admin/editorial/source/change_form.html"

    def get_urls(self):
        return [
            admin_url(self, "<int:source_id>/suggestions/create/", self.create_drafts_view, "create_drafts"),
            admin_url(self, "<int:source_id>/suggestions/", self.suggestions_json_view, "suggestions"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["suggested_claims_panel"] = suggested_claims_html(obj, can_create=request.user.has_perm(ADD_CLAIM))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def create_drafts_view(self, request, source_id):
        return _create_drafts(request, source_id, model_admin=self)

    def suggestions_json_view(self, request, source_id):
        """Return the suggestions of a source's current revision as JSON, for the claim page's citation picker."""
        source = get_object_or_404(Source.objects.select_related("current_revision"), pk=source_id)
        if not self.has_view_or_change_permission(request, source):
            raise PermissionDenied
        return JsonResponse(suggestions_json(source))


def suggestions_json(source):
    """Return what the citation picker shows of ``source``'s suggestions: each with what a citation row needs."""
    revision = source.current_revision
    if revision is None:
        return {"source_id": source.pk, "revision_number": None, "suggestions": []}
    suggestions = suggestions_for(revision)
    citations = list(Citation.objects.filter(revision=revision).only("revision_id", "start", "end"))
    speakers = {fold(name): (pk, name) for pk, name in Speaker.objects.values_list("pk", "name")}
    items = []
    for suggestion in suggestions:
        prefix, suffix = anchoring.context(revision.text, suggestion.start, suggestion.end)
        speaker_id, speaker_name = speakers.get(fold(suggestion.speaker), (None, suggestion.speaker))
        items.append(
            {
                "id": suggestion.pk,
                "speaker": speaker_name,
                "speaker_id": speaker_id,
                "speaker_description": suggestion.speaker_description,
                "kind": suggestion.get_kind_display(),
                "confidence": suggestion.confidence,
                "excerpt": suggestion.excerpt,
                "start": suggestion.start,
                "end": suggestion.end,
                "prefix": prefix,
                "suffix": suffix,
                "statement": statement_of(suggestion),
                "cited": suggestion.is_cited_by(citations),
            }
        )
    return {"source_id": source.pk, "revision_number": revision.number, "suggestions": items}


@require_POST
def _create_drafts(request, source_id, *, model_admin):
    """Make draft claims of the posted suggestions: the one whose button was pressed, or the ticked ones."""
    if not request.user.has_perm(ADD_CLAIM):
        raise PermissionDenied
    source = get_object_or_404(Source, pk=source_id)
    if not model_admin.has_view_or_change_permission(request, source):
        raise PermissionDenied
    # The row's button posts its own suggestion; the bulk button the ticked ones.
    pressed = request.POST.get("suggestion") if "create_selected" not in request.POST else None
    wanted = [pressed] if pressed else request.POST.getlist("selected_suggestion")
    ids = [int(value) for value in wanted if value.isdigit()]
    source_url = reverse("admin:sources_source_change", args=[source.pk])
    if not ids:
        messages.warning(request, "Select the suggestions to make draft claims of first.")
        return HttpResponseRedirect(source_url)
    suggestions = list(
        SuggestedClaim.objects.filter(pk__in=ids, revision__source=source).select_related("revision").in_text_order()
    )
    citations = list(Citation.objects.filter(revision__source=source).only("revision_id", "start", "end"))
    fresh = [suggestion for suggestion in suggestions if not suggestion.is_cited_by(citations)]
    skipped = len(ids) - len(fresh)
    with transaction.atomic():
        claims = [create_draft_claim(suggestion=suggestion, user=request.user) for suggestion in fresh]
    if skipped:
        messages.warning(
            request, f"{claims_count(skipped)} left alone: already cited, or not suggested for this source."
        )
    if len(claims) == 1 and pressed:
        messages.success(request, "Draft claim created from the suggestion: edit its statement, then save.")
        return HttpResponseRedirect(reverse("admin:editorial_claim_change", args=[claims[0].pk]))
    if claims:
        messages.success(request, f"{claims_count(len(claims))} created as drafts.")
    return HttpResponseRedirect(source_url)
