"""The admin tests' users (an editor, a moderator, logged in or not), a source and claims citing it."""

import pytest

from editorial.services.citations import cite
from tests.editorial.admin.helpers import TEXT
from tests.factories import (
    make_citation,
    make_claim,
    make_published_claim,
    make_publisher,
    make_source,
    make_speaker,
    make_user,
)


@pytest.fixture
def editor():
    return make_user("edna", "Editors")


@pytest.fixture
def moderator():
    return make_user("mona", "Moderators")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def source():
    return make_source("Council closes libraries", TEXT, publisher=make_publisher("The Harbour Gazette"))


@pytest.fixture
def claim(editor, source):
    claim = make_claim(
        "The council voted to close two libraries.",
        created_by=editor,
        speaker=make_speaker("City council"),
        tags=["libraries"],
    )
    cite(claim=claim, revision=source.current_revision, excerpt="voted on Thursday to close two libraries")
    return claim


@pytest.fixture
def claims():
    published = make_published_claim("Fares rise by a tenth in May.")
    draft = make_claim("DRAFT claim still being written.")
    make_citation(draft)
    other = make_published_claim("Season tickets are frozen.")
    return published, draft, other
