"""``import_claims`` of many new claims: written in bulk, the same rows as one claim at a time, few queries."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from editorial.anchoring import AnchorState, context
from editorial.claimset import import_document, schema
from editorial.models import Citation, Claim, ClaimRelation, ClaimSet, ModerationEvent, PublicEntry, Speaker
from editorial.public import counters, readmodel
from editorial.services.moderation import moderated
from editorial.workflow import PUBLIC_STATUSES
from sources.models import Author, Byline, Publisher, Revision, Source, text_sha256
from sources.services import CapturePlan, match_source
from tests.factories import make_user

pytestmark = pytest.mark.django_db

STATUSES = ["published", "draft", "in_review", "corrected", "rejected", "retracted"]
TAGS = ["Economy", "economy", "ports", "Grain trade", "border"]  # two spell one tag
SPEAKERS = ["Minister A", "Ministry B", "minister a", ""]  # the first and third are one speaker


def generated_document(claims, *, sources=4, first=0):
    """Return a claim-set document of ``claims`` claims (``c<first>`` …) citing ``sources`` sources."""
    texts = [
        "\n\n".join(f"Paragraph {p} of report {s}: “Quote {s}-{p} stands.” said someone." for p in range(6))
        for s in range(sources)
    ]
    document = {
        "format": "editorial.claimset/1",
        "sources": [
            {
                "id": f"s{s}",
                "title": f"Report {s}",
                "url": f"https://example.org/reports/{s}",
                "publisher": "Example Daily",
                "authors": [{"name": f"Reporter {s % 2}", "location": "Minsk"}],
                "revisions": [{"number": 1, "sha256": text_sha256(text), "text": text}],
            }
            for s, text in enumerate(texts)
        ],
        "claims": [],
    }
    for n in range(first, first + claims):
        text = texts[n % sources]
        quote = f"Quote {n % sources}-{n % 6} stands."
        start = text.index(quote)
        document["claims"].append(
            {
                "id": f"c{n}",
                "statement": f"Claim number {n} holds.",
                "speaker": SPEAKERS[n % len(SPEAKERS)],
                "claim_date": f"2024-03-{1 + n % 28:02d}",
                "status": STATUSES[n % len(STATUSES)],
                "verdict": "false" if n % 3 else "",
                "tags": [TAGS[n % len(TAGS)], TAGS[(n + 1) % len(TAGS)]],
                "citations": [
                    {
                        "source": f"s{n % sources}",
                        "revision": 1,
                        "excerpt": quote,
                        "start": start,
                        "end": start + len(quote),
                    }
                ],
                "relations": [{"kind": "contradicts", "claim": f"c{n - 1}"}] if n > first and n % 10 == 0 else [],
            }
        )
    return document


def import_as_operator(document):
    return import_document(json.dumps(document), operator="operator (test)", origin="bulk.json")


def test_a_bulk_import_writes_every_row_of_every_new_claim():
    document = generated_document(300)
    result = import_as_operator(document)

    assert result.counts["claims created"] == 300
    assert Claim.objects.count() == 300
    assert Speaker.objects.count() == 2  # "Minister A" and "minister a" are one speaker
    assert Tag.objects.count() == 4  # "Economy" and "economy" are one tag
    assert ClaimRelation.objects.count() == 29
    stated = {claim["statement"]: claim for claim in document["claims"]}
    for claim in Claim.objects.select_related("speaker").prefetch_related("citations", "tags", "moderation_events"):
        data = stated[claim.statement]
        assert claim.status == data["status"]
        assert (claim.speaker.name.casefold() if claim.speaker else "") == data["speaker"].casefold()
        assert {tag.name.casefold() for tag in claim.tags.all()} == {tag.casefold() for tag in data["tags"]}
        (citation,) = claim.citations.all()
        assert (citation.position, citation.excerpt, citation.start) == (
            1,
            *[data["citations"][0][k] for k in ("excerpt", "start")],
        )
        assert (citation.prefix, citation.suffix) == context(citation.revision.text, citation.start, citation.end)
        assert citation.anchor_state == AnchorState.CURRENT and citation.anchored_revision_id == citation.revision_id
        (event,) = claim.moderation_events.all()
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            "restore",
            "draft",
            claim.status,
            "operator (test)",
        )
        assert event.note == "Imported from bulk.json."
        assert event.public_version == claim.public_snapshot
        if claim.status in PUBLIC_STATUSES:
            # The version built in Python is the one the per-claim path reads back from the rows.
            approved = claim.public_snapshot
            assert claim.build_public_version() == {
                key: value for key, value in approved.items() if key != "approved_at"
            }
            assert claim.published_at is not None
        else:
            assert claim.public_snapshot is None and claim.published_at is None
        assert [row.history_type for row in claim.history.order_by("history_id")] == ["+", "~"]
        assert claim.history.order_by("history_id").first().status == "draft"
    assert Citation.history.count() == 300
    assert PublicEntry.objects.count() == Claim.objects.publicly_visible().count() == 150
    assert readmodel.verify() == []
    assert counters.problems() == []  # the new entries were counted as they were written
    assert counters.total() == PublicEntry.objects.filter(listed=True).count() == 100


def test_bulk_created_sources_have_their_bylines_revisions_and_history():
    import_as_operator(generated_document(10, sources=3))

    assert Publisher.objects.get().name == "Example Daily"
    assert list(Author.objects.order_by("name").values_list("name", flat=True)) == ["Reporter 0", "Reporter 1"]
    assert Byline.objects.count() == 3
    for source in Source.objects.all():
        revision = source.revisions.get()
        assert source.current_revision == revision
        assert revision.verify_hash() and revision.format == "claimset" and revision.origin == "bulk.json"
        assert [row.history_type for row in source.history.order_by("history_id")] == ["+", "~"]
    assert len({source.slug for source in Source.objects.all()}) == 3


def test_a_bulk_import_twice_changes_nothing_the_second_time():
    document = generated_document(120)
    import_as_operator(document)
    counts = {model: model.objects.count() for model in (Claim, Citation, ModerationEvent, Source, Revision, Tag)}

    again = import_as_operator(document)

    assert not again.changed
    assert {model: model.objects.count() for model in counts} == counts


def test_an_editors_bulk_import_brings_new_claims_in_as_drafts_with_import_events():
    editor = make_user("ed", "Editors")
    result = import_document(json.dumps(generated_document(30)), user=editor, origin="bulk.json")

    assert result.counts["claims imported as drafts"] == 30
    assert set(Claim.objects.values_list("status", flat=True)) == {"draft"}
    assert not PublicEntry.objects.exists()
    events = ModerationEvent.objects.all()
    assert events.count() == 30 and {event.action for event in events} == {"import"}
    assert events.filter(note__contains="The document stated “published”.").exists()
    assert {claim.created_by for claim in Claim.objects.all()} == {editor}


def empty_the_database():
    ClaimSet.objects.all().delete()
    Claim.objects.all().delete()
    Speaker.objects.all().delete()
    Source.objects.all().delete()
    Author.objects.all().delete()
    Publisher.objects.all().delete()
    Tag.objects.all().delete()


def queries_to_import(claims):
    """Return the statements importing ``claims`` new claims runs, but for INSERTs: ``(count, inserts)``."""
    empty_the_database()
    with CaptureQueriesContext(connection) as queries:
        import_as_operator(generated_document(claims))
    assert Claim.objects.count() == claims
    inserts = sum(query["sql"].startswith("INSERT") for query in queries)
    return len(queries) - inserts, inserts


def test_the_queries_of_a_bulk_import_do_not_grow_with_its_claims():
    (many, many_inserts), (few, few_inserts) = queries_to_import(600), queries_to_import(300)

    assert abs(many - few) <= 2
    # One INSERT per kind of row and batch of 1,000 claims; SQLite's limit of 999 parameters cuts
    # each into statements of a few dozen rows.
    if connection.vendor == "postgresql":
        assert many_inserts == few_inserts
    else:
        assert many_inserts - few_inserts <= 300 // 8


def test_the_read_model_is_the_only_receiver_of_moderated():
    # The bulk path writes the read model itself instead of sending ``moderated`` per claim; a new
    # receiver must be called from ``editorial.claimset.bulk`` too.
    assert [key[0] for key, *_ in moderated.receivers] == ["editorial.public_read_model"]


# The compiled schema check ------------------------------------------------------------------------

MUTATIONS = [None, True, 0, -1, 1.0, 2.5, "", " ", "a b", "\ufeffslug", "ABC", "\x1c", "x" * 64, [], {}, [3], {"a": 1}]


def paths_of(node, path=()):
    """Yield the path (a tuple of keys and indexes) of every value inside ``node``."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in children:
        yield (*path, key)
        yield from paths_of(value, (*path, key))


def mutated(document, path, value):
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def invalid_samples():
    """Yield invalid documents: the schema tests' samples and every value of a document replaced in turn."""
    from tests.editorial.test_claimset_schema import minimal, test_structural_problems_are_reported_in_our_words

    (mark,) = [mark for mark in test_structural_problems_are_reported_in_our_words.pytestmark if mark.args]
    yield from (document for document, _ in mark.args[1])
    yield mutated(minimal(), ("sources", 0, "revisions", 0, "number"), 1.0)
    yield mutated(minimal(), ("sources", 0, "revisions", 0, "sha256"), "a" * 64 + "\n")
    yield {"format": "editorial.claimset/1", "set": {"title": "Set", "slug": "\ufeffset"}}
    document = generated_document(2, sources=2)
    document["set"] = {"title": "Set", "slug": "set", "description": ""}
    for path in list(paths_of(document)):
        for value in MUTATIONS:
            yield mutated(document, path, value)
        if isinstance(path[-1], str):
            parent = mutated(document, path, None)
            node = parent
            for key in path[:-1]:
                node = node[key]
            del node[path[-1]]
            yield parent


def test_the_compiled_check_never_passes_what_the_detailed_check_refuses():
    refused = 0
    for document in invalid_samples():
        detailed = schema.described_problems(document)
        # Whatever the compiled validator decides, the problems reported are the detailed check's.
        assert schema.schema_problems(document) == detailed, document
        if detailed:
            refused += 1
            assert not schema._compiled_accepts(document), document
    assert refused > 500


def test_a_valid_document_is_passed_by_the_compiled_check_alone():
    assert schema._compiled_accepts(generated_document(20))


# Matching in bulk ---------------------------------------------------------------------------------


def test_matching_in_bulk_finds_what_match_source_finds():
    daily = Publisher.objects.create(name="Example Daily")
    weekly = Publisher.objects.create(name="Weekly")
    stored = [
        Source.objects.create(title="Ports reopen", url="https://example.org/a", publisher=daily),
        Source.objects.create(title="PORTS REOPEN", publisher=daily),
        Source.objects.create(title="ports reopen", publisher=daily),  # the older one wins
        Source.objects.create(title="Grain deal", publisher=weekly),
        Source.objects.create(title="Straße gesperrt", publisher=weekly),
        Source.objects.create(title="No publisher"),
        Source.objects.create(title="Old headline", publisher=daily),
    ]
    Revision.objects.create(source=stored[6], number=1, text="Held text.", sha256=text_sha256("Held text."))
    documents = [
        {"url": url, "publisher": publisher, "title": title, "sha256": sha256}
        for url in ["", "https://example.org/a", "https://example.org/b"]
        for publisher in ["Example Daily", "example daily", "Weekly", "", "Unknown"]
        for title in [
            "Ports reopen",
            "ports REOPEN",
            "Grain deal",
            "STRASSE GESPERRT",
            "straße gesperrt",
            "No publisher",
        ]
        for sha256 in [None, text_sha256("Held text."), text_sha256("Other text.")]
    ]
    plan = CapturePlan()
    plan.prefetch(documents)

    with CaptureQueriesContext(connection) as queries:
        found = [plan.match(**document) for document in documents]

    assert len(queries) == 0
    # The plan decides as it did without reading ahead (one plan: what it tracks, it matches later) …
    unread = CapturePlan()
    assert [planned and planned.source for planned in found] == [
        planned and planned.source for planned in (unread.match(**document) for document in documents)
    ]
    # … and each document alone is matched as ``match_source`` matches it.
    for document in documents:
        alone = CapturePlan()
        alone.prefetch([document])
        planned = alone.match(**document)
        assert (planned and planned.source) == match_source(**document), document
    assert {planned.source.pk for planned in found if planned} >= {stored[0].pk, stored[1].pk, stored[6].pk}


def full_backup_of(claims):
    """Return the full backup (``editorial.claimset/2``) of ``claims`` generated claims, the database emptied."""
    empty_the_database()
    import_as_operator(generated_document(claims))
    out = io.StringIO()
    call_command("export_claims", "--format", "json", stdout=out, stderr=io.StringIO())
    empty_the_database()
    return json.loads(out.getvalue())


def queries_to_restore(claims):
    """Return the statements restoring a full backup of ``claims`` claims runs, but for INSERTs."""
    document = full_backup_of(claims)
    with CaptureQueriesContext(connection) as queries:
        result = import_as_operator(document)
    assert result.counts["claims created"] == claims and not result.notices
    inserts = sum(query["sql"].startswith("INSERT") for query in queries)
    return len(queries) - inserts, inserts


def test_the_queries_of_a_full_restore_do_not_grow_with_its_claims():
    (many, many_inserts), (few, few_inserts) = queries_to_restore(600), queries_to_restore(300)

    # On SQLite, putting back the creation stamps (``bulk_update``) takes a statement per few
    # hundred rows; on PostgreSQL they go in with the rows.
    assert abs(many - few) <= (2 if connection.vendor == "postgresql" else 8)
    if connection.vendor == "postgresql":
        assert many_inserts == few_inserts
    else:
        assert many_inserts - few_inserts <= 300 // 8


def queries_to_export(claims):
    empty_the_database()
    import_as_operator(generated_document(claims))
    with CaptureQueriesContext(connection) as queries:
        call_command("export_claims", "--format", "json", stdout=io.StringIO(), stderr=io.StringIO())
    return len(queries)


def test_the_queries_of_a_full_export_do_not_grow_with_its_claims():
    # Both within one chunk of 500 claims: a fixed number of queries per chunk, whatever it holds.
    assert queries_to_export(400) == queries_to_export(100)
