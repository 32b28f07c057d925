"""What editors make from sources: speakers, claims, citations, relations and the moderation log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from editorial import anchoring, workflow
from editorial.anchoring import AnchorState, ExcerptError
from editorial.workflow import LISTED_STATUSES, PUBLIC_STATUSES, ClaimStatus, TransitionError
from sources.models import Revision, StorableTextMixin, unique_slug

__all__ = [
    "AnchorState",
    "RelationKind",
    "SpeakerKind",
    "Verdict",
    "Citation",
    "Claim",
    "ClaimRelation",
    "ClaimStatus",
    "ModerationEvent",
    "ModerationEventImmutableError",
    "Speaker",
    "TransitionError",
]

STATEMENT_SLUG_LENGTH = 80
# A statement is one sentence a reader can check; 2,000 characters leaves room for a long quoted one.
STATEMENT_MAX_LENGTH = 2000
SET_DESCRIPTION_MAX_LENGTH = 5000


def statement_slug(statement):
    """Return the URL slug of a statement: its first words, at most 80 characters, cut at a hyphen.

    A first word longer than that is cut at 80 characters. An empty slug is "claim".
    """
    slug = slugify(statement)
    if len(slug) > STATEMENT_SLUG_LENGTH:
        # Cut after the last whole word; the character just past the limit counts, since a hyphen
        # there means the word before it ends at the limit.
        cut = slug[: STATEMENT_SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:STATEMENT_SLUG_LENGTH]
    return slug.strip("-") or "claim"


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GOVERNMENT = "government", "Government or official body"
    OTHER = "other", "Other"


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported by the evidence"
    DISPUTED = "disputed", "Disputed"
    FALSE = "false", "False"
    MISLEADING = "misleading", "Misleading"
    UNVERIFIED = "unverified", "Unverified"


class RelationKind(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    UPDATES = "updates", "Updates"
    DUPLICATES = "duplicates", "Duplicates"


class Speaker(StorableTextMixin, models.Model):
    """Who made a claim — a person or an organisation — not the journalist who reported it."""

    Kind = SpeakerKind

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="As readers know them: “Alexander Lukashenko”, “Russia's finance ministry”.",
    )
    slug = models.SlugField(max_length=200, unique=True, blank=True, help_text="Filled in from the name when empty.")
    kind = models.CharField(max_length=20, choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    description = models.CharField(
        max_length=300, blank=True, help_text="Who they are, shown with their claims: “President of Belarus”."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Speaker, self.name, instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the public page of the speaker's published claims."""
        return reverse("public:speaker_detail", args=[self.slug])


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

    def awaiting_review(self):
        return self.with_status(ClaimStatus.IN_REVIEW)

    def citing_changed_sources(self):
        """Return the claims with a citation whose source has changed since it was quoted."""
        return self.filter(citations__anchor_state__in=Citation.CHANGED_STATES).distinct()


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

    def public_notices(self):
        """Return the corrections and retraction readers are told about, oldest first."""
        return self.moderation_events.filter(
            action__in=[ModerationEvent.Action.CORRECT, ModerationEvent.Action.RETRACT]
        ).order_by("at", "pk")

    def build_public_version(self):
        """Return the claim as stored now, in the shape of ``public_snapshot``."""
        citations = (
            self.citations.select_related("revision__source")
            .defer("revision__text", "revision__original")
            .order_by("position", "pk")
        )
        return {
            "statement": self.statement,
            "slug": statement_slug(self.statement),
            "speaker": (
                {"id": self.speaker.pk, "name": self.speaker.name, "description": self.speaker.description}
                if self.speaker_id
                else None
            ),
            "claim_date": self.claim_date.isoformat() if self.claim_date else None,
            "tags": sorted(self.tags.names(), key=str.casefold),
            "verdict": self.verdict,
            "verdict_explanation": self.verdict_explanation,
            "citations": [
                {
                    "position": citation.position,
                    "source": citation.revision.source_id,
                    "source_title": citation.revision.source.title,
                    "revision": citation.revision_id,
                    "revision_number": citation.revision.number,
                    "excerpt": citation.excerpt,
                    "start": citation.start,
                    "end": citation.end,
                    "prefix": citation.prefix,
                    "suffix": citation.suffix,
                    "note": citation.note,
                }
                for citation in citations
            ],
        }

    def has_unpublished_changes(self):
        """Return True when a listed claim's stored content differs from its approved public version.

        Speaker details and source titles are not compared: they belong to the speaker and the source,
        which are not moderated per claim. Claims that are not listed have nothing pending.
        """
        if not self.is_published():
            return False
        return _comparable(self.build_public_version()) != _comparable(self.public_snapshot)

    # Workflow ------------------------------------------------------------------------------------

    def available_transitions(self, user):
        """Return the names of the transitions ``user`` may start from the current status."""
        return [transition.name for transition in workflow.available(self, user)]

    def submit(self, user, note=""):
        """Send a draft for review (draft → in review)."""
        return self._transition("submit", user, note)

    def publish(self, user, note=""):
        """Publish a claim in review and approve its public version (in review → published)."""
        return self._transition("publish", user, note)

    def reject(self, user, note):
        """Reject a claim in review; ``note`` says why (in review → rejected)."""
        return self._transition("reject", user, note)

    def send_back(self, user, note):
        """Return a claim in review, or a rejected one, to its editor (→ draft); ``note`` says what to change."""
        return self._transition("send_back", user, note)

    def correct(self, user, note):
        """Approve the edits of a public claim as a correction; ``note`` says what changed (→ corrected)."""
        return self._transition("correct", user, note)

    def retract(self, user, note):
        """Retract a public claim; it stays reachable with the retraction notice ``note`` (→ retracted)."""
        return self._transition("retract", user, note)

    def _transition(self, name, user, note):
        """Apply the transition ``name`` to the stored claim; return the ``ModerationEvent``.

        Runs on the stored row, locked for the transaction: unsaved changes to this instance are not
        part of it (save them first). Raises ``TransitionError`` when the transition does not apply.
        """
        transition = workflow.TRANSITIONS[name]
        note = (note or "").strip()
        if self.pk is None:
            raise TransitionError(f"Save the claim before you {transition.verb} it.", code="invalid_status")
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=self.pk)
            workflow.check(transition, claim=claim, user=user, note=note)
            event = claim._record(
                transition.target, action=name, user=user, note=note, approve=transition.approves_content
            )
        self._copy_workflow_fields(claim)
        return event

    def restore_status(self, status, *, user=None, operator="", note="", published_at=None):
        """Set ``status`` without the workflow's checks, for ``import_claims`` restoring a backup.

        Restoring is a moderator's act: ``user`` must have the moderate permission, unless
        ``operator`` names the command-line operator acting without an account (recorded as the
        event's actor). Raises ``TransitionPermissionDenied`` otherwise, changing nothing.

        A public status gets an approved public version built from the stored claim, and a
        ``published_at`` (the one given, the stored one, or now). The change is logged as a
        ``restore`` event.
        """
        status = ClaimStatus(status)
        if not workflow.may_restore(user, operator=operator):
            raise workflow.TransitionPermissionDenied(
                "Only a moderator may restore a claim's status.", code="permission_denied"
            )
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=self.pk)
            if published_at is not None:
                claim.published_at = published_at
            event = claim._record(
                status,
                action=ModerationEvent.Action.RESTORE,
                user=user,
                actor=operator,
                note=(note or "").strip(),
                approve=status in PUBLIC_STATUSES,
            )
        self._copy_workflow_fields(claim)
        return event

    def record_import(self, *, user, stated_status, note):
        """Log, without changing the claim, that ``user`` imported it while it was not theirs to move.

        For imports by users without the moderate permission: the event names who imported, what
        status the document stated and why it was not restored (``note``).
        """
        return ModerationEvent.objects.create(
            claim=self,
            action=ModerationEvent.Action.IMPORT,
            from_status=self.status,
            to_status=self.status,
            user=user,
            actor=actor_name(user),
            note=f"{note} The document stated “{stated_status}”.".strip(),
        )

    def _record(self, status, *, action, user, note, approve, actor=""):
        """Move the (locked) claim to ``status``, approving its public version when ``approve``; log it."""
        now = timezone.now()
        previous = self.status
        self.status = status
        snapshot = None
        if approve:
            self.published_at = self.published_at or now
            self.slug = statement_slug(self.statement)
            snapshot = {**self.build_public_version(), "approved_at": now.isoformat()}
            self.public_snapshot = snapshot
        self._history_user = user
        self.save(update_fields=["status", "published_at", "slug", "public_snapshot", "modified_at"])
        return ModerationEvent.objects.create(
            claim=self,
            action=action,
            from_status=previous,
            to_status=status,
            user=user,
            actor=actor or actor_name(user),
            note=note,
            at=now,
            public_version=snapshot,
        )

    def _copy_workflow_fields(self, stored):
        for field in ("status", "published_at", "slug", "public_snapshot", "modified_at"):
            setattr(self, field, getattr(stored, field))

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


def _comparable(version):
    """Return the parts of a public version an editor changes through the claim and its citations."""
    speaker = version.get("speaker")
    return {
        "statement": version["statement"],
        "speaker": speaker["id"] if speaker else None,
        "claim_date": version["claim_date"],
        "tags": sorted(version["tags"], key=str.casefold),
        "verdict": version["verdict"],
        "verdict_explanation": version["verdict_explanation"],
        "citations": [
            (c["position"], c["revision"], c["excerpt"], c["start"], c["end"], c["note"]) for c in version["citations"]
        ],
    }


class Citation(StorableTextMixin, models.Model):
    """A verbatim excerpt of one revision of a source, backing a claim.

    ``revision.text[start:end] == excerpt`` always holds: ``save()`` refuses anything else. Offsets
    are Unicode code points. The citation keeps pointing at the revision it quoted, which can never
    be deleted; the anchor fields record where the passage sits in the source's newest revision.
    """

    AnchorState = AnchorState
    # The source changed since the passage was quoted ("claims whose source changed").
    CHANGED_STATES = (AnchorState.EXACT, AnchorState.FUZZY, AnchorState.ORPHANED)

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
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
        self.check_excerpt()
        text = self.revision.text
        self.prefix, self.suffix = anchoring.context(text, self.start, self.end)
        if self.position is None:
            self.position = (
                Citation.objects.filter(claim_id=self.claim_id).aggregate(last=Max("position"))["last"] or 0
            ) + 1
        newest_pk = (
            Revision.objects.filter(source_id=self.revision.source_id).order_by("-number").values_list("pk", flat=True)
        ).first()
        newest = (
            self.revision if newest_pk == self.revision_id else Revision.objects.defer("original").get(pk=newest_pk)
        )
        anchoring.anchor_citation(self, newest)
        if kwargs.get("update_fields") is not None:
            derived = {"prefix", "suffix", "position", *anchoring.ANCHOR_FIELDS, "modified_at"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
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


def actor_name(user):
    """Return the name a moderation event records for ``user``: the username, or "" for nobody."""
    return user.get_username() if user is not None else ""


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

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="moderation_events")
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


# Claim sets --------------------------------------------------------------------------------------


class ClaimSetQuerySet(models.QuerySet):
    def public(self):
        """Return the sets a curator has made public. Only their published claims are ever shown."""
        return self.filter(is_public=True)

    def with_published_count(self):
        """Annotate ``published_count``: how many of each set's members are ``Claim.objects.published()``."""
        members = (
            ClaimSetMembership.objects.filter(claim_set=OuterRef("pk"), claim__in=Claim.objects.published())
            .order_by()
            .values("claim_set")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(published_count=Coalesce(Subquery(members, output_field=models.IntegerField()), 0))


class ClaimSet(StorableTextMixin, models.Model):
    """A named, ordered, curated collection of claims, exported as a whole.

    A set may hold claims in any status (curators collect drafts too); ``published_claims()`` is what
    the public sees and what HTTP exports read, so a set never reveals an unpublished member.
    """

    title = models.CharField(max_length=200, help_text="The set's name as readers see it.")
    slug = models.SlugField(
        max_length=200, unique=True, blank=True, help_text="For URLs and exports; filled in from the title."
    )
    description = models.TextField(
        blank=True,
        max_length=SET_DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(SET_DESCRIPTION_MAX_LENGTH)],
        help_text="What the set collects and why; shown publicly.",
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curated_claim_sets",
        help_text="Who looks after the set.",
    )
    claims = models.ManyToManyField(Claim, through="ClaimSetMembership", related_name="claim_sets", blank=True)
    is_public = models.BooleanField(
        default=False, help_text="Show the set on the public site (with its published claims only)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ClaimSetQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(ClaimSet, self.title, instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public:claimset_detail", args=[self.slug])

    def ordered_claims(self):
        """Return every member claim, whatever its status, in the set's order (staff use)."""
        return Claim.objects.filter(set_memberships__claim_set=self).order_by("set_memberships__position")

    def published_claims(self):
        """Return the set's published members (``Claim.objects.published()``) in the set's order."""
        return Claim.objects.published().filter(set_memberships__claim_set=self).order_by("set_memberships__position")

    def add_claim(self, claim, *, note=""):
        """Append ``claim`` to the set (after its last member) and return the membership."""
        with transaction.atomic():
            ClaimSet.objects.select_for_update().values_list("pk", flat=True).get(pk=self.pk)
            last = self.memberships.aggregate(last=Max("position"))["last"] or 0
            return ClaimSetMembership.objects.create(claim_set=self, claim=claim, position=last + 1, note=note)


class ClaimSetMembership(StorableTextMixin, models.Model):
    """A claim's place in a claim set, with the curator's note on why it is there."""

    claim_set = models.ForeignKey(ClaimSet, on_delete=models.CASCADE, related_name="memberships")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="set_memberships")
    position = models.PositiveIntegerField(help_text="Order in the set: 1 comes first.")
    note = models.TextField(blank=True, help_text="Why the claim is in the set, if it needs saying.")

    class Meta:
        ordering = ["claim_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim_set", "claim"], name="claimsetmembership_unique_claim"),
            models.UniqueConstraint(fields=["claim_set", "position"], name="claimsetmembership_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="claimsetmembership_position_positive"),
        ]

    def __str__(self):
        return f"{self.claim_set} #{self.position}: {self.claim}"
