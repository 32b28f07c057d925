"""The sources app's admin page for a source, plus the claims citing it and their anchor states.

The sources app knows nothing of claims (data flows one way, sources → editorial), so the editorial
app extends its admin here, re-registering ``Source``, rather than the sources admin importing
editorial code.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from editorial.admin.display import anchor_html, citation_in_context
from editorial.admin.suggestions import SuggestedClaimsMixin
from editorial.models import Citation
from sources.admin import SourceAdmin
from sources.models import Source


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


class SourceAdminWithClaims(SuggestedClaimsMixin, SourceAdmin):
    """``SourceAdmin`` with a last section listing the claims that cite the source, and its suggested claims."""

    fieldsets = [*SourceAdmin.fieldsets, ("Claims citing this source", {"fields": ["citing_claims"]})]
    readonly_fields = [*SourceAdmin.readonly_fields, "citing_claims"]

    @admin.display(description="Claims")
    def citing_claims(self, source):
        if source is None or source.pk is None:
            return "—"
        return citing_claims_html(source)


admin.site.unregister(Source)
admin.site.register(Source, SourceAdminWithClaims)
