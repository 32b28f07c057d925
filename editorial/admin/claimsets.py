"""The claim set admin: a set's members ordered inline, and links to the set's exports.

Exports, like every export reachable over HTTP, hold published claims only
(``exports.export_response``).
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from editorial.admin.display import annotation_column
from editorial.admin.forms import ClaimSetMembershipForm, export_format_choices
from editorial.admin.pages import admin_url, viewable_object
from editorial.admin.positions import park_moved_rows
from editorial.models import ClaimSet, ClaimSetMembership


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

    claim_count = annotation_column("claim_count", "Claims")
    published_count = annotation_column("published_count", "Published claims")

    def get_queryset(self, request):
        return super().get_queryset(request).with_published_count().annotate(claim_count=Count("memberships"))

    def get_changeform_initial_data(self, request):
        return {"curator": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description="Exports")
    def exports(self, claim_set):
        if claim_set.pk is None:
            return "Save the set to export it."
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:editorial_claimset_export", args=[claim_set.pk, name]), label)
                for name, label in export_format_choices()
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
        memberships = formset.save(commit=False)
        kept = park_moved_rows(formset, ClaimSetMembership.objects.filter(claim_set=form.instance))
        # Rows left without a position go last: stored rows first, then new ones, in the form's order.
        wanted = [membership.position for membership in memberships if membership.position is not None]
        following = max([*kept.values(), *wanted], default=0) + 1
        for membership in sorted(memberships, key=lambda membership: membership.pk is None):
            if membership.position is None:
                membership.position = following
                following += 1
            membership.save()
        formset.save_m2m()

    def get_urls(self):
        return [
            admin_url(self, "<path:object_id>/export/<slug:fmt>/", self.export_view, "export"),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id, fmt):
        """Download the set's published claims as ``fmt``; an unknown format is reported, not a 500."""
        from editorial.exports import UnknownFormat, export_response

        claim_set = viewable_object(self, request, object_id)
        try:
            return export_response(
                fmt, claim_set.published_claims(), filename=claim_set.slug, request=request, claim_set=claim_set
            )
        except UnknownFormat as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:editorial_claimset_change", args=[claim_set.pk]))
