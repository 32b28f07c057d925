"""A printable HTML dossier: each claim with its details and numbered footnotes for its citations.

Rendered with Django templates (so everything is escaped): ``editorial/exports/dossier.html`` is
the page, rendered once and cut where the claims go; ``editorial/exports/dossier_claim.html``
renders each claim, so the page streams a claim at a time. The page is self-contained (its
stylesheet, ``dossier.css`` next to this module, is in its ``<head>``), to be opened from disk and
printed. A claim's note marks are one superscript, "2, 3", never "23".

The site's Content-Security-Policy refuses inline styles; a dossier the site serves to be read in
the browser allows this stylesheet, and nothing else inline, by its hash (``STYLE_SOURCE``, for
the export views' policy).
"""

import base64
import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.template.loader import render_to_string

from editorial.exports import dossier, records
from editorial.exports.base import write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC

NAME = "html"
MEDIA_TYPE = "text/html; charset=utf-8"
EXTENSION = "html"
LABEL = "Printable HTML dossier"
# Browsers show the dossier rather than save it; the export views offer a download link too.
INLINE = True

STYLESHEET = Path(__file__).with_name("dossier.css").read_text(encoding="utf-8")
# The CSP source expression that allows exactly the <style> element holding STYLESHEET.
STYLE_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(STYLESHEET.encode("utf-8")).digest()).decode("ascii") + "'"


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield the HTML dossier of ``claims``: the page's start, a claim at a time, the page's end."""
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    marker = f"<!-- claims {secrets.token_hex(8)} -->"
    page = render_to_string(
        "editorial/exports/dossier.html",
        {
            "title": dossier.heading(claim_set),
            "claim_set": claim_set,
            "exported": dossier.exported_line(version=version, base_url=base_url),
            "claims_marker": marker,
            "stylesheet": STYLESHEET,
        },
    )
    start, end = page.split(marker)
    yield start
    for item in dossier.dossier_claims(claims, version=version, base_url=base_url, chunk_size=chunk_size):
        yield render_to_string("editorial/exports/dossier_claim.html", {"item": item})
    yield end
