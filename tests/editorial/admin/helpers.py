"""What the admin tests share: the source text they cite, and requests to the claim admin and their answers."""

from django.contrib.messages import get_messages
from django.urls import reverse

from editorial.models import Claim

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


def change_page(client, claim):
    return client.get(reverse("admin:editorial_claim_change", args=[claim.pk]))


def transition(client, claim, name, note="", **extra):
    url = reverse("admin:editorial_claim_transition", args=[claim.pk])
    return client.post(url, {"transition": name, "note": note, **extra})


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
        for name in (
            "id",
            "source",
            "revision_number",
            "excerpt",
            "start",
            "end",
            "prefix",
            "suffix",
            "note",
            "position",
        ):
            data[f"citations-{index}-{name}"] = row.get(name, "")
    return data
