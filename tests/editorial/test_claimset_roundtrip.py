"""The claim-set JSON (``editorial.claimset/2``) loses nothing: export → empty database → import.

The round trip is checked row for row over every table of ``sources``, ``editorial`` and taggit,
with each foreign key read as what it names (a source by its slug, a claim by its statement and
speaker, a user by username …) rather than by database key. What is not compared, and why, is
listed in ``NOT_COMPARED`` and ``IGNORED_FIELDS`` (docs/claimset.md, "What is not carried").
"""

import base64
import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from editorial.claimset import InvalidClaimSet, import_document
from editorial.claimset.schema import described_problems
from editorial.models import (
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ModerationEvent,
    PublicEntry,
    Speaker,
)
from sources.models import Author, Publisher, Revision, Source
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DEMO = settings.BASE_DIR / "demo" / "sources"

# Tables whose rows are not part of the editorial record, with the reason.
NOT_COMPARED = {
    # The public record's version counter: a log of "something public changed", not content.
    "editorial.PublicChange",
    # The edit trail of the database that holds the rows: an import writes its own (created, then
    # restored), as it does for every row it writes. The moderation log is carried in full.
    "editorial.HistoricalClaim",
    "editorial.HistoricalCitation",
}
# Fields not compared: database keys (replaced by what they name), automatic modified stamps, and
# the stamps of when this database first stored a row that carries no editorial meaning.
IGNORED_FIELDS = {"id", "modified_at", "history_id", "history_date"}
FACET_MODELS = {"tag": "taggit.Tag", "speaker": "editorial.Speaker", "publisher": "sources.Publisher"}
IGNORED_BY_MODEL = {
    # Authors are found or created by the capture API from the names in bylines.
    "sources.Author": {"created_at"},
}


def load_demo():
    call_command("import_sources", str(DEMO), stdout=StringIO(), stderr=StringIO())
    call_command("load_demo_claims", stdout=StringIO(), stderr=StringIO())


def enrich_demo():
    """Add what the demo leaves empty: source notes and tags, an original file, sets, notes."""
    moderator = get_user_model().objects.get(username="demo-moderator")
    source = Source.objects.order_by("pk").first()
    source.notes = "Checked against the print edition."
    source.save()
    source.tags.add("harbour", "Transport")
    Publisher.objects.filter(pk=source.publisher_id).update(
        homepage="https://gazette.example/", time_zone="Europe/Oslo"
    )
    claims = list(Claim.objects.order_by("pk"))
    curated = ClaimSet.objects.create(
        title="Harbour claims", description="What was said about the harbour.", is_public=True, curator=moderator
    )
    curated.add_claim(claims[2], note="The fares")
    curated.add_claim(claims[0])
    ClaimSet.objects.create(title="Empty set", slug="empty")
    Speaker.objects.create(name="Nobody Quoted Yet", kind="organisation", description="Not yet cited")
    ClaimRelation.objects.filter(pk=ClaimRelation.objects.order_by("pk").first().pk).update(note="Same figures")


def dump():
    """Return every compared row of every table, by model label, each row as sorted (field, value) pairs."""
    keys = natural_keys()
    tables = {}
    for model in sorted(compared_models(), key=lambda model: model._meta.label):
        label = model._meta.label
        ignored = IGNORED_FIELDS | IGNORED_BY_MODEL.get(label, set())
        rows = []
        for row in model._default_manager.all().values():
            values = {}
            for field in model._meta.concrete_fields:
                historical = label.startswith(("sources.Historical", "editorial.Historical"))
                kept = (field.primary_key and field.is_relation) or (historical and field.name == "id")
                if field.name in ignored and not kept:
                    continue
                value = row[field.attname]
                if field.is_relation:
                    value = keys[field.related_model._meta.label].get(value, ("missing", value))
                elif label == "taggit.TaggedItem" and field.name == "object_id":
                    ct = ContentType.objects.get_for_id(row["content_type_id"])
                    value = keys[ct.model_class()._meta.label][value]
                elif label == "editorial.PublicFacet" and field.name in ("item_id", "scope_id"):
                    # A counter names a tag, speaker or publisher by key, as its kind (or scope kind) says.
                    kind = FACET_MODELS.get(row["kind" if field.name == "item_id" else "scope_kind"])
                    value = keys[kind][value] if kind else value
                elif historical and field.name == "id":
                    value = keys[model.instance_type._meta.label].get(value)
                elif isinstance(value, memoryview | bytes):
                    value = bytes(value)
                elif isinstance(value, dict | list):
                    value = json.dumps(replace_keys(value, keys), sort_keys=True)
                values[field.name] = value
            rows.append(tuple(sorted(values.items(), key=lambda item: item[0])))
        tables[label] = sorted(rows, key=repr)
    return tables


def compared_models():
    for app in ("sources", "editorial", "taggit"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.label not in NOT_COMPARED:
                yield model


def natural_keys():
    """Return ``{model label: {pk: what the row is to a reader}}`` for every model a foreign key can name."""
    user = get_user_model()
    claims = {
        pk: (statement, speaker)
        for pk, statement, speaker in Claim.objects.values_list("pk", "statement", "speaker__name")
    }
    keys = {
        user._meta.label: dict(user.objects.values_list("pk", "username")),
        "contenttypes.ContentType": {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()},
        "sources.Publisher": dict(Publisher.objects.values_list("pk", "name")),
        "sources.Author": dict(Author.objects.values_list("pk", "normalised_name")),
        "sources.Source": dict(Source.objects.values_list("pk", "slug")),
        "sources.Revision": {
            pk: (slug, number) for pk, slug, number in Revision.objects.values_list("pk", "source__slug", "number")
        },
        "editorial.Speaker": dict(Speaker.objects.values_list("pk", "name")),
        "editorial.Claim": claims,
        "editorial.Citation": {
            pk: (claims[claim], position)
            for pk, claim, position in Citation.objects.values_list("pk", "claim", "position")
        },
        "editorial.ClaimSet": dict(ClaimSet.objects.values_list("pk", "slug")),
        "editorial.PublicEntry": {pk: claims[pk] for pk in PublicEntry.objects.values_list("pk", flat=True)},
        "taggit.Tag": dict(Tag.objects.values_list("pk", "name")),
    }
    return keys


def replace_keys(value, keys):
    """Return an approved version (JSON) with its database keys read as what they name."""
    if isinstance(value, list):
        return [replace_keys(item, keys) for item in value]
    if not isinstance(value, dict):
        return value
    replaced = {key: replace_keys(item, keys) for key, item in value.items()}
    if "revision_number" in value:  # a cited passage
        replaced["source"] = keys["sources.Source"].get(value["source"])
        replaced["revision"] = keys["sources.Revision"].get(value["revision"])
    if "speaker" in value and isinstance(value["speaker"], dict):
        replaced["speaker"] = {**value["speaker"], "id": keys["editorial.Speaker"].get(value["speaker"]["id"])}
    return replaced


def export(*args):
    out = StringIO()
    call_command("export_claims", "--format", "json", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def empty_database():
    """Delete every row of ``sources``, ``editorial`` and taggit, as in a fresh database (accounts stay).

    Rows are deleted raw: the moderation log refuses deletion through the ORM, as it should. Foreign
    keys are checked at commit, so the order does not matter.
    """
    for model in compared_models():
        model._default_manager.all()._raw_delete(model._default_manager.db)
    for label in NOT_COMPARED:
        model = apps.get_model(label)
        model._default_manager.all()._raw_delete(model._default_manager.db)


def import_(text, **options):
    return import_document(text.encode("utf-8"), operator="operator (test)", **options)


def test_demo_record_survives_export_into_an_empty_database_row_for_row():
    load_demo()
    enrich_demo()
    before = dump()
    document = export()

    empty_database()
    assert not Claim.objects.exists() and not Source.objects.exists() and not Tag.objects.exists()
    result = import_(document)

    assert result.notices == []
    after = dump()
    assert after.keys() == before.keys()
    for label in before:
        lost = [row for row in before[label] if row not in after[label]]
        gained = [row for row in after[label] if row not in before[label]]
        assert not lost and not gained, f"{label}: lost {lost[:3]}, gained {gained[:3]}"
        assert after[label] == before[label], label
    again = json.loads(export())
    assert again | {"exported_at": None} == json.loads(document) | {"exported_at": None}


def test_full_export_validates_against_the_schema_with_every_key_described():
    load_demo()
    enrich_demo()
    document = json.loads(export())

    assert document["format"] == "editorial.claimset/2"
    assert described_problems(document) == {}
    schema = json.loads((settings.BASE_DIR / "editorial" / "claimset" / "schema.json").read_text())
    assert_keys_described(document, {"$ref": "#"}, schema)
    docs = (settings.BASE_DIR / "docs" / "claimset.md").read_text()
    for key in sorted(keys_of(document)):
        assert f"`{key}`" in docs, key


def keys_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def assert_keys_described(value, node, schema):
    while "$ref" in node:
        node = schema if node["$ref"] == "#" else schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for key, item in value.items():
            assert key in properties, key
            assert_keys_described(item, properties[key], schema)
    elif isinstance(value, list) and "items" in node:
        for item in value:
            assert_keys_described(item, node["items"], schema)


def test_importing_the_same_document_twice_changes_nothing():
    load_demo()
    enrich_demo()
    document = export()
    empty_database()
    import_(document)
    before = dump()

    result = import_(document)

    assert not result.changed, str(result)
    assert result.notices == []
    assert dump() == before


def test_a_stored_claim_that_differs_is_reported_as_a_conflict_and_kept():
    load_demo()
    document = json.loads(export())
    corrected = next(index for index, claim in enumerate(document["claims"]) if claim["status"] == "corrected")
    document["claims"][corrected]["approved"]["statement"] += " (as the document has it)"
    document["claims"][corrected]["verdict_explanation"] = "Another explanation."
    stored = Claim.objects.get(status="corrected")
    snapshot = stored.public_snapshot
    missing = Claim.objects.filter(status="draft").first()
    missing.delete()

    result = import_(json.dumps(document))

    paths = [problem.path for problem in result.notices]
    assert f"$.claims[{corrected}].approved" in paths
    assert f"$.claims[{corrected}].verdict_explanation" in paths
    stored.refresh_from_db()
    assert stored.public_snapshot == snapshot
    assert result.counts["claims created"] == 1  # the missing one is added
    assert Claim.objects.filter(statement=missing.statement).exists()


def test_a_version_1_document_still_imports():
    load_demo()
    out = StringIO()
    call_command("export_claims", "--format", "json", "--public", stdout=out, stderr=StringIO())
    document = out.getvalue()
    assert json.loads(document)["format"] == "editorial.claimset/1"
    empty_database()

    result = import_(document)

    assert result.counts["claims created"] == Claim.objects.count() > 0
    assert ModerationEvent.objects.filter(action="restore").count() == Claim.objects.count()


def test_without_originals_the_document_says_they_were_left_out():
    load_demo()
    Revision.objects.filter(pk=Revision.objects.order_by("pk").first().pk)  # the demo's originals are stored
    full = json.loads(export())
    bare = json.loads(export("--without-originals"))

    assert full["originals"] == "included"
    assert any(revision["original"] for source in full["sources"] for revision in source["revisions"])
    first = full["sources"][0]["revisions"][0]
    stored = Revision.objects.get(source__slug=full["sources"][0]["slug"], number=first["number"])
    assert base64.b64decode(first["original"]) == bytes(stored.original)
    assert bare["originals"] == "omitted"
    assert not any("original" in revision for source in bare["sources"] for revision in source["revisions"])
    assert described_problems(bare) == {}


def test_event_actor_survives_the_account_and_relinks_on_import(django_user_model):
    load_demo()
    moderator = django_user_model.objects.get(username="demo-moderator")
    events = ModerationEvent.objects.count()
    document = export()
    empty_database()
    moderator.delete()

    import_(document)
    assert ModerationEvent.objects.count() == events
    assert set(ModerationEvent.objects.values_list("actor", "user")) == {("demo-moderator", None)}

    # With the account back, the same history links to it.
    empty_database()
    moderator = django_user_model.objects.create(username="demo-moderator")
    import_(document)
    assert set(ModerationEvent.objects.values_list("actor", "user")) == {("demo-moderator", moderator.pk)}


def test_a_corrected_claim_keeps_its_public_notice():
    load_demo()
    notices = [(e.action, e.note) for e in Claim.objects.get(status="corrected").public_notices()]
    document = export()
    empty_database()

    import_(document)

    assert [(e.action, e.note) for e in Claim.objects.get(status="corrected").public_notices()] == notices


def test_bad_input_names_the_file_path_and_field_and_writes_nothing(tmp_path):
    load_demo()
    document = json.loads(export())
    document["claims"][1]["moderation"][0]["action"] = "approve"
    document["sources"][0]["revisions"][0]["original"] = "not base64!"
    document["sets"] = [{"title": "Set", "members": [{"claim": "c999"}]}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    empty_database()

    with pytest.raises(CommandError):
        call_command("import_claims", str(path), stdout=StringIO(), stderr=(err := StringIO()))

    messages = err.getvalue()
    assert f"{path}: $.claims[1].moderation[0].action: unknown moderation action “approve”" in messages
    assert f"{path}: $.sources[0].revisions[0].original: is not base64" in messages
    assert f'{path}: $.sets[0].members[0].claim: no claim has the id "c999"' in messages
    assert not Source.objects.exists() and not Claim.objects.exists()


def test_new_claims_of_a_full_document_take_a_fixed_number_of_queries_per_batch():
    load_demo()
    document = export()
    empty_database()
    with CaptureQueriesContext(connection) as small:
        import_(document)
    assert len(small) < 400


def test_invalid_set_member_is_refused():
    with pytest.raises(InvalidClaimSet):
        import_(json.dumps({"format": "editorial.claimset/2", "sets": [{"title": "x", "members": [{"claim": 1}]}]}))


def test_an_editors_import_of_a_full_document_brings_claims_in_as_drafts_without_their_history():
    load_demo()
    document = export()
    empty_database()
    editor = make_user("ed", "Editors")

    result = import_document(document.encode(), user=editor, origin="backup.json")

    assert set(Claim.objects.values_list("status", flat=True)) == {"draft"}
    assert not Claim.objects.filter(public_snapshot__isnull=False).exists()
    assert not PublicEntry.objects.exists()
    assert set(ModerationEvent.objects.values_list("action", "actor")) == {("import", "ed")}
    assert any(problem.path.endswith(".status") for problem in result.notices)
