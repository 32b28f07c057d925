"""The claim workflow: statuses, the transitions between them, and who may make them.

    transition       from                    to           who         note
    submit           draft                   in_review    editors     optional
    publish          in_review               published    moderators  optional (needs a citation)
    reject           in_review               rejected     moderators  required
    send_back        in_review, rejected     draft        moderators  required
    correct          published, corrected    corrected    moderators  required (needs a citation)
    retract          published, corrected    retracted    moderators  required
    submit_changes   published, corrected    (unchanged)  editors     optional (needs unapproved changes)
    decline_changes  published, corrected    (unchanged)  moderators  required (needs submitted changes)

Editors (``editorial.submit_claim``) submit drafts for review. Moderators (``editorial.moderate_claim``)
publish, reject, send back, correct and retract. Rejecting, sending back, correcting and retracting
need a note saying why; publishing and correcting need at least one citation.

Edits to a public claim stay private until a moderator approves them (``correct``). An editor asks
for that with ``submit_changes``, which needs edits the approved version lacks; the claim stays
public as approved, and its changes await approval until a moderator's next step: ``correct``
approves them, ``decline_changes`` turns them down with a note for the editor (the edits stay on
the claim, unapproved, to be reworked and submitted again), ``retract`` ends them with the claim.

The transitions themselves are methods on ``Claim`` (``claim.publish(user, note)``); this module holds
the table they read and the checks they run, so the admin can ask which transitions a user may make.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    CORRECTED = "corrected", "Corrected"
    RETRACTED = "retracted", "Retracted"


# Listed publicly: in lists, feeds, search, sitemaps, the API and every export reachable over HTTP.
LISTED_STATUSES = (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED)
# Reachable publicly at the claim's own URL: the listed ones, and retracted claims, which stay
# visible with their retraction notice (a retraction is part of the public record).
PUBLIC_STATUSES = (*LISTED_STATUSES, ClaimStatus.RETRACTED)

SUBMIT_PERMISSION = "editorial.submit_claim"
MODERATE_PERMISSION = "editorial.moderate_claim"


class TransitionError(ValidationError):
    """A workflow transition that does not apply: wrong status, missing note or missing citation.

    ``str(error)`` (and ``error.message``) is the sentence to show the user; ``error.code`` says which
    check failed: ``invalid_status``, ``note_required``, ``no_citations`` or ``permission_denied``.
    """

    def __init__(self, message, *, code):
        super().__init__(message, code=code)

    def __str__(self):
        return self.message


class TransitionPermissionDenied(TransitionError, PermissionDenied):
    """The user lacks the permission a transition needs. Views that do not catch it answer 403."""


@dataclass(frozen=True)
class Transition:
    name: str  # the Claim method and the ModerationEvent action
    verb: str  # as it reads in a sentence: "Cannot send back a claim that …"
    sources: tuple  # statuses the transition starts from
    target: str | None  # None: the claim keeps its status
    permission: str
    note_prompt: str = ""  # non-empty when a note is required: what the note should say
    approves_content: bool = False  # writes the public version; needs at least one citation
    proposes_changes: bool = False  # needs unapproved changes that do not await approval yet
    answers_changes: bool = False  # needs changes that await approval
    label: str = ""  # the button's text, when the capitalised verb does not read as one

    @property
    def button_label(self):
        return self.label or self.verb.capitalize()


TRANSITIONS = {
    transition.name: transition
    for transition in (
        Transition("submit", "submit", (ClaimStatus.DRAFT,), ClaimStatus.IN_REVIEW, SUBMIT_PERMISSION),
        Transition(
            "publish",
            "publish",
            (ClaimStatus.IN_REVIEW,),
            ClaimStatus.PUBLISHED,
            MODERATE_PERMISSION,
            approves_content=True,
        ),
        Transition(
            "reject",
            "reject",
            (ClaimStatus.IN_REVIEW,),
            ClaimStatus.REJECTED,
            MODERATE_PERMISSION,
            note_prompt="say why it is rejected",
        ),
        Transition(
            "send_back",
            "send back",
            (ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED),
            ClaimStatus.DRAFT,
            MODERATE_PERMISSION,
            note_prompt="say what needs to change",
        ),
        Transition(
            "correct",
            "correct",
            (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED),
            ClaimStatus.CORRECTED,
            MODERATE_PERMISSION,
            note_prompt="say what changed; readers see it with the correction",
            approves_content=True,
        ),
        Transition(
            "retract",
            "retract",
            (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED),
            ClaimStatus.RETRACTED,
            MODERATE_PERMISSION,
            note_prompt="say why it is retracted; readers see it with the retraction notice",
        ),
        Transition(
            "submit_changes",
            "submit changes to",
            (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED),
            None,
            SUBMIT_PERMISSION,
            proposes_changes=True,
            label="Submit changes for review",
        ),
        Transition(
            "decline_changes",
            "decline changes to",
            (ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED),
            None,
            MODERATE_PERMISSION,
            note_prompt="say why, so that the editor can rework them; readers never see it",
            answers_changes=True,
            label="Decline changes",
        ),
    )
}

_ALREADY_PUBLIC = "it is already public (a moderator publishes later edits with “correct”)"
_SUBMIT_CHANGES_INSTEAD = "it is already public (submit its changes for review instead)"
_NOT_PUBLIC_YET = "only edits to a public claim await approval as a correction"

# The next step to suggest when a transition does not apply to a claim's status.
_HINTS = {
    ("submit", ClaimStatus.IN_REVIEW): "it is already in review",
    ("submit", ClaimStatus.REJECTED): "a moderator must send it back to draft first",
    ("submit", ClaimStatus.PUBLISHED): _SUBMIT_CHANGES_INSTEAD,
    ("submit", ClaimStatus.CORRECTED): _SUBMIT_CHANGES_INSTEAD,
    ("publish", ClaimStatus.DRAFT): "submit it for review first",
    ("publish", ClaimStatus.REJECTED): "send it back to draft and submit it again",
    ("publish", ClaimStatus.PUBLISHED): _ALREADY_PUBLIC,
    ("publish", ClaimStatus.CORRECTED): _ALREADY_PUBLIC,
    ("reject", ClaimStatus.DRAFT): "only claims in review can be rejected",
    ("reject", ClaimStatus.REJECTED): "it is already rejected",
    ("reject", ClaimStatus.PUBLISHED): "retract it instead",
    ("reject", ClaimStatus.CORRECTED): "retract it instead",
    ("send_back", ClaimStatus.DRAFT): "it is already a draft",
    ("send_back", ClaimStatus.PUBLISHED): "published claims are corrected or retracted, not sent back",
    ("send_back", ClaimStatus.CORRECTED): "published claims are corrected or retracted, not sent back",
    ("correct", ClaimStatus.DRAFT): "only published claims are corrected (edit the draft and submit it)",
    ("correct", ClaimStatus.IN_REVIEW): "only published claims are corrected (publish it instead)",
    ("retract", ClaimStatus.RETRACTED): "it is already retracted",
    ("submit_changes", ClaimStatus.DRAFT): "submit the draft itself for review",
    ("submit_changes", ClaimStatus.IN_REVIEW): "it is in review, edits and all",
    ("submit_changes", ClaimStatus.REJECTED): "a moderator must send it back to draft first",
    ("decline_changes", ClaimStatus.DRAFT): _NOT_PUBLIC_YET,
    ("decline_changes", ClaimStatus.IN_REVIEW): f"{_NOT_PUBLIC_YET} (reject it or send it back instead)",
    ("decline_changes", ClaimStatus.REJECTED): _NOT_PUBLIC_YET,
}


def status_label(status):
    """Return the status as it reads in a sentence ("in review")."""
    return ClaimStatus(status).label.lower()


def refusal(transition, status):
    """Return why ``transition`` cannot start from ``status``, or "" when it can."""
    if status in transition.sources:
        return ""
    hint = _HINTS.get((transition.name, status))
    if hint is None:
        if status == ClaimStatus.RETRACTED:
            hint = "a retracted claim stays retracted"
        else:
            allowed = " or ".join(status_label(source) for source in transition.sources)
            hint = f"only claims that are {allowed} can be {_past(transition)}"
    return f"Cannot {transition.verb} a claim that is {status_label(status)}; {hint}."


def _past(transition):
    return {"send_back": "sent back", "submit": "submitted"}.get(transition.name, f"{transition.verb}ed")


def check(transition, *, claim, user, note):
    """Raise ``TransitionError`` unless ``user`` may apply ``transition`` to ``claim`` with ``note``.

    The checks run in the order a user can act on them: permission, status, pending changes, note,
    citations.
    """
    if user is None or not user.has_perm(transition.permission):
        who = "a moderator must do it" if transition.permission == MODERATE_PERMISSION else "ask an administrator"
        raise TransitionPermissionDenied(
            f"You do not have permission to {transition.verb} claims; {who}.", code="permission_denied"
        )
    reason = refusal(transition, claim.status)
    if reason:
        raise TransitionError(reason, code="invalid_status")
    if transition.proposes_changes:
        if not claim.has_unpublished_changes():
            raise TransitionError(
                "There are no changes to submit: the claim is the same as its approved version. "
                "Edit and save it first.",
                code="no_changes",
            )
        if claim.changes_submission() is not None:
            raise TransitionError("Its changes already await a moderator's approval.", code="already_submitted")
    if transition.answers_changes and claim.changes_submission() is None:
        raise TransitionError(
            "Cannot decline changes that were not submitted for approval (or were answered already).",
            code="not_submitted",
        )
    if transition.note_prompt and not note.strip():
        raise TransitionError(
            f"A note is required to {transition.verb} a claim: {transition.note_prompt}.", code="note_required"
        )
    if transition.approves_content and not claim.citations.exists():
        raise TransitionError(
            f"Cannot {transition.verb} a claim without citations; cite at least one source passage first.",
            code="no_citations",
        )


def available(claim, user):
    """Return the transitions ``user`` may start from ``claim``'s status (notes and citations unchecked)."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if claim.status in transition.sources and user is not None and user.has_perm(transition.permission)
    ]


def may_restore(user, *, operator=""):
    """Return True when statuses may be restored as a document states them (``import_claims``).

    Restoring can publish, correct or retract, so it is a moderator's act: ``user`` needs the
    moderate permission. ``operator`` names the command-line operator, who runs the server and
    acts without an account; an import by anyone else brings claims in as drafts.
    """
    if operator:
        return True
    return user is not None and user.has_perm(MODERATE_PERMISSION)
