"""Deciding an import before writing it: ``CapturePlan`` and ``PlannedSource``.

``CapturePlan`` holds what an import has decided before it writes: the sources it will create and
the revisions it will add, matched by the same rule as stored sources (``capture.match_source``).
Importers decide everything first, into a plan, and then write what the plan says; a dry run is an
import that stops after deciding, so it reports what a real run does without writing anything.
Across the files of one dry run the plan carries on, so that later files see what earlier ones
would have saved. For imports of thousands of sources, ``CapturePlan.prefetch`` reads their stored
matches in bulk first.
"""

from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from sources.models import Publisher, Revision, Source
from sources.services.capture import (
    BY_TEXT,
    BY_TITLE,
    BY_URL,
    MATCH_STEPS,
    _candidates,
    _stored_matches,
    find_publisher,
)

# Values per query when ``CapturePlan.prefetch`` reads stored sources (SQLite takes 999 parameters).
PREFETCH_CHUNK = 400


@dataclass
class PlannedSource:
    """A source as an import will leave it: a stored one it adds revisions to, or one it creates."""

    url: str
    publisher: str  # the publisher's name, "" for none
    title: str
    numbers: dict[str, int] = field(default_factory=dict)  # SHA-256 of each revision's text → its (newest) number
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
        # What ``prefetch`` read: a key of the matching rule → the stored sources it finds, oldest first
        # (before the URL filter of step 2 and 3); stored source pk → {SHA-256: revision number}.
        self._stored: dict[tuple, list[Source]] = {}
        self._stored_numbers: dict[int, dict[str, int]] = {}

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
            matches = self._prefetched_matches(step, candidates, **details)
            if matches is None:
                matches = _stored_matches(step, candidates, url=url, title=title, sha256=sha256).iterator(chunk_size=20)
            untracked = (source for source in matches if source.pk not in self._tracked)
            stored = next(untracked, None)
            if stored is not None and (not found or found[0].source is None or stored.pk < found[0].source.pk):
                return self._track(stored)
            if found:
                return found[0]
        return None

    def prefetch(self, documents: list[dict]) -> None:
        """Read at once the stored sources ``match`` would look up for each of ``documents``.

        ``documents`` are ``match``'s keyword arguments (``url``, ``publisher``, ``title``,
        ``sha256``). Afterwards ``match`` finds their stored sources without a query, by the same
        rule: a few queries per ``PREFETCH_CHUNK`` documents and step replace up to three per
        document. The database is read as it is now; a plan that prefetched is for deciding, before
        anything is written. With ``lock`` the sources are locked as ``match`` finds them, as before.
        """
        publishers = {name: self.publisher(name) for name in {document["publisher"] for document in documents}}
        urls = list({document["url"] for document in documents if document["url"]})
        for chunk in _chunks(urls):
            self._stored |= {(BY_URL, url): [] for url in chunk}
            for source in Source.objects.filter(url__in=chunk).select_related("publisher").order_by("pk"):
                self._stored[(BY_URL, source.url)].append(source)

        # Title and text are looked for among a stored publisher's sources (none for a publisher not
        # yet stored); the URL filter is applied when matching, per document.
        searched = [
            (publishers[document["publisher"]], document)
            for document in documents
            if not (document["publisher"] and publishers[document["publisher"]] is None)
        ]
        titles = list({(_pk(publisher), document["title"]) for publisher, document in searched})
        for chunk in _chunks(titles):
            # The database compares ignoring case as ``title__iexact`` does: UPPER on both sides.
            keys = _upper([title for _, title in chunk])
            wanted = {(publisher_pk, key) for (publisher_pk, _), key in zip(chunk, keys, strict=True)}
            found = {}
            rows = _of_publishers(Source.objects.all(), {publisher_pk for publisher_pk, _ in chunk})
            rows = rows.annotate(title_key=Upper("title")).filter(title_key__in=list({key for _, key in wanted}))
            for source in rows.select_related("publisher").order_by("pk"):
                if (source.publisher_id, source.title_key) in wanted:
                    found.setdefault((source.publisher_id, source.title_key), []).append(source)
            for (publisher_pk, title), key in zip(chunk, keys, strict=True):
                self._stored[(BY_TITLE, publisher_pk, title)] = found.get((publisher_pk, key), [])

        hashes = list({(_pk(publisher), document["sha256"]) for publisher, document in searched if document["sha256"]})
        for chunk in _chunks(hashes):
            holding = Revision.objects.filter(sha256__in=list({sha256 for _, sha256 in chunk}))
            holding = holding.filter(source__in=_of_publishers(Source.objects.all(), {pk for pk, _ in chunk}))
            pairs = set(holding.values_list("source_id", "sha256"))
            sources = Source.objects.filter(pk__in={source_pk for source_pk, _ in pairs}).select_related("publisher")
            by_pk = {source.pk: source for source in sources}
            found = {}
            for source_pk, sha256 in sorted(pairs):
                source = by_pk[source_pk]
                found.setdefault((source.publisher_id, sha256), []).append(source)
            for key in chunk:
                self._stored[(BY_TEXT, *key)] = found.get(key, [])

        stored = {source.pk for sources in self._stored.values() for source in sources}
        for chunk in _chunks(list(stored - set(self._stored_numbers))):
            self._stored_numbers |= {pk: {} for pk in chunk}
            # In number order: a text that several revisions hold (a page that changed back) maps to the newest.
            for source_pk, sha256, number in (
                Revision.objects.filter(source__in=chunk)
                .order_by("number")
                .values_list("source_id", "sha256", "number")
            ):
                self._stored_numbers[source_pk][sha256] = number

    def _prefetched_matches(self, step, candidates, *, url, publisher, title, sha256) -> list[Source] | None:
        """Return what ``_stored_matches`` finds, from what ``prefetch`` read; ``None`` when it did not read it."""
        if step == BY_URL:
            return self._stored.get((BY_URL, url)) if url else []
        if candidates is None or (step == BY_TEXT and sha256 is None):
            return []
        key = (step, _pk(self._publishers.get(publisher)), title if step == BY_TITLE else sha256)
        found = self._stored.get(key)
        return [source for source in found if not source.url] if found is not None and url else found

    def _track(self, stored: Source) -> PlannedSource:
        if stored.pk in self._tracked:
            return self._tracked[stored.pk]
        if self.lock:
            stored = Source.objects.select_for_update().get(pk=stored.pk)
        numbers = self._stored_numbers.get(stored.pk)
        planned = PlannedSource(
            url=stored.url,
            publisher=stored.publisher.name if stored.publisher_id else "",
            title=stored.title,
            numbers=(
                dict(stored.revisions.order_by("number").values_list("sha256", "number"))
                if numbers is None
                else dict(numbers)
            ),
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


def _chunks(items, size=PREFETCH_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pk(publisher):
    return publisher.pk if publisher is not None else None


def _of_publishers(sources: QuerySet, publisher_pks: set) -> QuerySet:
    """Return ``sources`` narrowed to those of the publishers ``publisher_pks`` (``None``: without one)."""
    pks = [pk for pk in publisher_pks if pk is not None]
    if None in publisher_pks:
        return sources.filter(Q(publisher__in=pks) | Q(publisher__isnull=True))
    return sources.filter(publisher__in=pks)


def _upper(values: list[str]) -> list[str]:
    """Return each of ``values`` in upper case as the database writes it (``iexact`` compares UPPER to UPPER).

    SQLite's ``iexact`` is ``LIKE``, which ignores the case of ASCII letters only, as its ``UPPER`` does.
    """
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["UPPER(%s)"] * len(values)), values)
        return list(cursor.fetchone())


def _key(step, *, url, publisher, title, sha256):
    """Return the index key under which ``step`` of the matching rule looks for a document's source."""
    if step == BY_URL:
        return (BY_URL, url)
    if step == BY_TITLE:
        return (BY_TITLE, publisher.casefold(), title.casefold())
    return (BY_TEXT, publisher.casefold(), sha256)
