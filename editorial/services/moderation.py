"""Moderation acts: the workflow's transitions, restoring a status from an import, logging an import.

Each act locks the stored claim, checks it (``editorial.workflow``), moves its status, approves its
public version where the act approves content (``PublicVersion.of``), and appends a
``ModerationEvent``, in one transaction. ``Claim.publish()`` and its siblings call these; the
module imports no models, so that the models can.
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from editorial import workflow
from editorial.public.version import PublicVersion, statement_slug
from editorial.workflow import PUBLIC_STATUSES, ClaimStatus, TransitionError, TransitionPermissionDenied

RESTORE = "restore"
IMPORT = "import"
WORKFLOW_FIELDS = ("status", "published_at", "slug", "public_snapshot", "modified_at")

# Sent inside every moderation act's transaction, once the claim's status (and approved version)
# is saved, with ``claim`` (the stored row) and ``event``. The public read model listens.
moderated = Signal()


def actor_name(user) -> str:
    """Return the name a moderation event records for ``user``: the username, or "" for nobody."""
    return user.get_username() if user is not None else ""


def apply_transition(claim, name: str, *, user, note: str = ""):
    """Apply the transition ``name`` to the stored ``claim``; return the ``ModerationEvent``.

    Runs on the stored row, locked for the transaction: unsaved changes to ``claim`` are not part of
    it (save them first). Raises ``TransitionError`` when the transition does not apply. ``claim``'s
    workflow fields are updated from the stored row afterwards.
    """
    transition = workflow.TRANSITIONS[name]
    note = (note or "").strip()
    if claim.pk is None:
        raise TransitionError(f"Save the claim before you {transition.verb} it.", code="invalid_status")
    with transaction.atomic():
        stored = type(claim).objects.select_for_update().get(pk=claim.pk)
        workflow.check(transition, claim=stored, user=user, note=note)
        event = _record(
            stored,
            transition.target or stored.status,  # submitting or declining changes keeps the status
            action=name,
            user=user,
            note=note,
            approve=transition.approves_content,
        )
    _copy_workflow_fields(claim, stored)
    return event


def restore_status(claim, status, *, user=None, operator: str = "", note: str = "", published_at=None):
    """Set ``claim``'s ``status`` without the workflow's checks, for an import restoring a backup.

    Restoring is a moderator's act: ``user`` must have the moderate permission, unless ``operator``
    names the command-line operator acting without an account (recorded as the event's actor).
    Raises ``TransitionPermissionDenied`` otherwise, changing nothing.

    A public status gets an approved public version built from the stored claim, and a
    ``published_at`` (the one given, the stored one, or now). The change is logged as a ``restore``
    event.
    """
    status = ClaimStatus(status)
    if not workflow.may_restore(user, operator=operator):
        raise TransitionPermissionDenied("Only a moderator may restore a claim's status.", code="permission_denied")
    with transaction.atomic():
        stored = type(claim).objects.select_for_update().get(pk=claim.pk)
        if published_at is not None:
            stored.published_at = published_at
        event = _record(
            stored,
            status,
            action=RESTORE,
            user=user,
            actor=operator,
            note=(note or "").strip(),
            approve=status in PUBLIC_STATUSES,
        )
    _copy_workflow_fields(claim, stored)
    return event


def record_import(claim, *, user, stated_status: str, note: str):
    """Log, without changing ``claim``, that ``user`` imported it while it was not theirs to move.

    For imports by users without the moderate permission: the event names who imported, what status
    the document stated and why it was not restored (``note``).
    """
    return claim.moderation_events.create(
        action=IMPORT,
        from_status=claim.status,
        to_status=claim.status,
        user=user,
        actor=actor_name(user),
        note=import_event_note(note, stated_status),
    )


def import_event_note(note: str, stated_status: str) -> str:
    """Return the note of an ``import`` event: why the status was not restored, and the status stated."""
    return f"{note} The document stated “{stated_status}”.".strip()


def _record(claim, status, *, action, user, note, approve, actor=""):
    """Move the (locked) ``claim`` to ``status``, approving its public version when ``approve``; log it."""
    now = timezone.now()
    previous = claim.status
    claim.status = status
    snapshot = None
    if approve:
        claim.published_at = claim.published_at or now
        claim.slug = statement_slug(claim.statement)
        snapshot = PublicVersion.of(claim, approved_at=now, with_fragments=True).to_snapshot()
        claim.public_snapshot = snapshot
    claim._history_user = user
    claim.save(update_fields=list(WORKFLOW_FIELDS))
    event = claim.moderation_events.create(
        action=action,
        from_status=previous,
        to_status=status,
        user=user,
        actor=actor or actor_name(user),
        note=note,
        at=now,
        public_version=snapshot,
    )
    moderated.send(sender=type(claim), claim=claim, event=event)
    return event


def _copy_workflow_fields(claim, stored):
    for name in WORKFLOW_FIELDS:
        setattr(claim, name, getattr(stored, name))
