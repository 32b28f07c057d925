"""The claim-set JSON and Web Annotations PostgreSQL reads are exactly what the Python writers write."""

import datetime
import io
import json
import logging

import pytest
from django.db import connection

from editorial import exports
from editorial.exports import annotations, claimset, json_postgresql, postgresql
from editorial.models import Claim, ClaimRelation, ClaimSet
from editorial.textfragments import fragment_url
from tests.editorial.exports.test_csv_postgresql import TEXT, awkward_corpus, publish, update_snapshot  # noqa: F401
from tests.factories import make_citation, make_claim, make_source, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL reads these itself"),
]

FORMATS = ["json", "annotations"]


@pytest.fixture
def corpus(awkward_corpus):  # noqa: F811 — the CSV test's fixture, extended
    """The CSV test's awkward claims, with relations and the links that need Python."""
    claims = awkward_corpus
    moderator = make_user(None, "Editors", "Moderators")
    # Relations: to a listed claim (kept), to a draft and to a retracted claim (left out).
    draft = make_claim("A draft target")
    retracted = make_claim("Retracted target", created_by=moderator)
    make_citation(retracted, make_source("Retraction source", TEXT).current_revision, "Alpha beta gamma.")
    publish(retracted, moderator)
    retracted.retract(moderator, note="Wrong.")
    for target, kind in (
        (claims[9], "supports"),
        (draft, "contradicts"),
        (retracted, "updates"),
        (claims[0], "duplicates"),
    ):
        ClaimRelation.objects.create(from_claim=claims[8], to_claim=target, kind=kind)
    # A source without an address (our revision page), one whose address has a fragment of its own,
    # and a version approved before fragments were stored: those links are made in Python.
    offline = make_source("Offline source", TEXT, url="")
    anchored = make_source("Anchored source", TEXT + " Alpha beta gamma.", url="https://anchor.example/p#top")
    late = len(TEXT) + 1  # the second "Alpha beta gamma." of the anchored source
    passages = [(offline, "Eta\ntheta iota.", {}), (anchored, "Alpha beta gamma.", {"start": late})]
    for number, (source, excerpt, where) in enumerate(passages):
        claim = make_claim(f"Linked claim {number}", created_by=moderator, verdict="false")
        make_citation(claim, source.current_revision, excerpt, **where)
        publish(claim, moderator)
        claims.append(claim)
    older = Claim.objects.get(pk=claims[9].pk).public_snapshot  # cites a source with an address
    for cited in older["citations"]:
        del cited["fragment"]
    Claim.objects.filter(pk=claims[9].pk).update(public_snapshot=older)
    update_snapshot(claims[-1], verdict="a-verdict-since-removed")  # written as it stands, no label
    return claims


def export(fmt, claims, *, generic, monkeypatch, **options):
    """Return the export's text, read by PostgreSQL or (``generic``) built by the Python writers."""
    with monkeypatch.context() as patched:
        if generic:
            patched.setattr(postgresql, "supports", lambda claims, version: False)
            patched.setattr(json_postgresql, "claimset_claims", None)  # must not be reached
            patched.setattr(json_postgresql, "annotations", None)
        if fmt == "json":
            options["exported_at"] = EXPORTED_AT
        out = io.StringIO()
        exports.write(fmt, claims, out, version="public", **options)
    return out.getvalue()


EXPORTED_AT = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("chunk_size", [1, 3, 500])
@pytest.mark.parametrize("order", ["pk", "-pk", "statement"])
def test_postgresql_writes_the_python_writers_text(corpus, monkeypatch, fmt, chunk_size, order):
    claims = Claim.objects.order_by(order)
    options = {"base_url": "https://example.org/", "chunk_size": chunk_size}

    fast = export(fmt, claims, generic=False, monkeypatch=monkeypatch, **options)
    generic = export(fmt, claims, generic=True, monkeypatch=monkeypatch, **options)

    assert fast == generic
    assert "unapproved live edit" not in fast and "never exported" not in fast
    json.loads(fast)


def test_the_claim_sets_links_relations_and_ids(corpus, monkeypatch):
    claims = Claim.objects.order_by("pk")
    document = json.loads(
        export("json", claims, generic=False, monkeypatch=monkeypatch, base_url="https://example.org")
    )

    by_statement = {claim["statement"]: claim for claim in document["claims"]}
    assert [claim["id"] for claim in document["claims"]] == [f"c{n}" for n in range(1, len(document["claims"]) + 1)]
    related = by_statement[corpus[8].statement]["relations"]
    assert related == [
        {"kind": "supports", "claim": by_statement[corpus[9].statement]["id"]},
        {"kind": "duplicates", "claim": by_statement[corpus[0].statement]["id"]},
    ]
    offline, anchored = (by_statement[f"Linked claim {n}"]["citations"][0] for n in (0, 1))
    assert offline["url"] == "https://example.org/sources/offline-source/revisions/1/"
    text = TEXT + " Alpha beta gamma."
    start = text.rindex("Alpha beta gamma.")
    # The passage occurs twice: the link needs its context, made from the text in Python.
    assert anchored["url"] == fragment_url("https://anchor.example/p#top", text, start, start + 17)
    assert anchored["url"].startswith("https://anchor.example/p#top:~:text=")


def test_a_version_approved_before_fragments_gets_its_link_from_the_text(corpus, monkeypatch):
    claims = Claim.objects.filter(pk=corpus[9].pk)
    document = json.loads(export("json", claims, generic=False, monkeypatch=monkeypatch))

    (claim,) = document["claims"]
    citation = claim["citations"][1]
    revision = corpus[9].citations.get(position=2).revision
    assert revision.source.url
    assert citation["url"] == fragment_url(revision.source.url, revision.text, citation["start"], citation["end"])
    assert "#:~:text=" in citation["url"]


def test_a_claim_sets_own_selection_and_every_source(corpus, monkeypatch):
    claim_set = ClaimSet.objects.create(title="Set", slug="set")
    claims = Claim.objects.filter(pk__in=[corpus[8].pk, corpus[0].pk]).order_by("-pk")
    for fmt in FORMATS:
        options = {"claim_set": claim_set}
        if fmt == "json":
            options["all_sources"] = True
        fast = export(fmt, claims, generic=False, monkeypatch=monkeypatch, **options)
        assert fast == export(fmt, claims, generic=True, monkeypatch=monkeypatch, **options)
    document = json.loads(export("json", claims, generic=False, monkeypatch=monkeypatch))
    # Only the exported claims are named: the relation to a claim outside the selection is left out.
    assert document["claims"][0]["relations"] == [{"kind": "duplicates", "claim": "c2"}]


def test_a_citation_of_a_source_outside_the_list_is_left_out_with_a_warning(corpus, monkeypatch, caplog):
    real = json_postgresql.cited_sources

    def missing_one(claims):
        pks, sources = real(claims)
        return pks, sources - {corpus[0].citations.first().revision.source_id}

    monkeypatch.setattr(json_postgresql, "cited_sources", missing_one)
    with caplog.at_level(logging.WARNING):
        document = json.loads(
            export("json", Claim.objects.filter(pk=corpus[0].pk), generic=False, monkeypatch=monkeypatch)
        )

    assert document["claims"][0]["citations"] == []
    assert "left out of the export" in caplog.text


def test_the_http_exports_are_read_by_postgresql(corpus, client, monkeypatch):
    calls = []
    for name in ("claimset_claims", "annotations"):
        real = getattr(json_postgresql, name)
        monkeypatch.setattr(
            json_postgresql, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k)
        )

    for fmt in FORMATS:
        response = client.get(f"/claims/export/{fmt}/")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        assert "unapproved live edit" not in body and "Retracted target" not in body
        json.loads(body)

    assert calls == ["claimset_claims", "annotations"]


def test_the_document_ids_are_numbered_in_the_given_order():
    ids = claimset.DocumentIds([30, 10, 20], "c")

    assert [ids.get(pk) for pk in (30, 10, 20, 40)] == ["c1", "c2", "c3", None]
    assert 10 in ids and 40 not in ids and len(ids) == 3
    with pytest.raises(KeyError):
        ids[40]


def test_annotations_name_the_anno_context():
    assert json_postgresql.CONTEXT == annotations.CONTEXT
