"""Importing source documents: files in, sources and immutable revisions out.

``import_file`` reads one file with its importer and saves it in one transaction: a new source,
a new revision of a source it already has, or nothing when the text is unchanged. Bad input
never raises; it comes back as a failed ``ImportOutcome`` that says why. ``import_paths`` does
the same for files and folders; the ``import_sources`` command and the admin call these.

Each document is first planned (``CapturePlan``: which source it is, by ``match_source``'s rule,
and what importing it does), then the plan is written through the capture API. A dry run plans
and stops, so it reports exactly what a real run decides, and writes nothing.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources.importers import bundle_handler, detect_format, get_importer
from sources.importers.base import ImportProblem, ParsedDocument
from sources.models import Publisher, Revision, Source, text_sha256
from sources.services.capture import capture_revision, create_source, publisher_named, set_bylines
from sources.services.plan import CapturePlan, PlannedSource
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


def format_size(size: int) -> str:
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


@dataclass
class _Step:
    """What importing one document does, decided before anything is written."""

    status: str  # CREATED, NEW_REVISION or UNCHANGED
    planned: PlannedSource
    number: int  # the revision's number: the new one, or the one holding the same text
    publisher_name: str = ""  # the publisher the document names, else the one given for the import
    source: Source | None = None  # for a new revision: the stored source with the capture's metadata
    published_at: datetime | None = None
    updated_at: datetime | None = None


def _plan(document: ParsedDocument, *, publisher_name: str, plan: CapturePlan, timeline: bool = False) -> _Step:
    """Decide what importing ``document`` does, reading only, and record it in ``plan``.

    A text the source holds is unchanged; with ``timeline`` (web captures: revisions are what the publisher
    showed, in order) only when the newest revision holds it. ``ValidationError``s come before any write.
    """
    sha256 = text_sha256(document.text)
    planned = plan.match(url=document.url, publisher=publisher_name, title=document.title, sha256=sha256)
    if planned is not None and sha256 in planned.numbers:
        number = planned.numbers[sha256]
        if not timeline or number == max(planned.numbers.values()):
            return _Step(UNCHANGED, planned, number)

    publisher = plan.publisher(publisher_name)
    if publisher is None and publisher_name:
        Publisher(name=publisher_name).full_clean(exclude=["slug"])
    zone = publisher.tzinfo() if publisher else timezone.get_default_timezone()
    published_at, updated_at = _aware(document.published_at, zone), _aware(document.updated_at, zone)
    stored = planned.source if planned is not None else None
    source = Source.objects.get(pk=stored.pk) if stored is not None else Source()
    _apply_metadata(source, document, publisher, published_at, updated_at)
    source.full_clean(exclude=["current_revision", "slug", "publisher"])

    if planned is None:
        planned, status = plan.create(url=document.url, publisher=publisher_name, title=document.title), CREATED
    else:
        # Later documents of the plan match the source as this capture leaves it.
        url, publisher_name_after = document.url or planned.url, publisher_name or planned.publisher
        plan.update(planned, url=url, publisher=publisher_name_after, title=document.title)
        status = NEW_REVISION
    number = plan.add_revision(planned, sha256)
    source = source if stored is not None else None
    return _Step(status, planned, number, publisher_name, source, published_at, updated_at)


def _write(step: _Step, document: ParsedDocument, *, data: bytes, filename: str, user) -> tuple[Source, Revision]:
    """Write what ``step`` decided through the capture API; return the source and its revision."""
    authors = [(author.name, author.location) for author in document.authors]
    if step.status == UNCHANGED:
        source = step.planned.source
        return source, source.revisions.get(number=step.number)
    if step.status == CREATED:
        source = create_source(
            title=document.title,
            publisher=step.publisher_name,
            url=document.url,
            section=document.section,
            language=document.language,
            byline=document.byline,
            published_at=step.published_at,
            updated_at=step.updated_at,
            authors=authors,
        )
    else:
        source = step.source
        if step.publisher_name:
            source.publisher = publisher_named(step.publisher_name)
        source.full_clean(exclude=["current_revision", "slug"])
        source.save()
        if authors:
            set_bylines(source, authors)
    if document.tags:
        source.tags.add(*document.tags)
    revision = capture_revision(
        source=source,
        text=document.text,
        title=document.title,
        byline=document.byline,
        user=user,
        origin=filename,
        format=document.format,
        encoding=document.encoding,
        encoding_confidence=document.encoding_confidence,
        original=data,
        publisher_updated_at=step.updated_at,
    )
    return source, revision


@transaction.atomic
def _save(*, document, data, filename, user, publisher_name, outcome, timeline=False):
    """Plan ``document`` and write it; fill in ``outcome``. Runs in one transaction."""
    # The plan locks the publisher's row and the matched source's: imports of one publisher's
    # documents are serialised, so two imports of the same URL-less document cannot both create it.
    step = _plan(document, publisher_name=publisher_name, plan=CapturePlan(lock=True), timeline=timeline)
    outcome.source, outcome.revision = _write(step, document, data=data, filename=filename, user=user)
    outcome.status = step.status


def _dry_run(*, document, publisher_name, outcome, plan):
    """Fill in ``outcome`` with what ``_save`` would do, reading the database only.

    ``plan`` holds what the earlier files of the same dry run would have saved.
    """
    step = _plan(document, publisher_name=publisher_name, plan=plan)
    outcome.status, outcome.revision_number = step.status, step.number
    if step.status != CREATED:
        outcome.source = step.planned.source
    if step.status == UNCHANGED and outcome.source is not None:
        outcome.revision = outcome.source.revisions.filter(number=step.number).first()


def _import_bundle(handler, *, data, filename, user, operator, outcome, plan):
    """Import a file holding many documents through the handler its format registered."""
    try:
        if problem := _size_problem(len(data)):
            raise ImportProblem(problem)
        check_is_text(data)
        plan = plan if outcome.dry_run else None  # a real import's earlier files are in the database
        changed, title, summary, warnings = handler(
            data, filename, user=user, operator=operator, dry_run=outcome.dry_run, plan=plan
        )
    except ImportProblem as problem:
        outcome.message = str(problem)
        return outcome
    outcome.status = CREATED if changed else UNCHANGED
    outcome.title = title
    outcome.detail = summary
    outcome.warnings.extend(warnings)
    return outcome


def import_file(
    *, data: bytes, filename: str, format=None, user=None, operator="", publisher="", dry_run=False
) -> ImportOutcome:
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
        plan=CapturePlan(),
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


def _import_file(*, data, filename, format, user, publisher, dry_run, plan, operator=""):
    """Import one file; in a dry run, ``plan`` holds what earlier files of the run would have saved."""
    filename = replace_unstorable(filename)  # a name that is not UTF-8, or an uploaded name with NUL
    outcome = ImportOutcome(filename=filename, status=FAILED, dry_run=dry_run)
    if handler := bundle_handler(filename, format):
        return _import_bundle(
            handler, data=data, filename=filename, user=user, operator=operator, outcome=outcome, plan=plan
        )
    try:
        if problem := _size_problem(len(data)):
            raise ImportProblem(problem)
        check_is_text(data)
        importer = get_importer(format) if format else get_importer(detect_format(filename, data))
        document = importer.parse(data, filename)
    except ImportProblem as problem:
        outcome.message = str(problem)
        return outcome
    except Exception as error:  # an importer bug must not stop a folder import
        logger.exception("Importing %s failed while reading it", filename)
        outcome.message = f"could not read the file ({type(error).__name__}: {shown(str(error))})"
        return outcome

    return import_document(
        document=document,
        data=data,
        filename=filename,
        user=user,
        publisher=publisher,
        dry_run=dry_run,
        plan=plan,
        outcome=outcome,
    )


def import_document(
    *,
    document: ParsedDocument,
    data: bytes,
    filename: str,
    user=None,
    publisher="",
    dry_run=False,
    plan=None,
    outcome=None,
    timeline: bool = False,
) -> ImportOutcome:
    """Import a document an importer has read from ``data`` (a web capture's page, ``timeline``: see ``_plan``)."""
    outcome = outcome or ImportOutcome(filename=filename, status=FAILED, dry_run=dry_run)
    try:
        _check_storable(document, publisher)
    except ImportProblem as problem:
        outcome.message = str(problem)
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
        "outcome": outcome,
    }
    try:
        if dry_run:
            _dry_run(plan=plan or CapturePlan(), **arguments)
        else:
            try:
                _save(data=data, filename=filename, user=user, timeline=timeline, **arguments)
            except IntegrityError:
                # A concurrent import created the same publisher, author, source or revision
                # number first; the file's transaction was rolled back. Once more, it finds them.
                _save(data=data, filename=filename, user=user, timeline=timeline, **arguments)
    except ValidationError as error:
        outcome.status, outcome.source, outcome.revision = FAILED, None, None
        outcome.message = f"invalid {_validation_message(error)}"
    except IntegrityError as error:
        outcome.status, outcome.source, outcome.revision = FAILED, None, None
        outcome.message = f"could not save (a concurrent import or a conflicting row): {shown(str(error), 200)}"
    # Any other error while saving (a bug, the database gone) is not the file's fault: the
    # transaction has rolled the file back, and the error propagates.
    return outcome


def import_paths(
    paths: Iterable, *, format=None, user=None, operator="", publisher="", dry_run=False
) -> Iterator[ImportOutcome]:
    """Import files and folders (recursively, in name order, hidden and README files skipped), one outcome each.

    Each file is its own transaction: a failure is reported and the others are imported. In a
    dry run, later files see what earlier ones would have saved (a second capture of a story is
    reported as its new revision). Symbolic links inside a folder that lead out of it, and second
    paths to a file or folder already read, are reported as ``skipped``.
    """
    plan = CapturePlan()  # what the files of a dry run would have saved
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
                plan=plan,
            )


# Folders -----------------------------------------------------------------------------------------


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
