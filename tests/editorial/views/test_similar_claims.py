"""The public claim page's "Similar claims (found automatically by wording)", from the read model alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import ClaimRelation
from tests.factories import make_claim, make_published_claim, make_user

pytestmark = pytest.mark.django_db

HEADING = "Similar claims (found automatically by wording)"
LIBRARIES = "The city council voted on Thursday to close two public libraries in the northern districts."
LIBRARIES_AGAIN = "On Thursday the city council voted to close two public libraries in the northern districts."
FERRIES = "Ferry fares between the islands are frozen for the whole of next year."
SCRIPT = "<script>alert(1)</script>"


def similar_section(client, claim):
    page = client.get(claim.get_absolute_url()).content.decode()
    return page.split(HEADING)[1].split("</section>")[0] if HEADING in page else ""


def test_a_published_claim_worded_alike_is_listed_apart_from_the_relations(client):
    claim = make_published_claim(LIBRARIES)
    alike = make_published_claim(LIBRARIES_AGAIN)
    make_published_claim(FERRIES)

    section = similar_section(client, claim)

    assert f'href="{alike.get_absolute_url()}"' in section and LIBRARIES_AGAIN in section
    assert FERRIES not in section


def test_a_draft_worded_alike_never_appears(client):
    claim = make_published_claim(LIBRARIES)
    make_claim(LIBRARIES_AGAIN)

    assert similar_section(client, claim) == ""


def test_a_claim_already_related_is_listed_once_under_the_relations(client):
    claim = make_published_claim(LIBRARIES)
    alike = make_published_claim(LIBRARIES_AGAIN)
    ClaimRelation.objects.create(from_claim=alike, to_claim=claim, kind="duplicates")

    page = client.get(claim.get_absolute_url()).content.decode()

    assert "Duplicated by:" in page
    assert page.count(f'href="{alike.get_absolute_url()}"') == 1
    assert HEADING not in page


def test_an_edit_shows_only_once_a_moderator_approves_it(client):
    claim = make_published_claim(LIBRARIES)
    other = make_published_claim(FERRIES)
    editor, moderator = make_user("edna", "Editors"), make_user("mona", "Moderators")
    assert similar_section(client, claim) == ""  # and the page is now in the page cache

    other.statement = LIBRARIES_AGAIN
    other.save()
    other.submit_changes(editor)
    assert similar_section(client, claim) == ""  # the approved statement is still the ferries'

    other.correct(moderator, "Reworded from the council's minutes.")
    section = similar_section(client, claim)
    assert LIBRARIES_AGAIN in section and f'href="{other.get_absolute_url()}"' in section


def test_similar_statements_are_escaped(client):
    claim = make_published_claim(LIBRARIES)
    make_published_claim(f"{SCRIPT} {LIBRARIES_AGAIN}")

    section = similar_section(client, claim)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert SCRIPT not in section


def test_the_page_costs_the_same_queries_with_one_similar_claim_or_five(client, django_assert_max_num_queries):
    claim = make_published_claim(LIBRARIES)
    make_published_claim(LIBRARIES_AGAIN)
    with CaptureQueriesContext(connection) as one:
        assert client.get(claim.get_absolute_url()).status_code == 200
    for n in range(4):
        make_published_claim(
            f"On Thursday the city council voted to close two public libraries in the northern districts, {n}."
        )

    with django_assert_max_num_queries(len(one)):
        section = similar_section(client, claim)
    assert section.count("<li>") == 5


def test_a_pair_dismissed_in_the_admin_leaves_both_public_pages(client):
    from django.test import Client
    from django.urls import reverse

    claim = make_published_claim(LIBRARIES)
    alike = make_published_claim(LIBRARIES_AGAIN)
    assert LIBRARIES_AGAIN in similar_section(client, claim)  # and the page is now in the page cache
    editor = Client()
    editor.force_login(make_user("edna", "Editors"))

    editor.post(reverse("admin:editorial_claim_similar_act", args=[claim.pk, alike.pk, "dismiss"]))

    assert similar_section(client, claim) == ""
    assert similar_section(client, alike) == ""
