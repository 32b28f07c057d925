"""Exports over HTTP: the filtered claim list and a public claim set, published claims only.

A format a browser shows (the printable HTML dossier) opens in the browser, and with
``?download=1`` is saved as a file; every other format is a download. ``HEAD`` answers with
``GET``'s headers and no body, without reading the claims. The responses' Content-Security-Policy
allows the HTML dossier's own stylesheet, by its hash (``html.STYLE_SOURCE``), and nothing else
inline.
"""

from csp.decorators import csp_update
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from editorial.exports import DOWNLOAD_PARAMETER, UnknownFormat, export_response, format_links, html, opens_inline
from editorial.filters import ClaimFilter
from editorial.views.sets import public_claim_set


def as_attachment(request, fmt):
    """Return True when the export is to be saved: always, but inline formats only with ``?download=1``."""
    return not opens_inline(fmt) or request.GET.get(DOWNLOAD_PARAMETER) == "1"


def answer(request, response):
    """Return ``response``; for ``HEAD`` without its body, so that the export is never read."""
    if request.method == "HEAD":
        response.streaming_content = ()
    return response


@require_safe
@csp_update({"style-src": [html.STYLE_SOURCE]})
def claim_export(request, fmt):
    """``/claims/export/<format>/?<filters>``: the filtered list's published claims.

    ``export_response`` narrows to published claims in their approved versions whatever is passed.
    """
    query = request.GET.copy()
    query.pop(DOWNLOAD_PARAMETER, None)
    filterset = ClaimFilter(query)
    if not filterset.is_valid():
        return HttpResponse(
            "The filters could not be read: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        response = export_response(
            fmt, filterset.claims(), filename="claims", request=request, as_attachment=as_attachment(request, fmt)
        )
    except UnknownFormat as error:
        raise Http404(str(error)) from error
    return answer(request, response)


def export_links(request):
    """Return ``[(label, url)]``: the current list in every export format (see ``format_links``)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(DOWNLOAD_PARAMETER, None)
    return format_links(lambda name: reverse("public:claim_export", args=[name]), query.urlencode())


@require_safe
@csp_update({"style-src": [html.STYLE_SOURCE]})
def claimset_export(request, slug, fmt):
    """``/sets/<slug>/export/<format>/``: a public set's published claims, in order."""
    claim_set = public_claim_set(slug)
    try:
        response = export_response(
            fmt,
            claim_set.published_claims(),
            filename=claim_set.slug,
            request=request,
            claim_set=claim_set,
            as_attachment=as_attachment(request, fmt),
        )
    except UnknownFormat as error:
        raise Http404(str(error)) from error
    return answer(request, response)
