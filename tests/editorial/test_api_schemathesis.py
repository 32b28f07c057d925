"""Property-based run of the API against its own OpenAPI schema: no request makes a server error.

Schemathesis generates requests for every operation in ``/api/schema/`` (about 25 examples each) and
sends them through the Django WSGI application, over a database holding published and unpublished
claims, sources with revisions and claim sets. Half the generated path parameters are swapped for
ids and slugs that exist, so detail pages render real rows and not only 404s.
"""

import datetime

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import AnonRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from editorial.models import ClaimRelation, ClaimSet
from editorial.services.citations import cite
from tests.factories import make_claim, make_published_claim, make_publisher, make_source, make_speaker

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.editorial.api_test_urls")]

TEXT = (
    "The finance ministry said on Monday that the budget deficit had narrowed to 2 per cent.\n\n"
    "Opposition leaders called the figure “a fiction” and demanded an audit."
)


@pytest.fixture
def api_data():
    """Published claims with speakers, tags, relations and two sources; a draft; a public and a private set."""
    source = make_source(
        "Deficit narrows, ministry says",
        text=TEXT,
        url="https://news.example.org/deficit",
        publisher=make_publisher("Daily Ledger"),
        authors=[("Max Seddon", "Moscow")],
        updated_at=datetime.datetime(2024, 5, 6, tzinfo=datetime.UTC),
    )
    other = make_source("Audit demanded", text="Opposition leaders demanded an audit of the ministry.")
    first = make_published_claim(
        "The budget deficit narrowed to 2 per cent.",
        revision=source.current_revision,
        excerpt="the budget deficit had narrowed to 2 per cent",
        speaker=make_speaker("Russia's finance ministry"),
        claim_date=datetime.date(2024, 5, 6),
        tags=["budget", "economy"],
    )
    second = make_published_claim(
        "The deficit figure is “a fiction”.",
        revision=other.current_revision,
        excerpt="demanded an audit",
        speaker=make_speaker("Opposition leaders"),
        tags=["economy"],
    )
    ClaimRelation.objects.create(from_claim=second, to_claim=first, kind="contradicts")
    draft = make_claim("A draft nobody may see.", tags=["secret"])
    cite(claim=draft, revision=source.current_revision, excerpt="called the figure")
    public = ClaimSet.objects.create(title="Budget claims", is_public=True)
    for claim in (first, draft, second):
        public.add_claim(claim)
    private = ClaimSet.objects.create(title="Private set", is_public=False)
    private.add_claim(first)
    return {
        "id": [first.pk, second.pk, draft.pk, source.pk, other.pk],
        "slug": [public.slug, private.slug],
    }


@pytest.fixture
def keep_test_connection():
    """Keep the test's database connection open across WSGI requests, as Django's test client does.

    The WSGI handler closes "old" connections when a request starts and finishes; inside the test's
    transaction that closes the connection (PostgreSQL) and loses the test data.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(api_data, keep_test_connection, monkeypatch):
    # Hundreds of requests in a few seconds: lift the anonymous rate limit for this run only.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})
    cache.clear()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

    @schema.hook("flatmap_path_parameters")
    def existing_rows_too(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        existing = {
            name: st.sampled_from(api_data[name]) if name in api_data else st.just(value)
            for name, value in path_parameters.items()
        }
        return st.one_of(st.just(path_parameters), st.fixed_dictionaries(existing))

    return schema


def test_no_request_makes_a_server_error(api_schema):
    # The schema is loaded in the test, not with ``schemathesis.pytest.from_fixture``: that loader
    # reads ``request.node._nodeid``, which pytest 9 no longer has (AttributeError at run time).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @given(case=cases)
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def no_server_error(case):
            case.call_and_validate(checks=[not_a_server_error])

        no_server_error()
