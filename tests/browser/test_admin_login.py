import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_superuser_logs_in_to_the_admin(page, live_server, login, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123")

    login("chief", "pw-chief-123")

    expect(page.get_by_role("heading", name="Sources, claims and moderation")).to_be_visible()


def test_anonymous_visitor_is_sent_to_the_login_form(page, live_server):
    page.goto(f"{live_server.url}/admin/sources/source/")

    expect(page.get_by_label("Username")).to_be_visible()
    assert "/admin/login/" in page.url
