import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_command():
    out, err = StringIO(), StringIO()
    call_command("create_demo_superuser", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_admin_with_the_printed_random_password():
    out, _ = run_command()

    match = re.search(r"Demo superuser created — username: admin, password: (\S+)", out)
    assert match, out
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password(match.group(1))
    assert len(match.group(1)) >= 16


def test_each_run_on_an_empty_database_picks_a_different_password(django_user_model):
    first, _ = run_command()
    django_user_model.objects.all().delete()
    second, _ = run_command()

    assert first.split("password: ")[1].split()[0] != second.split("password: ")[1].split()[0]


def test_existing_superuser_is_left_alone_and_reset_is_explained(django_user_model):
    existing = django_user_model.objects.create_superuser("chief", "", "old-password-123")

    out, _ = run_command()

    assert "already exists (chief)" in out
    assert "python manage.py changepassword chief" in out
    assert "Demo superuser created" not in out
    assert django_user_model.objects.count() == 1
    existing.refresh_from_db()
    assert existing.check_password("old-password-123")


def test_second_run_prints_no_password(django_user_model):
    run_command()
    out, _ = run_command()

    assert "already exists (admin)" in out
    assert "python manage.py changepassword admin" in out
    assert django_user_model.objects.filter(is_superuser=True).count() == 1


def test_plain_user_named_admin_is_not_promoted(django_user_model):
    django_user_model.objects.create_user("admin", "", "plain-password-123")

    out, err = run_command()

    assert "not a superuser" in err
    assert "Demo superuser created" not in out
    assert not django_user_model.objects.get(username="admin").is_superuser
