"""Restoring statuses from claim-set JSON is a moderator's act, in the admin upload and on the command line.

An editor who uploads a document stating ``published`` or ``retracted``, or changing an approved
version, changes no public surface; the moderation log names who tried.
"""

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from editorial.claimset import import_document
from editorial.models import Claim, ClaimSet, ModerationEvent
from editorial.workflow import TransitionPermissionDenied
from tests.editorial.test_import_claims import version_1
from tests.factories import make_citation, make_claim, make_published_claim, make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:sources_source_import"


def export_json(*args):
    """Return the staff command's backup in version 1, whose import updates and restores stored claims.

    A version 2 document never changes a stored claim, whoever imports it (``test_claimset_roundtrip``).
    """
    out = io.StringIO()
    call_command("export_claims", "--format", "json", *args, stdout=out, stderr=io.StringIO())
    return version_1(json.loads(out.getvalue()))


@pytest.fixture
def record():
    """A published claim, a draft with a citation, and an editor's document that tries to move both."""
    published = make_published_claim("Fares rise by a tenth in May.", tags=["fares"])
    draft = make_claim("Season tickets are frozen until June.")
    make_citation(draft)
    document = export_json()
    by_statement = {item["statement"]: item for item in document["claims"]}
    by_statement[draft.statement]["status"] = "published"
    attempted = by_statement[published.statement]
    attempted["status"] = "retracted"
    attempted["verdict"] = "false"  # a changed approved version
    attempted["tags"] = ["fares", "injected-tag"]
    newcomer = json.loads(json.dumps(by_statement[draft.statement]))
    newcomer.update(id="new-claim", statement="Ferries will be free on Sundays.", status="published", relations=[])
    document["claims"].append(newcomer)
    document["set"] = {"title": "Editor's picks", "slug": "editors-picks", "description": ""}
    return published, draft, document


def public_surfaces(client, claims):
    """Return every public response an import could change, by URL: status code and body."""
    urls = [
        reverse("public:home"),
        reverse("public:claim_list"),
        reverse("public:claim_list") + "?tag=injected-tag",
        reverse("public:claim_export", args=["json"]),
        reverse("public:claim_export", args=["csv"]),
        reverse("public:claim_feed"),
        "/sitemap.xml",
        "/api/claims/",
        "/api/claims/?tag=injected-tag",
        "/tags/injected-tag/",
        "/sets/editors-picks/",
    ]
    for claim in claims:
        urls += [f"/claims/{claim.pk}/", f"/api/claims/{claim.pk}/"]
        if claim.slug:
            urls.append(claim.get_absolute_url())
    surfaces = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        surfaces[url] = (response.status_code, body.decode())
    return surfaces


def without_export_time(surfaces):
    """Exports stamp the time they were made; everything else must be byte for byte the same."""
    cleaned = {}
    for url, (status, body) in surfaces.items():
        if "/export/" in url:
            body = "\n".join(line for line in body.splitlines() if '"exported_at"' not in line)
        cleaned[url] = (status, body)
    return cleaned


def assert_nothing_public_changed(client, published, draft, before):
    claims = [published, draft, *Claim.objects.filter(statement__startswith="Ferries")]
    after = public_surfaces(client, claims)
    assert without_export_time({url: after[url] for url in before}) == without_export_time(before)
    assert all(status == 404 for url, (status, _) in after.items() if url not in before)
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, published.verdict) == ("published", "")
    assert published.public_version()["tags"] == ["fares"]
    assert draft.status == "draft"
    newcomer = Claim.objects.get(statement__startswith="Ferries")
    assert newcomer.status == "draft" and newcomer.public_snapshot is None


def test_an_editors_upload_in_the_admin_changes_no_public_surface_and_the_log_names_them(client, record):
    published, draft, document = record
    before = public_surfaces(client, [published, draft])
    editor = make_user("edna", "Editors")
    client.force_login(editor)
    upload = SimpleUploadedFile("backup.json", json.dumps(document).encode(), content_type="application/json")

    response = client.post(reverse(IMPORT_URL), {"files": [upload]}, follow=True)

    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request)) or response.content.decode()
    assert "$.claims[" in shown and "only a moderator" in shown
    client.logout()
    assert_nothing_public_changed(client, published, draft, before)
    assert not ClaimSet.objects.filter(slug="editors-picks", is_public=True).exists()
    tried = ModerationEvent.objects.filter(action="import", actor="edna")
    assert {event.claim.statement for event in tried} == {
        published.statement,
        draft.statement,
        "Ferries will be free on Sundays.",
    }
    assert all(event.user == editor for event in tried)
    assert "“retracted”" in tried.get(claim=published).note


def test_import_claims_as_an_editor_changes_no_public_surface_and_reports_each_status(client, record, tmp_path):
    published, draft, document = record
    before = public_surfaces(client, [published, draft])
    make_user("edna", "Editors")
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_claims", str(path), "--as", "edna", stdout=out, stderr=err)

    reported = err.getvalue()
    new_index = len(document["claims"]) - 1
    assert f"$.claims[{new_index}].status: “published” not restored" in reported
    assert "only a moderator may change a claim once it has left draft" in reported
    assert "claims imported as drafts" in out.getvalue()
    assert_nothing_public_changed(client, published, draft, before)
    assert set(ModerationEvent.objects.filter(action="import").values_list("actor", flat=True)) == {"edna"}


def test_import_claims_as_a_moderator_restores_statuses_and_names_them(record, tmp_path):
    published, draft, document = record
    make_user("mona", "Moderators")
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    call_command("import_claims", str(path), "--as", "mona", stdout=io.StringIO(), stderr=io.StringIO())

    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == ("retracted", "published")
    event = published.moderation_events.latest("at", "pk")
    assert (event.action, event.actor, event.user.username) == ("restore", "mona", "mona")


def test_import_claims_without_as_acts_as_the_operator_and_logs_it(record, tmp_path):
    published, _draft, document = record
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    call_command("import_claims", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    published.refresh_from_db()
    assert published.status == "retracted"
    event = published.moderation_events.latest("at", "pk")
    assert event.user is None and event.actor.startswith("operator (")


def test_import_claims_refuses_an_unknown_user(record, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(record[2]), encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown user “nobody”"):
        call_command("import_claims", str(path), "--as", "nobody")
    assert not Claim.objects.filter(statement__startswith="Ferries").exists()


def test_import_sources_as_an_editor_brings_claims_in_as_drafts(record, tmp_path):
    published, draft, document = record
    make_user("edna", "Editors")
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()

    call_command("import_sources", str(path), "--as", "edna", stdout=out, stderr=io.StringIO())

    assert "only a moderator" in out.getvalue()
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == ("published", "draft")
    assert Claim.objects.get(statement__startswith="Ferries").status == "draft"


def test_a_user_who_may_capture_sources_but_not_add_claims_is_refused_a_claim_set(staff_client, record):
    document = record[2]
    upload = SimpleUploadedFile("backup.json", json.dumps(document).encode(), content_type="application/json")

    response = staff_client.post(reverse(IMPORT_URL), {"files": [upload]}, follow=True)

    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "permission to add claims" in shown
    assert not Claim.objects.filter(statement__startswith="Ferries").exists()


def test_restoring_a_status_needs_the_moderate_permission(record):
    _published, draft, _document = record
    editor = make_user("edna", "Editors")
    with pytest.raises(TransitionPermissionDenied):
        draft.restore_status("published", user=editor)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.public_snapshot is None
    with pytest.raises(TransitionPermissionDenied):
        draft.restore_status("published")  # nobody: neither a user nor the operator


def test_import_document_without_a_user_or_operator_restores_nothing(record):
    published, _draft, document = record
    result = import_document(json.dumps(document))
    published.refresh_from_db()
    assert published.status == "published"
    assert any(notice.path.endswith(".status") for notice in result.notices)


def test_a_file_name_that_is_not_utf8_is_recorded_readably(record, tmp_path):
    published, _draft, document = record
    path = tmp_path / "backup-\udcff.json"  # how Python spells the bad byte of a non-UTF-8 name
    path.write_bytes(json.dumps(document).encode())

    call_command("import_claims", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    note = published.moderation_events.latest("at", "pk").note
    assert "backup-\ufffd.json" in note
