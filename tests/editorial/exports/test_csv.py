"""The CSV export's columns: the original ones in their order, then the claim's and citation's details."""

import csv
import io

import pytest

from editorial import exports
from editorial.exports.csv import COLUMNS
from editorial.models import Claim
from tests.factories import make_citation, make_claim, make_export_corpus, make_source

pytestmark = pytest.mark.django_db

ORIGINAL_COLUMNS = [
    "claim_id",
    "statement",
    "speaker",
    "status",
    "tags",
    "excerpt",
    "start",
    "end",
    "source_title",
    "publisher",
    "byline",
    "url",
    "published_at",
    "updated_at",
    "revision",
    "sha256",
    "permalink",
]


def rows(version="live"):
    out = io.StringIO()
    exports.write("csv", Claim.objects.order_by("pk"), out, version=version, base_url="http://testserver")
    table = list(csv.reader(io.StringIO(out.getvalue())))
    return table[0], [dict(zip(table[0], row, strict=True)) for row in table[1:]]


def test_the_original_columns_keep_their_order_and_the_new_ones_follow():
    assert COLUMNS[: len(ORIGINAL_COLUMNS)] == ORIGINAL_COLUMNS
    assert COLUMNS[len(ORIGINAL_COLUMNS) :] == [
        "claim_date",
        "verdict",
        "verdict_explanation",
        "citation_note",
        "section",
        "language",
    ]


def test_rows_carry_claim_date_verdict_explanation_note_section_and_language():
    corpus = make_export_corpus()
    citation = corpus.published.citations.order_by("position").first()
    citation.note = "The chair's words at the board meeting."
    citation.save()

    header, body = rows()

    assert header == COLUMNS
    first = next(row for row in body if row["excerpt"] == "the smallest rise that keeps both boats sailing")
    assert first["claim_date"] == "2024-03-13"
    assert first["verdict"] == "disputed"
    assert first["verdict_explanation"] == "No costing of smaller rises was published."
    assert first["citation_note"] == "The chair's words at the board meeting."
    assert first["section"] == "Coastal affairs"
    assert first["language"] == "en"
    bare = next(row for row in body if row["claim_id"] == str(corpus.bare.pk))
    assert [bare[name] for name in COLUMNS[len(ORIGINAL_COLUMNS) :]] == [""] * 6


def test_a_claim_without_citations_keeps_its_own_details():
    make_claim("Nothing cited yet.", verdict="unverified", verdict_explanation="Awaiting the minutes.")

    _, (row,) = rows()

    assert (row["verdict"], row["verdict_explanation"], row["excerpt"]) == ("unverified", "Awaiting the minutes.", "")


def test_the_new_columns_are_neutralised_like_the_others():
    source = make_source("Tariffs", "Fares rose by a tenth.", section="=cmd|' /C calc'!A0", language="en")
    claim = make_claim("Fares rose.", verdict_explanation="@SUM(1+1)")
    make_citation(claim, source.current_revision, "Fares rose by a tenth.", note="+44 20 7946 0000")

    _, (row,) = rows()

    assert row["verdict_explanation"] == "'@SUM(1+1)"
    assert row["citation_note"] == "'+44 20 7946 0000"
    assert row["section"] == "'=cmd|' /C calc'!A0"
