"""``sitemap.xml``: every publicly listed claim, claim set, source, tag, speaker and publisher page.

``django.contrib.sitemaps`` needs no entry in INSTALLED_APPS when its view is given a template of
the project's own (``editorial/sitemap.xml``), as ``config/urls.py`` does.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from editorial.filters import listed_entries, public_speakers, public_tags
from editorial.models import ClaimSet
from sources.models import Publisher, Source


class ClaimSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return listed_entries().only("claim_id", "slug", "approved_at").order_by("claim_id")

    def location(self, entry):
        return reverse("public:claim_detail", args=[entry.claim_id, entry.slug])

    def lastmod(self, entry):
        return entry.approved_at


class SourceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def items(self):
        return Source.objects.only("pk", "slug", "modified_at").order_by("pk")

    def location(self, source):
        return source.get_public_url()

    def lastmod(self, source):
        return source.modified_at


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return public_tags().order_by("slug")

    def location(self, tag):
        return reverse("public:tag_detail", args=[tag.slug])


class SpeakerSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return public_speakers().order_by("slug")


class PublisherSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return Publisher.objects.order_by("slug")


class ClaimSetSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ClaimSet.objects.public().only("pk", "slug", "modified_at").order_by("pk")

    def lastmod(self, claim_set):
        return claim_set.modified_at


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["public:home", "public:claim_list", "public:claimset_list", "public:source_list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "claims": ClaimSitemap,
    "sets": ClaimSetSitemap,
    "sources": SourceSitemap,
    "tags": TagSitemap,
    "speakers": SpeakerSitemap,
    "publishers": PublisherSitemap,
}
