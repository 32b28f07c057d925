import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.urls import reverse

from sources.models import Revision, Source
from tests.factories import add_revision, make_publisher, make_source, make_user

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

MARKDOWN = """---
title: {title}
url: https://harbour-gazette.example/{slug}
publisher: The Harbour Gazette
byline: Mara Okafor in Portlaine
published: 2024-03-01T09:00:00+00:00
language: en
---

The harbour board met on Tuesday evening.

“We will publish the figures,” said the chair, Ilse Brandvold.
"""


def markdown_file(name, title="Harbour board meets", slug="harbour-board"):
    return SimpleUploadedFile(name, MARKDOWN.format(title=title, slug=slug).encode(), content_type="text/markdown")


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def two_revision_source():
    source = make_source(
        "Ferry fares to rise",
        "The mayor said fares would rise.\n\nThe vote is on Friday.",
        authors=[("Mara Okafor", "Portlaine"), ("Tomas Reyes", "Kellbridge")],
    )
    add_revision(source, "The mayor said fares would fall.\n\nThe vote is on Friday.\n\nA late paragraph.")
    return source


def admin_pages(source):
    revision = source.revisions.get(number=1)
    return [
        reverse("admin:sources_source_changelist"),
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("admin:sources_source_diff", args=[source.pk, 2]),
        reverse("admin:sources_source_import"),
        reverse("admin:sources_revision_changelist"),
        reverse("admin:sources_revision_change", args=[revision.pk]),
        reverse("admin:sources_publisher_changelist"),
        reverse("admin:sources_author_changelist"),
    ]


def test_staff_can_open_every_sources_admin_page(staff_client, two_revision_source):
    for url in admin_pages(two_revision_source):
        assert staff_client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, two_revision_source):
    login = reverse("admin:login")
    for url in admin_pages(two_revision_source):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_source_list_shows_authors_in_byline_order_and_revision_count(staff_client, two_revision_source):
    response = staff_client.get(reverse("admin:sources_source_changelist"))

    content = response.content.decode()
    assert "Mara Okafor, Tomas Reyes" in content
    assert '<td class="field-revision_count">2</td>' in content
    assert "Import files" in content
    assert reverse("admin:sources_source_import") in content


def test_search_finds_revision_text_without_repeating_the_source(staff_client, two_revision_source):
    make_source("Unrelated", "Nothing about boats.")

    response = staff_client.get(reverse("admin:sources_source_changelist"), {"q": "Friday"})

    assert list(response.context["cl"].result_list) == [two_revision_source]
    assert response.context["cl"].result_list[0].revision_count == 2


def test_search_finds_titles_and_bylines(staff_client):
    publisher = make_publisher("The Harbour Gazette")
    by_title = make_source("Lighthouse keepers vote", publisher=publisher)
    by_byline = make_source("Quota talks", byline="By Anwen Castellanos")
    make_source("Something else")

    url = reverse("admin:sources_source_changelist")
    assert list(staff_client.get(url, {"q": "lighthouse"}).context["cl"].result_list) == [by_title]
    assert list(staff_client.get(url, {"q": "castellanos"}).context["cl"].result_list) == [by_byline]


def test_source_list_filters_by_author_and_tag(staff_client):
    tagged = make_source("Tagged", authors=[("Mara Okafor", "")])
    tagged.tags.add("ferries")
    make_source("Untagged", authors=[("Tomas Reyes", "")])
    author = tagged.authors.get()

    url = reverse("admin:sources_source_changelist")
    assert list(staff_client.get(url, {"authors__id__exact": author.pk}).context["cl"].result_list) == [tagged]
    assert list(staff_client.get(url, {"tags__id__exact": tagged.tags.get().pk}).context["cl"].result_list) == [tagged]


def make_listed_sources(first, last):
    publisher = make_publisher()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for index in range(first, last + 1):
        source = make_source(
            f"Listed source {index}",
            f"Paragraph {index}.",
            authors=[(f"Writer {index}", "Portlaine"), (f"Second writer {index}", "")],
            publisher=publisher,
            language="en",
            section="Coast",
            published_at=start + timedelta(days=index * 11),
        )
        source.tags.add(f"tag-{index % 5}")
        add_revision(source, f"Paragraph {index}, corrected.")


def test_source_list_query_count_does_not_grow_with_the_number_of_sources(staff_client, django_assert_max_num_queries):
    url = reverse("admin:sources_source_changelist")
    make_listed_sources(1, 1)
    with django_assert_max_num_queries(15):
        response = staff_client.get(url)
    assert response.context["cl"].result_count == 1

    make_listed_sources(2, 50)
    with django_assert_max_num_queries(15):
        response = staff_client.get(url)
    assert response.context["cl"].result_count == 50
    assert "Writer 50, Second writer 50" in response.content.decode()


def test_change_page_shows_paragraphs_revisions_and_hash_checks(staff_client, two_revision_source):
    response = staff_client.get(reverse("admin:sources_source_change", args=[two_revision_source.pk]))

    content = response.content.decode()
    current = two_revision_source.revisions.get(number=2)
    assert "Text of revision 2" in content
    assert '<p data-start="0">The mayor said fares would fall.</p>' in content
    assert '<p data-start="34">The vote is on Friday.</p>' in content
    assert current.short_sha256 in content
    assert content.count("hash-verified") == 2
    assert reverse("admin:sources_source_diff", args=[two_revision_source.pk, 2]) in content
    assert "Import files" in content


def test_change_page_flags_a_revision_whose_hash_does_not_match(staff_client, two_revision_source):
    revision = two_revision_source.revisions.get(number=1)
    # Simulate tampering below the model layer, which refuses to change a stored hash.
    QuerySet.update(Revision.objects.filter(pk=revision.pk), sha256="0" * 64)

    response = staff_client.get(reverse("admin:sources_source_change", args=[two_revision_source.pk]))

    assert "does not match the text" in response.content.decode()


def test_change_page_saves_metadata_and_bylines(staff_client, two_revision_source):
    okafor, reyes = (byline.author for byline in two_revision_source.ordered_bylines())
    first, second = two_revision_source.ordered_bylines()
    data = {
        "title": "Ferry fares to fall",
        "publisher": "",
        "section": "Coast",
        "url": "",
        "language": "en",
        "byline": "Tomas Reyes and Mara Okafor",
        "published_at_0": "2024-03-01",
        "published_at_1": "09:00:00",
        "updated_at_0": "",
        "updated_at_1": "",
        "tags": "ferries, fares",
        "notes": "",
        "bylines-TOTAL_FORMS": "2",
        "bylines-INITIAL_FORMS": "2",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "bylines-0-id": first.pk,
        "bylines-0-source": two_revision_source.pk,
        "bylines-0-position": "2",
        "bylines-0-author": okafor.pk,
        "bylines-0-location": "Portlaine",
        "bylines-1-id": second.pk,
        "bylines-1-source": two_revision_source.pk,
        "bylines-1-position": "1",
        "bylines-1-author": reyes.pk,
        "bylines-1-location": "Kellbridge",
        "_save": "Save",
    }

    response = staff_client.post(reverse("admin:sources_source_change", args=[two_revision_source.pk]), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    two_revision_source.refresh_from_db()
    assert two_revision_source.title == "Ferry fares to fall"
    assert sorted(two_revision_source.tags.names()) == ["fares", "ferries"]
    assert [b.author.name for b in two_revision_source.ordered_bylines()] == ["Tomas Reyes", "Mara Okafor"]
    assert two_revision_source.revisions.count() == 2


def test_diff_page_marks_changed_words_and_added_paragraphs(staff_client, two_revision_source):
    response = staff_client.get(reverse("admin:sources_source_diff", args=[two_revision_source.pk, 2]))

    content = response.content.decode()
    assert "The mayor said fares would <del>rise</del><ins>fall</ins>." in content
    assert "<ins>A late paragraph.</ins>" in content
    assert "The vote is on Friday." in content


def test_diff_page_of_a_first_revision_is_not_found(staff_client, two_revision_source):
    url = reverse("admin:sources_source_diff", args=[two_revision_source.pk, 1])
    assert staff_client.get(url).status_code == 404


def test_source_title_and_text_are_escaped_on_change_and_diff_pages(staff_client):
    source = make_source(f"Headline {SCRIPT}", f"Before {SCRIPT} after.")
    add_revision(source, f"Before {SCRIPT} after, revised {SCRIPT}.")

    for url in [
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("admin:sources_source_diff", args=[source.pk, 2]),
        reverse("admin:sources_revision_change", args=[source.revisions.get(number=2).pk]),
        reverse("admin:sources_source_changelist"),
    ]:
        content = staff_client.get(url).content.decode()
        assert SCRIPT not in content, url
        assert ESCAPED_SCRIPT in content, url


def test_upload_page_offers_several_files_format_publisher_and_dry_run(staff_client):
    response = staff_client.get(reverse("admin:sources_source_import"))

    content = response.content.decode()
    assert 'type="file" name="files" multiple' in content
    assert 'enctype="multipart/form-data"' in content
    for name in ("format", "publisher", "dry_run"):
        assert f'name="{name}"' in content


def test_upload_of_a_good_file_creates_the_source(staff_client, staff_user):
    response = staff_client.post(reverse("admin:sources_source_import"), {"files": [markdown_file("board.md")]})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_source_changelist")
    source = Source.objects.get()
    assert source.title == "Harbour board meets"
    assert source.revisions.get().captured_by == staff_user
    [message] = page_messages(response)
    assert "board.md" in message and "created" in message


def test_upload_messages_keep_the_file_name_as_spelled(staff_client):
    response = staff_client.post(
        reverse("admin:sources_source_import"), {"files": [markdown_file("board.md")]}, follow=True
    )

    content = response.content.decode()
    assert "board.md: created — “Harbour board meets”" in content
    assert "Board.md" not in content
    assert reverse("admin:sources_source_change", args=[Source.objects.get().pk]) in content


def test_upload_of_several_files_imports_each(staff_client):
    files = [
        markdown_file("one.md", title="First meeting", slug="first"),
        markdown_file("two.md", title="Second meeting", slug="second"),
    ]

    response = staff_client.post(reverse("admin:sources_source_import"), {"files": files})

    assert response.status_code == 302
    assert sorted(Source.objects.values_list("title", flat=True)) == ["First meeting", "Second meeting"]
    assert len(page_messages(response)) == 2


def test_upload_of_an_unreadable_file_names_it_and_creates_nothing(staff_client):
    bad = SimpleUploadedFile("minutes.docx", b"PK\x03\x04 not a document this importer reads")

    response = staff_client.post(reverse("admin:sources_source_import"), {"files": [bad]})

    assert response.status_code == 200
    assert Source.objects.count() == 0
    [message] = page_messages(response)
    assert "minutes.docx" in message and "failed" in message
    assert "minutes.docx" in response.content.decode()


def test_upload_reports_the_bad_file_and_still_imports_the_good_one(staff_client):
    files = [SimpleUploadedFile("empty.txt", b""), markdown_file("board.md")]

    response = staff_client.post(reverse("admin:sources_source_import"), {"files": files})

    assert response.status_code == 200
    assert Source.objects.get().title == "Harbour board meets"
    messages = page_messages(response)
    assert len(messages) == 2
    assert any("empty.txt" in message and "failed" in message for message in messages)


def test_upload_dry_run_saves_nothing(staff_client):
    response = staff_client.post(
        reverse("admin:sources_source_import"), {"files": [markdown_file("board.md")], "dry_run": "on"}
    )

    assert response.status_code == 200
    assert Source.objects.count() == 0
    [message] = page_messages(response)
    assert "board.md" in message and "dry run" in message.lower()


def test_upload_larger_than_the_limit_is_refused_by_name(staff_client, settings):
    settings.IMPORT_MAX_BYTES = 20

    response = staff_client.post(reverse("admin:sources_source_import"), {"files": [markdown_file("board.md")]})

    assert response.status_code == 200
    assert Source.objects.count() == 0
    [message] = page_messages(response)
    assert "board.md" in message and "limit" in message


def test_upload_without_files_shows_the_form_with_an_error(staff_client):
    response = staff_client.post(reverse("admin:sources_source_import"), {"format": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert "This field is required." in response.content.decode()


def test_upload_with_an_unknown_format_shows_the_form_with_an_error(staff_client):
    response = staff_client.post(
        reverse("admin:sources_source_import"), {"files": [markdown_file("board.md")], "format": "no-such-format"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["format"]
    assert Source.objects.count() == 0


def test_upload_needs_the_add_source_permission(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_source"))
    client.force_login(user)

    url = reverse("admin:sources_source_import")
    assert client.get(url).status_code == 403
    assert client.post(url, {"files": [markdown_file("board.md")]}).status_code == 403
    assert Source.objects.count() == 0
    assert "Import files" not in client.get(reverse("admin:sources_source_changelist")).content.decode()


def test_revision_admin_forbids_adding(staff_client):
    assert staff_client.get(reverse("admin:sources_revision_add")).status_code == 403


def test_revision_admin_shows_revisions_read_only(staff_client, two_revision_source):
    revision = two_revision_source.revisions.get(number=1)
    url = reverse("admin:sources_revision_change", args=[revision.pk])

    content = staff_client.get(url).content.decode()
    assert 'name="_save"' not in content
    assert 'name="text"' not in content
    assert "The mayor said fares would rise." in content

    response = staff_client.post(url, {"text": "Rewritten.", "number": "1", "_save": "Save"})
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.text == "The mayor said fares would rise.\n\nThe vote is on Friday."


def test_revision_admin_forbids_deleting_a_single_revision(staff_client, two_revision_source):
    revision = two_revision_source.revisions.get(number=1)

    response = staff_client.post(reverse("admin:sources_revision_delete", args=[revision.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert two_revision_source.revisions.count() == 2


def test_deleting_a_source_in_the_admin_removes_its_revisions(staff_client, two_revision_source):
    url = reverse("admin:sources_source_delete", args=[two_revision_source.pk])
    assert "Are you sure" in staff_client.get(url).content.decode()

    response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Source.objects.exists()
    assert not Revision.objects.exists()


def test_revision_original_file_can_be_downloaded(staff_client):
    source = make_source("With original")
    revision = add_revision(source, "Text.", original=b"<p>Text.</p>", origin="uploads/page.html")

    response = staff_client.get(reverse("admin:sources_revision_original", args=[revision.pk]))

    assert response.status_code == 200
    assert response.content == b"<p>Text.</p>"
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="page.html"' in response["Content-Disposition"]


def test_upload_of_a_yaml_alias_bomb_is_refused_with_a_short_message(staff_client):
    # 380 bytes standing for 9**9 strings; the error message once quoted them all (an 82 MB page).
    bomb = (Path(__file__).parent / "fixtures" / "alias_bomb.md").read_bytes()
    started = time.monotonic()

    response = staff_client.post(
        reverse("admin:sources_source_import"), {"files": [SimpleUploadedFile("bomb.md", bomb)]}
    )

    assert time.monotonic() - started < 5
    assert response.status_code == 200
    [message] = page_messages(response)
    assert message == "bomb.md: failed: line 3: YAML front matter: anchors and aliases (&name, *name) are not allowed"
    assert len(response.content) < 100_000
    assert Source.objects.count() == 0


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("Fares\u0000 will rise", "contains a NUL character at position 5"),
        ("Fares \ud800 will rise", "contains an unpaired surrogate (U+D800) at position 6"),
    ],
)
def test_upload_of_claim_set_json_with_text_that_cannot_be_stored_names_the_json_path(client, statement, problem):
    client.force_login(make_user("edna", "Editors"))
    document = {"format": "editorial.claimset/1", "claims": [{"id": "c1", "statement": statement}]}
    upload = SimpleUploadedFile("claims.json", json.dumps(document).encode(), content_type="application/json")

    response = client.post(reverse("admin:sources_source_import"), {"files": [upload]})

    assert response.status_code == 200
    [message] = page_messages(response)
    assert message == f"claims.json: failed: invalid claim-set JSON: $.claims[0].statement: {problem}"
