import pytest


@pytest.fixture(autouse=True)
def empty_process_cache():
    """Empty what a process keeps for itself: the claim cards (``editorial.views.cards``: tests reuse
    ids) and the pages served last (``editorial.public.http``: every test's empty record is ``0.0.0``).
    """
    from editorial.public.http import recent_pages
    from editorial.views.cards import _process_cards

    _process_cards.clear()
    pages = recent_pages()
    if pages is not None:
        pages.clear()


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
