"""Receivers for other apps' signals; connected in ``EditorialConfig.ready()``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from editorial.services.citations import reanchor_citations
from editorial.suggestions.store import compute_suggestions

# The groups the migrations create for the desk; their members work in the admin.
DESK_GROUPS = ("Editors", "Moderators")


def make_desk_members_staff(sender, *, instance, action, reverse, pk_set, **kwargs):
    """Give staff status to users added to the Editors or Moderators group (``User.groups`` changed).

    Staff status is what lets a user log in to the admin, where all of the desk's work is done;
    without it a new editor could not log in until someone also ticked "Staff status". Works from
    either side (``user.groups.add(group)``, ``group.user_set.add(user)``, the admin's user form).
    Leaving a group does not take staff status away: the user may be staff for another reason.
    """
    if action != "post_add" or not pk_set:
        return
    User = get_user_model()
    if reverse:  # instance is a group, pk_set its new members
        if instance.name in DESK_GROUPS:
            User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
        return
    if not instance.is_staff and Group.objects.filter(pk__in=pk_set, name__in=DESK_GROUPS).exists():
        instance.is_staff = True
        User.objects.filter(pk=instance.pk).update(is_staff=True)


def reanchor_on_revision_added(sender, *, revision, previous=None, **kwargs):
    """Re-anchor the citations of the source's older revisions against its new ``revision``.

    Runs inside the import transaction: if re-anchoring fails, the import of that file fails too,
    rather than leaving citations anchored against a revision that is no longer the newest.
    """
    reanchor_citations(revision)


def suggest_on_revision_captured(sender, *, instance, created, raw=False, **kwargs):
    """Queue the computing of a new revision's suggested claims, for when its capture has committed.

    ``post_save`` of ``Revision`` rather than ``revision_added``: that signal is not sent for a
    source's first revision, which needs its suggestions as much. A worker that ran the task before
    the commit would not find the revision yet.
    """
    if created and not raw:
        revision_id = instance.pk
        transaction.on_commit(lambda: compute_suggestions.enqueue(revision_id))


def create_cache_table(sender, *, using, verbosity=1, **kwargs):
    """After ``migrate``, create the table of each database cache in ``CACHES`` that lacks one.

    ``createcachetable`` leaves existing tables alone and ignores other backends (Redis), so this
    is cheap and safe on every migrate, and a switch from Redis to the database needs no extra step.
    """
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
