"""The source page's list of the claims citing it."""

import pytest
from django.urls import reverse

from editorial.admin.sources import citing_claims_html
from tests.editorial.admin.helpers import TEXT
from tests.factories import add_announced_revision, make_source

pytestmark = pytest.mark.django_db


def test_citing_claims_html_lists_claims_with_their_anchor_states(claim, source):
    add_announced_revision(source, TEXT.replace("two libraries", "three libraries"))

    html = str(citing_claims_html(source))

    assert "The council voted to close two libraries." in html
    assert reverse("admin:editorial_claim_change", args=[claim.pk]) in html
    assert "Source changed" in html
    assert f"?source={source.pk}" in html
    assert "No claims cite" in str(citing_claims_html(make_source()))


def test_the_source_admin_page_lists_the_claims_citing_it(moderator_client, claim, source):
    add_announced_revision(source, TEXT.replace("two libraries", "three libraries"))

    response = moderator_client.get(reverse("admin:sources_source_change", args=[source.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Claims citing this source" in page
    assert reverse("admin:editorial_claim_change", args=[claim.pk]) in page
    assert "Source changed" in page
