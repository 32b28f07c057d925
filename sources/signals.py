"""Signals the sources app sends; other apps (editorial) listen without sources knowing them."""

from django.dispatch import Signal

# Sent inside the import transaction after a source gets a new revision (number 2 or later),
# with ``revision`` (the new one) and ``previous`` (the revision that was current before).
# The editorial app re-anchors the citations of older revisions on it.
revision_added = Signal()
