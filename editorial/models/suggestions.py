"""Suggested claims: the quotations and reported statements the attributor found in a revision.

Computed when a revision is captured (``editorial.suggestions.store``) and stored, so that the
source's page costs nothing to open; recomputed by ``manage.py suggest_claims``. A suggestion is
*cited* when a citation of the same revision overlaps its passage — computed, never stored, so a
claim made by hand from the same passage counts too.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.text import Truncator

from editorial.choices import SpeakerKind
from sources.models import Revision


class SuggestedClaimQuerySet(models.QuerySet):
    def in_text_order(self):
        return self.order_by("revision_id", "start", "end", "pk")


class SuggestedClaim(models.Model):
    """A passage of one revision (``revision.text[start:end] == excerpt``) and who said it."""

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct quotation"
        REPORTED = "reported", "Reported statement"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="suggested_claims")
    speaker = models.CharField(max_length=200, help_text="Who said it, as the text names them (full name).")
    speaker_description = models.CharField(
        max_length=300, blank=True, help_text="Who they are, when the text says: “chair of the union”."
    )
    speaker_kind = models.CharField(
        max_length=20,
        choices=SpeakerKind.choices,
        default=SpeakerKind.PERSON,
        help_text="What the speaker would be created as when no speaker of that name exists.",
    )
    excerpt = models.TextField(help_text="The passage exactly as printed in the revision.")
    start = models.PositiveIntegerField(help_text="Offset of the first character (code points, from 0).")
    end = models.PositiveIntegerField(help_text="Offset just after the last character (code points).")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    confidence = models.FloatField(help_text="How sure the attributor is, from 0 to 1.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestedClaimQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggested_claim_end_after_start"),
            models.CheckConstraint(condition=Q(kind__in=["direct", "reported"]), name="suggested_claim_kind_valid"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="suggested_claim_confidence_range"
            ),
            models.UniqueConstraint(fields=["revision", "start", "end", "kind"], name="suggested_claim_unique_span"),
        ]

    def __str__(self):
        return f"{self.speaker}: “{Truncator(self.excerpt).chars(60)}” ({self.start}–{self.end})"

    def is_cited_by(self, citations):
        """Return True when one of ``citations`` (of this revision) overlaps the passage."""
        return any(
            citation.revision_id == self.revision_id and citation.start < self.end and self.start < citation.end
            for citation in citations
        )
