"""What public pages show of claims: ``PublicClaim`` and ``PublicCitation``, formatters over the
approved ``PublicVersion`` (or, in a staff preview, the live claim as ``PublicVersion.of`` reads it).

``public_claims`` turns claims into them in bulk, with one query per kind of related row, so a page
costs the same number of queries whatever its length.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from taggit.models import Tag

from editorial import highlight, textfragments
from editorial.exports import records
from editorial.exports.records import ClaimRecord
from editorial.models import AnchorState, Citation, Claim, Speaker, SpeakerKind
from editorial.public.version import PublicVersion
from sources.models import Byline, Revision, Source


@dataclass
class TagLink:
    name: str
    slug: str = ""


@dataclass
class PublicCitation:
    """One citation of a claim's public (or previewed) version, with its revision and source."""

    position: int
    excerpt: str
    start: int
    end: int
    note: str
    revision_id: int
    revision_number: int
    source_id: int
    source_title: str
    prefix: str = ""
    suffix: str = ""
    revision: Revision | None = None
    source: Source | None = None
    live: Citation | None = None  # the stored citation quoting the same passage, for its anchor state
    metadata_changed: list = field(default_factory=list)  # source fields edited after the approval

    @property
    def anchor_state(self):
        newer = self.source is not None and self.source.current_revision_id not in (None, self.revision_id)
        if self.live is not None and (self.live.anchor_state != AnchorState.CURRENT or not newer):
            return self.live.anchor_state
        if newer:
            # Not re-anchored (yet): say whether the very words are still in the newest text.
            return AnchorState.EXACT if self._in_current_text() else AnchorState.ORPHANED
        return AnchorState.CURRENT

    def _in_current_text(self):
        current = getattr(self.source, "current_revision", None)
        return current is not None and self.excerpt in (current.text or "")

    @property
    def source_changed(self):
        return self.anchor_state in Citation.CHANGED_STATES

    @property
    def anchor_state_label(self):
        return AnchorState(self.anchor_state).label

    @property
    def current_revision_number(self):
        current = getattr(self.source, "current_revision", None) if self.source else None
        return current.number if current is not None else None

    @cached_property
    def highlighted(self):
        """The paragraph(s) of the revision holding the excerpt, escaped, the excerpt in ``<mark>``."""
        if self.revision is None or self.revision.text[self.start : self.end] != self.excerpt:
            return format_html('<p><mark class="excerpt">{}</mark></p>', self.excerpt)
        return highlight.highlight_in_paragraph(self.revision.text, self.start, self.end)

    @cached_property
    def fragment_url(self):
        if self.source is None or not self.source.url or self.revision is None:
            return ""
        return textfragments.fragment_url(self.source.url, self.revision.text, self.start, self.end)

    @property
    def revision_url(self):
        if self.source is None:
            return ""
        return reverse("public:revision_detail", args=[self.source.slug, self.revision_number])

    @property
    def source_url(self):
        return reverse("public:source_detail", args=[self.source.slug]) if self.source is not None else ""


@dataclass
class PublicClaim:
    """What a page shows of a claim: its approved ``PublicVersion``, or its live fields in a preview."""

    claim: Claim
    version: PublicVersion
    preview: bool = False
    speaker: Speaker | None = None
    tags: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    statement_html: str = ""  # search highlight of the statement, when searching
    excerpt_html: str = ""  # search highlight of the excerpts, when searching

    @property
    def statement(self):
        return self.version.statement

    @property
    def url(self):
        return self.claim.get_absolute_url()

    @property
    def speaker_name(self):
        return self.version.speaker_name

    @property
    def speaker_description(self):
        return self.version.speaker_description

    @property
    def speaker_url(self):
        return self.speaker.get_absolute_url() if self.speaker is not None and not self.preview else ""

    @property
    def claim_date(self):
        return self.version.claim_date

    @property
    def verdict(self):
        return self.version.verdict

    @property
    def verdict_label(self):
        return self.version.verdict_label

    @property
    def verdict_explanation(self):
        return self.version.verdict_explanation

    @property
    def approved_at(self):
        return self.version.approved_at

    @property
    def status(self):
        return self.claim.status

    @property
    def is_retracted(self):
        return self.claim.is_retracted()

    @property
    def source_titles(self):
        titles = []
        for citation in self.citations:
            if citation.source_title not in titles:
                titles.append(citation.source_title)
        return titles


def _citation_from_version(cited):
    return PublicCitation(
        position=cited.position,
        excerpt=cited.excerpt,
        start=cited.start,
        end=cited.end,
        note=cited.note,
        revision_id=cited.revision,
        revision_number=cited.revision_number,
        source_id=cited.source,
        source_title=cited.source_title,
        prefix=cited.prefix,
        suffix=cited.suffix,
    )


def public_claims(claims, *, preview=False, with_texts=False):
    """Return ``claims`` as ``PublicClaim`` objects, in order, loading related rows in bulk.

    ``preview`` renders live fields (staff only; the caller checks). ``with_texts`` loads the cited
    revisions' texts, sources with publishers and bylines, and the stored citations (for anchor
    states) — what a claim's own page needs; lists only need source titles and slugs.
    """
    claims = list(claims)
    public = []
    for claim in claims:
        version = PublicVersion.of(claim) if preview else claim.approved_version()
        if version is None:
            continue
        item = PublicClaim(claim=claim, version=version, preview=preview)
        item.citations = [_citation_from_version(cited) for cited in version.citations]
        public.append(item)

    speaker_ids = {item.version.speaker.id for item in public if item.version.speaker}
    speakers = Speaker.objects.in_bulk(speaker_ids) if speaker_ids else {}
    tag_names = {name for item in public for name in item.version.tags}
    tag_slugs = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "slug")) if tag_names else {}
    source_ids = {citation.source_id for item in public for citation in item.citations}
    if with_texts:
        revision_ids = {citation.revision_id for item in public for citation in item.citations}
        revisions = (
            Revision.objects.filter(pk__in=revision_ids)
            .select_related("source__publisher", "source__current_revision")
            .defer("original", "source__current_revision__original", "source__notes")
            .prefetch_related(
                Prefetch(
                    "source__bylines",
                    queryset=Byline.objects.select_related("author").order_by("position"),
                    to_attr="public_bylines",
                )
            )
            .in_bulk()
            if revision_ids
            else {}
        )
        sources = {revision.source_id: revision.source for revision in revisions.values()}
        live = {}
        if public:
            stored = Citation.objects.filter(claim__in=[item.claim.pk for item in public]).only(
                "claim_id", "revision_id", "start", "end", "anchor_state", "modified_at", "anchor_checked_at"
            )
            live = {(c.claim_id, c.revision_id, c.start, c.end): c for c in stored}
    else:
        revisions = {}
        sources = Source.objects.only("pk", "slug", "title").in_bulk(source_ids) if source_ids else {}
        live = {}

    for item in public:
        speaker = item.version.speaker
        item.speaker = speakers.get(speaker.id) if speaker else None
        item.tags = [TagLink(name, tag_slugs.get(name, "")) for name in item.version.tags]
        for citation in item.citations:
            citation.revision = revisions.get(citation.revision_id)
            citation.source = sources.get(citation.source_id)
            citation.live = live.get((item.claim.pk, citation.revision_id, citation.start, citation.end))
    return public


def entry_claims(entries):
    """Return the claims of read-model ``entries`` (a page of a list), in order, as ``PublicClaim``s.

    Two queries for the claims whatever the page's length, then ``public_claims``' own.
    """
    ids = [entry.claim_id for entry in entries]
    claims = Claim.objects.only("pk", "slug", "status", "created_at", "published_at", "public_snapshot").in_bulk(ids)
    return public_claims([claims[pk] for pk in ids if pk in claims])


def claim_record(item: PublicClaim, *, base_url: str) -> ClaimRecord:
    """Return a claim page's ``PublicClaim`` (loaded ``with_texts``) as the exports' ``ClaimRecord``.

    The page's JSON-LD is built by the exports' schema.org builder from this record, from what the
    page has loaded already: no query.
    """
    sources = {}
    citations = []
    for citation in item.citations:
        if citation.source is None or citation.revision is None:
            continue
        source = sources.get(citation.source.pk)
        if source is None:
            source = sources[citation.source.pk] = records.source_record(citation.source, base_url=base_url)
            source.authors = [(byline.author.name, byline.location) for byline in citation.source.public_bylines]
        revision = citation.revision
        citations.append(
            records.CitationRecord(
                position=citation.position,
                excerpt=citation.excerpt,
                start=citation.start,
                end=citation.end,
                prefix=citation.prefix,
                suffix=citation.suffix,
                note=citation.note,
                revision=records.RevisionRecord(
                    pk=revision.pk,
                    number=revision.number,
                    sha256=revision.sha256,
                    captured_at=revision.captured_at,
                    publisher_updated_at=revision.publisher_updated_at,
                    source=source,
                    url=records.revision_url(base_url, citation.source.slug, revision.number),
                    text=revision.text,
                ),
            )
        )
    claim = item.claim
    return records.ClaimRecord(
        pk=claim.pk,
        slug=item.version.slug,
        statement=item.statement,
        speaker_name=item.speaker_name,
        speaker_kind=item.speaker.kind if item.speaker else SpeakerKind.PERSON,
        speaker_description=item.speaker_description,
        claim_date=item.claim_date,
        status=claim.status,
        verdict=item.verdict,
        verdict_explanation=item.verdict_explanation,
        tags=list(item.version.tags),
        citations=citations,
        relations=[],
        created_at=claim.created_at,
        published_at=claim.published_at,
        modified_at=item.approved_at or claim.published_at,
        permalink=records.claim_url(base_url, claim.pk, item.version.slug),
    )


def can_preview(user):
    """Return True when ``user`` may preview claims that are not public (staff who can view claims)."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("editorial.view_claim"))
