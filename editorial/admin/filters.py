"""The claim list's filters beyond status, speaker, author and dates: tag, cited publisher and source,
anchors, and edits to public claims awaiting approval.

Filters on citations use an ``Exists`` condition rather than a join, so a claim citing several
matching passages is listed once.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.text import Truncator

from editorial.admin.display import ANCHOR_LABELS
from editorial.models import Citation, Claim
from sources.models import Publisher, Source


def citing(**lookups):
    """Return an ``Exists`` condition: the claim has a citation matching ``lookups`` (no duplicate rows)."""
    return Exists(Citation.objects.filter(claim=OuterRef("pk"), **lookups))


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(tag.slug, tag.name) for tag in Claim.tags.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class PublisherFilter(admin.SimpleListFilter):
    title = "publisher of a cited source"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        cited = Publisher.objects.filter(Exists(Citation.objects.filter(revision__source__publisher=OuterRef("pk"))))
        return [(str(pk), name) for pk, name in cited.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(citing(revision__source__publisher_id=self.value()))
        return queryset


class SourceFilter(admin.SimpleListFilter):
    """Claims citing a source (any of its revisions): ``?source=<id>``, linked from the source's page."""

    title = "cited source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        cited = Source.objects.filter(Exists(Citation.objects.filter(revision__source=OuterRef("pk"))))
        return [
            (str(pk), Truncator(title).chars(60)) for pk, title in cited.order_by("title").values_list("pk", "title")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(citing(revision__source_id=self.value()))
        return queryset


class AnchorStateFilter(admin.SimpleListFilter):
    """Claims by the anchor states of their citations: any or one kind of change, all current, or none."""

    title = "anchor state"
    parameter_name = "anchor"

    def lookups(self, request, model_admin):
        return [
            ("changed", "Source changed (any)"),
            *((state, ANCHOR_LABELS[state]) for state in Citation.CHANGED_STATES),
            ("current", "All citations current"),
            ("none", "No citations"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "changed":
            return queryset.filter(citing(anchor_state__in=Citation.CHANGED_STATES))
        if value in Citation.CHANGED_STATES:
            return queryset.filter(citing(anchor_state=value))
        if value == "current":
            return queryset.filter(citing()).exclude(citing(anchor_state__in=Citation.CHANGED_STATES))
        if value == "none":
            return queryset.exclude(citing())
        return queryset


class CreatedByFilter(admin.RelatedOnlyFieldListFilter):
    """The claim's author, among the users who wrote a claim."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "author of the claim"


class ChangesFilter(admin.SimpleListFilter):
    """Public claims with edits readers do not see yet: submitted for approval, or not submitted."""

    title = "changes to the public version"
    parameter_name = "changes"

    def lookups(self, request, model_admin):
        return [("submitted", "Changes awaiting approval"), ("unsubmitted", "Unapproved changes (not submitted)")]

    def queryset(self, request, queryset):
        if self.value() == "submitted":
            return queryset.filter(pk__in=Claim.objects.changes_awaiting_approval().values("pk"))
        if self.value() == "unsubmitted":
            # Whether a claim differs from its approved version (JSON) is decided claim by claim, in
            # Python: a few queries for each public claim without a pending submission.
            candidates = (
                Claim.objects.published()
                .with_changes_submission()
                .filter(changes_submitted_at__isnull=True)
                .select_related("speaker")
            )
            unsubmitted = [claim.pk for claim in candidates if claim.has_unpublished_changes()]
            return queryset.filter(pk__in=unsubmitted)
        return queryset
