"""The source admin's web pages: *Capture from the web* (addresses in, sources out) and a revision's
WARC file for download. ``SourceAdmin`` routes to them."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django_tasks import TaskResultStatus

from sources.models import Capture, Source
from sources.services import CREATED, FAILED, NEW_REVISION
from sources.tasks import capture_url_task
from sources.views import warc_response

MAX_ADDRESSES = 50


class SourceForm(forms.ModelForm):
    """The source change form: an empty watch interval keeps the one stored (a day for a new source)."""

    class Meta:
        model = Source
        fields = [
            "title",
            "publisher",
            "section",
            "url",
            "language",
            "byline",
            "published_at",
            "updated_at",
            "tags",
            "notes",
            "watch",
            "watch_interval",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "watch_interval" in self.fields:
            self.fields["watch_interval"].required = False

    def clean_watch_interval(self):
        interval = self.cleaned_data["watch_interval"] or self.instance.watch_interval or timedelta(days=1)
        if interval < timedelta(minutes=1):
            raise forms.ValidationError("Check at most once a minute: give at least “00:01:00”.")
        return interval


class CaptureUrlsForm(forms.Form):
    required_css_class = "required"

    urls = forms.CharField(
        label="Addresses",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90, "spellcheck": "false"}),
        help_text=f"One http or https address per line, up to {MAX_ADDRESSES}.",
    )
    watch = forms.BooleanField(
        required=False, label="Watch for changes", help_text="Check the addresses regularly; a change adds a revision."
    )
    interval = forms.DecimalField(
        label="Check every (days)",
        initial=1,
        min_value=0.01,
        max_value=3650,
        decimal_places=2,
        help_text="How often a watched source is checked.",
    )

    def clean_urls(self):
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Give at least one address.")
        if len(lines) > MAX_ADDRESSES:
            raise forms.ValidationError(f"At most {MAX_ADDRESSES} addresses at a time; {len(lines)} were given.")
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for number, line in enumerate(lines, start=1):
            try:
                check(line)
            except forms.ValidationError:
                bad.append(f"line {number}: “{line[:100]}”")
        if bad:
            raise forms.ValidationError(f"Not an http or https address: {'; '.join(bad)}.")
        return list(dict.fromkeys(lines))


def outcome_message(result):
    """Return ``(level, message)`` for one capture task's result: its command line, linked to the source."""
    if result["status"] == FAILED:
        return messages.ERROR, result["line"]
    level = messages.SUCCESS if result["status"] in {CREATED, NEW_REVISION} else messages.INFO
    text = result["line"] + (f" Warnings: {'; '.join(result['warnings'])}" if result["warnings"] else "")
    url = reverse("admin:sources_source_change", args=[result["source_id"]])
    return level, format_html('{} <a href="{}">Open the source</a>', text, url)


def capture_view(model_admin, request):
    """Queue a capture task per pasted address (``sources.tasks``); one message each.

    A worker runs them (``docs/tasks.md``): the page says they are queued and links to the task
    list. When the backend ran them at once (``TASKS_BACKEND=immediate``), each one's outcome is
    shown instead, and a refused address keeps the form on the page.
    """
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = CaptureUrlsForm(request.POST)
        if form.is_valid():
            interval = timedelta(days=float(form.cleaned_data["interval"]))
            watch = form.cleaned_data["watch"]
            queued = [
                capture_url_task.enqueue(
                    url,
                    user_id=request.user.pk,
                    watch=watch or None,
                    interval_seconds=interval.total_seconds() if watch else None,
                )
                for url in form.cleaned_data["urls"]
            ]
            finished = [result for result in queued if result.status == TaskResultStatus.SUCCESSFUL]
            for result in finished:
                messages.add_message(request, *outcome_message(result.return_value))
            waiting = len(queued) - len(finished)
            if waiting:
                tasks_url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
                messages.info(
                    request,
                    format_html(
                        '{} queued: each is captured in the background. <a href="{}">Follow them in '
                        "Background tasks</a>.",
                        f"{waiting} address{'es' if waiting != 1 else ''}",
                        tasks_url,
                    ),
                )
            if not any(result.return_value["status"] == FAILED for result in finished):
                return HttpResponseRedirect(reverse("admin:sources_source_changelist"))
        else:
            status = 400
    else:
        form = CaptureUrlsForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Capture from the web",
        "form": form,
    }
    return TemplateResponse(request, "admin/sources/source/capture_web.html", context, status=status)


def warc_view(model_admin, request, object_id, number):
    """Download the WARC file of revision ``number`` of a source, for those who may view the source."""
    source = model_admin.get_object(request, object_id)
    if source is None:
        raise Http404("No such source.")
    if not model_admin.has_view_or_change_permission(request, source):
        raise PermissionDenied
    capture = (
        Capture.objects.filter(revision__source=source, revision__number=number).select_related("revision").first()
    )
    if capture is None:
        raise Http404("That revision was not captured from the web.")
    return warc_response(source, capture)
