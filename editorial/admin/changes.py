"""Edits to public claims awaiting approval: where a claim stands, and its changes field by field.

A public claim's edits stay private until a moderator approves them as a correction. An editor
submits them for approval (``submit_changes``); the moderation queue lists them
(``Claim.objects.changes_awaiting_approval()``), and the changes page (``<id>/changes/``) sets the
approved version beside the edited one, word by word, with the buttons to approve the edits as a
correction, to decline them with a note, or to submit them.

The comparison is plain data (``FieldChange``, with ``sources.diffs`` pieces); the template escapes
every piece of text.
"""

import difflib
from dataclasses import dataclass, field

from django.urls import reverse

from editorial import workflow
from editorial.admin.pages import admin_page, admin_url, viewable_object
from editorial.models import ModerationEvent
from editorial.public.version import PublicVersion
from sources.diffs import Piece, diff_words

# The steps that answer or raise submitted changes, in the order their buttons appear.
CHANGE_TRANSITIONS = ("correct", "decline_changes", "submit_changes")


@dataclass
class FieldChange:
    """One field of the claim compared: its label, whether it changed, and how to show it.

    ``pieces`` (``sources.diffs.Piece``: "equal", "insert", "delete") show text fields word by word;
    ``before`` and ``after`` show other fields whole; ``items`` list citations, each a
    ``(kind, text)`` with kind "equal", "insert" or "delete".
    """

    label: str
    changed: bool
    before: str = ""
    after: str = ""
    pieces: list[Piece] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChangesState:
    """Where a claim's edits stand: differing from the approved version, submitted, declined."""

    unapproved: bool
    submission: ModerationEvent | None  # the submission awaiting approval
    declined: ModerationEvent | None  # the claim's newest step, when it declined submitted edits

    @property
    def submitted(self):
        return self.submission is not None


def changes_state(claim):
    """Return where ``claim``'s edits stand (``ChangesState``); nothing is pending on a claim not listed."""
    if not claim.is_published():
        return ChangesState(unapproved=False, submission=None, declined=None)
    latest = claim.moderation_events.exclude(action=ModerationEvent.Action.IMPORT).order_by("-at", "-pk").first()
    return ChangesState(
        unapproved=claim.has_unpublished_changes(),
        submission=claim.changes_submission(),
        declined=latest if latest is not None and latest.action == ModerationEvent.Action.DECLINE_CHANGES else None,
    )


def offered_transitions(claim, user, state, names=None):
    """Return the transitions to offer ``user`` on ``claim`` (of ``names``, default all), given its ``state``.

    Submitting is offered for unapproved edits not yet submitted, and not to moderators, who approve
    edits themselves; declining only for submitted edits. The workflow checks every step again.
    """
    offered = []
    for transition in workflow.available(claim, user):
        if names is not None and transition.name not in names:
            continue
        if transition.proposes_changes and (
            not state.unapproved or state.submitted or user.has_perm(workflow.MODERATE_PERMISSION)
        ):
            continue
        if transition.answers_changes and not state.submitted:
            continue
        offered.append(transition)
    return offered


def _text(before, after, label):
    if before == after:
        return FieldChange(label, False, before=before, after=after)
    return FieldChange(label, True, before=before, after=after, pieces=diff_words(before, after))


def _value(before, after, label):
    return FieldChange(label, before != after, before=before or "none", after=after or "none")


def _tags(version):
    return ", ".join(sorted(version.tags, key=str.casefold)) or "none"


def _citation(cited):
    text = f"“{cited.source_title}”, revision {cited.revision_number}, code points {cited.start}–{cited.end}: "
    text += f"“{cited.excerpt}”"
    return text + (f" (note: {cited.note})" if cited.note else "")


def _citations(approved, live):
    # Compared on what an editor changes (the same parts as ``PublicVersion.differs_from``); a
    # source's retitling is not the editor's edit.
    def key(cited):
        return (cited.revision, cited.excerpt, cited.start, cited.end, cited.note)

    before, after = approved.citations, live.citations
    matcher = difflib.SequenceMatcher(None, [key(c) for c in before], [key(c) for c in after], autojunk=False)
    items = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            items.extend(("equal", _citation(cited)) for cited in after[j1:j2])
            continue
        items.extend(("delete", _citation(cited)) for cited in before[i1:i2])
        items.extend(("insert", _citation(cited)) for cited in after[j1:j2])
    changed = any(kind != "equal" for kind, _ in items)
    return FieldChange("Citations", changed, items=items or [("equal", "none")])


def compare_versions(approved: PublicVersion, live: PublicVersion) -> list[FieldChange]:
    """Return the fields of ``live`` compared with ``approved``, in the order of the claim page."""
    return [
        _text(approved.statement, live.statement, "Statement"),
        _value(approved.speaker_name, live.speaker_name, "Speaker"),
        _value(
            approved.claim_date.isoformat() if approved.claim_date else "",
            live.claim_date.isoformat() if live.claim_date else "",
            "Claim date",
        ),
        _text(_tags(approved), _tags(live), "Tags"),
        _value(approved.verdict_label, live.verdict_label, "Verdict"),
        _text(approved.verdict_explanation, live.verdict_explanation, "Verdict explanation"),
        _citations(approved, live),
    ]


def changed_labels(claim):
    """Return the labels of the fields whose edits are not approved yet ("Statement", "Tags")."""
    approved = claim.approved_version()
    if approved is None:
        return []
    return [change.label for change in compare_versions(approved, PublicVersion.of(claim)) if change.changed]


class ClaimChangesMixin:
    """The claim admin's changes page: a public claim's edits beside its approved version."""

    def get_urls(self):
        return [admin_url(self, "<path:object_id>/changes/", self.changes_view, "changes"), *super().get_urls()]

    def changes_view(self, request, object_id):
        """Show the edits of a public claim against its approved version, with the steps open to the user."""
        claim = viewable_object(self, request, object_id)
        approved = claim.approved_version()
        state = changes_state(claim)
        live = PublicVersion.of(claim)
        moderating = request.user.has_perm(workflow.MODERATE_PERMISSION)
        return admin_page(
            self,
            request,
            "admin/editorial/claim/changes.html",
            {
                "title": "Changes to the public version",
                "subtitle": str(claim),
                "claim": claim,
                "approved": approved,
                "state": state,
                "fields": compare_versions(approved, live) if approved else [],
                # What the public correction notice will list, once a moderator approves the edits.
                "notice_changes": live.changes_from(approved) if approved else [],
                "transitions": offered_transitions(claim, request.user, state, CHANGE_TRANSITIONS),
                "transition_url": reverse("admin:editorial_claim_transition", args=[claim.pk]),
                "next_url": reverse("admin:editorial_claim_moderation") if moderating else "",
            },
        )
