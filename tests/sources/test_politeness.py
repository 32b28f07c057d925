"""Politeness in captures and watch passes: robots.txt is obeyed, requests to one host are spaced."""

from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from sources.models import CheckStatus, Source
from sources.services import capture_url
from sources.services.politeness import Politeness
from tests.sources.webserver import article

pytestmark = pytest.mark.django_db

PIER = article(
    "Pier repairs to start in May", "Repairs to the old pier start in May and take a year, the council said."
)
FERRY = article("Ferry fares rise", "Ferry fares rise by a tenth in May, the operator said on Monday.")
TRAM = article("Tram line opens", "The new tram line opens next spring, the city said on Friday.")


def robots(site, text, status=200, content_type="text/plain"):
    site.page("/robots.txt", text.encode(), content_type=content_type)
    if status != 200:
        site.status("/robots.txt", status)


def paths(site):
    return [path for path, _ in site.requests]


def watch_once(capsys):
    try:
        call_command("watch_sources", "--once", "--all")
        failed = False
    except CommandError:
        failed = True
    return capsys.readouterr().out.splitlines(), failed


def test_a_capture_of_an_address_robots_txt_disallows_is_refused_unfetched(site):
    robots(site, "User-agent: *\nDisallow: /private/\n")
    refused = site.page("/private/pier", PIER)
    allowed = site.page("/pier", PIER)

    assert str(capture_url(refused)) == f"{refused}: refused: disallowed by robots.txt"
    assert paths(site) == ["/robots.txt"] and not Source.objects.exists()
    assert capture_url(allowed).status == "created"


def test_rules_for_the_capture_user_agent_win_over_the_general_ones(site):
    # Served as HTML, as some servers do: the rules are read all the same.
    robots(
        site,
        "User-agent: *\nAllow: /\n\nUser-agent: EditorialProvenanceCapture\nDisallow: /\n",
        content_type="text/html",
    )

    assert capture_url(site.page("/pier", PIER)).message == "disallowed by robots.txt"


def test_no_robots_txt_allows_everything_and_a_failing_one_nothing(site):
    site.status("/robots.txt", 404)
    assert capture_url(site.page("/pier", PIER)).status == "created"

    site.status("/robots.txt", 503)
    outcome = capture_url(site.page("/ferry", FERRY))
    assert outcome.message == "disallowed by robots.txt: it answered 503 Service Unavailable"
    assert "/ferry" not in paths(site)


def test_robots_txt_can_be_ignored_by_setting(site, settings):
    settings.CAPTURE_OBEY_ROBOTS = False
    robots(site, "User-agent: *\nDisallow: /\n")

    assert capture_url(site.page("/pier", PIER)).status == "created"
    assert paths(site) == ["/pier"]


def test_a_watch_pass_reads_robots_txt_once_per_host_and_reports_disallowed_sources(site, capsys):
    urls = [site.page("/pier", PIER), site.page("/ferry", FERRY), site.page("/tram", TRAM)]
    for url in urls:
        assert capture_url(url, watch=True).status == "created"
    robots(site, "User-agent: *\nDisallow: /ferry\n")
    site.requests.clear()

    lines, failed = watch_once(capsys)

    assert lines[:3] == [
        f"{urls[0]}: unchanged",
        f"{urls[1]}: failed: disallowed by robots.txt",
        f"{urls[2]}: unchanged",
    ]
    assert failed
    assert paths(site).count("/robots.txt") == 1 and "/ferry" not in paths(site)
    source = Source.objects.get(url=urls[1])
    assert source.check_status == CheckStatus.FAILED and source.check_message == "disallowed by robots.txt"
    assert source.current_revision.number == 1


def test_a_watch_pass_spaces_its_requests_to_one_host(site, settings, capsys):
    for path, page in (("/pier", PIER), ("/ferry", FERRY), ("/tram", TRAM)):
        capture_url(site.page(path, page), watch=True)
    settings.CAPTURE_PER_HOST_INTERVAL = 30
    waits = []

    with mock.patch("sources.services.politeness.time.sleep", waits.append):
        lines, _ = watch_once(capsys)

    assert lines[-1] == "3 sources checked: 3 unchanged, 0 new revision, 0 gone, 0 failed."
    # robots.txt, then three pages: each request after the first waits out the interval.
    assert len(waits) == 3 and all(29 < wait <= 30 for wait in waits)


def test_hosts_are_paced_apart_from_each_other():
    politeness = Politeness(interval=30)
    waits = []

    with mock.patch("sources.services.politeness.time.sleep", waits.append):
        politeness.pace("https://harbour-gazette.example/pier")
        politeness.pace("https://ferry-news.example/fares")
        politeness.pace("https://harbour-gazette.example/ferry")

    assert len(waits) == 1 and 29 < waits[0] <= 30
