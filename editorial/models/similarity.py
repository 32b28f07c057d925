"""Similar-claim pairs an editor has dismissed: "not a duplicate, not a conflict", remembered.

The similarity service (``editorial.similarity``) offers the closest claims of a claim; once an
editor dismisses a pair it is not offered again, from either side. A pair is stored once, the lower
claim id first, so that "A is not like B" and "B is not like A" are the same row.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SimilarityDismissal(models.Model):
    """Two claims an editor has said are not duplicates or conflicts of each other (``claim_id < other_id``)."""

    claim = models.ForeignKey("editorial.Claim", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("editorial.Claim", on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "other"], name="similaritydismissal_unique"),
            models.CheckConstraint(condition=Q(claim__lt=F("other")), name="similaritydismissal_ordered"),
        ]

    def __str__(self):
        return f"claims {self.claim_id} and {self.other_id} are not alike"

    @classmethod
    def dismiss(cls, a, b, user):
        """Remember that claims ``a`` and ``b`` (claims or ids) are not to be offered as similar; return the row.

        Dismissing a pair twice keeps the first dismissal.
        """
        first, second = sorted((_id(a), _id(b)))
        if first == second:
            raise ValueError(f"Claim {first} cannot be dismissed as similar to itself.")
        dismissal, _ = cls.objects.get_or_create(claim_id=first, other_id=second, defaults={"dismissed_by": user})
        return dismissal

    @classmethod
    def pairs_for(cls, ids: Iterable[int]) -> set[tuple[int, int]]:
        """Return the dismissed pairs ``(lower id, higher id)`` that involve any of ``ids``, in one query."""
        ids = list(ids)
        if not ids:
            return set()
        return set(cls.objects.filter(Q(claim_id__in=ids) | Q(other_id__in=ids)).values_list("claim_id", "other_id"))


def _id(claim_or_id):
    return claim_or_id if isinstance(claim_or_id, int) else claim_or_id.pk
