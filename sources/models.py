"""Documents as published: publishers, authors, sources, bylines and immutable revisions."""

import hashlib
import unicodedata
import zoneinfo
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from sources.textutils import validate_storable_text


def text_sha256(text):
    """Return the hex SHA-256 digest of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_name(name):
    """Return the comparison form of a person's name: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _slug_base(value, max_length):
    base = (slugify(value, allow_unicode=False) or "untitled")[: max_length - 8].strip("-")
    return base or "untitled"


def unique_slug(model, value, *, instance=None, max_length=200):
    """Return a slug for ``value`` unused by other rows of ``model`` (``-2``, ``-3`` … on clashes)."""
    base = _slug_base(value, max_length)
    candidate, n = base, 2
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    while others.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def unique_slugs(model, values, *, max_length=200):
    """Return a slug for each of ``values`` for new rows of ``model``, as ``unique_slug`` picks them one by one.

    Each is unused by the stored rows and by the slugs before it; a few queries for any number of values.
    """
    bases = [_slug_base(value, max_length) for value in values]
    unique = list(dict.fromkeys(bases))
    taken = set()
    for start in range(0, len(unique), 500):
        taken.update(model._default_manager.filter(slug__in=unique[start : start + 500]).values_list("slug", flat=True))
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    for base in (taken | repeated) & set(unique):  # numbered slugs are needed: learn which are taken
        taken.update(model._default_manager.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
    slugs = []
    for base in bases:
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        slugs.append(candidate)
    return slugs


class StorableTextMixin:
    """Makes ``full_clean()`` refuse text fields holding a NUL character or an unpaired surrogate.

    Neither can be stored: PostgreSQL refuses NUL, and UTF-8 cannot encode a surrogate. Form fields
    refuse NUL already, but importers call ``full_clean()`` on text that came through no form.
    """

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in errors or (exclude and field.name in exclude):
                continue
            try:
                validate_storable_text(getattr(self, field.attname))
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


def validate_time_zone(value):
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone name (such as Europe/Berlin).")


class Publisher(StorableTextMixin, models.Model):
    name = models.CharField(max_length=200, unique=True, help_text="The publication's name as printed.")
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    homepage = models.URLField(blank=True, max_length=500)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA zone used to read a printed time that names no zone (e.g. Europe/London).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Publisher, self.name, instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the publisher's public page."""
        return reverse("public:publisher_detail", args=[self.slug])

    def tzinfo(self):
        """Return the publisher's zone, or the site's default zone when none is set."""
        return zoneinfo.ZoneInfo(self.time_zone) if self.time_zone else timezone.get_default_timezone()


class Author(StorableTextMixin, models.Model):
    name = models.CharField(max_length=200, help_text="The author's name as first printed.")
    normalised_name = models.CharField(max_length=200, unique=True, editable=False)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.normalised_name = normalise_name(self.name)
        if not self.slug:
            self.slug = unique_slug(Author, self.name, instance=self)
        super().save(*args, **kwargs)


class CheckStatus(models.TextChoices):
    UNCHANGED = "unchanged", "unchanged"
    CHANGED = "changed", "new revision"
    GONE = "gone", "gone"
    FAILED = "failed", "failed"


WATCH_FIELDS = (
    "watch",
    "watch_interval",
    "last_checked_at",
    "check_status",
    "check_message",
    "gone_since",
    "check_etag",
    "check_last_modified",
)


class SourceQuerySet(models.QuerySet):
    def due_for_check(self, now=None):
        """Return the watched sources whose interval has passed since their last check (or never checked)."""
        due_at = models.ExpressionWrapper(
            models.F("last_checked_at") + models.F("watch_interval"), output_field=models.DateTimeField()
        )
        due = Q(last_checked_at__isnull=True) | Q(due_at__lte=now or timezone.now())
        return self.filter(watch=True).exclude(url="").alias(due_at=due_at).filter(due)


class Source(StorableTextMixin, models.Model):
    title = models.CharField(max_length=500, help_text="The headline as published.")
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    publisher = models.ForeignKey(
        Publisher,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="Who published the document.",
    )
    section = models.CharField(max_length=200, blank=True, help_text="Section or rubric as printed.")
    url = models.URLField(max_length=1000, blank=True, help_text="Address of the original page.")
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 language tag, e.g. en or de.")
    byline = models.CharField(max_length=500, blank=True, help_text="The byline exactly as printed.")
    authors = models.ManyToManyField(Author, through="Byline", related_name="sources", blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the publisher says it was first published."
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The publisher's own stated update time (not ours)."
    )
    tags = TaggableManager(blank=True, help_text="Comma-separated tags.")
    notes = models.TextField(blank=True, help_text="Internal notes; never shown publicly.")
    current_revision = models.ForeignKey(
        "Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    # Watching the original address for changes (``watch_sources``).
    watch = models.BooleanField(
        default=False, help_text="Check the original address for changes regularly; a change adds a revision."
    )
    watch_interval = models.DurationField(
        default=timedelta(days=1), help_text="How often a watched source is checked (e.g. “1 00:00:00” for daily)."
    )
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When it was last checked.")
    check_status = models.CharField(
        max_length=20, choices=CheckStatus.choices, blank=True, editable=False, help_text="What the last check found."
    )
    check_message = models.CharField(max_length=500, blank=True, editable=False)
    gone_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Since when the original address answers 404 or 410."
    )
    # The validators of the last response, for the next check's conditional request.
    check_etag = models.CharField(max_length=500, blank=True, editable=False)
    check_last_modified = models.CharField(max_length=100, blank=True, editable=False)

    # Every save keeps the metadata readers see, so the source's page can tell what changed and
    # when ("title changed on …"): sources are not moderated, and provenance text must not change
    # silently under a published claim. Internal notes, derived fields and watch state are not kept.
    history = HistoricalRecords(
        excluded_fields=["slug", "notes", "current_revision", "created_at", "modified_at", *WATCH_FIELDS]
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_unique_url"),
        ]
        indexes = [
            models.Index(fields=["publisher", "title"], name="source_publisher_title_idx"),
            models.Index(fields=["published_at"], name="source_published_at_idx"),
            models.Index(fields=["updated_at"], name="source_updated_at_idx"),
            models.Index(fields=["language"], name="source_language_idx"),
            models.Index(fields=["section"], name="source_section_idx"),
            models.Index(fields=["watch", "last_checked_at"], name="source_watch_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.title, instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the source's public page (the admin's "View on site" opens it too)."""
        return reverse("public:source_detail", args=[self.slug])

    def get_public_url(self):
        return self.get_absolute_url()

    def ordered_bylines(self):
        return self.bylines.select_related("author").order_by("position")


class Byline(StorableTextMixin, models.Model):
    """One author's place in a source's byline."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(help_text="1 for the first author named.")
    location = models.CharField(max_length=200, blank=True, help_text="Where the author filed from.")

    class Meta:
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="byline_unique_position"),
            models.UniqueConstraint(fields=["source", "author"], name="byline_unique_author"),
            models.CheckConstraint(condition=Q(position__gte=1), name="byline_position_positive"),
        ]

    def __str__(self):
        return f"{self.author} in {self.location}" if self.location else str(self.author)


class RevisionImmutableError(Exception):
    """Raised when code tries to change a stored revision."""


class RevisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        frozen = {"text", "sha256", "number", "source", "source_id", "original"} & set(kwargs)
        if frozen:
            raise RevisionImmutableError(f"Revisions are immutable: cannot update {', '.join(sorted(frozen))}.")
        return super().update(**kwargs)


class Revision(StorableTextMixin, models.Model):
    """An immutable captured version of a source's text. New text means a new revision."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1 for the first capture, then 2, 3 …")
    text = models.TextField(help_text="The normalised body text; citations index into it.")
    sha256 = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the text in UTF-8.")
    captured_at = models.DateTimeField(default=timezone.now, help_text="When this text was captured.")
    publisher_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The publisher's stated update time at capture."
    )
    title = models.CharField(max_length=500, blank=True, help_text="The headline at capture.")
    byline = models.CharField(max_length=500, blank=True, help_text="The byline at capture.")
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captured_revisions",
    )
    origin = models.CharField(max_length=1000, blank=True, help_text="File name or URL it came from.")
    format = models.CharField(max_length=20, blank=True, help_text="Importer that read the original.")
    encoding = models.CharField(max_length=40, blank=True, help_text="Encoding the original was read in.")
    encoding_confidence = models.FloatField(
        null=True,
        blank=True,
        help_text="How sure the reading in that encoding is, from 0 to 1 (1: UTF-8 or a byte-order mark).",
    )
    reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why this revision was captured, when not by a plain import (e.g. re-read in another encoding).",
    )
    original = models.BinaryField(blank=True, default=b"", help_text="The original file's bytes.")

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["source", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(condition=~Q(sha256=""), name="revision_sha256_present"),
        ]
        indexes = [
            models.Index(fields=["sha256"], name="revision_sha256_idx"),
            models.Index(fields=["captured_at"], name="revision_captured_at_idx"),
        ]

    def __str__(self):
        return f"{self.source} — revision {self.number}"

    def save(self, *args, **kwargs):
        digest = text_sha256(self.text)
        if not self._state.adding and self.pk:
            stored = Revision.objects.filter(pk=self.pk).values("text", "sha256", "number", "source_id").first()
            if stored and (
                stored["text"] != self.text or stored["number"] != self.number or stored["source_id"] != self.source_id
            ):
                raise RevisionImmutableError(
                    f"Revision {stored['number']} of source {stored['source_id']} is immutable; "
                    "import the changed text as a new revision instead."
                )
        self.sha256 = digest
        super().save(*args, **kwargs)

    @property
    def short_sha256(self):
        return self.sha256[:12]

    def verify_hash(self):
        """Return True when the stored SHA-256 matches the stored text."""
        return text_sha256(self.text) == self.sha256


def capture_path(capture, filename):
    """Return where a capture's WARC file is stored: ``captures/YYYY/MM/<name>``."""
    return f"captures/{capture.fetched_at:%Y/%m}/{filename}"


class Capture(models.Model):
    """How a revision was fetched from the web: the HTTP exchange, kept as a WARC file.

    Written once, with its revision, by ``sources.services.web``; a revision imported from a file
    has none.
    """

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="capture")
    requested_url = models.CharField(max_length=2000, help_text="The address the capture asked for.")
    final_url = models.CharField(max_length=2000, help_text="The address that answered, after redirects.")
    redirects = models.JSONField(
        default=list, blank=True, help_text="Each redirect followed: its address, status and Location, in order."
    )
    canonical_url = models.CharField(max_length=2000, blank=True, help_text="The canonical address the page declares.")
    status = models.PositiveSmallIntegerField(help_text="HTTP status of the final response.")
    content_type = models.CharField(max_length=200, blank=True, help_text="Content-Type as the server sent it.")
    etag = models.CharField(max_length=500, blank=True, help_text="The response's ETag header.")
    last_modified = models.CharField(max_length=100, blank=True, help_text="The response's Last-Modified header.")
    fetched_at = models.DateTimeField(help_text="When the response was received.")
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="The server's address.")
    warc = models.FileField(upload_to=capture_path, max_length=500, help_text="The exchange as a WARC file.")
    warc_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the WARC file as stored.")
    payload_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the response body (the WARC payload).")
    payload_size = models.PositiveBigIntegerField(help_text="Size of the response body in bytes.")

    class Meta:
        ordering = ["-fetched_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(warc_sha256=""), name="capture_warc_sha256_present"),
        ]
        indexes = [models.Index(fields=["fetched_at"], name="capture_fetched_at_idx")]

    def __str__(self):
        return f"{self.final_url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        """Return the public download of the WARC file."""
        revision = self.revision
        return reverse("sources:capture_warc", args=[revision.source.slug, revision.number])
