"""The admin site is the project's branded one, and the apps register on it."""

import pytest
from django.contrib import admin

from config.admin import EditorialAdminSite


def test_the_default_admin_site_is_the_branded_one():
    assert isinstance(admin.site, EditorialAdminSite)
    assert admin.site.site_header == "Editorial desk"
    assert admin.site.site_title == "Editorial desk"
    assert admin.site.index_title == "Sources, claims and moderation"


def test_the_apps_models_are_registered_on_it():
    from editorial.models import Claim
    from sources.models import Source

    assert admin.site.is_registered(Claim)
    assert admin.site.is_registered(Source)


@pytest.mark.django_db
def test_the_admin_pages_carry_the_branding(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123"))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["site_header"] == "Editorial desk"
    assert response.context["site_title"] == "Editorial desk"
    assert response.context["title"] == "Sources, claims and moderation"
