"""``load_demo_claims``: the demo claims, loaded through the workflow on top of the demo sources."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from editorial.models import Citation, Claim, ClaimRelation, ClaimStatus, ModerationEvent, Speaker

pytestmark = pytest.mark.django_db

DEMO = settings.BASE_DIR / "demo" / "sources"


def import_demo_sources():
    call_command("import_sources", str(DEMO), stdout=StringIO(), stderr=StringIO())


def load(*args):
    out = StringIO()
    call_command("load_demo_claims", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Claim, Citation, ClaimRelation, ModerationEvent, Speaker, get_user_model())
    }


def test_demo_claims_load_with_their_statuses_through_the_workflow():
    import_demo_sources()

    output = load()

    statuses = list(Claim.objects.values_list("status", flat=True))
    assert 10 <= len(statuses) <= 14, output
    assert statuses.count(ClaimStatus.PUBLISHED) > len(statuses) / 2
    for status in (ClaimStatus.DRAFT, ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED, ClaimStatus.CORRECTED):
        assert statuses.count(status) == 1, status
    assert Claim.objects.values("speaker").distinct().count() >= 5
    assert Citation.objects.values("revision__source").distinct().count() >= 5
    assert not Claim.objects.filter(tags__isnull=True).exists()
    kinds = list(ClaimRelation.objects.values_list("kind", flat=True))
    assert len(kinds) >= 2 and "contradicts" in kinds

    moderator = get_user_model().objects.get(username="demo-moderator")
    assert not moderator.has_usable_password()
    assert moderator.groups.filter(name="Moderators").exists()
    assert set(ModerationEvent.objects.values_list("user", flat=True)) == {moderator.pk}
    for claim in Claim.objects.exclude(status=ClaimStatus.DRAFT):
        assert claim.moderation_events.first().action == "submit", claim
    assert Claim.objects.published().count() == statuses.count(ClaimStatus.PUBLISHED) + 1  # and the corrected one


def test_every_demo_citation_quotes_its_revision_exactly():
    import_demo_sources()
    load()

    citations = list(Citation.objects.select_related("revision"))
    for citation in citations:
        assert citation.revision.text[citation.start : citation.end] == citation.excerpt, citation
    # Offsets are code points: at least one passage follows a character outside the BMP.
    assert any(
        any(ord(character) > 0xFFFF for character in citation.revision.text[: citation.start]) for citation in citations
    )
    # The two-revision source: an older revision is quoted, and the anchor state shows the change.
    older = [citation for citation in citations if citation.revision.source.current_revision_id != citation.revision_id]
    assert older and all(citation.has_changed_source() for citation in older)


def test_a_second_run_adds_nothing():
    import_demo_sources()
    load()
    before = counts()

    output = load()

    assert counts() == before
    assert "0 claims created" in output


def test_an_excerpt_missing_from_its_source_fails_naming_the_claim_and_the_excerpt(tmp_path):
    import_demo_sources()
    path = tmp_path / "claims.json"
    citation = {"source_url": "https://uferbote.example/lokales/fischereihafen-erweiterung"}
    path.write_text(
        json.dumps(
            {
                "speakers": [{"name": "Katrin Sommerfeld", "kind": "person"}],
                "claims": [
                    {
                        "statement": "A good claim.",
                        "speaker": "Katrin Sommerfeld",
                        "status": "published",
                        "citations": [{**citation, "excerpt": "seit einer Generation"}],
                    },
                    {
                        "statement": "A claim quoting nothing real.",
                        "status": "published",
                        "citations": [{**citation, "excerpt": "the harbour froze over"}],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    before = counts()

    with pytest.raises(CommandError) as error:
        load(str(path))

    message = str(error.value)
    assert "A claim quoting nothing real." in message and "the harbour froze over" in message
    assert counts() == before  # one transaction: the good claim and the speaker are gone too


def test_loading_before_the_sources_are_imported_says_what_to_do():
    with pytest.raises(CommandError) as error:
        load()

    assert "import_sources demo/sources/" in str(error.value)
    assert not Claim.objects.exists()
