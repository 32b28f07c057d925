"""Claims, their visibility rule, and the relations between them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from editorial import workflow
from editorial.anchoring import CHANGED_STATES
from editorial.choices import RelationKind, Verdict
from editorial.models.moderation import ModerationEvent
from editorial.models.speakers import Speaker
from editorial.public.version import STATEMENT_SLUG_LENGTH, PublicVersion, statement_slug
from editorial.services import moderation
from editorial.workflow import LISTED_STATUSES, PUBLIC_STATUSES, ClaimStatus
from sources.models import StorableTextMixin

# A statement is one sentence a reader can check; 2,000 characters leaves room for a long quoted one.
STATEMENT_MAX_LENGTH = 2000


class ClaimQuerySet(models.QuerySet):
    """Visibility, written once. Public code starts from ``published()`` or ``publicly_visible()``."""

    def with_status(self, *statuses):
        return self.filter(status__in=statuses)

    def approved(self):
        """Return the claims a moderator has approved a public version of (publish or correct)."""
        return self.filter(public_snapshot__isnull=False)

    def published(self):
        """Return the claims listed publicly: published or corrected, with an approved public version.

        Lists, feeds, search, sitemaps, the API and every export reachable over HTTP start here.
        Retracted claims are not listed; see ``publicly_visible()``.
        """
        return self.with_status(*LISTED_STATUSES).approved()

    def retracted(self):
        """Return the retracted claims, which stay reachable at their URL with a retraction notice."""
        return self.with_status(ClaimStatus.RETRACTED).approved()

    def publicly_visible(self):
        """Return every claim a reader may open at its URL: ``published()`` plus ``retracted()``.

        A retraction is part of the public record, so a retracted claim's page stays up, showing the
        retracted version with the retraction notice; it is not listed anywhere.
        """
        return self.with_status(*PUBLIC_STATUSES).approved()

    def citing_source(self, source_id):
        """Return the claims whose *approved* version cites the source ``source_id``, newest first.

        Read from the public read model (the approved versions' sources), not the live citations: an
        editor's unapproved citation changes nothing here. Pages and the API list a source's claims from this.
        """
        from editorial.models.public import PublicEntrySource

        cited = PublicEntrySource.objects.filter(source_id=source_id).values("entry_id")
        return self.filter(pk__in=cited).order_by("-published_at", "-pk")

    def awaiting_review(self):
        return self.with_status(ClaimStatus.IN_REVIEW)

    def with_changes_submission(self):
        """Annotate ``changes_submitted_at`` and ``changes_submitted_by`` (a username, or ""): when and by
        whom a listed claim's edits were submitted for approval, or None and "" when none await it.

        Edits await approval from their submission (``submit_changes``) until the claim's next
        moderation step: a correction approves them, declining or retracting ends the wait. An
        import's note, which moves nothing, does not.
        """
        latest = (
            ModerationEvent.objects.filter(claim=OuterRef("pk"))
            .exclude(action=ModerationEvent.Action.IMPORT)
            .order_by("-at", "-pk")
        )
        waiting = Q(status__in=LISTED_STATUSES, latest_step=ModerationEvent.Action.SUBMIT_CHANGES)
        return self.alias(latest_step=Subquery(latest.values("action")[:1])).annotate(
            changes_submitted_at=Case(When(waiting, then=Subquery(latest.values("at")[:1]))),
            changes_submitted_by=Case(When(waiting, then=Subquery(latest.values("actor")[:1])), default=Value("")),
        )

    def changes_awaiting_approval(self):
        """Return the listed claims whose edits were submitted for approval, annotated as above."""
        return self.with_changes_submission().filter(changes_submitted_at__isnull=False)

    def citing_changed_sources(self):
        """Return the claims with a citation whose source has changed since it was quoted."""
        return self.filter(citations__anchor_state__in=CHANGED_STATES).distinct()


class Claim(StorableTextMixin, models.Model):
    """A statement attributed to a speaker, backed by citations, moving through moderation.

    What the public sees is the *approved public version*, ``public_snapshot``: a JSON copy of the
    statement, speaker, claim date, tags, verdict and citations (revision, excerpt, offsets, context,
    note) written only by the moderator transitions ``publish()`` and ``correct()`` (and by
    ``restore_status()`` for imports). Editors keep editing the claim and its citations in place;
    until a moderator approves the changes with ``correct(user, note)``, public pages, feeds, the API
    and exports keep rendering the snapshot, and ``has_unpublished_changes()`` is true. Every approved
    version is also kept on its ``ModerationEvent`` with the moderator's note, so the correction
    history stays visible. A snapshot was chosen over pending-edit rows because it needs no second
    copy of every model and no merge step: approval is one atomic write, and readers never join
    live editorial tables for content.
    """

    Status = ClaimStatus
    Verdict = Verdict

    statement = models.TextField(
        max_length=STATEMENT_MAX_LENGTH,
        validators=[MaxLengthValidator(STATEMENT_MAX_LENGTH)],
        help_text="The claim in the editor's words, normalised: one sentence a reader can check.",
    )
    slug = models.SlugField(
        max_length=STATEMENT_SLUG_LENGTH,
        blank=True,
        db_index=False,  # part of the address; claims are found by id
        editable=False,
        help_text="For public URLs (/claims/<id>/<slug>/); follows the approved statement.",
    )
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="Who made the claim (not the journalist who reported it).",
    )
    claim_date = models.DateField(null=True, blank=True, help_text="When the speaker made the claim.")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, editable=False)
    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, blank=True, help_text="The rating, when the claim has been checked."
    )
    verdict_explanation = models.CharField(
        max_length=1000, blank=True, help_text="One or two sentences saying why the verdict was given."
    )
    tags = TaggableManager(blank=True, help_text="Comma-separated tags.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="created_claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="First publication; kept when the claim is corrected."
    )
    public_snapshot = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The version a moderator approved; what the public sees.",
    )

    objects = ClaimQuerySet.as_manager()
    # The snapshot is kept on the moderation events instead; copying it into every edit's history
    # row would only repeat it.
    history = HistoricalRecords(excluded_fields=["public_snapshot"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("submit_claim", "Can submit claims for review"),
            ("moderate_claim", "Can publish, reject, correct and retract claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="claim_verdict_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=PUBLIC_STATUSES) | Q(published_at__isnull=False),
                name="claim_public_has_published_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="claim_status_published_idx"),
            models.Index(fields=["claim_date"], name="claim_claim_date_idx"),
            models.Index(fields=["created_at"], name="claim_created_at_idx"),
        ]

    def __str__(self):
        return Truncator(self.statement).chars(80)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = statement_slug(self.statement)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the claim's public address, ``/claims/<id>/<slug>/`` (404 unless publicly visible)."""
        return reverse("public:claim_detail", args=[self.pk, self.slug or "claim"])

    # Visibility ----------------------------------------------------------------------------------

    def is_published(self):
        """Return True when the claim is listed publicly (the twin of ``Claim.objects.published()``)."""
        return self.status in LISTED_STATUSES and self.public_snapshot is not None

    def is_publicly_visible(self):
        """Return True when a reader may open the claim (the twin of ``publicly_visible()``)."""
        return self.status in PUBLIC_STATUSES and self.public_snapshot is not None

    def is_retracted(self):
        return self.status == ClaimStatus.RETRACTED

    def public_version(self):
        """Return the approved public version (a dict), or None when the claim is not publicly visible.

        Keys: statement, slug, speaker ({id, name, description} or None), claim_date (YYYY-MM-DD or
        None), tags, verdict, verdict_explanation, citations [{position, source, source_title,
        revision, revision_number, excerpt, start, end, prefix, suffix, note}], approved_at.
        """
        return self.public_snapshot if self.is_publicly_visible() else None

    def approved_version(self):
        """Return the approved ``PublicVersion``, or None when the claim is not publicly visible."""
        return PublicVersion.from_snapshot(self.public_snapshot) if self.is_publicly_visible() else None

    def public_notices(self):
        """Return the corrections and retraction readers are told about, oldest first."""
        return self.moderation_events.filter(
            action__in=[ModerationEvent.Action.CORRECT, ModerationEvent.Action.RETRACT]
        ).order_by("at", "pk")

    def build_public_version(self):
        """Return the claim as stored now, as approval would store it in ``public_snapshot`` (``PublicVersion.of``)."""
        return PublicVersion.of(self, with_fragments=True).to_snapshot()

    def has_unpublished_changes(self):
        """Return True when a listed claim's stored content differs from its approved public version.

        Speaker details and source titles are not compared: they belong to the speaker and the source,
        which are not moderated per claim. Claims that are not listed have nothing pending.
        """
        if not self.is_published():
            return False
        return PublicVersion.of(self).differs_from(PublicVersion.from_snapshot(self.public_snapshot))

    def changes_submission(self):
        """Return the ``submit_changes`` event whose edits await approval, or None.

        The twin of ``Claim.objects.changes_awaiting_approval()``.
        """
        if not self.is_published():
            return None
        latest = self.moderation_events.exclude(action=ModerationEvent.Action.IMPORT).order_by("-at", "-pk").first()
        return latest if latest is not None and latest.action == ModerationEvent.Action.SUBMIT_CHANGES else None

    # Workflow: each act is a service of ``editorial.services.moderation`` -------------------------

    def available_transitions(self, user):
        """Return the names of the transitions ``user`` may start from the current status."""
        return [transition.name for transition in workflow.available(self, user)]

    def submit(self, user, note=""):
        """Send a draft for review (draft → in review)."""
        return moderation.apply_transition(self, "submit", user=user, note=note)

    def publish(self, user, note=""):
        """Publish a claim in review and approve its public version (in review → published)."""
        return moderation.apply_transition(self, "publish", user=user, note=note)

    def reject(self, user, note):
        """Reject a claim in review; ``note`` says why (in review → rejected)."""
        return moderation.apply_transition(self, "reject", user=user, note=note)

    def send_back(self, user, note):
        """Return a claim in review, or a rejected one, to its editor (→ draft); ``note`` says what to change."""
        return moderation.apply_transition(self, "send_back", user=user, note=note)

    def correct(self, user, note):
        """Approve the edits of a public claim as a correction; ``note`` says what changed (→ corrected)."""
        return moderation.apply_transition(self, "correct", user=user, note=note)

    def retract(self, user, note):
        """Retract a public claim; it stays reachable with the retraction notice ``note`` (→ retracted)."""
        return moderation.apply_transition(self, "retract", user=user, note=note)

    def submit_changes(self, user, note=""):
        """Ask a moderator to approve the edits of a public claim, which stays public as approved."""
        return moderation.apply_transition(self, "submit_changes", user=user, note=note)

    def decline_changes(self, user, note):
        """Turn down submitted edits of a public claim; ``note`` tells the editor why (status unchanged)."""
        return moderation.apply_transition(self, "decline_changes", user=user, note=note)

    def restore_status(self, status, *, user=None, operator="", note="", published_at=None):
        """Set ``status`` as an import states it: a moderator's act (``moderation.restore_status``)."""
        return moderation.restore_status(
            self, status, user=user, operator=operator, note=note, published_at=published_at
        )

    def record_import(self, *, user, stated_status, note):
        """Log that ``user`` imported the claim without moving it (``moderation.record_import``)."""
        return moderation.record_import(self, user=user, stated_status=stated_status, note=note)

    def can_delete(self, user):
        """Return True when ``user`` may delete this claim.

        A claim that has ever been public is never deleted — retract it instead, so the public record
        keeps the retraction. Otherwise moderators (and superusers) with the delete permission may
        delete it, and editors with the delete permission may delete their own drafts.
        """
        if user is None or self.published_at is not None or self.status in PUBLIC_STATUSES:
            return False
        if not user.has_perm("editorial.delete_claim"):
            return False
        if user.has_perm(workflow.MODERATE_PERMISSION):
            return True
        return self.status == ClaimStatus.DRAFT and self.created_by_id is not None and self.created_by_id == user.pk


class ClaimRelation(StorableTextMixin, models.Model):
    """A directed link between two claims: this one supports, contradicts, updates or duplicates that one."""

    Kind = RelationKind

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="outgoing_relations")
    to_claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="incoming_relations", help_text="The claim this one relates to."
    )
    kind = models.CharField(
        max_length=20, choices=RelationKind.choices, help_text="How this claim relates to the other."
    )
    note = models.TextField(blank=True, help_text="Why they are related, if it needs saying.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_claim", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claimrelation_not_self"),
            models.UniqueConstraint(fields=["from_claim", "to_claim", "kind"], name="claimrelation_unique"),
            models.CheckConstraint(condition=Q(kind__in=RelationKind.values), name="claimrelation_kind_valid"),
        ]
        indexes = [
            # The "related claims" filter of /claims/ (e.g. every contradicted claim).
            models.Index(fields=["kind", "to_claim"], name="claimrelation_kind_to_idx"),
        ]

    def __str__(self):
        return f"{self.from_claim} {self.get_kind_display().lower()} {self.to_claim}"

    def clean(self):
        if self.from_claim_id is not None and self.from_claim_id == self.to_claim_id:
            raise ValidationError({"to_claim": "A claim cannot be related to itself."})
