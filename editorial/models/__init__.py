"""What editors make from sources: speakers, claims, citations, relations, the moderation log, claim sets.

One module per concern (as Wagtail splits ``wagtail/models/``); every name is importable from
``editorial.models`` as before the split.
"""

from editorial.anchoring import AnchorState, ExcerptError
from editorial.choices import RelationKind, SpeakerKind, Verdict
from editorial.models.citations import Citation
from editorial.models.claims import STATEMENT_MAX_LENGTH, Claim, ClaimQuerySet, ClaimRelation
from editorial.models.moderation import (
    ModerationEvent,
    ModerationEventImmutableError,
    ModerationEventQuerySet,
    actor_name,
)
from editorial.models.public import PublicChange, PublicEntry, PublicEntrySource, PublicEntryTag, PublicFacet
from editorial.models.sets import SET_DESCRIPTION_MAX_LENGTH, ClaimSet, ClaimSetMembership, ClaimSetQuerySet
from editorial.models.similarity import SimilarityDismissal
from editorial.models.speakers import Speaker
from editorial.models.suggestions import SuggestedClaim
from editorial.public.version import STATEMENT_SLUG_LENGTH, statement_slug
from editorial.workflow import ClaimStatus, TransitionError

__all__ = [
    "SET_DESCRIPTION_MAX_LENGTH",
    "STATEMENT_MAX_LENGTH",
    "STATEMENT_SLUG_LENGTH",
    "AnchorState",
    "Citation",
    "Claim",
    "ClaimQuerySet",
    "ClaimRelation",
    "ClaimSet",
    "ClaimSetMembership",
    "ClaimSetQuerySet",
    "ClaimStatus",
    "ExcerptError",
    "ModerationEvent",
    "ModerationEventImmutableError",
    "ModerationEventQuerySet",
    "PublicChange",
    "PublicEntry",
    "PublicEntrySource",
    "PublicEntryTag",
    "PublicFacet",
    "RelationKind",
    "SimilarityDismissal",
    "Speaker",
    "SpeakerKind",
    "SuggestedClaim",
    "TransitionError",
    "Verdict",
    "actor_name",
    "statement_slug",
]
