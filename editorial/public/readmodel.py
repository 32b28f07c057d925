"""Writing the public read model (``PublicEntry`` and its tag and source rows) from approved versions.

``record(claim)`` runs inside every moderation act (``editorial.services.moderation`` announces
each with the ``moderated`` signal): a publicly visible claim gets its entry rewritten from its
approved ``PublicVersion``; any other claim loses its entry. ``rebuild()`` writes every entry again
from the stored approved versions and ``verify()`` reports entries that disagree with them, for
upgrades and for peace of mind (``manage.py public_read_model``).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from taggit.models import Tag

from editorial.models import Claim, ModerationEvent, PublicChange, PublicEntry, PublicEntrySource, PublicEntryTag
from editorial.public import counters, reading_connection
from editorial.public.version import PublicVersion
from editorial.workflow import LISTED_STATUSES, PUBLIC_STATUSES
from sources.models import Source
from sources.services.rows import insert, insert_rows

BATCH_SIZE = 1000
# Moderation steps that leave the approved version and the status as they were.
UNSEEN_ACTIONS = {ModerationEvent.Action.SUBMIT_CHANGES, ModerationEvent.Action.DECLINE_CHANGES}


def on_moderated(sender, *, claim, event=None, **kwargs):
    """Receiver of ``editorial.services.moderation.moderated``: keep ``claim``'s entry in step.

    Submitting changes for review or declining them changes nothing readers see: no rewrite.
    """
    if event is not None and event.action in UNSEEN_ACTIONS:
        return
    record(claim)


# Rows that no public page shows until something public refers to them (which is then the change).
UNSEEN_WHEN_NEW = {"taggit.Tag", "editorial.Speaker", "sources.Author", "sources.Publisher"}
# Changes kept in the log; older ones are pruned (only the newest id and the count matter).
KEEP_CHANGES = 100


def bump(**kwargs):
    """Note a change to what readers see (a ``PublicChange``), in the caller's transaction.

    Also a receiver of ``post_save``/``post_delete`` of what public pages show unmoderated.
    """
    if kwargs.get("raw"):
        return  # loading fixtures
    if (
        kwargs.get("created")
        and getattr(kwargs.get("sender"), "_meta", None)
        and kwargs["sender"]._meta.label in UNSEEN_WHEN_NEW
    ):
        return  # a new tag, speaker, author or publisher is on no public page until something cites it
    change = PublicChange.objects.create(changed_at=timezone.now())
    if change.pk % KEEP_CHANGES == 0:
        PublicChange.objects.filter(pk__lte=change.pk - KEEP_CHANGES).delete()


def version():
    """Return ``(tag, changed_at)``: the public record's version as text, and when it last changed.

    The tag holds the last change's time to the microsecond besides its id, so that a database
    restored from an older backup (or a test database reset) never reuses a tag that caches keep.

    Every public request reads it (``editorial.public.http``), so it is one plain statement on the
    connection the ORM would read ``PublicChange`` from: building the same aggregate with the ORM
    cost three times the query's own time.
    """
    connection = reading_connection(PublicChange)
    table = connection.ops.quote_name(PublicChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id), COUNT(id), MAX(changed_at) FROM {table}")  # noqa: S608 — the model's table
        last, count, moment = cursor.fetchone()
    if isinstance(moment, str):  # SQLite: an aggregate's value comes back as the stored text
        moment = parse_datetime(moment)
    if moment is not None and settings.USE_TZ and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    stamp = f"{moment:%Y%m%d%H%M%S%f}" if moment is not None else "0"
    return f"{last or 0}.{count}.{stamp}", moment


def forget(sender, *, instance, **kwargs):
    """Receiver of ``pre_delete`` of a claim: take its entry out of the counters before it goes."""
    if PublicEntry.objects.filter(claim_id=instance.pk).exists():
        _write_removal([instance.pk])


def _write_removal(ids):
    with transaction.atomic():
        bump()
        before = counters.before_change(ids)
        PublicEntry.objects.filter(claim_id__in=ids).delete()
        counters.after_change(before, Counter)


def source_saving(sender, *, instance, **kwargs):
    """Receiver of ``pre_save`` of a source: when its publisher changes, remember what the claims
    citing it count for under the stored one.
    """
    if instance.pk and not kwargs.get("raw"):
        stored = type(instance).objects.filter(pk=instance.pk).values_list("publisher_id", flat=True).first()
        if stored != instance.publisher_id:
            citing = list(PublicEntrySource.objects.filter(source_id=instance.pk).values_list("entry_id", flat=True))
            instance._counted_before_save = (citing, counters.before_change(citing))


def source_saved(sender, *, instance, **kwargs):
    """Receiver of ``post_save`` of a source: a change of publisher moves its claims between publishers."""
    counted = getattr(instance, "_counted_before_save", None)
    if counted is not None and not kwargs.get("created") and not kwargs.get("raw"):
        del instance._counted_before_save
        citing, before = counted
        counters.after_change(before, lambda: counters.stored_contributions(citing))


def record(claim) -> PublicEntry | None:
    """Write ``claim``'s entry from its approved version, or delete it when the claim is not public."""
    entries = _write([claim])
    return entries[0] if entries else None


def record_many(claims, *, new=False) -> int:
    """Write the entries of ``claims`` in bulk (one query per kind of row), as ``record`` does one.

    For bulk moderation and imports: each claim needs ``pk``, ``status``, ``published_at`` and
    ``public_snapshot``. ``new`` says the claims were created in this transaction (an import's), so
    that no entry of theirs can exist yet: nothing to look up or delete first. Returns how many
    entries were written.
    """
    claims = list(claims)
    return len(_write(claims, new=new)) if claims else 0


def _write(claims, *, new=False):
    """Replace the entries of ``claims`` (one query per kind of row) and keep the counters in step."""
    with transaction.atomic():
        bump()
        ids = [claim.pk for claim in claims]
        before = counters.before_change(ids, new=new)
        if not new:
            PublicEntry.objects.filter(claim_id__in=ids).delete()
        versions = []
        for claim in claims:
            version = PublicVersion.from_snapshot(claim.public_snapshot) if claim.status in PUBLIC_STATUSES else None
            if version is not None:
                versions.append((claim, version))
        entries = insert(PublicEntry, [_entry(claim, version) for claim, version in versions])
        tags = _tags({name for _, version in versions for name in version.tags})
        publisher_of = _existing_sources({pk for _, version in versions for pk in version.source_ids})
        pairs = [(entry, version) for entry, (_, version) in zip(entries, versions, strict=True)]
        tag_links = [link for entry, version in pairs for link in _tag_links(entry, version, tags)]
        source_links = [link for entry, version in pairs for link in _source_links(entry, version, publisher_of)]
        insert_rows(PublicEntryTag, ("entry_id", "tag_id"), tag_links)
        insert_rows(PublicEntrySource, ("entry_id", "source_id"), source_links)
        counters.after_change(
            before, lambda: counters.new_contributions(entries, tag_links, source_links, publisher_of)
        )
    return entries


def _entry(claim, version):
    return PublicEntry(
        claim_id=claim.pk,
        listed=claim.status in LISTED_STATUSES,
        statement=version.statement,
        slug=version.slug,
        speaker_id=version.speaker.id if version.speaker else None,
        speaker_name=version.speaker_name,
        excerpts=" … ".join(citation.excerpt for citation in version.citations),
        claim_date=version.claim_date,
        verdict=version.verdict,
        published_at=claim.published_at,
        approved_at=version.approved_at or claim.published_at,
    )


def _tags(names):
    """Return ``{casefolded name: Tag}`` for ``names``, creating the tags that no longer exist."""
    wanted = {name.casefold(): name for name in names}
    tags = {}
    for start in range(0, len(wanted), BATCH_SIZE):
        for tag in Tag.objects.filter(name__in=list(wanted.values())[start : start + BATCH_SIZE]):
            tags.setdefault(tag.name.casefold(), tag)
    for key, name in wanted.items():
        if key not in tags:
            tags[key] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    return tags


def _existing_sources(ids):
    """Return ``{source id: publisher id}`` for those of ``ids`` that still exist."""
    ids, found = list(ids), {}
    for start in range(0, len(ids), BATCH_SIZE):
        found.update(Source.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).values_list("pk", "publisher_id"))
    return found


def _tag_links(entry, version, tags):
    """Yield ``(entry id, tag id)`` for the approved version's tags, each tag once."""
    seen = set()
    for name in version.tags:
        tag = tags[name.casefold()]
        if tag.pk not in seen:
            seen.add(tag.pk)
            yield entry.claim_id, tag.pk


def _source_links(entry, version, existing):
    """Return ``[(entry id, source id)]`` for the approved version's sources that still exist."""
    return [(entry.claim_id, pk) for pk in version.source_ids if pk in existing]


@dataclass
class Report:
    written: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)


def rebuild() -> Report:
    """Write every publicly visible claim's entry again from its approved version; drop the others."""
    report = Report()
    with transaction.atomic():
        report.removed = (
            PublicEntry.objects.exclude(claim__in=Claim.objects.publicly_visible())
            .delete()[1]
            .get(PublicEntry._meta.label, 0)
        )
        claims = Claim.objects.publicly_visible().only("pk", "status", "published_at", "public_snapshot")
        batch = []
        with counters.paused():  # counted again from scratch below
            for claim in claims.order_by("pk").iterator(chunk_size=BATCH_SIZE):
                batch.append(claim)
                if len(batch) == BATCH_SIZE:
                    report.written += record_many(batch)
                    batch = []
            report.written += record_many(batch)
        counters.recount()
    return report


def verify() -> list[str]:
    """Return one line per entry that disagrees with its claim's approved version (``[]`` when none)."""
    problems = []
    visible = Claim.objects.publicly_visible().only("pk", "status", "published_at", "public_snapshot")
    entries = PublicEntry.objects.in_bulk()
    tags = _links(PublicEntryTag.objects.values_list("entry_id", "tag__name"))
    sources = _links(PublicEntrySource.objects.values_list("entry_id", "source_id"))
    for claim in visible.order_by("pk").iterator(chunk_size=BATCH_SIZE):
        entry = entries.pop(claim.pk, None)
        if entry is None:
            problems.append(f"claim {claim.pk}: public but has no entry")
            continue
        version = PublicVersion.from_snapshot(claim.public_snapshot)
        expected = _entry(claim, version)
        for name in ("listed", "statement", "slug", "speaker_id", "claim_date", "verdict", "published_at", "excerpts"):
            if getattr(entry, name) != getattr(expected, name):
                problems.append(
                    f"claim {claim.pk}: {name} is {getattr(entry, name)!r}, approved {getattr(expected, name)!r}"
                )
        if {name.casefold() for name in tags.get(claim.pk, [])} != {name.casefold() for name in version.tags}:
            problems.append(f"claim {claim.pk}: tags differ from the approved version")
        if set(sources.get(claim.pk, [])) - set(version.source_ids):
            problems.append(f"claim {claim.pk}: sources differ from the approved version")
    problems += [f"claim {pk}: has an entry but is not public" for pk in sorted(entries)]
    return problems + counters.problems()


def _links(rows):
    grouped = {}
    for entry_id, value in rows:
        grouped.setdefault(entry_id, []).append(value)
    return grouped
