"""Exports over HTTP: the filtered claim list and a public claim set, published claims only."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from editorial.exports import EXPORTERS, UnknownFormat, export_response
from editorial.filters import ClaimFilter
from editorial.views.sets import public_claim_set


@require_GET
def claim_export(request, fmt):
    """``/claims/export/<format>/?<filters>``: the filtered list's published claims as a download.

    ``export_response`` narrows to published claims in their approved versions whatever is passed.
    """
    filterset = ClaimFilter(request.GET)
    if not filterset.is_valid():
        return HttpResponse(
            "The filters could not be read: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        return export_response(fmt, filterset.qs, filename="claims", request=request)
    except UnknownFormat as error:
        raise Http404(str(error)) from error


def export_links(request):
    """Return ``[(label, url)]``: the current list in every export format."""
    query = request.GET.copy()
    query.pop("page", None)
    suffix = "?" + query.urlencode() if query else ""
    return [
        (getattr(module, "LABEL", name), reverse("public:claim_export", args=[name]) + suffix)
        for name, module in EXPORTERS.items()
    ]


@require_GET
def claimset_export(request, slug, fmt):
    """``/sets/<slug>/export/<format>/``: a public set's published claims, in order, as a download."""
    claim_set = public_claim_set(slug)
    try:
        return export_response(
            fmt, claim_set.published_claims(), filename=claim_set.slug, request=request, claim_set=claim_set
        )
    except UnknownFormat as error:
        raise Http404(str(error)) from error
