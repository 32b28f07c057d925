"""Receivers for other apps' signals; connected in ``EditorialConfig.ready()``."""

from editorial.anchoring import reanchor_citations


def reanchor_on_revision_added(sender, *, revision, previous=None, **kwargs):
    """Re-anchor the citations of the source's older revisions against its new ``revision``.

    Runs inside the import transaction: if re-anchoring fails, the import of that file fails too,
    rather than leaving citations anchored against a revision that is no longer the newest.
    """
    reanchor_citations(revision)
