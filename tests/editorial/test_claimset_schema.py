"""The claim-set JSON Schema (``editorial/claimset/schema.json``): valid, and true to what the exporter writes."""

import copy
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker

from editorial.claimset import InvalidClaimSet, import_document
from editorial.claimset.schema import SCHEMA
from editorial.exports.claimset import FORMAT, FULL_FORMAT
from editorial.models import ClaimStatus, ModerationEvent, RelationKind, SpeakerKind, Verdict
from tests.factories import make_export_corpus

# jsonschema checks "date-time" only with an optional package this project does not install.
format_checker = FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if isinstance(value, str) and ("T" not in value or datetime.datetime.fromisoformat(value).tzinfo is None):
        raise ValueError(f"{value!r} is not an ISO 8601 date-time with a UTC offset")
    return True


def closed(schema):
    """Return ``schema`` with ``additionalProperties: false`` wherever it lists properties."""
    schema = copy.deepcopy(schema)
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "properties" in node:
                node["additionalProperties"] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def export(*args):
    out = io.StringIO()
    call_command("export_claims", "--format", "json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def assert_valid(document):
    """Validate against the schema with formats checked, and against a closed copy: no key left undescribed."""
    for schema in (SCHEMA, closed(SCHEMA)):
        errors = [
            f"{error.json_path}: {error.message[:200]}"
            for error in Draft202012Validator(schema, format_checker=format_checker).iter_errors(document)
        ]
        assert errors == []


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_names_the_format_and_the_values_the_models_know():
    definitions = SCHEMA["$defs"]
    claim = definitions["claim"]["properties"]
    relation = claim["relations"]["items"]["properties"]

    assert SCHEMA["properties"]["format"]["enum"] == [FORMAT, FULL_FORMAT]
    assert definitions["event"]["properties"]["action"]["enum"] == ModerationEvent.Action.values
    assert definitions["speaker"]["properties"]["kind"]["enum"] == [*SpeakerKind.values, "", None]
    assert claim["status"]["enum"] == [*ClaimStatus.values, "", None]
    assert claim["verdict"]["enum"] == [*Verdict.values, "", None]
    assert relation["kind"]["enum"] == RelationKind.values


@pytest.mark.django_db
@pytest.mark.parametrize("args", [[], ["--status", "published"], ["--public"]])
def test_the_export_corpus_validates(args):
    make_export_corpus()

    document = export(*args)

    assert document["claims"] and document["sources"]
    assert_valid(document)


@pytest.mark.django_db
def test_a_claim_set_export_validates():
    corpus = make_export_corpus()

    document = export("--set", corpus.claim_set.slug)

    assert document["set"]["slug"] == corpus.claim_set.slug
    assert_valid(document)


@pytest.mark.django_db
def test_the_demo_claims_export_validates():
    call_command("import_sources", str(settings.BASE_DIR / "demo" / "sources"), stdout=io.StringIO())
    call_command("load_demo_claims", stdout=io.StringIO(), stderr=io.StringIO())

    document = export()

    assert len(document["claims"]) >= 10
    assert_valid(document)


# Problems the schema finds, in the importer's words ----------------------------------------------


def problems_of(document):
    with pytest.raises(InvalidClaimSet) as caught:
        import_document(json.dumps(document), operator="operator (test)")
    return [str(problem) for problem in caught.value.problems]


def minimal(**claim):
    text = "Only the required keys."
    return {
        "format": FORMAT,
        "sources": [{"id": "a", "title": "Minimal", "revisions": [{"number": 1, "text": text}]}],
        "claims": [
            {
                "id": 1,
                "statement": "Minimal claim.",
                "citations": [{"source": "a", "revision": 1, "excerpt": "required keys", "start": 9, "end": 22}],
                **claim,
            }
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "problems"),
    [
        ([], ["$: the document must be a JSON object, not a list"]),
        ({"sources": []}, ["$.format: must be “editorial.claimset/1” or “editorial.claimset/2”, found missing"]),
        ({"format": 1}, ["$.format: must be “editorial.claimset/1” or “editorial.claimset/2”, found a number"]),
        ({"format": FORMAT, "set": "ferries"}, ["$.set: must be an object or null, not a string"]),
        ({"format": FORMAT, "set": {"title": None}}, ["$.set.title: missing"]),
        (
            {"format": FORMAT, "set": {"title": "Ferries", "slug": "a b"}},
            ["$.set.slug: “a b” is not a slug (letters, digits, - and _)"],
        ),
        ({"format": FORMAT, "sources": {}}, ["$.sources: must be a list, not an object"]),
        ({"format": FORMAT, "claims": [3]}, ["$.claims[0]: must be an object, not a number"]),
        (
            {"format": FORMAT, "claims": [{"id": True, "statement": "S."}]},
            ["$.claims[0].id: must be a string or a number, not true or false"],
        ),
    ],
)
def test_structural_problems_are_reported_in_our_words(document, problems):
    assert problems_of(document) == problems


@pytest.mark.django_db
def test_a_whole_number_written_with_a_fraction_is_refused():
    document = minimal()
    document["sources"][0]["revisions"][0]["number"] = 1.0
    document["claims"][0]["citations"][0]["start"] = 9.0

    assert problems_of(document) == [
        "$.sources[0].revisions[0].number: must be a whole number, not a number",
        "$.claims[0].citations[0].start: must be a whole number, not a number",
        '$.claims[0].citations[0].revision: source "a" has no revision 1 (it has: none)',
    ]


@pytest.mark.django_db
def test_revision_numbers_digests_and_relation_kinds_are_checked():
    document = minimal(relations=[{"kind": "", "claim": 1}, {"kind": "refutes", "claim": 1}])
    revision = document["sources"][0]["revisions"][0]
    revision["number"], revision["sha256"] = 0, "ABC"

    assert problems_of(document) == [
        "$.sources[0].revisions[0].number: must be 1 or more, not 0",
        "$.sources[0].revisions[0].sha256: must be 64 lower-case hexadecimal digits",
        '$.claims[0].citations[0].revision: source "a" has no revision 1 (it has: none)',
        "$.claims[0].relations[0].kind: must not be empty",
        "$.claims[0].relations[1].kind: unknown relation “refutes”; relations: supports, contradicts, updates, "
        "duplicates",
        "$.claims[0].relations[0].claim: a claim cannot be related to itself",
        "$.claims[0].relations[1].claim: a claim cannot be related to itself",
    ]
