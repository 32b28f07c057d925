"""HTTP caching of public pages: validators from the public record's version, 304s, Cache-Control.

Only what changes what readers see changes a page's ETag: a moderation act, or a change to what
public pages show unmoderated (a source's metadata). An editor's unapproved edit does not.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.public.http import recent_pages
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


# The page cache: an anonymous reader's page is built once per version of the public record. ------


def cached_pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache WHERE cache_key LIKE %s", ["%public-page:%"])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("url", ["/", "/claims/", "/claims/?q=ferry", "/feeds/claims.atom", "/sitemap.xml"])
def test_a_public_page_is_built_once_per_version(client, published, url):
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert len(queries) == 1  # the public record's version: the page is in this process's memory


@pytest.mark.parametrize("url", ["/", "/claims/?q=ferry"])
def test_another_process_serves_the_page_from_the_shared_cache(client, published, url):
    first = client.get(url)
    recent_pages().clear()  # as a process that has not served it

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content
    assert len(queries) == 2  # the version and the shared cache's get
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).content == first.content
    assert len(queries) == 1  # and from then on from its own memory


def test_a_process_keeps_no_more_pages_than_its_budget(client, published, settings):
    settings.PUBLIC_PAGE_MEMORY = 2 * len(client.get("/claims/").content)
    pages = recent_pages()
    for url in ["/claims/", "/claims/?tag=ferries", "/claims/?q=ferry", "/claims/?ordering=oldest"]:
        client.get(url)
        assert 0 < pages.size <= settings.PUBLIC_PAGE_MEMORY
    assert len(pages) <= 2
    with CaptureQueriesContext(connection) as queries:
        client.get("/claims/")  # served longest ago: gone from memory, still in the shared cache
    assert len(queries) == 2


def test_the_page_memory_can_be_turned_off(client, published, settings):
    settings.PUBLIC_PAGE_MEMORY = 0
    first = client.get("/claims/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/claims/").content == first.content
    assert len(queries) == 2
    assert recent_pages() is None


@pytest.mark.parametrize("url", ["/", "/claims/?q=ferry", "/feeds/claims.atom", "/sitemap.xml"])
def test_a_kept_page_goes_out_with_the_headers_the_whole_stack_gave_it(client, published, url):
    first = client.get(url)
    again = client.get(url)

    assert dict(again.items()) == dict(first.items())
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert again[header]


def test_a_reader_with_an_older_version_gets_the_kept_page(client, published):
    claim, moderator, _ = published
    old = client.get("/claims/")["ETag"]
    claim.retract(moderator, note="Wrong figure.")
    fresh = client.get("/claims/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/claims/", HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response.content == fresh.content
    assert response["ETag"] == fresh["ETag"] != old
    assert len(queries) == 1


def test_a_reader_with_messages_waiting_is_not_served_a_kept_page(client, published):
    client.get("/claims/")
    client.cookies["messages"] = "waiting"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/claims/").status_code == 200
    assert len(queries) > 1


def test_the_redirect_to_https_comes_before_the_kept_page(client, published, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/claims/", secure=True).status_code == 200
    assert client.get("/claims/", secure=True).status_code == 200  # kept

    response = client.get("/claims/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_an_unknown_host_is_refused_before_the_page_cache_is_asked(client, published):
    client.get("/claims/")

    response = client.get("/claims/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Ferry fares rise" not in response.content.decode()


def test_a_moderation_act_rebuilds_the_cached_page(client, published):
    claim, moderator, _ = published
    assert "Ferry fares rise" in client.get("/claims/").content.decode()

    claim.retract(moderator, note="Wrong figure.")

    assert "Ferry fares rise" not in client.get("/claims/").content.decode()


def test_an_editors_unapproved_edit_never_reaches_the_cached_page(client, published):
    claim, _, _ = published
    client.get("/claims/")
    claim.statement = "An unapproved wording."
    claim.save()

    page = client.get("/claims/").content.decode()
    assert "Ferry fares rise" in page and "unapproved wording" not in page


def test_readers_with_a_session_and_signed_in_users_bypass_the_page_cache(client, published):
    client.get("/claims/")
    stored = cached_pages()
    assert stored == 1

    client.cookies["sessionid"] = "a-reader-session"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/claims/").status_code == 200
    assert len(queries) > 2  # built again, not served from the cache

    client.cookies.clear()
    client.force_login(make_user("ed", "Editors"))
    page = client.get("/claims/?tag=ferries")
    assert page.status_code == 200
    assert cached_pages() == stored  # a signed-in user's page is never kept


def test_the_api_is_never_served_from_the_page_cache(client, published):
    client.get("/api/claims/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/claims/").status_code == 200
    assert len(queries) > 2
    assert cached_pages() == 0


def test_failed_answers_are_not_kept(client, published):
    assert client.get("/claims/?claim_date_after=not-a-date").status_code == 400
    assert client.get("/claims/no-such-claim/").status_code == 404
    assert cached_pages() == 0


def test_the_page_cache_can_be_turned_off(client, published, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get("/claims/")
    client.get("/claims/")
    assert cached_pages() == 0


@pytest.mark.parametrize("url", ["/api/claims/", "/api/claims/?tag=ferries", "/api/sources/", "/api/sets/"])
def test_api_answers_are_built_once_per_version_behind_the_throttle(client, published, url):
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert again.status_code == 200
    assert again.json() == first.json()
    read = [
        query["sql"]
        for query in queries.captured_queries
        if "django_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]
    assert len(read) == 1, read  # the public record's version; the throttle's count is in the cache


def test_api_answers_follow_a_moderation_act(client, published):
    claim, moderator, _ = published
    assert client.get("/api/claims/").json()["count"] == 1
    claim.retract(moderator, note="Wrong figure.")
    assert client.get("/api/claims/").json()["count"] == 0


def test_an_invalid_api_request_is_refused_every_time(client, published):
    for _ in range(2):
        response = client.get("/api/claims/?claim_date_after=not-a-date")
        assert response.status_code == 400
        assert "claim_date" in response.content.decode()


def test_the_version_names_the_newest_change_and_its_time_to_the_microsecond(client, published):
    from django.utils.http import http_date

    from editorial.models import PublicChange
    from editorial.public.readmodel import bump, version

    bump()
    newest = PublicChange.objects.order_by("-pk").first()
    tag, changed_at = version()

    assert changed_at == newest.changed_at  # aware, exact, on either database
    assert changed_at.utcoffset() is not None
    assert tag == f"{newest.pk}.{PublicChange.objects.count()}.{newest.changed_at:%Y%m%d%H%M%S%f}"
    assert client.get("/claims/")["Last-Modified"] == http_date(newest.changed_at.timestamp())


def test_an_empty_change_log_is_version_zero():
    from editorial.models import PublicChange
    from editorial.public.readmodel import version

    PublicChange.objects.all().delete()

    assert version() == ("0.0.0", None)
