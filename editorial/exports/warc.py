"""The web captures a set of claims cites, as one WARC file (``export_claims --format warc``).

Each captured revision is stored as a gzipped WARC file (``sources.Capture``, ``docs/capture.md``):
its exchange with the publisher's server. A claim set's bundle is those files, one after another,
for the revisions its claims' citations quote (in the version exported: the approved one with
``--public``, else the stored citations): a gzipped WARC is a series of gzip members, each holding
whole records, so the concatenation is itself a valid WARC file that a web-archive player
(ReplayWeb.page, pywb) replays, and each capture keeps its own ``warcinfo`` record. Revisions
captured from files have no WARC and are left out; the command says how many were bundled.

Bytes, not text: this is not one of the text exporters (``EXPORTERS``); the command writes it.
"""

from collections.abc import Iterator

from editorial.exports.records import PUBLIC, exported_claims
from editorial.models import Citation
from sources.models import Capture

NAME = "warc"
EXTENSION = "warc.gz"
MEDIA_TYPE = "application/warc"
LABEL = "WARC (the cited web captures)"
BLOCK = 1024 * 1024


def cited_revision_ids(claims, version=PUBLIC) -> set:
    """Return the ids of the revisions ``claims``' citations quote (approved ones for ``PUBLIC``)."""
    if version == PUBLIC:
        ids = set()
        snapshots = exported_claims(claims, PUBLIC).values_list("public_snapshot", flat=True)
        for snapshot in snapshots.iterator(chunk_size=2000):
            ids.update(cited["revision"] for cited in (snapshot or {}).get("citations", ()))
        return ids
    return set(Citation.objects.filter(claim__in=claims.values("pk")).values_list("revision_id", flat=True))


def captures(claims, version=PUBLIC):
    """Return the captures of the revisions ``claims`` cite, by source and revision number."""
    return (
        Capture.objects.filter(revision_id__in=cited_revision_ids(claims, version))
        .select_related("revision")
        .order_by("revision__source_id", "revision__number")
    )


def iter_bytes(bundled) -> Iterator[bytes]:
    """Yield the WARC files of ``bundled`` (captures) one after another, a block at a time."""
    for capture in bundled:
        with capture.warc.open("rb") as stored:
            while block := stored.read(BLOCK):
                yield block
