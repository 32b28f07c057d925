"""The editorial vocabulary's fixed choices: kinds of speaker, verdicts, kinds of relation.

Kept apart from the models so that the approved public version, the exports and the workflow can
name them without importing the models (claim statuses live with the workflow, anchor states with
the anchoring algorithm).
"""

from django.db import models


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GOVERNMENT = "government", "Government or official body"
    OTHER = "other", "Other"


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported by the evidence"
    DISPUTED = "disputed", "Disputed"
    FALSE = "false", "False"
    MISLEADING = "misleading", "Misleading"
    UNVERIFIED = "unverified", "Unverified"


class RelationKind(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    UPDATES = "updates", "Updates"
    DUPLICATES = "duplicates", "Duplicates"


def verdict_label(verdict):
    """Return the verdict as readers read it ("Disputed"), or "" for no verdict or an unknown one."""
    return Verdict(verdict).label if verdict in Verdict.values else ""
