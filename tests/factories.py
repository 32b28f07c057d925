"""Small factories for tests: plain functions that build valid rows with sensible defaults."""

import itertools

from sources.models import Author, Byline, Publisher, Revision, Source

_counter = itertools.count(1)


def make_publisher(name=None, **fields):
    return Publisher.objects.create(name=name or f"Publisher {next(_counter)}", **fields)


def make_author(name=None):
    return Author.objects.create(name=name or f"Author {next(_counter)}")


def make_source(title=None, text="A first paragraph.\n\nA second paragraph.", *, authors=(), **fields):
    """Create a source with one revision holding ``text`` and make it current."""
    source = Source.objects.create(title=title or f"Source {next(_counter)}", **fields)
    for position, (name, location) in enumerate(authors, start=1):
        author = Author.objects.filter(normalised_name=" ".join(name.casefold().split())).first()
        Byline.objects.create(source=source, author=author or make_author(name), position=position, location=location)
    add_revision(source, text)
    return source


def add_revision(source, text, **fields):
    number = (source.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = Revision.objects.create(source=source, number=number, text=text, title=source.title, **fields)
    source.current_revision = revision
    source.save(update_fields=["current_revision"])
    return revision


# Editorial ---------------------------------------------------------------------------------------


def make_user(username=None, *groups, **fields):
    """Create a staff user in the named groups ("Editors", "Moderators") the migrations created."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username=username or f"user{next(_counter)}", password="pw-test-123", is_staff=True, **fields
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_speaker(name=None, **fields):
    from editorial.models import Speaker

    return Speaker.objects.create(name=name or f"Speaker {next(_counter)}", **fields)


def make_claim(statement=None, *, tags=(), **fields):
    """Create a draft claim (or pass ``status``) with ``tags``."""
    from editorial.models import Claim

    claim = Claim.objects.create(statement=statement or f"Claim number {next(_counter)} was made.", **fields)
    if tags:
        claim.tags.add(*tags)
    return claim


def make_citation(claim=None, revision=None, excerpt=None, **fields):
    """Cite ``excerpt`` (by default the first sentence) of ``revision`` (by default a new source's)."""
    from editorial.anchoring import cite

    claim = claim or make_claim()
    revision = revision or make_source().current_revision
    if excerpt is None:
        excerpt = revision.text.split(".")[0] + "."
    return cite(claim=claim, revision=revision, excerpt=excerpt, **fields)
