"""``import_claims``: every problem reported with its JSON path, idempotent imports, round trips."""

import copy
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from editorial.claimset import InvalidClaimSet, import_document
from editorial.exports import write
from editorial.models import (
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ClaimSetMembership,
    ModerationEvent,
    Speaker,
)
from sources.models import Author, Byline, Publisher, Revision, Source, text_sha256
from tests.factories import make_citation, make_claim, make_export_corpus, make_source

pytestmark = pytest.mark.django_db

MODELS = [
    Publisher,
    Author,
    Source,
    Byline,
    Revision,
    Speaker,
    Claim,
    Citation,
    ClaimRelation,
    ModerationEvent,
    ClaimSet,
    ClaimSetMembership,
    Tag,
]


def import_as_operator(data, **options):
    """Import as the command-line operator, who restores statuses as the document states them."""
    return import_document(data, operator="operator (test)", **options)


def backup(**options):
    """Return the staff command's full JSON backup as text."""
    out = io.StringIO()
    call_command("export_claims", "--format", "json", *options.get("args", []), stdout=out)
    return out.getvalue()


def without_export_time(text):
    return re.sub(r'"exported_at": "[^"]+"', '"exported_at": "…"', text, count=1)


def empty_the_database():
    ClaimSet.objects.all().delete()
    Claim.objects.all().delete()  # with citations, relations, moderation events, memberships
    Speaker.objects.all().delete()
    Source.objects.all().delete()  # with revisions and bylines
    Author.objects.all().delete()
    Publisher.objects.all().delete()
    Tag.objects.all().delete()
    assert not any(model.objects.exists() for model in MODELS)


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


V1_KEYS = {
    "document": ("format", "exported_at", "set", "sources", "claims"),
    "source": ("id", "title", "url", "publisher", "section", "byline", "authors", "language", "published_at"),
    "source+": ("updated_at", "revisions"),
    "revision": ("number", "sha256", "captured_at", "updated_at", "text"),
    "claim": ("id", "statement", "speaker", "claim_date", "status", "verdict", "tags", "citations", "relations"),
    "citation": ("source", "revision", "excerpt", "start", "end", "prefix", "suffix"),
    "relation": ("kind", "claim"),
}


def version_1(document):
    """Return a full backup (``editorial.claimset/2``) cut down to what ``editorial.claimset/1`` holds."""

    def kept(data, kind):
        return {key: data[key] for key in V1_KEYS[kind] if key in data}

    cut = kept(document, "document") | {"format": "editorial.claimset/1"}
    cut["sources"] = [
        kept(source, "source")
        | kept(source, "source+")
        | {"revisions": [kept(r, "revision") for r in source["revisions"]]}
        for source in document["sources"]
    ]
    cut["claims"] = [
        kept(claim, "claim")
        | {
            "citations": [kept(citation, "citation") for citation in claim["citations"]],
            "relations": [kept(relation, "relation") for relation in claim["relations"]],
        }
        for claim in document["claims"]
    ]
    return cut


@pytest.fixture
def document():
    """The corpus's full backup in version 1 (the semantics of ``editorial.claimset/1``), the database emptied.

    Version 2 documents, the whole record, have their own tests (``test_claimset_roundtrip.py``).
    """
    make_export_corpus()
    text = backup()
    empty_the_database()
    return version_1(json.loads(text))


def problems_of(document):
    """Return the problems ``import_document`` reports for ``document``, as strings."""
    with pytest.raises(InvalidClaimSet) as caught:
        import_as_operator(json.dumps(document, ensure_ascii=False))
    return [str(problem) for problem in caught.value.problems]


# Round trips -------------------------------------------------------------------------------------


def test_export_import_into_an_empty_database_and_export_again_gives_the_same_document(tmp_path):
    make_export_corpus()
    first = tmp_path / "first.json"
    call_command("export_claims", "--format", "json", "-o", str(first), stderr=io.StringIO())
    empty_the_database()

    out = io.StringIO()
    call_command("import_claims", str(first), stdout=out)
    second = backup()

    assert "8 claims created" in out.getvalue()
    assert without_export_time(second) == without_export_time(first.read_text(encoding="utf-8"))
    restored = json.loads(second)
    assert {claim["status"] for claim in restored["claims"]} == {
        "draft",
        "in_review",
        "published",
        "rejected",
        "corrected",
        "retracted",
    }
    assert any("🌊" in source["title"] for source in restored["sources"])


def test_a_claim_set_round_trips_with_its_order(tmp_path):
    corpus = make_export_corpus()
    first = backup(args=["--set", corpus.claim_set.slug])
    empty_the_database()

    import_as_operator(first)

    claim_set = ClaimSet.objects.get()
    assert (claim_set.title, claim_set.slug) == ("Ferry fares & <friends>", corpus.claim_set.slug)
    assert without_export_time(backup(args=["--set", claim_set.slug])) == without_export_time(first)


def test_restored_statuses_are_recorded_in_the_moderation_log(document):
    import_as_operator(json.dumps(document), origin="backup.json")

    for claim in Claim.objects.all():
        event = claim.moderation_events.get()
        assert (event.action, event.to_status, event.note) == ("restore", claim.status, "Imported from backup.json.")
    published = Claim.objects.get(statement__startswith="The fare increase")
    assert published.is_published() and published.public_version()["verdict"] == "disputed"


def test_importing_the_same_file_twice_changes_nothing(document):
    text = json.dumps(document, ensure_ascii=False)
    import_as_operator(text)
    before = row_counts()
    modified = list(Claim.objects.order_by("pk").values_list("modified_at", flat=True))

    result = import_as_operator(text)

    assert not result.changed
    assert str(result) == "6 sources matched, 8 revisions matched, 8 claims matched"
    assert row_counts() == before
    assert list(Claim.objects.order_by("pk").values_list("modified_at", flat=True)) == modified


def test_importing_a_backup_into_the_database_it_came_from_changes_nothing():
    make_export_corpus()
    before = row_counts()

    result = import_as_operator(backup())

    assert not result.changed
    assert row_counts() == before


def test_an_existing_claim_gets_what_the_file_adds_and_a_rebuilt_public_version(document):
    import_as_operator(json.dumps(document))
    published = Claim.objects.get(statement__startswith="The fare increase")
    Citation.objects.filter(claim=published).order_by("-position").first().delete()
    published.tags.remove("prices")

    result = import_as_operator(json.dumps(document))

    assert result.counts["claims updated"] == 1 and result.counts["citations created"] == 1
    published.refresh_from_db()
    assert published.citations.count() == 2
    assert sorted(published.tags.names()) == ["ferries", "prices"]
    assert len(published.public_version()["citations"]) == 2
    assert not published.has_unpublished_changes()


def test_a_new_revision_of_a_stored_source_re_anchors_its_citations():
    text = "Harbour board backs new timetable after months of argument."
    source = make_source("Ferry fares", text, url="https://example.org/ferry")
    citation = make_citation(make_claim(), source.current_revision, "backs new timetable")
    document = {
        "format": "editorial.claimset/1",
        "sources": [
            {
                "id": 1,
                "title": "Ferry fares",
                "url": "https://example.org/ferry",
                "revisions": [
                    {"number": 1, "text": text, "sha256": text_sha256(text)},
                    {"number": 2, "text": "Update. " + text, "captured_at": "2024-06-14T09:00:00+01:00"},
                ],
            }
        ],
    }

    result = import_as_operator(json.dumps(document))

    assert (result.counts["sources matched"], result.counts["revisions created"]) == (1, 1)
    source.refresh_from_db()
    assert source.current_revision.number == 2
    assert source.current_revision.captured_at.isoformat() == "2024-06-14T08:00:00+00:00"
    citation.refresh_from_db()
    assert (citation.anchor_state, citation.anchored_start) == ("exact", citation.start + len("Update. "))


# Problems, with their JSON paths -----------------------------------------------------------------


def test_malformed_json_is_reported_with_its_line_and_column():
    with pytest.raises(InvalidClaimSet) as caught:
        import_as_operator(b'{"format": "editorial.claimset/1",\n  "sources": [}')

    assert [str(problem) for problem in caught.value.problems] == [
        "$: malformed JSON at line 2, column 15: Expecting value"
    ]


def test_text_that_is_not_utf8_is_reported():
    with pytest.raises(InvalidClaimSet, match=r"\$: not UTF-8 text \(byte 0xff at offset 1\)"):
        import_as_operator(b"{\xff}")


def test_a_wrong_format_is_reported(document):
    document["format"] = "editorial.claimset/3"

    assert problems_of(document) == [
        "$.format: must be “editorial.claimset/1” or “editorial.claimset/2”, found “editorial.claimset/3”"
    ]


def test_every_problem_is_reported_at_once_and_nothing_is_imported(document):
    broken = copy.deepcopy(document)
    broken["claims"][0]["citations"][0]["source"] = "s99"
    broken["sources"][0]["revisions"][0]["sha256"] = "0" * 64
    broken["claims"][1]["status"] = "approved"
    citation = broken["claims"][2]["citations"][0]
    citation["start"] += 1
    citation["end"] += 1
    broken["claims"][3]["relations"] = [{"kind": "supports", "claim": "c42"}]
    broken["claims"][4]["claim_date"] = "13/03/2024"
    broken["sources"][1]["published_at"] = "2024-03-13T10:00:00"
    broken["claims"][5]["verdict"] = "pants on fire"
    broken["claims"][6]["citations"][0]["revision"] = 9

    problems = problems_of(broken)

    assert problems == [
        "$.sources[0].revisions[0].sha256: does not match the revision text, whose SHA-256 is "
        f"{text_sha256(document['sources'][0]['revisions'][0]['text'])} (the text was changed, or the digest "
        "belongs to another text)",
        "$.sources[1].published_at: “2024-03-13T10:00:00” has no UTC offset (write it as 2024-03-14T08:45:00+00:00)",
        '$.claims[0].citations[0].source: no source has the id "s99"',
        "$.claims[1].status: unknown status “approved”; statuses: draft, in_review, published, rejected, "
        "corrected, retracted",
        problems[4],
        "$.claims[4].claim_date: “13/03/2024” is not a date (YYYY-MM-DD)",
        "$.claims[5].verdict: unknown verdict “pants on fire”; verdicts: supported, disputed, false, misleading, "
        "unverified",
        problems[7],
        '$.claims[3].relations[0].claim: no claim has the id "c42"',
    ]
    assert problems[4].startswith("$.claims[2].citations[0].start: excerpt not at its offsets: the text at ")
    assert problems[7].startswith('$.claims[6].citations[0].revision: source "s')
    assert problems[7].endswith("has no revision 9 (it has: 1)")
    assert not any(model.objects.exists() for model in MODELS if model is not Tag)


def test_wrong_types_and_missing_keys_are_reported(document):
    document["sources"][0]["title"] = ""
    del document["sources"][1]["revisions"][0]["text"]
    document["claims"][0]["tags"] = ["ferries", 3]
    document["claims"][0]["citations"][0]["start"] = "12"
    document["claims"][7]["id"] = document["claims"][0]["id"]

    assert problems_of(document) == [
        "$.sources[0].title: must not be empty",
        "$.sources[1].revisions[0].text: missing",
        "$.claims[0].tags[1]: must be a non-empty string",
        "$.claims[0].citations[0].start: must be a whole number, not a string",
        '$.claims[7].id: "c1" is already the id of $.claims[0]',
    ]


def test_a_revision_number_taken_by_other_text_is_reported(document):
    import_as_operator(json.dumps(document))
    revision = document["sources"][0]["revisions"][1]
    revision["text"] += " A sentence the stored revision does not have."
    revision["sha256"] = text_sha256(revision["text"])

    (problem,) = problems_of(document)

    assert problem.startswith("$.sources[0].revisions[1].number: revision 2 of the stored source “Island ferry fares")
    assert problem.endswith("a source's revisions cannot be changed")


def test_the_command_prints_every_problem_and_fails(document, tmp_path):
    document["format"] = "nope"
    document["claims"][0]["status"] = "gone"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problems found; nothing was imported"):
        call_command("import_claims", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        f"{path}: $.format: must be “editorial.claimset/1” or “editorial.claimset/2”, found “nope”",
        f"{path}: $.claims[0].status: unknown status “gone”; statuses: draft, in_review, published, rejected, "
        "corrected, retracted",
    ]
    assert not Claim.objects.exists()


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_claims", str(tmp_path / "missing.json"))


def test_unknown_keys_are_ignored_and_missing_optional_keys_mean_empty():
    text = "Only the required keys."
    document = {
        "format": "editorial.claimset/1",
        "generator": "another tool",
        "sources": [{"id": "a", "title": "Minimal", "revisions": [{"number": 1, "text": text}], "extra": 1}],
        "claims": [
            {
                "id": 7,
                "statement": "Minimal claim.",
                "citations": [{"source": "a", "revision": 1, "excerpt": "required keys", "start": 9, "end": 22}],
            }
        ],
    }

    import_as_operator(json.dumps(document))

    claim = Claim.objects.get()
    assert (claim.status, claim.speaker, claim.verdict, claim.claim_date) == ("draft", None, "", None)
    assert claim.citations.get().excerpt == "required keys"
    out = io.StringIO()
    write("json", Claim.objects.all(), out, version="live")
    assert json.loads(out.getvalue())["claims"][0]["citations"][0]["source"] == "s1"


# Through import_sources ---------------------------------------------------------------------------


def run_import_sources(*args):
    out = io.StringIO()
    try:
        call_command("import_sources", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


def test_import_sources_reads_the_claim_set_json_too(document, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    dry_output, dry_error = run_import_sources(str(path), "--dry-run")
    assert dry_error == "" and row_counts() == dict.fromkeys(row_counts(), 0)
    assert f"{path}: created — “claim-set JSON”: " in dry_output and "[dry run: not saved]" in dry_output

    output, error = run_import_sources(str(path))
    counts = row_counts()
    again, _ = run_import_sources(str(path))

    assert error == ""
    assert f"{path}: created — “claim-set JSON”: " in output
    assert "claims created" in output
    assert counts["Claim"] == len(document["claims"]) and counts["Source"] == len(document["sources"])
    assert f"{path}: unchanged — “claim-set JSON”: " in again
    assert row_counts() == counts


def test_import_sources_refuses_an_invalid_claim_set_naming_the_json_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format": "editorial.claimset/1", "sources": [], "claims": [{"statement": 4}]}))

    output, error = run_import_sources(str(path))

    assert f"{path}: failed: invalid claim-set JSON: $.claims[0]" in output
    assert "1 of 1 file failed" in error
    assert not Claim.objects.exists()


def test_a_dry_run_reports_what_the_import_does_and_writes_nothing(document):
    import_as_operator(json.dumps(document))
    document["claims"][0]["tags"].append("new-tag")
    document["claims"][1]["status"] = "retracted"
    source = document["sources"][0]
    source["revisions"].append({"number": 3, "text": source["revisions"][-1]["text"] + " A late paragraph."})
    before = row_counts()

    dry = import_as_operator(json.dumps(document), dry_run=True)

    assert row_counts() == before
    assert str(dry) == str(import_as_operator(json.dumps(document)))
    assert str(dry) == (
        "6 sources matched, 1 revisions created, 8 revisions matched, 1 claims updated, 7 claims matched, "
        "2 statuses restored"
    )


def test_a_source_is_matched_by_the_same_rule_as_the_file_importers():
    text = "Harbour board backs new timetable after months of argument."
    stored = make_source("Ferry fares", text)
    document = {
        "format": "editorial.claimset/1",
        "sources": [{"id": 1, "title": "Ferry fares to rise", "revisions": [{"number": 1, "text": text}]}],
    }

    result = import_as_operator(json.dumps(document))

    # A changed headline over a text the source already holds is the same document.
    assert str(result) == "1 sources matched, 1 revisions matched"
    assert list(Source.objects.all()) == [stored]


def test_a_folder_dry_run_sees_what_an_earlier_claim_set_file_would_capture(document, tmp_path):
    source = document["sources"][0]
    (tmp_path / "1-backup.json").write_text(json.dumps(document), encoding="utf-8")
    later = source["revisions"][-1]["text"] + "\n\nA late paragraph."
    (tmp_path / "2-update.md").write_text(f"---\ntitle: Ferry\nurl: {source['url']}\n---\n{later}\n")

    dry_output, _ = run_import_sources(str(tmp_path), "--dry-run")
    assert row_counts() == dict.fromkeys(row_counts(), 0)
    output, error = run_import_sources(str(tmp_path))

    assert error == ""
    line = f"{tmp_path / '2-update.md'}: new revision — “Ferry” (revision 3)"
    assert f"{line} [dry run: not saved]" in dry_output.splitlines()
    assert line in output.splitlines()


# Bad input: text that cannot be stored, lengths, malformed JSON -----------------------------------


def problems_in(data):
    """Return the problems ``import_document`` reports for the JSON text or bytes ``data``."""
    with pytest.raises(InvalidClaimSet) as caught:
        import_as_operator(data)
    return [str(problem) for problem in caught.value.problems]


def test_nul_characters_and_surrogates_are_refused_with_their_json_paths(document):
    document["set"] = {"title": "Ferries\u0000"}
    document["sources"][0]["title"] = "Island \ud800 ferry fares"
    document["sources"][0]["authors"] = [{"name": "Mei \udfff Tanaka"}]
    document["sources"][0]["revisions"][0]["text"] += "\u0000"
    document["claims"][0]["statement"] = "Fares\u0000 will rise."
    document["claims"][0]["speaker"] = "\ud83d"
    document["claims"][1]["tags"] = ["ferries", "fares\u0000"]

    # json.dumps writes them as the escapes \u0000 and \ud800, as any JSON writer may.
    problems = problems_in(json.dumps(document).encode())

    assert problems == [
        "$.set.title: contains a NUL character at position 7",
        "$.sources[0].title: contains an unpaired surrogate (U+D800) at position 7",
        "$.sources[0].authors[0].name: contains an unpaired surrogate (U+DFFF) at position 4",
        f"$.sources[0].revisions[0].text: contains a NUL character at position "
        f"{len(document['sources'][0]['revisions'][0]['text']) - 1}",
        "$.claims[0].statement: contains a NUL character at position 5",
        "$.claims[0].speaker: contains an unpaired surrogate (U+D83D) at position 0",
        "$.claims[1].tags[1]: contains a NUL character at position 5",
    ]
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_statements_over_the_limit_are_refused_and_a_huge_one_quickly(document):
    document["claims"][1]["statement"] = "x" * 2001
    document["claims"][3]["statement"] = "y" * 1_000_000

    problems = problems_in(json.dumps(document))

    assert problems == [
        "$.claims[1].statement: longer than 2000 characters (2001)",
        "$.claims[3].statement: longer than 2000 characters (1000000)",
    ]


def test_a_set_description_and_tags_over_their_limits_are_refused(document):
    document["set"] = {"title": "Ferries", "description": "d" * 5001}
    document["claims"][0]["tags"] = ["t" * 101]

    assert problems_of(document) == [
        "$.set.description: longer than 5000 characters (5001)",
        "$.claims[0].tags[0]: longer than 100 characters (101)",
    ]


def test_a_revision_text_over_the_import_limit_is_refused(document, settings):
    settings.IMPORT_MAX_BYTES = 20_000
    document["sources"][0]["revisions"][0]["text"] = "é" * 10_001

    assert problems_of(document) == [
        "$.sources[0].revisions[0].text: longer than the 19.5 KB import limit (19.5 KB in UTF-8)",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("[" * 100_000, "$: JSON nested too deeply"),
        ('{"claims": [' + "9" * 5000 + "]}", "$: unreadable JSON: Exceeds the limit (4300 digits) for integer string"),
    ],
)
def test_json_nested_too_deeply_or_with_a_huge_number_is_a_problem_not_a_crash(data, problem):
    [found] = problems_in(data)

    assert found.startswith(problem)
    assert len(found) < 200


def test_values_quoted_in_problems_are_cut_to_80_characters(document):
    document["claims"][0]["status"] = "gone " * 100_000
    document["claims"][1]["claim_date"] = "\n" * 100_000
    document["claims"][2]["citations"][0]["source"] = "s" * 100_000

    problems = problems_of(document)

    assert len(problems) == 3
    assert all(len(problem) < 300 for problem in problems), [len(problem) for problem in problems]
    assert problems[1] == "$.claims[1].claim_date: “" + "\\n" * 79 + "…” is not a date (YYYY-MM-DD)"


def test_the_command_reports_a_nul_in_a_statement_without_a_traceback(document, tmp_path):
    document["claims"][0]["statement"] = "Fares\u0000 will rise."
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem found; nothing was imported"):
        call_command("import_claims", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == f"{path}: $.claims[0].statement: contains a NUL character at position 5\n"
    assert not Claim.objects.exists()
