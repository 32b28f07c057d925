"""The claim admin: list, filters, search, bulk workflow actions, claim page, queue, picker, deletion."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.admin import citing_claims_html
from editorial.anchoring import cite
from editorial.models import Citation, Claim, ClaimRelation, ClaimStatus, ModerationEvent
from tests.factories import (
    add_announced_revision,
    add_revision,
    make_claim,
    make_publisher,
    make_source,
    make_speaker,
    make_user,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

TEXT = (
    "The city council voted on Thursday to close two libraries.\n\n"
    "The mayor said the savings would pay for longer opening hours at the central branch.\n\n"
    "Opponents said the council had voted too fast."
)

CHANGELIST = "admin:editorial_claim_changelist"
QUEUE = "admin:editorial_claim_moderation"


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def refresh(claim):
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def editor():
    return make_user("edna", "Editors")


@pytest.fixture
def moderator():
    return make_user("mona", "Moderators")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def source():
    return make_source("Council closes libraries", TEXT, publisher=make_publisher("The Harbour Gazette"))


@pytest.fixture
def claim(editor, source):
    claim = make_claim(
        "The council voted to close two libraries.",
        created_by=editor,
        speaker=make_speaker("City council"),
        tags=["libraries"],
    )
    cite(claim=claim, revision=source.current_revision, excerpt="voted on Thursday to close two libraries")
    return claim


def in_review(claim, user):
    claim.submit(user)
    return claim


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def listed(response):
    return list(response.context["cl"].result_list)


def offered_actions(response):
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def action(client, name, claims, **extra):
    data = {"action": name, "_selected_action": [claim.pk for claim in claims], **extra}
    return client.post(reverse(CHANGELIST), data)


# Pages and who may open them ---------------------------------------------------------------------


def claim_pages(claim):
    return [
        reverse(CHANGELIST),
        reverse("admin:editorial_claim_add"),
        reverse("admin:editorial_claim_change", args=[claim.pk]),
        reverse("admin:editorial_claim_history", args=[claim.pk]),
        reverse("admin:editorial_speaker_changelist"),
        reverse("admin:editorial_moderationevent_changelist"),
    ]


def test_editors_and_moderators_open_the_claim_pages(client, claim, editor, moderator):
    for user in (editor, moderator):
        client.force_login(user)
        for url in claim_pages(claim):
            assert client.get(url).status_code == 200, (user, url)


def test_the_moderation_queue_is_for_moderators_only(client, editor, moderator):
    client.force_login(moderator)
    assert client.get(reverse(QUEUE)).status_code == 200
    client.force_login(editor)
    assert client.get(reverse(QUEUE)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, claim, source):
    login = reverse("admin:login")
    urls = [
        *claim_pages(claim),
        reverse(QUEUE),
        reverse("admin:editorial_claim_picker_revision", args=[source.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_the_queue_is_linked_from_the_claim_list_and_the_index_for_moderators(client, editor, moderator):
    queue = reverse(QUEUE)
    client.force_login(moderator)
    assert queue in changelist(client).content.decode()
    assert queue in client.get(reverse("admin:index")).content.decode()
    client.force_login(editor)
    assert queue not in changelist(client).content.decode()
    assert queue not in client.get(reverse("admin:index")).content.decode()


# The claim list ----------------------------------------------------------------------------------


def test_claim_list_shows_speaker_status_tags_citations_sources_and_anchor_state(moderator_client, claim, source):
    other = make_source("Library hours extended", "The central branch opens longer from May.")
    cite(claim=claim, revision=other.current_revision, excerpt="The central branch opens longer")
    add_announced_revision(other, "The central branch opens later from June.")

    response = changelist(moderator_client)

    html = response.content.decode()
    row = listed(response)[0]
    assert row.citation_count == 2
    for shown in ["The council voted to close two libraries.", "City council", "Draft", "libraries"]:
        assert shown in html
    assert "Council closes libraries" in html and "Library hours extended" in html
    assert "Source changed (1 fuzzy)" in html or "Source changed (1 orphaned)" in html


def test_a_claim_whose_sources_are_unchanged_is_current(moderator_client, claim):
    assert "anchor-current" in changelist(moderator_client).content.decode()


@pytest.fixture
def varied_claims(editor, moderator, source):
    """Three claims differing in status, tag, speaker, publisher, source, anchor state and author."""
    other_source = make_source("Ferry fares", "Fares rise by a tenth in May.", publisher=make_publisher("Ledger"))
    first = make_claim("Libraries close.", created_by=editor, speaker=make_speaker("Mayor"), tags=["libraries"])
    cite(claim=first, revision=source.current_revision, excerpt="close two libraries")
    second = make_claim("Fares rise.", created_by=moderator, speaker=make_speaker("Harbour board"), tags=["ferries"])
    cite(claim=second, revision=other_source.current_revision, excerpt="Fares rise by a tenth")
    add_announced_revision(other_source, "Fares rise by a fifth in June.")
    second.submit(moderator)
    third = make_claim("Nothing cited yet.", created_by=editor, claim_date=timezone.localdate() - timedelta(days=400))
    return first, second, third, other_source


def test_claim_list_filters(moderator_client, varied_claims, source, editor):
    first, second, third, other_source = varied_claims
    publisher = other_source.publisher
    cases = [
        ({"status__exact": "in_review"}, [second]),
        ({"tag": "libraries"}, [first]),
        ({"speaker__id__exact": first.speaker_id}, [first]),
        ({"publisher": publisher.pk}, [second]),
        ({"source": source.pk}, [first]),
        ({"anchor": "changed"}, [second]),
        ({"anchor": "current"}, [first]),
        ({"anchor": "none"}, [third]),
        ({"created_by__id__exact": editor.pk}, [first, third]),
        ({"claim_date__lt": (timezone.localdate() - timedelta(days=30)).isoformat()}, [third]),
    ]
    for params, expected in cases:
        response = changelist(moderator_client, **params)
        assert response.status_code == 200, params
        assert {claim.pk for claim in listed(response)} == {claim.pk for claim in expected}, params


def test_the_date_hierarchy_narrows_by_creation_date(moderator_client, varied_claims):
    today = timezone.localdate()
    response = changelist(moderator_client, created_at__year=today.year, created_at__month=today.month)
    assert len(listed(response)) == 3


def test_search_finds_statements_excerpts_and_speakers_without_repeating_claims(moderator_client, claim, source):
    cite(claim=claim, revision=source.current_revision, excerpt="the council had voted too fast")

    for query, expected in [("voted", 1), ("Thursday", 1), ("city council", 1), ("ferries", 0)]:
        response = changelist(moderator_client, q=query)
        assert response.context["cl"].result_count == expected, query
        assert len(listed(response)) == expected, query


def make_listed_claims(count, source, speaker, user):
    for number in range(count):
        claim = make_claim(f"Claim {number} about libraries.", created_by=user, speaker=speaker, tags=["a", "b"])
        cite(claim=claim, revision=source.current_revision, excerpt="close two libraries")
        cite(claim=claim, revision=source.current_revision, excerpt="longer opening hours")


def test_claim_list_query_count_does_not_grow_with_the_number_of_claims(
    moderator_client, source, moderator, django_assert_max_num_queries
):
    speaker = make_speaker("Mayor")
    make_listed_claims(1, source, speaker, moderator)
    with CaptureQueriesContext(connection) as one, django_assert_max_num_queries(20):
        assert len(listed(changelist(moderator_client))) == 1

    make_listed_claims(49, source, speaker, moderator)
    with CaptureQueriesContext(connection) as fifty, django_assert_max_num_queries(20):
        assert len(listed(changelist(moderator_client))) == 50

    assert len(fifty.captured_queries) == len(one.captured_queries)


# Bulk actions ------------------------------------------------------------------------------------


def test_an_editor_submits_drafts_after_a_confirmation_page(editor_client, claim, editor):
    response = action(editor_client, "submit_selected", [claim])

    assert response.status_code == 200
    assert b'name="note"' in response.content and claim.statement.encode() in response.content
    assert refresh(claim).status == ClaimStatus.DRAFT

    response = action(editor_client, "submit_selected", [claim], post="yes", note="Ready")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    event = claim.moderation_events.get()
    assert (event.user, event.action, event.note) == (editor, "submit", "Ready")


def test_a_moderator_publishes_claims_in_review(moderator_client, claim, editor, moderator):
    in_review(claim, editor)

    response = action(moderator_client, "publish_selected", [claim], post="yes", note="")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.PUBLISHED
    assert claim.moderation_events.last().user == moderator
    assert "1 claim now published." in page_messages(response)


def test_rejecting_asks_for_a_note_and_changes_nothing_without_one(moderator_client, claim, editor):
    in_review(claim, editor)

    response = action(moderator_client, "reject_selected", [claim], post="yes", note="  ")

    assert response.status_code == 200
    assert "A note is required to reject claims" in response.content.decode()
    assert refresh(claim).status == ClaimStatus.IN_REVIEW

    response = action(moderator_client, "reject_selected", [claim], post="yes", note="Not what she said.")

    assert refresh(claim).status == ClaimStatus.REJECTED
    assert claim.moderation_events.last().note == "Not what she said."


def test_a_moderator_sends_claims_back_with_a_note(moderator_client, claim, editor):
    in_review(claim, editor)

    action(moderator_client, "send_back_selected", [claim], post="yes", note="Add the date.")

    assert refresh(claim).status == ClaimStatus.DRAFT
    assert claim.moderation_events.last().action == "send_back"


def test_each_claim_that_cannot_move_is_reported_and_the_others_move(moderator_client, claim, editor, source):
    in_review(claim, editor)
    draft = make_claim("Still a draft.")
    uncited = in_review(make_claim("Nothing cited."), editor)

    response = action(moderator_client, "publish_selected", [claim, draft, uncited], post="yes")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.PUBLISHED
    assert refresh(draft).status == ClaimStatus.DRAFT
    assert refresh(uncited).status == ClaimStatus.IN_REVIEW
    shown = page_messages(response)
    assert "“Still a draft.”: Cannot publish a claim that is draft; submit it for review first." in shown
    assert any(message.startswith("“Nothing cited.”: Cannot publish a claim without citations") for message in shown)
    assert "1 claim now published." in shown


def test_an_editor_is_not_offered_moderation_actions_and_cannot_force_them(editor_client, claim, editor):
    in_review(claim, editor)

    choices = offered_actions(changelist(editor_client))
    assert "submit_selected" in choices
    assert not {"publish_selected", "reject_selected", "send_back_selected"} & set(choices)

    response = action(editor_client, "publish_selected", [claim], post="yes")

    assert response.status_code in (200, 302, 403)
    assert refresh(claim).status == ClaimStatus.IN_REVIEW


def test_a_user_without_the_submit_permission_is_not_offered_submit(client, claim):
    viewer = make_user("viewer")
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "change_claim"]))
    client.force_login(viewer)

    assert "submit_selected" not in offered_actions(changelist(client))


# The claim page ----------------------------------------------------------------------------------


def change_page(client, claim):
    return client.get(reverse("admin:editorial_claim_change", args=[claim.pk]))


def transition(client, claim, name, note="", **extra):
    url = reverse("admin:editorial_claim_transition", args=[claim.pk])
    return client.post(url, {"transition": name, "note": note, **extra})


def transition_buttons(response):
    return [t.name for t in response.context["workflow"]["transitions"]]


def test_the_claim_page_offers_the_transitions_open_to_the_user(client, claim, editor, moderator):
    client.force_login(editor)
    assert transition_buttons(change_page(client, claim)) == ["submit"]
    in_review(claim, editor)
    assert transition_buttons(change_page(client, claim)) == []

    client.force_login(moderator)
    response = change_page(client, claim)
    assert transition_buttons(response) == ["publish", "reject", "send_back"]
    html = response.content.decode()
    assert 'value="publish"' in html and 'value="send_back"' in html


def test_a_transition_button_moves_the_claim_and_says_so(editor_client, claim, editor):
    response = transition(editor_client, claim, "submit", "Please check the date.")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[claim.pk])
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert "“The council voted to close two libraries.” is now in review." in page_messages(response)


def test_a_refused_transition_is_an_error_message_not_a_server_error(moderator_client, claim, editor):
    in_review(claim, editor)

    response = transition(moderator_client, claim, "reject", note="")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert page_messages(response) == [
        "“The council voted to close two libraries.”: A note is required to reject a claim: say why it is rejected."
    ]


def test_an_editor_forcing_a_moderator_transition_gets_an_error_message(editor_client, claim, editor):
    in_review(claim, editor)

    response = transition(editor_client, claim, "publish")

    assert response.status_code == 302
    assert refresh(claim).status == ClaimStatus.IN_REVIEW
    assert "You do not have permission to publish claims" in page_messages(response)[0]


def test_an_unknown_transition_and_a_get_are_refused_politely(moderator_client, claim):
    assert transition(moderator_client, claim, "explode").status_code == 302
    url = reverse("admin:editorial_claim_transition", args=[claim.pk])
    assert moderator_client.get(url).status_code == 405


def test_the_claim_page_shows_status_publication_unpublished_changes_and_the_log(moderator_client, claim, editor):
    in_review(claim, editor)
    transition(moderator_client, claim, "publish", "Checked against the article.")
    published = refresh(claim)
    published.statement = "The council voted to close two of its libraries."
    published.save()

    response = change_page(moderator_client, published)

    html = response.content.decode()
    assert response.context["workflow"]["unpublished_changes"] is True
    assert "This claim has unpublished changes" in html
    assert "first published" in html
    assert "Submitted for review" in html and "edna" in html
    assert "Checked against the article." in html and "mona" in html
    assert transition_buttons(response) == ["correct", "retract"]


def test_a_transition_from_the_queue_returns_to_the_queue(moderator_client, claim, editor):
    in_review(claim, editor)

    response = transition(moderator_client, claim, "publish", next=reverse(QUEUE))

    assert response["Location"] == reverse(QUEUE)
    assert refresh(claim).status == ClaimStatus.PUBLISHED


def test_a_transition_never_redirects_off_site(moderator_client, claim, editor):
    in_review(claim, editor)
    response = transition(moderator_client, claim, "publish", next="https://evil.example/")
    assert response["Location"] == reverse("admin:editorial_claim_change", args=[claim.pk])


def test_the_history_page_shows_who_changed_what_and_cannot_revert(moderator_client, claim, editor):
    in_review(claim, editor)
    transition(moderator_client, claim, "publish")
    history = claim.history.order_by("history_date").first()

    response = moderator_client.get(reverse("admin:editorial_claim_history", args=[claim.pk]))
    assert response.status_code == 200
    assert "mona" in response.content.decode()

    revert_url = reverse("admin:editorial_claim_simple_history", args=[claim.pk, history.history_id])
    assert moderator_client.get(revert_url).status_code == 200
    assert moderator_client.post(revert_url, {"statement": "Reverted"}).status_code == 403
    assert refresh(claim).status == ClaimStatus.PUBLISHED


# Adding a claim with citations -------------------------------------------------------------------


def claim_form(**fields):
    data = {
        "statement": "The council voted to close two libraries.",
        "speaker": "",
        "claim_date": "",
        "tags": "libraries, budgets",
        "verdict": "",
        "verdict_explanation": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "outgoing_relations-TOTAL_FORMS": "0",
        "outgoing_relations-INITIAL_FORMS": "0",
        "outgoing_relations-MIN_NUM_FORMS": "0",
        "outgoing_relations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


def citation_rows(*rows):
    data = {"citations-TOTAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        for name in ("id", "revision", "excerpt", "start", "end", "prefix", "suffix", "note", "position"):
            data[f"citations-{index}-{name}"] = row.get(name, "")
    return data


def test_an_editor_adds_a_claim_citing_an_excerpt_only_and_it_is_located(editor_client, editor, source):
    revision = source.current_revision
    data = claim_form(
        **citation_rows({"revision": revision.pk, "excerpt": "voted on Thursday  to close two libraries"})
    )

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    claim = Claim.objects.get()
    assert claim.created_by == editor
    assert sorted(claim.tags.names()) == ["budgets", "libraries"]
    citation = claim.citations.get()
    assert (
        revision.text[citation.start : citation.end] == citation.excerpt == "voted on Thursday to close two libraries"
    )
    assert citation.start == TEXT.index("voted on Thursday")


def test_an_ambiguous_excerpt_is_a_form_error_listing_the_occurrences_and_nothing_is_saved(editor_client, source):
    data = claim_form(**citation_rows({"revision": source.current_revision.pk, "excerpt": "council"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "occurs twice" in html
    assert f"at {TEXT.index('council')}–" in html and f"at {TEXT.rindex('council')}–" in html
    assert not Claim.objects.exists() and not Citation.objects.exists()


def test_an_excerpt_missing_from_the_revision_is_a_form_error(editor_client, source):
    data = claim_form(**citation_rows({"revision": source.current_revision.pk, "excerpt": "the harbour froze"}))

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 200
    assert "does not occur in the text" in response.content.decode()
    assert not Claim.objects.exists()


def test_the_picker_context_tells_repeated_passages_apart(editor_client, source):
    start = TEXT.rindex("council")
    data = claim_form(
        **citation_rows({"revision": source.current_revision.pk, "excerpt": "council", "prefix": "Opponents said the "})
    )

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (start, start + len("council"))


def test_offsets_from_the_picker_are_stored_as_given(editor_client, source):
    text = "Intro 𝔅 and 🐟 first.\n\nThe passage after them."
    revision = make_source("Blackletter", text).current_revision
    start = text.index("The passage")
    data = claim_form(
        **citation_rows(
            {
                "revision": revision.pk,
                "excerpt": "The passage",
                "start": start,
                "end": start + len("The passage"),
                "prefix": text[start - 10 : start],
            }
        )
    )

    assert editor_client.post(reverse("admin:editorial_claim_add"), data).status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (start, start + 11)
    assert citation.prefix == text[:start]


def test_changing_a_stored_excerpt_locates_it_afresh(editor_client, claim, source):
    citation = claim.citations.get()
    data = claim_form(
        **{
            "citations-INITIAL_FORMS": "1",
            **citation_rows(
                {
                    "id": citation.pk,
                    "revision": citation.revision_id,
                    "excerpt": "longer opening hours",
                    "start": citation.start,
                    "end": citation.end,
                    "prefix": citation.prefix,
                    "suffix": citation.suffix,
                    "position": citation.position,
                }
            ),
        }
    )

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    citation.refresh_from_db()
    assert citation.excerpt == "longer opening hours"
    assert TEXT[citation.start : citation.end] == "longer opening hours"


def test_citations_swap_positions(editor_client, claim, source):
    first = claim.citations.get()
    second = cite(claim=claim, revision=source.current_revision, excerpt="longer opening hours")
    rows = [
        {
            "id": citation.pk,
            "revision": citation.revision_id,
            "excerpt": citation.excerpt,
            "start": citation.start,
            "end": citation.end,
            "position": position,
        }
        for citation, position in ((first, 2), (second, 1))
    ]
    data = claim_form(**{"citations-INITIAL_FORMS": "2", **citation_rows(*rows)})

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    assert list(claim.citations.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_relations_are_added_from_the_claim_page(editor_client, claim):
    other = make_claim("The council kept every library open.")
    data = claim_form(
        **{
            "outgoing_relations-TOTAL_FORMS": "1",
            "outgoing_relations-0-kind": "contradicts",
            "outgoing_relations-0-to_claim": other.pk,
            "outgoing_relations-0-note": "",
            "citations-INITIAL_FORMS": "1",
            **citation_rows(
                {
                    "id": claim.citations.get().pk,
                    "revision": claim.citations.get().revision_id,
                    "excerpt": claim.citations.get().excerpt,
                    "start": claim.citations.get().start,
                    "end": claim.citations.get().end,
                    "position": 1,
                }
            ),
        }
    )

    response = editor_client.post(reverse("admin:editorial_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    assert ClaimRelation.objects.get().to_claim == other


# The citation picker -----------------------------------------------------------------------------


def test_the_claim_page_carries_the_picker_with_sources_that_have_text(editor_client, source):
    make_source("Empty source", "placeholder").revisions.all()  # has a revision, so it is listed too
    response = editor_client.get(reverse("admin:editorial_claim_add"))

    html = response.content.decode()
    assert "data-citation-picker" in html and "Cite selection" in html
    assert "js/citation_picker.js" in html and "css/editorial_admin.css" in html
    assert (source.pk, "Council closes libraries — The Harbour Gazette") in response.context["citation_picker"][
        "sources"
    ]


def test_the_picker_fetches_the_current_revision_as_json(editor_client, source):
    newer = add_revision(source, TEXT + "\n\nA late paragraph.")

    response = editor_client.get(reverse("admin:editorial_claim_picker_revision", args=[source.pk]))

    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["revision_id"] == newer.pk and data["number"] == 2
    assert data["text"] == newer.text
    assert "Council closes libraries" in data["label"]


def test_the_picker_needs_the_view_source_permission(client, source):
    user = make_user("outsider")
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_claim", "view_claim"]))
    client.force_login(user)

    assert client.get(reverse("admin:editorial_claim_picker_revision", args=[source.pk])).status_code == 403


def test_the_picker_answers_404_for_an_unknown_source(editor_client):
    assert editor_client.get(reverse("admin:editorial_claim_picker_revision", args=[999999])).status_code == 404


# The moderation queue ----------------------------------------------------------------------------


def test_the_queue_lists_claims_in_review_oldest_first_with_excerpts_in_context(moderator_client, editor, source):
    later = make_claim("Opening hours get longer.")
    cite(claim=later, revision=source.current_revision, excerpt="longer opening hours")
    earlier = make_claim("Two libraries close.")
    cite(claim=earlier, revision=source.current_revision, excerpt="close two libraries")
    earlier.submit(editor)
    later.submit(editor)
    make_claim("A draft is not in the queue.")

    response = moderator_client.get(reverse(QUEUE))

    assert [claim.pk for claim in response.context["claims"]] == [earlier.pk, later.pk]
    html = response.content.decode()
    assert "A draft is not in the queue." not in html
    assert "voted on Thursday to <mark>close two libraries</mark>." in html
    assert 'value="publish"' in html and 'value="reject"' in html and 'value="send_back"' in html


# Escaping ----------------------------------------------------------------------------------------


def test_statements_excerpts_titles_and_speakers_are_escaped_everywhere(moderator_client, editor):
    text = f"Before {SCRIPT} the <b>passage</b> after."
    source = make_source(f"Title {SCRIPT}", text)
    claim = make_claim(f"Statement {SCRIPT}", speaker=make_speaker(f"Speaker {SCRIPT}"), tags=["<i>tag</i>"])
    cite(claim=claim, revision=source.current_revision, excerpt=f"{SCRIPT} the <b>passage</b>")
    claim.submit(editor)

    pages = [
        changelist(moderator_client),
        change_page(moderator_client, claim),
        moderator_client.get(reverse(QUEUE)),
    ]
    for response in pages:
        html = response.content.decode()
        assert SCRIPT not in html, response.request["PATH_INFO"]
        assert "<b>passage</b>" not in html
        assert ESCAPED_SCRIPT in html

    assert (
        "<mark>&lt;script&gt;alert(1)&lt;/script&gt; the &lt;b&gt;passage&lt;/b&gt;</mark>" in pages[1].content.decode()
    )
    html = str(citing_claims_html(source))
    assert SCRIPT not in html and ESCAPED_SCRIPT in html


# The source page's list of citing claims ---------------------------------------------------------


def test_citing_claims_html_lists_claims_with_their_anchor_states(claim, source):
    add_announced_revision(source, TEXT.replace("two libraries", "three libraries"))

    html = str(citing_claims_html(source))

    assert "The council voted to close two libraries." in html
    assert reverse("admin:editorial_claim_change", args=[claim.pk]) in html
    assert "Source changed" in html
    assert f"?source={source.pk}" in html
    assert "No claims cite" in str(citing_claims_html(make_source()))


def test_the_source_admin_page_lists_the_claims_citing_it(moderator_client, claim, source):
    add_announced_revision(source, TEXT.replace("two libraries", "three libraries"))

    response = moderator_client.get(reverse("admin:sources_source_change", args=[source.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Claims citing this source" in page
    assert reverse("admin:editorial_claim_change", args=[claim.pk]) in page
    assert "Source changed" in page


# Deletion ----------------------------------------------------------------------------------------


def delete_url(claim):
    return reverse("admin:editorial_claim_delete", args=[claim.pk])


def test_an_editor_deletes_an_own_draft_even_after_it_was_sent_back(editor_client, claim, editor, moderator):
    claim.submit(editor)
    claim.send_back(moderator, "Add the date.")

    assert editor_client.get(delete_url(claim)).status_code == 200
    response = editor_client.post(delete_url(claim), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not ModerationEvent.objects.filter(claim_id=claim.pk).exists()


def test_an_editor_cannot_delete_a_colleagues_draft_or_a_claim_in_review(client, claim, editor):
    colleague = make_user("colleague", "Editors")
    client.force_login(colleague)
    assert client.post(delete_url(claim), {"post": "yes"}).status_code == 403

    client.force_login(editor)
    claim.submit(editor)
    assert client.post(delete_url(claim), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_nobody_deletes_a_claim_that_has_been_public(moderator_client, claim, editor, moderator):
    claim.submit(editor)
    claim.publish(moderator)

    assert moderator_client.post(delete_url(claim), {"post": "yes"}).status_code == 403
    assert delete_url(claim) not in change_page(moderator_client, claim).content.decode()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_bulk_delete_removes_only_what_the_user_may_delete(moderator_client, claim, editor, moderator):
    draft = make_claim("Just a draft.")
    claim.submit(editor)
    claim.publish(moderator)

    response = action(moderator_client, "delete_selected", [claim, draft])
    assert response.status_code == 200
    assert "Not deleted: “The council voted to close two libraries.”" in page_messages(response)[0]

    action(moderator_client, "delete_selected", [draft], post="yes")

    assert Claim.objects.filter(pk=claim.pk).exists()
    assert not Claim.objects.filter(pk=draft.pk).exists()


# Statements the claim page refuses or fits


def test_a_statement_whose_first_word_is_longer_than_the_slug_is_saved_with_a_slug_that_fits(editor_client):
    data = claim_form(statement="x" * 120 + " said the council.")

    response = editor_client.post(reverse("admin:editorial_claim_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Claim.objects.get().slug == "x" * 80


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("The council\x00 voted.", "Null characters are not allowed."),
    ],
)
def test_a_statement_too_long_or_with_a_nul_is_a_form_error_and_nothing_is_saved(editor_client, statement, error):
    response = editor_client.post(reverse("admin:editorial_claim_add"), claim_form(statement=statement))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["statement"] == [error]
    assert not Claim.objects.exists()
