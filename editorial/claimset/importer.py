"""Importing a claim-set JSON document (``editorial.claimset/2`` or ``/1``): ``import_claims`` and ``import_sources``
(through ``sources_bundle``).

A document is checked whole first (``validate.check``): nothing is imported from a document with a
problem, and every problem is reported. Then the import is decided, reading only — which stored
sources, revisions, speakers, claims, relations and set the document's are, and what it adds — and
the decision is written in one transaction. A dry run decides and stops: its counts are the ones
the real run reports, and it writes nothing.

What is matched, so that importing the same file twice changes nothing:

* sources by ``sources.services.match_source``'s rule (the same as the file importers': the same
  URL; else the same publisher and title, ignoring case; else the same publisher and a stored
  revision holding the source's newest text), also among the sources the document itself creates;
  revisions of a source by SHA-256. A missing source is created with the file's metadata and
  bylines, a missing revision with the file's number, through the sources app's capture API, which
  re-anchors the citations of older revisions when a newer one arrives. Sources that already exist
  keep their metadata.
* speakers by name (ignoring case); claims by statement and speaker; citations by revision and
  offsets; relations by both claims and kind; the claim set (``set``) by slug, its members appended
  in file order.

A claim is created with the file's claim date, verdict, tags and citations, then its status is
restored with ``Claim.restore_status`` (a ``restore`` event in the moderation log; a public status
gets an approved public version built from what was imported). A claim that already exists gets
what the file adds — a changed claim date or verdict, missing tags and citations — and its status
restored when it differs or when the claim changed while public. Who imports decides whether
statuses are restored at all (see ``import_document``).

Derived values in the file (``prefix``, ``suffix``, ``url`` of citations, ``exported_at``) are not
read; unknown keys are ignored; missing optional keys mean empty.

A version 2 document (``editorial.claimset/2``, the whole record) is restored as it stands: new
publishers, speakers, sources (slug, notes, tags, history, each revision's capture details and
original file) and claim sets keep their details; new claims keep their stamps, notes, anchors,
approved version and moderation history (instead of a ``restore`` event), with usernames linked to
the accounts of those names. A claim that is stored already is compared, never changed: each
difference is a notice at its JSON path (``$.claims[3].approved``). docs/claimset.md, "Importing
version 2".
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator

from editorial.claimset import captures, full
from editorial.claimset.bulk import (
    BATCH_SIZE,
    NewClaimWriter,
    analyze_written_tables,
    approved_speakers,
    batches,
    find_named,
    stored_claims,
    stored_revisions,
)
from editorial.claimset.validate import (
    InvalidClaimSet,
    ParsedClaim,
    ParsedDocument,
    ParsedSource,
    Problem,
    check,
    parse,
)
from editorial.models import (
    Citation,
    Claim,
    ClaimRelation,
    ClaimSet,
    ClaimSetMembership,
    ClaimStatus,
    Speaker,
)
from editorial.public import counters
from editorial.services.citations import save_citation
from editorial.workflow import PUBLIC_STATUSES, may_restore, status_label
from sources.models import unique_slug
from sources.services import CapturePlan, PlannedSource
from sources.services.rows import insert
from sources.textutils import replace_unstorable

CURATE_SET_PERMISSIONS = ("editorial.add_claimset", "editorial.change_claimset")


@dataclass
class ImportResult:
    """What an import did: counts by kind of change (``sources created``, ``claims matched`` …)."""

    counts: Counter = field(default_factory=Counter)
    # What the import left as it was and why, each at its JSON path (statuses a user without the
    # moderate permission stated, claims past draft that were not theirs to change).
    notices: list = field(default_factory=list)

    def __str__(self):
        order = [
            "sources created",
            "sources matched",
            "revisions created",
            "revisions matched",
            "claims created",
            "claims updated",
            "claims matched",
            "citations created",
            "relations created",
            "statuses restored",
            "claims imported as drafts",
            "claims left unchanged",
            "set members added",
            "sets created",
            "claims in conflict",
        ]
        return ", ".join(f"{self.counts[name]} {name}" for name in order if self.counts[name]) or "nothing to import"

    @property
    def changed(self):
        """Return True when the import wrote anything (or, in a dry run, would)."""
        return any(count for name, count in self.counts.items() if not name.endswith(("matched", "left unchanged")))


def import_claims_file(path, *, user=None, operator: str = "") -> ImportResult:
    """Import the claim-set JSON file at ``path``; see ``import_document``."""
    # A file name that is not UTF-8 holds surrogates; the moderation notes record it readably.
    origin = replace_unstorable(str(path))
    return import_document(Path(path).read_bytes(), user=user, operator=operator, origin=origin)


def import_document(data, *, user=None, operator: str = "", origin: str = "", dry_run: bool = False) -> ImportResult:
    """Check the claim-set JSON ``data`` (bytes, str or the parsed document) and import it.

    Raises ``InvalidClaimSet`` listing every problem, with nothing imported, when the document has
    any. Otherwise imports it in one transaction and returns an ``ImportResult``; with ``dry_run``
    writes nothing and returns what the import would do. ``user`` is recorded on the moderation
    events and revisions; ``origin`` (the file name) in their notes.

    Who imports decides what statuses do (``workflow.may_restore``): a moderator, or the
    command-line ``operator`` (named, acting without an account), restores them as the document
    states. Anyone else brings new claims in as drafts and leaves claims that have left draft
    as they are; each status or change not applied is listed in ``ImportResult.notices`` with its
    JSON path, and logged as an ``import`` event naming the user.
    """
    return _import(data, user=user, operator=operator, origin=origin, dry_run=dry_run)


def _import(data, *, user, operator, origin, dry_run, plan=None):
    """Import ``data``; in a dry run, ``plan`` holds what earlier files of the run would have captured."""
    parsed, problems = check(parse(data) if isinstance(data, bytes | str) else data)
    # Only the records ``check`` made are kept from here: the JSON tree it read is the larger part of
    # a big document's memory.
    if problems:
        raise InvalidClaimSet(problems)
    if dry_run:
        plan = plan or CapturePlan()
        fork = plan.fork()  # a refused document leaves the run's plan as it was
        decided = _decide(parsed, fork, user=user, operator=operator)
        plan.adopt(fork)  # later files of the dry run see what this one would have captured
        return decided.result
    with transaction.atomic():
        decided = _decide(parsed, CapturePlan(), user=user, operator=operator)
        # The public list's counters count the written entries once, at the end, in SQL.
        with counters.deferred():
            _write(decided, user=user, operator=operator, origin=origin)
    if decided.result.changed:
        analyze_written_tables()
    return decided.result


# Deciding ----------------------------------------------------------------------------------------


@dataclass
class _SourceStep:
    source: ParsedSource
    planned: PlannedSource
    create: bool  # the first of the document's sources that is this new source
    new: list  # numbers of the revisions to capture, in order


@dataclass
class _ClaimStep:
    claim: ParsedClaim
    stored: Claim | None  # None: the import creates it
    updates: list = field(default_factory=list)  # fields to change: claim_date, verdict
    missing_tags: list = field(default_factory=list)
    new_citations: list = field(default_factory=list)
    leave: bool = False  # past draft and not the importer's to change: only logged
    restore: bool = False
    note: str | None = None  # the message of the ``import`` event to log, "" for none; None: no event


@dataclass
class _Decision:
    result: ImportResult
    sources: list
    revision_pks: dict  # (source ref, number in the file) → stored revision pk, None for a new one
    claims: dict  # claim ref → _ClaimStep
    relations: list  # (from ref, kind, to ref, note, created_at) to create
    speakers: dict = field(default_factory=dict)  # casefolded name → stored Speaker
    restore: bool = False  # statuses are restored (``workflow.may_restore``)
    claim_set: ClaimSet | None = None
    set_data: dict | None = None
    set_members: list = field(default_factory=list)  # claim refs to append
    full: bool = False  # a version 2 document
    users: dict = field(default_factory=dict)  # username → stored account, for the names the document gives
    sets: list = field(default_factory=list)  # version 2: (set data, stored ClaimSet or None, [(claim ref, note)])
    document: ParsedDocument | None = None


def _decide(document: ParsedDocument, plan: CapturePlan, *, user, operator) -> _Decision:
    """Decide the whole import, reading only; raise ``InvalidClaimSet`` for what the database reveals."""
    result = ImportResult()
    counts = result.counts
    steps, problems, revision_pks = [], [], {}
    documents = [
        {
            "url": source.fields["url"],
            "publisher": source.publisher,
            "title": source.fields["title"],
            "sha256": source.revisions[max(source.revisions)].sha256 if source.revisions else None,
        }
        for source in document.sources
    ]
    plan.prefetch(documents)  # the stored sources, read in bulk rather than per source
    for source, details in zip(document.sources, documents, strict=True):
        planned = plan.match(**details)
        create = planned is None
        planned = plan.create(**{key: details[key] for key in ("url", "publisher", "title")}) if create else planned
        counts["sources created" if create else "sources matched"] += 1
        stored = planned.source
        taken = {number: sha256 for sha256, number in planned.numbers.items()}
        new = []
        for number in sorted(source.revisions):
            revision = source.revisions[number]
            if revision.sha256 in planned.numbers:
                counts["revisions matched"] += 1
            elif number in taken:
                which = "the stored source" if stored is not None else "the source"
                problems.append(
                    Problem(
                        f"{revision.path}.number",
                        f"revision {number} of {which} “{Truncator(planned.title).chars(60)}” holds different "
                        f"text (SHA-256 {taken[number][:12]}…, the file's is {revision.sha256[:12]}…); a "
                        "source's revisions cannot be changed",
                    )
                )
            else:
                plan.add_revision(planned, revision.sha256, number)
                taken[number] = revision.sha256
                new.append(number)
                counts["revisions created"] += 1
            revision_pks[(source.ref, number)] = (stored and stored.pk, revision.sha256)
        steps.append(_SourceStep(source, planned, create, new))
    if problems:
        raise InvalidClaimSet(problems)
    stored_pks = stored_revisions({source_pk for source_pk, _ in revision_pks.values() if source_pk is not None})
    revision_pks = {key: stored_pks.get(stored) for key, stored in revision_pks.items()}

    restore = may_restore(user, operator=operator)
    names = [claim.speaker for claim in document.claims] + [speaker["name"] for speaker in document.speakers]
    if document.full:
        names += [name for claim in document.claims for name in approved_speakers(claim)]
    speakers = find_named(Speaker, names)
    decision = _Decision(result, steps, revision_pks, {}, [], speakers=speakers, restore=restore)
    decision.full, decision.document = document.full, document
    if document.full:
        decision.users = full.accounts(document)
    found = stored_claims(document.claims, speakers)
    for claim in document.claims:
        speaker = speakers.get(claim.speaker.casefold()) if claim.speaker else None
        # A speaker the import creates has no claims yet.
        stored = None if claim.speaker and speaker is None else found.get((claim.statement, speaker and speaker.pk))
        if document.full and stored is not None:
            decision.claims[claim.ref] = full.compare_claim(claim, stored, revision_pks, result, step_type=_ClaimStep)
        else:
            decision.claims[claim.ref] = _decide_claim(claim, stored, revision_pks, result, user=user, restore=restore)

    seen = set()
    for claim in document.claims:
        for _, kind, target, note, created_at in claim.relations:
            if (claim.ref, kind, target) in seen:
                continue
            seen.add((claim.ref, kind, target))
            source, other = decision.claims[claim.ref].stored, decision.claims[target].stored
            relation = {"from_claim": source, "to_claim": other, "kind": kind}
            if source is None or other is None or not ClaimRelation.objects.filter(**relation).exists():
                details = (note, created_at) if document.full else ("", None)
                decision.relations.append((claim.ref, kind, target, *details))
                counts["relations created"] += 1

    may_curate = operator or (user is not None and user.has_perms(CURATE_SET_PERMISSIONS))
    if document.sets is not None:
        if may_curate:
            full.decide_sets(decision, document)
        elif document.sets:
            result.notices.append(Problem("$.sets", "not imported: you do not have permission to curate claim sets"))
    elif document.set is not None:
        if may_curate:
            _decide_set(decision, document)
        else:
            result.notices.append(Problem("$.set", "not imported: you do not have permission to curate claim sets"))
    return decision


def _decide_claim(claim, stored, revision_pks, result, *, user, restore):
    counts = result.counts
    created = stored is None
    step = _ClaimStep(claim, stored)
    if created:
        step.missing_tags = claim.tags
    else:
        step.updates = [
            name
            for name, value in (("claim_date", claim.claim_date), ("verdict", claim.verdict))
            if getattr(stored, name) != value
        ]
        present = {name.casefold() for name in stored.tags.names()}
        step.missing_tags = [tag for tag in claim.tags if tag.casefold() not in present]
    cited = set() if created else set(stored.citations.values_list("revision_id", "start", "end"))
    step.new_citations = [
        citation
        for citation in claim.citations
        if (revision_pks[(citation.source, citation.number)], citation.start, citation.end) not in cited
    ]

    if not restore and not created and stored.status != ClaimStatus.DRAFT:
        # Past draft, a claim changes only through moderation: leave it, say so and log who tried.
        step.leave = True
        if stored.status != claim.status or step.updates or step.missing_tags or step.new_citations:
            message = (
                f"matches a claim that is {status_label(stored.status)}; the document's status and changes "
                "were not applied: only a moderator may change a claim once it has left draft"
            )
            result.notices.append(Problem(claim.path, message))
            step.note = message
            counts["claims left unchanged"] += 1
        else:
            counts["claims matched"] += 1
        return step

    changed = bool(not created and (step.updates or step.missing_tags or step.new_citations))
    counts["citations created"] += len(step.new_citations)
    if restore:
        # A public claim that changed needs its approved public version rebuilt: restoring does that.
        if created or stored.status != claim.status or (changed and stored.status in PUBLIC_STATUSES):
            step.restore = True
            counts["statuses restored"] += 1
    elif created or stored.status != claim.status:
        step.note = ""
        if claim.status != ClaimStatus.DRAFT:
            step.note = f"“{claim.status}” not restored: only a moderator may restore a status; imported as a draft"
            result.notices.append(Problem(f"{claim.path}.status", step.note))
        counts["claims imported as drafts"] += 1
    counts["claims created" if created else "claims updated" if changed else "claims matched"] += 1
    return step


def _decide_set(decision, document):
    data = document.set
    claim_set = ClaimSet.objects.filter(slug=data["slug"]).first() if data["slug"] else None
    members = set(claim_set.memberships.values_list("claim_id", flat=True)) if claim_set is not None else set()
    for claim in document.claims:
        stored = decision.claims[claim.ref].stored
        if stored is None or stored.pk not in members:
            decision.set_members.append(claim.ref)
    decision.claim_set, decision.set_data = claim_set, data
    decision.result.counts["set members added"] += len(decision.set_members)


# Writing -----------------------------------------------------------------------------------------


def _write(decision: _Decision, *, user, operator, origin):
    """Write what ``decision`` holds, in order: sources, claims (the new ones in bulk), relations, the set."""
    if decision.full:
        full.write_publishers(decision.document.publishers)
        full.write_speakers(decision)
    revisions, newest = captures.write_sources(decision, user=user, origin=origin)
    writer = NewClaimWriter(
        revisions,
        newest,
        decision.speakers,
        user=user,
        operator=operator,
        origin=origin,
        restore=decision.restore,
        import_note=_import_note,
        full=decision.full,
        users=decision.users,
    )
    claims = writer.write([step for step in decision.claims.values() if step.stored is None])
    for ref, step in decision.claims.items():
        if step.stored is not None:
            claims[ref] = _write_claim(step, revisions, user=user, operator=operator, origin=origin)
    now = timezone.now()
    relations = [
        ClaimRelation(
            from_claim=claims[source_ref], to_claim=claims[target], kind=kind, note=note, created_at=created_at or now
        )
        for source_ref, kind, target, note, created_at in decision.relations  # each new: ``_decide`` left out stored
    ]
    if decision.full:  # with their own creation times
        for batch in batches(relations):
            insert(ClaimRelation, batch, kept=("created_at",))
    else:
        ClaimRelation.objects.bulk_create(relations, batch_size=BATCH_SIZE)
    if decision.set_data is not None:
        _write_set(decision, [claims[ref] for ref in decision.set_members], user=user)
    for data, claim_set, missing in decision.sets:
        full.write_set(data, claim_set, [(claims[ref], note) for ref, note in missing], users=decision.users)


def _write_claim(step, revisions, *, user, operator, origin):
    """Write what the import adds to the stored claim of ``step``, one query at a time."""
    claim, stored = step.claim, step.stored
    if step.leave:
        if step.note is not None:
            stored.record_import(user=user, stated_status=claim.status, note=_import_note(origin, user, step.note))
        return stored

    for name in step.updates:
        setattr(stored, name, getattr(claim, name))
    if step.updates:
        stored.save(update_fields=[*step.updates, "modified_at"])
    if step.missing_tags:
        stored.tags.add(*step.missing_tags)
    for citation in step.new_citations:
        revision = revisions[(citation.source, citation.number)]
        # Anchored against the source's newest revision, as an editor's citation is.
        save_citation(
            Citation(claim=stored, revision=revision, excerpt=citation.excerpt, start=citation.start, end=citation.end)
        )
    if step.restore:
        stored.restore_status(claim.status, user=user, operator=operator, note=_import_note(origin))
    elif step.note is not None:
        stored.record_import(user=user, stated_status=claim.status, note=_import_note(origin, user, step.note))
    return stored


def _import_note(origin, user=None, message=""):
    """Return the moderation note of an imported claim: the file, who imported it, what was refused."""
    note = f"Imported from {origin}" if origin else "Imported"
    if user is not None:
        note += f" by {user.get_username()}"
    return f"{note}: {message}." if message else f"{note}."


def _write_set(decision, claims, *, user):
    data, claim_set = decision.set_data, decision.claim_set
    if claim_set is None:
        claim_set = ClaimSet(title=data["title"], slug=data["slug"] or unique_slug(ClaimSet, data["title"]))
        claim_set.description = data["description"]
        claim_set.curator = user
        claim_set.full_clean()
        claim_set.save()
    last = claim_set.memberships.aggregate(last=Max("position"))["last"] or 0
    ClaimSetMembership.objects.bulk_create(
        [
            ClaimSetMembership(claim_set=claim_set, claim=claim, position=position)
            for position, claim in enumerate(claims, start=last + 1)
        ],
        batch_size=BATCH_SIZE,
    )
