"""``manage.py load_demo_claims [FILE]``: create the demo claims through the real workflow.

The file (``demo/claims.json`` by default) lists speakers and claims; each claim's citations name a
source by ``source_url`` or ``source_title`` and quote an ``excerpt`` (of the current revision, or
of revision ``revision``). Claims are cited with ``editorial.services.citations.cite`` and moved to their
``status`` with the workflow's transition methods, as the user "demo-moderator", so the moderation
log is real. Claims already present (matched by statement) are left alone; everything is written in
one transaction, so a claim that cannot be loaded leaves nothing behind.
"""

import json
from collections import Counter
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from editorial.anchoring import ExcerptError
from editorial.models import Claim, ClaimRelation, ClaimStatus, RelationKind, Speaker, SpeakerKind, TransitionError
from editorial.services.citations import cite
from sources.models import Source

DEFAULT_PATH = settings.BASE_DIR / "demo" / "claims.json"
USERNAME = "demo-moderator"

# The transitions that take a new draft to each status.
PATHS = {
    ClaimStatus.DRAFT: [],
    ClaimStatus.IN_REVIEW: ["submit"],
    ClaimStatus.PUBLISHED: ["submit", "publish"],
    ClaimStatus.REJECTED: ["submit", "reject"],
    ClaimStatus.CORRECTED: ["submit", "publish", "correct"],
    ClaimStatus.RETRACTED: ["submit", "publish", "retract"],
}
DEFAULT_NOTES = {
    "reject": "Rejected in the demo data.",
    "correct": "Corrected in the demo data.",
    "retract": "Retracted in the demo data.",
}


class Command(BaseCommand):
    help = (
        "Create the demo claims (demo/claims.json) citing the demo sources, through the moderation "
        "workflow as the user 'demo-moderator'. Import the sources first: "
        "python manage.py import_sources demo/sources/. "
        "Claims already present (same statement) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="The claims file (JSON).")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except OSError as error:
            raise CommandError(f"{path}: cannot read the claims file: {error.strerror or error}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{path}: not valid JSON: {error}") from error
        with transaction.atomic():
            counts = DemoLoader(data).load()
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['created']} claim{'s' if counts['created'] != 1 else ''} created, "
                f"{counts['present']} already present; {counts['speakers']} speaker(s) and "
                f"{counts['relations']} relation(s) added."
            )
        )


class DemoLoader:
    """Create the speakers, claims and relations of a demo claims document."""

    def __init__(self, data):
        self.data = data
        self.counts = Counter(created=0, present=0, speakers=0, relations=0)

    def load(self):
        self.user = demo_moderator()
        self.speakers = {entry["name"]: self.speaker(entry) for entry in self.data.get("speakers", [])}
        entries = self.data.get("claims", [])
        claims = [self.claim(number, entry) for number, entry in enumerate(entries, start=1)]
        for number, (entry, claim) in enumerate(zip(entries, claims, strict=True), start=1):
            for relation in entry.get("relations", []):
                self.relate(number, claim, claims, relation)
        return self.counts

    def speaker(self, entry):
        kind = entry.get("kind", SpeakerKind.PERSON)
        if kind not in SpeakerKind.values:
            raise CommandError(
                f"Speaker “{entry['name']}”: unknown kind “{kind}” (one of {', '.join(SpeakerKind.values)})."
            )
        speaker, created = Speaker.objects.get_or_create(
            name=entry["name"], defaults={"kind": kind, "description": entry.get("description", "")}
        )
        self.counts["speakers"] += created
        return speaker

    def claim(self, number, entry):
        statement = entry["statement"]
        label = f"Claim {number} “{statement}”"
        existing = Claim.objects.filter(statement=statement).order_by("pk").first()
        if existing is not None:
            self.counts["present"] += 1
            return existing
        status = entry.get("status", ClaimStatus.DRAFT)
        if status not in PATHS:
            raise CommandError(f"{label}: unknown status “{status}” (one of {', '.join(PATHS)}).")
        claim = Claim(
            statement=statement,
            speaker=self.find_speaker(label, entry.get("speaker")),
            claim_date=parse_date(label, entry.get("claim_date")),
            verdict=entry.get("verdict", ""),
            verdict_explanation=entry.get("verdict_explanation", ""),
            created_by=self.user,
        )
        claim._history_user = self.user
        claim.full_clean()
        claim.save()
        claim.tags.add(*entry.get("tags", []))
        for citation in entry.get("citations", []):
            self.cite(label, claim, citation)
        notes = entry.get("notes", {})
        for name in PATHS[status]:
            if name == "correct":
                correction = entry.get("correction", {})
                self.apply_correction(label, claim, correction)
                note = correction.get("note") or DEFAULT_NOTES["correct"]
            else:
                note = notes.get(name, DEFAULT_NOTES.get(name, ""))
            try:
                getattr(claim, name)(self.user, note)
            except TransitionError as error:
                raise CommandError(f"{label}: cannot {name.replace('_', ' ')}: {error}") from error
        self.counts["created"] += 1
        return claim

    def find_speaker(self, label, name):
        if not name:
            return None
        speaker = self.speakers.get(name) or Speaker.objects.filter(name=name).first()
        if speaker is None:
            raise CommandError(f"{label}: the speaker “{name}” is not in the file's speakers list.")
        return speaker

    def cite(self, label, claim, entry):
        excerpt = entry.get("excerpt", "")
        revision = find_revision(label, entry)
        try:
            cite(claim=claim, revision=revision, excerpt=excerpt, note=entry.get("note", ""))
        except ExcerptError as error:
            raise CommandError(
                f"{label}: the excerpt “{excerpt}” cannot be cited from “{revision.source.title}”, "
                f"revision {revision.number}: {error}"
            ) from error

    def apply_correction(self, label, claim, correction):
        """Edit the published claim as the correction says (fields and extra citations) before ``correct``."""
        fields = {name: correction[name] for name in ("verdict", "verdict_explanation") if name in correction}
        if "claim_date" in correction:
            fields["claim_date"] = parse_date(label, correction["claim_date"])
        if fields:
            for name, value in fields.items():
                setattr(claim, name, value)
            claim._history_user = self.user
            claim.save(update_fields=[*fields, "modified_at"])
        for citation in correction.get("citations", []):
            self.cite(label, claim, citation)

    def relate(self, number, claim, claims, relation):
        label = f"Claim {number} “{claim.statement}”"
        kind, target = relation.get("kind"), relation.get("to")
        if kind not in RelationKind.values:
            raise CommandError(f"{label}: unknown relation kind “{kind}” (one of {', '.join(RelationKind.values)}).")
        if isinstance(target, int) and not isinstance(target, bool):
            if not 0 <= target < len(claims):
                raise CommandError(f"{label}: a relation points at claim index {target}, which does not exist.")
            other = claims[target]
        else:
            other = Claim.objects.filter(statement=target).order_by("pk").first()
            if other is None:
                raise CommandError(f"{label}: a relation points at “{target}”, which is no claim's statement.")
        if other.pk == claim.pk:
            raise CommandError(f"{label}: a claim cannot be related to itself.")
        _, created = ClaimRelation.objects.get_or_create(
            from_claim=claim, to_claim=other, kind=kind, defaults={"note": relation.get("note", "")}
        )
        self.counts["relations"] += created


def demo_moderator():
    """Return the "demo-moderator" user (created if absent: a Moderator who cannot log in)."""
    try:
        moderators = Group.objects.get(name="Moderators")
    except Group.DoesNotExist:
        raise CommandError("The Moderators group does not exist; run python manage.py migrate first.") from None
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: USERNAME}).first()
    if user is None:
        user = user_model._default_manager.create_user(**{user_model.USERNAME_FIELD: USERNAME}, password=None)
    user.groups.add(moderators)
    return user


def find_revision(label, entry):
    """Return the revision a citation entry quotes: ``revision`` (a number) or the source's current one."""
    if entry.get("source_url"):
        sources = Source.objects.filter(url=entry["source_url"])
        named = f"the address {entry['source_url']}"
    elif entry.get("source_title"):
        sources = Source.objects.filter(title=entry["source_title"])
        named = f"the title “{entry['source_title']}”"
    else:
        raise CommandError(f"{label}: a citation names no source_url or source_title.")
    found = list(sources.order_by("pk")[:2])
    if not found:
        raise CommandError(
            f"{label}: no source has {named}; import the demo sources first "
            "(python manage.py import_sources demo/sources/)."
        )
    if len(found) > 1:
        raise CommandError(f"{label}: several sources have {named}; name the source by its source_url.")
    source = found[0]
    number = entry.get("revision")
    revisions = source.revisions.defer("original")
    revision = revisions.filter(number=number).first() if number else source.current_revision
    if revision is None:
        which = f"revision {number}" if number else "any revision"
        raise CommandError(f"{label}: “{source.title}” has no {which}.")
    return revision


def parse_date(label, value):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise CommandError(f"{label}: claim_date “{value}” is not a date (YYYY-MM-DD).") from error
