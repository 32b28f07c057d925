"""What a version 2 claim-set document (``editorial.claimset/2``, the whole record) adds to an import.

The importer (``importer.py``) decides and writes both versions; for a version 2 document it calls
here to: find the accounts the document's usernames name (``accounts``); compare a claim that is
stored already with the document's, reporting each difference as a conflict at its JSON path and
changing nothing (``compare_claim``); decide and write the claim sets with their members' notes;
create the publishers and speakers with their details; and give the sources it creates their
slugs, tags, creation time, history and each revision's capture details and original file.
docs/claimset.md, "Importing version 2".
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from editorial.claimset.bulk import BATCH_SIZE, batches, find_named
from editorial.claimset.validate import Problem, ref_key
from editorial.models import ClaimSet, ClaimSetMembership, Speaker, SpeakerKind
from sources.models import Publisher, Source, unique_slug, unique_slugs
from sources.services.rows import insert


def accounts(document):
    """Return ``{username: account}`` for the usernames the document names that have an account."""
    names = {revision.details["captured_by"] for source in document.sources for revision in source.revisions.values()}
    for claim in document.claims:
        names.add(claim.details["created_by"])
        names.update(event["actor"] for event in claim.details["moderation"])
    names.update(claim_set["curator"] for claim_set in document.sets or ())
    names.update(row["user"] for source in document.sources for row in source.details["history"])
    names = sorted(name for name in names if name)
    found = {}
    model = get_user_model()
    for chunk in batches(names, BATCH_SIZE // 2):
        found |= {account.get_username(): account for account in model._default_manager.filter(username__in=chunk)}
    return found


def compare_claim(claim, stored, revision_pks, result, *, step_type):
    """Decide a version 2 claim that is stored already: identical, or its differences reported as conflicts.

    A stored claim is never overwritten by a version 2 document: each difference (fields, tags,
    citations, the approved version, the moderation history) is a notice at its JSON path.
    """
    step = step_type(claim, stored, leave=True)
    details = claim.details
    conflicts = [
        name
        for name, value in (
            ("claim_date", claim.claim_date),
            ("status", claim.status),
            ("verdict", claim.verdict),
            ("verdict_explanation", details["verdict_explanation"]),
            ("published_at", details["published_at"]),
        )
        if getattr(stored, name) != value
    ]
    if sorted(name.casefold() for name in stored.tags.names()) != sorted(tag.casefold() for tag in claim.tags):
        conflicts.append("tags")
    revision_of = {pk: key for key, pk in revision_pks.items() if pk is not None}
    cited = [
        (revision_of.get(revision_id), start, end, note)
        for revision_id, start, end, note in stored.citations.order_by("position", "pk").values_list(
            "revision_id", "start", "end", "note"
        )
    ]
    wanted = [((c.source, c.number), c.start, c.end, c.details["note"]) for c in claim.citations]
    if cited != wanted:
        conflicts.append("citations")
    if approved_key(stored.public_snapshot, revision_of) != approved_key(details["approved"], None):
        conflicts.append("approved")
    history = [
        (action, to_status, at)
        for action, to_status, at in stored.moderation_events.order_by("at", "pk").values_list(
            "action", "to_status", "at"
        )
    ]
    if history != [(event["action"], event["to_status"], event["at"]) for event in details["moderation"]]:
        conflicts.append("moderation")
    for name in conflicts:
        result.notices.append(
            Problem(f"{claim.path}.{name}", "conflicts with the stored claim, which was kept as it is")
        )
    result.counts["claims in conflict" if conflicts else "claims matched"] += 1
    return step


def approved_key(version, revision_of):
    """Return what identifies an approved version for comparison: its words and cited passages.

    ``revision_of`` maps a stored revision's key to ``(source ref, number)`` for a stored version;
    ``None`` reads a document's version, whose citations name those already.
    """
    if not version:
        return None
    speaker = version.get("speaker")
    citations = []
    for cited in version.get("citations") or ():
        where = (
            revision_of.get(cited["revision"])
            if revision_of is not None
            else (ref_key(cited["source"]), cited["revision"])
        )
        citations.append((where, cited["excerpt"], cited["start"], cited["end"], cited.get("note") or ""))
    return (
        version["statement"],
        speaker["name"] if speaker else None,
        version.get("claim_date") or None,
        sorted(tag.casefold() for tag in version.get("tags") or ()),
        version.get("verdict") or "",
        version.get("verdict_explanation") or "",
        citations,
        version.get("approved_at"),
    )


def decide_sets(decision, document):
    """Decide the version 2 claim sets: a stored set (by slug) gains its missing members, a new one is created."""
    slugs = [data["slug"] for data in document.sets if data["slug"]]
    stored = {claim_set.slug: claim_set for claim_set in ClaimSet.objects.filter(slug__in=slugs)}
    for data in document.sets:
        claim_set = stored.get(data["slug"])
        members = set(claim_set.memberships.values_list("claim_id", flat=True)) if claim_set is not None else set()
        missing = []
        for _, ref, note in data["members"]:
            claim = decision.claims[ref].stored
            if claim is None or claim.pk not in members:
                missing.append((ref, note))
        decision.sets.append((data, claim_set, missing))
        decision.result.counts["sets created"] += claim_set is None
        decision.result.counts["set members added"] += len(missing)


def revision_details(revision, users):
    """Return a version 2 revision's own capture details, as ``Revision`` fields."""
    details = dict(revision.details)
    details["captured_by"] = users.get(details["captured_by"])
    details["original"] = details["original"] or b""  # left out of the document: not kept
    return details


def restore_source_details(steps, users):
    """Give the sources a version 2 import created their document's slugs (where free) and tags."""
    wanted = {step.planned.source.pk: step.source.details["slug"] for step in steps}
    wanted = {pk: slug for pk, slug in wanted.items() if slug}
    taken = set()
    for chunk in batches(list(set(wanted.values())), BATCH_SIZE // 2):
        taken.update(Source.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    for step in steps:
        stored, slug = step.planned.source, wanted.get(step.planned.source.pk)
        if slug and slug != stored.slug and slug not in taken:
            # Made from the title as the original was; only a slug changed since differs (rare).
            taken.add(slug)
            Source.objects.filter(pk=stored.pk).update(slug=slug)
            stored.slug = slug
    tag_sources(steps)
    stamped = [step.planned.source for step in steps if step.source.details["created_at"]]
    for source in stamped:
        source.created_at = next(step.source.details["created_at"] for step in steps if step.planned.source is source)
    Source.objects.bulk_update(stamped, ["created_at"], batch_size=BATCH_SIZE)
    _restore_source_history(steps, users)


def _restore_source_history(steps, users):
    """Replace the history rows a version 2 import just wrote for its new sources with the document's own."""
    steps = [step for step in steps if step.source.details["history"]]
    history = Source.history.model
    publishers = find_named(Publisher, [row["publisher"] for step in steps for row in step.source.details["history"]])
    for batch in batches(steps):
        history.objects.filter(id__in=[step.planned.source.pk for step in batch]).delete()
        history.objects.bulk_create(
            [
                history(
                    id=step.planned.source.pk,
                    history_type=row["type"],
                    history_date=row["at"],
                    history_user=users.get(row["user"]),
                    history_change_reason=row["reason"],
                    publisher=publishers.get(row["publisher"].casefold()) if row["publisher"] else None,
                    **{name: row[name] for name in SOURCE_HISTORY_FIELDS},
                )
                for step in batch
                for row in step.source.details["history"]
            ]
        )


SOURCE_HISTORY_FIELDS = ("title", "section", "url", "language", "byline", "published_at", "updated_at")


def tag_sources(steps):
    """Tag the created sources of ``steps`` as their document says (a query per kind of row)."""
    names = {tag.casefold(): tag for step in steps for tag in step.source.details["tags"]}
    tags = find_named(Tag, list(names.values()))
    for key, name in names.items():
        if key not in tags:
            tags[key] = Tag.objects.create(name=name)
    content_type = ContentType.objects.get_for_model(Source)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(content_type=content_type, object_id=step.planned.source.pk, tag=tags[tag.casefold()])
            for step in steps
            for tag in dict.fromkeys(step.source.details["tags"])
        ],
        batch_size=BATCH_SIZE,
    )


def write_publishers(publishers):
    """Create the document's publishers that are not stored (by name, ignoring case), with their details."""
    stored = find_named(Publisher, [publisher["name"] for publisher in publishers])
    new = [publisher for publisher in publishers if publisher["name"].casefold() not in stored]
    for data, slug in zip(new, _slugs(Publisher, new), strict=True):
        publisher = Publisher(name=data["name"], slug=slug, homepage=data["homepage"], time_zone=data["time_zone"])
        publisher.full_clean()
        publisher.save()
        if data["created_at"]:
            Publisher.objects.filter(pk=publisher.pk).update(created_at=data["created_at"])


def write_speakers(decision):
    """Create the document's speakers that are not stored (by name, ignoring case), with kind and description."""
    new = [speaker for speaker in decision.document.speakers if speaker["name"].casefold() not in decision.speakers]
    now = timezone.now()
    speakers = [
        Speaker(
            name=data["name"],
            slug=slug,
            kind=data["kind"] or SpeakerKind.PERSON,
            description=data["description"],
            created_at=data["created_at"] or now,
        )
        for data, slug in zip(new, _slugs(Speaker, new), strict=True)
    ]
    for speaker in speakers:
        speaker.full_clean(validate_unique=False, validate_constraints=False)
    for batch in batches(speakers):
        for speaker in insert(Speaker, batch, kept=("created_at",)):
            decision.speakers[speaker.name.casefold()] = speaker


def _slugs(model, items):
    """Return a slug for each of ``items`` (dicts with ``name`` and ``slug``): its own where free, else one made."""
    wanted = [item["slug"] for item in items]
    taken = set()
    for chunk in batches([slug for slug in wanted if slug], BATCH_SIZE // 2):
        taken.update(model._default_manager.filter(slug__in=chunk).values_list("slug", flat=True))
    made = iter(unique_slugs(model, [item["name"] for item in items if not item["slug"] or item["slug"] in taken]))
    slugs = []
    for slug in wanted:
        if slug and slug not in taken:
            taken.add(slug)
            slugs.append(slug)
        else:
            slugs.append(next(made))
    # A made slug equal to another item's own one: number it as ``unique_slug`` would.
    seen = set()
    for index, slug in enumerate(slugs):
        candidate, number = slug, 2
        while candidate in seen:
            candidate, number = f"{slug}-{number}", number + 1
        seen.add(candidate)
        slugs[index] = candidate
    return slugs


def write_set(data, claim_set, members, *, users):
    """Create a version 2 claim set when it is not stored, and append its missing ``members`` (claim, note)."""
    if claim_set is None:
        claim_set = ClaimSet(
            title=data["title"],
            slug=data["slug"] or unique_slug(ClaimSet, data["title"]),
            description=data["description"],
            is_public=data["public"],
            curator=users.get(data["curator"]),
        )
        claim_set.full_clean()
        claim_set.save()
        if data["created_at"]:
            ClaimSet.objects.filter(pk=claim_set.pk).update(created_at=data["created_at"])
    last = claim_set.memberships.aggregate(last=Max("position"))["last"] or 0
    ClaimSetMembership.objects.bulk_create(
        [
            ClaimSetMembership(claim_set=claim_set, claim=claim, position=position, note=note)
            for position, (claim, note) in enumerate(members, start=last + 1)
        ],
        batch_size=BATCH_SIZE,
    )
