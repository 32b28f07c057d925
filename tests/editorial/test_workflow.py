"""Moderation: every transition, every refusal, and the approved public version."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from editorial.models import Claim, ClaimStatus, ModerationEvent
from editorial.services.citations import cite
from editorial.workflow import TRANSITIONS, TransitionError, TransitionPermissionDenied
from tests.factories import add_revision, make_claim, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "The city council voted on Thursday to close two libraries.\n\n"
    "The mayor said the savings would pay for longer opening hours at the central branch."
)


@pytest.fixture
def editor():
    return make_user("editor", "Editors")


@pytest.fixture
def moderator():
    return make_user("moderator", "Moderators")


@pytest.fixture
def source():
    return make_source(text=TEXT)


@pytest.fixture
def claim(editor, source):
    claim = make_claim("The council voted to close two libraries.", created_by=editor, tags=["libraries"])
    cite(claim=claim, revision=source.current_revision, excerpt="voted on Thursday to close two libraries")
    return claim


def claim_in(status, source):
    """Return a cited claim in ``status``, as if it had got there through the workflow."""
    claim = make_claim("Two libraries will close.")
    cite(claim=claim, revision=source.current_revision, excerpt="close two libraries")
    if status != ClaimStatus.DRAFT:
        claim.restore_status(status, operator="operator (test)")
    return claim


def refresh(claim):
    return Claim.objects.get(pk=claim.pk)


class TestTransitions:
    def test_submit_moves_a_draft_into_review_and_logs_it(self, claim, editor):
        event = claim.submit(editor, note="Ready for a look")

        assert refresh(claim).status == claim.status == ClaimStatus.IN_REVIEW
        assert (event.action, event.from_status, event.to_status) == ("submit", "draft", "in_review")
        assert (event.user, event.note) == (editor, "Ready for a look")
        assert list(claim.moderation_events.all()) == [event]

    def test_publish_makes_the_claim_public_with_its_approved_version(self, claim, editor, moderator):
        claim.submit(editor)
        before = timezone.now()

        event = claim.publish(moderator)

        stored = refresh(claim)
        assert stored.status == ClaimStatus.PUBLISHED
        assert stored.published_at >= before
        assert stored.is_published()
        assert list(Claim.objects.published()) == [stored]
        assert stored.public_version()["statement"] == "The council voted to close two libraries."
        assert stored.public_version()["tags"] == ["libraries"]
        assert stored.public_version()["citations"][0]["excerpt"] == "voted on Thursday to close two libraries"
        assert (event.action, event.from_status, event.to_status, event.user) == (
            "publish",
            "in_review",
            "published",
            moderator,
        )
        assert event.public_version == stored.public_snapshot

    def test_reject_needs_a_note_and_logs_it(self, claim, editor, moderator):
        claim.submit(editor)

        event = claim.reject(moderator, "The excerpt does not support the statement.")

        assert refresh(claim).status == ClaimStatus.REJECTED
        assert event.note == "The excerpt does not support the statement."
        assert not Claim.objects.published().exists()

    @pytest.mark.parametrize("status", [ClaimStatus.IN_REVIEW, ClaimStatus.REJECTED])
    def test_send_back_returns_a_claim_to_draft(self, status, source, moderator):
        claim = claim_in(status, source)

        event = claim.send_back(moderator, "Name the speaker.")

        assert refresh(claim).status == ClaimStatus.DRAFT
        assert (event.from_status, event.to_status, event.note) == (status, "draft", "Name the speaker.")

    def test_correct_approves_edits_and_keeps_the_first_publication_time(self, claim, editor, moderator):
        claim.submit(editor)
        claim.publish(moderator)
        first_published_at = refresh(claim).published_at

        claim.statement = "The council voted to close two branch libraries."
        claim.save()
        event = claim.correct(moderator, "Said which libraries close.")

        stored = refresh(claim)
        assert stored.status == ClaimStatus.CORRECTED
        assert stored.published_at == first_published_at
        assert stored.public_version()["statement"] == "The council voted to close two branch libraries."
        assert list(Claim.objects.published()) == [stored]
        assert (event.action, event.note) == ("correct", "Said which libraries close.")

    def test_a_corrected_claim_can_be_corrected_again(self, source, moderator):
        claim = claim_in(ClaimStatus.CORRECTED, source)

        claim.correct(moderator, "Fixed the date.")

        assert refresh(claim).status == ClaimStatus.CORRECTED
        assert [event.action for event in claim.public_notices()] == ["correct"]

    @pytest.mark.parametrize("status", [ClaimStatus.PUBLISHED, ClaimStatus.CORRECTED])
    def test_retract_keeps_the_claim_reachable_but_unlisted(self, status, source, moderator):
        claim = claim_in(status, source)

        event = claim.retract(moderator, "The quoted report was withdrawn by its publisher.")

        stored = refresh(claim)
        assert stored.status == ClaimStatus.RETRACTED
        assert not Claim.objects.published().filter(pk=claim.pk).exists()
        assert list(Claim.objects.publicly_visible()) == [stored]
        assert not stored.is_published() and stored.is_publicly_visible()
        assert stored.public_version()["statement"] == "Two libraries will close."
        assert list(stored.public_notices()) == [event]

    def test_transitions_act_on_the_stored_claim_not_unsaved_edits(self, claim, editor, moderator):
        claim.submit(editor)
        claim.statement = "An edit nobody saved."

        claim.publish(moderator)

        assert refresh(claim).public_version()["statement"] == "The council voted to close two libraries."

    def test_the_history_records_who_moved_the_claim(self, claim, editor):
        claim.submit(editor)

        assert claim.history.first().history_user == editor
        assert claim.history.first().status == ClaimStatus.IN_REVIEW

    def test_available_transitions_follow_status_and_permission(self, claim, editor, moderator):
        assert claim.available_transitions(editor) == ["submit"]
        claim.submit(editor)
        assert claim.available_transitions(editor) == []
        assert claim.available_transitions(moderator) == ["publish", "reject", "send_back"]


def refusals():
    for name, transition in TRANSITIONS.items():
        for status in ClaimStatus:
            if status not in transition.sources:
                yield name, status


class TestRefusals:
    @pytest.mark.parametrize(("name", "status"), list(refusals()))
    def test_a_transition_from_the_wrong_status_is_refused_and_changes_nothing(self, name, status, source):
        superuser = make_user("boss", is_superuser=True)
        claim = claim_in(status, source)
        events = claim.moderation_events.count()

        with pytest.raises(TransitionError) as raised:
            getattr(claim, name)(superuser, "A note.")

        assert raised.value.code == "invalid_status"
        assert str(raised.value).startswith(f"Cannot {TRANSITIONS[name].verb} a claim that is ")
        assert refresh(claim).status == status
        assert claim.moderation_events.count() == events

    def test_publishing_a_draft_says_to_submit_it_first(self, claim, moderator):
        with pytest.raises(TransitionError) as raised:
            claim.publish(moderator)

        assert str(raised.value) == "Cannot publish a claim that is draft; submit it for review first."

    def test_publishing_a_published_claim_points_to_correct(self, source, moderator):
        claim = claim_in(ClaimStatus.PUBLISHED, source)

        with pytest.raises(TransitionError) as raised:
            claim.publish(moderator)

        assert raised.value.message == (
            "Cannot publish a claim that is published; it is already public "
            "(a moderator publishes later edits with “correct”)."
        )

    def test_retracted_claims_stay_retracted(self, source, moderator):
        claim = claim_in(ClaimStatus.RETRACTED, source)

        with pytest.raises(TransitionError, match="a retracted claim stays retracted"):
            claim.correct(moderator, "Bring it back")

    @pytest.mark.parametrize(
        ("name", "status"),
        [
            ("publish", ClaimStatus.IN_REVIEW),
            ("reject", ClaimStatus.IN_REVIEW),
            ("send_back", ClaimStatus.REJECTED),
            ("correct", ClaimStatus.PUBLISHED),
            ("retract", ClaimStatus.CORRECTED),
        ],
    )
    def test_editors_cannot_moderate(self, name, status, source, editor):
        claim = claim_in(status, source)

        with pytest.raises(TransitionPermissionDenied) as raised:
            getattr(claim, name)(editor, "A note.")

        assert isinstance(raised.value, PermissionDenied)
        assert isinstance(raised.value, TransitionError)
        assert raised.value.code == "permission_denied"
        assert (
            str(raised.value)
            == f"You do not have permission to {TRANSITIONS[name].verb} claims; a moderator must do it."
        )
        assert refresh(claim).status == status

    def test_staff_outside_the_groups_cannot_submit(self, claim):
        outsider = make_user("outsider")

        with pytest.raises(TransitionPermissionDenied, match="permission to submit claims"):
            claim.submit(outsider)

        with pytest.raises(TransitionPermissionDenied):
            claim.submit(None)
        assert refresh(claim).status == ClaimStatus.DRAFT

    @pytest.mark.parametrize(
        ("name", "status", "what"),
        [
            ("reject", ClaimStatus.IN_REVIEW, "say why it is rejected"),
            ("send_back", ClaimStatus.IN_REVIEW, "say what needs to change"),
            ("correct", ClaimStatus.PUBLISHED, "say what changed"),
            ("retract", ClaimStatus.PUBLISHED, "say why it is retracted"),
        ],
    )
    @pytest.mark.parametrize("note", ["", "   \n"])
    def test_a_missing_note_is_refused(self, name, status, what, note, source, moderator):
        claim = claim_in(status, source)

        with pytest.raises(TransitionError) as raised:
            getattr(claim, name)(moderator, note)

        assert raised.value.code == "note_required"
        assert f"A note is required to {TRANSITIONS[name].verb} a claim: {what}" in str(raised.value)
        assert refresh(claim).status == status

    def test_publishing_without_citations_is_refused(self, editor, moderator):
        claim = make_claim("Nothing backs this yet.")
        claim.submit(editor)

        with pytest.raises(TransitionError) as raised:
            claim.publish(moderator)

        assert raised.value.code == "no_citations"
        assert str(raised.value) == (
            "Cannot publish a claim without citations; cite at least one source passage first."
        )
        assert refresh(claim).status == ClaimStatus.IN_REVIEW
        assert refresh(claim).published_at is None

    def test_correcting_away_every_citation_is_refused(self, source, moderator):
        claim = claim_in(ClaimStatus.PUBLISHED, source)
        claim.citations.all().delete()

        with pytest.raises(TransitionError, match="without citations"):
            claim.correct(moderator, "Removed the only source")

    def test_an_unsaved_claim_cannot_move(self, moderator):
        with pytest.raises(TransitionError, match="Save the claim before you submit it"):
            Claim(statement="Unsaved").submit(moderator)


class TestApprovedPublicVersion:
    """Edits to a published claim reach the public only when a moderator approves a correction."""

    @pytest.fixture
    def published(self, claim, editor, moderator):
        claim.submit(editor)
        claim.publish(moderator)
        return refresh(claim)

    def test_a_published_claim_has_no_pending_changes(self, published):
        assert not published.has_unpublished_changes()

    def test_an_edited_statement_stays_private_until_corrected(self, published, moderator):
        published.statement = "The council voted to shut every library."
        published.save()

        stored = refresh(published)
        assert stored.public_version()["statement"] == "The council voted to close two libraries."
        assert stored.slug == "the-council-voted-to-close-two-libraries"
        assert stored.has_unpublished_changes()
        assert Claim.objects.published().get().public_version()["statement"] == (
            "The council voted to close two libraries."
        )

        event = stored.correct(moderator, "Widened to all libraries after the second vote.")

        stored = refresh(published)
        assert stored.public_version()["statement"] == "The council voted to shut every library."
        assert stored.slug == "the-council-voted-to-shut-every-library"
        assert not stored.has_unpublished_changes()
        assert event.note == "Widened to all libraries after the second vote."
        assert [e.action for e in stored.moderation_events.all()] == ["submit", "publish", "correct"]
        # The version readers saw before the correction stays on the log.
        publish_event = stored.moderation_events.get(action="publish")
        assert publish_event.public_version["statement"] == "The council voted to close two libraries."

    def test_new_and_changed_citations_are_pending(self, published, source):
        cite(claim=published, revision=source.current_revision, excerpt="longer opening hours")

        assert refresh(published).has_unpublished_changes()
        assert len(refresh(published).public_version()["citations"]) == 1

    def test_changed_speaker_tags_date_and_verdict_are_pending(self, published):
        for change in (
            lambda c: setattr(c, "speaker", make_speaker("Mayor Jane Roe")),
            lambda c: setattr(c, "claim_date", timezone.localdate()),
            lambda c: setattr(c, "verdict", Claim.Verdict.SUPPORTED),
            lambda c: c.tags.add("budget"),
        ):
            claim = refresh(published)
            change(claim)
            claim.save()
            assert claim.has_unpublished_changes()
            claim.correct(make_user(None, "Moderators"), "Updated.")
            assert not refresh(claim).has_unpublished_changes()

    def test_a_new_source_revision_is_not_a_pending_change(self, published, source):
        add_revision(source, "A new introduction.\n\n" + TEXT)
        from editorial.services.citations import reanchor_citations

        reanchor_citations(source.current_revision)

        assert not refresh(published).has_unpublished_changes()

    def test_drafts_have_nothing_pending_and_nothing_public(self, claim):
        assert not claim.has_unpublished_changes()
        assert claim.public_version() is None
        assert not Claim.objects.publicly_visible().exists()


class TestRestoreStatus:
    def test_restoring_a_public_status_approves_the_stored_version_and_logs_it(self, claim):
        published_at = timezone.now() - timezone.timedelta(days=3)

        event = claim.restore_status(
            "corrected", operator="operator (test)", note="Restored from backup", published_at=published_at
        )

        stored = refresh(claim)
        assert stored.status == ClaimStatus.CORRECTED
        assert stored.published_at == published_at
        assert stored.public_version()["statement"] == claim.statement
        assert (event.action, event.from_status, event.to_status, event.note) == (
            ModerationEvent.Action.RESTORE,
            "draft",
            "corrected",
            "Restored from backup",
        )
