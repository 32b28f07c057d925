"""Claim sets: named, ordered, curated collections of claims."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from editorial.models.claims import Claim
from sources.models import StorableTextMixin, unique_slug

SET_DESCRIPTION_MAX_LENGTH = 5000


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
