"""Capturing pages from the web (``capture_url``, ``capture_sources``) from a local server."""

import hashlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from sources.models import Capture, Revision, Source
from sources.services import capture_url
from sources.services import fetch as fetch_module
from sources.signals import revision_added
from tests.factories import make_source
from tests.sources.webserver import article

pytestmark = pytest.mark.django_db

PAGE = article(
    "Pier repairs to start in May",
    "The council said on Tuesday that repairs to the old pier would start in May and take a year.",
    "Residents have campaigned for the repairs since the storm of 2021 damaged the structure badly.",
)
CHANGED = article(
    "Pier repairs to start in June",
    "The council said on Tuesday that repairs to the old pier would start in June and take a year.",
    "Residents have campaigned for the repairs since the storm of 2021 damaged the structure badly.",
)


def records(capture):
    """Return the WARC file's records as ``(type, target URI, HTTP headers, payload)``, read by warcio."""
    with capture.warc.open("rb") as file:
        data = file.read()
    return [
        (
            record.rec_type,
            record.rec_headers.get_header("WARC-Target-URI"),
            record.http_headers,
            record.content_stream().read(),
        )
        for record in ArchiveIterator(io.BytesIO(data))
    ]


def warcio_check(capture, capsys):
    """Run warcio's own checker (``warcio check -v``) on the capture's file; return its exit value and report."""
    exit_value = Checker(SimpleNamespace(inputs=[capture.warc.path], verbose=True)).process_all()
    return exit_value, capsys.readouterr().out


def nothing_written(settings):
    media = settings.MEDIA_ROOT
    files = [path for path in media.rglob("*") if path.is_file()] if media.exists() else []
    return Source.objects.count() == 0 and Revision.objects.count() == 0 and Capture.objects.count() == 0 and not files


def test_a_page_becomes_a_source_with_a_warc_file_that_passes_warcios_checks(site, capsys):
    url = site.page("/pier", PAGE, etag='"v1"', headers={"Last-Modified": "Tue, 05 May 2026 10:00:00 GMT"})

    outcome = capture_url(url)

    assert outcome.status == "created", outcome
    source = outcome.source
    assert source.url == url and source.title == "Pier repairs to start in May"
    revision = source.current_revision
    assert "repairs to the old pier would start in May" in revision.text
    assert revision.format == "html" and revision.origin == url and revision.original == PAGE
    capture = revision.capture
    assert (capture.requested_url, capture.final_url, capture.redirects) == (url, url, [])
    assert (capture.status, capture.etag, capture.last_modified) == (200, '"v1"', "Tue, 05 May 2026 10:00:00 GMT")
    assert capture.ip_address == "127.0.0.1"
    assert capture.content_type == "text/html; charset=utf-8"
    assert capture.payload_sha256 == hashlib.sha256(PAGE).hexdigest() and capture.payload_size == len(PAGE)
    with capture.warc.open("rb") as file:
        assert capture.warc_sha256 == hashlib.sha256(file.read()).hexdigest()
    assert capture.warc.name.startswith("captures/") and capture.warc.name.endswith(".warc.gz")

    found = records(capture)
    assert [kind for kind, *_ in found] == ["warcinfo", "response", "request", "metadata"]
    _, target, response_headers, body = found[1]
    assert target == url and body == PAGE
    assert response_headers.get_statuscode() == "200" and response_headers.get_header("ETag") == '"v1"'
    request_headers = found[2][2]
    assert request_headers.get_header("User-Agent") == "EditorialProvenanceCapture/1.0 (archiving cited sources)"
    assert b"requested-url: " + url.encode() in found[3][3]
    exit_value, report = warcio_check(capture, capsys)
    assert exit_value == 0, report
    assert "digest pass" in report and "failed" not in report


def test_the_user_agent_is_a_setting(site, settings):
    settings.CAPTURE_USER_AGENT = "NewsroomArchive/2.0"
    capture_url(site.page("/pier", PAGE))

    assert site.requests[-1][1]["User-Agent"] == "NewsroomArchive/2.0"


def test_capturing_the_same_text_again_changes_nothing(site):
    url = site.page("/pier", PAGE)
    capture_url(url)

    again = capture_url(url)

    assert again.status == "unchanged"
    assert Revision.objects.count() == 1 and Capture.objects.count() == 1


def test_a_changed_page_adds_a_revision_and_announces_it_for_re_anchoring(site):
    url = site.page("/pier", PAGE)
    first = capture_url(url)
    announced = []

    def receiver(sender, revision, previous, **kwargs):
        announced.append((revision.number, previous.number))

    revision_added.connect(receiver)
    try:
        site.page("/pier", CHANGED)
        second = capture_url(url)
    finally:
        revision_added.disconnect(receiver)

    assert second.status == "new revision" and second.source == first.source
    assert second.revision.number == 2 and "start in June" in second.revision.text
    assert announced == [(2, 1)]
    assert Capture.objects.count() == 2
    assert str(second).endswith("new revision 2 — “Pier repairs to start in June”")


def test_redirects_are_followed_and_recorded(site, capsys):
    target = site.page("/news/pier", PAGE)
    start = site.redirect("/p/1", "/news/pier", status=301)

    outcome = capture_url(start)

    capture = outcome.revision.capture
    assert capture.requested_url == start and capture.final_url == target
    assert capture.redirects == [{"url": start, "status": 301, "location": "/news/pier"}]
    assert outcome.source.url == target
    found = records(capture)
    assert [(kind, uri) for kind, uri, *_ in found[:2]] == [("warcinfo", None), ("response", start)]
    assert found[1][2].get_statuscode() == "301"
    assert warcio_check(capture, capsys)[0] == 0


def test_the_canonical_address_is_kept_when_it_is_on_the_same_site(site):
    canonical = site.url("/news/pier")
    page = article(
        "Pier repairs", "The council said repairs to the pier would start in May this year.", canonical=canonical
    )
    outcome = capture_url(site.page("/news/pier?utm_source=feed", page))

    assert outcome.source.url == canonical
    assert outcome.revision.capture.canonical_url == canonical


def test_a_page_cannot_claim_another_sites_address(site):
    page = article(
        "Pier repairs",
        "The council said repairs to the pier would start in May this year.",
        canonical="https://news.example.org/pier",
    )
    url = site.page("/copy", page)

    outcome = capture_url(url)

    assert outcome.source.url == url
    assert outcome.revision.capture.canonical_url == "https://news.example.org/pier"


@pytest.mark.parametrize(
    ("path", "content_type", "body", "format", "expected"),
    [
        (
            "/note.txt",
            "text/plain; charset=utf-8",
            "Pier repairs to start\n\nThe council said repairs start in May.\n",
            "text",
            "The council said repairs start in May.",
        ),
        (
            "/note.md",
            "text/markdown",
            "---\ntitle: Pier repairs\n---\n\nThe council said repairs start in May.\n",
            "markdown",
            "The council said repairs start in May.",
        ),
    ],
)
def test_plain_text_and_markdown_go_through_their_importers(site, path, content_type, body, format, expected):
    url = site.page(path, body.encode(), content_type=content_type)

    outcome = capture_url(url)

    assert outcome.status == "created", outcome
    assert outcome.revision.format == format and outcome.revision.text == expected
    assert outcome.source.url == url


def test_a_wrong_charset_in_the_header_does_not_garble_the_text(site):
    page = article("Café reopens", "The café on the pier reopens on Friday after a long winter’s repairs.")
    url = site.page(
        "/cafe",
        page.decode().replace("charset='utf-8'", "charset='windows-1252'").encode("cp1252"),
        content_type="text/html; charset=utf-8",
    )

    outcome = capture_url(url)

    assert outcome.status == "created", outcome
    assert "The café on the pier reopens" in outcome.revision.text
    assert outcome.revision.encoding == "windows-1252"
    assert any("declared the charset utf-8" in warning for warning in outcome.warnings)


def test_a_declared_latin_1_page_that_is_utf_8_is_read_as_utf_8(site):
    page = article("Café reopens", "The café on the pier reopens on Friday after a long winter’s repairs.")
    outcome = capture_url(site.page("/cafe", page, content_type="text/html; charset=iso-8859-1"))

    assert "The café on the pier reopens" in outcome.revision.text


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("application/pdf", "serves a PDF document (application/pdf)"),
        ("image/png", "serves an image (image/png), not a page"),
        ("application/octet-stream", "serves “application/octet-stream”"),
    ],
)
def test_pdfs_images_and_other_files_are_refused_before_reading_them(site, settings, content_type, message):
    url = site.page("/file", b"%PDF-1.7 \x00\x01" * 1000, content_type=content_type)

    outcome = capture_url(url)

    assert outcome.failed and message in outcome.message
    assert str(outcome) == f"{url}: refused: {outcome.message}"
    assert nothing_written(settings)


def test_an_error_status_is_refused(site, settings):
    outcome = capture_url(site.status("/missing", 404))

    assert outcome.failed and outcome.message == "the server answered 404 Not Found"
    assert nothing_written(settings)


def test_a_page_over_the_size_limit_is_refused_while_streaming(site, settings):
    settings.CAPTURE_MAX_BYTES = 100_000
    url = site.page("/huge", b"", stream=10 * 100_000)

    outcome = capture_url(url)

    assert outcome.failed and outcome.message == "the page is over the 97.7 KB capture limit; reading stopped"
    assert nothing_written(settings)


def test_a_declared_length_over_the_limit_is_refused_before_reading(site, settings):
    settings.CAPTURE_MAX_BYTES = 1000
    outcome = capture_url(site.page("/big", PAGE * 10))

    assert outcome.failed and outcome.message == "the page is 3.8 KB, over the 1000 bytes capture limit"
    assert nothing_written(settings)


def test_a_server_that_does_not_answer_in_time_is_refused(site, settings):
    settings.CAPTURE_TIMEOUT = 0.5
    outcome = capture_url(site.page("/slow", PAGE, delay=2))

    assert outcome.failed and outcome.message == "no answer within 0.5 seconds"
    assert nothing_written(settings)


def test_loopback_addresses_are_refused_by_default(site, settings):
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = False
    url = site.page("/pier", PAGE)

    outcome = capture_url(url)

    assert outcome.failed
    assert outcome.message == "127.0.0.1 is at 127.0.0.1, a loopback address; captures reach public addresses only"
    assert site.requests == [] and nothing_written(settings)


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("http://10.1.2.3/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:8080/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://240.0.0.1/", "reserved"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused(site, settings, monkeypatch, location, kind):
    """The test server stands for a public one; the address it redirects to is checked before any request."""
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = False
    real = fetch_module._not_public
    monkeypatch.setattr(
        fetch_module, "_not_public", lambda address: "" if str(address) == "127.0.0.1" else real(address)
    )
    url = site.redirect("/go", location)

    outcome = capture_url(url)

    assert outcome.failed and f"a {kind} address; captures reach public addresses only" in outcome.message
    assert [path for path, _ in site.requests] == ["/robots.txt", "/go"]
    assert nothing_written(settings)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https addresses can be captured, not “file:”"),
        ("ftp://example.org/a.txt", "only http and https addresses can be captured, not “ftp:”"),
        ("http:///nohost", "the address names no host"),
        ("http://no-such-host.invalid/", "the host “no-such-host.invalid” cannot be found"),
    ],
)
def test_other_schemes_and_bad_addresses_are_refused(site, settings, url, message):
    outcome = capture_url(url)

    assert outcome.failed and outcome.message == message
    assert nothing_written(settings)


def test_the_command_prints_a_line_per_address_and_fails_when_one_is_refused(site, settings, capsys):
    good = site.page("/pier", PAGE)
    pdf = site.page("/report.pdf", b"%PDF-1.7", content_type="application/pdf")

    with pytest.raises(CommandError, match="1 of 2 addresses refused"):
        call_command("capture_sources", good, pdf, "--watch", "--interval", "7")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{good}: created — “Pier repairs to start in May”"
    assert out[1].startswith(f"{pdf}: refused: the address serves a PDF document")
    assert out[2] == "2 addresses: 1 created, 0 new revision, 0 unchanged, 1 refused."
    source = Source.objects.get()
    assert source.watch and source.watch_interval.days == 7 and source.last_checked_at is not None


def test_the_command_refuses_a_bad_interval_before_fetching(site, settings):
    with pytest.raises(CommandError, match="--interval takes a number of days"):
        call_command("capture_sources", site.page("/pier", PAGE), "--interval", "daily")
    assert site.requests == [] and nothing_written(settings)


# The admin page and the downloads


def test_the_admin_page_captures_the_pasted_addresses(site, staff_client):
    first, second = site.page("/pier", PAGE), site.page("/pier-2", CHANGED)
    page = staff_client.get("/admin/sources/source/capture/")
    assert page.status_code == 200 and "Capture from the web" in page.text

    response = staff_client.post(
        "/admin/sources/source/capture/",
        {"urls": f"{first}\n\n{second}\n", "watch": "on", "interval": "2"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/admin/sources/source/"
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0].startswith(f"{first}: created — “Pier repairs to start in May”")
    assert Source.objects.filter(watch=True, watch_interval=timedelta(days=2)).count() == 2


def test_the_admin_page_refuses_bad_input_with_a_400_and_writes_nothing(site, staff_client, settings):
    response = staff_client.post(
        "/admin/sources/source/capture/", {"urls": f"{site.url('/pier')}\nfile:///etc/passwd", "interval": "1"}
    )

    assert response.status_code == 400
    assert "Not an http or https address: line 2: “file:///etc/passwd”." in response.text
    assert site.requests == [] and nothing_written(settings)


def test_the_admin_page_lists_a_refused_address_and_stays(site, staff_client, settings):
    pdf = site.page("/report", b"%PDF-1.7", content_type="application/pdf")

    response = staff_client.post("/admin/sources/source/capture/", {"urls": pdf, "interval": "1"})

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        f"{pdf}: refused: the address serves a PDF document (application/pdf); only web pages and text are captured"
    ]
    assert nothing_written(settings)


def test_the_admin_page_needs_the_add_permission(site, client, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="pw-reader-123", is_staff=True)
    client.force_login(user)

    assert client.post("/admin/sources/source/capture/", {"urls": site.url("/pier")}).status_code == 403
    assert site.requests == []


def test_the_warc_file_downloads_from_the_public_and_the_admin_source_page(site, client, staff_client):
    outcome = capture_url(site.page("/pier", PAGE))
    source, capture = outcome.source, outcome.revision.capture
    with capture.warc.open("rb") as file:
        stored = file.read()

    public = client.get(source.get_absolute_url())
    link = f"/sources/{source.slug}/revisions/1/capture.warc.gz"
    assert f'href="{link}"' in public.text
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == stored
    assert download["Content-Disposition"] == f'attachment; filename="{source.slug}-revision-1.warc.gz"'

    admin_page = staff_client.get(f"/admin/sources/source/{source.pk}/change/")
    admin_link = f"/admin/sources/source/{source.pk}/warc/1/"
    assert f'href="{admin_link}"' in admin_page.text
    assert b"".join(staff_client.get(admin_link).streaming_content) == stored


def test_a_revision_imported_from_a_file_has_no_warc(client):
    source = make_source("Pier repairs", url="https://example.org/pier")

    assert "capture.warc.gz" not in client.get(source.get_absolute_url()).text
    assert client.get(f"/sources/{source.slug}/revisions/1/capture.warc.gz").status_code == 404
    assert client.get("/sources/no-such-source/revisions/1/capture.warc.gz").status_code == 404


def test_a_correct_non_utf_8_charset_is_used_without_a_warning(site):
    text = (
        "Ремонт пирса начнётся в мае\n\nГородской совет сообщил во вторник, что ремонт старого пирса начнётся в мае.\n"
    )
    url = site.page("/pier.txt", text.encode("windows-1251"), content_type="text/plain; charset=windows-1251")

    outcome = capture_url(url)

    assert outcome.status == "created", outcome
    assert outcome.source.title == "Ремонт пирса начнётся в мае"
    assert outcome.revision.encoding == "windows-1251" and outcome.warnings == ()


def test_a_redirect_loop_is_refused(site, settings):
    url = site.redirect("/loop", "/loop")

    outcome = capture_url(url)

    assert outcome.failed and outcome.message == "more than 10 redirects"
    assert len(site.requests) == 1 + 11 and nothing_written(settings)  # robots.txt, then the loop


def test_an_importer_error_fails_the_address_and_writes_nothing(site, settings, monkeypatch):
    from sources.importers import html

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(html, "parse", broken)

    outcome = capture_url(site.page("/pier", PAGE))

    assert outcome.failed and outcome.message == "could not read the page (RuntimeError)"
    assert nothing_written(settings)
