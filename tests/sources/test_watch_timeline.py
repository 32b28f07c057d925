"""A watched page that changes back to an older text: a new revision, since revisions are the
publisher's timeline; citations re-anchor against it and the moderation queue follows."""

import pytest
from django.core.management import call_command

from editorial.admin.moderation import source_changed_citations
from editorial.models import AnchorState, Citation
from sources.models import Revision, Source
from sources.services import capture_url, check_source, import_file
from tests.factories import make_published_claim
from tests.sources.webserver import article

pytestmark = pytest.mark.django_db

MAY = article(
    "Pier repairs to start in May",
    "The council said on Tuesday that repairs to the old pier would start in May and take a year.",
)
JUNE = article(
    "Pier repairs to start in June",
    "The council said on Tuesday that repairs to the old pier would start in June and take a year.",
)


def test_a_page_that_changes_back_gets_a_new_revision_with_the_old_text(site, capsys):
    url = site.page("/pier", MAY, etag='"may"')
    source = Source.objects.get(pk=capture_url(url, watch=True).source.pk)
    may_claim = make_published_claim(
        "Repairs start in May.", revision=source.current_revision, excerpt="repairs to the old pier would start in May"
    )
    site.page("/pier", JUNE, etag='"june"')
    assert str(check_source(source)).startswith(f"{url}: new revision 2")
    source.refresh_from_db()
    june_claim = make_published_claim(
        "Repairs start in June.",
        revision=source.current_revision,
        excerpt="repairs to the old pier would start in June",
    )
    assert [citation.claim for citation in source_changed_citations()] == [may_claim]

    site.page("/pier", MAY, etag='"may-again"')
    call_command("watch_sources", "--once", "--all")

    assert capsys.readouterr().out.splitlines()[0] == f"{url}: new revision 3"
    first, second, third = Revision.objects.filter(source=source).order_by("number")
    assert third.text == first.text and third.sha256 == first.sha256 and second.text != first.text
    assert third.capture.etag == '"may-again"'
    source.refresh_from_db()
    assert source.current_revision == third
    # The May citation holds again, word for word; the June one is now the one to check.
    may_citation, june_citation = Citation.objects.get(claim=may_claim), Citation.objects.get(claim=june_claim)
    assert (may_citation.anchor_state, may_citation.anchored_revision) == (AnchorState.EXACT, third)
    assert (june_citation.anchor_state, june_citation.anchored_revision) == (AnchorState.FUZZY, third)
    assert [citation.claim for citation in source_changed_citations()] == [june_claim]

    # Checked again with the text unchanged, nothing is added.
    site.page("/pier", MAY)
    assert check_source(source).status == "unchanged"
    assert source.revisions.count() == 3


def test_a_capture_from_the_admin_of_a_page_that_changed_back_is_a_new_revision_too(site):
    url = site.page("/pier", MAY)
    capture_url(url)
    site.page("/pier", JUNE)
    capture_url(url)
    site.page("/pier", MAY)

    outcome = capture_url(url)

    assert (outcome.status, outcome.revision.number) == ("new revision", 3)


def test_a_file_import_of_an_older_text_still_changes_nothing():
    # Files are not a timeline: importing an old copy again must not make it the newest revision.
    first = b"---\ntitle: Pier repairs\nurl: https://harbour-gazette.example/pier\n---\n\nRepairs start in May.\n"
    second = first.replace(b"May", b"June")
    import_file(data=first, filename="pier.md")
    import_file(data=second, filename="pier.md")

    outcome = import_file(data=first, filename="pier.md")

    assert outcome.status == "unchanged" and Revision.objects.count() == 2
