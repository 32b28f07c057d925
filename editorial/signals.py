"""Receivers for other apps' signals; connected in ``EditorialConfig.ready()``."""

from django.core.management import call_command

from editorial.services.citations import reanchor_citations


def reanchor_on_revision_added(sender, *, revision, previous=None, **kwargs):
    """Re-anchor the citations of the source's older revisions against its new ``revision``.

    Runs inside the import transaction: if re-anchoring fails, the import of that file fails too,
    rather than leaving citations anchored against a revision that is no longer the newest.
    """
    reanchor_citations(revision)


def create_cache_table(sender, *, using, verbosity=1, **kwargs):
    """After ``migrate``, create the table of each database cache in ``CACHES`` that lacks one.

    ``createcachetable`` leaves existing tables alone and ignores other backends (Redis), so this
    is cheap and safe on every migrate, and a switch from Redis to the database needs no extra step.
    """
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
