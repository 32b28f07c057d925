"""``manage.py similar_claims``: the JSON shape, best first, the text form, unknown ids and dismissals."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.models import SimilarityDismissal
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("similar_claims", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def claims():
    return {
        "original": make_claim("The harbour authority of Tromsø handled 4.1 million tonnes of cargo in 2023."),
        "reworded": make_claim("In 2023 Tromsø's harbour authority handled 4.1 million tonnes of cargo."),
        "changed": make_claim("The harbour authority of Tromsø handled 1.4 million tonnes of cargo in 2023."),
        "unrelated": make_claim("The choir of Bergen sang at the opening of the new concert hall."),
    }


def test_json_lists_every_claim_with_its_closest_best_first(claims):
    items = json.loads(run("--format", "json"))

    assert [item["claim"]["id"] for item in items] == sorted(claim.pk for claim in claims.values())
    by_id = {item["claim"]["id"]: item for item in items}
    original = by_id[claims["original"].pk]
    assert original["claim"]["statement"] == claims["original"].statement
    similar = original["similar"]
    assert similar[0] == {
        "id": claims["reworded"].pk,
        "statement": claims["reworded"].statement,
        "score": similar[0]["score"],
        "duplicate": True,
        "conflict": False,
    }
    assert similar[1]["id"] == claims["changed"].pk
    assert similar[1]["duplicate"] is False
    assert similar[1]["conflict"] is True
    scores = [entry["score"] for entry in similar]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)
    assert claims["original"].pk not in [entry["id"] for entry in similar]


def test_named_claims_only_and_limit(claims):
    items = json.loads(run(str(claims["changed"].pk), "--format", "json", "--limit", "1"))

    assert len(items) == 1
    assert items[0]["claim"]["id"] == claims["changed"].pk
    assert len(items[0]["similar"]) == 1


def test_text_says_duplicate_and_conflict_with_the_difference(claims):
    out = run(str(claims["original"].pk))

    assert f"Claim {claims['original'].pk} “The harbour authority" in out
    assert f"likely duplicate claim {claims['reworded'].pk}" in out
    assert f"possible conflict claim {claims['changed'].pk}" in out
    assert "numbers differ: 4.1 million / 1.4 million" in out


def test_dismissed_pairs_are_left_out(claims):
    SimilarityDismissal.dismiss(claims["original"], claims["reworded"], None)

    items = json.loads(run(str(claims["original"].pk), "--format", "json"))

    assert claims["reworded"].pk not in [entry["id"] for entry in items[0]["similar"]]


def test_unknown_id_is_an_error_naming_it(claims):
    with pytest.raises(CommandError, match="No claim with id 999999"):
        run(str(claims["original"].pk), "999999")


def test_empty_database_prints_an_empty_array():
    assert json.loads(run("--format", "json")) == []


def test_claims_are_read_in_chunks_and_the_json_stays_one_array(claims, monkeypatch):
    from editorial.management.commands import similar_claims

    monkeypatch.setattr(similar_claims, "CHUNK", 1)

    items = json.loads(run("--format", "json"))

    assert [item["claim"]["id"] for item in items] == sorted(claim.pk for claim in claims.values())
    assert items[0]["similar"][0]["id"] == claims["reworded"].pk
