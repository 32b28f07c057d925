"""Signals the sources app sends; other apps (editorial) listen without sources knowing them."""

from django.dispatch import Signal

# Sent by ``sources.services.capture_revision`` (and only there), inside the capture's transaction,
# when a source that had revisions gets a new newest one, with ``revision`` (the new one) and
# ``previous`` (the revision that was current before).
# The editorial app re-anchors the citations of older revisions on it.
revision_added = Signal()
