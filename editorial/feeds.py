"""The Atom feed of newly published claims (``/feeds/claims.atom``), from their approved versions."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from editorial.models import Claim

FEED_SIZE = 50


class ClaimFeed(Feed):
    """The newest published claims, as approved (retracted ones drop out of the feed)."""

    feed_type = Atom1Feed
    # Atom summaries are typed "html": readers render them, so the template escapes the text.
    description_template = "feeds/claim_description.html"
    title = "Newly published claims"
    subtitle = "Claims attributed to their speakers, each backed by cited source passages."

    def link(self):
        return reverse("public:claim_list")

    def feed_url(self):
        return reverse("public:claim_feed")

    def items(self):
        return Claim.objects.published().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, claim):
        return claim.approved_version().statement

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_guid(self, claim):
        return f"claim-{claim.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, claim):
        return claim.approved_version().speaker_name or None

    def item_pubdate(self, claim):
        return claim.published_at

    def item_updateddate(self, claim):
        return claim.approved_version().approved_at or claim.published_at

    def item_categories(self, claim):
        return list(claim.approved_version().tags)
