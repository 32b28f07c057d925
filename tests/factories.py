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
