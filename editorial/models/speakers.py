"""Speakers: who made a claim, a person or an organisation — not the journalist who reported it."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from editorial.choices import SpeakerKind
from sources.models import StorableTextMixin, unique_slug


class Speaker(StorableTextMixin, models.Model):
    """Who made a claim — a person or an organisation — not the journalist who reported it."""

    Kind = SpeakerKind

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="As readers know them: “Alexander Lukashenko”, “Russia's finance ministry”.",
    )
    slug = models.SlugField(max_length=200, unique=True, blank=True, help_text="Filled in from the name when empty.")
    kind = models.CharField(max_length=20, choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    description = models.CharField(
        max_length=300, blank=True, help_text="Who they are, shown with their claims: “President of Belarus”."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Speaker, self.name, instance=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the public page of the speaker's published claims."""
        return reverse("public:speaker_detail", args=[self.slug])
