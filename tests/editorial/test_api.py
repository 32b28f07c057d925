"""The read-only API: published claims as approved, sources, public claim sets, the schema and docs."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from editorial.models import Claim, ClaimRelation, ClaimSet, ClaimStatus
from editorial.services.citations import cite
from tests.factories import (
    add_revision,
    make_claim,
    make_published_claim,
    make_publisher,
    make_source,
    make_speaker,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.editorial.api_test_urls")]

TEXT = (
    "The finance ministry said on Monday that the budget deficit had narrowed to 2 per cent.\n\n"
    "Opposition leaders called the figure “a fiction” and demanded an audit.\n\n"
    "The president promised that pensions would rise by 10 per cent next year."
)


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # The anonymous throttle counts requests in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator():
    return make_user("api-moderator", "Moderators")


@pytest.fixture
def editor():
    return make_user("api-editor", "Editors")


@pytest.fixture
def source():
    return make_source(
        "Deficit narrows, ministry says",
        text=TEXT,
        url="https://news.example.org/deficit",
        publisher=make_publisher("Daily Ledger"),
        authors=[("Max Seddon", "Moscow")],
        updated_at=datetime.datetime(2024, 5, 6, 12, 0, tzinfo=datetime.UTC),
        notes="Internal: check with the desk.",
    )


@pytest.fixture
def speaker():
    return make_speaker("Russia's finance ministry", description="The ministry of finance")


@pytest.fixture
def published(source, speaker):
    return make_published_claim(
        "The budget deficit narrowed to 2 per cent.",
        revision=source.current_revision,
        excerpt="the budget deficit had narrowed to 2 per cent",
        speaker=speaker,
        claim_date=datetime.date(2024, 5, 6),
        verdict=Claim.Verdict.DISPUTED,
        tags=["budget", "economy"],
    )


def claim_in(status, source, editor, moderator, statement="Pensions will rise by 10 per cent."):
    """Return a cited claim in ``status``, moved there through the workflow."""
    claim = make_claim(statement, tags=["pensions"])
    cite(claim=claim, revision=source.current_revision, excerpt="pensions would rise by 10 per cent")
    if status == ClaimStatus.DRAFT:
        return claim
    claim.submit(editor)
    if status == ClaimStatus.REJECTED:
        claim.reject(moderator, "Not checkable.")
    elif status in (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED, ClaimStatus.RETRACTED):
        claim.publish(moderator)
        if status == ClaimStatus.CORRECTED:
            claim.verdict = Claim.Verdict.UNVERIFIED
            claim.save()
            claim.correct(moderator, "Verdict added.")
        elif status == ClaimStatus.RETRACTED:
            claim.retract(moderator, "Misattributed.")
    return Claim.objects.get(pk=claim.pk)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


# Claims ------------------------------------------------------------------------------------------


def test_claim_list_totals_come_from_the_counters_without_counting_the_entries(
    client, source, editor, moderator, published
):
    for status in ClaimStatus.values:
        claim_in(status, source, editor, moderator)

    with CaptureQueriesContext(connection) as whole:
        everything = client.get("/api/claims/")
    with CaptureQueriesContext(connection) as searched:
        search = client.get("/api/claims/?q=deficit")

    assert everything.json()["count"] == 3 == len(ids(everything))
    counts = [query["sql"] for query in whole.captured_queries if "COUNT(" in query["sql"].upper()]
    assert not [sql for sql in counts if "editorial_publicentry" in sql], counts
    # A search is not a list the counters keep: counted (once per version of the public record).
    assert search.json()["count"] == len(ids(search)) > 0
    assert any("COUNT(" in query["sql"].upper() for query in searched.captured_queries)


def test_claim_list_holds_published_and_corrected_claims_only(client, source, editor, moderator, published):
    listed = {status: claim_in(status, source, editor, moderator) for status in ClaimStatus.values}

    response = client.get("/api/claims/")

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert set(ids(response)) == {published.pk, listed["published"].pk, listed["corrected"].pk}


def test_claim_detail_shows_the_approved_version(client, source, published):
    response = client.get(f"/api/claims/{published.pk}/")

    assert response.status_code == 200
    claim = response.json()
    assert claim["statement"] == "The budget deficit narrowed to 2 per cent."
    assert claim["speaker"] == {
        "id": published.speaker_id,
        "name": "Russia's finance ministry",
        "slug": "russias-finance-ministry",
        "description": "The ministry of finance",
    }
    assert claim["claim_date"] == "2024-05-06"
    assert claim["status"] == "published"
    assert claim["verdict"] == "disputed"
    assert claim["tags"] == ["budget", "economy"]
    assert claim["permalink"] == f"http://testserver/claims/{published.pk}/the-budget-deficit-narrowed-to-2-per-cent/"
    assert claim["api_url"] == f"http://testserver/api/claims/{published.pk}/"
    (citation,) = claim["citations"]
    revision = source.current_revision
    assert citation["excerpt"] == "the budget deficit had narrowed to 2 per cent"
    assert revision.text[citation["start"] : citation["end"]] == citation["excerpt"]
    assert citation["prefix"] == revision.text[citation["start"] - 32 : citation["start"]]
    assert citation["suffix"] == revision.text[citation["end"] : citation["end"] + 32]
    assert citation["revision"]["number"] == 1
    assert citation["revision"]["sha256"] == revision.sha256
    assert datetime.datetime.fromisoformat(citation["revision"]["captured_at"]) == revision.captured_at
    assert citation["source"] == {
        "id": source.pk,
        "title": "Deficit narrows, ministry says",
        "url": "https://news.example.org/deficit",
        "api_url": f"http://testserver/api/sources/{source.pk}/",
    }


def test_unpublished_edits_stay_out_of_the_api_until_corrected(client, source, published, moderator):
    claim = Claim.objects.get(pk=published.pk)
    claim.statement = "The deficit vanished."
    claim.speaker = make_speaker("An anonymous official")
    claim.verdict = Claim.Verdict.FALSE
    claim.save()
    claim.tags.add("secret-tag")
    cite(claim=claim, revision=source.current_revision, excerpt="demanded an audit")

    for response in (client.get(f"/api/claims/{claim.pk}/"), client.get("/api/claims/")):
        shown = response.json() if "results" not in response.json() else response.json()["results"][0]
        assert shown["statement"] == "The budget deficit narrowed to 2 per cent."
        assert shown["speaker"]["name"] == "Russia's finance ministry"
        assert shown["verdict"] == "disputed"
        assert "secret-tag" not in shown["tags"]
        assert len(shown["citations"]) == 1
        assert "vanished" not in response.content.decode()

    claim.correct(moderator, "Corrected after the audit.")

    shown = client.get(f"/api/claims/{claim.pk}/").json()
    assert shown["statement"] == "The deficit vanished."
    assert shown["status"] == "corrected"
    assert len(shown["citations"]) == 2


@pytest.mark.parametrize(
    "status", [ClaimStatus.DRAFT, ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED, ClaimStatus.RETRACTED]
)
def test_a_claim_that_is_not_published_is_not_found(client, source, editor, moderator, status):
    claim = claim_in(status, source, editor, moderator)

    response = client.get(f"/api/claims/{claim.pk}/")

    assert response.status_code == 404
    assert "Pensions" not in response.content.decode()


def test_an_unknown_claim_id_is_not_found(client):
    assert client.get("/api/claims/999999/").status_code == 404
    assert client.get("/api/claims/99999999999999999999999/").status_code == 404
    assert client.get("/api/claims/abc/").status_code == 404


def test_relations_link_published_claims_only(client, source, editor, moderator, published):
    supporting = claim_in(ClaimStatus.PUBLISHED, source, editor, moderator, "Pensions rise with the economy.")
    draft = claim_in(ClaimStatus.DRAFT, source, editor, moderator)
    ClaimRelation.objects.create(from_claim=supporting, to_claim=published, kind="supports", note="Same data.")
    ClaimRelation.objects.create(from_claim=draft, to_claim=published, kind="contradicts")
    ClaimRelation.objects.create(from_claim=published, to_claim=draft, kind="updates")

    relations = client.get(f"/api/claims/{published.pk}/").json()["relations"]
    assert relations == [
        {
            "kind": "supports",
            "direction": "incoming",
            "claim": supporting.pk,
            "api_url": f"http://testserver/api/claims/{supporting.pk}/",
            "note": "Same data.",
        }
    ]
    outgoing = client.get(f"/api/claims/{supporting.pk}/").json()["relations"]
    assert [(r["kind"], r["direction"], r["claim"]) for r in outgoing] == [("supports", "outgoing", published.pk)]


class TestClaimFilters:
    @pytest.fixture
    def other(self, editor, moderator):
        other_source = make_source(
            "Pension reform passes",
            text="Parliament approved the pension reform on Friday by a wide margin.",
            publisher=make_publisher("Evening Post"),
            authors=[("Richard Milne", "Oslo")],
            updated_at=datetime.datetime(2023, 1, 2, tzinfo=datetime.UTC),
        )
        return make_published_claim(
            "Parliament approved the pension reform.",
            revision=other_source.current_revision,
            excerpt="approved the pension reform",
            speaker=make_speaker("Parliament of Norway"),
            claim_date=datetime.date(2023, 1, 2),
            tags=["pensions", "economy"],
        )

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("q=deficit", "published"),
            ("q=PENSION reform", "other"),
            ("q=finance ministry", "published"),  # the speaker's name
            ("q=approved the pension", "other"),  # an excerpt
            ("tag=economy&tag=budget", "published"),
            ("tag=pensions", "other"),
            ("speaker=russias-finance-ministry", "published"),
            ("source=deficit-narrows-ministry-says", "published"),
            ("publisher=evening-post", "other"),
            ("author=max-seddon", "published"),
            ("claim_date_after=2024-01-01", "published"),
            ("claim_date_before=2023-12-31", "other"),
            ("source_updated_after=2024-01-01", "published"),
            ("source_updated_before=2023-06-01", "other"),
        ],
    )
    def test_each_filter_narrows_the_list(self, client, published, other, query, expected):
        response = client.get(f"/api/claims/?{query}")

        assert response.status_code == 200, response.json()
        assert ids(response) == [{"published": published, "other": other}[expected].pk]

    def test_tags_combine_with_and(self, client, published, other):
        assert set(ids(client.get("/api/claims/?tag=economy"))) == {published.pk, other.pk}
        assert ids(client.get("/api/claims/?tag=economy&tag=pensions")) == [other.pk]

    def test_relation_and_ordering(self, client, published, other):
        ClaimRelation.objects.create(from_claim=other, to_claim=published, kind="contradicts")

        assert set(ids(client.get("/api/claims/?relation=contradicts"))) == {published.pk, other.pk}
        assert ids(client.get("/api/claims/?relation=supports")) == []
        assert ids(client.get("/api/claims/?ordering=claim_date")) == [published.pk, other.pk]
        assert ids(client.get("/api/claims/?ordering=oldest")) == [published.pk, other.pk]
        assert ids(client.get("/api/claims/?ordering=newest")) == [other.pk, published.pk]

    def test_pagination(self, client, published, other):
        first = client.get("/api/claims/?page_size=1").json()
        second = client.get("/api/claims/?page_size=1&page=2").json()

        assert first["count"] == 2
        assert first["next"] == "http://testserver/api/claims/?page=2&page_size=1"
        assert [first["results"][0]["id"], second["results"][0]["id"]] == [other.pk, published.pk]
        assert client.get("/api/claims/?page=3&page_size=1").status_code == 404

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("tag=no-such-tag", "tag"),
            ("speaker=nobody", "speaker"),
            ("source=no-such-source", "source"),
            ("publisher=nobody", "publisher"),
            ("author=nobody", "author"),
            ("claim_date_after=yesterday", "claim_date_after"),
            ("claim_date_after=2024-01-01&claim_date_before=2024-13-45", "claim_date_before"),
            ("source_updated_after=2024-02-30", "source_updated_after"),
            ("relation=loves", "relation"),
            ("ordering=sideways", "ordering"),
            ("q=" + "x" * 201, "q"),
            ("q=nul%00byte", "q"),
            ("page=first", "page"),
            ("page=0", "page"),
            ("page=" + "9" * 5000, "page"),
            ("page_size=0", "page_size"),
            ("page_size=101", "page_size"),
            ("page_size=ten", "page_size"),
        ],
    )
    def test_a_bad_value_is_a_400_naming_the_parameter(self, client, published, query, parameter):
        response = client.get(f"/api/claims/?{query}")

        assert response.status_code == 400
        assert list(response.json()) == [parameter]
        assert response.json()[parameter][0]

    def test_a_draft_speaker_or_tag_is_not_a_valid_filter_value(self, client, source, editor, moderator, published):
        draft = claim_in(ClaimStatus.DRAFT, source, editor, moderator)
        draft.speaker = make_speaker("Secret Speaker")
        draft.save()
        draft.tags.add("secret")

        assert client.get("/api/claims/?speaker=secret-speaker").status_code == 400
        response = client.get("/api/claims/?tag=secret")
        assert response.status_code == 400
        assert list(response.json()) == ["tag"]


# Sources -----------------------------------------------------------------------------------------


def test_source_list_shows_every_source_with_revisions_but_no_text(client, source, published):
    add_revision(source, TEXT + "\n\nA correction was appended.")
    uncited = make_source("Uncited report")

    response = client.get("/api/sources/")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {source.pk, uncited.pk}
    row = rows[source.pk]
    assert row["publisher"] == {"name": "Daily Ledger", "slug": "daily-ledger", "homepage": ""}
    assert row["authors"] == [{"name": "Max Seddon", "slug": "max-seddon", "location": "Moscow"}]
    assert row["current_revision"] == 2
    assert [r["number"] for r in row["revisions"]] == [1, 2]
    assert set(row["revisions"][0]) == {"number", "sha256", "captured_at", "publisher_updated_at"}
    assert "notes" not in row and "Internal" not in response.content.decode()
    assert "claims" not in row


def test_source_detail_has_revision_texts_and_published_claims_only(client, source, editor, moderator, published):
    for status in (ClaimStatus.DRAFT, ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED, ClaimStatus.RETRACTED):
        claim_in(status, source, editor, moderator, statement=f"Unlisted {status} claim.")
    # An unapproved citation of the source by a published claim stays out too.
    elsewhere = make_source("Elsewhere", text="Growth slowed sharply in the spring.")
    unapproved = make_published_claim(revision=elsewhere.current_revision, excerpt="Growth slowed sharply")
    cite(claim=unapproved, revision=source.current_revision, excerpt="demanded an audit")

    response = client.get(f"/api/sources/{source.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["revisions"][0]["text"] == TEXT
    assert data["revisions"][0]["sha256"] == source.current_revision.sha256
    assert [claim["id"] for claim in data["claims"]] == [published.pk]
    (citation,) = data["claims"][0]["citations"]
    assert citation["excerpt"] == "the budget deficit had narrowed to 2 per cent"
    assert "Unlisted" not in response.content.decode()
    assert "Internal" not in response.content.decode()


def test_source_filters_and_bad_values(client, source):
    other = make_source("Other", publisher=make_publisher("Evening Post"))

    assert ids(client.get("/api/sources/?publisher=daily-ledger")) == [source.pk]
    assert ids(client.get("/api/sources/?q=pensions")) == [source.pk]
    assert ids(client.get("/api/sources/?author=max-seddon")) == [source.pk]
    assert other.pk in ids(client.get("/api/sources/"))
    response = client.get("/api/sources/?publisher=nobody&updated_after=never")
    assert response.status_code == 400
    assert set(response.json()) == {"publisher", "updated_after"}


def test_an_unknown_source_is_not_found(client):
    assert client.get("/api/sources/123456/").status_code == 404


# Claim sets --------------------------------------------------------------------------------------


def make_claim_set(title, claims, *, is_public=True):
    claim_set = ClaimSet.objects.create(title=title, is_public=is_public)
    for claim in claims:
        claim_set.add_claim(claim, note=f"Note on {claim.pk}")
    return claim_set


def test_sets_are_public_ones_with_published_members_only(client, source, editor, moderator, published):
    draft = claim_in(ClaimStatus.DRAFT, source, editor, moderator)
    later = claim_in(ClaimStatus.PUBLISHED, source, editor, moderator)
    public = make_claim_set("Budget claims", [later, draft, published])
    private = make_claim_set("Work in progress", [published], is_public=False)

    listed = client.get("/api/sets/").json()
    assert [row["slug"] for row in listed["results"]] == ["budget-claims"]
    assert listed["results"][0]["claim_count"] == 2
    assert client.get(f"/api/sets/{private.slug}/").status_code == 404

    detail = client.get(f"/api/sets/{public.slug}/").json()
    assert detail["title"] == "Budget claims"
    assert [(member["position"], member["claim"]["id"]) for member in detail["claims"]] == [
        (1, later.pk),
        (2, published.pk),
    ]
    assert detail["claims"][1]["note"] == f"Note on {published.pk}"
    assert detail["claims"][1]["claim"]["statement"] == "The budget deficit narrowed to 2 per cent."
    assert "Work in progress" not in client.get("/api/sets/").content.decode()


def test_an_unknown_set_is_not_found(client):
    assert client.get("/api/sets/no-such-set/").status_code == 404


# Read-only, throttled ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_not_allowed(client, published, source, method):
    claim_set = make_claim_set("A set", [published])
    for url in (
        "/api/claims/",
        f"/api/claims/{published.pk}/",
        "/api/sources/",
        f"/api/sources/{source.pk}/",
        "/api/sets/",
        f"/api/sets/{claim_set.slug}/",
    ):
        response = getattr(client, method)(url, data={"statement": "x"}, content_type="application/json")
        assert response.status_code == 405, url
    assert Claim.objects.count() == 1


def test_anonymous_requests_are_throttled(client, published, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    statuses = [client.get("/api/claims/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


# A fixed number of queries per page -----------------------------------------------------------------


def queries_for(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_claim_pages_take_the_same_queries_for_1_and_50_claims(
    client, source, moderator, django_assert_max_num_queries, published
):
    other = make_source("Other", text="Second source text with enough words to quote.")
    claim_set = make_claim_set("Set", [published])
    urls = [
        "/api/claims/",
        "/api/claims/?q=deficit&tag=budget&ordering=claim_date",
        f"/api/sets/{claim_set.slug}/",
        f"/api/sources/{source.pk}/",
    ]
    one = {url: queries_for(client, url) for url in urls}
    for number in range(49):
        claim = make_published_claim(
            f"The deficit claim number {number}.",
            revision=source.current_revision,
            excerpt="the budget deficit had narrowed to 2 per cent",
            speaker=make_speaker(),
            tags=["budget", f"tag-{number}"],
        )
        cite(claim=claim, revision=other.current_revision, excerpt="Second source text")
        claim.correct(moderator, "Second citation.")
        ClaimRelation.objects.create(from_claim=claim, to_claim=published, kind="supports")
        claim_set.add_claim(claim)

    for url, count in one.items():
        with django_assert_max_num_queries(count):
            data = client.get(url).json()
        rows = data.get("results") or data.get("claims")
        assert len(rows) == 50, url


def test_source_and_set_lists_take_the_same_queries_for_1_and_50_rows(client, django_assert_max_num_queries):
    make_claim_set("Set 0", [make_published_claim()])
    make_source("Source 0", authors=[("A Writer", "Kyiv")])
    sources_one = queries_for(client, "/api/sources/")
    sets_one = queries_for(client, "/api/sets/")
    for number in range(1, 50):
        source = make_source(f"Source {number}", authors=[(f"Writer {number}", "Riga"), ("A Writer", "Kyiv")])
        add_revision(source, f"Revised text {number}.")
        make_claim_set(f"Set {number}", [make_published_claim(revision=source.current_revision)])

    with django_assert_max_num_queries(sources_one):
        assert len(client.get("/api/sources/").json()["results"]) == 50
    with django_assert_max_num_queries(sets_one):
        assert client.get("/api/sets/").json()["count"] == 50


# Schema and docs ---------------------------------------------------------------------------------


def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--urlconf",
        "tests.editorial.api_test_urls",
        "--file",
        str(tmp_path / "schema.yaml"),
    )

    assert "/api/claims/{id}/:" in (tmp_path / "schema.yaml").read_text()


def test_the_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/claims/",
        "/api/claims/{id}/",
        "/api/sources/",
        "/api/sources/{id}/",
        "/api/sets/",
        "/api/sets/{slug}/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {"q", "tag", "speaker", "source", "publisher", "author", "claim_date_after", "relation"} <= parameters
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())


def test_the_docs_page_uses_local_assets_only(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/schema/" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    # Served by this site: needs "drf_spectacular_sidecar" in INSTALLED_APPS.
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_the_docs_page_has_no_inline_script_or_style(client):
    # The Content-Security-Policy allows scripts and styles from files only.
    html = client.get("/api/docs/").content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert "<style" not in html and " style=" not in html
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()
