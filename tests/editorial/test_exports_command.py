"""``manage.py export_claims``: the staff export, every status by default, with filters and files."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_export_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return make_export_corpus()


def run(*args):
    """Return what ``export_claims`` writes to standard output."""
    out = io.StringIO()
    call_command("export_claims", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def statements(csv_text):
    rows = list(csv.DictReader(io.StringIO(csv_text.removeprefix("\ufeff"))))
    return list(dict.fromkeys(row["statement"] for row in rows))


def test_default_export_holds_every_claim_whatever_its_status_in_creation_order(corpus):
    claims = json.loads(run("--format", "json"))["claims"]

    assert [claim["status"] for claim in claims] == [
        "published",
        "corrected",
        "retracted",
        "draft",
        "in_review",
        "rejected",
        "published",
        "draft",
    ]
    # The stored version, not the approved one: a staff backup holds what editors see.
    assert "EDITED-UNPUBLISHED statement." in [claim["statement"] for claim in claims]


def test_public_flag_exports_what_the_site_shows(corpus):
    text = run("--format", "csv", "--public")

    assert statements(text) == [
        corpus.published.statement,
        "'=The fare rise is a tax on living at sea 🌊.",
        "Saltmere battery will store wind power.",
    ]


def test_unknown_format_is_refused_naming_the_formats(corpus):
    with pytest.raises(CommandError, match=r"Unknown export format “xlsx”; choose one of: csv, json, jsonld"):
        run("--format", "xlsx")


def test_unknown_set_is_refused_naming_the_sets(corpus):
    with pytest.raises(CommandError, match=rf"Unknown claim set “nope”; claim sets: {corpus.claim_set.slug}\."):
        run("--format", "csv", "--set", "nope")


def test_unknown_status_is_refused_naming_the_statuses(corpus):
    with pytest.raises(CommandError, match="Unknown status “live”; statuses: draft, in_review, published"):
        run("--format", "csv", "--status", "live")


def test_set_exports_every_member_in_the_sets_order(corpus):
    document = json.loads(run("--format", "json", "--set", corpus.claim_set.slug))

    assert document["set"]["slug"] == corpus.claim_set.slug
    assert [claim["statement"] for claim in document["claims"]] == [
        corpus.corrected.statement,
        corpus.draft.statement,
        corpus.published.statement,
        "EDITED-UNPUBLISHED statement.",
    ]
    assert "Uncited source" not in run("--format", "json", "--set", corpus.claim_set.slug)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--status", "draft", "--status", "rejected"],
            ["DRAFT-ONLY statement.", "Revenue rose by 5% & more 𝔅.", "A bare draft without citations."],
        ),
        (
            ["--tag", "ferries"],
            [
                "The fare increase is the smallest rise that keeps both boats sailing.",
                "'=The fare rise is a tax on living at sea 🌊.",
            ],
        ),
        (["--tag", "ENERGY"], ["EDITED-UNPUBLISHED statement."]),  # a name, ignoring (ASCII) case
        (["--tag", "énergie"], ["'=The fare rise is a tax on living at sea 🌊."]),
        (
            ["--tag", "ferries", "--tag", "prices"],
            ["The fare increase is the smallest rise that keeps both boats sailing."],
        ),
        (["--speaker", "finance-ministry"], ["R&D spending doubled.", "Revenue rose by 5% & more 𝔅."]),
        (
            ["--source", "ministry-statement-on-revenue", "--status", "retracted"],
            ["R&D spending doubled."],
        ),
    ],
)
def test_filters_narrow_the_export(corpus, args, expected):
    assert statements(run("--format", "csv", *args)) == expected


def test_unknown_speaker_or_source_is_refused(corpus):
    with pytest.raises(CommandError, match="Unknown speaker “nobody”"):
        run("--format", "csv", "--speaker", "nobody")
    with pytest.raises(CommandError, match="Unknown source “nothing”"):
        run("--format", "csv", "--source", "nothing")


def test_output_file_is_written_whole_with_a_byte_order_mark_when_asked(corpus, tmp_path):
    target = tmp_path / "claims.csv"
    err = io.StringIO()
    call_command("export_claims", "--format", "csv", "--bom", "-o", str(target), stdout=io.StringIO(), stderr=err)

    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfclaim_id,")
    assert b"\r\n" in data and b"\r\r\n" not in data
    assert not (tmp_path / "claims.csv.partial").exists()
    assert "Wrote 8 claims as CSV (one row per citation)" in err.getvalue()


def test_a_full_json_backup_holds_sources_nobody_cites(corpus):
    titles = [source["title"] for source in json.loads(run("--format", "json"))["sources"]]

    assert "Uncited source" in titles
    assert "Uncited source" not in [
        source["title"] for source in json.loads(run("--format", "json", "--status", "published"))["sources"]
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonld", "annotations", "csl", "bibtex", "ris", "markdown", "html"])
def test_every_format_exports_from_the_command(corpus, fmt):
    text = run("--format", fmt)

    assert text.strip()
    if fmt in ("json", "jsonld", "annotations", "csl"):
        json.loads(text)
