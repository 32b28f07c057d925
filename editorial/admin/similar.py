"""The claim page's "Similar claims" panel, the buttons that link or dismiss a pair, and the queue's flag.

The panel lists the claims worded most like this one (``editorial.similarity``), each with its
score, status and first cited source, flagged *likely duplicate* or *possible conflict* with the
differences found (numbers, negation, names). On a saved claim it is rendered with the page from
the stored statement; ``static/js/similar_claims.js`` refreshes it while the statement is typed,
from ``similar/?statement=…&exclude=<id>`` (JSON holding the same rendered rows). The add page
only warns: a relation needs a saved claim.

The buttons sit in the panel but belong, by their ``form`` attribute, to a small form outside the
claim's (its CSRF token alone, in ``change_form.html``); each posts it by ``formaction`` to
``<id>/similar/<other id>/<action>/``. So they work without JavaScript, never send the claim's
unsaved fields, and never become the claim form's default button (Enter in a field still saves).
They need the change permission on the claim. "Mark as duplicate" and "Mark as contradicting"
create the ``ClaimRelation`` the relation inline would: relations are not part of the approved
version, so they need no moderator and show on public pages once both claims are listed (their
save moves the public record's version). "Dismiss" remembers the pair (``SimilarityDismissal``)
so it is not offered again; when both claims are listed it moves the public record's version too,
since their public pages leave dismissed pairs out of their similar claims.

The panel never stands in the way of saving: a failure of the similarity service is logged and the
panel says it could not look. Everything shown is escaped by the template.
"""

import logging
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from editorial.admin.pages import admin_url
from editorial.choices import RelationKind
from editorial.models import Citation, Claim, ClaimRelation
from editorial.models.claims import STATEMENT_MAX_LENGTH
from editorial.models.similarity import SimilarityDismissal
from editorial.public import readmodel
from editorial.similarity import SimilarClaim, has_likely_duplicate, similar_for_claims, similar_to_claim
from editorial.similarity import similar_to_statement as _similar_to_statement

logger = logging.getLogger(__name__)

PANEL_LIMIT = 5
# A few characters match half the record; the panel waits for something worth comparing.
MIN_STATEMENT_LENGTH = 12
ADD_RELATION = "editorial.add_claimrelation"
# The buttons' actions: the relation each creates, and how the message names it.
RELATION_ACTIONS = {
    "duplicates": (RelationKind.DUPLICATES, "marked as a duplicate of"),
    "contradicts": (RelationKind.CONTRADICTS, "marked as contradicting"),
}
# How a relation between the pair reads from this claim's side.
OUTGOING = {
    "supports": "This claim supports it",
    "contradicts": "This claim contradicts it",
    "updates": "This claim updates it",
    "duplicates": "This claim duplicates it",
}
INCOMING = {
    "supports": "It supports this claim",
    "contradicts": "It contradicts this claim",
    "updates": "It updates this claim",
    "duplicates": "It duplicates this claim",
}


@dataclass
class PanelRow:
    """One similar claim as the panel shows it."""

    similar: SimilarClaim
    status: str
    first_source: str | None
    change_url: str
    relations: list[str] = field(default_factory=list)

    @property
    def percent(self):
        return round(self.similar.score * 100)


def look_up(find, *args, **kwargs):
    """Return ``find(*args, **kwargs)``, or None when it fails (logged).

    The savepoint keeps a database error from breaking the admin page's own transaction.
    """
    try:
        with transaction.atomic():
            return find(*args, **kwargs)
    except Exception:
        logger.exception("Similar claims could not be looked up (%s)", getattr(find, "__name__", find))
        return None


def dismissed_with(claim_id):
    """Return the ids of the claims whose pair with ``claim_id`` an editor dismissed."""
    return {other for pair in SimilarityDismissal.pairs_for([claim_id]) for other in pair if other != claim_id}


def similar_to_statement(statement, *, claim_id=None):
    """Return the claims worded like ``statement`` for the panel (None when the look-up failed).

    With ``claim_id`` (the claim being edited), that claim and the ones dismissed with it are left out.
    """
    exclude = () if claim_id is None else (claim_id, *dismissed_with(claim_id))
    return look_up(_similar_to_statement, statement, exclude=exclude, limit=PANEL_LIMIT)


def panel_rows(similar, claim_id=None):
    """Return ``similar`` as ``PanelRow``s, with each claim's status, first source and the relations
    between it and ``claim_id``: two queries whatever the number of rows.
    """
    ids = [item.claim_id for item in similar]
    if not ids:
        return []
    first_source = (
        Citation.objects.filter(claim=OuterRef("pk")).order_by("position", "pk").values("revision__source__title")[:1]
    )
    claims = Claim.objects.filter(pk__in=ids).annotate(first_source=Subquery(first_source)).only("pk", "status")
    found = {claim.pk: claim for claim in claims}
    relations = {}
    if claim_id is not None:
        pairs = ClaimRelation.objects.filter(
            Q(from_claim=claim_id, to_claim__in=ids) | Q(to_claim=claim_id, from_claim__in=ids)
        ).order_by("kind", "pk")
        for relation in pairs:
            if relation.from_claim_id == claim_id:
                relations.setdefault(relation.to_claim_id, []).append(OUTGOING[relation.kind])
            else:
                relations.setdefault(relation.from_claim_id, []).append(INCOMING[relation.kind])
    return [
        PanelRow(
            similar=item,
            status=found[item.claim_id].get_status_display(),
            first_source=found[item.claim_id].first_source,
            change_url=reverse("admin:editorial_claim_change", args=[item.claim_id]),
            relations=relations.get(item.claim_id, []),
        )
        for item in similar
        if item.claim_id in found
    ]


def similar_claims_html(similar, *, claim=None, can_link=False, statement=""):
    """Return the panel's body: the rows of ``similar`` (None: the look-up failed), escaped.

    ``claim`` is the saved claim being edited (None on the add page); ``can_link`` offers its buttons.
    """
    rows = panel_rows(similar or [], claim.pk if claim is not None else None)
    return render_to_string(
        "admin/editorial/claim/includes/similar_claims_rows.html",
        {
            "rows": rows,
            "failed": similar is None,
            "claim": claim,
            "can_link": can_link and claim is not None,
            "typed": len(statement.strip()) >= MIN_STATEMENT_LENGTH,
        },
    )


def similar_claims_json(similar, html):
    """Return the endpoint's answer: each similar claim's fields, and the panel's body as HTML."""
    return {
        "failed": similar is None,
        "similar": [
            {
                "id": item.claim_id,
                "statement": item.statement,
                "score": item.score,
                "duplicate": item.duplicate,
                "conflict": item.conflict,
                "differences": list(item.differences),
            }
            for item in similar or []
        ],
        "html": html,
    }


def mark_likely_duplicates(claims):
    """Set ``claim.likely_duplicates`` on each of ``claims``: the claims it likely duplicates and is not
    related to yet, best first (dismissed pairs are left out by the service).

    A fixed number of queries whatever the number of claims: which have a likely duplicate, then
    the matches of those, then the relations among them.
    """
    for claim in claims:
        claim.likely_duplicates = []
    flagged = look_up(has_likely_duplicate, [claim.pk for claim in claims]) or set()
    if not flagged:
        return
    matches = look_up(similar_for_claims, sorted(flagged), limit=PANEL_LIMIT) or {}
    others = {item.claim_id for found in matches.values() for item in found}
    related = set(
        ClaimRelation.objects.filter(
            Q(from_claim__in=flagged, to_claim__in=others) | Q(to_claim__in=flagged, from_claim__in=others)
        ).values_list("from_claim", "to_claim")
    )
    for claim in claims:
        claim.likely_duplicates = [
            item
            for item in matches.get(claim.pk, [])
            if item.duplicate and (claim.pk, item.claim_id) not in related and (item.claim_id, claim.pk) not in related
        ]


class SimilarClaimsMixin:
    """For the claim admin: the panel on the add and change pages, its endpoint, and its buttons' view."""

    def get_urls(self):
        return [
            admin_url(self, "similar/", self.similar_view, "similar"),
            admin_url(
                self, "<path:object_id>/similar/<int:other_id>/<slug:action>/", self.similar_action_view, "similar_act"
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        saved = obj if obj is not None and obj.pk else None
        form = context.get("adminform").form if context.get("adminform") else None
        statement = ""
        if saved is not None:
            statement = saved.statement
            similar = look_up(similar_to_claim, saved, limit=PANEL_LIMIT)
        elif form is not None and form.is_bound:
            # An add form sent back with errors: show what the typed statement resembles.
            statement = form.data.get("statement", "")
            similar = similar_to_statement(statement) if len(statement.strip()) >= MIN_STATEMENT_LENGTH else []
        else:
            similar = []
        can_link = saved is not None and self.has_change_permission(request, saved)
        context["similar_claims"] = {
            "url": reverse("admin:editorial_claim_similar"),
            "claim": saved,
            "can_link": can_link,
            "html": similar_claims_html(similar, claim=saved, can_link=can_link, statement=statement),
        }
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if obj.pk in (look_up(has_likely_duplicate, [obj.pk]) or set()):
            messages.warning(
                request,
                format_html(
                    "“{}” looks like a duplicate of a claim already recorded: "
                    '<a href="{}#similar-claims">its Similar claims panel</a> links or dismisses them.',
                    obj,
                    reverse("admin:editorial_claim_change", args=[obj.pk]),
                ),
            )
        return response

    def similar_view(self, request):
        """Return the claims worded like ``?statement=``, leaving out ``?exclude=<claim id>``, as JSON."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        statement = request.GET.get("statement", "")[:STATEMENT_MAX_LENGTH]
        exclude = request.GET.get("exclude", "")
        # Called at every pause in typing: the claim alone, without the admin queryset's prefetches.
        claim = Claim.objects.filter(pk=int(exclude)).only("pk", "statement").first() if exclude.isdigit() else None
        similar = []
        if len(statement.strip()) >= MIN_STATEMENT_LENGTH:
            similar = similar_to_statement(statement, claim_id=claim.pk if claim is not None else None)
        can_link = claim is not None and self.has_change_permission(request, claim)
        html = similar_claims_html(similar, claim=claim, can_link=can_link, statement=statement)
        return JsonResponse(similar_claims_json(similar, html))

    def similar_action_view(self, request, object_id, other_id, action):
        """Link the claim to a similar one (``duplicates``, ``contradicts``) or ``dismiss`` the pair; go back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        if action not in RELATION_ACTIONS and action != "dismiss":
            raise Http404(f"“{action}” is not something the similar-claims panel does.")
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        other = get_object_or_404(Claim, pk=other_id)
        change_url = reverse("admin:editorial_claim_change", args=[claim.pk]) + "#similar-claims"
        if other.pk == claim.pk:
            messages.error(request, "A claim is not offered as similar to itself: nothing to link or dismiss.")
            return HttpResponseRedirect(change_url)
        if action == "dismiss":
            with transaction.atomic():
                SimilarityDismissal.dismiss(claim, other, request.user)
                if claim.is_published() and other.is_published():
                    readmodel.bump()  # their public pages stop listing each other as similar
            self.log_change(request, claim, f"Dismissed the similarity to claim {other.pk}.")
            messages.success(request, format_html("“{}” will not be offered as similar again.", other))
        else:
            self._relate(request, claim, other, action)
        return HttpResponseRedirect(change_url)

    def _relate(self, request, claim, other, action):
        if not request.user.has_perm(ADD_RELATION):
            raise PermissionDenied
        kind, wording = RELATION_ACTIONS[action]
        related = ClaimRelation.objects.filter(
            Q(from_claim=claim, to_claim=other) | Q(from_claim=other, to_claim=claim)
        ).exists()
        if related:
            messages.warning(request, format_html("“{}” and “{}” are related already.", claim, other))
            return
        relation = ClaimRelation(from_claim=claim, to_claim=other, kind=kind)
        try:
            relation.full_clean()
        except ValidationError as error:
            messages.error(request, format_html("“{}” was not linked: {}", other, " ".join(error.messages)))
            return
        relation.save()
        self.log_change(request, claim, f"{kind.label}: claim {other.pk}, from the similar claims.")
        messages.success(request, format_html("This claim is now {} “{}”.", wording, other))
