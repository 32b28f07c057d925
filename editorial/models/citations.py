"""Citations: verbatim excerpts of one revision of a source, backing a claim."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Max, Q
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from editorial import anchoring
from editorial.anchoring import CHANGED_STATES, AnchorState, ExcerptError
from sources.models import Revision, StorableTextMixin


class Citation(StorableTextMixin, models.Model):
    """A verbatim excerpt of one revision of a source, backing a claim.

    ``revision.text[start:end] == excerpt`` always holds: ``save()`` refuses anything else. Offsets
    are Unicode code points. The citation keeps pointing at the revision it quoted, which can never
    be deleted; the anchor fields record where the passage sits in the source's newest revision.
    """

    AnchorState = AnchorState
    # The source changed since the passage was quoted ("claims whose source changed").
    CHANGED_STATES = CHANGED_STATES

    claim = models.ForeignKey("editorial.Claim", on_delete=models.CASCADE, related_name="citations")
    revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="The exact captured version of the source quoted; it can never be deleted.",
    )
    excerpt = models.TextField(help_text="The passage exactly as printed in the revision.")
    start = models.PositiveIntegerField(
        blank=True, help_text="Offset of the first character in the revision text (code points, from 0)."
    )
    end = models.PositiveIntegerField(blank=True, help_text="Offset just after the last character (code points).")
    prefix = models.CharField(
        max_length=anchoring.CONTEXT_LENGTH, blank=True, editable=False, help_text="The text just before the excerpt."
    )
    suffix = models.CharField(
        max_length=anchoring.CONTEXT_LENGTH, blank=True, editable=False, help_text="The text just after the excerpt."
    )
    note = models.TextField(blank=True, help_text="What the passage shows, if it needs saying; shown publicly.")
    position = models.PositiveIntegerField(
        blank=True, help_text="Order among the claim's citations; new citations go last."
    )
    anchor_state = models.CharField(
        max_length=10,
        choices=AnchorState.choices,
        default=AnchorState.CURRENT,
        editable=False,
        help_text="Where the passage stands in the source's newest revision.",
    )
    anchored_revision = models.ForeignKey(
        Revision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="anchored_citations",
        help_text="The newest revision the passage was checked against.",
    )
    anchored_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    anchored_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    anchor_score = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="Similarity 0–100 of the passage found (100: identical)."
    )
    anchor_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="citation_start_not_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="citation_end_after_start"),
            models.UniqueConstraint(fields=["claim", "position"], name="citation_unique_position"),
            models.CheckConstraint(
                condition=Q(anchor_state__in=AnchorState.values), name="citation_anchor_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(anchor_score__isnull=True) | Q(anchor_score__gte=0, anchor_score__lte=100),
                name="citation_anchor_score_range",
            ),
            models.CheckConstraint(
                condition=Q(anchored_start__isnull=True, anchored_end__isnull=True)
                | Q(anchored_end__gt=F("anchored_start")),
                name="citation_anchored_span",
            ),
        ]
        indexes = [
            models.Index(fields=["anchor_state"], name="citation_anchor_state_idx"),
        ]

    def __str__(self):
        return f"“{Truncator(self.excerpt).chars(60)}” ({self.start}–{self.end})"

    def save(self, *args, **kwargs):
        """Refuse an excerpt that is not at its offsets; derive the context and, for a new row, the position.

        The anchor against the source's newest revision needs that text: citations made by editors
        and imports are saved through ``editorial.services.citations.save_citation``.
        """
        self.check_excerpt()
        self.prefix, self.suffix = anchoring.context(self.revision.text, self.start, self.end)
        if self.position is None:
            self.position = (
                Citation.objects.filter(claim_id=self.claim_id).aggregate(last=Max("position"))["last"] or 0
            ) + 1
        super().save(*args, **kwargs)

    def clean(self):
        """Locate the excerpt in the revision (leniently, see ``locate_excerpt``) and fill in the offsets.

        An editor may leave start and end empty when the passage occurs once; the excerpt becomes the
        source's own characters.
        """
        if self.revision_id is None or not self.excerpt:
            return
        try:
            match = anchoring.locate_excerpt(self.revision.text, self.excerpt, start=self.start, end=self.end)
        except ExcerptError as error:
            raise ValidationError({"excerpt": error}) from error
        self.start, self.end, self.excerpt = match

    def check_excerpt(self):
        """Raise ``ValidationError`` unless ``revision.text[start:end] == excerpt`` for a non-empty span."""
        if self.start is None or self.end is None:
            raise ValidationError("A citation needs its start and end offsets; locate the excerpt first (cite()).")
        text = self.revision.text
        if not 0 <= self.start < self.end <= len(text):
            raise ValidationError(
                f"Offsets {self.start}–{self.end} do not fit revision {self.revision.number} of "
                f"“{self.revision.source}”, which has {len(text)} characters (code points); "
                "the end must come after the start."
            )
        held = text[self.start : self.end]
        if held != self.excerpt:
            raise ValidationError(
                f"The excerpt does not match revision {self.revision.number} of “{self.revision.source}” "
                f"at {self.start}–{self.end}: the text there is “{Truncator(held).chars(80)}”, the excerpt "
                f"is “{Truncator(self.excerpt).chars(80)}”."
            )

    def has_changed_source(self):
        return self.anchor_state in self.CHANGED_STATES
