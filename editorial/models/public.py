"""The public read model: what readers see of each public claim, in indexed rows.

Written only by moderation acts (publish, correct, retract, restore and their bulk forms), in the
same transaction, from the approved ``PublicVersion`` (``editorial.public.readmodel``); never from
rows an editor can change. Public lists, filters and their choices, facets, tag and speaker pages
and sitemaps read these rows, so an editor's unapproved change to a published claim's tags,
speaker or citations shows nowhere until a moderator approves it.
"""

from django.db import models
from taggit.models import Tag


class PublicEntry(models.Model):
    """One publicly visible claim as approved: listed (published, corrected) or only reachable (retracted)."""

    claim = models.OneToOneField(
        "editorial.Claim", on_delete=models.CASCADE, primary_key=True, related_name="public_entry"
    )
    listed = models.BooleanField(help_text="Listed publicly (published or corrected); retracted claims are not.")
    statement = models.TextField()
    slug = models.SlugField(max_length=80, db_index=False)  # part of the address; entries are found by id
    # PROTECT: a speaker named by an approved version stays while that version is public.
    # db_index=False: publicentry_speaker_idx (speaker, listed) leads with it.
    speaker = models.ForeignKey(
        "editorial.Speaker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_entries",
        db_index=False,
    )
    speaker_name = models.CharField(max_length=200, blank=True)
    excerpts = models.TextField(blank=True, help_text="The approved citations' excerpts, “ … ” between them.")
    claim_date = models.DateField(null=True, blank=True)
    verdict = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField(help_text="First publication.")
    approved_at = models.DateTimeField(help_text="When the version shown was approved.")
    tags = models.ManyToManyField(Tag, through="PublicEntryTag", related_name="+")
    sources = models.ManyToManyField("sources.Source", through="PublicEntrySource", related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["listed", "-published_at", "-claim"], name="publicentry_list_idx"),
            models.Index(fields=["listed", "-claim_date", "-published_at"], name="publicentry_date_idx"),
            models.Index(fields=["speaker", "listed"], name="publicentry_speaker_idx"),
            models.Index(fields=["verdict"], name="publicentry_verdict_idx"),
        ]

    def __str__(self):
        return self.statement[:80]


class PublicChange(models.Model):
    """A change to what readers see, noted in the transaction that made it; the log is the record's version.

    Moderation acts note one when they write the read model; so do saves and deletions of what public
    pages show unmoderated (sources, their revisions and metadata, speakers, public claim sets,
    relations, tags). The newest id with the number of rows (``editorial.public.readmodel.version``)
    is the public record's version: public pages derive their ``ETag`` and ``Last-Modified`` from it
    and cached counts and facets are keyed by it, so the act that changes what readers see is the one
    that invalidates them. Rows are only ever added (old ones pruned), never updated, so concurrent
    transactions never wait on each other for it; and because the count is part of the version, a long
    transaction that commits after a later one still changes it.
    """

    id = models.BigAutoField(primary_key=True)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"public change {self.pk} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class PublicFacet(models.Model):
    """How many listed claims' approved versions carry a tag, name a speaker or cite a publisher's
    sources, within a scope: the whole list (``scope_kind`` total, ``scope_id`` 0), or the claims of
    one tag, speaker or publisher. ``total`` (item 0) counts the scope's claims. Kept by the read
    model's writer in the same transaction as the entries, so the unfiltered list and the list of one
    tag, speaker or publisher get their total and facets from one indexed read each at any size
    (``editorial.public.counters``).
    """

    class Kind(models.TextChoices):
        TOTAL = "total"
        TAG = "tag"
        SPEAKER = "speaker"
        PUBLISHER = "publisher"

    scope_kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TOTAL)
    scope_id = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    item_id = models.BigIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_kind", "scope_id", "kind", "item_id"], name="publicfacet_unique")
        ]
        indexes = [
            models.Index(fields=["scope_kind", "scope_id", "kind", "-count", "item_id"], name="publicfacet_top_idx")
        ]

    def __str__(self):
        return f"{self.scope_kind} {self.scope_id}: {self.kind} {self.item_id}: {self.count}"


class PublicEntryTag(models.Model):
    """A tag of a public claim's approved version."""

    entry = models.ForeignKey(PublicEntry, on_delete=models.CASCADE, related_name="tag_links")
    # db_index=False: the unique (tag, entry) index leads with the tag.
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "entry"], name="publicentrytag_unique")]

    def __str__(self):
        return f"{self.entry_id}: {self.tag_id}"


class PublicEntrySource(models.Model):
    """A source cited by a public claim's approved version."""

    entry = models.ForeignKey(PublicEntry, on_delete=models.CASCADE, related_name="source_links")
    # db_index=False: the unique (source, entry) index leads with the source.
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "entry"], name="publicentrysource_unique")]

    def __str__(self):
        return f"{self.entry_id}: {self.source_id}"
