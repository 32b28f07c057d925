"""What the API shows: claims as their approved public versions, sources with their revisions, sets.

A claim is never rendered from its live fields. ``public_claim_documents`` turns claims into plain
dicts built from ``claim.approved_version()`` (statement, speaker, claim date, tags, verdict and
citations as a moderator approved them), adding what the approved version only points at — the
cited revisions' hashes and capture times, the sources' titles and addresses, the speakers' slugs,
and the relations to other published claims — in one query per kind of row, whatever the number of
claims. The serializers below declare the shape of those dicts (and so the OpenAPI schema).
"""

from django.db.models import Count, Exists, Manager, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editorial.models import (
    Claim,
    ClaimRelation,
    ClaimSet,
    ClaimSetMembership,
    PublicEntry,
    RelationKind,
    Speaker,
    Verdict,
)
from editorial.workflow import LISTED_STATUSES
from sources.models import Byline, Publisher, Revision, Source


def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path


def public_claim_documents(claims, request, *, with_relations=True):
    """Return the approved public versions of ``claims`` as dicts, in order, in a fixed number of queries.

    Claims without a public version (not publicly visible) are left out. Relations are those to and
    from other *published* claims.
    """
    versions = {claim.pk: claim.approved_version() for claim in claims}
    claims = [claim for claim in claims if versions[claim.pk] is not None]
    revision_ids = {cited.revision for claim in claims for cited in versions[claim.pk].citations}
    revisions = (
        Revision.objects.filter(pk__in=revision_ids)
        .select_related("source")
        .only("pk", "number", "sha256", "captured_at", "source__id", "source__title", "source__url")
        .in_bulk()
        if revision_ids
        else {}
    )
    speaker_ids = {versions[claim.pk].speaker.id for claim in claims if versions[claim.pk].speaker}
    speaker_slugs = dict(Speaker.objects.filter(pk__in=speaker_ids).values_list("pk", "slug")) if speaker_ids else {}
    relations = {claim.pk: [] for claim in claims}
    if with_relations and claims:
        ids = list(relations)
        # Only relations whose both ends are listed, each end probed by primary key (an IN over every
        # listed claim would read them all).
        listed = PublicEntry.objects.filter(listed=True)
        rows = (
            ClaimRelation.objects.filter(Q(from_claim__in=ids) | Q(to_claim__in=ids))
            .filter(Exists(listed.filter(claim_id=OuterRef("from_claim"))))
            .filter(Exists(listed.filter(claim_id=OuterRef("to_claim"))))
            .order_by("kind", "pk")
        )
        for relation in rows:
            if relation.from_claim_id in relations:
                relations[relation.from_claim_id].append((relation, "outgoing", relation.to_claim_id))
            if relation.to_claim_id in relations:
                relations[relation.to_claim_id].append((relation, "incoming", relation.from_claim_id))

    documents = []
    for claim in claims:
        version = versions[claim.pk]
        speaker = version.speaker
        citations = []
        for cited in version.citations:
            revision = revisions.get(cited.revision)
            source = revision.source if revision is not None else None
            citations.append(
                {
                    "position": cited.position,
                    "excerpt": cited.excerpt,
                    "start": cited.start,
                    "end": cited.end,
                    "prefix": cited.prefix,
                    "suffix": cited.suffix,
                    "note": cited.note,
                    "revision": {
                        "number": cited.revision_number,
                        "sha256": revision.sha256 if revision else "",
                        "captured_at": revision.captured_at if revision else None,
                    },
                    "source": {
                        "id": cited.source,
                        # The source's own title and address: sources are not moderated per claim.
                        "title": source.title if source else cited.source_title,
                        "url": source.url if source else "",
                        "api_url": _absolute(request, reverse("api:source-detail", args=[cited.source])),
                    },
                }
            )
        documents.append(
            {
                "id": claim.pk,
                "api_url": _absolute(request, reverse("api:claim-detail", args=[claim.pk])),
                "permalink": _absolute(request, claim.get_absolute_url()),
                "statement": version.statement,
                "speaker": (
                    {
                        "id": speaker.id,
                        "name": speaker.name,
                        "slug": speaker_slugs.get(speaker.id, ""),
                        "description": speaker.description,
                    }
                    if speaker
                    else None
                ),
                "claim_date": version.claim_date,
                "status": claim.status,
                "verdict": version.verdict,
                "verdict_explanation": version.verdict_explanation,
                "tags": list(version.tags),
                "published_at": claim.published_at,
                "approved_at": version.approved_at,
                "citations": citations,
                "relations": [
                    {
                        "kind": relation.kind,
                        "direction": direction,
                        "claim": other,
                        "api_url": _absolute(request, reverse("api:claim-detail", args=[other])),
                        "note": relation.note,
                    }
                    for relation, direction, other in relations[claim.pk]
                ],
            }
        )
    return documents


# Claims ------------------------------------------------------------------------------------------


class CitedRevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The revision's number within its source (1 for the first capture).")
    sha256 = serializers.CharField(help_text="SHA-256 (hex) of the revision text in UTF-8.")
    captured_at = serializers.DateTimeField(allow_null=True, help_text="When this text was captured.")


class CitedSourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="The headline as published.")
    url = serializers.CharField(help_text="Address of the original page; empty when unknown.")
    api_url = serializers.URLField(help_text="The source in this API.")


class CitationSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Order among the claim's citations.")
    excerpt = serializers.CharField(help_text="The passage exactly as printed in the revision.")
    start = serializers.IntegerField(help_text="Offset of the first character in the revision text (code points).")
    end = serializers.IntegerField(help_text="Offset just after the last character (code points).")
    prefix = serializers.CharField(allow_blank=True, help_text="Up to 32 characters just before the excerpt.")
    suffix = serializers.CharField(allow_blank=True, help_text="Up to 32 characters just after the excerpt.")
    note = serializers.CharField(allow_blank=True, help_text="What the passage shows, if it needs saying.")
    revision = CitedRevisionSerializer()
    source = CitedSourceSerializer()


class ClaimSpeakerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField(allow_blank=True, help_text="For the ``speaker`` filter of the claim list.")
    description = serializers.CharField(allow_blank=True)


class ClaimRelationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    direction = serializers.ChoiceField(
        choices=[("outgoing", "This claim relates to the other"), ("incoming", "The other claim relates to this")],
        help_text="outgoing: this claim <kind> the other one; incoming: the other claim <kind> this one.",
    )
    claim = serializers.IntegerField(help_text="The other claim's id (a published claim).")
    api_url = serializers.URLField()
    note = serializers.CharField(allow_blank=True)


class ClaimListSerializer(serializers.ListSerializer):
    """Renders a page of claims with ``public_claim_documents``: one query per kind of related row."""

    def to_representation(self, data):
        claims = list(data.all() if isinstance(data, Manager) else data)
        if claims and isinstance(claims[0], PublicEntry):  # a page of the list, read from the read model
            found = Claim.objects.only("pk", "slug", "status", "published_at", "public_snapshot").in_bulk(
                [entry.claim_id for entry in claims]
            )
            claims = [found[entry.claim_id] for entry in claims if entry.claim_id in found]
        documents = public_claim_documents(list(claims), self.context.get("request"))
        return [self.child.to_representation(document) for document in documents]


class ClaimSerializer(serializers.Serializer):
    """A published claim as its approved public version."""

    id = serializers.IntegerField()
    api_url = serializers.URLField(help_text="This claim in the API.")
    permalink = serializers.URLField(help_text="The claim's public page.")
    statement = serializers.CharField()
    speaker = ClaimSpeakerSerializer(allow_null=True)
    claim_date = serializers.DateField(allow_null=True, help_text="When the speaker made the claim.")
    status = serializers.ChoiceField(choices=[(status.value, status.label) for status in LISTED_STATUSES])
    verdict = serializers.ChoiceField(choices=Verdict.choices, allow_blank=True)
    verdict_explanation = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(), help_text="Tag names.")
    published_at = serializers.DateTimeField(help_text="First publication; kept when the claim is corrected.")
    approved_at = serializers.DateTimeField(allow_null=True, help_text="When this public version was approved.")
    citations = CitationSerializer(many=True)
    relations = ClaimRelationSerializer(many=True, help_text="Relations to and from other published claims.")

    class Meta:
        list_serializer_class = ClaimListSerializer

    def to_representation(self, instance):
        if isinstance(instance, Claim):
            (instance,) = public_claim_documents([instance], self.context.get("request"))
        return super().to_representation(instance)


# Sources -----------------------------------------------------------------------------------------


def public_sources(queryset, *, with_texts=False):
    """Return ``queryset`` (of sources) with what the source serializers show, in a fixed number of queries.

    ``with_texts`` loads the revisions' texts (for a source's own page, not for lists).
    """
    revisions = Revision.objects.defer("original") if with_texts else Revision.objects.defer("text", "original")
    return (
        queryset.defer("notes")
        .select_related("publisher", "current_revision")
        .defer("current_revision__text", "current_revision__original")
        .prefetch_related(
            Prefetch(
                "bylines", queryset=Byline.objects.select_related("author").order_by("position"), to_attr="api_bylines"
            ),
            Prefetch(
                "revisions",
                queryset=revisions.order_by("number"),
                to_attr="api_revisions",
            ),
        )
    )


class PublisherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publisher
        fields = ["name", "slug", "homepage"]


class BylineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="author.name")
    slug = serializers.CharField(source="author.slug", help_text="For the ``author`` filters.")

    class Meta:
        model = Byline
        fields = ["name", "slug", "location"]


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Revision
        fields = ["number", "sha256", "captured_at", "publisher_updated_at"]


class RevisionWithTextSerializer(RevisionSerializer):
    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "text"]


class SourceSerializer(serializers.ModelSerializer):
    """A source as published, with its captured revisions (without their texts)."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", help_text="This source in the API.")
    permalink = serializers.SerializerMethodField(help_text="The source's public page.")
    publisher = PublisherSerializer(allow_null=True)
    authors = BylineSerializer(many=True, source="api_bylines", help_text="In byline order.")
    current_revision = serializers.IntegerField(
        source="current_revision.number", allow_null=True, help_text="Number of the newest revision."
    )
    revisions = RevisionSerializer(many=True, source="api_revisions")

    class Meta:
        model = Source
        fields = [
            "id",
            "api_url",
            "permalink",
            "title",
            "slug",
            "publisher",
            "section",
            "url",
            "language",
            "byline",
            "authors",
            "published_at",
            "updated_at",
            "current_revision",
            "revisions",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_permalink(self, source):
        return _absolute(self.context.get("request"), source.get_public_url())


class SourceClaimSerializer(serializers.Serializer):
    """A published claim citing the source, with the citations of this source in its approved version."""

    id = serializers.IntegerField()
    api_url = serializers.URLField()
    permalink = serializers.URLField()
    statement = serializers.CharField()
    speaker = ClaimSpeakerSerializer(allow_null=True)
    citations = CitationSerializer(many=True, help_text="Only the citations of this source.")


class SourceDetailSerializer(SourceSerializer):
    """A source with the texts of its revisions and the published claims citing it."""

    revisions = RevisionWithTextSerializer(many=True, source="api_revisions")
    claims = serializers.SerializerMethodField(help_text="Published claims whose approved version cites this source.")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "claims"]

    @extend_schema_field(SourceClaimSerializer(many=True))
    def get_claims(self, source):
        citing = Claim.objects.published().citing_source(source.pk)
        documents = public_claim_documents(citing, self.context.get("request"), with_relations=False)
        for document in documents:
            document["citations"] = [c for c in document["citations"] if c["source"]["id"] == source.pk]
        return SourceClaimSerializer(documents, many=True, context=self.context).data


# Claim sets --------------------------------------------------------------------------------------


def public_claim_sets(queryset):
    """Return ``queryset`` (of claim sets) annotated with ``published_count``: how many published members."""
    published_members = (
        ClaimSetMembership.objects.filter(claim_set=OuterRef("pk"), claim__in=Claim.objects.published().values("pk"))
        .order_by()
        .values("claim_set")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(published_count=Coalesce(Subquery(published_members), 0))


class ClaimSetSerializer(serializers.ModelSerializer):
    """A public claim set; ``claim_count`` counts its published members only."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:claimset-detail", lookup_field="slug", help_text="This set in the API."
    )
    claim_count = serializers.IntegerField(source="published_count", help_text="How many published claims it holds.")

    class Meta:
        model = ClaimSet
        fields = ["slug", "api_url", "title", "description", "claim_count", "created_at", "modified_at"]


class ClaimSetMemberSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Place among the set's published claims: 1 comes first.")
    note = serializers.CharField(allow_blank=True, help_text="Why the claim is in the set, if it needs saying.")
    claim = ClaimSerializer()


class ClaimSetDetailSerializer(ClaimSetSerializer):
    """A public claim set with its published members, in the set's order."""

    claims = serializers.SerializerMethodField(help_text="The set's published claims, in order.")

    class Meta(ClaimSetSerializer.Meta):
        fields = [*ClaimSetSerializer.Meta.fields, "claims"]

    @extend_schema_field(ClaimSetMemberSerializer(many=True))
    def get_claims(self, claim_set):
        claims = claim_set.published_claims().only("pk", "slug", "status", "published_at", "public_snapshot")
        documents = public_claim_documents(claims, self.context.get("request"))
        notes = dict(claim_set.memberships.values_list("claim_id", "note"))
        # Numbered among the published members, so the numbering does not hint at unpublished ones.
        members = [
            {"position": position, "note": notes.get(document["id"], ""), "claim": document}
            for position, document in enumerate(documents, start=1)
        ]
        return ClaimSetMemberSerializer(members, many=True, context=self.context).data
