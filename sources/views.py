"""The sources app's one public view: a captured revision's WARC file, for download.

Sources are public documents here (every source has its public page, ``public:source_detail``), so
every revision that was captured from the web offers its WARC file.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from sources.models import Capture, Source


def warc_response(source, capture):
    """Return a streaming download of ``capture``'s WARC file, named after the source and revision."""
    try:
        file = capture.warc.open("rb")
    except FileNotFoundError:
        raise Http404("The WARC file of this capture is missing from storage.") from None
    name = f"{source.slug[:80]}-revision-{capture.revision.number}.warc.gz"
    response = FileResponse(file, as_attachment=True, filename=name, content_type="application/gzip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={capture.warc_sha256}"
    return response


@require_GET
def capture_warc(request, slug, number):
    """``/sources/<slug>/revisions/<n>/capture.warc.gz``: the WARC file of a revision captured from the web."""
    source = get_object_or_404(Source.objects.only("pk", "slug"), slug=slug)
    capture = get_object_or_404(
        Capture.objects.select_related("revision"), revision__source=source, revision__number=number
    )
    return warc_response(source, capture)
