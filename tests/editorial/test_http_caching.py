"""HTTP caching of public pages: validators from the public record's version, 304s, Cache-Control.

Only what changes what readers see changes a page's ETag: a moderation act, or a change to what
public pages show unmoderated (a source's metadata). An editor's unapproved edit does not.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.services.citations import cite
from tests.factories import make_claim, make_source, make_user

pytestmark = pytest.mark.django_db

PUBLIC_URLS = ["/", "/claims/", "/claims/?q=ferry", "/api/claims/", "/feeds/claims.atom", "/sitemap.xml"]


@pytest.fixture
def published():
    moderator = make_user("mona", "Moderators")
    source = make_source("Island ferry fares to rise", "Fares rise by a tenth in May.\n\nMore follows.")
    claim = make_claim("Ferry fares rise by a tenth in May.", tags=["ferries"])
    cite(claim=claim, revision=source.current_revision, excerpt="Fares rise by a tenth in May.")
    claim.submit(moderator)
    claim.publish(moderator)
    return claim, moderator, source


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_public_page_carries_validators_and_answers_304_without_being_built(client, published, url):
    first = client.get(url)

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    directives = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate", "s-maxage=60"} <= directives

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert len(queries) == 1  # the public record's version, and nothing of the page


def test_pages_at_other_addresses_have_other_etags(client, published):
    assert client.get("/claims/")["ETag"] != client.get("/claims/?tag=ferries")["ETag"]


def test_a_moderation_act_changes_the_etag(client, published):
    claim, moderator, _ = published
    etag = client.get("/claims/")["ETag"]

    claim.retract(moderator, note="Wrong figure.")

    response = client.get("/claims/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Ferry fares rise" not in response.content.decode()


def test_an_editors_unapproved_edit_keeps_the_etag(client, published):
    claim, _, _ = published
    etag = client.get("/claims/")["ETag"]

    claim.statement = "Ferry tickets will be free."
    claim.save()
    claim.tags.set(["injected"])

    assert client.get("/claims/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_source_metadata_edit_changes_the_etag(client, published):
    _, _, source = published
    etag = client.get("/claims/")["ETag"]

    source.title = "Island ferry fares to rise sharply"
    source.save()

    assert client.get("/claims/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_signed_in_users_get_private_pages_without_the_public_validators(client, published):
    etag = client.get("/claims/")["ETag"]
    client.force_login(make_user("edna", "Editors"))

    response = client.get("/claims/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_the_admin_is_never_publicly_cached(client, published):
    client.force_login(make_user("mona2", "Moderators"))

    response = client.get("/admin/")

    assert "public" not in response.get("Cache-Control", "")


def test_submitting_changes_for_review_keeps_the_etag(client, published):
    claim, _, _ = published
    editor = make_user("edna", "Editors")
    claim.statement = "Ferry tickets will be free."
    claim.save()
    etag = client.get("/claims/")["ETag"]

    claim.submit_changes(editor, note="Please check.")

    assert client.get("/claims/", HTTP_IF_NONE_MATCH=etag).status_code == 304
