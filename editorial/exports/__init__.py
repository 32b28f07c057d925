"""Exports of cited claims, one module per format, behind one streaming interface.

Each module in ``EXPORTERS`` has ``NAME``, ``MEDIA_TYPE``, ``EXTENSION``, ``LABEL``,
``iter_chunks(claims, **options) -> Iterator[str]`` and ``write(claims, out, **options)``; see
``base`` for the interface and ``records`` for how claims are read (chunked, a fixed number of
queries per chunk).

Two entry points:

* ``export_response(fmt, claims, filename=…, request=…)`` — for views and the admin: a
  ``StreamingHttpResponse`` of ``claims.published()`` in their approved public versions. Every
  export reachable over HTTP goes through it, so none can hold a draft or unpublished edits.
* ``write(fmt, claims, out, **options)`` — for the staff command: any claims, any version.

A module may set ``INLINE = True`` (the printable HTML dossier): the public export views then let
the browser show it, and ``format_links`` offers a second link that downloads it
(``?download=1``).

To add a format, write the module and add it to ``EXPORTERS``.
"""

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from editorial.exports import annotations, bibtex, claimset, csl, csv, html, markdown, ris, schemaorg
from editorial.exports.base import buffered
from editorial.exports.records import LIVE, PUBLIC, site_url

__all__ = [
    "DOWNLOAD_PARAMETER",
    "EXPORTERS",
    "LIVE",
    "PUBLIC",
    "UnknownFormat",
    "export_response",
    "format_links",
    "get_exporter",
    "write",
]

EXPORTERS = {
    module.NAME: module for module in (csv, claimset, schemaorg, annotations, csl, bibtex, ris, markdown, html)
}


# The query parameter that asks for an inline format (the HTML dossier) as a download.
DOWNLOAD_PARAMETER = "download"


class UnknownFormat(ValueError):
    """A format name not in ``EXPORTERS``; the message names the known ones."""


def known_formats():
    return ", ".join(EXPORTERS)


def get_exporter(fmt):
    """Return the exporter module for ``fmt``; ``UnknownFormat`` names the choices."""
    try:
        return EXPORTERS[fmt]
    except KeyError:
        raise UnknownFormat(f"Unknown export format “{fmt}”; choose one of: {known_formats()}.") from None


def opens_inline(fmt):
    """Return True for a format a browser shows rather than saves (``INLINE``)."""
    return getattr(get_exporter(fmt), "INLINE", False)


def format_links(url_for, query=""):
    """Return ``[(label, url)]`` for every format; an inline one gets a second link that downloads it.

    ``url_for(name)`` returns a format's address; ``query`` (encoded, without "?") is appended.
    """
    links = []
    for name, module in EXPORTERS.items():
        label, url = getattr(module, "LABEL", name), url_for(name)
        links.append((label, url + ("?" + query if query else "")))
        if getattr(module, "INLINE", False):
            download = "&".join(filter(None, [query, f"{DOWNLOAD_PARAMETER}=1"]))
            links.append((f"{label} (download)", f"{url}?{download}"))
    return links


def filename_for(fmt, filename):
    """Return ``filename`` ending in the format's extension (added when missing)."""
    extension = "." + get_exporter(fmt).EXTENSION
    return filename if filename.endswith(extension) else filename + extension


def export_response(fmt, claims, *, filename, request=None, as_attachment=True, **options):
    """Return a ``StreamingHttpResponse`` exporting the published ones among ``claims`` as ``fmt``.

    ``claims`` is a ``Claim`` queryset in the order wanted; it is narrowed to
    ``published()`` here, and every claim is exported in its approved public version, whatever the
    caller passed. ``filename`` (the extension is added when missing) names the download;
    absolute links use the request's host, else ``SITE_URL``. ``options`` go to the exporter
    (``claim_set``, ``bom`` for CSV …). Raises ``UnknownFormat`` for an unknown ``fmt`` (a view
    answers 404).
    """
    exporter = get_exporter(fmt)
    chunks = exporter.iter_chunks(claims.published(), version=PUBLIC, base_url=site_url(request), **options)
    response = StreamingHttpResponse(buffered(chunks), content_type=exporter.MEDIA_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename_for(fmt, filename))
    return response


def write(fmt, claims, out, **options):
    """Write ``claims`` as ``fmt`` to the text stream ``out``; ``options`` go to the exporter."""
    get_exporter(fmt).write(claims, out, **options)
