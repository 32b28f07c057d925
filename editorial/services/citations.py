"""Citing a passage and keeping citations anchored as their sources change.

``cite`` locates what an editor quoted (leniently, ``anchoring.locate_excerpt``) and saves the
citation anchored against its source's newest revision; ``save_citation`` does the anchoring for a
citation built elsewhere (the admin's inline rows, an import). ``reanchor_citations`` runs when a
source gets a new revision (``sources.signals.revision_added``). The algorithms are in
``editorial.anchoring``; this module reads and writes the rows.
"""

from django.db import transaction
from django.utils import timezone

from editorial.anchoring import Anchor, AnchorState, context, find_anchor, locate_excerpt
from editorial.models import Citation
from sources.models import Revision

ANCHOR_FIELDS = (
    "anchor_state",
    "anchored_revision",
    "anchored_start",
    "anchored_end",
    "anchor_score",
    "anchor_checked_at",
)


def cite(*, claim, revision, excerpt, start=None, end=None, prefix="", suffix="", note="") -> Citation:
    """Locate ``excerpt`` in ``revision`` and save it as the claim's next citation; return it.

    The arguments are those of ``locate_excerpt``; it raises ``ExcerptError`` when the passage cannot
    be located unambiguously. The claim row is locked so concurrent citations get distinct positions.
    """
    match = locate_excerpt(revision.text, excerpt, start=start, end=end, prefix=prefix, suffix=suffix)
    with transaction.atomic():
        type(claim).objects.select_for_update().values_list("pk", flat=True).get(pk=claim.pk)
        citation = Citation(
            claim=claim, revision=revision, excerpt=match.excerpt, start=match.start, end=match.end, note=note
        )
        citation.full_clean(exclude=["position"])
        save_citation(citation)
    return citation


def save_citation(citation: Citation) -> Citation:
    """Save ``citation`` anchored against its source's newest revision; return it.

    ``Citation.save()`` checks the excerpt and derives its context and position; the anchor needs
    the source's newest text, so citations made by editors and imports are saved through here.
    """
    citation.check_excerpt()
    citation.prefix, citation.suffix = context(citation.revision.text, citation.start, citation.end)
    newest = citation.revision.source.current_revision
    if newest is None or newest.number <= citation.revision.number:
        newest = citation.revision  # the quoted revision is the newest (or current_revision lags behind it)
    anchor_citation(citation, newest)
    citation.save()
    return citation


def anchor_citation(citation: Citation, newest: Revision, *, checked_at=None) -> Anchor:
    """Set ``citation``'s anchor fields against ``newest``, its source's newest revision; do not save."""
    if citation.revision_id == newest.pk:
        anchor = Anchor(AnchorState.CURRENT, citation.start, citation.end, 100)
    else:
        anchor = find_anchor(
            newest.text, excerpt=citation.excerpt, start=citation.start, prefix=citation.prefix, suffix=citation.suffix
        )
    citation.anchor_state = anchor.state
    citation.anchored_revision = newest
    citation.anchored_start = anchor.start
    citation.anchored_end = anchor.end
    citation.anchor_score = anchor.score
    citation.anchor_checked_at = checked_at or timezone.now()
    return anchor


def reanchor_citations(revision: Revision) -> dict[str, int]:
    """Re-anchor every citation of ``revision``'s source against ``revision``; return counts by state.

    ``revision`` must be the source's newest revision (``sources.signals.revision_added`` sends it
    so). Citations keep pointing at the revision they quoted; only their anchor fields change, so
    re-anchoring adds no history rows and never touches what the public sees.
    """
    newest_number = (
        Revision.objects.filter(source_id=revision.source_id).order_by("-number").values_list("number", flat=True)
    ).first()
    if newest_number != revision.number:
        raise ValueError(
            f"Revision {revision.number} is not the newest of its source (revision {newest_number} is); "
            "citations are anchored against the newest revision."
        )
    checked_at = timezone.now()
    citations = list(Citation.objects.filter(revision__source_id=revision.source_id).order_by("pk"))
    counts = dict.fromkeys(AnchorState.values, 0)
    for citation in citations:
        counts[anchor_citation(citation, revision, checked_at=checked_at).state] += 1
    Citation.objects.bulk_update(citations, ANCHOR_FIELDS, batch_size=500)
    return counts
