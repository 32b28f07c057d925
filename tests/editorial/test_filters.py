"""The public filters: sources, publishers and authors are typed and matched, never listed whole."""

import pytest

from sources.models import Source
from tests.factories import make_published_claim, make_publisher, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    gazette = make_publisher("Harbour Gazette")
    ferry = make_source("Island ferry fares to rise", "Fares rise by a tenth in May.", publisher=gazette)
    bridge = make_source("Bridge tolls double", "Tolls double in March.", publisher=make_publisher("Quay Ledger"))
    return (
        make_published_claim("Fares rise by a tenth.", revision=ferry.current_revision),
        make_published_claim("Tolls double in March.", revision=bridge.current_revision),
    )


def listed(response):
    return [item.statement for item in response.context["claims"]]


@pytest.mark.parametrize("value", ["island-ferry-fares-to-rise", "Island ferry fares to rise", "ferry fares"])
def test_a_source_is_found_by_slug_exact_title_or_a_part_of_it(client, claims, value):
    response = client.get("/claims/", {"source": value})

    assert response.status_code == 200
    assert listed(response) == ["Fares rise by a tenth."]


def test_a_part_that_matches_several_names_them_and_asks_for_more(client, claims):
    response = client.get("/claims/", {"publisher": "e"})  # Harbour Gazette, Quay Ledger

    assert response.status_code == 400
    page = response.content.decode()
    assert "“e” matches several: Harbour Gazette; Quay Ledger. Type more of the name." in page


def test_a_name_that_matches_nothing_is_a_clear_error(client, claims):
    response = client.get("/claims/", {"author": "Nobody At All"})

    assert response.status_code == 400
    assert "No author matches “Nobody At All”." in response.content.decode()


def test_the_list_page_stays_small_however_many_sources_there_are(client, claims):
    first = len(client.get("/claims/").content)
    Source.objects.bulk_create(
        Source(title=f"Archive story number {number}", slug=f"archive-story-{number}") for number in range(300)
    )

    page = client.get("/claims/").content
    assert len(page) == first
    assert b"Archive story number" not in page


def test_the_api_takes_the_same_typed_values(client, claims):
    response = client.get("/api/claims/", {"publisher": "quay"})

    assert [item["statement"] for item in response.json()["results"]] == ["Tolls double in March."]
