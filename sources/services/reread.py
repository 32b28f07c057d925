"""Reading a revision's original bytes again in another encoding, as an editor chooses.

Detection can pick the wrong encoding for a short file; the editor, who can read the text, names
the right one. The original bytes are read again by the same importer in that encoding and the
result is captured as a new revision, with the editor's reason: revisions are never changed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from sources.importers import get_importer
from sources.importers.base import ImportProblem
from sources.models import Revision, Source
from sources.services.capture import capture_revision, set_bylines
from sources.textutils import unstorable_character


@transaction.atomic
def reread_revision(*, revision: Revision, encoding: str, reason: str, user) -> Revision:
    """Capture revision ``revision``'s original read in ``encoding`` as the source's new revision; return it.

    The source's headline, byline and authors follow the new reading where they were still those
    of the re-read revision (an editor's later correction is kept). Raises ``ImportProblem`` — and
    writes nothing — when no original is stored, no reason is given, the encoding is unknown or
    cannot read the bytes, or the reading gives the text the source already has.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ImportProblem("give the reason for reading the original again")
    stored = Revision.objects.select_related("source").get(pk=revision.pk)
    original = bytes(stored.original or b"")
    if not original or not stored.format:
        raise ImportProblem(f"revision {stored.number} has no original file stored to read again")
    document = get_importer(stored.format).parse(original, stored.origin or "", encoding=encoding)
    for name in ("title", "text", "byline"):
        if problem := unstorable_character(getattr(document, name)):
            raise ImportProblem(problem, field=name)
    source = Source.objects.select_for_update().get(pk=stored.source_id)
    current = source.current_revision or source.revisions.order_by("-number").first()
    if current is not None and current.text == document.text and current.title == document.title:
        raise ImportProblem(
            f"read as {document.encoding}, the original gives the text and headline revision {current.number} "
            "already has; nothing was changed"
        )
    if source.title == stored.title and document.title:
        source.title = document.title
    if source.byline == stored.byline and document.byline:
        source.byline = document.byline
        if document.authors:
            set_bylines(source, [(author.name, author.location) for author in document.authors])
    try:
        source.full_clean(exclude=["current_revision", "slug"])
    except ValidationError as error:
        raise ImportProblem(f"the new reading is not a valid source: {'; '.join(error.messages)}") from None
    source.save()
    return capture_revision(
        source=source,
        text=document.text,
        title=document.title,
        byline=document.byline,
        user=user,
        origin=stored.origin,
        format=stored.format,
        encoding=document.encoding,
        encoding_confidence=document.encoding_confidence,
        original=original,
        publisher_updated_at=stored.publisher_updated_at,
        reason=f"Revision {stored.number} read again as {document.encoding}: {reason}",
    )
