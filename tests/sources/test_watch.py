"""Watching sources (``watch_sources``): conditional checks, new revisions, pages that are gone."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.models import Capture, CheckStatus, Revision, Source
from sources.services import capture_url, check_source
from tests.sources.webserver import article

pytestmark = pytest.mark.django_db

PAGE = article(
    "Pier repairs to start in May",
    "The council said on Tuesday that repairs to the old pier would start in May and take a year.",
    updated="2026-05-05T10:00:00+00:00",
)
CHANGED = article(
    "Pier repairs to start in June",
    "The council said on Tuesday that repairs to the old pier would start in June and take a year.",
    updated="2026-05-07T09:30:00+00:00",
)


def watched(site, path="/pier", page=PAGE, **options):
    url = site.page(path, page, **options)
    outcome = capture_url(url, watch=True)
    assert outcome.status == "created", outcome
    return Source.objects.get(pk=outcome.source.pk)


def watch_once(capsys, *arguments):
    """Run ``watch_sources --once``; return its lines and whether it failed."""
    try:
        call_command("watch_sources", "--once", *arguments)
        failed = False
    except CommandError:
        failed = True
    return capsys.readouterr().out.splitlines(), failed


def test_an_unchanged_page_answering_304_is_recorded_as_unchanged(site, capsys):
    source = watched(site, etag='"v1"')

    lines, failed = watch_once(capsys, "--all")

    assert lines == [f"{source.url}: unchanged", "1 source checked: 1 unchanged, 0 new revision, 0 gone, 0 failed."]
    assert not failed
    assert site.requests[-1][1]["If-None-Match"] == '"v1"'
    source.refresh_from_db()
    assert source.check_status == CheckStatus.UNCHANGED and source.last_checked_at is not None
    assert Revision.objects.count() == 1 and Capture.objects.count() == 1


def test_the_same_text_without_validators_is_unchanged(site):
    source = watched(site)

    outcome = check_source(source)

    assert outcome.status == "unchanged"
    assert "If-None-Match" not in site.requests[-1][1]
    assert Revision.objects.count() == 1


def test_last_modified_is_sent_back_as_if_modified_since(site):
    source = watched(site, headers={"Last-Modified": "Tue, 05 May 2026 10:00:00 GMT"})

    check_source(source)

    assert site.requests[-1][1]["If-Modified-Since"] == "Tue, 05 May 2026 10:00:00 GMT"


def test_a_changed_page_adds_a_revision_with_the_publishers_update_time(site, capsys):
    source = watched(site, etag='"v1"')
    site.page("/pier", CHANGED, etag='"v2"')

    lines, failed = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: new revision 2" and not failed
    source.refresh_from_db()
    revision = source.current_revision
    assert revision.number == 2 and "start in June" in revision.text
    assert revision.publisher_updated_at.isoformat() == "2026-05-07T09:30:00+00:00"
    assert revision.capture.etag == '"v2"'
    assert source.check_status == CheckStatus.CHANGED and source.check_etag == '"v2"'

    lines, _ = watch_once(capsys, "--all")
    assert lines[0] == f"{source.url}: unchanged"


@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_is_gone_keeps_its_last_revision(site, capsys, status):
    source = watched(site)
    site.status("/pier", status)

    lines, failed = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: gone" and not failed
    source.refresh_from_db()
    assert source.check_status == CheckStatus.GONE and source.gone_since is not None
    assert source.current_revision.number == 1
    since = source.gone_since

    watch_once(capsys, "--all")
    source.refresh_from_db()
    assert source.gone_since == since  # since the first check that found it gone

    site.page("/pier", PAGE)
    watch_once(capsys, "--all")
    source.refresh_from_db()
    assert source.gone_since is None and source.check_status == CheckStatus.UNCHANGED


def test_a_failed_check_is_reported_and_fails_the_command(site, settings, capsys):
    source = watched(site)
    site.status("/pier", 503)

    lines, failed = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: failed: the server answered 503 Service Unavailable"
    assert failed
    source.refresh_from_db()
    assert source.check_status == CheckStatus.FAILED and source.current_revision.number == 1


def test_a_check_that_times_out_fails(site, settings, capsys):
    source = watched(site)
    settings.CAPTURE_TIMEOUT = 0.5
    site.page("/pier", PAGE, delay=2)

    lines, failed = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: failed: no answer within 0.5 seconds" and failed


def test_a_page_that_moved_is_followed_and_the_move_recorded(site, capsys):
    source = watched(site, etag='"v1"')
    site.page("/new-pier", PAGE, etag='"v1"')
    site.redirect("/pier", "/new-pier", status=301)

    lines, _ = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: unchanged (moved to {site.url('/new-pier')})"
    source.refresh_from_db()
    assert source.url == site.url("/pier")


def test_only_due_sources_are_checked_without_all(site, capsys):
    due = watched(site, "/a", article("Harbour dredging", "The harbour will be dredged in the autumn this year."))
    recent = watched(
        site, "/b", article("Ferry timetable", "The ferry timetable changes in October, the operator said.")
    )
    not_watched = capture_url(
        site.page("/c", article("Tram line", "A new tram line opens next spring, said the city."))
    )
    Source.objects.filter(pk=due.pk).update(last_checked_at=timezone.now() - timedelta(days=2))
    Source.objects.filter(pk=recent.pk).update(
        last_checked_at=timezone.now() - timedelta(hours=12), watch_interval=timedelta(days=1)
    )
    assert not_watched.status == "created"

    lines, _ = watch_once(capsys)

    assert lines[:-1] == [f"{due.url}: unchanged"]
    assert set(Source.objects.due_for_check()) == set()


def test_the_command_refuses_a_bad_sleep():
    with pytest.raises(CommandError, match="--sleep must be more than 0"):
        call_command("watch_sources", "--sleep", "0")


# End to end: capture → cite → publish → the page changes → watch check → the moderation queue


def test_a_changed_source_brings_its_published_claims_to_the_moderation_queue(site, client, capsys):
    from django.contrib.auth.models import User

    from editorial.models import Citation
    from tests.factories import make_published_claim

    source = watched(site, etag='"v1"')
    claim = make_published_claim(
        "Repairs to the pier start in May.",
        revision=source.current_revision,
        excerpt="repairs to the old pier would start in May",
    )
    site.page("/pier", CHANGED, etag='"v2"')

    lines, _ = watch_once(capsys, "--all")

    assert lines[0] == f"{source.url}: new revision 2"
    citation = Citation.objects.get(claim=claim)
    assert citation.anchor_state == "fuzzy" and citation.anchored_revision.number == 2
    client.force_login(User.objects.get(username="factory-moderator"))
    queue = client.get("/admin/editorial/claim/moderation/")
    assert queue.status_code == 200
    row = queue.text.split(f'id="source-changed-citation-{citation.pk}"')[1].split("</tr>")[0]
    assert "Repairs to the pier start in May." in row
    old_passage, new_passage = row.split("<blockquote>")[1:3]
    assert "<mark>repairs to the old pier would start in May</mark>" in old_passage
    assert "<mark>repairs to the old pier would start in</mark> June and take a year." in new_passage
    assert "fuzzy" in row and "revision 2" in row
    assert "1 citation whose source changed" in queue.text


def test_the_public_source_page_says_when_the_source_left_its_address(site, client, capsys):
    source = watched(site)
    site.status("/pier", 410)
    watch_once(capsys, "--all")
    source.refresh_from_db()

    page = client.get(source.get_absolute_url()).text

    assert "This source is no longer at its original address since" in page
    assert f"{source.gone_since:%-d %B %Y}" in page


def test_checks_add_no_rows_to_the_sources_history(site, capsys):
    source = watched(site, etag='"v1"')
    rows = source.history.count()

    watch_once(capsys, "--all")
    site.status("/pier", 410)
    watch_once(capsys, "--all")

    assert source.history.count() == rows


def test_the_admin_source_page_sets_watching(site, staff_client):
    from django.forms.models import model_to_dict

    source = watched(site)
    data = {key: value for key, value in model_to_dict(source).items() if value is not None}
    data |= {"tags": "", "watch": "", "watch_interval": "", "bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0"}

    response = staff_client.post(f"/admin/sources/source/{source.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    source.refresh_from_db()
    assert not source.watch and source.watch_interval == timedelta(days=1)  # an empty interval keeps the stored one

    data |= {"watch": "on", "watch_interval": "00:00:30"}
    response = staff_client.post(f"/admin/sources/source/{source.pk}/change/", data)
    assert response.status_code == 200
    assert "Check at most once a minute" in response.text


def test_a_pass_fetches_in_parallel_and_reports_in_order(site, capsys):
    sources = [
        watched(site, f"/s{number}", article(f"Story {number}", f"Paragraph of story {number} about the harbour."))
        for number in range(6)
    ]
    site.page("/s1", article("Story 1", "Paragraph of story 1 about the harbour, corrected."))
    site.status("/s3", 410)
    site.status("/s4", 500)

    lines, failed = watch_once(capsys, "--all", "--workers", "3")

    assert lines == [
        f"{sources[0].url}: unchanged",
        f"{sources[1].url}: new revision 2",
        f"{sources[2].url}: unchanged",
        f"{sources[3].url}: gone",
        f"{sources[4].url}: failed: the server answered 500 Internal Server Error",
        f"{sources[5].url}: unchanged",
        "6 sources checked: 3 unchanged, 1 new revision, 1 gone, 1 failed.",
    ]
    assert failed
