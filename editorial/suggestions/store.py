"""Suggested claims in the database: computing them for a revision, and making a draft claim of one.

``store_suggestions`` runs the attributor on a revision and replaces that revision's rows; the
task ``compute_suggestions`` does it in the background when a revision is captured
(``editorial.signals.suggest_on_revision_captured``). ``create_draft_claim`` turns a suggestion
into a draft claim: the passage as its statement, the speaker matched by name (case and
diacritics folded) or created, and the passage cited through ``editorial.services.citations.cite``.
"""

import unicodedata

from django.db import transaction
from django_tasks import task

from editorial.choices import SpeakerKind
from editorial.models import STATEMENT_MAX_LENGTH, Citation, Claim, Speaker, SuggestedClaim
from editorial.services.citations import cite
from editorial.suggestions.attribute import attribute
from sources.models import Revision

SPEAKER_KINDS = {"person": SpeakerKind.PERSON, "organisation": SpeakerKind.ORGANISATION, "other": SpeakerKind.OTHER}


def fold(name: str) -> str:
    """Return ``name`` as speaker names are matched: case, diacritics and spacing folded ("Zoë" → "zoe")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@transaction.atomic
def store_suggestions(revision: Revision) -> list[SuggestedClaim]:
    """Compute the suggested claims of ``revision``, replace its stored ones with them, and return them."""
    source = revision.source
    authors = [byline.author.name for byline in source.bylines.select_related("author")]
    found = attribute(revision.text, language=source.language, authors=authors)
    SuggestedClaim.objects.filter(revision=revision).delete()
    return SuggestedClaim.objects.bulk_create(
        SuggestedClaim(
            revision=revision,
            speaker=item.speaker[:200],
            speaker_description=item.speaker_description[:300],
            speaker_kind=SPEAKER_KINDS.get(item.speaker_kind, SpeakerKind.OTHER),
            excerpt=item.excerpt,
            start=item.start,
            end=item.end,
            kind=item.kind,
            confidence=round(item.confidence, 2),
        )
        for item in found
    )


def suggestions_for(revision: Revision) -> list[SuggestedClaim]:
    """Return ``revision``'s stored suggestions in text order, computing them first if none are stored.

    Revisions created in bulk (``create_sources``) send no signal; their suggestions are made here,
    on first use. A revision without any suggestion is read again each time, which costs little.
    """
    stored = list(SuggestedClaim.objects.filter(revision=revision).in_text_order())
    return stored or store_suggestions(revision)


@task
def compute_suggestions(revision_id: int) -> int:
    """Store the suggested claims of the revision ``revision_id``; return how many were found."""
    revision = Revision.objects.select_related("source").filter(pk=revision_id).first()
    if revision is None:  # deleted with its source before the task ran
        return 0
    return len(store_suggestions(revision))


def matching_speaker(name: str) -> Speaker | None:
    """Return the speaker whose name is ``name`` with case and diacritics folded, or None."""
    wanted = fold(name)
    candidates = Speaker.objects.filter(name__iexact=name).first()
    if candidates is not None:
        return candidates
    return next((speaker for speaker in Speaker.objects.only("pk", "name") if fold(speaker.name) == wanted), None)


def statement_of(suggestion: SuggestedClaim) -> str:
    """Return the passage as a draft statement: one line, its quotation marks left out, within the limit."""
    statement = " ".join(suggestion.excerpt.replace("\n", " ").split()).strip('“”"„« »')
    return statement[:STATEMENT_MAX_LENGTH]


@transaction.atomic
def create_draft_claim(*, suggestion: SuggestedClaim, user) -> Claim:
    """Make a draft claim of ``suggestion``: its statement, its speaker (matched or created), its citation.

    The citation is anchored at the suggestion's offsets in its revision; ``cite`` raises
    ``ExcerptError`` if the passage is not there (it always is: revisions are immutable).
    """
    speaker = matching_speaker(suggestion.speaker)
    if speaker is None:
        speaker = Speaker(
            name=suggestion.speaker,
            kind=suggestion.speaker_kind,
            description=suggestion.speaker_description,
        )
        speaker.full_clean()
        speaker.save()
    claim = Claim(statement=statement_of(suggestion), speaker=speaker, created_by=user)
    claim.full_clean(exclude=["tags"])
    claim.save()
    cite(
        claim=claim,
        revision=suggestion.revision,
        excerpt=suggestion.excerpt,
        start=suggestion.start,
        end=suggestion.end,
    )
    return claim


def cited_suggestion_ids(suggestions: list[SuggestedClaim]) -> set[int]:
    """Return the ids of the ``suggestions`` a citation of their revision already overlaps."""
    revision_ids = {suggestion.revision_id for suggestion in suggestions}
    citations = list(Citation.objects.filter(revision_id__in=revision_ids).only("revision_id", "start", "end"))
    return {suggestion.pk for suggestion in suggestions if suggestion.is_cited_by(citations)}
