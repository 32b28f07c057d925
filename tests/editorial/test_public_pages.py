"""The public pages as an anonymous reader (and a previewing editor) sees them."""

import datetime
import json
import re

import pytest
from django.contrib.auth.models import Permission

from editorial.models import ClaimRelation
from editorial.services.citations import reanchor_citations
from tests.factories import (
    add_revision,
    make_citation,
    make_claim,
    make_published_claim,
    make_publisher,
    make_source,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db

FERRY_TEXT = (
    "Passengers on the Portlaine–Kellbridge crossing will pay about 12 per cent more from May.\n\n"
    "The board’s chair, Ilse Brandvold, said the increase was “the smallest rise possible”. "
    "She told members that fuel costs had climbed.\n\n"
    "Season tickets are frozen."
)


@pytest.fixture
def moderator():
    return make_user("moderator", "Moderators")


def publish(claim, moderator):
    claim.submit(moderator)
    claim.publish(moderator)
    claim.refresh_from_db()
    return claim


def published_claim(moderator, statement=None, *, revision=None, excerpt=None, tags=(), **fields):
    claim = make_claim(statement, tags=tags, **fields)
    make_citation(claim, revision, excerpt)
    return publish(claim, moderator)


@pytest.fixture
def ferry(moderator):
    """A source with publisher and authors, and a published claim citing its second paragraph."""
    publisher = make_publisher("Harbour Gazette")
    source = make_source(
        "Island ferry fares to rise",
        FERRY_TEXT,
        authors=[("Mara Okafor", "Portlaine"), ("Tomas Reyes", "Kellbridge")],
        publisher=publisher,
        url="https://gazette.example/ferry-fares",
        byline="Mara Okafor in Portlaine and Tomas Reyes in Kellbridge",
        section="Coastal affairs",
        published_at=datetime.datetime(2024, 3, 14, 8, 0, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2024, 3, 14, 8, 45, tzinfo=datetime.UTC),
    )
    speaker = make_speaker("Ilse Brandvold", description="Chair of the harbour board")
    claim = published_claim(
        moderator,
        "The fare rise is the smallest possible.",
        revision=source.current_revision,
        excerpt="the increase was “the smallest rise possible”",
        speaker=speaker,
        tags=["ferries", "fares"],
        claim_date=datetime.date(2024, 3, 13),
    )
    return claim, source


def html(response):
    return response.content.decode()


# Visibility --------------------------------------------------------------------------------------


def test_lists_show_only_published_claims(client, moderator, ferry):
    _claim, source = ferry
    draft = make_claim("A draft nobody may see.")
    make_citation(draft, source.current_revision, "Season tickets are frozen.")
    in_review = make_claim("A claim waiting for review.")
    make_citation(in_review, source.current_revision, "Season tickets are frozen.")
    in_review.submit(moderator)
    rejected = make_claim("A rejected claim.")
    make_citation(rejected, source.current_revision, "Season tickets are frozen.")
    rejected.submit(moderator)
    rejected.reject(moderator, "No.")
    retracted = published_claim(moderator, "A retracted claim.", revision=source.current_revision)
    retracted.retract(moderator, "Wrong speaker.")

    for url in ["/", "/claims/", "/tags/ferries/", "/feeds/claims.atom", "/sitemap.xml", f"/sources/{source.slug}/"]:
        page = html(client.get(url))
        assert "A draft nobody may see" not in page, url
        assert "waiting for review" not in page, url
        assert "A rejected claim" not in page, url
        assert "A retracted claim" not in page, url
    assert "The fare rise is the smallest possible." in html(client.get("/claims/"))


@pytest.mark.parametrize("status", ["draft", "in_review", "rejected"])
def test_unpublished_claims_are_404_for_readers(client, moderator, status):
    claim = make_claim("Not public yet.")
    make_citation(claim)
    if status != "draft":
        claim.submit(moderator)
    if status == "rejected":
        claim.reject(moderator, "Unsupported.")

    assert client.get(f"/claims/{claim.pk}/{claim.slug}/").status_code == 404
    assert client.get(f"/claims/{claim.pk}/").status_code == 404


def test_staff_preview_shows_live_fields_with_a_banner(client, moderator):
    claim = make_claim("Draft statement being written.", speaker=make_speaker("Draft Speaker"))
    make_citation(claim)
    editor = make_user("editor", "Editors")
    client.force_login(editor)

    response = client.get(claim.get_absolute_url())

    assert response.status_code == 200
    page = html(response)
    assert "Preview — not public" in page
    assert "Draft statement being written." in page
    assert response["Cache-Control"] == "private, no-store"
    assert 'name="robots" content="noindex"' in page
    assert "application/ld+json" not in page


def test_staff_without_view_permission_cannot_preview(client):
    claim = make_claim("Hidden.")
    make_citation(claim)
    client.force_login(make_user("clerk"))  # staff, but in no group

    assert client.get(claim.get_absolute_url()).status_code == 404


def test_staff_may_preview_unpublished_changes_of_a_public_claim(client, moderator, ferry):
    claim, _ = ferry
    claim.statement = "An edit awaiting approval."
    claim.save()
    user = make_user("viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(user)

    assert "An edit awaiting approval." not in html(client.get(claim.get_absolute_url()))
    preview = html(client.get(claim.get_absolute_url() + "?preview=1"))
    assert "An edit awaiting approval." in preview and "Preview — not public" in preview


# The claim page ----------------------------------------------------------------------------------


def test_wrong_slug_redirects_permanently_to_the_canonical_address(client, ferry):
    claim, _ = ferry

    response = client.get(f"/claims/{claim.pk}/some-old-slug/")
    short = client.get(f"/claims/{claim.pk}/")

    assert response.status_code == 301 and response["Location"] == claim.get_absolute_url()
    assert short.status_code == 301 and short["Location"] == claim.get_absolute_url()


def test_claim_page_shows_the_approved_version_not_unapproved_edits(client, ferry):
    claim, _ = ferry
    claim.statement = "Unapproved new wording."
    claim.save()

    page = html(client.get(claim.get_absolute_url()))

    assert "The fare rise is the smallest possible." in page
    assert "Unapproved new wording." not in page


def test_claim_page_shows_speaker_date_tags_and_cited_passage_in_its_paragraph(client, ferry):
    claim, source = ferry
    revision = source.current_revision

    response = client.get(claim.get_absolute_url())

    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "Ilse Brandvold" in page and "Chair of the harbour board" in page
    assert "13 March 2024" in page
    assert 'href="/tags/ferries/"' in page and 'href="/tags/fares/"' in page
    # The excerpt is marked inside its paragraph, and the other paragraphs are not shown with it.
    assert (
        "The board’s chair, Ilse Brandvold, said "
        '<mark class="excerpt">the increase was “the smallest rise possible”</mark>. She told members' in page
    )
    assert "Season tickets are frozen." not in page
    assert "Island ferry fares to rise" in page and "Harbour Gazette" in page
    assert "Mara Okafor in Portlaine and Tomas Reyes in Kellbridge" in page
    assert "revision 1" in page and revision.sha256[:12] in page
    assert f'href="/sources/{source.slug}/revisions/1/"' in page
    assert f'<link rel="canonical" href="http://testserver{claim.get_absolute_url()}">' in page


def test_claim_page_links_to_the_original_with_a_text_fragment(client, ferry):
    claim, _ = ferry

    page = html(client.get(claim.get_absolute_url()))

    assert (
        'href="https://gazette.example/ferry-fares#:~:text='
        "the%20increase%20was%20%E2%80%9Cthe%20smallest%20rise%20possible%E2%80%9D" in page
    )


def test_claim_page_notes_when_the_source_changed_since(client, moderator, ferry):
    claim, source = ferry
    # As the import service does, the new revision re-anchors the citations of older ones.
    reanchor_citations(add_revision(source, FERRY_TEXT.replace("Season tickets are frozen.", "Season tickets go up.")))
    orphan_source = make_source("Gone", "A passage that will vanish.\n\nMore.")
    orphaned = published_claim(moderator, "Vanishing.", revision=orphan_source.current_revision)
    add_revision(orphan_source, "Something else entirely.")

    page = html(client.get(claim.get_absolute_url()))
    orphan_page = html(client.get(orphaned.get_absolute_url()))

    assert "The source has changed since this passage was quoted; the passage is still there" in page
    assert f'href="/sources/{source.slug}/diff/2/"' in page
    assert "the passage is no longer in it" in orphan_page


def test_corrected_claim_shows_the_correction_and_what_changed(client, moderator, ferry):
    claim, _ = ferry
    claim.statement = "The fare rise is “the smallest rise possible”, the chair said."
    claim.save()
    claim.correct(moderator, "Quoted the chair exactly.")

    response = client.get(claim.get_absolute_url(), follow=True)
    page = html(response)

    assert "Correction" in page and "Quoted the chair exactly." in page
    assert "was: The fare rise is the smallest possible." in page
    assert "“the smallest rise possible”, the chair said." in page


def test_retracted_claim_stays_reachable_with_its_notice_but_is_not_listed(client, moderator, ferry):
    claim, _ = ferry
    claim.retract(moderator, "The quote was misattributed.")

    page = html(client.get(claim.get_absolute_url()))

    assert "This claim was retracted" in page and "The quote was misattributed." in page
    assert "The fare rise is the smallest possible." not in html(client.get("/claims/"))
    # Its speaker and tag links still lead somewhere, to lists without it.
    assert client.get("/speakers/ilse-brandvold/").status_code == 200
    tag_page = client.get("/tags/ferries/")
    assert tag_page.status_code == 200 and "The fare rise is the smallest possible." not in html(tag_page)


def test_related_claims_are_listed_by_kind_when_published(client, moderator, ferry):
    claim, source = ferry
    other = published_claim(moderator, "Fares will not rise at all.", revision=source.current_revision)
    draft = make_claim("A draft that also contradicts.")
    ClaimRelation.objects.create(from_claim=other, to_claim=claim, kind="contradicts")
    ClaimRelation.objects.create(from_claim=claim, to_claim=draft, kind="supports")

    page = html(client.get(claim.get_absolute_url()))

    assert "Related claims" in page and "Fares will not rise at all." in page
    assert "Contradicted by:" in page
    assert "A draft that also contradicts." not in page


def test_claim_page_embeds_schema_org_claim(client, ferry):
    claim, _source = ferry

    page = html(client.get(claim.get_absolute_url()))

    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    document = json.loads(payload)
    assert document["@type"] == "Claim"
    assert document["text"] == "The fare rise is the smallest possible."
    assert document["author"] == {
        "@type": "Person",
        "name": "Ilse Brandvold",
        "description": "Chair of the harbour board",
    }
    (article,) = document["appearance"]
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Island ferry fares to rise"
    assert article["url"] == "https://gazette.example/ferry-fares"
    assert article["publisher"] == {"@type": "Organization", "name": "Harbour Gazette"}
    assert [author["name"] for author in article["author"]] == ["Mara Okafor", "Tomas Reyes"]
    assert article["datePublished"].startswith("2024-03-14T08:00")
    assert article["dateModified"].startswith("2024-03-14T08:45")


def test_organisation_speaker_is_an_organization_in_json_ld(client, moderator):
    speaker = make_speaker("Russia's finance ministry", kind="government")
    claim = published_claim(moderator, "Revenues fell.", speaker=speaker)

    page = html(client.get(claim.get_absolute_url()))

    assert '"author": {"@type": "Organization", "name": "Russia\'s finance ministry"}' in page


def test_claim_page_answers_conditional_requests(client, ferry):
    claim, _ = ferry

    first = client.get(claim.get_absolute_url())
    again = client.get(claim.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    since = client.get(claim.get_absolute_url(), headers={"If-Modified-Since": first["Last-Modified"]})

    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert again.status_code == 304
    assert since.status_code == 304


# The claim list ----------------------------------------------------------------------------------


@pytest.fixture
def several(moderator):
    """Four published claims over two sources, speakers, publishers and tags."""
    gazette, ledger = make_publisher("Gazette"), make_publisher("Ledger")
    one = make_source(
        "Ferries",
        "Fares rise in May.\n\nThe mayor objects.",
        publisher=gazette,
        authors=[("Ann Writer", "Oslo")],
        updated_at=datetime.datetime(2024, 5, 2, tzinfo=datetime.UTC),
    )
    two = make_source(
        "Batteries",
        "The plant opens in June.\n\nIt stores wind power.",
        publisher=ledger,
        updated_at=datetime.datetime(2023, 1, 5, tzinfo=datetime.UTC),
    )
    mayor, chief = make_speaker("Mayor Holt"), make_speaker("Chief Marchetti")
    claims = {
        "fares": published_claim(
            moderator,
            "Fares rise in May.",
            revision=one.current_revision,
            excerpt="Fares rise in May.",
            speaker=mayor,
            tags=["ferries", "fares"],
            claim_date=datetime.date(2024, 5, 1),
        ),
        "objects": published_claim(
            moderator,
            "The mayor objects to the rise.",
            revision=one.current_revision,
            excerpt="The mayor objects.",
            speaker=mayor,
            tags=["ferries"],
            claim_date=datetime.date(2024, 5, 3),
        ),
        "plant": published_claim(
            moderator,
            "The plant opens in June.",
            revision=two.current_revision,
            excerpt="The plant opens in June.",
            speaker=chief,
            tags=["energy"],
            claim_date=datetime.date(2023, 1, 4),
        ),
        "wind": published_claim(
            moderator,
            "The plant stores wind power.",
            revision=two.current_revision,
            excerpt="It stores wind power.",
            speaker=chief,
            tags=["energy", "fares"],
            claim_date=datetime.date(2023, 1, 6),
        ),
    }
    ClaimRelation.objects.create(from_claim=claims["objects"], to_claim=claims["fares"], kind="contradicts")
    draft = make_claim("Draft about fares", tags=["ferries", "secret"], speaker=make_speaker("Hidden Speaker"))
    make_citation(draft, one.current_revision, "Fares rise in May.")
    return claims, {"one": one, "two": two}


def statements(response):
    return [item.statement for item in response.context["claims"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag=ferries", {"fares", "objects"}),
        ("tag=ferries&tag=fares", {"fares"}),
        ("tag=fares", {"fares", "wind"}),
        ("speaker=chief-marchetti", {"plant", "wind"}),
        ("source=batteries", {"plant", "wind"}),
        ("publisher=gazette", {"fares", "objects"}),
        ("author=ann-writer", {"fares", "objects"}),
        ("claim_date_after=2024-01-01", {"fares", "objects"}),
        ("claim_date_after=2024-05-02&claim_date_before=2024-05-31", {"objects"}),
        ("source_updated_before=2023-12-31", {"plant", "wind"}),
        ("source_updated_after=2024-05-02&source_updated_before=2024-05-02", {"fares", "objects"}),
        ("relation=contradicts", {"fares", "objects"}),
        ("relation=supports", set()),
        ("q=objects", {"objects"}),
        ("q=holt", {"fares", "objects"}),  # the speaker's name is searched too
        ("q=wind+power", {"wind"}),
        ("q=plant&tag=energy&speaker=chief-marchetti", {"plant", "wind"}),
    ],
)
def test_claim_filters(client, several, query, expected):
    claims, _ = several

    response = client.get(f"/claims/?{query}")

    assert response.status_code == 200
    assert set(statements(response)) == {claims[key].statement for key in expected}


def test_ordering_newest_oldest_and_claim_date(client, several):
    claims, _ = several
    in_order = ["fares", "objects", "plant", "wind"]  # published in this order

    newest = statements(client.get("/claims/"))
    oldest = statements(client.get("/claims/?ordering=oldest"))
    by_date = statements(client.get("/claims/?ordering=claim_date"))

    assert newest == [claims[key].statement for key in reversed(in_order)]
    assert oldest == [claims[key].statement for key in in_order]
    assert by_date == [claims[key].statement for key in ["objects", "fares", "wind", "plant"]]


def test_pagination_with_page_size(client, several):
    first = client.get("/claims/?page_size=3")
    second = client.get("/claims/?page_size=3&page=2")
    beyond = client.get("/claims/?page_size=3&page=99")

    assert len(first.context["claims"]) == 3 and len(second.context["claims"]) == 1
    assert 'href="?page_size=3&amp;page=2"' in html(first)
    assert beyond.status_code == 200 and len(beyond.context["claims"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "page_size=500",
        "page_size=0",
        "page_size=ten",
        "tag=no-such-tag",
        "tag=secret",  # a tag used only by a draft is not a choice
        "speaker=hidden-speaker",  # a speaker with no published claim is not a choice
        "speaker=nobody",
        "claim_date_after=yesterday",
        "source_updated_before=2024-13-45",
        "relation=hates",
        "ordering=random",
        "q=" + "x" * 300,
    ],
)
def test_bad_filter_values_show_a_form_error_not_a_server_error(client, several, query):
    response = client.get(f"/claims/?{query}")

    assert response.status_code == 400
    page = html(response)
    assert 'class="error" role="alert"' in page
    # Nothing only drafts use is offered as a choice.
    assert "Hidden Speaker" not in page and 'value="secret"' not in page


def test_facets_count_tags_speakers_and_publishers_under_the_current_filter(client, several):
    response = client.get("/claims/?tag=fares")
    facets = response.context["facets"]

    assert {(row["tag__slug"], row["count"]) for row in facets["tags"]} == {("fares", 2), ("ferries", 1), ("energy", 1)}
    assert {(row["speaker__slug"], row["count"]) for row in facets["speakers"]} == {
        ("mayor-holt", 1),
        ("chief-marchetti", 1),
    }
    assert {(row["revision__source__publisher__slug"], row["count"]) for row in facets["publishers"]} == {
        ("gazette", 1),
        ("ledger", 1),
    }
    page = html(response)
    assert "secret" not in page and "Hidden Speaker" not in page


def test_filter_form_labels_every_input(client, several):
    page = html(client.get("/claims/"))

    ids = set(re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page))
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert ids and ids <= labelled


def test_list_filters_and_displays_only_the_approved_version(client, several):
    claims, _ = several
    claim = claims["plant"]
    claim.statement = "Unapproved edit of the plant claim."
    claim.save()
    claim.tags.add("pending-tag")

    page = html(client.get("/claims/?speaker=chief-marchetti"))

    assert "The plant opens in June." in page and "Unapproved edit" not in page
    # Filters read the public read model: a tag no approved version carries is no choice at all.
    pending = client.get("/claims/?tag=pending-tag")
    assert pending.status_code == 400 and statements(pending) == []
    assert "Unapproved edit" not in html(client.get("/claims/?q=unapproved"))


# Tag, speaker and publisher pages ----------------------------------------------------------------


def test_tag_speaker_and_publisher_pages(client, several):
    claims, _ = several

    tag = client.get("/tags/ferries/")
    speaker = client.get("/speakers/mayor-holt/")
    publisher = client.get("/publishers/ledger/")

    assert set(statements(tag)) == {claims["fares"].statement, claims["objects"].statement}
    assert set(statements(speaker)) == {claims["fares"].statement, claims["objects"].statement}
    assert set(statements(publisher)) == {claims["plant"].statement, claims["wind"].statement}
    assert "Batteries" in html(publisher)


def test_tags_and_speakers_of_drafts_only_are_404(client, several):
    assert client.get("/tags/secret/").status_code == 404
    assert client.get("/speakers/hidden-speaker/").status_code == 404
    assert client.get("/tags/no-such-tag/").status_code == 404


# Sources -----------------------------------------------------------------------------------------


def test_source_page_highlights_published_excerpts_linked_to_their_claims(client, moderator, ferry):
    claim, source = ferry
    overlapping = published_claim(
        moderator,
        "Fuel costs climbed.",
        revision=source.current_revision,
        excerpt="“the smallest rise possible”. She told members that fuel costs had climbed.",
    )
    draft = make_claim("Draft citing the first paragraph.")
    make_citation(draft, source.current_revision, "Passengers on the Portlaine–Kellbridge crossing")

    response = client.get(f"/sources/{source.slug}/")
    page = html(response)

    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert f'<a href="{claim.get_absolute_url()}"' in page
    assert f'<a href="{overlapping.get_absolute_url()}"' in page
    assert 'class="excerpt excerpt-overlap"' in page
    assert "Draft citing" not in page and "Passengers on the Portlaine–Kellbridge crossing will" in page
    assert '<mark class="excerpt"><a href="/claims/' in page
    assert "Mara Okafor" in page and "in Portlaine" in page and "Tomas Reyes" in page
    assert "Coastal affairs" in page and "Harbour Gazette" in page
    assert response.has_header("ETag") and response.has_header("Last-Modified")


def test_source_page_uses_the_approved_citations_only(client, moderator, ferry):
    claim, source = ferry
    # An editor adds a citation to the published claim; it is not approved yet.
    make_citation(claim, source.current_revision, "Season tickets are frozen.")

    page = html(client.get(f"/sources/{source.slug}/"))

    assert "<mark" in page
    assert (
        '<a href="'
        + claim.get_absolute_url()
        + '" title="Ilse Brandvold: The fare rise is the smallest possible.">the increase'
        in page
    )
    assert "Season tickets are frozen.</a>" not in page


def test_revision_and_diff_pages(client, moderator, ferry):
    claim, source = ferry
    reanchor_citations(add_revision(source, FERRY_TEXT.replace("12 per cent", "15 per cent") + "\n\nA new paragraph."))

    first = client.get(f"/sources/{source.slug}/revisions/1/")
    diff = client.get(f"/sources/{source.slug}/diff/2/")
    newest = html(client.get(f"/sources/{source.slug}/"))

    assert first.status_code == 200 and "12 per cent" in html(first)
    assert "This is not the newest revision" in html(first)
    assert f'<a href="{claim.get_absolute_url()}"' in html(first)
    page = html(diff)
    assert "<del>12</del><ins>15</ins>" in page
    assert "<ins>A new paragraph.</ins>" in page
    assert client.get(f"/sources/{source.slug}/diff/1/").status_code == 404
    assert client.get(f"/sources/{source.slug}/revisions/9/").status_code == 404
    # The newest text still highlights the passage, found again by re-anchoring.
    assert f'<a href="{claim.get_absolute_url()}"' in newest and "15 per cent" in newest


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("publisher=gazette", {"Ferries"}),
        ("author=ann-writer", {"Ferries"}),
        ("q=wind", {"Batteries"}),
        ("updated_before=2023-12-31", {"Batteries"}),
        ("", {"Ferries", "Batteries"}),
    ],
)
def test_source_list_filters(client, several, query, expected):
    response = client.get(f"/sources/?{query}")

    assert response.status_code == 200
    assert {source.title for source in response.context["sources"]} == expected


def test_source_list_bad_filter_is_a_form_error(client, several):
    assert client.get("/sources/?published_after=nonsense").status_code == 400
    assert client.get("/sources/?publisher=nobody").status_code == 400


# Feeds, sitemap, robots, errors -----------------------------------------------------------------


def test_atom_feed_lists_published_claims_with_escaped_summaries(client, moderator, ferry):
    claim, source = ferry
    published_claim(moderator, "<b>Bold</b> claim", revision=source.current_revision)

    response = client.get("/feeds/claims.atom")
    body = html(response)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert "The fare rise is the smallest possible." in body
    assert f"http://testserver{claim.get_absolute_url()}" in body
    # The summary is HTML for feed readers: the statement's markup arrives escaped twice over.
    assert "&lt;b&gt;Bold&lt;/b&gt; claim" in body
    assert "<b>" not in body


def test_sitemap_and_robots(client, ferry):
    claim, source = ferry

    sitemap = html(client.get("/sitemap.xml"))
    robots = client.get("/robots.txt")

    assert f"http://testserver{claim.get_absolute_url()}" in sitemap
    assert f"http://testserver/sources/{source.slug}/" in sitemap
    assert "http://testserver/tags/ferries/" in sitemap
    assert robots["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in html(robots)
    assert "Sitemap: http://testserver/sitemap.xml" in html(robots)


def test_pages_have_landmarks_a_skip_link_and_one_h1(client, ferry):
    claim, source = ferry
    for url in ["/", "/claims/", claim.get_absolute_url(), "/sources/", f"/sources/{source.slug}/"]:
        page = html(client.get(url))
        assert page.count("<h1") == 1, url
        assert '<a class="skip-link" href="#main">' in page, url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in page, (url, landmark)
        assert '<link rel="canonical"' in page and "<title>" in page


def test_unknown_page_renders_the_404_template(client, db):
    response = client.get("/claims/999999/nothing/")

    assert response.status_code == 404
    assert "Page not found" in html(response)


# Escaping ----------------------------------------------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture
def hostile(moderator):
    """Every reader-visible field holding markup: statement, excerpt, speaker, tag, source title and text."""
    payload = " ".join(PAYLOADS)
    source = make_source(
        f"Title {payload}",
        f"Before the quote. He said {payload} loudly.\n\nSecond paragraph {payload}.",
        byline=f"By {payload}",
        url="https://example.org/x",
        publisher=make_publisher(f"Publisher {payload}"),
    )
    claim = published_claim(
        moderator,
        f"Statement {payload}",
        revision=source.current_revision,
        excerpt=f"He said {payload} loudly.",
        speaker=make_speaker(f"Speaker {payload}"),
        tags=[f"tag {PAYLOADS[0]}"],
    )
    return claim, source


def assert_escaped(page):
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "\\u003Cscript\\u003E" in page


def test_markup_in_every_field_renders_as_text(client, hostile):
    claim, source = hostile
    tag_slug = claim.tags.get().slug
    speaker_slug = claim.speaker.slug
    urls = [
        "/",
        "/claims/",
        "/claims/?q=statement",
        "/claims/?q=loudly",
        f"/claims/?tag={tag_slug}",
        claim.get_absolute_url(),
        f"/tags/{tag_slug}/",
        f"/speakers/{speaker_slug}/",
        f"/publishers/{source.publisher.slug}/",
        "/sources/",
        f"/sources/{source.slug}/",
        f"/sources/{source.slug}/revisions/1/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(html(response))


def test_json_ld_cannot_close_its_script_element(client, moderator):
    claim = published_claim(moderator, "Ends here </script><script>alert(1)</script>")

    page = html(client.get(claim.get_absolute_url()))

    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(payload)["text"] == "Ends here </script><script>alert(1)</script>"
    assert "\\u003C/script\\u003E" in payload


def test_query_string_payload_is_escaped(client, several):
    page = html(client.get("/claims/", {"q": PAYLOADS[1], "tag": PAYLOADS[0]}))

    assert "<img src=x" not in page and "<script>alert" not in page


# Query counts ------------------------------------------------------------------------------------

# One bound per page, for 1 row and for 50: the pages load related rows in bulk.
# The public record's version (ETag, cache keys); tag choices; the list's cached total and facets
# (a get, and on a miss the count, 3 facets and the database cache's set: 5 queries, none with
# Redis); page, claims, speakers, tags, sources, search headlines; the speaker select widget.
# The page cache (editorial.public.http) adds a get and, on a miss, the database cache's set (a
# savepoint, its count, select, insert and release): 6 queries on every page, none with Redis.
PAGE_CACHE_QUERIES = 6
CLAIM_LIST_QUERIES = 19 + PAGE_CACHE_QUERIES
# claim, speaker, tags, revisions, bylines, citations, events, 2 relation lists, sources' record history
# (with the public record's version, the ETag); then the related and similar claims' speakers, tags
# and sources, and the similar claims themselves (4; the two claims below are worded alike); then the
# similarity look-up (editorial.similarity): the approved statement, the dismissed pairs and the
# index's candidates — one query on SQLite; on PostgreSQL the transaction's trigram threshold, the
# trigram and the word candidates, and once per process whether pg_trgm is installed (6 at most).
SIMILAR_LOOKUP_QUERIES = 6
CLAIM_PAGE_QUERIES = 11 + 4 + SIMILAR_LOOKUP_QUERIES + PAGE_CACHE_QUERIES
# The public record's version (ETag); source, bylines, revisions, claims, speakers, tags, sources,
# citations, record history.
SOURCE_PAGE_QUERIES = 10 + PAGE_CACHE_QUERIES


def test_claim_list_query_count_does_not_grow_with_rows(client, moderator, django_assert_max_num_queries):
    source = make_source("Many", "\n\n".join(f"Passage number {n} is here." for n in range(50)))
    speaker = make_speaker("One Speaker")
    published_claim(
        moderator,
        "Claim 0",
        revision=source.current_revision,
        excerpt="Passage number 0 is here.",
        speaker=speaker,
        tags=["a", "b"],
    )
    url = "/claims/?tag=a&page_size=100&q=claim"
    with django_assert_max_num_queries(CLAIM_LIST_QUERIES):
        client.get(url)
    for n in range(1, 50):
        published_claim(
            moderator,
            f"Claim {n}",
            revision=source.current_revision,
            excerpt=f"Passage number {n} is here.",
            speaker=make_speaker(),
            tags=["a", f"t{n}"],
        )

    with django_assert_max_num_queries(CLAIM_LIST_QUERIES):
        response = client.get(url)
    assert len(response.context["claims"]) == 50


def test_claim_page_query_count_does_not_grow_with_citations(client, moderator, django_assert_max_num_queries):
    sources = [make_source(f"S{n}", f"Passage {n} says something.\n\nMore.") for n in range(50)]
    one = make_claim("One citation.", speaker=make_speaker(), tags=["x"])
    make_citation(one, sources[0].current_revision)
    publish(one, moderator)
    many = make_claim("Fifty citations.", speaker=make_speaker(), tags=["x", "y"])
    for source in sources:
        make_citation(many, source.current_revision)
    publish(many, moderator)

    with django_assert_max_num_queries(CLAIM_PAGE_QUERIES):
        client.get(one.get_absolute_url())
    with django_assert_max_num_queries(CLAIM_PAGE_QUERIES):
        response = client.get(many.get_absolute_url())
    assert html(response).count('<figure class="citation"') == 50


def test_source_page_query_count_does_not_grow_with_citations(client, moderator, django_assert_max_num_queries):
    text = "\n\n".join(f"Passage number {n} is here." for n in range(50))
    one_source, many_source = make_source("One", text), make_source("Many", text)
    published_claim(
        moderator,
        "Only claim",
        revision=one_source.current_revision,
        excerpt="Passage number 1 is here.",
        speaker=make_speaker(),
        tags=["x"],
    )
    for n in range(50):
        published_claim(
            moderator,
            f"Claim {n}",
            revision=many_source.current_revision,
            excerpt=f"Passage number {n} is here.",
            speaker=make_speaker(),
            tags=[f"t{n}"],
        )

    with django_assert_max_num_queries(SOURCE_PAGE_QUERIES):
        client.get(f"/sources/{one_source.slug}/")
    with django_assert_max_num_queries(SOURCE_PAGE_QUERIES):
        response = client.get(f"/sources/{many_source.slug}/")
    assert html(response).count('<mark class="excerpt"') == 50


# Exports -----------------------------------------------------------------------------------------


def test_filtered_list_links_to_exports_of_the_same_filter(client, several):
    _claims, _ = several
    page = html(client.get("/claims/?tag=energy&page=1"))

    assert 'href="/claims/export/csv/?tag=energy"' in page
    response = client.get("/claims/export/csv/?tag=energy")
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert "The plant opens in June." in body and "Fares rise in May." not in body
    assert "Draft about fares" not in body
    assert client.get("/claims/export/nonsense/").status_code == 404
    assert client.get("/claims/export/csv/?page_size=0").status_code == 400


# Source metadata edited after approval -----------------------------------------------------------


def test_source_metadata_edited_after_approval_is_flagged_on_the_claim_and_listed_on_the_source(
    client, django_assert_max_num_queries
):
    from sources.models import Source

    claim = make_published_claim("Bridge tolls double in March.")
    source = Source.objects.get(pk=claim.citations.get().revision.source_id)
    original_title = source.title
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "edited after this claim was approved" not in page

    source.title = "A quietly rewritten headline"
    source.byline = "By Somebody Else"
    source.save()

    page = client.get(claim.get_absolute_url()).content.decode()
    assert "These details were edited after this claim was approved: title, byline." in page
    assert f'href="{source.get_absolute_url()}#record-history"' in page
    source_page = client.get(source.get_absolute_url()).content.decode()
    assert 'id="record-history"' in source_page
    assert f"Title changed from “{original_title}” to “A quietly rewritten headline”." in source_page
    assert "Byline changed from" in source_page
    assert "Internal" not in source_page  # notes are not kept in the history, nor shown


def test_source_record_history_escapes_what_editors_typed(client):
    from sources.models import Source

    claim = make_published_claim("Ferry fares fall.")
    source = Source.objects.get(pk=claim.citations.get().revision.source_id)
    source.title = "<script>alert(1)</script>"
    source.save()
    page = client.get(source.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
