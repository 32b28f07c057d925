"""The public pages (namespace ``public``); included at the site root by ``config/urls.py``."""

from django.urls import path, register_converter

from editorial import views
from editorial.feeds import ClaimFeed

app_name = "public"


class UnicodeSlugConverter:
    """A slug of letters in any script (taggit keeps "énergie" as the slug of the tag "énergie")."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/export/<slug:fmt>/", views.claim_export, name="claim_export"),
    path("claims/<int:pk>/", views.claim_redirect, name="claim_redirect"),
    path("claims/<int:pk>/<str:slug>/", views.claim_detail, name="claim_detail"),
    path("sets/", views.claimset_list, name="claimset_list"),
    path("sets/<slug:slug>/", views.claimset_detail, name="claimset_detail"),
    path("sets/<slug:slug>/export/<slug:fmt>/", views.claimset_export, name="claimset_export"),
    path("tags/", views.tag_index, name="tag_index"),
    path("tags/<uslug:slug>/", views.tag_detail, name="tag_detail"),
    path("speakers/", views.speaker_index, name="speaker_index"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("publishers/", views.publisher_index, name="publisher_index"),
    path("publishers/<slug:slug>/", views.publisher_detail, name="publisher_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("sources/<slug:slug>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
    path("sources/<slug:slug>/diff/<int:number>/", views.revision_diff, name="revision_diff"),
    path("feeds/claims.atom", ClaimFeed(), name="claim_feed"),
]
