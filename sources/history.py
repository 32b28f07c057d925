"""What changed in a source's public metadata, and when, read from the history every save keeps.

Sources are captured by editors and not moderated, so a reader must be able to tell when the
provenance shown beside a published claim (title, byline, publisher, the publisher's dates) was
edited after the claim was approved: the source's page lists each change, and a claim's page says
which of its sources changed after its approval.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format

from sources.models import Source

# The fields readers see, in the order they are shown, with their labels.
RECORDED_FIELDS = {
    "title": "Title",
    "publisher__name": "Publisher",
    "section": "Section",
    "byline": "Byline",
    "published_at": "Published",
    "updated_at": "Updated (as the publisher states)",
    "language": "Language",
    "url": "Original address",
}


@dataclass(frozen=True)
class MetadataChange:
    """One field of a source's public metadata changed by one save."""

    at: datetime.datetime
    label: str
    before: str
    after: str


def _shown(value):
    if value is None or value == "":
        return "none"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i T")
    return str(value)


def metadata_changes(source_ids) -> dict[int, list[MetadataChange]]:
    """Return ``{source id: [MetadataChange, …]}``, oldest first, for the sources in ``source_ids``.

    A change is a field whose value differs from the one saved before it; the first save of a
    source (its capture) is not a change. One query, whatever the number of sources.
    """
    changes = {source_id: [] for source_id in source_ids}
    if not changes:
        return changes
    rows = (
        Source.history.filter(id__in=changes)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", *RECORDED_FIELDS)
    )
    previous = None
    for row in rows:
        if previous is not None and previous["id"] == row["id"]:
            for field, label in RECORDED_FIELDS.items():
                if previous[field] != row[field]:
                    changes[row["id"]].append(
                        MetadataChange(
                            at=row["history_date"],
                            label=label,
                            before=_shown(previous[field]),
                            after=_shown(row[field]),
                        )
                    )
        previous = row
    return changes


def changed_fields_since(changes, moment):
    """Return the labels of the fields in ``changes`` changed after ``moment``, in display order."""
    labels = {change.label for change in changes if moment is None or change.at > moment}
    return [label for label in RECORDED_FIELDS.values() if label in labels]
