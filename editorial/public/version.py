"""The approved public version of a claim: what readers see, in one type.

A moderator's act (publish, correct, restore) builds a ``PublicVersion`` from the claim as stored
(``PublicVersion.of(claim)``) and keeps it as JSON on the claim (``Claim.public_snapshot``) and on
the moderation event. Everything public reads it back through ``PublicVersion.from_snapshot``: the
pages, the feed, the API, the exports and the JSON-LD format this type, so a new field of the
approved version is added here once. Comparing two versions (``differs_from``, ``changes_from``)
is written here too: whether an editor's edits await approval, and what a correction changed.

This module imports no models: the claim is read through its attributes and related managers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.text import slugify

from editorial import textfragments
from editorial.choices import verdict_label

STATEMENT_SLUG_LENGTH = 80


def statement_slug(statement: str) -> str:
    """Return the URL slug of a statement: its first words, at most 80 characters, cut at a hyphen.

    A first word longer than that is cut at 80 characters. An empty slug is "claim".
    """
    slug = slugify(statement)
    if len(slug) > STATEMENT_SLUG_LENGTH:
        # Cut after the last whole word; the character just past the limit counts, since a hyphen
        # there means the word before it ends at the limit.
        cut = slug[: STATEMENT_SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:STATEMENT_SLUG_LENGTH]
    return slug.strip("-") or "claim"


def citation_directive(citation, normalised_text=None) -> str:
    """Return the Text Fragment directive of a citation (its revision's text loaded): ``fragment``.

    ``normalised_text`` is ``textfragments.normalise`` of the revision's text, when the caller has it.
    """
    return textfragments.text_directive(
        citation.revision.text, citation.start, citation.end, normalised_text=normalised_text
    )


@dataclass(frozen=True)
class ApprovedSpeaker:
    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class ApprovedCitation:
    """One cited passage as approved: the revision it quotes (by id and number) and the words."""

    position: int
    source: int  # the source's id
    source_title: str
    revision: int  # the revision's id
    revision_number: int
    excerpt: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    # The Text Fragment directive to the passage in the original page (``textfragments.text_directive``,
    # "" for none), made from the revision's text when the version is approved, so that an export
    # links the passage without reading the text. None in versions approved by older releases.
    fragment: str | None = None


@dataclass(frozen=True)
class PublicVersion:
    statement: str
    slug: str
    speaker: ApprovedSpeaker | None
    claim_date: datetime.date | None
    tags: tuple[str, ...]
    verdict: str
    verdict_explanation: str
    citations: tuple[ApprovedCitation, ...]
    approved_at: datetime.datetime | None = None
    # The stored JSON as read, so that ``to_snapshot`` gives back exactly what was approved.
    _snapshot: dict | None = field(default=None, compare=False, repr=False)

    # Building and reading back ------------------------------------------------------------------

    @classmethod
    def of(cls, claim, *, approved_at: datetime.datetime | None = None, with_fragments=False) -> PublicVersion:
        """Return the claim as stored now (its fields, speaker, tags and citations) as a version.

        ``with_fragments`` (approval) reads the cited revisions' texts to make each citation's
        ``fragment``; a comparison with the approved version does not need them.
        """
        deferred = ["revision__original"] + ([] if with_fragments else ["revision__text"])
        citations = claim.citations.select_related("revision__source").defer(*deferred).order_by("position", "pk")
        speaker = claim.speaker if claim.speaker_id else None
        return cls.from_parts(
            claim,
            slug=statement_slug(claim.statement),
            speaker=speaker,
            tag_names=claim.tags.names(),
            citations=citations,
            approved_at=approved_at,
            directive=citation_directive if with_fragments else None,
        )

    @classmethod
    def from_parts(
        cls, claim, *, slug, speaker, tag_names, citations, approved_at=None, directive=None
    ) -> PublicVersion:
        """Return a version of ``claim``'s own fields with the ``speaker``, tags and ``citations`` given
        (citations with their revisions and sources loaded), for callers that have them in hand.

        ``directive(citation)`` returns a citation's ``fragment`` (``citation_directive``); without
        it the version has none.
        """
        return cls(
            statement=claim.statement,
            slug=slug,
            speaker=ApprovedSpeaker(speaker.pk, speaker.name, speaker.description) if speaker else None,
            claim_date=claim.claim_date,
            tags=tuple(sorted(tag_names, key=str.casefold)),
            verdict=claim.verdict,
            verdict_explanation=claim.verdict_explanation,
            citations=tuple(
                ApprovedCitation(
                    position=citation.position,
                    source=citation.revision.source_id,
                    source_title=citation.revision.source.title,
                    revision=citation.revision_id,
                    revision_number=citation.revision.number,
                    excerpt=citation.excerpt,
                    start=citation.start,
                    end=citation.end,
                    prefix=citation.prefix,
                    suffix=citation.suffix,
                    note=citation.note,
                    fragment=directive(citation) if directive is not None else None,
                )
                for citation in citations
            ),
            approved_at=approved_at,
        )

    @classmethod
    def from_snapshot(cls, data: dict | None) -> PublicVersion | None:
        """Return the version stored as ``data`` (``Claim.public_snapshot``), or None for no snapshot.

        Keys missing from versions approved by older releases read as empty.
        """
        if data is None:
            return None
        speaker = data.get("speaker")
        claim_date = data.get("claim_date")
        approved_at = data.get("approved_at")
        return cls(
            statement=data["statement"],
            slug=data.get("slug") or statement_slug(data["statement"]),
            speaker=(
                ApprovedSpeaker(speaker["id"], speaker.get("name", ""), speaker.get("description", ""))
                if speaker
                else None
            ),
            claim_date=datetime.date.fromisoformat(claim_date) if claim_date else None,
            tags=tuple(data.get("tags", [])),
            verdict=data.get("verdict", ""),
            verdict_explanation=data.get("verdict_explanation", ""),
            citations=tuple(
                ApprovedCitation(
                    position=cited["position"],
                    source=cited["source"],
                    source_title=cited.get("source_title", ""),
                    revision=cited["revision"],
                    revision_number=cited["revision_number"],
                    excerpt=cited["excerpt"],
                    start=cited["start"],
                    end=cited["end"],
                    prefix=cited.get("prefix", ""),
                    suffix=cited.get("suffix", ""),
                    note=cited.get("note", ""),
                    fragment=cited.get("fragment"),
                )
                for cited in data.get("citations", [])
            ),
            approved_at=datetime.datetime.fromisoformat(approved_at) if approved_at else None,
            _snapshot=data,
        )

    def to_snapshot(self) -> dict:
        """Return the version as JSON-ready data: what ``Claim.public_snapshot`` stores."""
        if self._snapshot is not None:
            return self._snapshot
        data = {
            "statement": self.statement,
            "slug": self.slug,
            "speaker": (
                {"id": self.speaker.id, "name": self.speaker.name, "description": self.speaker.description}
                if self.speaker
                else None
            ),
            "claim_date": self.claim_date.isoformat() if self.claim_date else None,
            "tags": list(self.tags),
            "verdict": self.verdict,
            "verdict_explanation": self.verdict_explanation,
            "citations": [
                {
                    "position": cited.position,
                    "source": cited.source,
                    "source_title": cited.source_title,
                    "revision": cited.revision,
                    "revision_number": cited.revision_number,
                    "excerpt": cited.excerpt,
                    "start": cited.start,
                    "end": cited.end,
                    "prefix": cited.prefix,
                    "suffix": cited.suffix,
                    "note": cited.note,
                }
                | ({"fragment": cited.fragment} if cited.fragment is not None else {})
                for cited in self.citations
            ],
        }
        if self.approved_at is not None:
            data["approved_at"] = self.approved_at.isoformat()
        return data

    # Reading ----------------------------------------------------------------------------------------

    @property
    def speaker_name(self) -> str:
        return self.speaker.name if self.speaker else ""

    @property
    def speaker_description(self) -> str:
        return self.speaker.description if self.speaker else ""

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict)

    @property
    def source_ids(self) -> list[int]:
        """The cited sources' ids, each once, in citation order."""
        return list(dict.fromkeys(cited.source for cited in self.citations))

    # Comparing --------------------------------------------------------------------------------------

    def _editable(self):
        """The parts an editor changes through the claim and its citations.

        Speaker details and source titles are left out: they belong to the speaker and the source,
        which are not moderated per claim.
        """
        return (
            self.statement,
            self.speaker.id if self.speaker else None,
            self.claim_date,
            tuple(sorted(self.tags, key=str.casefold)),
            self.verdict,
            self.verdict_explanation,
            tuple((c.position, c.revision, c.excerpt, c.start, c.end, c.note) for c in self.citations),
        )

    def differs_from(self, other: PublicVersion | None) -> bool:
        """Return True when an editor's changes separate this version from ``other``."""
        return other is None or self._editable() != other._editable()

    def changes_from(self, earlier: PublicVersion | None) -> list[tuple[str, str]]:
        """Return ``[(what, was)]``: how this version differs from ``earlier``, as a correction notice says."""
        if earlier is None:
            return []
        changes = []
        if earlier.statement != self.statement:
            changes.append(("Statement", earlier.statement))
        if earlier.speaker_name != self.speaker_name:
            changes.append(("Speaker", earlier.speaker_name or "none"))
        if earlier.claim_date != self.claim_date:
            changes.append(("Claim date", earlier.claim_date.isoformat() if earlier.claim_date else "none"))
        if sorted(earlier.tags) != sorted(self.tags):
            changes.append(("Tags", ", ".join(earlier.tags) or "none"))
        if earlier.verdict != self.verdict:
            changes.append(("Verdict", earlier.verdict_label or "none"))

        def cited(version):
            return [(c.revision, c.start, c.end) for c in version.citations]

        if cited(earlier) != cited(self):
            changes.append(("Citations", f"{len(earlier.citations)} before"))
        return changes
