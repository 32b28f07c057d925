"""Similar claims: likely duplicates and possible conflicts among the claims' statements (issue #16).

``service`` is the interface the admin, the moderation queue, the public pages and
``manage.py similar_claims`` call; ``facts`` reads and compares numbers, negation and names;
``lexical`` scores words; ``postgres`` and ``sqlite`` propose candidates from their indexes. How
it works, its rules and its limits: ``docs/similarity.md``.
"""

from editorial.similarity.service import (
    SimilarClaim,
    has_likely_duplicate,
    similar_for_claims,
    similar_to_claim,
    similar_to_statement,
)

__all__ = ["SimilarClaim", "has_likely_duplicate", "similar_for_claims", "similar_to_claim", "similar_to_statement"]
