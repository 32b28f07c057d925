"""The public claim set pages: /sets/, /sets/<slug>/ and the set's exports, as a reader sees them."""

import json

import pytest

from editorial.models import ClaimSet
from tests.factories import make_citation, make_claim, make_published_claim, make_source

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Queries of a set page whatever its number of members (sessions and auth excluded: anonymous),
# and the page cache's get and, on a miss, the database cache's set (6 queries, none with Redis).
SET_PAGE_QUERIES = 6 + 6


def html(response):
    return response.content.decode()


def body(response):
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def ferry_set():
    """A public set holding a published claim, a draft and another published claim, in that order."""
    claim_set = ClaimSet.objects.create(title="Ferry fares", description="Claims about the ferries.", is_public=True)
    first = make_published_claim("Fares rise by a tenth in May.")
    draft = make_claim("DRAFT member nobody may see.")
    make_citation(draft)
    second = make_published_claim("Season tickets are frozen.")
    claim_set.add_claim(first, note="The headline figure.")
    claim_set.add_claim(draft, note="DRAFT note.")
    claim_set.add_claim(second)
    return claim_set, first, draft, second


def test_public_set_page_lists_its_published_claims_in_order_with_notes(client, ferry_set):
    claim_set, _first, _draft, _second = ferry_set

    response = client.get(f"/sets/{claim_set.slug}/")
    page = html(response)

    assert response.status_code == 200
    assert "<title>Ferry fares · Claim sets · Cited Claims</title>" in page
    assert f'<link rel="canonical" href="http://testserver/sets/{claim_set.slug}/">' in page
    assert page.index("Fares rise by a tenth in May.") < page.index("Season tickets are frozen.")
    assert "The headline figure." in page
    assert "2 published claims" in page
    assert "DRAFT" not in page


def test_set_list_counts_only_published_members_and_hides_private_sets(client, ferry_set):
    claim_set, *_ = ferry_set
    ClaimSet.objects.create(title="Private working set")
    ClaimSet.objects.create(title="Empty public set", is_public=True)

    page = html(client.get("/sets/"))

    assert f'href="{claim_set.get_absolute_url()}"' in page
    assert "2 published claims" in page
    assert "0 published claims" in page
    assert "Private working set" not in page
    assert "<title>Claim sets · Cited Claims</title>" in page


def test_set_list_is_one_query_for_the_sets_and_their_counts(client, ferry_set, django_assert_num_queries):
    for number in range(5):
        ClaimSet.objects.create(title=f"Set {number}", is_public=True).add_claim(make_published_claim())

    # The public record's version (ETag), the paginator's count and one query for the page of sets
    # with their published counts; the page cache's get and set (6).
    with django_assert_num_queries(3 + 6):
        response = client.get("/sets/")
    assert len(response.context["claim_sets"]) == 6


def test_private_set_and_its_exports_are_404(client):
    claim_set = ClaimSet.objects.create(title="Private")
    claim_set.add_claim(make_published_claim())

    assert client.get(f"/sets/{claim_set.slug}/").status_code == 404
    assert client.get(f"/sets/{claim_set.slug}/export/json/").status_code == 404
    assert client.get("/sets/no-such-set/").status_code == 404


def test_set_page_links_every_export_and_the_json_export_holds_only_published_claims(client, ferry_set):
    from editorial.exports import EXPORTERS

    claim_set, first, _draft, second = ferry_set
    page = html(client.get(f"/sets/{claim_set.slug}/"))
    for name in EXPORTERS:
        url = f"/sets/{claim_set.slug}/export/{name}/"
        assert f'href="{url}"' in page
        response = client.get(url)
        assert response.status_code == 200, name
        assert "DRAFT" not in body(response), name

    response = client.get(f"/sets/{claim_set.slug}/export/json/")
    document = json.loads(body(response))

    assert f'filename="{claim_set.slug}.json"' in response["Content-Disposition"]
    assert document["set"]["slug"] == claim_set.slug
    assert [claim["statement"] for claim in document["claims"]] == [first.statement, second.statement]
    assert client.get(f"/sets/{claim_set.slug}/export/nonsense/").status_code == 404


def test_set_title_description_and_notes_are_escaped(client):
    claim_set = ClaimSet.objects.create(title=f"Set {SCRIPT}", description=f"About {SCRIPT}", is_public=True)
    claim_set.add_claim(make_published_claim(), note=f"Note {SCRIPT}")

    for url in [f"/sets/{claim_set.slug}/", "/sets/", "/"]:
        page = html(client.get(url))
        assert SCRIPT not in page, url
        assert ESCAPED_SCRIPT in page, url


def test_home_page_lists_the_newest_public_sets(client, ferry_set):
    claim_set, *_ = ferry_set
    ClaimSet.objects.create(title="Private working set")

    page = html(client.get("/"))

    assert f'href="{claim_set.get_absolute_url()}"' in page
    assert "Private working set" not in page
    assert 'href="/sets/"' in page


def test_sitemap_lists_public_sets_only(client, ferry_set):
    claim_set, *_ = ferry_set
    hidden = ClaimSet.objects.create(title="Hidden set")

    page = html(client.get("/sitemap.xml"))

    assert f"http://testserver/sets/{claim_set.slug}/" in page
    assert hidden.slug not in page


def test_a_note_belongs_to_its_set(client):
    claim = make_published_claim("In two sets.")
    one = ClaimSet.objects.create(title="One", is_public=True)
    two = ClaimSet.objects.create(title="Two", is_public=True)
    one.add_claim(claim, note="Note in one.")
    two.add_claim(claim, note="Note in two.")

    page = html(client.get(f"/sets/{two.slug}/"))

    assert "Note in two." in page and "Note in one." not in page
    assert page.count('<article class="claim-card') == 1


def test_set_page_query_count_does_not_grow_with_members(client, django_assert_max_num_queries):
    source = make_source("Many", "\n\n".join(f"Passage number {n} is here." for n in range(50)))
    small = ClaimSet.objects.create(title="Small", is_public=True)
    large = ClaimSet.objects.create(title="Large", is_public=True)
    claims = [
        make_published_claim(
            f"Claim {n}", revision=source.current_revision, excerpt=f"Passage number {n} is here.", tags=[f"t{n % 3}"]
        )
        for n in range(50)
    ]
    small.add_claim(claims[0], note="Only one.")
    for claim in claims:
        large.add_claim(claim, note=f"Note {claim.statement}")

    with django_assert_max_num_queries(SET_PAGE_QUERIES):
        client.get(f"/sets/{small.slug}/")
    with django_assert_max_num_queries(SET_PAGE_QUERIES):
        response = client.get(f"/sets/{large.slug}/")
    assert html(response).count('<article class="claim-card') == 50
    assert "Note Claim 49" in html(response)
