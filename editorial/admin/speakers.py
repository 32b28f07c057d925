"""The speaker admin: who claims are attributed to, with how many claims each."""

from django.contrib import admin
from django.db.models import Count

from editorial.admin.display import annotation_column
from editorial.models import Speaker


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description", "claim_count"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    # Explicit: the claim count's GROUP BY drops the model's default ordering.
    ordering = ["name"]
    fields = ["name", "kind", "description", "slug", "created_at", "modified_at"]
    readonly_fields = ["slug", "created_at", "modified_at"]

    claim_count = annotation_column("claim_count", "Claims")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))
