"""Counters of the public list (``PublicFacet``): in a scope — the whole list, or the claims of one
tag, speaker or publisher — how many listed claims there are, and how many of them carry each tag,
name each speaker and cite each publisher's sources.

A listed entry has *keys*: ``(total, 0)``, ``(tag, id)`` for each tag of its approved version,
``(speaker, id)`` and ``(publisher, id)`` for each publisher of the sources it cites. It counts once
in every counter ``(scope, item)`` whose scope and item are both among its keys: a claim with three
tags, a speaker and one publisher counts in 6 × 6 counters. So ``?tag=x`` reads its total from
``(tag x, total 0)`` and its facets from the counters of scope ``(tag x)``, as the unfiltered list
reads scope ``(total, 0)``.

The read model's writer (``editorial.public.readmodel``) subtracts what the entries it removes
contributed, adds what the entries it writes contribute, and applies the difference in the same
transaction (one upsert per 500 counters: ``count = count + change``, in one lock order for every
writer): ``before_change`` before the entries change, ``after_change`` after. A source's change of
publisher moves its claims between publishers: the receivers count its claims' contributions
before and after the save. Inside ``deferred()`` (a bulk import) each touched entry's old
contribution is taken off once, and at the end every touched entry's new one is counted in SQL,
in one statement, instead of at every batch; ``paused()`` leaves the counters alone, for a writer
that recounts afterwards. ``recount()`` rebuilds every
counter in one SQL statement and ``problems()`` lists counters that disagree with the entries
(``manage.py public_read_model``).
"""

import json
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import product

from django.db import connection
from django.db.models import QuerySet
from taggit.models import Tag

from editorial.models import PublicEntry, PublicEntrySource, PublicEntryTag, PublicFacet, Speaker
from editorial.public import reading_connection
from sources.models import Publisher, Source

Kind = PublicFacet.Kind
EVERYTHING = (Kind.TOTAL, 0)  # the scope of the unfiltered list
UPSERT_ROWS = 500

# Every listed entry's keys, as rows (entry, kind, item): the rule of ``stored_contributions``.
KEYS_SQL = """
    SELECT e.claim_id AS entry_id, 'total' AS kind, 0 AS item_id
      FROM editorial_publicentry e WHERE e.listed
    UNION ALL
    SELECT e.claim_id, 'speaker', e.speaker_id
      FROM editorial_publicentry e WHERE e.listed AND e.speaker_id IS NOT NULL
    UNION ALL
    SELECT t.entry_id, 'tag', t.tag_id
      FROM editorial_publicentrytag t JOIN editorial_publicentry e ON e.claim_id = t.entry_id WHERE e.listed
    UNION ALL
    SELECT DISTINCT s.entry_id, 'publisher', src.publisher_id
      FROM editorial_publicentrysource s
      JOIN editorial_publicentry e ON e.claim_id = s.entry_id
      JOIN sources_source src ON src.id = s.source_id
     WHERE e.listed AND src.publisher_id IS NOT NULL
"""
PAIRS_SQL = """
    SELECT a.kind, a.item_id, b.kind, b.item_id, COUNT(*)
      FROM keys a JOIN keys b ON a.entry_id = b.entry_id
     GROUP BY a.kind, a.item_id, b.kind, b.item_id
"""
COUNTS_SQL = f"WITH keys AS ({KEYS_SQL}) {PAIRS_SQL}"
RECOUNT_SQL = f"""
    WITH keys AS ({KEYS_SQL})
    INSERT INTO editorial_publicfacet (scope_kind, scope_id, kind, item_id, count) {PAIRS_SQL}
"""

_local = threading.local()  # ``stack``: the open ``deferred()`` (a ``_Deferred``) and ``paused()`` (None) blocks


@dataclass
class _Deferred:
    seen: set = field(default_factory=set)  # the entries whose counts are taken at the end
    delta: Counter = field(default_factory=Counter)  # what they counted for before the block


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def _pairs(keys_of_entry) -> Counter:
    """Return the counters ``{(scope kind, scope id, kind, item id): n}`` of entries given as key sets."""
    counts = Counter()
    for keys in keys_of_entry:
        counts.update((*scope, *item) for scope, item in product(keys, repeat=2))
    return counts


def stored_contributions(claim_ids) -> Counter:
    """Return what the stored listed entries of ``claim_ids`` (ids, or a query of them) count for."""
    ids = claim_ids if isinstance(claim_ids, QuerySet) else list(claim_ids)
    keys = defaultdict(set)
    listed = PublicEntry.objects.filter(claim_id__in=ids, listed=True)
    for entry_id, speaker_id in listed.values_list("claim_id", "speaker_id"):
        keys[entry_id].add(EVERYTHING)
        if speaker_id:
            keys[entry_id].add((Kind.SPEAKER, speaker_id))
    for entry_id, tag_id in PublicEntryTag.objects.filter(entry__in=listed).values_list("entry_id", "tag_id"):
        keys[entry_id].add((Kind.TAG, tag_id))
    publishers = PublicEntrySource.objects.filter(entry__in=listed, source__publisher__isnull=False).values_list(
        "entry_id", "source__publisher_id"
    )
    for entry_id, publisher_id in publishers:
        keys[entry_id].add((Kind.PUBLISHER, publisher_id))
    return _pairs(keys.values())


def new_contributions(entries, tag_links, source_links, publisher_of) -> Counter:
    """Return what ``entries`` (with their tag and source links, ``(entry id, tag or source id)``
    pairs not yet read back) count for.
    """
    keys = {}
    for entry in entries:
        if entry.listed:
            keys[entry.claim_id] = {EVERYTHING}
            if entry.speaker_id:
                keys[entry.claim_id].add((Kind.SPEAKER, entry.speaker_id))
    for entry_id, tag_id in tag_links:
        if entry_id in keys:
            keys[entry_id].add((Kind.TAG, tag_id))
    for entry_id, source_id in source_links:
        publisher_id = publisher_of.get(source_id)
        if entry_id in keys and publisher_id:
            keys[entry_id].add((Kind.PUBLISHER, publisher_id))
    return _pairs(keys.values())


def before_change(claim_ids, *, new=False):
    """Call before the entries of ``claim_ids`` change (are written, removed, or a source they cite
    changes publisher); hand the result to ``after_change`` once they have.

    Outside ``deferred()`` it is what they count for now. Inside, it is None: the first time an
    entry is touched in the block, what it counted for is taken off the block's delta, and the
    block's end counts every touched entry's final state in SQL. ``new``: the claims were created
    in this transaction and have no entries yet, so they count for nothing before (no query).
    """
    stack = _stack()
    if not stack:
        return Counter() if new else stored_contributions(claim_ids)
    if stack[-1] is None:
        return None  # paused: the writer recounts
    block = stack[-1]
    unseen = [pk for pk in claim_ids if pk not in block.seen]
    if unseen:
        block.seen.update(unseen)
        if not new:
            block.delta.subtract(stored_contributions(unseen))
    return None


def after_change(before, now):
    """Apply what changed: ``now()`` (what the entries count for after the change) less ``before``."""
    if before is None:
        return  # deferred or paused
    delta = now()
    delta.subtract(before)
    apply(delta)


def apply(delta: Counter):
    """Add ``delta`` (``{(scope kind, scope id, kind, item id): change}``) to the counters, in the
    caller's transaction.
    """
    rows = sorted((key, change) for key, change in delta.items() if change)  # one lock order for everyone
    table = connection.ops.quote_name(PublicFacet._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} (scope_kind, scope_id, kind, item_id, count) VALUES "  # noqa: S608 — values are parameters
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (scope_kind, scope_id, kind, item_id)"
                f" DO UPDATE SET count = {table}.count + excluded.count",
                [value for key, change in chunk for value in (*key, change)],
            )


def add_counted(claim_ids):
    """Add what the listed entries of ``claim_ids`` count for now to the counters, counted in SQL."""
    ids = sorted(claim_ids)
    if not ids:
        return
    if connection.vendor == "postgresql":
        narrowed, value = "e.claim_id = ANY(%s::bigint[])", ids
    else:
        narrowed, value = "e.claim_id IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    keys = KEYS_SQL.replace("WHERE e.listed", f"WHERE e.listed AND {narrowed}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH keys AS ({keys}) "  # noqa: S608 — made of the constants above; the ids are a parameter
            "INSERT INTO editorial_publicfacet (scope_kind, scope_id, kind, item_id, count) "
            f"SELECT * FROM ({PAIRS_SQL}) counted WHERE true "
            "ON CONFLICT (scope_kind, scope_id, kind, item_id) "
            "DO UPDATE SET count = editorial_publicfacet.count + excluded.count",
            [value] * keys.count("%s"),
        )


@contextmanager
def deferred():
    """Count the entries a bulk write touches once, at its end, in SQL (one statement), rather than
    at each of its batches; inside the caller's transaction.
    """
    block = _Deferred()
    _stack().append(block)
    try:
        yield
    finally:
        _stack().pop()
    apply(block.delta)
    add_counted(block.seen)


@contextmanager
def paused():
    """Leave the counters alone inside: for a writer that recounts everything afterwards."""
    _stack().append(None)
    try:
        yield
    finally:
        _stack().pop()


def actual() -> Counter:
    """Return the counts the entries give now, computed from scratch."""
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL)
        return Counter({tuple(row[:4]): row[4] for row in cursor.fetchall()})


def recount():
    """Write every counter again from the entries."""
    table = connection.ops.quote_name(PublicFacet._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — the model's own table
        cursor.execute(RECOUNT_SQL)


def problems() -> list[str]:
    """Return one line per counter that disagrees with the entries (``[]`` when none)."""
    stored = Counter(
        {
            (row[0], row[1], row[2], row[3]): row[4]
            for row in PublicFacet.objects.values_list("scope_kind", "scope_id", "kind", "item_id", "count")
        }
    )
    expected = actual()
    lines = []
    for key in sorted(set(stored) | set(expected)):
        if stored[key] != expected[key]:
            scope = "the whole list" if key[:2] == EVERYTHING else f"{key[0]} {key[1]}"
            lines.append(f"counter {key[2]} {key[3]} in {scope}: {stored[key]}, the entries give {expected[key]}")
    return lines


def top(kind, limit, scope=EVERYTHING):
    """Return ``[(item id, count)]``: the ``limit`` largest counters of ``kind`` in ``scope``."""
    rows = PublicFacet.objects.filter(scope_kind=scope[0], scope_id=scope[1], kind=kind, count__gt=0)
    return list(rows.order_by("-count", "item_id").values_list("item_id", "count")[:limit])


# The models that name each kind's items (``summary``).
NAMED_BY = {Kind.TAG: Tag, Kind.SPEAKER: Speaker, Kind.PUBLISHER: Publisher}


def summary(limit, scope=EVERYTHING):
    """Return ``(total, {kind: [(item id, name, slug, count)]})``: ``scope``'s total and, for each of
    tag, speaker and publisher, the ``limit`` largest counters with their items' names — what
    ``total`` and ``top`` give, with the names, in one statement (a list page reads them after every
    moderation act, when nothing of it is cached).
    """
    reading = reading_connection(PublicFacet)  # a reader's request reads the replica
    facet = reading.ops.quote_name(PublicFacet._meta.db_table)
    parts, params = [], []
    for kind, model in NAMED_BY.items():
        table = reading.ops.quote_name(model._meta.db_table)
        parts.append(
            f"SELECT f.kind, f.item_id, f.count, named.name, named.slug FROM ("  # noqa: S608 — constants
            f"SELECT kind, item_id, count FROM {facet} WHERE scope_kind = %s AND scope_id = %s AND kind = %s"
            f" AND count > 0 ORDER BY count DESC, item_id LIMIT %s) f JOIN {table} named ON named.id = f.item_id"
        )
        params += [scope[0], scope[1], kind.value, limit]
    parts.append(
        f"SELECT kind, item_id, count, '', '' FROM {facet}"  # noqa: S608 — constants
        " WHERE scope_kind = %s AND scope_id = %s AND kind = %s AND item_id = 0"
    )
    params += [scope[0], scope[1], Kind.TOTAL.value]
    rows = {kind: [] for kind in NAMED_BY}
    found_total = 0
    with reading.cursor() as cursor:
        # Each part a subquery of its own: SQLite allows ORDER BY and LIMIT in a compound's part no other way.
        sql = " UNION ALL ".join(f"SELECT * FROM ({part}) part{n}" for n, part in enumerate(parts))  # noqa: S608
        cursor.execute(sql, params)
        for kind, item_id, count, name, slug in cursor.fetchall():
            if kind == Kind.TOTAL:
                found_total = count
            else:
                rows[kind].append((item_id, name, slug, count))
    return found_total, rows


def total(scope=EVERYTHING):
    """Return how many listed claims ``scope`` holds."""
    rows = PublicFacet.objects.filter(scope_kind=scope[0], scope_id=scope[1], kind=Kind.TOTAL, item_id=0)
    return rows.values_list("count", flat=True).first() or 0


def citing_source(source_id) -> Counter:
    """Return what the listed entries citing source ``source_id`` count for, as stored now."""
    return stored_contributions(
        PublicEntrySource.objects.filter(source_id=source_id).values_list("entry_id", flat=True)
    )


def publishers_of(source_ids) -> dict:
    """Return ``{source id: publisher id}`` for ``source_ids``."""
    return dict(Source.objects.filter(pk__in=list(source_ids)).values_list("pk", "publisher_id"))
