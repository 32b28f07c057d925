"""Small factories for tests: plain functions that build valid rows with sensible defaults."""

import itertools

from sources.models import Author, Byline, Publisher, Source

_counter = itertools.count(1)


def make_publisher(name=None, **fields):
    return Publisher.objects.create(name=name or f"Publisher {next(_counter)}", **fields)


def make_author(name=None):
    return Author.objects.create(name=name or f"Author {next(_counter)}")


def make_source(title=None, text="A first paragraph.\n\nA second paragraph.", *, authors=(), **fields):
    """Create a source with one revision holding ``text`` and make it current."""
    source = Source.objects.create(title=title or f"Source {next(_counter)}", **fields)
    for position, (name, location) in enumerate(authors, start=1):
        author = Author.objects.filter(normalised_name=" ".join(name.casefold().split())).first()
        Byline.objects.create(source=source, author=author or make_author(name), position=position, location=location)
    add_revision(source, text)
    return source


def add_revision(source, text, *, announce=False, **fields):
    """Add the next revision holding ``text`` through the capture service and make it current.

    Unlike an import, it does not send ``revision_added`` (so nothing is re-anchored) unless
    ``announce``. ``fields`` override the provenance: ``origin``, ``original``, ``publisher_updated_at`` …
    """
    from sources.services import capture_revision

    provenance = {"title": source.title, "byline": "", "user": None, "origin": "", "format": "", "encoding": ""}
    provenance["original"] = b""
    return capture_revision(source=source, text=text, announce=announce, **(provenance | fields))


# Editorial ---------------------------------------------------------------------------------------


def make_user(username=None, *groups, **fields):
    """Create a staff user in the named groups ("Editors", "Moderators") the migrations created."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username=username or f"user{next(_counter)}", password="pw-test-123", is_staff=True, **fields
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_speaker(name=None, **fields):
    from editorial.models import Speaker

    return Speaker.objects.create(name=name or f"Speaker {next(_counter)}", **fields)


def make_claim(statement=None, *, tags=(), **fields):
    """Create a draft claim (or pass ``status``) with ``tags``."""
    from editorial.models import Claim

    claim = Claim.objects.create(statement=statement or f"Claim number {next(_counter)} was made.", **fields)
    if tags:
        claim.tags.add(*tags)
    return claim


def make_citation(claim=None, revision=None, excerpt=None, **fields):
    """Cite ``excerpt`` (by default the first sentence) of ``revision`` (by default a new source's)."""
    from editorial.services.citations import cite

    claim = claim or make_claim()
    revision = revision or make_source().current_revision
    if excerpt is None:
        excerpt = revision.text.split(".")[0] + "."
    return cite(claim=claim, revision=revision, excerpt=excerpt, **fields)


def add_announced_revision(source, text, **fields):
    """Add a revision as the import service does, announcing it with ``revision_added`` (re-anchoring)."""
    return add_revision(source, text, announce=True, **fields)


def make_published_claim(statement=None, *, revision=None, excerpt=None, tags=(), **fields):
    """Create a claim citing ``excerpt`` of ``revision`` (defaults as ``make_citation``), submitted by
    an editor and published by a moderator through the workflow.
    """
    from django.contrib.auth.models import User

    claim = make_claim(statement, tags=tags, **fields)
    make_citation(claim, revision, excerpt)
    editor = User.objects.filter(username="factory-editor").first() or make_user("factory-editor", "Editors")
    moderator = User.objects.filter(username="factory-moderator").first() or make_user(
        "factory-moderator", "Moderators"
    )
    claim.submit(editor)
    claim.publish(moderator)
    return claim


def ensure_editorial_groups():
    """Create the Editors and Moderators groups as their data migration does, if they are missing.

    Tests on a live server run in transactions that are flushed afterwards, which empties the
    tables the migration filled; the permissions themselves are recreated by the flush.
    """
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    migration = import_module("editorial.migrations.0002_editor_and_moderator_groups")
    for name, (model_permissions, custom) in migration.GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in migration.codenames(model_permissions, custom):
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    later = import_module("editorial.migrations.0005_editors_capture_sources_and_curate_sets")
    for name, model_permissions in later.GROUPS.items():
        group = Group.objects.get(name=name)
        for app_label, codename in later.codenames(model_permissions):
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


# Exports -----------------------------------------------------------------------------------------

# Texts with characters outside the Basic Multilingual Plane (🌊, 𝔅), so that code-point offsets
# differ from UTF-16 ones, and with characters the export formats must escape.
FERRY_TEXT = (
    "Harbour board backs new timetable 🌊 after months of argument.\n\n"
    "The board’s chair, Ilse Brandvold, said the increase was “the smallest rise that keeps both boats "
    "sailing”.\n\n"
    "Councillor Rafael Ndiaye 𝔅 called the decision “a tax on living at sea”."
)
FERRY_TEXT_UPDATED = FERRY_TEXT + "\n\nUpdate: the new fares take effect in May, the board confirmed."
MINISTRY_TEXT = (
    "Statement of the finance ministry 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\n\n"
    "Revenue rose by 5% & R&D spending {doubled} in the year to March.\n\n"
    "=SUM(A1) is quoted here as text, not a formula."
)
MINISTRY_TEXT_UPDATED = MINISTRY_TEXT.replace("in the year to March", "in the twelve months to March")


def make_export_corpus():
    """Create claims in every status, with relations, tags, a verdict and a claim set; return them by name.

    Sources: ``ferry`` (URL, publisher, two authors, two revisions), ``ministry`` (no URL, no
    publisher, two revisions), ``battery`` (URL, awkward title for BibTeX), ``draft_only`` (cited
    only by a draft), ``edit_only`` (cited only by an unpublished edit), ``uncited``.
    Claims: ``published`` (verdict), ``corrected``, ``retracted``, ``draft``, ``in_review``,
    ``rejected``, ``edited`` (published, then edited without approval), ``bare`` (a draft without
    citations). ``claim_set`` holds corrected, draft, published and edited, in that order.
    """
    import datetime
    from types import SimpleNamespace

    from editorial.models import ClaimRelation, ClaimSet, SpeakerKind

    moderator = make_user(None, "Editors", "Moderators")
    gazette = make_publisher("Harbour Gazette", time_zone="Europe/London")
    ledger = make_publisher("Northern Ledger")
    utc = datetime.UTC

    ferry = make_source(
        "Island ferry fares to rise 🌊",
        FERRY_TEXT,
        authors=[("Mara Okafor", "Portlaine"), ("Tomas Reyes", "Kellbridge")],
        publisher=gazette,
        url="https://harbour-gazette.example/ferry-fares",
        section="Coastal affairs",
        byline="Mara Okafor in Portlaine and Tomas Reyes in Kellbridge",
        language="en",
        # 00:30 on 14 June in London (BST), where the publisher is.
        published_at=datetime.datetime(2024, 6, 13, 23, 30, tzinfo=utc),
        updated_at=datetime.datetime(2024, 6, 14, 8, 45, tzinfo=utc),
    )
    ferry_v1 = ferry.current_revision
    ferry_v2 = add_revision(ferry, FERRY_TEXT_UPDATED, publisher_updated_at=ferry.updated_at)
    ministry = make_source("Ministry statement on revenue", MINISTRY_TEXT)
    ministry_v1 = ministry.current_revision
    ministry_v2 = add_revision(ministry, MINISTRY_TEXT_UPDATED)
    battery = make_source(
        "R&D up 100% for $5 #1 _now_ {braces} ~ ^ \\ in “Saltmere”",
        "Saltmere battery will store a night’s worth of wind power, the operator says.",
        authors=[("Piet van der Hoek", ""), ("Anwen Castellanos", "")],
        publisher=ledger,
        url="https://northern-ledger.example/saltmere-battery",
        byline="By Piet van der Hoek and Anwen Castellanos",
        published_at=datetime.datetime(2024, 2, 20, 9, 0, tzinfo=utc),
    )
    draft_only = make_source("Draft-only source", "A passage only a draft quotes.")
    edit_only = make_source("Edit-only source", "A passage only an unpublished edit quotes.")
    uncited = make_source("Uncited source", "Nobody quotes this yet.")

    brandvold = make_speaker("Ilse Brandvold")
    ndiaye = make_speaker("Rafael Ndiaye")
    ministry_speaker = make_speaker("Finance ministry", kind=SpeakerKind.GOVERNMENT)

    def claim(statement, status, citations, **fields):
        made = make_claim(statement, created_by=moderator, **fields)
        for revision, excerpt in citations:
            make_citation(made, revision, excerpt)
        for step in {
            "draft": [],
            "in_review": ["submit"],
            "published": ["submit", "publish"],
            "rejected": ["submit", "reject"],
            "corrected": ["submit", "publish", "correct"],
            "retracted": ["submit", "publish", "retract"],
        }[status]:
            getattr(made, step)(moderator, f"{step} in the export corpus")
        return made

    published = claim(
        "The fare increase is the smallest rise that keeps both boats sailing.",
        "published",
        [(ferry_v1, "the smallest rise that keeps both boats sailing"), (ferry_v2, "the new fares take effect in May")],
        speaker=brandvold,
        claim_date=datetime.date(2024, 3, 13),
        verdict="disputed",
        verdict_explanation="No costing of smaller rises was published.",
        tags=["ferries", "prices"],
    )
    corrected = claim(
        "=The fare rise is a tax on living at sea 🌊.",
        "corrected",
        [(ferry_v1, "a tax on living at sea")],
        speaker=ndiaye,
        claim_date=datetime.date(2024, 3, 13),
        tags=["ferries", "énergie"],
    )
    retracted = claim(
        "R&D spending doubled.", "retracted", [(ministry_v2, "R&D spending {doubled}")], speaker=ministry_speaker
    )
    draft = claim("DRAFT-ONLY statement.", "draft", [(draft_only.current_revision, "A passage only a draft quotes.")])
    in_review = claim(
        "Saltmere battery stores a night’s worth of wind power.",
        "in_review",
        [(battery.current_revision, "a night’s worth of wind power")],
    )
    rejected = claim(
        "Revenue rose by 5% & more 𝔅.", "rejected", [(ministry_v1, "Revenue rose by 5%")], speaker=ministry_speaker
    )
    edited = claim(
        "Saltmere battery will store wind power.",
        "published",
        [(battery.current_revision, "Saltmere battery will store")],
        tags=["energy"],
    )
    edited.statement = "EDITED-UNPUBLISHED statement."
    edited.save()
    edited.tags.add("unpublished-tag")
    make_citation(edited, edit_only.current_revision, "A passage only an unpublished edit quotes.")
    bare = make_claim("A bare draft without citations.")

    ClaimRelation.objects.create(from_claim=corrected, to_claim=published, kind="contradicts")
    ClaimRelation.objects.create(from_claim=in_review, to_claim=published, kind="supports")
    ClaimRelation.objects.create(from_claim=published, to_claim=draft, kind="updates")
    ClaimRelation.objects.create(from_claim=edited, to_claim=corrected, kind="duplicates")

    claim_set = ClaimSet.objects.create(
        title="Ferry fares & <friends>", description="Claims about the ferries.", curator=moderator, is_public=True
    )
    for member in (corrected, draft, published, edited):
        claim_set.add_claim(member)

    return SimpleNamespace(
        moderator=moderator,
        sources=SimpleNamespace(
            ferry=ferry, ministry=ministry, battery=battery, draft_only=draft_only, edit_only=edit_only, uncited=uncited
        ),
        published=published,
        corrected=corrected,
        retracted=retracted,
        draft=draft,
        in_review=in_review,
        rejected=rejected,
        edited=edited,
        bare=bare,
        claim_set=claim_set,
    )
