"""The Atom feed of newly published claims (``/feeds/claims.atom``)."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from editorial.models import Claim

FEED_SIZE = 50


class ClaimFeed(Feed):
    """The newest published claims, as approved (retracted ones drop out of the feed)."""

    feed_type = Atom1Feed
    title = "Newly published claims"
    subtitle = "Claims attributed to their speakers, each backed by cited source passages."

    def link(self):
        return reverse("public:claim_list")

    def feed_url(self):
        return reverse("public:claim_feed")

    def items(self):
        return Claim.objects.published().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, claim):
        return claim.public_snapshot["statement"]

    def item_description(self, claim):
        # Atom summaries are typed "html": readers render them, so the text is escaped here.
        version = claim.public_snapshot
        speaker = (version.get("speaker") or {}).get("name")
        lines = []
        if speaker:
            lines.append(f"<p>{escape(speaker)}</p>")
        for citation in version.get("citations", []):
            lines.append(
                f"<blockquote><p>{escape(citation['excerpt'])}</p></blockquote>"
                f"<p>— {escape(citation.get('source_title', ''))}</p>"
            )
        return "\n".join(lines)

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_guid(self, claim):
        return f"claim-{claim.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, claim):
        return (claim.public_snapshot.get("speaker") or {}).get("name") or None

    def item_pubdate(self, claim):
        return claim.published_at

    def item_updateddate(self, claim):
        approved = claim.public_snapshot.get("approved_at")
        return datetime.datetime.fromisoformat(approved) if approved else claim.published_at

    def item_categories(self, claim):
        return claim.public_snapshot.get("tags", [])
