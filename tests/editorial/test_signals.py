"""Joining the Editors or Moderators group makes a user staff, so that they can log in to the admin."""

import pytest
from django.contrib.auth.models import Group, User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-new-editor-123"


def new_user(username="edna"):
    """A user as "Add user" in the admin creates one: not staff."""
    return User.objects.create_user(username, password=PASSWORD)


def logs_in_to_the_admin(client, username):
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": PASSWORD})
    if response.status_code != 302 or response["Location"] != "/admin/":
        return False
    return client.get("/admin/").status_code == 200


@pytest.mark.parametrize("group_name", ["Editors", "Moderators"])
def test_a_user_added_to_a_desk_group_becomes_staff_and_can_log_in(client, group_name):
    user = new_user()
    assert not logs_in_to_the_admin(client, "edna")

    user.groups.add(Group.objects.get(name=group_name))

    assert user.is_staff
    user.refresh_from_db()
    assert user.is_staff
    assert logs_in_to_the_admin(client, "edna")


def test_users_added_from_the_groups_side_become_staff():
    first, second = new_user("first"), new_user("second")

    Group.objects.get(name="Moderators").user_set.add(first, second)

    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {"first", "second"}


def test_other_groups_do_not_make_a_user_staff():
    user = new_user()

    user.groups.add(Group.objects.create(name="Newsletter readers"))

    user.refresh_from_db()
    assert not user.is_staff


def test_an_editor_added_in_the_admins_user_form_can_log_in(client, django_user_model):
    user = new_user()
    editors = Group.objects.get(name="Editors")
    chief = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123")
    client.force_login(chief)

    # The form as submitted with the group chosen and "Staff status" left unticked.
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "edna",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [editors.pk],
            "user_permissions": [],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        },
    )
    client.logout()

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.all()) == [editors]
    assert logs_in_to_the_admin(client, "edna")


def test_staff_status_unticked_later_stays_unticked_while_the_groups_stay_the_same():
    user = new_user()
    editors = Group.objects.get(name="Editors")
    user.groups.add(editors)
    User.objects.filter(pk=user.pk).update(is_staff=False)

    user.groups.set([editors])  # what the admin's form does when only "Staff status" changed

    user.refresh_from_db()
    assert not user.is_staff
