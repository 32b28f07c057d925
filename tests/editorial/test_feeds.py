"""The Atom feed meets RFC 4287: required elements, absolute and unique ids, an author for every entry."""

import datetime
from urllib.parse import urlsplit

import pytest
from lxml import etree

from tests.factories import make_published_claim, make_speaker, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_URL = "/feeds/claims.atom"


def is_absolute_iri(value):
    """Return True for an IRI with a scheme (RFC 3987), and with a host when the scheme is http(s)."""
    parts = urlsplit(value or "")
    if not parts.scheme or not parts.scheme[0].isalpha():
        return False
    return bool(parts.netloc) if parts.scheme in ("http", "https") else bool(parts.path)


def is_date_construct(value):
    """Return True for an RFC 3339 date-time with a zone, as RFC 4287 §3.3 requires."""
    try:
        parsed = datetime.datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value and parsed.tzinfo is not None


def has_author(element):
    authors = element.findall(f"{ATOM}author")
    return bool(authors) and all((author.findtext(f"{ATOM}name") or "").strip() for author in authors)


def rfc4287_problems(xml):
    """Return what keeps the Atom document ``xml`` (bytes) from meeting RFC 4287's requirements."""
    feed = etree.fromstring(xml)
    problems = []
    if feed.tag != f"{ATOM}feed":
        return [f"the root element is {feed.tag}, not atom:feed"]

    def check_common(element, where):
        for name in ("id", "title", "updated"):
            found = element.findall(f"{ATOM}{name}")
            if len(found) != 1:
                problems.append(f"{where} has {len(found)} atom:{name} elements, not exactly one")
        if not is_absolute_iri(element.findtext(f"{ATOM}id")):
            problems.append(f"{where}'s atom:id {element.findtext(f'{ATOM}id')!r} is not an absolute IRI")
        if not is_date_construct(element.findtext(f"{ATOM}updated")):
            problems.append(f"{where}'s atom:updated {element.findtext(f'{ATOM}updated')!r} is not RFC 3339")
        for link in element.findall(f"{ATOM}link"):
            if not link.get("href"):
                problems.append(f"{where} has an atom:link without href")

    check_common(feed, "the feed")
    links = feed.findall(f"{ATOM}link")
    if not any(link.get("rel") == "self" and is_absolute_iri(link.get("href")) for link in links):
        problems.append("the feed has no atom:link rel=self with an absolute address (RFC 4287 §4.1.1 SHOULD)")
    entries = feed.findall(f"{ATOM}entry")
    feed_has_author = has_author(feed)
    ids = []
    for index, entry in enumerate(entries):
        where = f"entry {index + 1}"
        check_common(entry, where)
        ids.append(entry.findtext(f"{ATOM}id"))
        if not feed_has_author and not has_author(entry):
            problems.append(f"{where} has no atom:author and the feed has none to inherit")
        entry_links = entry.findall(f"{ATOM}link")
        if not entry_links:
            problems.append(f"{where} has no atom:link")
        if entry.find(f"{ATOM}content") is None and not any(
            link.get("rel", "alternate") == "alternate" for link in entry_links
        ):
            problems.append(f"{where} has neither atom:content nor an alternate atom:link")
    if len(set(ids)) != len(ids):
        problems.append(f"entry ids are not unique: {ids}")
    return problems


@pytest.fixture
def moderator():
    return make_user("moderator", "Moderators")


def test_rfc4287_checks_catch_a_relative_id_and_a_missing_author():
    # Entry ids like "claim-16" and a feed without an author were what the feed served before.
    xml = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>http://x.example/</id>'
        b'<updated>2024-01-01T00:00:00Z</updated><link href="http://x.example/feed" rel="self"/>'
        b"<entry><title>e</title><id>claim-16</id><updated>2024-01-01T00:00:00Z</updated>"
        b'<link href="http://x.example/claims/16/" rel="alternate"/></entry></feed>'
    )

    problems = rfc4287_problems(xml)

    assert any("'claim-16' is not an absolute IRI" in problem for problem in problems)
    assert any("no atom:author" in problem for problem in problems)


def test_feed_meets_rfc4287_with_and_without_speakers(client):
    make_published_claim("A claim with a speaker.", speaker=make_speaker("Ilse Brandvold"))
    make_published_claim("A claim without a speaker.")

    response = client.get(FEED_URL)

    assert response.status_code == 200
    assert rfc4287_problems(response.content) == []
    feed = etree.fromstring(response.content)
    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_an_empty_feed_meets_rfc4287(client):
    response = client.get(FEED_URL)

    assert rfc4287_problems(response.content) == []


def test_feed_author_is_the_desk_and_entries_keep_their_speaker(client):
    make_published_claim("Spoken.", speaker=make_speaker("Rafael Ndiaye"))
    make_published_claim("Unattributed.")

    feed = etree.fromstring(client.get(FEED_URL).content)

    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Cited Claims"
    assert feed.findtext(f"{ATOM}author/{ATOM}uri") == "http://testserver/"
    authors = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}author/{ATOM}name")
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert authors == {"Spoken.": "Rafael Ndiaye", "Unattributed.": None}


def test_entry_id_is_the_claims_short_address_and_survives_a_correction(client, moderator):
    claim = make_published_claim("The fare rise is the smallest possible.")

    before = etree.fromstring(client.get(FEED_URL).content).findtext(f"{ATOM}entry/{ATOM}id")
    claim.statement = "The fare rise is the smallest the board could find."
    claim.save()
    claim.correct(moderator, "Quoted the board's wording.")
    entry = etree.fromstring(client.get(FEED_URL).content).find(f"{ATOM}entry")

    assert before == f"http://testserver/claims/{claim.pk}/"
    assert entry.findtext(f"{ATOM}id") == before
    assert entry.findtext(f"{ATOM}title") == "The fare rise is the smallest the board could find."
    # The id is an address that leads to the claim's page.
    assert client.get(before)["Location"] == entry.find(f"{ATOM}link").get("href").removeprefix("http://testserver")


def test_entry_ids_use_the_requests_scheme_and_host(client):
    claim = make_published_claim()

    response = client.get(FEED_URL, HTTP_HOST="localhost", secure=True)
    feed = etree.fromstring(response.content)

    assert feed.findtext(f"{ATOM}entry/{ATOM}id") == f"https://localhost/claims/{claim.pk}/"
    assert rfc4287_problems(response.content) == []
