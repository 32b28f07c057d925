"""Similar-claim detection measured on the project's own invented statements (``similarity_corpus/``).

Every statement of ``claims.yaml`` is loaded as a claim; then, on whichever database the suite runs
(SQLite, or PostgreSQL with ``DATABASE_URL``):

* **best match**: the share of reworded claims whose first similar claim is their pair;
* **duplicate precision**: of every claim flagged a likely duplicate of another (top five of every
  claim), the share that is the reworded pair;
* **duplicate recall**: the share of reworded claims that flag their pair as a likely duplicate;
* **conflicts**: no conflicting pair may ever be flagged a duplicate; the share flagged a possible
  conflict is reported.
"""

import json
from pathlib import Path

import pytest
import yaml
from django.db import connection

from editorial.models import Claim
from editorial.similarity import similar_for_claims

CORPUS = Path(__file__).parent / "similarity_corpus" / "claims.yaml"
THRESHOLDS = {"best_match": 0.8, "duplicate_precision": 0.8}

pytestmark = pytest.mark.django_db


def load_corpus():
    """Create the corpus's claims; return ``(pairs of reworded ids, (kind, pair of ids) conflicting, ids)``."""
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    statements = [s for pair in corpus["reworded"] for s in pair]
    statements += [s for item in corpus["conflicting"] for s in item["pair"]]
    statements += corpus["distractors"]
    claims = Claim.objects.bulk_create([Claim(statement=statement) for statement in statements])
    ids = [claim.pk for claim in claims]
    reworded = [(ids[2 * n], ids[2 * n + 1]) for n in range(len(corpus["reworded"]))]
    offset = 2 * len(corpus["reworded"])
    conflicting = [
        (item["kind"], (ids[offset + 2 * n], ids[offset + 2 * n + 1])) for n, item in enumerate(corpus["conflicting"])
    ]
    return reworded, conflicting, ids


def score():
    """Return the figures and the problems found, on the current database."""
    reworded, conflicting, ids = load_corpus()
    statements = dict(Claim.objects.values_list("pk", "statement"))
    found = similar_for_claims(ids, limit=5)
    partner = dict(reworded) | {b: a for a, b in reworded}
    problems = []
    best = recalled = 0
    for claim, pair in partner.items():
        top = found[claim][0].claim_id if found[claim] else None
        if top == pair:
            best += 1
        else:
            problems.append(f"best match of {statements[claim]!r} is {statements.get(top)!r}")
        if any(item.claim_id == pair and item.duplicate for item in found[claim]):
            recalled += 1
    flags = [(claim, item) for claim in ids for item in found[claim] if item.duplicate]
    right = [flag for flag in flags if partner.get(flag[0]) == flag[1].claim_id]
    problems += [
        f"false duplicate: {statements[claim]!r} ~ {item.statement!r}"
        for claim, item in flags
        if (claim, item) not in right
    ]
    conflict_duplicates, conflicts_flagged = [], 0
    for kind, (a, b) in conflicting:
        for claim, other in ((a, b), (b, a)):
            match = next((item for item in found[claim] if item.claim_id == other), None)
            if match is not None and match.duplicate:
                conflict_duplicates.append(f"{kind}: {statements[claim]!r} ~ {statements[other]!r}")
            if match is not None and match.conflict:
                conflicts_flagged += 1
            else:
                problems.append(f"conflict not flagged ({kind}): {statements[claim]!r} ~ {statements[other]!r}")
    figures = {
        "database": connection.vendor,
        "reworded_claims": len(partner),
        "best_match": best / len(partner),
        "duplicate_flags": len(flags),
        "duplicate_precision": len(right) / len(flags) if flags else 0.0,
        "duplicate_recall": recalled / len(partner),
        "conflicting_claims": 2 * len(conflicting),
        "conflicts_flagged": conflicts_flagged / (2 * len(conflicting)),
        "conflicts_flagged_duplicate": len(conflict_duplicates),
    }
    return figures, problems, conflict_duplicates


def test_the_corpus_meets_the_issues_thresholds():
    figures, problems, conflict_duplicates = score()
    rounded = {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}
    print("\nSimilar claims on the corpus:", json.dumps(rounded))
    for problem in problems:
        print("  ", problem)

    for figure, threshold in THRESHOLDS.items():
        assert figures[figure] >= threshold, f"{figure} {figures[figure]:.2f} < {threshold}: {problems}"
    assert conflict_duplicates == []


def test_the_corpus_has_every_kind_of_pair_and_enough_of_them():
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))

    assert len(corpus["reworded"]) >= 30
    assert len(corpus["conflicting"]) >= 20
    assert len(corpus["distractors"]) >= 40
    kinds = {item["kind"] for item in corpus["conflicting"]}
    assert kinds >= {
        "numbers",
        "numbers with scale",
        "swapped order",
        "percentages",
        "years",
        "negation",
        "named entities",
    }
