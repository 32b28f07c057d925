import pytest


@pytest.fixture(autouse=True)
def empty_process_cache():
    """Empty the claim cards a process keeps (``editorial.views.cards``): tests reuse ids."""
    from editorial.views.cards import _process_cards

    _process_cards.clear()


@pytest.fixture
def staff_user(django_user_model):
    """A staff user with every permission of the sources app (an editor, not a superuser)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="editor", password="pw-editor-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="sources"))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
