"""Admin for publishers, authors and sources: lists, the change page with its revisions, the
upload page and the page comparing two revisions."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from sources.admin import web
from sources.admin.display import compact_datetime, encoding_read
from sources.admin.large_imports import queue_upload
from sources.diffs import diff_texts, paragraphs
from sources.forms import ImportFilesForm, importer_formats
from sources.models import Author, Byline, Publisher, Revision, Source
from sources.services import CREATED, FAILED, NEW_REVISION, ImportOutcome, format_size, import_file


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage", "time_zone", "source_count"]
    search_fields = ["name"]
    fields = ["name", "homepage", "time_zone", "slug", "created_at", "modified_at"]
    readonly_fields = ["slug", "created_at", "modified_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(source_count=Count("sources"))

    @admin.display(description="Sources", ordering="source_count")
    def source_count(self, publisher):
        return publisher.source_count


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "source_count"]
    search_fields = ["name"]
    fields = ["name", "normalised_name", "slug", "created_at"]
    readonly_fields = ["normalised_name", "slug", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(source_count=Count("bylines"))

    @admin.display(description="Sources", ordering="source_count")
    def source_count(self, author):
        return author.source_count


class BylineInline(admin.TabularInline):
    model = Byline
    fields = ["position", "author", "location"]
    autocomplete_fields = ["author"]
    ordering = ["position"]
    extra = 0
    verbose_name = "byline author"
    verbose_name_plural = "Byline authors (in printed order)"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "publisher",
        "author_list",
        "published",
        "updated",
        "revision_count",
        "language",
    ]
    list_select_related = ["publisher"]
    list_filter = ["publisher", "authors", "language", "tags", "section"]
    date_hierarchy = "published_at"
    # Revision text spans a reverse relation; the changelist removes the duplicate rows it causes.
    search_fields = ["title", "byline", "revisions__text"]
    search_help_text = "Searches titles, bylines and the text of every revision."
    autocomplete_fields = ["publisher"]
    inlines = [BylineInline]
    form = web.SourceForm
    fieldsets = [
        (None, {"fields": ["title", "publisher", "section", "url", "language", "byline"]}),
        ("Publisher's dates", {"fields": ["published_at", "updated_at"]}),
        ("Tags and notes", {"fields": ["tags", "notes"]}),
        (
            "Watching the original address",
            {"fields": ["watch", "watch_interval", "last_checked_at", "check_status", "check_message", "gone_since"]},
        ),
        ("Record", {"fields": ["slug", "created_at", "modified_at"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "slug",
        "created_at",
        "modified_at",
        "last_checked_at",
        "check_status",
        "check_message",
        "gone_since",
    ]

    def get_queryset(self, request):
        # A subquery rather than Count(): the search over revision text joins revisions too, and
        # the count must not multiply with it.
        revision_count = (
            Revision.objects.filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(revision_count=Coalesce(Subquery(revision_count, output_field=IntegerField()), 0))
            .prefetch_related(
                Prefetch(
                    "bylines",
                    queryset=Byline.objects.select_related("author").order_by("position"),
                    to_attr="ordered_byline_list",
                )
            )
        )

    @admin.display(description="Authors")
    def author_list(self, source):
        bylines = getattr(source, "ordered_byline_list", None)
        if bylines is None:
            bylines = source.ordered_bylines()
        # Names only: the locations are on the source's page, and the list has no room for them.
        return ", ".join(byline.author.name for byline in bylines) or None

    @admin.display(description="Published", ordering="published_at")
    def published(self, source):
        return compact_datetime(source.published_at)

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, source):
        return compact_datetime(source.updated_at)

    @admin.display(description="Revisions", ordering="revision_count")
    def revision_count(self, source):
        return source.revision_count

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "capture/",
                self.admin_site.admin_view(self.capture_view),
                name="{}_{}_capture".format(*info),
            ),
            path(
                "<path:object_id>/warc/<int:number>/",
                self.admin_site.admin_view(self.warc_view),
                name="{}_{}_warc".format(*info),
            ),
            path(
                "<path:object_id>/diff/<int:number>/",
                self.admin_site.admin_view(self.diff_view),
                name="{}_{}_diff".format(*info),
            ),
            *super().get_urls(),
        ]

    def capture_view(self, request):
        """*Capture from the web*: addresses in, sources out."""
        return web.capture_view(self, request)

    def warc_view(self, request, object_id, number):
        """Download the WARC file of revision ``number`` of the source."""
        return web.warc_view(self, request, unquote(object_id), number)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Nobody may delete a single revision, but a source takes its own revisions with it.
        perms_needed.discard(Revision._meta.verbose_name)
        return deleted, model_count, perms_needed, protected

    def save_formset(self, request, form, formset, change):
        if formset.model is not Byline:
            return super().save_formset(request, form, formset, change)
        # Positions are unique per source and rows are saved one by one, so swapping two authors
        # would collide halfway. Deleted rows go first, then moved rows are parked on free
        # positions before everything is saved in its final place.
        bylines = formset.save(commit=False)
        for byline in formset.deleted_objects:
            byline.delete()
        moved = [byline.pk for byline, changed in formset.changed_objects if "position" in changed]
        if moved:
            parking = (Byline.objects.filter(source=form.instance).aggregate(top=Max("position"))["top"] or 0) + 1
            for offset, pk in enumerate(moved):
                Byline.objects.filter(pk=pk).update(position=parking + offset)
        for byline in bylines:
            byline.save()
        formset.save_m2m()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.revision_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def revision_context(self, request, source):
        """Return the template context for a source's revision table and its current text."""
        revisions = list(source.revisions.select_related("captured_by", "capture").defer("original").order_by("number"))
        current = next((r for r in revisions if r.pk == source.current_revision_id), None)
        if current is None and revisions:
            current = revisions[-1]
        can_view_revisions = self.admin_site.get_model_admin(Revision).has_view_permission(request)
        can_reread = self.has_change_permission(request, source)
        rows, previous = [], None
        for revision in revisions:
            rows.append(
                {
                    "revision": revision,
                    "is_current": revision is current,
                    "verifies": revision.verify_hash(),
                    "previous": previous,
                    "url": reverse("admin:sources_revision_change", args=[revision.pk]) if can_view_revisions else "",
                    "reread_url": (
                        reverse("admin:sources_revision_reread", args=[revision.pk])
                        if can_reread and revision.format
                        else ""
                    ),
                    "encoding": encoding_read(revision),
                    "warc_url": (
                        reverse("admin:sources_source_warc", args=[source.pk, revision.number])
                        if hasattr(revision, "capture")
                        else ""
                    ),
                    "diff_url": (
                        reverse("admin:sources_source_diff", args=[source.pk, revision.number]) if previous else ""
                    ),
                }
            )
            previous = revision
        return {
            "source_revisions": rows,
            "current_revision": current,
            "current_paragraphs": paragraphs(current.text) if current else [],
        }

    def diff_view(self, request, object_id, number):
        """Show what changed from the revision before revision ``number`` to revision ``number``."""
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        if not self.has_view_or_change_permission(request, source):
            raise PermissionDenied
        revisions = source.revisions.defer("original").select_related("captured_by")
        new = revisions.filter(number=number).first()
        old = revisions.filter(number__lt=number).order_by("-number").first()
        if new is None or old is None:
            raise Http404("That revision has no earlier revision to compare with.")
        later = revisions.filter(number__gt=number).order_by("number").values_list("number", flat=True).first()
        metadata_changes = [
            (label, before, after)
            for label, before, after in [
                ("Headline", old.title, new.title),
                ("Byline", old.byline, new.byline),
                ("Publisher's update time", old.publisher_updated_at, new.publisher_updated_at),
            ]
            if before != after
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Changes in revision {new.number}",
            "subtitle": source.title,
            "source": source,
            "old": old,
            "new": new,
            "paragraphs": diff_texts(old.text, new.text),
            "identical": old.text == new.text,
            "metadata_changes": metadata_changes,
            "earlier_diff_url": (
                reverse("admin:sources_source_diff", args=[source.pk, old.number])
                if revisions.filter(number__lt=old.number).exists()
                else ""
            ),
            "later_diff_url": reverse("admin:sources_source_diff", args=[source.pk, later]) if later else "",
        }
        return TemplateResponse(request, "admin/sources/source/revision_diff.html", context)

    def import_view(self, request):
        """Upload several documents at once and import each through the import service."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        publisher_names = Publisher.objects.order_by("name").values_list("name", flat=True)
        if request.method == "POST":
            form = ImportFilesForm(request.POST, request.FILES, publisher_names=publisher_names)
            if form.is_valid():
                reports = [
                    self.import_upload(request, uploaded, form.cleaned_data) for uploaded in form.cleaned_data["files"]
                ]
                for level, message, _failed in reports:
                    messages.add_message(request, level, message)
                # Success goes on to the list; a failure or a dry run stays here to try again.
                if not form.cleaned_data["dry_run"] and not any(failed for *_, failed in reports):
                    return HttpResponseRedirect(reverse("admin:sources_source_changelist"))
        else:
            form = ImportFilesForm(publisher_names=publisher_names)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import source files",
            "form": form,
            "formats": importer_formats(),
            "max_size": format_size(settings.IMPORT_MAX_BYTES),
            "task_threshold": format_size(settings.IMPORT_TASK_THRESHOLD_BYTES),
            "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        return TemplateResponse(request, "admin/sources/source/import_files.html", context)

    def import_upload(self, request, uploaded, options):
        """Import one uploaded file, or queue a large one (``large_imports``); return ``(level, message, failed)``."""
        if uploaded.size > settings.IMPORT_MAX_BYTES:
            # Refused before reading: the upload may be far larger than memory should hold.
            outcome = ImportOutcome(
                filename=uploaded.name,
                status=FAILED,
                message=(
                    f"file is {format_size(uploaded.size)}, "
                    f"over the {format_size(settings.IMPORT_MAX_BYTES)} import limit"
                ),
                dry_run=options["dry_run"],
            )
        elif uploaded.size > settings.IMPORT_TASK_THRESHOLD_BYTES:
            return queue_upload(request, uploaded, options)
        else:
            outcome = import_file(
                data=uploaded.read(),
                filename=uploaded.name,
                format=options["format"] or None,
                user=request.user,
                publisher=options["publisher"],
                dry_run=options["dry_run"],
            )
        return *outcome_message(outcome), outcome.failed


def outcome_message(outcome):
    """Return ``(level, message)``: the import command's line for ``outcome``, linked to the source."""
    if outcome.status == FAILED:
        return messages.ERROR, str(outcome)
    if outcome.warnings:
        level = messages.WARNING
    elif outcome.status in {CREATED, NEW_REVISION}:
        level = messages.SUCCESS
    else:
        level = messages.INFO
    text = str(outcome) + (f" Warnings: {'; '.join(outcome.warnings)}" if outcome.warnings else "")
    if outcome.dry_run or outcome.source is None or outcome.source.pk is None:
        return level, text
    url = reverse("admin:sources_source_change", args=[outcome.source.pk])
    return level, format_html('{} <a href="{}">Open the source</a>', text, url)
