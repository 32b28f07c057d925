"""The public pages: anonymous, read-only, server-rendered, and working without JavaScript.

Lists, filters, facets and indexes read the public read model (``PublicEntry``); a claim's own page
reads ``Claim.objects.publicly_visible()`` (where a retracted claim stays with its notice). What a
page shows of a claim is its approved ``PublicVersion``; staff with ``editorial.view_claim`` may
preview any claim's live fields under a "Preview — not public" banner. Sources are published
documents and are all public.

Each page loads what it shows in a fixed number of queries whatever the number of rows or
citations (``views.presenters.public_claims``). One module per part of the site: ``claims``,
``sets``, ``sources``, ``indexes`` (of tags, speakers, publishers), ``exports``; ``mixins`` and
``presenters`` hold what they share.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from editorial.views.claims import (
    ClaimDetailView,
    ClaimListView,
    HomeView,
    PublisherDetailView,
    SpeakerDetailView,
    TagDetailView,
    claim_redirect,
)
from editorial.views.exports import claim_export, claimset_export
from editorial.views.indexes import PublisherIndexView, SpeakerIndexView, TagIndexView
from editorial.views.mixins import conditional_page
from editorial.views.sets import ClaimSetDetailView, ClaimSetListView
from editorial.views.sources import RevisionDetailView, RevisionDiffView, SourceDetailView, SourceListView


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Views whose answers may be served with 304 Not Modified.
home = HomeView.as_view()
claim_list = ClaimListView.as_view()
claim_detail = conditional_page(ClaimDetailView.as_view())
tag_detail = TagDetailView.as_view()
tag_index = TagIndexView.as_view()
speaker_index = SpeakerIndexView.as_view()
publisher_index = PublisherIndexView.as_view()
speaker_detail = SpeakerDetailView.as_view()
publisher_detail = PublisherDetailView.as_view()
claimset_list = ClaimSetListView.as_view()
claimset_detail = ClaimSetDetailView.as_view()
source_list = SourceListView.as_view()
source_detail = conditional_page(SourceDetailView.as_view())
revision_detail = conditional_page(RevisionDetailView.as_view())
revision_diff = conditional_page(RevisionDiffView.as_view())

__all__ = [
    "claim_detail",
    "claim_export",
    "claim_list",
    "claim_redirect",
    "claimset_detail",
    "claimset_export",
    "claimset_list",
    "home",
    "publisher_detail",
    "publisher_index",
    "revision_detail",
    "revision_diff",
    "robots_txt",
    "source_detail",
    "source_list",
    "speaker_detail",
    "speaker_index",
    "tag_detail",
    "tag_index",
]
