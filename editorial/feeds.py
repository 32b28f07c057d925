"""The Atom feed of newly published claims (``/feeds/claims.atom``), from their approved versions.

The feed follows RFC 4287: the feed and every entry have an absolute IRI as ``<id>``, a title, an
``<updated>`` time and links; the feed's ``<author>`` is the desk itself (``SITE_NAME``), which an
entry without a speaker inherits. An entry's id is the claim's short address,
``<site>/claims/<id>/`` (which redirects to its page): it names no slug, so it stays the same
when a correction changes the statement.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from editorial.filters import ORDERINGS, listed_entries
from editorial.models import Claim

FEED_SIZE = 50
SITE_NAME = "Cited Claims"


class ClaimFeed(Feed):
    """The newest published claims, as approved (retracted ones drop out of the feed)."""

    feed_type = Atom1Feed
    # Atom summaries are typed "html": readers render them, so the template escapes the text.
    description_template = "feeds/claim_description.html"
    title = "Newly published claims"
    subtitle = "Claims attributed to their speakers, each backed by cited source passages."
    author_name = SITE_NAME

    def get_object(self, request, *args, **kwargs):
        # The feed object is the site's base address: the entries' ids need it, and the feed
        # instance is shared between requests, so nothing request-bound may be kept on it.
        return request.build_absolute_uri("/").rstrip("/")

    def author_link(self, base_url):
        return base_url + reverse("public:home")

    def link(self):
        return reverse("public:claim_list")

    def feed_url(self):
        return reverse("public:claim_feed")

    def items(self, base_url):
        ids = list(listed_entries().order_by(*ORDERINGS["newest"]).values_list("claim_id", flat=True)[:FEED_SIZE])
        found = Claim.objects.only("pk", "slug", "status", "published_at", "public_snapshot").in_bulk(ids)
        claims = [found[pk] for pk in ids if pk in found]
        for claim in claims:
            claim.feed_entry_id = base_url + reverse("public:claim_redirect", args=[claim.pk])
            # Read once: every part of the entry (and its description's template) shows it.
            claim.feed_version = claim.approved_version()
        return [claim for claim in claims if claim.feed_version is not None]

    def item_title(self, claim):
        return claim.feed_version.statement

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_guid(self, claim):
        return claim.feed_entry_id

    item_guid_is_permalink = False

    def item_author_name(self, claim):
        return claim.feed_version.speaker_name or None

    def item_pubdate(self, claim):
        return claim.published_at

    def item_updateddate(self, claim):
        return claim.feed_version.approved_at or claim.published_at

    def item_categories(self, claim):
        return list(claim.feed_version.tags)
