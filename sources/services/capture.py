"""Capturing documents as sources and revisions: the one home of the rules every importer follows.

``match_source`` says which stored source a document is a capture of; ``create_source`` stores a
new source (its publisher by name, its authors in byline order); ``capture_revision`` adds a
revision, moves ``current_revision`` and sends ``revision_added``, on which the editorial app
re-anchors the citations of the older revisions. The file importers (``sources.services.imports``)
and the editorial app's claim-set import call these; nothing else writes publishers, authors,
bylines or revisions, or sends ``revision_added``.

``CapturePlan`` holds what an import has decided before it writes: the sources it will create and
the revisions it will add, matched by the same rule as stored sources. Importers decide everything
first, into a plan, and then write what the plan says; a dry run is an import that stops after
deciding, so it reports what a real run does without writing anything. Across the files of one
dry run the plan carries on, so that later files see what earlier ones would have saved.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.db.models import Max, QuerySet

from sources.models import Author, Byline, Publisher, Revision, Source, normalise_name, text_sha256
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
) -> Revision:
    """Add a revision holding ``text`` to ``source`` and return it.

    The revision gets the next number, or ``number`` (a claim-set import restoring a backup's
    numbering). ``title`` and ``byline`` are the headline and byline at capture, ``user`` who
    captured (or ``None``), ``origin`` the file name or URL, ``format`` and ``encoding`` how the
    ``original`` bytes were read; ``captured_at`` defaults to now. Values longer than their columns
    are cut to fit.

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


# Deciding before writing -------------------------------------------------------------------------


@dataclass
class PlannedSource:
    """A source as an import will leave it: a stored one it adds revisions to, or one it creates."""

    url: str
    publisher: str  # the publisher's name, "" for none
    title: str
    numbers: dict[str, int] = field(default_factory=dict)  # SHA-256 of each revision's text → its number
    source: Source | None = None  # the stored source; for a new one, set when it is created

    def matches(self, step: str, *, url: str, publisher: str, title: str, sha256: str | None) -> bool:
        """Return whether a document is this source by matching ``step``, as ``match_source`` decides."""
        if step == BY_URL:
            return bool(url) and self.url == url
        if self.publisher.casefold() != publisher.casefold() or (url and self.url):
            return False
        if step == BY_TITLE:
            return self.title.casefold() == title.casefold()
        return sha256 is not None and sha256 in self.numbers

    def next_number(self) -> int:
        return max(self.numbers.values(), default=0) + 1


class CapturePlan:
    """The sources an import will create and the revisions it will add, decided by reading only.

    ``match`` finds a document's source among what the plan holds and, step by step of the same
    rule, among the stored sources. The plan changes only through its methods (``create``,
    ``update``, ``add_revision``), which keep it indexed, so that matching stays quick however many
    sources an import plans. With ``lock`` (a real import, inside its transaction) the publisher and
    the matched source are locked until the transaction ends, so that two imports of one document
    cannot both create it or both number a revision alike.
    """

    def __init__(self, *, lock: bool = False):
        self.lock = lock
        self.sources: list[PlannedSource] = []
        self._publishers: dict[str, Publisher | None] = {}
        self._index: dict[tuple, list[PlannedSource]] = {}  # a key of the matching rule → sources
        self._tracked: dict[int, PlannedSource] = {}  # stored source pk → its planned source

    def publisher(self, name: str) -> Publisher | None:
        """Return the stored publisher called ``name`` (ignoring case), or ``None``; read once per plan."""
        if name not in self._publishers:
            self._publishers[name] = find_publisher(name, lock=self.lock)
        return self._publishers[name]

    def match(self, *, url: str, publisher: str, title: str, sha256: str | None = None) -> PlannedSource | None:
        """Return the planned source a document is, or ``None`` for a new one (see ``match_source``).

        The plan's sources are matched as the plan will leave them, the other stored ones as they are
        stored; at each step of the rule the oldest stored source wins, then the first new one
        planned, as they would once written.
        """
        candidates = _candidates(self.publisher(publisher), publisher=publisher, url=url)
        details = {"url": url, "publisher": publisher, "title": title, "sha256": sha256}
        for step in MATCH_STEPS:
            key = _key(step, url=url, publisher=publisher, title=title, sha256=sha256)
            found = [planned for planned in self._index.get(key, []) if planned.matches(step, **details)]
            found.sort(key=lambda planned: (planned.source is None, planned.source.pk if planned.source else 0))
            # A source the plan holds is matched as the plan leaves it, above; not as it is stored.
            matches = _stored_matches(step, candidates, url=url, title=title, sha256=sha256)
            untracked = (source for source in matches.iterator(chunk_size=20) if source.pk not in self._tracked)
            stored = next(untracked, None)
            if stored is not None and (not found or found[0].source is None or stored.pk < found[0].source.pk):
                return self._track(stored)
            if found:
                return found[0]
        return None

    def _track(self, stored: Source) -> PlannedSource:
        if stored.pk in self._tracked:
            return self._tracked[stored.pk]
        if self.lock:
            stored = Source.objects.select_for_update().get(pk=stored.pk)
        planned = PlannedSource(
            url=stored.url,
            publisher=stored.publisher.name if stored.publisher_id else "",
            title=stored.title,
            numbers=dict(stored.revisions.values_list("sha256", "number")),
            source=stored,
        )
        self._add(planned)
        return planned

    def create(self, *, url: str, publisher: str, title: str) -> PlannedSource:
        """Plan a new source; it is matched by later documents from here on."""
        planned = PlannedSource(url=url, publisher=publisher, title=title)
        self._add(planned)
        return planned

    def update(self, planned: PlannedSource, *, url: str, publisher: str, title: str) -> None:
        """Record that a capture changes the source's address, publisher or title."""
        self._unindex(planned)
        planned.url, planned.publisher, planned.title = url, publisher, title
        self._index_keys(planned)

    def add_revision(self, planned: PlannedSource, sha256: str, number: int | None = None) -> int:
        """Plan a revision holding the text ``sha256`` hashes, numbered next or ``number``; return its number."""
        if sha256 not in planned.numbers:
            key = _key(BY_TEXT, url="", publisher=planned.publisher, title="", sha256=sha256)
            self._index.setdefault(key, []).append(planned)
        planned.numbers[sha256] = number = number or planned.next_number()
        return number

    def fork(self) -> "CapturePlan":
        """Return a copy to plan one document in; ``adopt`` it once the document is accepted."""
        fork = CapturePlan(lock=self.lock)
        fork._publishers = dict(self._publishers)
        for planned in self.sources:
            fork._add(replace(planned, numbers=dict(planned.numbers)))
        return fork

    def adopt(self, fork: "CapturePlan") -> None:
        self.sources, self._publishers, self._index, self._tracked = (
            fork.sources,
            fork._publishers,
            fork._index,
            fork._tracked,
        )

    def _add(self, planned):
        self.sources.append(planned)
        if planned.source is not None:
            self._tracked[planned.source.pk] = planned
        self._index_keys(planned)

    def _keys(self, planned):
        keys = [_key(BY_TITLE, url="", publisher=planned.publisher, title=planned.title, sha256=None)]
        keys += [
            _key(BY_TEXT, url="", publisher=planned.publisher, title="", sha256=sha256) for sha256 in planned.numbers
        ]
        return [*keys, _key(BY_URL, url=planned.url, publisher="", title="", sha256=None)] if planned.url else keys

    def _index_keys(self, planned):
        for key in self._keys(planned):
            self._index.setdefault(key, []).append(planned)

    def _unindex(self, planned):
        for key in self._keys(planned):
            self._index[key] = [other for other in self._index[key] if other is not planned]


def _key(step, *, url, publisher, title, sha256):
    """Return the index key under which ``step`` of the matching rule looks for a document's source."""
    if step == BY_URL:
        return (BY_URL, url)
    if step == BY_TITLE:
        return (BY_TITLE, publisher.casefold(), title.casefold())
    return (BY_TEXT, publisher.casefold(), sha256)
