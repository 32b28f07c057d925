"""Admin for revisions, which are append-only: shown, downloaded, and read again in another encoding."""

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from sources import languages
from sources.admin.display import compact_datetime, encoding_read, format_html_paragraphs, origin_file_name
from sources.forms import SUGGESTED_ENCODINGS, RereadForm
from sources.importers.base import ImportProblem
from sources.models import Revision, Source
from sources.services import reread_revision
from sources.textutils import shown


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Revisions are append-only: the admin shows them and never adds, changes or deletes one."""

    list_display = [
        "source",
        "number",
        "captured",
        "short_hash",
        "hash_verifies",
        "captured_by",
        "origin_name",
        "encoding_read",
    ]
    list_display_links = ["source", "number"]
    list_select_related = ["source", "captured_by"]
    list_filter = ["format", "encoding", "captured_at"]
    ordering = ["-captured_at", "-pk"]
    search_fields = ["source__title", "sha256", "origin"]
    date_hierarchy = "captured_at"
    fields = [
        "source",
        "number",
        "title",
        "byline",
        "captured_at",
        "publisher_updated_at",
        "sha256",
        "hash_verifies",
        "captured_by",
        "origin",
        "format",
        "encoding_read",
        "reason",
        "original_file",
        "formatted_text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The original bytes can be megabytes; only the download view reads them.
        return super().get_queryset(request).defer("original")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/original/",
                self.admin_site.admin_view(self.original_view),
                name="{}_{}_original".format(*info),
            ),
            path(
                "<path:object_id>/reread/",
                self.admin_site.admin_view(self.reread_view),
                name="{}_{}_reread".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Captured", ordering="captured_at")
    def captured(self, revision):
        return compact_datetime(revision.captured_at)

    @admin.display(description="Origin", ordering="origin")
    def origin_name(self, revision):
        """The file name alone; the full path or address is in the tooltip and on the revision's page."""
        if not revision.origin:
            return None
        return format_html('<span title="{}">{}</span>', revision.origin, origin_file_name(revision.origin))

    @admin.display(description="SHA-256")
    def short_hash(self, revision):
        return format_html('<code title="{}">{}</code>', revision.sha256, revision.short_sha256)

    @admin.display(description="Hash OK", boolean=True)
    def hash_verifies(self, revision):
        return revision.verify_hash()

    @admin.display(description="Encoding", ordering="encoding")
    def encoding_read(self, revision):
        return encoding_read(revision)

    @admin.display(description="Original file")
    def original_file(self, revision):
        size = len(revision.original or b"")
        if not size:
            return "Not stored."
        return format_html(
            '{} (<a href="{}">download</a>)',
            filesizeformat(size),
            reverse("admin:sources_revision_original", args=[revision.pk]),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The re-read link (an object tool) shows only to those who may use it.
        revision = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if revision is not None and revision.format and self.may_reread(request, revision):
            extra_context["reread_url"] = reverse("admin:sources_revision_reread", args=[revision.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def may_reread(self, request, revision):
        """Return True when the user may capture a new revision of the revision's source."""
        return self.admin_site.get_model_admin(Source).has_change_permission(request, revision.source)

    @admin.display(description="Text")
    def formatted_text(self, revision):
        return format_html(
            '<div class="source-text">{}</div>',
            format_html_paragraphs(revision.text),
        )

    def original_view(self, request, object_id):
        """Send the original file's bytes as a download (never rendered inline)."""
        revision = self.get_object(request, unquote(object_id))
        if revision is None:
            raise Http404("No such revision.")
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        data = bytes(revision.original or b"")
        if not data:
            raise Http404("No original file is stored for this revision.")
        filename = origin_file_name(revision.origin) or f"revision-{revision.number}"
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    def reread_view(self, request, object_id):
        """Read the revision's original again in the encoding the editor names, as a new revision.

        A failing encoding (unknown, or unable to read the bytes) shows the form again with the
        reason and status 400, having written nothing.
        """
        revision = self.get_object(request, unquote(object_id))
        if revision is None:
            raise Http404("No such revision.")
        if not self.may_reread(request, revision):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = RereadForm(request.POST)
            if form.is_valid():
                try:
                    new = reread_revision(
                        revision=revision,
                        encoding=form.cleaned_data["encoding"],
                        reason=form.cleaned_data["reason"],
                        user=request.user,
                    )
                except ImportProblem as problem:
                    form.add_error("encoding", str(problem))
                else:
                    messages.success(
                        request,
                        f"Revision {new.number} captured: revision {revision.number}'s original read as "
                        f"{new.encoding}.",
                    )
                    return HttpResponseRedirect(reverse("admin:sources_source_change", args=[revision.source_id]))
            status = 400
        else:
            form = RereadForm(initial={"encoding": revision.encoding})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Read revision {revision.number} again in another encoding",
            "subtitle": revision.source.title,
            "revision": revision,
            "encoding_read": encoding_read(revision),
            "form": form,
            "readings": encoding_previews(bytes(Revision.objects.get(pk=revision.pk).original or b"")),
        }
        return TemplateResponse(request, "admin/sources/revision/reread.html", context, status=status)


PREVIEW_LENGTH = 120


def encoding_previews(data):
    """Return ``(encoding, plausibility, line)`` for each suggested encoding that reads ``data``.

    ``line`` is the first line with characters beyond ASCII (tags left out), where readings differ.
    """
    previews = []
    for encoding in SUGGESTED_ENCODINGS:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        lines = (" ".join(re.sub(r"<[^>]*>", " ", line).split()) for line in text.splitlines())
        line = next((line for line in lines if not line.isascii()), "")
        previews.append((encoding, languages.plausibility(text), shown(line, PREVIEW_LENGTH)))
    return previews
