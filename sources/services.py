"""Importing source documents: files in, sources and immutable revisions out.

``import_file`` reads one file with its importer and saves it in one transaction: a new source,
a new revision of a source it already has, or nothing when the text is unchanged. Bad input
never raises; it comes back as a failed ``ImportOutcome`` that says why. ``import_paths`` does
the same for files and folders; the ``import_sources`` command and the admin call these.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sources.importers import bundle_handler, detect_format, get_importer
from sources.importers.base import ImportProblem
from sources.models import Author, Byline, Publisher, Revision, Source, normalise_name, text_sha256
from sources.signals import revision_added
from sources.textutils import check_is_text, replace_unstorable, shown, unstorable_character

logger = logging.getLogger(__name__)

CREATED = "created"
NEW_REVISION = "new revision"
UNCHANGED = "unchanged"
FAILED = "failed"
SKIPPED = "skipped"  # left out of a folder import on purpose, and named; not a failure


@dataclass
class ImportOutcome:
    """What importing one file did (or, in a dry run, would do)."""

    filename: str
    status: str  # "created" | "new revision" | "unchanged" | "failed" | "skipped"
    source: Source | None = None
    revision: Revision | None = None
    message: str = ""  # the reason, when failed or skipped
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    revision_number: int | None = None
    dry_run: bool = False
    detail: str = ""  # what a file of many documents did ("8 sources created, 14 claims matched")

    def __str__(self):
        if self.status in {FAILED, SKIPPED}:
            return f"{self.filename}: {self.status}: {self.message}"
        title = self.title or (self.source.title if self.source else "")
        number = self.revision_number or (self.revision.number if self.revision else None)
        line = f"{self.filename}: {self.status} — “{title}”"
        if number:
            line += f" (revision {number})"
        if self.detail:
            line += f": {self.detail}"
        if self.dry_run and self.status != UNCHANGED:
            line += " [dry run: not saved]"
        return line

    @property
    def failed(self):
        return self.status == FAILED


def format_size(size):
    """Return a byte count as people read it: "512 bytes", "2.5 KB", "12.3 MB" (1 MB = 1024² bytes)."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if size < scale * 1024 or unit == "GB":
            value = f"{size / scale:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    raise AssertionError("unreachable")


def _size_problem(size):
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        return f"file is {format_size(size)}, over the {format_size(limit)} import limit"
    return ""


def _validation_message(error):
    """Return "field title: Ensure this value …" for a ``ValidationError``."""
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _aware(value, zone):
    """Return ``value`` aware: a printed time without a zone is read in ``zone``."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, zone)


def _find_publisher(name, *, lock=False):
    """Return the publisher called ``name`` (ignoring case), or ``None``."""
    if not name:
        return None
    publishers = Publisher.objects.select_for_update() if lock else Publisher.objects.all()
    return publishers.filter(name__iexact=name).order_by("pk").first()


def _create_publisher(name):
    publisher = Publisher(name=name)
    publisher.full_clean(exclude=["slug"])
    publisher.save()
    return publisher


def _get_or_create_author(name):
    key = normalise_name(name)
    author = Author.objects.filter(normalised_name=key).first()
    if author is None:
        author = Author(name=" ".join(name.split()))
        author.normalised_name = key  # save() derives it too; full_clean() needs it first
        author.full_clean()
        author.save()
    return author


def _match_source(document, publisher_name, publisher):
    """Return the existing source ``document`` is a capture of, or ``None``.

    The same URL; else, where either side has no URL, the same publisher and title (ignoring
    case); else, where either side has no URL, a source of the same publisher that already holds
    this exact text (a changed headline over unchanged text is not a new document).
    """
    if document.url and (source := Source.objects.filter(url=document.url).first()):
        return source
    if publisher_name and publisher is None:
        return None  # a publisher not yet in the database has no sources
    candidates = Source.objects.filter(publisher=publisher) if publisher else Source.objects.filter(publisher=None)
    if document.url:
        candidates = candidates.filter(url="")
    if source := candidates.filter(title__iexact=document.title).order_by("pk").first():
        return source
    holding_text = Revision.objects.filter(source__in=candidates, sha256=text_sha256(document.text))
    return Source.objects.filter(pk__in=holding_text.values("source_id")).order_by("pk").first()


def _set_bylines(source, authors):
    """Replace the source's byline rows with ``authors``, in order, one row per person."""
    source.bylines.all().delete()
    seen = set()
    position = 0
    for parsed in authors:
        author = _get_or_create_author(parsed.name)
        if author.pk in seen:
            continue
        seen.add(author.pk)
        position += 1
        byline = Byline(source=source, author=author, position=position, location=parsed.location)
        byline.full_clean()
        byline.save()


def _apply_metadata(source, document, publisher, published_at, updated_at):
    """Copy the capture's metadata onto ``source``.

    What the capture states replaces the old value; what it leaves out (no section, no byline,
    no time) keeps the old value, so an editor's additions survive a re-import that lacks them.
    """
    source.title = document.title
    if publisher is not None:
        source.publisher = publisher
    for name in ("section", "url", "language", "byline"):
        if value := getattr(document, name):
            setattr(source, name, value)
    if published_at:
        source.published_at = published_at
    if updated_at:
        source.updated_at = updated_at


def _new_revision(source, number, document, *, data, filename, user, updated_at):
    revision = Revision(
        source=source,
        number=number,
        text=document.text,
        sha256=text_sha256(document.text),
        publisher_updated_at=updated_at,
        title=document.title[:500],
        byline=document.byline[:500],
        captured_by=user,
        origin=filename[:1000],
        format=document.format,
        encoding=document.encoding[:40],
        original=data,
    )
    revision.full_clean()
    return revision


@transaction.atomic
def _save(*, document, data, filename, user, publisher_name, published_at, updated_at, outcome):
    """Save ``document`` as a new source or revision; fill in ``outcome``. Runs in one transaction."""
    # Locking the publisher row serialises imports of one publisher's documents, so that two
    # concurrent imports of the same URL-less document cannot both create a source.
    publisher = _find_publisher(publisher_name, lock=True)
    source = _match_source(document, publisher_name, publisher)
    if source is not None:
        source = Source.objects.select_for_update().get(pk=source.pk)
        existing = source.revisions.filter(sha256=text_sha256(document.text)).order_by("-number").first()
        if existing is not None:
            outcome.status, outcome.source, outcome.revision = UNCHANGED, source, existing
            return
    if publisher is None and publisher_name:
        publisher = _create_publisher(publisher_name)
    zone = publisher.tzinfo() if publisher else timezone.get_default_timezone()
    published_at, updated_at = _aware(published_at, zone), _aware(updated_at, zone)

    previous = None
    if source is None:
        source, number, status = Source(), 1, CREATED
    else:
        previous = source.current_revision or source.revisions.order_by("-number").first()
        number = (source.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
        status = NEW_REVISION
    _apply_metadata(source, document, publisher, published_at, updated_at)
    source.full_clean(exclude=["current_revision", "slug"])
    source.save()
    revision = _new_revision(source, number, document, data=data, filename=filename, user=user, updated_at=updated_at)
    revision.save()
    source.current_revision = revision
    source.save(update_fields=["current_revision", "modified_at"])
    if document.authors or status == CREATED:
        _set_bylines(source, document.authors)
    if document.tags:
        source.tags.add(*document.tags)
    if status == NEW_REVISION:
        revision_added.send(sender=Revision, revision=revision, previous=previous)
    outcome.status, outcome.source, outcome.revision = status, source, revision


@dataclass
class _Plan:
    """A source as a dry run would leave it, so that later files of the same run can match it."""

    url: str
    publisher: str  # the publisher's name, case-folded
    title: str  # case-folded
    numbers: dict  # SHA-256 of each revision's text → revision number
    source: Source | None = None  # the existing source, when the plan adds revisions to one

    def matches(self, document, publisher_key, by):
        if by == "url":
            return bool(document.url) and self.url == document.url
        if self.publisher != publisher_key or (document.url and self.url):
            return False
        if by == "title":
            return self.title == document.title.casefold()
        return text_sha256(document.text) in self.numbers


def _dry_run(*, document, publisher_name, published_at, updated_at, outcome, plans):
    """Fill in ``outcome`` with what ``_save`` would do, reading the database only.

    ``plans`` remembers what the earlier files of the same dry run would have saved.
    """
    publisher = _find_publisher(publisher_name)
    publisher_key = publisher_name.casefold()
    sha256 = text_sha256(document.text)
    plan = next(
        (plan for by in ("url", "title", "text") for plan in plans if plan.matches(document, publisher_key, by)),
        None,
    )
    source = plan.source if plan else _match_source(document, publisher_name, publisher)
    if plan is None and source is not None:
        plan = next((plan for plan in plans if plan.source is not None and plan.source.pk == source.pk), None)
        if plan is None:
            plan = _Plan(
                url=source.url,
                publisher=source.publisher.name.casefold() if source.publisher else "",
                title=source.title.casefold(),
                numbers=dict(source.revisions.values_list("sha256", "number")),
                source=source,
            )
            plans.append(plan)
    if plan is not None and sha256 in plan.numbers:
        outcome.status, outcome.source, outcome.revision_number = UNCHANGED, source, plan.numbers[sha256]
        if source is not None:
            outcome.revision = source.revisions.filter(number=plan.numbers[sha256]).first()
        return

    # Validate what would be saved, so that a dry run reports the failures a real run would hit.
    if publisher is None and publisher_name:
        Publisher(name=publisher_name).full_clean(exclude=["slug"])
    zone = publisher.tzinfo() if publisher else timezone.get_default_timezone()
    candidate = Source.objects.get(pk=source.pk) if source else Source()
    _apply_metadata(candidate, document, publisher, _aware(published_at, zone), _aware(updated_at, zone))
    candidate.full_clean(exclude=["current_revision", "slug", "publisher"])

    if plan is None:
        plan = _Plan(url=document.url, publisher=publisher_key, title="", numbers={})
        plans.append(plan)
        outcome.status = CREATED
    else:
        outcome.status, outcome.source = NEW_REVISION, source
    number = max(plan.numbers.values(), default=0) + 1
    plan.numbers[sha256] = number
    plan.title = document.title.casefold()
    plan.url = document.url or plan.url
    outcome.revision_number = number


def _import_bundle(handler, *, data, filename, user, operator, outcome):
    """Import a file holding many documents through the handler its format registered."""
    try:
        if problem := _size_problem(len(data)):
            raise ImportProblem(problem)
        check_is_text(data)
        changed, title, summary, warnings = handler(
            data, filename, user=user, operator=operator, dry_run=outcome.dry_run
        )
    except ImportProblem as problem:
        outcome.message = str(problem)
        return outcome
    outcome.status = CREATED if changed else UNCHANGED
    outcome.title = title
    outcome.detail = summary
    outcome.warnings.extend(warnings)
    return outcome


def import_file(*, data, filename, format=None, user=None, operator="", publisher="", dry_run=False):
    """Import one file's bytes and return an ``ImportOutcome``; never raises for bad input.

    Bad input (unreadable, no title, invalid field values) gives a failed outcome that says why.
    An unexpected error while saving rolls the file's transaction back and is raised.

    ``format`` names the importer, else the file name's extension decides. The publisher is the
    one the document names, else ``publisher``, else none. With ``dry_run`` nothing is written:
    the outcome says what would happen.

    ``user`` is who captures; ``operator`` names the command-line operator when no account acts.
    Both pass on to bundle formats, whose owners decide what each may do (claim-set JSON restores
    statuses only for a moderator or the operator).
    """
    return _import_file(
        data=data,
        filename=filename,
        format=format,
        user=user,
        operator=operator,
        publisher=publisher,
        dry_run=dry_run,
        plans=[],
    )


def _check_storable(document, publisher):
    """Raise ``ImportProblem`` naming the first field of ``document`` that holds a NUL or a surrogate.

    Such text cannot be stored (or even hashed); YAML front matter and JSON-LD can spell both, and
    a NUL can sit past the start of a file that ``check_is_text`` looks at. ``publisher`` is the
    fallback publisher name the operator gave.
    """
    names = ("title", "text", "byline", "publisher", "section", "url", "language")
    fields = [(name, getattr(document, name)) for name in names]
    for index, author in enumerate(document.authors):
        fields += [(f"authors[{index}].name", author.name), (f"authors[{index}].location", author.location)]
    fields += [(f"tags[{index}]", tag) for index, tag in enumerate(document.tags)]
    fields.append(("publisher (given for the import)", publisher or ""))
    for name, value in fields:
        if problem := unstorable_character(value):
            raise ImportProblem(problem, field=name)


def _import_file(*, data, filename, format, user, publisher, dry_run, plans, operator=""):
    filename = replace_unstorable(filename)  # a name that is not UTF-8, or an uploaded name with NUL
    outcome = ImportOutcome(filename=filename, status=FAILED, dry_run=dry_run)
    if handler := bundle_handler(filename, format):
        return _import_bundle(handler, data=data, filename=filename, user=user, operator=operator, outcome=outcome)
    try:
        if problem := _size_problem(len(data)):
            raise ImportProblem(problem)
        check_is_text(data)
        importer = get_importer(format) if format else get_importer(detect_format(filename, data))
        document = importer.parse(data, filename)
        _check_storable(document, publisher)
    except ImportProblem as problem:
        outcome.message = str(problem)
        return outcome
    except Exception as error:  # an importer bug must not stop a folder import
        logger.exception("Importing %s failed while reading it", filename)
        outcome.message = f"could not read the file ({type(error).__name__}: {shown(str(error))})"
        return outcome

    outcome.warnings = list(document.warnings)
    outcome.title = document.title
    if not document.title.strip():
        outcome.message = "no title"
        return outcome
    if not document.text.strip():
        outcome.message = "no body text"
        return outcome

    arguments = {
        "document": document,
        "publisher_name": " ".join((document.publisher or publisher or "").split()),
        "published_at": document.published_at,
        "updated_at": document.updated_at,
        "outcome": outcome,
    }
    try:
        if dry_run:
            _dry_run(plans=plans, **arguments)
        else:
            try:
                _save(data=data, filename=filename, user=user, **arguments)
            except IntegrityError:
                # A concurrent import created the same publisher, author, source or revision
                # number first; the file's transaction was rolled back. Once more, it finds them.
                _save(data=data, filename=filename, user=user, **arguments)
    except ValidationError as error:
        outcome.status, outcome.source, outcome.revision = FAILED, None, None
        outcome.message = f"invalid {_validation_message(error)}"
    except IntegrityError as error:
        outcome.status, outcome.source, outcome.revision = FAILED, None, None
        outcome.message = f"could not save (a concurrent import or a conflicting row): {shown(str(error), 200)}"
    # Any other error while saving (a bug, the database gone) is not the file's fault: the
    # transaction has rolled the file back, and the error propagates.
    return outcome


@dataclass
class _Skipped:
    """A path a folder walk leaves out on purpose, and why."""

    path: Path
    reason: str


def _files(path):
    """Yield the files under ``path`` (or ``path`` itself) in name order, skipping hidden ones.

    Inside a folder, README files (``README``, ``README.md``, ``readme.txt`` …) are skipped too: they
    describe the folder rather than being documents of it. A README named on its own is imported,
    and so is a symbolic link named on its own: the operator chose it.

    Folders are read where they sort, so ``a.txt``, ``b/c.txt``, ``d.txt`` come in that order.
    Inside a folder, symbolic links are followed only to paths inside it, and every file and folder
    is read once, however many links lead to it; the links left out come as ``_Skipped``.
    """
    if not path.is_dir():
        yield path
        return
    root = path.resolve()
    yield from _folder_files(path, root, {root: path})


def _folder_files(folder, root, seen):
    """Yield the files under ``folder`` and the ``_Skipped`` paths; ``seen`` maps resolved paths to the first read."""
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.startswith(".") or _is_readme(entry):
            continue
        try:
            target = entry.resolve()
        except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
            yield _Skipped(entry, "symbolic link that leads round in a loop")
            continue
        # A link out of the folder would import whatever it points to (/etc/passwd, the parent folder).
        if entry.is_symlink() and not target.is_relative_to(root):
            yield _Skipped(entry, "symbolic link to a path outside the folder")
            continue
        if target in seen:
            yield _Skipped(entry, f"the same {'folder' if entry.is_dir() else 'file'} as {seen[target]}, read already")
            continue
        seen[target] = entry
        if entry.is_dir():
            yield from _folder_files(entry, root, seen)
        else:
            yield entry


def _is_readme(path):
    return path.is_file() and path.stem.casefold() == "readme"


def import_paths(paths, *, format=None, user=None, operator="", publisher="", dry_run=False) -> Iterator[ImportOutcome]:
    """Import files and folders (recursively, in name order, hidden and README files skipped), one outcome each.

    Each file is its own transaction: a failure is reported and the others are imported. In a
    dry run, later files see what earlier ones would have saved (a second capture of a story is
    reported as its new revision). Symbolic links inside a folder that lead out of it, and second
    paths to a file or folder already read, are reported as ``skipped``.
    """
    plans = []  # what the files of a dry run would have saved
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield ImportOutcome(
                filename=replace_unstorable(str(given)), status=FAILED, message="no such file or directory"
            )
            continue
        for file in _files(path):
            if isinstance(file, _Skipped):
                name = replace_unstorable(str(file.path))
                reason = replace_unstorable(file.reason)
                yield ImportOutcome(filename=name, status=SKIPPED, message=reason, dry_run=dry_run)
                continue
            name = replace_unstorable(str(file))  # Python spells the bytes of a non-UTF-8 name as surrogates
            if not file.is_file():
                yield ImportOutcome(filename=name, status=FAILED, message="not a regular file", dry_run=dry_run)
                continue
            try:
                size = file.stat().st_size
                if problem := _size_problem(size):  # before reading a huge file into memory
                    yield ImportOutcome(filename=name, status=FAILED, message=problem, dry_run=dry_run)
                    continue
                data = file.read_bytes()
            except OSError as error:
                yield ImportOutcome(filename=name, status=FAILED, message=f"cannot read: {error.strerror or error}")
                continue
            yield _import_file(
                data=data,
                filename=name,
                format=format,
                user=user,
                operator=operator,
                publisher=publisher,
                dry_run=dry_run,
                plans=plans,
            )


def reverify_revision(revision):
    """Return the problems found in a stored revision; ``[]`` when it checks out.

    Checks that the stored SHA-256 matches the stored text, and that reading the stored original
    file again with the same importer gives the same text.
    """
    stored = Revision.objects.filter(pk=revision.pk).first()
    if stored is None:
        return [f"revision {revision.pk} is not in the database"]
    problems = []
    actual = text_sha256(stored.text)
    if actual != stored.sha256:
        problems.append(f"stored SHA-256 {stored.sha256[:12]}… does not match the text, which hashes to {actual[:12]}…")
    original = bytes(stored.original or b"")
    if original and stored.format:
        try:
            document = get_importer(stored.format).parse(original, stored.origin or "")
        except ImportProblem as problem:
            problems.append(f"the original file no longer reads as {stored.format}: {problem}")
        else:
            if document.text != stored.text:
                position = next(
                    (index for index, (a, b) in enumerate(zip(document.text, stored.text, strict=False)) if a != b),
                    min(len(document.text), len(stored.text)),
                )
                problems.append(
                    f"reading the original file again gives different text (first difference at character {position})"
                )
    return problems
