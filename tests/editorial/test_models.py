"""Speakers, claims, citations, relations and the moderation log: invariants and constraints."""

import random

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils.text import slugify

from editorial.models import (
    STATEMENT_MAX_LENGTH,
    STATEMENT_SLUG_LENGTH,
    Citation,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ModerationEvent,
    ModerationEventImmutableError,
    Speaker,
    statement_slug,
)
from tests.factories import make_citation, make_claim, make_source, make_speaker, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Farmers in the valley reported the driest spring in forty years.\n\n"
    "A regional official said irrigation quotas would be halved from June."
)


@pytest.fixture
def revision():
    return make_source(text=TEXT).current_revision


class TestSpeaker:
    def test_slug_is_derived_from_the_name_and_unique(self):
        first = make_speaker("Ministry of Agriculture", kind="government", description="The national ministry")
        second = make_speaker("Ministry of  Agriculture")

        assert first.slug == "ministry-of-agriculture"
        assert second.slug == "ministry-of-agriculture-2"

    def test_names_are_unique(self):
        make_speaker("Jane Roe")

        with pytest.raises(IntegrityError), transaction.atomic():
            make_speaker("Jane Roe")

    def test_a_speaker_with_claims_cannot_be_deleted(self):
        speaker = make_speaker()
        make_claim(speaker=speaker)

        with pytest.raises(ProtectedError):
            speaker.delete()


class TestClaim:
    def test_slug_follows_the_statement_and_stays_short(self):
        claim = make_claim(
            "Irrigation quotas in the valley will be halved from June, according to a regional official "
            "who spoke on condition of anonymity."
        )

        assert claim.slug == "irrigation-quotas-in-the-valley-will-be-halved-from-june-according-to-a-regional"
        assert len(claim.slug) <= 80

    def test_new_claims_are_drafts_and_private(self):
        claim = make_claim()

        assert claim.status == ClaimStatus.DRAFT
        assert not claim.is_published()
        assert not Claim.objects.published().exists()
        assert not Claim.objects.publicly_visible().exists()

    def test_published_lists_published_and_corrected_claims_only(self, revision):
        claims = {}
        for status in ClaimStatus:
            claim = make_claim(f"A claim that is {status.label}.")
            make_citation(claim=claim, revision=revision, excerpt="the driest spring in forty years")
            if status != ClaimStatus.DRAFT:
                claim.restore_status(status, operator="operator (test)")
            claims[status] = claim

        assert set(Claim.objects.published()) == {claims["published"], claims["corrected"]}
        assert set(Claim.objects.publicly_visible()) == {
            claims["published"],
            claims["corrected"],
            claims["retracted"],
        }
        assert [status for status, claim in claims.items() if claim.is_published()] == ["published", "corrected"]

    def test_a_public_status_without_an_approved_version_is_not_published(self):
        """A row forced to "published" without a moderator's approval still shows nothing."""
        from django.utils import timezone

        claim = make_claim(status=ClaimStatus.PUBLISHED, published_at=timezone.now())

        assert not Claim.objects.published().exists()
        assert not claim.is_published()

    def test_a_public_status_needs_a_publication_time(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_claim(status=ClaimStatus.PUBLISHED)

    def test_an_unknown_status_is_refused_by_the_database(self):
        claim = make_claim()

        with pytest.raises(IntegrityError), transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(status="archived")

    def test_edits_are_recorded_in_the_history(self):
        claim = make_claim("First wording.")
        claim.statement = "Second wording."
        claim.save()

        assert [row.statement for row in claim.history.all()] == ["Second wording.", "First wording."]
        assert claim.history.first().history_type == "~"


class TestCanDelete:
    def test_editors_delete_only_their_own_drafts(self, revision):
        author = make_user("author", "Editors")
        colleague = make_user("colleague", "Editors")
        draft = make_claim(created_by=author)
        in_review = make_claim(created_by=author)
        make_citation(claim=in_review, revision=revision)
        in_review.submit(author)

        assert draft.can_delete(author)
        assert not draft.can_delete(colleague)
        assert not in_review.can_delete(author)

    def test_moderators_delete_any_claim_never_made_public(self, revision):
        moderator = make_user("moderator", "Moderators")
        rejected = make_claim()
        rejected.restore_status("rejected", operator="operator (test)")
        published = make_claim()
        make_citation(claim=published, revision=revision)
        published.restore_status("published", operator="operator (test)")
        published.restore_status("retracted", operator="operator (test)")

        assert make_claim().can_delete(moderator)
        assert rejected.can_delete(moderator)
        assert not published.can_delete(moderator)
        assert not published.can_delete(make_user("root", is_superuser=True))

    def test_users_without_the_delete_permission_delete_nothing(self):
        outsider = make_user("outsider")

        assert not make_claim(created_by=outsider).can_delete(outsider)
        assert not make_claim().can_delete(None)


class TestCitation:
    def test_prefix_and_suffix_are_derived_from_the_revision_text(self, revision):
        citation = make_citation(revision=revision, excerpt="A regional official said")

        start = TEXT.index("A regional official")
        assert (citation.start, citation.end) == (start, start + len("A regional official said"))
        assert citation.prefix == " driest spring in forty years.\n\n"
        assert citation.suffix == " irrigation quotas would be halv"

    def test_context_near_the_edges_is_shorter(self, revision):
        citation = make_citation(revision=revision, excerpt="Farmers in the valley")

        assert citation.prefix == ""
        assert len(citation.suffix) == 32

    def test_context_counts_code_points(self):
        text = "🌾🌾🌾 Harvest notes. Yields fell sharply in the north."
        citation = make_citation(revision=make_source(text=text).current_revision, excerpt="Yields fell")

        assert citation.prefix == "🌾🌾🌾 Harvest notes. "
        assert citation.start == 19

    def test_saving_an_excerpt_that_does_not_match_is_refused(self, revision):
        citation = Citation(claim=make_claim(), revision=revision, excerpt="Farmers on the hills", start=0, end=20)

        with pytest.raises(ValidationError) as raised:
            citation.save()

        assert raised.value.messages == [
            f"The excerpt does not match revision 1 of “{revision.source}” at 0–20: the text there is "
            "“Farmers in the valle”, the excerpt is “Farmers on the hills”."
        ]
        assert not Citation.objects.exists()

    def test_a_lenient_match_is_not_enough_for_save(self, revision):
        """save() holds the excerpt to the source's own characters; only locating is lenient."""
        text = "The mayor’s office declined to comment."
        revision = make_source(text=text).current_revision

        with pytest.raises(ValidationError, match="does not match"):
            Citation(claim=make_claim(), revision=revision, excerpt="The mayor's office", start=0, end=18).save()

    @pytest.mark.parametrize(("start", "end"), [(10, 10), (20, 5), (0, 1000)])
    def test_saving_impossible_offsets_is_refused(self, revision, start, end):
        citation = Citation(claim=make_claim(), revision=revision, excerpt="Farmers", start=start, end=end)

        with pytest.raises(ValidationError, match=rf"Offsets {start}–{end} do not fit revision 1"):
            citation.save()

    def test_changing_an_excerpt_without_its_offsets_is_refused(self, revision):
        citation = make_citation(revision=revision, excerpt="Farmers in the valley")
        citation.excerpt = "Farmers in the valley reported"

        with pytest.raises(ValidationError, match="does not match"):
            citation.save()

    def test_clean_locates_the_excerpt_and_fills_in_the_offsets(self):
        text = "Officials said the “temporary” ban – first imposed in 2019 – would end."
        revision = make_source(text=text).current_revision
        citation = Citation(claim=make_claim(), revision=revision, excerpt='the "temporary" ban - first imposed')

        citation.full_clean()
        citation.save()

        assert citation.excerpt == "the “temporary” ban – first imposed"
        assert text[citation.start : citation.end] == citation.excerpt

    def test_clean_reports_an_ambiguous_excerpt_on_the_excerpt_field(self):
        revision = make_source(text="Prices rose. Wages stalled. Prices rose again.").current_revision
        citation = Citation(claim=make_claim(), revision=revision, excerpt="Prices rose")

        with pytest.raises(ValidationError) as raised:
            citation.full_clean()

        assert list(raised.value.message_dict) == ["excerpt"]
        assert "occurs twice: at 0–11" in raised.value.message_dict["excerpt"][0]

    def test_the_database_refuses_an_end_before_the_start(self, revision):
        citation = make_citation(revision=revision)

        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=citation.pk).update(end=F("start"))

    def test_the_database_refuses_a_negative_start(self, revision):
        citation = make_citation(revision=revision)

        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=citation.pk).update(start=-1)

    def test_positions_are_unique_within_a_claim(self, revision):
        claim = make_claim()
        first = make_citation(claim=claim, revision=revision, excerpt="Farmers in the valley")
        second = make_citation(claim=claim, revision=revision, excerpt="A regional official")

        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=second.pk).update(position=first.position)

    def test_a_cited_revision_protects_its_source_from_deletion(self, revision):
        make_citation(revision=revision)

        with pytest.raises(ProtectedError):
            revision.source.delete()
        with pytest.raises(ProtectedError):
            revision.delete()

    def test_edits_are_recorded_in_the_history(self, revision):
        citation = make_citation(revision=revision)
        citation.note = "The official was not named."
        citation.save()

        assert [row.note for row in citation.history.all()] == ["The official was not named.", ""]
        assert citation.history.first().excerpt == citation.excerpt

    def test_citations_of_a_draft_go_with_it(self, revision):
        claim = make_claim()
        make_citation(claim=claim, revision=revision)

        claim.delete()

        assert not Citation.objects.exists()


class TestClaimRelation:
    def test_a_claim_cannot_relate_to_itself(self):
        claim = make_claim()

        with pytest.raises(IntegrityError), transaction.atomic():
            ClaimRelation.objects.create(from_claim=claim, to_claim=claim, kind="supports")
        with pytest.raises(ValidationError) as raised:
            ClaimRelation(from_claim=claim, to_claim=claim, kind="supports").full_clean()
        assert raised.value.message_dict["to_claim"] == ["A claim cannot be related to itself."]

    def test_a_relation_of_one_kind_exists_once(self):
        first, second = make_claim(), make_claim()
        ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="contradicts")
        ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="updates")
        ClaimRelation.objects.create(from_claim=second, to_claim=first, kind="contradicts")

        with pytest.raises(IntegrityError), transaction.atomic():
            ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="contradicts")
        assert first.outgoing_relations.count() == 2
        assert first.incoming_relations.get().kind == "contradicts"

    def test_full_clean_reports_a_duplicate(self):
        first, second = make_claim(), make_claim()
        ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="duplicates")

        with pytest.raises(ValidationError):
            ClaimRelation(from_claim=first, to_claim=second, kind="duplicates").full_clean()


class TestModerationEvent:
    @pytest.fixture
    def event(self):
        claim = make_claim()
        return claim.submit(make_user("editor", "Editors"), note="Please check")

    def test_an_event_cannot_be_changed(self, event):
        event.note = "Rewritten"

        with pytest.raises(ModerationEventImmutableError, match="append-only"):
            event.save()
        with pytest.raises(ModerationEventImmutableError):
            ModerationEvent.objects.filter(pk=event.pk).update(note="Rewritten")
        assert ModerationEvent.objects.get(pk=event.pk).note == "Please check"

    def test_an_event_cannot_be_deleted(self, event):
        with pytest.raises(ModerationEventImmutableError):
            event.delete()
        with pytest.raises(ModerationEventImmutableError):
            ModerationEvent.objects.all().delete()
        assert ModerationEvent.objects.filter(pk=event.pk).exists()

    def test_a_deleted_draft_takes_its_events_with_it(self, event):
        """Only claims never made public can be deleted (Claim.can_delete); their log goes with them."""
        moderator = make_user("moderator", "Moderators")
        event.claim.send_back(moderator, "Start again")

        event.claim.delete()

        assert not ModerationEvent.objects.exists()

    def test_events_are_appended_in_order(self, event):
        later = ModerationEvent.objects.create(
            claim=event.claim, action="send_back", from_status="in_review", to_status="draft", note="Add a speaker"
        )

        assert list(event.claim.moderation_events.all()) == [event, later]


class TestGroups:
    """The migrations create the groups with their permissions, on a fresh database too."""

    def codenames(self, name):
        return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))

    def test_editors_edit_and_submit_but_do_not_moderate(self):
        editors = self.codenames("Editors")

        assert {
            ("editorial", "add_claim"),
            ("editorial", "change_claim"),
            ("editorial", "view_claim"),
            ("editorial", "submit_claim"),
            ("editorial", "add_citation"),
            ("editorial", "change_citation"),
            ("editorial", "add_claimrelation"),
            ("editorial", "add_speaker"),
            ("editorial", "change_speaker"),
            ("sources", "view_source"),
            ("sources", "view_revision"),
        } <= editors
        assert ("editorial", "moderate_claim") not in editors

    def test_editors_capture_sources_and_curate_sets_but_never_change_revisions(self):
        editors = self.codenames("Editors")

        assert {
            ("sources", "add_source"),
            ("sources", "change_source"),
            ("sources", "change_byline"),
            ("editorial", "add_claimset"),
            ("editorial", "change_claimset"),
        } <= editors
        assert not {("sources", "change_revision"), ("sources", "add_revision"), ("sources", "delete_source")} & editors
        assert ("sources", "delete_source") in self.codenames("Moderators")

    def test_moderators_have_everything_editors_have_and_moderate(self):
        moderators = self.codenames("Moderators")

        assert self.codenames("Editors") < moderators
        assert ("editorial", "moderate_claim") in moderators

    def test_group_members_get_the_permissions(self):
        assert make_user("e", "Editors").has_perm("editorial.submit_claim")
        assert not make_user("e2", "Editors").has_perm("editorial.moderate_claim")
        assert make_user("m", "Moderators").has_perm("editorial.moderate_claim")


class TestStatementSlug:
    def test_a_first_word_longer_than_the_slug_is_cut_to_fit(self):
        claim = make_claim("Pneumonoultramicroscopicsilicovolcanoconiosis" * 2 + " is a long word, said the doctor.")

        assert len(claim.slug) == STATEMENT_SLUG_LENGTH
        assert claim.slug == ("pneumonoultramicroscopicsilicovolcanoconiosis" * 2)[:STATEMENT_SLUG_LENGTH]

    @pytest.mark.parametrize("seed", range(20))
    def test_the_slug_always_fits_and_is_the_statements_slug_cut_at_a_word(self, seed):
        rng = random.Random(seed)
        for _ in range(50):
            # Words of every length around the limit, joined by spaces, hyphens and punctuation.
            words = ["x" * rng.choice([1, 2, 5, 39, 40, 78, 79, 80, 81, 82, 200]) for _ in range(rng.randint(1, 6))]
            statement = rng.choice([" ", "-", " — ", ", ", "."]).join(words)

            slug = statement_slug(statement)

            assert 1 <= len(slug) <= STATEMENT_SLUG_LENGTH, statement
            assert slugify(statement).startswith(slug), statement
            assert not slug.startswith("-") and not slug.endswith("-"), statement

    def test_a_statement_without_letters_or_digits_gets_a_placeholder(self):
        assert statement_slug("“…” — !") == "claim"


class TestTextThatCannotBeStored:
    @pytest.mark.parametrize(
        ("value", "problem"),
        [("Fares\x00 rise", "NUL character at position 5"), ("Fares \ud800", r"unpaired surrogate \(U\+D800\)")],
    )
    def test_full_clean_refuses_a_nul_or_a_surrogate_in_any_text_field(self, value, problem):
        with pytest.raises(ValidationError, match=problem) as error:
            Claim(statement=value).full_clean(exclude=["slug", "created_by"])
        assert list(error.value.message_dict) == ["statement"]

        with pytest.raises(ValidationError) as error:
            Speaker(name="Jo", description=value).full_clean()
        assert list(error.value.message_dict) == ["description"]

    def test_a_statement_longer_than_the_limit_is_refused(self):
        Claim(statement="x" * STATEMENT_MAX_LENGTH).full_clean(exclude=["slug", "created_by"])

        with pytest.raises(ValidationError, match="at most 2000 characters") as error:
            Claim(statement="x" * (STATEMENT_MAX_LENGTH + 1)).full_clean(exclude=["slug", "created_by"])
        assert list(error.value.message_dict) == ["statement"]
