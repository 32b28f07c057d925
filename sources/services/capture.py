"""Capturing documents as sources and revisions: the one home of the rules every importer follows.

``match_source`` says which stored source a document is a capture of; ``create_source`` stores a
new source (its publisher by name, its authors in byline order); ``capture_revision`` adds a
revision, moves ``current_revision`` and sends ``revision_added``, on which the editorial app
re-anchors the citations of the older revisions. The file importers (``sources.services.imports``)
and the editorial app's claim-set import call these; nothing else writes publishers, authors,
bylines or revisions, or sends ``revision_added``.

``CapturePlan`` (``sources.services.plan``) holds what an import has decided before it writes, by
these rules.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from sources.models import Author, Byline, Publisher, Revision, Source, normalise_name, text_sha256, unique_slugs
from sources.services.rows import insert, insert_history
from sources.signals import revision_added

# The matching rule's steps, in order: the first step that finds a source decides.
BY_URL, BY_TITLE, BY_TEXT = "url", "title", "text"
MATCH_STEPS = (BY_URL, BY_TITLE, BY_TEXT)


def find_publisher(name: str, *, lock: bool = False) -> Publisher | None:
    """Return the stored publisher called ``name`` (ignoring case; the oldest of several), or ``None``.

    With ``lock`` the row is locked until the transaction ends (``SELECT … FOR UPDATE``).
    """
    if not name:
        return None
    publishers = Publisher.objects.select_for_update() if lock else Publisher.objects.all()
    return publishers.filter(name__iexact=name).order_by("pk").first()


@transaction.atomic
def publisher_named(name: str) -> Publisher | None:
    """Return the publisher called ``name`` (ignoring case), created when there is none; ``None`` for no name."""
    if not name:
        return None
    publisher = find_publisher(name)
    if publisher is None:
        publisher = Publisher(name=name)
        publisher.full_clean(exclude=["slug"])
        publisher.save()
    return publisher


def _candidates(stored_publisher: Publisher | None, *, publisher: str, url: str) -> QuerySet | None:
    """Return the stored sources a document may be by title or by text, or ``None`` when there are none.

    They are the sources of the document's publisher (``stored_publisher``, found by the name
    ``publisher``; none for none) and, when the document has a URL, only those without one: a source
    with another URL is another document.
    """
    if publisher and stored_publisher is None:
        return None  # a publisher not yet in the database has no sources
    candidates = Source.objects.filter(publisher=stored_publisher)
    return candidates.filter(url="") if url else candidates


def _stored_matches(step: str, candidates: QuerySet | None, *, url: str, title: str, sha256: str | None) -> QuerySet:
    """Return the stored sources a document is by matching ``step``, oldest first."""
    if step == BY_URL:
        return Source.objects.filter(url=url).order_by("pk") if url else Source.objects.none()
    if candidates is None or (step == BY_TEXT and sha256 is None):
        return Source.objects.none()
    if step == BY_TITLE:
        return candidates.filter(title__iexact=title).order_by("pk")
    holding = Revision.objects.filter(source__in=candidates, sha256=sha256)
    return Source.objects.filter(pk__in=holding.values("source_id")).order_by("pk")


def match_source(*, url: str, publisher: str, title: str, sha256: str | None = None) -> Source | None:
    """Return the stored source a document is a capture of, or ``None`` for a new document.

    One rule for every importer, the first step that finds a source deciding:

    1. the source with the same URL;
    2. else, where either side has no URL, a source of the same publisher (``publisher`` is a name,
       compared ignoring case; ``""`` matches sources without one) with the same title, ignoring
       case;
    3. else, likewise, a source of the same publisher that already holds the text whose SHA-256 is
       ``sha256``: a changed headline over unchanged text is not a new document. Callers pass the
       hash of the text they capture (a claim-set source, of its newest revision); without one the
       step is left out.

    Of several sources that fit a step, the oldest wins.
    """
    candidates = _candidates(find_publisher(publisher), publisher=publisher, url=url)
    for step in MATCH_STEPS:
        if source := _stored_matches(step, candidates, url=url, title=title, sha256=sha256).first():
            return source
    return None


def _get_or_create_author(name):
    key = normalise_name(name)
    author = Author.objects.filter(normalised_name=key).first()
    if author is None:
        author = Author(name=" ".join(name.split()))
        author.normalised_name = key  # save() derives it too; full_clean() needs it first
        author.full_clean()
        author.save()
    return author


@transaction.atomic
def set_bylines(source: Source, authors: Iterable[tuple[str, str]]) -> None:
    """Replace the source's byline rows with ``authors``, ``(name, location)`` pairs in byline order.

    A person is one author row, found by normalised name (case, spaces) or created, and one byline
    row, the first time they are named.
    """
    source.bylines.all().delete()
    seen = set()
    for name, location in authors:
        author = _get_or_create_author(name)
        if author.pk in seen:
            continue
        seen.add(author.pk)
        byline = Byline(source=source, author=author, position=len(seen), location=location)
        byline.full_clean()
        byline.save()


@transaction.atomic
def create_source(
    *,
    title: str,
    publisher: str = "",
    url: str = "",
    section: str = "",
    language: str = "",
    byline: str = "",
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    authors: Iterable[tuple[str, str]] = (),
) -> Source:
    """Create a source with its byline rows and return it, without revisions (``capture_revision`` adds them).

    ``publisher`` is a name: the stored publisher of that name (ignoring case), else a new one.
    ``authors`` are ``(name, location)`` pairs, as ``set_bylines`` takes them. Raises
    ``ValidationError`` for a value the models refuse, having written nothing.
    """
    source = Source(
        title=title,
        publisher=publisher_named(publisher),
        url=url,
        section=section,
        language=language,
        byline=byline,
        published_at=published_at,
        updated_at=updated_at,
    )
    source.full_clean(exclude=["current_revision", "slug"])
    source.save()
    set_bylines(source, authors)
    return source


@transaction.atomic
def capture_revision(
    *,
    source: Source,
    text: str,
    title: str,
    byline: str,
    user,
    origin: str,
    format: str,
    encoding: str,
    original: bytes,
    captured_at: datetime | None = None,
    publisher_updated_at: datetime | None = None,
    number: int | None = None,
    announce: bool = True,
    encoding_confidence: float | None = None,
    reason: str = "",
) -> Revision:
    """Add a revision holding ``text`` to ``source`` and return it.

    The revision gets the next number, or ``number`` (a claim-set import restoring a backup's
    numbering). ``title`` and ``byline`` are the headline and byline at capture, ``user`` who
    captured (or ``None``), ``origin`` the file name or URL, ``format`` and ``encoding`` how the
    ``original`` bytes were read (``encoding_confidence``: how sure that reading is, 0 to 1), and
    ``reason`` why it was captured when not by a plain import; ``captured_at`` defaults to now.
    Values longer than their columns are cut to fit.

    When the revision is the source's newest it becomes ``current_revision``, and when the source
    had a revision before, ``revision_added`` is sent with the revision that was current (or the
    newest one), so that the citations of the older revisions are re-anchored. ``announce=False``
    leaves that signal out, for callers that re-anchor themselves (tests). Runs in one transaction:
    a refused value (``ValidationError``) or a receiver's error leaves nothing behind. Two captures
    of one source at the same time collide on the revision number (``IntegrityError``); callers
    that must serialise them lock the source row first.
    """
    newest = source.revisions.aggregate(last=Max("number"))["last"] or 0
    previous = (source.current_revision or source.revisions.order_by("-number").first()) if newest else None
    revision = Revision(
        source=source,
        number=number or newest + 1,
        text=text,
        sha256=text_sha256(text),
        publisher_updated_at=publisher_updated_at,
        title=title[:500],
        byline=byline[:500],
        captured_by=user,
        origin=origin[:1000],
        format=format,
        encoding=encoding[:40],
        encoding_confidence=encoding_confidence,
        reason=reason[:500],
        original=original,
    )
    if captured_at is not None:
        revision.captured_at = captured_at
    revision.full_clean()
    revision.save()
    if revision.number > newest:
        source.current_revision = revision
        source.save(update_fields=["current_revision", "modified_at"])
        if announce and previous is not None:
            revision_added.send(sender=Revision, revision=revision, previous=previous)
    return revision


# Creating many sources at once ----------------------------------------------------------------------


@dataclass
class NewSource:
    """A source for ``create_sources``, with its revisions, as ``create_source`` and ``capture_revision`` take them."""

    fields: dict  # title, url, section, language, byline, published_at, updated_at
    publisher: str = ""
    authors: list = field(default_factory=list)  # (name, location) in byline order
    # (number, text, captured_at, publisher_updated_at), oldest first; a fifth item, a dict, may give
    # the revision's own title, byline, captured_by, origin, format, encoding and original (a restore).
    revisions: list = field(default_factory=list)


@transaction.atomic
def create_sources(new: list[NewSource], *, user, origin: str, format: str, encoding: str) -> list[Source]:
    """Create the sources ``new`` describes with their bylines and revisions; return them, in order.

    The rows — history included — are those ``create_source`` and one ``capture_revision`` per
    revision write, with a few queries per kind of row for any number of sources: for imports of
    thousands. ``revision_added`` is not sent: a new source has no citations to re-anchor. Fields
    are checked as ``full_clean`` checks them; the database enforces the unique constraints.
    """
    now = timezone.now()
    publishers = {name: publisher_named(name) for name in {item.publisher for item in new}}
    titles = [item.fields["title"] for item in new]
    sources = [
        Source(**item.fields, publisher=publishers[item.publisher], slug=slug)
        for item, slug in zip(new, unique_slugs(Source, titles), strict=True)
    ]
    for source in sources:
        source.clean_fields(exclude=["publisher", "current_revision"])  # rows in hand: no query to find them
    insert(Source, sources)
    insert_history(Source, sources, default_date=now)
    _create_bylines(sources, [item.authors for item in new])

    revisions = []
    for source, item in zip(sources, new, strict=True):
        for number, text, captured_at, publisher_updated_at, *details in item.revisions:
            revision = Revision(
                source=source,
                number=number,
                text=text,
                sha256=text_sha256(text),
                publisher_updated_at=publisher_updated_at,
                title=source.title[:500],
                byline=source.byline[:500],
                captured_by=user,
                origin=origin[:1000],
                format=format,
                encoding=encoding[:40],
                original=b"",
                captured_at=captured_at or now,
            )
            for name, value in (details[0] if details else {}).items():
                setattr(revision, name, value)
            revision.clean_fields(exclude=["source", "captured_by"])
            revisions.append(revision)
            source.current_revision, source.modified_at = revision, now  # the revisions come oldest first
    insert(Revision, revisions)
    _point_at_newest(sources, now)
    # capture_revision saves the source once per revision, each save a history row.
    insert_history(Source, [revision.source for revision in revisions], update=True, default_date=now)
    return sources


def _point_at_newest(sources, now):
    """Store ``sources``' ``current_revision`` (set in hand) and ``modified_at``: one statement on PostgreSQL."""
    for source in sources:
        source.current_revision = source.current_revision  # its key, now that it has one
    if connection.vendor != "postgresql":
        Source.objects.bulk_update(sources, ["current_revision", "modified_at"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sources_source SET current_revision_id = newest.revision, modified_at = %s"
            " FROM unnest(%s::bigint[], %s::bigint[]) AS newest(source, revision) WHERE id = newest.source",
            [now, [source.pk for source in sources], [source.current_revision_id for source in sources]],
        )


def _create_bylines(sources, authors_of):
    """Write the byline rows of ``sources`` (``authors_of``: their ``(name, location)`` lists), as ``set_bylines``."""
    names = {}  # normalised name → the name as first printed
    for authors in authors_of:
        for name, _ in authors:
            names.setdefault(normalise_name(name), " ".join(name.split()))
    keys = list(names)
    authors = {}
    for start in range(0, len(keys), 500):
        authors |= {a.normalised_name: a for a in Author.objects.filter(normalised_name__in=keys[start : start + 500])}
    missing = [key for key in keys if key not in authors]
    slugs = unique_slugs(Author, [names[key] for key in missing])
    created = [
        Author(name=names[key], normalised_name=key, slug=slug) for key, slug in zip(missing, slugs, strict=True)
    ]
    for author in created:
        author.clean_fields()
    authors |= {author.normalised_name: author for author in Author.objects.bulk_create(created)}
    bylines = []
    for source, listed in zip(sources, authors_of, strict=True):
        seen = set()
        for name, location in listed:
            author = authors[normalise_name(name)]
            if author.pk not in seen:
                seen.add(author.pk)
                bylines.append(Byline(source=source, author=author, position=len(seen), location=location))
    for byline in bylines:
        byline.clean_fields(exclude=["source", "author"])
    Byline.objects.bulk_create(bylines)
