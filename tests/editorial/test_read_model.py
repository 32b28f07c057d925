"""The public read model: written only by moderation acts, read by every public surface.

An editor's unapproved change to a published claim — statement, tags, speaker, citations — shows on
no public surface; a moderator's correction makes all of it show.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from editorial.exports import EXPORTERS
from editorial.models import Claim, PublicEntry, PublicEntryTag
from editorial.services.citations import cite
from tests.factories import make_claim, make_publisher, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db

EDITED = "Ferry tickets will be free for pensioners."


@pytest.fixture
def changed():
    """A published claim, then an editor's unapproved edit of its statement, tags, speaker and citations."""
    moderator = make_user("mona", "Moderators")
    editor = make_user("edna", "Editors")
    approved_source = make_source("Island ferry fares to rise", "Fares rise by a tenth in May.\n\nMore follows.")
    new_source = make_source(
        "Pensioners ride free", "Pensioners will ride free from June.", publisher=make_publisher("Quay Ledger")
    )
    claim = make_claim("Ferry fares rise by a tenth in May.", tags=["ferries"], speaker=make_speaker("Mayor Holt"))
    cite(claim=claim, revision=approved_source.current_revision, excerpt="Fares rise by a tenth in May.")
    claim.submit(editor)
    claim.publish(moderator)

    claim.statement = EDITED
    claim.speaker = make_speaker("Councillor Quist")
    claim.save()
    claim.tags.set(["injected-tag"])
    cite(claim=claim, revision=new_source.current_revision, excerpt="Pensioners will ride free")
    return claim, moderator, new_source


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def surfaces(client, new_source):
    """Every public page, filter, feed, sitemap, API answer and export an edit could leak into."""
    urls = [
        "/",
        "/claims/",
        "/claims/?tag=injected-tag",
        "/claims/?tag=ferries",
        "/claims/?speaker=councillor-quist",
        "/claims/?speaker=mayor-holt",
        f"/claims/?source={new_source.slug}",
        "/claims/?publisher=quay-ledger",
        "/claims/?q=pensioners",
        "/tags/injected-tag/",
        "/tags/ferries/",
        "/speakers/councillor-quist/",
        "/speakers/mayor-holt/",
        f"/sources/{new_source.slug}/",
        "/publishers/quay-ledger/",
        "/feeds/claims.atom",
        "/sitemap.xml",
        "/api/claims/",
        "/api/claims/?tag=injected-tag",
        "/api/claims/?speaker=councillor-quist",
        f"/api/claims/?source={new_source.slug}",
        f"/api/sources/{new_source.pk}/",
    ]
    urls += [f"/claims/export/{name}/" for name in EXPORTERS]
    urls += [f"/claims/{claim.pk}/{claim.slug}/" for claim in Claim.objects.all()]
    urls += [f"/api/claims/{claim.pk}/" for claim in Claim.objects.all()]
    return {url: body(client.get(url)) for url in urls}


LEAKS = [EDITED, "injected-tag", "Councillor Quist", "councillor-quist"]
APPROVED = "Ferry fares rise by a tenth in May."


def test_an_unapproved_edit_shows_on_no_public_surface(client, changed):
    _claim, _moderator, new_source = changed

    for url, text in surfaces(client, new_source).items():
        for leak in LEAKS:
            if leak not in url:  # a page may echo its own query string
                assert leak not in text, f"{leak!r} leaks on {url}"

    # The unapproved citation: the new source lists no claim and highlights nothing; no export quotes it.
    for url in [f"/sources/{new_source.slug}/", f"/claims/?source={new_source.slug}", "/claims/?publisher=quay-ledger"]:
        page = body(client.get(url))
        assert APPROVED not in page and "<mark" not in page, url
    assert json.loads(body(client.get(f"/api/sources/{new_source.pk}/")))["claims"] == []
    for name in EXPORTERS:
        assert "Pensioners will ride free" not in body(client.get(f"/claims/export/{name}/")), name
    assert "Ferry fares rise by a tenth in May." in body(client.get("/claims/?tag=ferries"))
    assert "Ferry fares rise by a tenth in May." in body(client.get("/claims/?speaker=mayor-holt"))
    assert client.get("/tags/injected-tag/").status_code == 404
    assert client.get("/speakers/councillor-quist/").status_code == 404


def test_a_moderators_correction_shows_all_of_it(client, changed):
    claim, moderator, new_source = changed

    claim.correct(moderator, "Pensioners ride free; the speaker was the councillor.")

    assert EDITED in body(client.get("/claims/?tag=injected-tag"))
    assert EDITED in body(client.get("/claims/?speaker=councillor-quist"))
    assert EDITED in body(client.get(f"/claims/?source={new_source.slug}"))
    assert EDITED in body(client.get("/claims/?publisher=quay-ledger"))
    assert EDITED in body(client.get("/tags/injected-tag/"))
    assert EDITED in body(client.get("/speakers/councillor-quist/"))
    assert EDITED in body(client.get("/feeds/claims.atom"))
    assert "/tags/injected-tag/" in body(client.get("/sitemap.xml"))
    assert "/speakers/councillor-quist/" in body(client.get("/sitemap.xml"))
    assert [item["statement"] for item in json.loads(body(client.get("/api/claims/?tag=injected-tag")))["results"]] == [
        EDITED
    ]
    for name in EXPORTERS:
        if name not in {"csl", "bibtex", "ris"}:  # those list sources, not claims
            assert EDITED in body(client.get(f"/claims/export/{name}/")), name
    assert "/tags/ferries/" not in body(client.get("/sitemap.xml"))
    assert client.get("/tags/ferries/").status_code == 404


def test_retracting_removes_the_claim_from_lists_but_keeps_its_page(client, changed):
    claim, moderator, _new_source = changed

    claim.retract(moderator, "The statement was misattributed.")

    entry = PublicEntry.objects.get(claim=claim)
    assert entry.listed is False
    assert "Ferry fares rise" not in body(client.get("/claims/?tag=ferries"))
    assert client.get(claim.get_absolute_url()).status_code == 200


def test_the_command_finds_and_repairs_entries_that_disagree(changed):
    claim, _moderator, _new_source = changed
    PublicEntry.objects.filter(claim=claim).update(statement="Tampered.")
    PublicEntryTag.objects.filter(entry_id=claim.pk).delete()

    err = io.StringIO()
    # The statement, the tags, and the counters of the tag's scope and of the tag in every scope of
    # the claim (the whole list, its speaker, publisher and other tags), which still count the claim.
    with pytest.raises(CommandError, match=r"([1-9][0-9]|[4-9]) disagreements found"):
        call_command("public_read_model", stdout=io.StringIO(), stderr=err)
    assert f"claim {claim.pk}: statement is 'Tampered.'" in err.getvalue()
    assert "counter tag" in err.getvalue()

    out = io.StringIO()
    call_command("public_read_model", "--rebuild", stdout=out, stderr=io.StringIO())
    assert "agrees with the approved versions" in out.getvalue()
    assert PublicEntry.objects.get(claim=claim).statement == "Ferry fares rise by a tenth in May."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL")
def test_the_claim_lists_main_queries_can_use_an_index(client, changed):
    from editorial.filters import ClaimFilter

    queries = [
        ClaimFilter({}).qs[:20],
        ClaimFilter({}).qs[4000:4020],  # a deep page
        ClaimFilter({"tag": ["ferries"]}).qs[:20],
        ClaimFilter({"speaker": "mayor-holt"}).qs[:20],
        ClaimFilter({"publisher": "quay-ledger"}).qs[:20],
        ClaimFilter({"ordering": "claim_date"}).qs[:20],
        ClaimFilter({"q": "ferry fares"}).qs[:20],
        ClaimFilter({"claim_date_after": "2024-01-01"}).qs[:20],
        ClaimFilter({}).qs.values("claim_id"),  # what the count and the facets read
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # tiny tables: ask whether an index *can* serve
        try:
            for queryset in queries:
                plan = queryset.explain()
                assert "Seq Scan on editorial_claim " not in plan + " ", plan
                assert "Seq Scan on editorial_publicentry " not in plan + " ", plan
        finally:
            cursor.execute("SET enable_seqscan = on")


def test_a_tag_in_another_script_has_its_page_and_its_links(client):
    claim = make_claim("Wind farms feed the grid.", tags=["énergie"])
    cite(claim=claim, revision=make_source(text="Wind farms feed the grid.").current_revision, excerpt="Wind farms")
    claim.submit(make_user("edna", "Editors"))
    claim.publish(make_user("mona", "Moderators"))

    listing = client.get("/claims/")
    page = client.get("/tags/énergie/")

    assert listing.status_code == 200 and "/tags/%C3%A9nergie/" in body(listing)
    assert page.status_code == 200 and "Wind farms feed the grid." in body(page)
    assert client.get("/claims/", {"tag": "énergie"}).status_code == 200
