"""Claim sets' public pages: the public sets, and a set's published claims in order."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import ListView

from editorial.exports import format_links
from editorial.models import ClaimSet
from editorial.views.cards import claim_cards
from editorial.views.mixins import PaginatedMixin, page_canonical
from editorial.views.presenters import public_claims

SETS_PAGE_SIZE = 20
SET_CLAIMS_PAGE_SIZE = 50


class ClaimSetListView(PaginatedMixin, ListView):
    """``/sets/``: the public claim sets, newest first, each with its number of published claims."""

    template_name = "editorial/claimset_list.html"
    context_object_name = "claim_sets"
    paginate_by = SETS_PAGE_SIZE

    def get_queryset(self):
        return ClaimSet.objects.public().with_published_count().order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = page_canonical(
            self.request, reverse("public:claimset_list"), context.get("page_obj")
        )
        return context


def public_claim_set(slug):
    """Return the public set at ``slug``, or raise 404 (a set that is not public has no public page)."""
    return get_object_or_404(ClaimSet.objects.public(), slug=slug)


class ClaimSetDetailView(PaginatedMixin, ListView):
    """``/sets/<slug>/``: a public set's published claims in the set's order, with the curator's notes.

    Members that are not published are neither listed nor counted (``ClaimSet.published_claims()``).
    """

    template_name = "editorial/claimset_detail.html"
    context_object_name = "claim_rows"
    paginate_by = SET_CLAIMS_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        self.claim_set = public_claim_set(kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The note comes through the membership join that published_claims() filters and orders by.
        return self.claim_set.published_claims().select_related(None).annotate(set_note=F("set_memberships__note"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim_set = self.claim_set
        claims = public_claims(context["object_list"])
        context.update(
            claim_set=claim_set,
            claims=claims,
            cards=claim_cards(claims, set_notes=[item.claim.set_note for item in claims]),
            export_links=format_links(lambda name: reverse("public:claimset_export", args=[claim_set.slug, name])),
            canonical_url=page_canonical(self.request, claim_set.get_absolute_url(), context.get("page_obj")),
        )
        return context
