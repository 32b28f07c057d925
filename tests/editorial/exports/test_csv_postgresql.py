"""The CSV rows PostgreSQL writes are exactly the rows ``csv.writer`` writes from the records."""

import datetime
import io

import pytest
from django.db import connection

from editorial import exports
from editorial.exports import csv as csv_export
from editorial.exports import csv_postgresql
from editorial.models import Claim
from tests.factories import make_citation, make_claim, make_publisher, make_source, make_speaker, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes these rows itself"),
]

AWKWARD = [
    'He said "no", twice',
    "line one\nline two\r\nline three\rend",
    '=HYPERLINK("http://evil.example","click")',
    "+1 for this",
    "-5 degrees",
    "@everyone",
    "\tindented",
    "\rreturned",
    "'already quoted",
    "emoji 🌊🇳🇴 and ünïcödé — “curly”",
    " leading and trailing space ",
    "semi; colon, comma",
    'what COPY ends a row with,"\r"\n inside a cell',
    "\r",
]
TEXT = 'Alpha beta gamma. Delta, epsilon "zeta". Eta\ntheta iota. =Kappa lambda. 🌊 Mu nu.'


def publish(claim, moderator):
    claim.submit(moderator)
    claim.publish(moderator)


def update_snapshot(claim, **changes):
    snapshot = Claim.objects.get(pk=claim.pk).public_snapshot
    for key, value in changes.items():
        if value is None:
            snapshot.pop(key, None)
        else:
            snapshot[key] = value
    Claim.objects.filter(pk=claim.pk).update(public_snapshot=snapshot)


@pytest.fixture
def awkward_corpus():
    moderator = make_user(None, "Editors", "Moderators")
    plain = make_source("Plain source", TEXT)
    odd = make_source(
        "=cmd|' /C calc'!A0, \"quoted\"\nnew line",
        TEXT,
        authors=[('Ünal, "Öz"', "")],
        publisher=make_publisher("-Minus Press, Ltd."),
        url='https://odd.example/a,b?c="d"',
        section="@section",
        byline='By "A", B\r\nand C',
        language="",
        published_at=datetime.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    )
    speaker = make_speaker('=Speaker, "the" first')
    claims = []
    for number, statement in enumerate(AWKWARD):
        claim = make_claim(
            statement,
            created_by=moderator,
            speaker=speaker if number % 2 else None,
            tags=["=1+1", "a,b", f"tag {number}"] if number % 3 == 0 else [],
            verdict="disputed" if number % 2 else "",
            verdict_explanation=AWKWARD[-number - 1],
            claim_date=datetime.date(2024, 3, number + 1) if number % 4 else None,
        )
        make_citation(claim, plain.current_revision, 'Delta, epsilon "zeta".', note=AWKWARD[number])
        if number % 2:
            make_citation(claim, odd.current_revision, "=Kappa lambda.")
        publish(claim, moderator)
        claims.append(claim)
    # Excerpts, prefixes and notes as stored in an approved version, whatever the text says.
    snapshot = Claim.objects.get(pk=claims[0].pk).public_snapshot
    snapshot["citations"][0].update(excerpt='-, "\n\r🌊', note="")
    Claim.objects.filter(pk=claims[0].pk).update(public_snapshot=snapshot)
    # Versions approved by older releases: no slug, verdict, tags or speaker.
    update_snapshot(claims[1], slug=None, verdict=None, verdict_explanation=None, tags=None, speaker=None)
    update_snapshot(claims[2], slug="")
    # A citation whose revision is gone: left out; a claim left without any still has its row.
    gone = Claim.objects.get(pk=claims[3].pk).public_snapshot["citations"][0] | {"revision": 987654321}
    update_snapshot(claims[3], citations=[gone])
    update_snapshot(claims[4], citations=[gone, *Claim.objects.get(pk=claims[4].pk).public_snapshot["citations"]])
    # Not exported: a draft, and the live edits of a published claim.
    make_citation(make_claim("=draft, never exported"), plain.current_revision, "Alpha beta gamma.")
    Claim.objects.filter(pk=claims[5].pk).update(statement="=unapproved live edit")
    # An approved version without citations (or without the key, from an older release).
    update_snapshot(claims[6], citations=[])
    update_snapshot(claims[7], citations=None)
    return claims


def export(claims, *, generic, monkeypatch, **options):
    with monkeypatch.context() as patched:
        if generic:
            patched.setattr(csv_postgresql, "supports", lambda claims, version: False)
        out = io.StringIO()
        exports.write("csv", claims, out, version="public", **options)
    return out.getvalue()


@pytest.mark.parametrize("chunk_size", [1, 4, 500])
@pytest.mark.parametrize("order", ["pk", "-pk", "statement"])
def test_postgresql_rows_are_the_rows_csv_writer_writes(awkward_corpus, monkeypatch, chunk_size, order):
    claims = Claim.objects.order_by(order)
    options = {"base_url": "https://example.org/", "chunk_size": chunk_size, "bom": True}

    fast = export(claims, generic=False, monkeypatch=monkeypatch, **options)
    generic = export(claims, generic=True, monkeypatch=monkeypatch, **options)

    assert fast == generic
    assert fast.count("\r\n") > len(AWKWARD)
    assert "unapproved live edit" not in fast and "never exported" not in fast


def test_postgresql_rows_follow_the_exporters_formula_guard():
    assert csv_postgresql.FORMULA_STARTS == csv_export.FORMULA_STARTS


def test_http_export_uses_the_database_rows_and_reads_only_published_claims(awkward_corpus, client, monkeypatch):
    response = client.get("/claims/export/csv/")
    body = b"".join(response.streaming_content).decode()
    generic = export(
        Claim.objects.published().order_by("pk"), generic=True, monkeypatch=monkeypatch, base_url="http://testserver"
    )

    assert response.status_code == 200
    assert "unapproved live edit" not in body
    assert sorted(body.splitlines()) == sorted(generic.splitlines())
