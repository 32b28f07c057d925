"""The moderation log: every step of a claim through moderation, append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from editorial.services.moderation import actor_name
from editorial.workflow import ClaimStatus

__all__ = ["ModerationEvent", "ModerationEventImmutableError", "ModerationEventQuerySet", "actor_name"]


class ModerationEventImmutableError(Exception):
    """Raised when code tries to change or delete a moderation event: the log is append-only."""


class ModerationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ModerationEventImmutableError("The moderation log is append-only: events cannot be changed.")

    def delete(self):
        raise ModerationEventImmutableError("The moderation log is append-only: events cannot be deleted.")


class ModerationEvent(models.Model):
    """One step of a claim through moderation: who, when, from which status to which, and why.

    Append-only: saving an existing event or deleting one raises ``ModerationEventImmutableError``.
    The events go only with their claim, and only claims never made public can be deleted.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submitted for review"
        PUBLISH = "publish", "Published"
        REJECT = "reject", "Rejected"
        SEND_BACK = "send_back", "Sent back to draft"
        CORRECT = "correct", "Corrected"
        RETRACT = "retract", "Retracted"
        RESTORE = "restore", "Status restored by an import"
        IMPORT = "import", "Imported; stated status not restored"
        SUBMIT_CHANGES = "submit_changes", "Changes submitted for approval"
        DECLINE_CHANGES = "decline_changes", "Changes declined"

    # db_index=False: moderationevent_claim_at_idx (claim, at) leads with it.
    claim = models.ForeignKey(
        "editorial.Claim", on_delete=models.CASCADE, related_name="moderation_events", db_index=False
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
    )
    actor = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who acted, as text: the username (kept if the account is deleted) or the command-line operator.",
    )
    note = models.TextField(blank=True, help_text="Why; corrections' and retractions' notes are shown publicly.")
    at = models.DateTimeField(default=timezone.now)
    public_version = models.JSONField(
        null=True, blank=True, help_text="The public version this event approved (publish, correct, restore)."
    )

    objects = ModerationEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["claim", "at"], name="moderationevent_claim_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} — {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ModerationEventImmutableError("The moderation log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ModerationEventImmutableError("The moderation log is append-only: events cannot be deleted.")
