"""Export records and JSON text: the fast paths give exactly what the general ones give."""

import json

import pytest

from editorial.exports import records
from editorial.exports.base import dumps
from editorial.models import Claim
from editorial.public.version import PublicVersion
from tests.factories import make_citation, make_claim, make_source, make_user


class Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -5,
        10**30,
        1.5,
        'é\n"\\\u2028🌊\x00',
        Text("a str subclass"),
        [],
        {},
        [[], {}],
        {"a": [1, {"b": [None, "x"]}], "c": ()},
        {1: "a number as key"},
        {"nested": {2: [1e100, -0.0]}},
    ],
)
@pytest.mark.parametrize("level", [0, 2])
def test_dumps_writes_what_json_dumps_writes(value, level):
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + " " * (2 * level))

    assert dumps(value, level) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(float("inf"), "null"), (float("nan"), "null"), (1e100, "1e+100"), ([1e-7], "[\n  1e-7\n]")],
)
def test_dumps_writes_floats_in_their_shortest_form_and_never_as_infinity(value, expected):
    # Where orjson and json differ (exports hold no floats): json's Infinity and NaN are not JSON.
    assert dumps(value) == expected
    assert json.loads(dumps(value)) == value or value != value or value == float("inf")


def test_dumps_refuses_what_json_refuses():
    with pytest.raises(TypeError):
        dumps({"value": object()})


@pytest.mark.django_db
def test_public_records_read_a_snapshot_of_an_older_release_as_the_public_version_does():
    moderator = make_user(None, "Editors", "Moderators")
    source = make_source("Older source", "Alpha one here. Beta two there.")
    claim = make_claim("Old style claim", created_by=moderator)
    make_citation(claim, source.current_revision, "Beta two")
    claim.submit(moderator)
    claim.publish(moderator)
    snapshot = Claim.objects.get(pk=claim.pk).public_snapshot
    for key in ("slug", "verdict", "verdict_explanation", "approved_at", "tags", "speaker"):
        snapshot.pop(key, None)
    snapshot["citations"] = [
        {key: value for key, value in cited.items() if key not in ("prefix", "suffix", "note")}
        for cited in snapshot["citations"]
    ]
    Claim.objects.filter(pk=claim.pk).update(public_snapshot=snapshot)

    (record,) = records.iter_claims(Claim.objects.all(), base_url="http://testserver")
    version = PublicVersion.from_snapshot(snapshot)

    assert (record.statement, record.slug, record.tags, record.verdict, record.speaker_name) == (
        version.statement,
        version.slug,
        list(version.tags),
        version.verdict,
        version.speaker_name,
    )
    assert record.modified_at == Claim.objects.get(pk=claim.pk).published_at
    assert record.permalink == f"http://testserver/claims/{claim.pk}/{version.slug}/"
    assert [(c.excerpt, c.start, c.end, c.prefix, c.note) for c in record.citations] == [
        (c.excerpt, c.start, c.end, c.prefix, c.note) for c in version.citations
    ]
