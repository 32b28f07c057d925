"""Exports over HTTP: the HTML dossier opens in the browser under its own policy, HEAD answers like GET."""

import pytest
from django.utils.http import urlencode

from editorial.exports import html
from tests.factories import make_export_corpus, make_published_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return make_export_corpus()


def export_urls(corpus, fmt):
    return [f"/claims/export/{fmt}/", f"/sets/{corpus.claim_set.slug}/export/{fmt}/"]


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_html_dossier_opens_in_the_browser_and_downloads_on_request(client, corpus):
    for url in export_urls(corpus, "html"):
        shown = client.get(url)
        saved = client.get(url + "?" + urlencode({"download": "1"}))

        assert shown.status_code == saved.status_code == 200, url
        assert shown["Content-Disposition"].startswith("inline; filename="), url
        assert saved["Content-Disposition"].startswith("attachment; filename="), url
        assert b"".join(shown.streaming_content).startswith(b"<!DOCTYPE html>"), url


def test_other_formats_stay_downloads(client, corpus):
    for fmt in ("csv", "markdown", "csl"):
        for url in export_urls(corpus, fmt):
            assert client.get(url)["Content-Disposition"].startswith("attachment; filename="), url


def test_the_download_parameter_is_not_taken_for_a_filter(client, corpus):
    response = client.get("/claims/export/csv/?download=1&tag=ferries")

    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 1 + 3  # the header and the ferry claims' citations


def test_the_export_policy_allows_the_dossiers_stylesheet_and_nothing_else_inline(client, corpus):
    for url in export_urls(corpus, "html"):
        directives = policy(client.get(url))

        assert directives["style-src"] == ["'self'", html.STYLE_SOURCE], url
        assert directives["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in directives["style-src"]


def test_head_answers_like_get_without_a_body(client, corpus):
    for fmt in ("html", "csv", "json"):
        for url in export_urls(corpus, fmt):
            get = client.get(url)
            head = client.head(url)

            assert head.status_code == get.status_code == 200, url
            for header in ("Content-Type", "Content-Disposition", "Content-Security-Policy"):
                assert head[header] == get[header], (url, header)
            assert b"".join(head.streaming_content) == b"", url


def test_head_does_not_read_the_claims(client, corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the set's own lookup at most; no export queries
        client.head(f"/sets/{corpus.claim_set.slug}/export/json/")


def test_exports_refuse_writes(client, corpus):
    for url in export_urls(corpus, "csv"):
        assert client.post(url).status_code == 405, url


def test_lists_link_to_the_dossier_and_to_its_download(client):
    from editorial.models import ClaimSet

    claim = make_published_claim("Fares rose.", tags=["ferries"])
    claim_set = ClaimSet.objects.create(title="Fares", is_public=True)
    claim_set.add_claim(claim)

    list_page = client.get("/claims/?tag=ferries").content.decode()
    set_page = client.get(claim_set.get_absolute_url()).content.decode()

    assert 'href="/claims/export/html/?tag=ferries">Printable HTML dossier</a>' in list_page
    assert 'href="/claims/export/html/?tag=ferries&amp;download=1">Printable HTML dossier (download)</a>' in list_page
    slug = claim_set.slug
    assert f'href="/sets/{slug}/export/html/">Printable HTML dossier</a>' in set_page
    assert f'href="/sets/{slug}/export/html/?download=1">Printable HTML dossier (download)</a>' in set_page
