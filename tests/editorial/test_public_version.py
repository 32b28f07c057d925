"""The approved public version: one type, built at approval, read back, compared, formatted once."""

import datetime
import json
import re

import pytest

from editorial.public.version import PublicVersion
from editorial.textfragments import text_directive
from tests.factories import make_citation, make_published_claim, make_speaker, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    speaker = make_speaker("Ilse Brandvold", description="Chair of the harbour board")
    return make_published_claim(
        "The fare rise is the smallest possible.", tags=["ferries", "Fares"], speaker=speaker, verdict="disputed"
    )


def test_the_stored_snapshot_reads_back_and_writes_out_unchanged(claim):
    version = PublicVersion.from_snapshot(claim.public_snapshot)

    assert version.to_snapshot() == claim.public_snapshot
    assert PublicVersion.from_snapshot(json.loads(json.dumps(version.to_snapshot()))) == version


def test_the_version_built_at_approval_is_what_the_claim_held(claim):
    version = claim.approved_version()

    assert version.statement == "The fare rise is the smallest possible."
    assert (version.speaker_name, version.speaker_description) == ("Ilse Brandvold", "Chair of the harbour board")
    assert version.tags == ("Fares", "ferries")  # sorted ignoring case
    assert version.verdict_label == "Disputed"
    assert isinstance(version.approved_at, datetime.datetime)
    (cited,) = version.citations
    assert cited.excerpt == claim.citations.get().excerpt
    assert PublicVersion.of(claim, with_fragments=True) == version.__class__(
        **{**version.__dict__, "approved_at": None}
    )


def test_approval_stores_each_passages_text_fragment_made_from_the_revision(claim):
    citation = claim.citations.select_related("revision").get()
    (cited,) = claim.approved_version().citations

    assert cited.fragment == text_directive(citation.revision.text, citation.start, citation.end)
    assert cited.fragment.startswith("text=")
    assert claim.public_snapshot["citations"][0]["fragment"] == cited.fragment
    # A comparison with the live claim does not read texts, and fragments do not make versions differ.
    assert PublicVersion.of(claim).citations[0].fragment is None
    assert not PublicVersion.of(claim).differs_from(claim.approved_version())


def test_a_version_approved_by_an_older_release_reads_without_a_fragment(claim):
    snapshot = json.loads(json.dumps(claim.public_snapshot))
    del snapshot["citations"][0]["fragment"]

    version = PublicVersion.from_snapshot(snapshot)

    assert version.citations[0].fragment is None
    assert "fragment" not in PublicVersion(**{**version.__dict__, "_snapshot": None}).to_snapshot()["citations"][0]


def test_only_an_editors_changes_make_a_version_differ(claim):
    approved = claim.approved_version()
    claim.speaker.description = "Former chair"
    claim.speaker.save()
    assert not PublicVersion.of(claim).differs_from(approved)

    claim.statement = "The fare rise is small."
    claim.save()
    assert PublicVersion.of(claim).differs_from(approved)
    assert claim.has_unpublished_changes()


def test_changes_from_name_what_a_correction_changed_with_the_earlier_values(claim):
    approved = claim.approved_version()
    claim.statement = "The fare rise is small."
    claim.verdict = "false"
    claim.save()
    claim.tags.set(["ferries"])
    make_citation(claim)

    changes = dict(PublicVersion.of(claim).changes_from(approved))

    assert changes == {
        "Statement": "The fare rise is the smallest possible.",
        "Tags": "Fares, ferries",
        "Verdict": "Disputed",
        "Citations": "1 before",
    }


def test_the_claim_page_and_the_json_ld_export_build_the_same_schema_org_node(client, claim):
    page = client.get(claim.get_absolute_url()).content.decode()
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    exported = json.loads(b"".join(client.get("/claims/export/jsonld/").streaming_content))

    (node,) = exported["@graph"]
    assert embedded == {"@context": "https://schema.org", **node}
    assert node["@type"] == "ClaimReview" and node["itemReviewed"]["text"] == claim.statement


def test_a_moderation_act_without_a_moderator_changes_no_version(claim):
    editor = make_user("edna", "Editors")
    before = claim.public_snapshot
    claim.statement = "Edited after publication."
    claim.save()

    with pytest.raises(Exception, match="permission"):
        claim.correct(editor, "Tightened the wording.")

    claim.refresh_from_db()
    assert claim.public_snapshot == before


def test_the_upgrade_gives_versions_approved_before_their_fragments(claim):
    import importlib

    from django.apps import apps

    from editorial.models import Claim

    migration = importlib.import_module("editorial.migrations.0016_approved_fragments")
    approved = claim.public_snapshot
    older = json.loads(json.dumps(approved))
    del older["citations"][0]["fragment"]
    Claim.objects.filter(pk=claim.pk).update(public_snapshot=older)

    migration.add_fragments(apps, None)

    claim.refresh_from_db()
    assert claim.public_snapshot == approved
