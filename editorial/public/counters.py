"""Counters of the unfiltered public list: its total, and how many listed claims each tag, speaker
and publisher has (``PublicFacet``).

The read model's writer (``editorial.public.readmodel``) counts what the entries it removes
contributed and what the entries it writes contribute, and applies the difference in the same
transaction. A publisher's count follows its sources: when a source changes publisher, both
publishers are counted again (``recount_publishers``). ``recount()`` rebuilds every counter from the
entries and ``problems()`` lists counters that disagree with them (``manage.py public_read_model``).

Rows are created with ``ignore_conflicts`` and then locked, so two transactions adding the first
claim of a tag never collide.
"""

from collections import Counter

from django.db.models import Count

from editorial.models import PublicEntry, PublicEntrySource, PublicEntryTag, PublicFacet
from sources.models import Source

Kind = PublicFacet.Kind


def stored_contributions(claim_ids) -> Counter:
    """Return what the stored entries of ``claim_ids`` count for, as ``{(kind, item id): n}``."""
    counts = Counter()
    listed = PublicEntry.objects.filter(claim_id__in=list(claim_ids), listed=True)
    for speaker_id in listed.values_list("speaker_id", flat=True):
        counts[Kind.TOTAL, 0] += 1
        if speaker_id:
            counts[Kind.SPEAKER, speaker_id] += 1
    for tag_id in PublicEntryTag.objects.filter(entry__in=listed).values_list("tag_id", flat=True):
        counts[Kind.TAG, tag_id] += 1
    publishers = (
        PublicEntrySource.objects.filter(entry__in=listed, source__publisher__isnull=False)
        .values_list("entry_id", "source__publisher_id")
        .distinct()
    )
    for _, publisher_id in publishers:
        counts[Kind.PUBLISHER, publisher_id] += 1
    return counts


def new_contributions(entries, tag_links, source_links, publisher_of) -> Counter:
    """Return what ``entries`` (with their tag and source links, not yet read back) count for."""
    listed = {entry.claim_id for entry in entries if entry.listed}
    counts = Counter()
    for entry in entries:
        if entry.claim_id in listed:
            counts[Kind.TOTAL, 0] += 1
            if entry.speaker_id:
                counts[Kind.SPEAKER, entry.speaker_id] += 1
    for link in tag_links:
        if link.entry_id in listed:
            counts[Kind.TAG, link.tag_id] += 1
    for entry_id, publisher_id in {(link.entry_id, publisher_of.get(link.source_id)) for link in source_links}:
        if entry_id in listed and publisher_id:
            counts[Kind.PUBLISHER, publisher_id] += 1
    return counts


def apply(delta: Counter):
    """Add ``delta`` (``{(kind, item id): change}``) to the counters, in the caller's transaction."""
    keys = sorted(key for key, change in delta.items() if change)  # one lock order for everyone
    if not keys:
        return
    PublicFacet.objects.bulk_create(
        [PublicFacet(kind=kind, item_id=item, count=0) for kind, item in keys], ignore_conflicts=True
    )
    rows = []
    for kind in {kind for kind, _ in keys}:
        items = [item for k, item in keys if k == kind]
        rows += PublicFacet.objects.select_for_update().filter(kind=kind, item_id__in=items).order_by("item_id")
    for row in rows:
        row.count += delta[row.kind, row.item_id]
    PublicFacet.objects.bulk_update(rows, ["count"])


def actual(kinds=None) -> Counter:
    """Return the counts the entries give now, computed from scratch (``{(kind, item id): n}``)."""
    counts = Counter()
    listed = PublicEntry.objects.filter(listed=True)
    counts[Kind.TOTAL, 0] = listed.count()
    for speaker_id, n in listed.exclude(speaker=None).values_list("speaker_id").annotate(n=Count("claim_id")):
        counts[Kind.SPEAKER, speaker_id] = n
    tags = PublicEntryTag.objects.filter(entry__listed=True).values_list("tag_id").annotate(n=Count("entry_id"))
    for tag_id, n in tags:
        counts[Kind.TAG, tag_id] = n
    counts.update(_publisher_counts(PublicEntrySource.objects.filter(entry__listed=True)))
    return counts


def _publisher_counts(links) -> Counter:
    rows = (
        links.filter(source__publisher__isnull=False)
        .values_list("source__publisher_id")
        .annotate(n=Count("entry_id", distinct=True))
    )
    return Counter({(Kind.PUBLISHER, publisher_id): n for publisher_id, n in rows})


def recount():
    """Write every counter again from the entries."""
    PublicFacet.objects.all().delete()
    PublicFacet.objects.bulk_create(
        [PublicFacet(kind=kind, item_id=item, count=n) for (kind, item), n in actual().items() if n], batch_size=1000
    )


def recount_publishers(publisher_ids):
    """Count the listed claims citing each of ``publisher_ids``' sources again."""
    publisher_ids = [pk for pk in publisher_ids if pk]
    if not publisher_ids:
        return
    counts = _publisher_counts(
        PublicEntrySource.objects.filter(entry__listed=True, source__publisher_id__in=publisher_ids)
    )
    stored = {row.item_id: row for row in PublicFacet.objects.filter(kind=Kind.PUBLISHER, item_id__in=publisher_ids)}
    apply(
        Counter(
            {
                (Kind.PUBLISHER, pk): counts[Kind.PUBLISHER, pk] - getattr(stored.get(pk), "count", 0)
                for pk in publisher_ids
            }
        )
    )


def problems() -> list[str]:
    """Return one line per counter that disagrees with the entries (``[]`` when none)."""
    stored = Counter({(row.kind, row.item_id): row.count for row in PublicFacet.objects.all()})
    expected = actual()
    lines = []
    for key in sorted(set(stored) | set(expected)):
        if stored[key] != expected[key]:
            lines.append(f"counter {key[0]} {key[1]}: {stored[key]}, the entries give {expected[key]}")
    return lines


def top(kind, limit):
    """Return ``[(item id, count)]``: the ``limit`` largest counters of ``kind``."""
    rows = PublicFacet.objects.filter(kind=kind, count__gt=0).order_by("-count", "item_id")
    return list(rows.values_list("item_id", "count")[:limit])


def total():
    row = PublicFacet.objects.filter(kind=Kind.TOTAL, item_id=0).values_list("count", flat=True).first()
    return row or 0


def publishers_of(source_ids) -> dict:
    """Return ``{source id: publisher id}`` for ``source_ids``."""
    return dict(Source.objects.filter(pk__in=list(source_ids)).values_list("pk", "publisher_id"))
