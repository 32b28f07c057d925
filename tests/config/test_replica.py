"""Public reads go to the read replica; staff, the admin, writes and the cache stay on the primary.

The test settings define ``replica`` as a test mirror of ``default`` (the same test database through
a second connection), and these tests install the router and the middleware as
``DATABASE_REPLICA_URL`` does. Transactional tests, so that what one connection writes the other
reads. Each test counts the queries each connection ran.
"""

import ast
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import pytest
from asgiref.sync import async_to_sync
from django.db import connections
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext

from config.replica import ReplicaRouter, reading_from_replica
from tests.config.test_settings import run_manage, settings_of
from tests.factories import ensure_editorial_groups, make_published_claim, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replica_routing(settings):
    settings.DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("editorial.public.http.PublicCacheMiddleware"), "config.replica.ReplicaMiddleware"
    )
    settings.MIDDLEWARE = middleware


@pytest.fixture
def editorial_groups():
    # A transactional test's flush empties the groups the migrations made.
    ensure_editorial_groups()


@pytest.fixture
def claim(editorial_groups):
    return make_published_claim("The harbour toll doubled in a year.")


@contextmanager
def queries_by_database():
    """Yield ``{alias: [sql, …]}``, filled in with the queries each connection runs in the block."""
    with ExitStack() as stack:
        contexts = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections}
        queries = {alias: [] for alias in contexts}
        yield queries
    for alias, context in contexts.items():
        queries[alias].extend(query["sql"] for query in context.captured_queries)


def touching(queries, table):
    return [sql for sql in queries if f'"{table}"' in sql]


def content(queries):
    """Return the queries of the apps' own tables (claims, sources …), not sessions or the cache,
    whether the ORM wrote them (quoted names) or the app's own SQL (the similar claims' search)."""
    return [sql for sql in queries if "editorial_" in sql or "sources_" in sql]


# A reader's requests ------------------------------------------------------------------------------


def test_a_readers_claim_page_is_read_from_the_replica(client, claim):
    with queries_by_database() as queries:
        response = client.get(claim.get_absolute_url())

    assert response.status_code == 200
    assert "The harbour toll doubled in a year." in response.text
    assert content(queries["replica"])
    assert not content(queries["default"])


def test_a_readers_claim_page_finds_its_similar_claims_on_the_replica(client, claim):
    similar = make_published_claim("The harbour toll doubled again in a year.")

    with queries_by_database() as queries:
        response = client.get(claim.get_absolute_url())

    assert response.status_code == 200
    assert similar.get_absolute_url() in response.text  # listed under the similar claims
    assert [sql for sql in queries["replica"] if "editorial_publicentry c" in sql]  # the similar claims' search
    assert not content(queries["default"])


def test_a_readers_search_and_its_highlights_are_read_from_the_replica(client, claim):
    with queries_by_database() as queries:
        response = client.get("/claims/?q=harbour")

    assert response.status_code == 200
    assert "<mark>" in response.text  # the highlights' own query ran
    assert content(queries["replica"])
    assert not content(queries["default"])


def test_a_head_request_is_read_from_the_replica(client, claim):
    with queries_by_database() as queries:
        response = client.head("/claims/")

    assert response.status_code == 200
    assert content(queries["replica"])
    assert not content(queries["default"])


def test_the_api_reads_claims_from_the_replica_and_its_throttle_counts_from_the_primary(client, claim):
    with queries_by_database() as queries:
        response = client.get("/api/claims/")

    assert response.status_code == 200
    assert [item["statement"] for item in response.json()["results"]] == ["The harbour toll doubled in a year."]
    assert content(queries["replica"])
    # A count read from a lagging replica would let a client past its rate.
    assert touching(queries["default"], "django_cache")
    assert not touching(queries["replica"], "django_cache")
    assert not content(queries["default"])


def test_a_streamed_export_is_read_from_the_replica(client, claim):
    with queries_by_database() as queries:
        response = client.get("/claims/export/csv/")
        body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert "The harbour toll doubled in a year." in body
    assert content(queries["replica"])
    assert not content(queries["default"])


def test_an_asynchronous_request_is_read_from_the_replica(claim):
    def request():
        with queries_by_database() as queries:
            return async_to_sync(AsyncClient().get)(claim.get_absolute_url()), queries

    # In a thread of its own (its own connections, captured there): the browser tests' Playwright
    # leaves an event loop running in this one, where async_to_sync refuses to run.
    with ThreadPoolExecutor(max_workers=1) as thread:
        response, queries = thread.submit(request).result()

    assert response.status_code == 200
    assert "The harbour toll doubled in a year." in response.text
    assert content(queries["replica"])
    assert not content(queries["default"])


# Everyone else reads the primary ------------------------------------------------------------------


def test_a_staff_preview_reads_the_primary(client, claim):
    client.force_login(make_user("previewing-moderator", "Moderators"))
    claim.statement = "The harbour toll rose by half."
    claim.save()

    with queries_by_database() as queries:
        response = client.get(claim.get_absolute_url() + "?preview=1")

    assert response.status_code == 200
    assert "The harbour toll rose by half." in response.text
    assert queries["replica"] == []
    assert content(queries["default"])


def test_the_admin_reads_the_primary(client, claim):
    with queries_by_database() as queries:
        login_page = client.get("/admin/login/")
        client.force_login(make_user("admin-editor", "Editors"))
        changelist = client.get("/admin/editorial/claim/")

    assert login_page.status_code == 200
    assert changelist.status_code == 200
    assert "The harbour toll doubled in a year." in changelist.text
    assert queries["replica"] == []


def test_a_login_post_reads_and_writes_the_primary(client, editorial_groups):
    make_user("logging-in", "Editors")

    with queries_by_database() as queries:
        response = client.post("/admin/login/", {"username": "logging-in", "password": "pw-test-123"})

    assert response.status_code == 302
    assert touching(queries["default"], "auth_user")
    assert touching(queries["default"], "django_session")
    assert queries["replica"] == []


# The router itself ---------------------------------------------------------------------------------


def test_outside_a_public_read_the_router_reads_and_writes_the_primary():
    from editorial.models import Claim

    router = ReplicaRouter()

    assert router.db_for_read(Claim) == "default"
    with reading_from_replica():
        assert router.db_for_read(Claim) == "replica"
        assert router.db_for_write(Claim) == "default"
    assert router.db_for_read(Claim) == "default"


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()

    assert router.allow_migrate("default", "editorial") is True
    assert router.allow_migrate("replica", "editorial") is False


def test_objects_from_the_primary_and_the_replica_may_be_related(claim):
    from editorial.models import Claim

    with reading_from_replica():
        from_replica = Claim.objects.get(pk=claim.pk)
    from_primary = Claim.objects.get(pk=claim.pk)

    assert from_replica._state.db == "replica"
    assert ReplicaRouter().allow_relation(from_replica, from_primary) is True


# The setting ----------------------------------------------------------------------------------------

PRIMARY_URL = "postgres://editorial@primary.example:5432/editorial"
REPLICA_URL = "postgres://reader@replica.example:5432/editorial"


def configured(**env):
    return settings_of(
        "DATABASES",
        "DATABASE_ROUTERS",
        "MIDDLEWARE",
        DJANGO_ENV_FILE="",
        DJANGO_DEBUG="1",
        DATABASE_URL=PRIMARY_URL,
        **env,
    )


def test_without_a_replica_url_there_is_one_database_and_no_router():
    values = configured(DATABASE_REPLICA_URL="")

    assert "'replica'" not in values["DATABASES"]
    assert values["DATABASE_ROUTERS"] == "[]"
    assert "ReplicaMiddleware" not in values["MIDDLEWARE"]


def test_a_replica_url_adds_the_alias_the_router_and_the_middleware():
    values = configured(DATABASE_REPLICA_URL=REPLICA_URL, DATABASE_CONN_MAX_AGE="30")

    databases = ast.literal_eval(values["DATABASES"])
    assert databases["replica"]["HOST"] == "replica.example"
    assert databases["replica"]["USER"] == "reader"
    assert databases["replica"]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"] == 30
    assert databases["replica"]["CONN_HEALTH_CHECKS"] is True
    # A test run against these settings must not try to create a database on the read-only replica.
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert values["DATABASE_ROUTERS"] == "['config.replica.ReplicaRouter']"
    # Wrapping the public cache middleware: the record's version is read where the page is.
    middleware = ast.literal_eval(values["MIDDLEWARE"])
    assert middleware.index("config.replica.ReplicaMiddleware") + 1 == middleware.index(
        "editorial.public.http.PublicCacheMiddleware"
    )


def test_a_replica_of_another_kind_of_database_is_refused():
    # The primary is the default SQLite file; the replica a PostgreSQL server.
    result = run_manage(
        "check", DJANGO_DEBUG="1", DATABASE_REPLICA_URL="postgres://reader:replica-password@replica.example/editorial"
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name a replica of DATABASE_URL" in result.stderr
    assert "replica-password" not in result.stderr


def test_the_site_checks_clean_with_a_replica():
    result = run_manage("check", DJANGO_DEBUG="1", DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URL=REPLICA_URL)

    assert result.returncode == 0, result.stderr
