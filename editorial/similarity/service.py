"""Find a statement's or a claim's closest claims, and say which are likely duplicates or possible conflicts.

Two stages. The database proposes ``CANDIDATES`` claims per statement from an index (the
statement's rare words, shared exactly or spelled nearly alike, on PostgreSQL; its rare words on
SQLite: ``postgres.py``, ``sqlite.py``); Python
then scores each with RapidFuzz (``lexical.score``) and compares their facts (``facts.compare``):

* ``score`` (0–1): the lexical score, raised when the two share figures and names (the anchors a
  rewording keeps), lowered by ``DIFFERENCE_PENALTY`` for each fact that differs.
* ``duplicate``: the facts agree, the words alone score at least ``DUPLICATE_WORDS`` and the whole
  score at least ``DUPLICATE_SCORE``: sharing a place and a subject ("the Tarrow clinic") is not
  enough, most of the content words must be shared too.
* ``conflict``: some fact differs and the words alone score at least ``CONFLICT_WORDS`` — the same
  sentence with another number, name or negation. Never both.

Editorial searches (``public=False``) read ``Claim.statement``; public ones read only the listed
entries of the read model (``PublicEntry.statement``, the approved text).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from editorial.similarity import facts, lexical

CANDIDATES = 40
MINIMUM_SCORE = 0.25
DUPLICATE_WORDS = 0.68
DUPLICATE_SCORE = 0.6
CONFLICT_WORDS = 0.55
DIFFERENCE_PENALTY = 0.1
ANCHOR_WEIGHT = 0.25


@dataclass(frozen=True)
class SimilarClaim:
    """One claim found similar to a statement, with what an editor needs to decide about it."""

    claim_id: int
    statement: str
    score: float  # 0..1, higher = more similar
    duplicate: bool  # likely duplicate: the same facts, said alike or in other words
    conflict: bool  # possible conflict: alike in words, other facts (offered as "contradicts")
    differences: tuple[str, ...]  # "numbers differ: 3.2 million / 2.3 million", "negation: will / will not"


@dataclass(frozen=True)
class _Reading:
    """A statement as the scorer reads it, once per statement."""

    stems: list[str]
    facts: facts.Facts


def _read(statement):
    return _Reading(lexical.stems(statement), facts.read_facts(statement))


def _shared_anchors(first, second):
    """Return the share of figures and names two statements have in common (a name matches its parts), or None."""
    numbers_first = [(n.value, n.kind) for n in first.numbers]
    numbers_second = [(n.value, n.kind) for n in second.numbers]
    total = len(numbers_first) + len(numbers_second) + len(first.names) + len(second.names)
    if not total:
        return None
    shared = sum(1 for number in numbers_first if number in numbers_second)
    shared += sum(1 for name in first.names if any(facts.same_name(name, other) for other in second.names))
    return shared / (total - shared)


def compare(first: str, second: str, *, claim_id: int = 0) -> SimilarClaim:
    """Return how ``second`` compares with ``first``: its score, its differences, duplicate or conflict."""
    return _compare(_read(first), claim_id, second)


def _compare(reading, claim_id, statement):
    other = _read(statement)
    words = lexical.score(reading.stems, other.stems)
    differences = facts.compare(reading.facts, other.facts)
    anchors = _shared_anchors(reading.facts, other.facts)
    score = words if anchors is None else (1 - ANCHOR_WEIGHT) * words + ANCHOR_WEIGHT * anchors
    score = max(0.0, min(1.0, score - DIFFERENCE_PENALTY * len(differences)))
    duplicate = not differences and words >= DUPLICATE_WORDS and score >= DUPLICATE_SCORE
    conflict = bool(differences) and words >= CONFLICT_WORDS
    return SimilarClaim(claim_id, statement, round(score, 4), duplicate, conflict, differences)


def _ranked(statement, found, limit):
    reading = _read(statement)
    scored = [_compare(reading, pk, text) for pk, text in found]
    scored = [item for item in scored if item.score >= MINIMUM_SCORE]
    scored.sort(key=lambda item: (-item.score, item.claim_id))
    return scored[:limit]


def _backend():
    if connection.vendor == "postgresql":
        from editorial.similarity import postgres

        return postgres
    from editorial.similarity import sqlite

    return sqlite


def similar_to_statement(
    statement: str, *, exclude: Iterable[int] = (), limit: int = 5, public: bool = False
) -> list[SimilarClaim]:
    """Return the claims closest to ``statement``, best first, leaving out the ids in ``exclude``.

    For the claim form before its claim exists (``exclude`` the claim itself once it does).
    """
    if not statement or not statement.strip():
        return []
    excluded = list(exclude)
    found = _backend().candidates([(0, statement, excluded)], public=public, size=CANDIDATES)[0]
    return _ranked(statement, found, limit)


def similar_to_claim(
    claim_or_id, *, limit: int = 5, public: bool = False, include_dismissed: bool = False
) -> list[SimilarClaim]:
    """Return the claims closest to a claim (an instance or an id), best first, never the claim itself.

    ``public=True`` compares the claim's approved statement with listed public claims only (an empty
    list when the claim has no public entry); dismissed pairs are left out unless ``include_dismissed``.
    """
    from editorial.models import Claim, PublicEntry, SimilarityDismissal

    claim_id = claim_or_id if isinstance(claim_or_id, int) else claim_or_id.pk
    if public:
        statement = PublicEntry.objects.filter(claim_id=claim_id).values_list("statement", flat=True).first()
    elif isinstance(claim_or_id, Claim):
        statement = claim_or_id.statement
    else:
        statement = Claim.objects.filter(pk=claim_id).values_list("statement", flat=True).first()
    if statement is None:
        return []
    excluded = {claim_id}
    if not include_dismissed:
        excluded |= {pk for pair in SimilarityDismissal.pairs_for([claim_id]) for pk in pair}
    return similar_to_statement(statement, exclude=excluded, limit=limit, public=public)


def similar_for_claims(claim_ids: Sequence[int], *, limit: int = 5) -> dict[int, list[SimilarClaim]]:
    """Return ``{claim id: its closest claims}`` for a page of claims, dismissed pairs left out.

    A fixed number of queries whatever the page's size: the statements, the dismissals, and the
    backend's candidate query (shared rare words only: not the search for words spelled nearly
    alike that ``similar_to_claim`` adds on PostgreSQL, which would cost five times as much).
    """
    from editorial.models import Claim, SimilarityDismissal

    statements = dict(Claim.objects.filter(pk__in=list(claim_ids)).values_list("pk", "statement"))
    if not statements:
        return {pk: [] for pk in claim_ids}
    dismissed = SimilarityDismissal.pairs_for(statements)
    excluded = {pk: {pk} for pk in statements}
    for first, second in dismissed:
        excluded.get(first, set()).add(second)
        excluded.get(second, set()).add(first)
    queries = [(pk, statement, sorted(excluded[pk])) for pk, statement in statements.items()]
    # Without PostgreSQL's spelling-tolerant search: a page costs a fifth as much (docs/similarity.md).
    found = _backend().candidates(queries, public=False, size=CANDIDATES, spelling=False)
    return {pk: _ranked(statements[pk], found[pk], limit) if pk in statements else [] for pk in claim_ids}


def has_likely_duplicate(claim_ids) -> set[int]:
    """Return the ids among ``claim_ids`` with a likely duplicate not dismissed and not already related."""
    from editorial.models import ClaimRelation

    claim_ids = list(claim_ids)
    duplicates = {
        pk: {item.claim_id for item in found if item.duplicate}
        for pk, found in similar_for_claims(claim_ids, limit=5).items()
    }
    duplicates = {pk: others for pk, others in duplicates.items() if others}
    if not duplicates:
        return set()
    others = {other for found in duplicates.values() for other in found}
    related = set()
    for first, second in ClaimRelation.objects.filter(
        Q(from_claim_id__in=duplicates, to_claim_id__in=others)
        | Q(to_claim_id__in=duplicates, from_claim_id__in=others)
    ).values_list("from_claim_id", "to_claim_id"):
        related |= {(first, second), (second, first)}
    return {pk for pk, found in duplicates.items() if any((pk, other) not in related for other in found)}
