"""The sources app's public routes (namespace ``sources``); included at the site root."""

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("sources/<slug:slug>/revisions/<int:number>/capture.warc.gz", views.capture_warc, name="capture_warc"),
]
