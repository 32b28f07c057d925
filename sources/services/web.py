"""Web captures: a page fetched from its address becomes a source's revision, with its WARC file.

``capture_url`` fetches an address (``sources.services.fetch``), reads the page with the importer
its content type names (HTML, plain text, Markdown), and saves it as a file import is saved
(``import_document``: the same matching rule and the capture API, so a changed page adds a
revision and the citations of the older ones are re-anchored). A new revision gets a ``Capture``:
the fetched, final and canonical addresses, the redirect chain, status, validators, time, and the
exchange as a WARC file (``sources.services.warc``) in the default file storage, with the SHA-256
of the file and of its payload. A capture whose text the newest revision holds changes nothing;
one whose text only an older revision holds (the page changed back) is a new revision, since the
revisions are the publisher's timeline.

``check_source`` is one watch check of a watched source: a conditional request with the last
response's validators; ``304`` or the same text is *unchanged*, other text a *new revision*,
``404``/``410`` *gone* (the last revision stays), anything else *failed*. Each check is recorded on
the source (time, outcome, message), without a history row.

Both ask the site's robots.txt first and, in a watch pass, keep ``CAPTURE_PER_HOST_INTERVAL``
seconds between two requests to one host (``sources.services.politeness``); an address the
robots.txt forbids fails with "disallowed by robots.txt" and is not fetched.
"""

import hashlib
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

import httpx
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sources.importers import ImportProblem, detect_format, get_importer
from sources.models import Capture, CheckStatus, Revision, Source, text_sha256
from sources.services.fetch import CaptureRefused, Fetched, fetch
from sources.services.imports import CREATED, FAILED, NEW_REVISION, UNCHANGED, import_document
from sources.services.politeness import Politeness
from sources.services.warc import warc_bytes
from sources.textutils import encoding_label, shown

logger = logging.getLogger(__name__)

GONE = "gone"
GONE_STATUSES = {404, 410}
NOT_MODIFIED_BATCH = 200  # plain 304 checks a watch pass records per query


@dataclass
class WebOutcome:
    """What capturing or checking one address did: ``status`` is created, new revision, unchanged, gone or failed."""

    url: str
    status: str
    source: Source | None = None
    revision: Revision | None = None
    message: str = ""
    warnings: tuple = ()

    def __str__(self):
        if self.status == FAILED:
            return f"{self.url}: refused: {self.message}" if self.message else f"{self.url}: failed"
        line = f"{self.url}: {self.status}"
        if self.status == NEW_REVISION and self.revision is not None:
            line += f" {self.revision.number}"
        if self.source is not None and self.status in {CREATED, NEW_REVISION, UNCHANGED}:
            line += f" — “{self.source.title}”"
        return f"{line} ({self.message})" if self.message else line

    @property
    def failed(self):
        return self.status == FAILED


def _read(fetched: Fetched, *, url: str):
    """Return the ``ParsedDocument`` of ``fetched``'s body, its ``url`` the address the source keeps.

    The server's charset is a hint: a body that is valid UTF-8 is read as UTF-8, one that is not
    is read in the declared charset when that decodes it, and otherwise the importer detects the
    encoding as it does for a file (and warns).
    """
    format = fetched.format
    if format == "text":
        format = detect_format("page.txt", fetched.body)  # plain text with front matter is Markdown
    encoding, charset = None, fetched.charset.lower()
    try:
        fetched.body.decode("utf-8")
    except UnicodeDecodeError:
        if charset and charset not in {"utf-8", "utf8"}:
            try:
                fetched.body.decode(charset)
                encoding = charset
            except (LookupError, UnicodeDecodeError):
                pass
    document = get_importer(format).parse(fetched.body, fetched.final_url, encoding=encoding)
    if encoding:  # the server chose it, not an editor: no "read as …, as chosen" note
        document.warnings = [note for note in document.warnings if note != f"read as {document.encoding}, as chosen"]
    try:
        declared = encoding_label(charset) if charset else ""
    except LookupError:
        declared = charset
    if declared and declared != document.encoding:
        document.warnings.append(
            f"the server declared the charset {shown(charset, 40)}, but the page reads as {document.encoding}"
        )
    canonical = document.url
    document.url = url
    return document, canonical


def _source_url(fetched: Fetched, canonical: str) -> str:
    """Return the address a new source keeps: the canonical one the page declares when it is on the
    same site as the final address (it drops tracking parameters), else the final address.

    A page cannot make itself another site's source by declaring that site's address canonical.
    """
    try:
        same_site = canonical and httpx.URL(canonical).netloc == httpx.URL(fetched.final_url).netloc
    except httpx.InvalidURL:
        same_site = False
    return canonical if same_site else fetched.final_url


def _store(fetched: Fetched, *, revision: Revision, canonical: str) -> Capture:
    """Write ``fetched`` as a WARC file and its ``Capture`` row for ``revision``."""
    name = f"{revision.source.slug[:60]}-r{revision.number}-{fetched.fetched_at:%Y%m%dT%H%M%S}.warc.gz"
    data = warc_bytes(fetched, filename=name, canonical_url=canonical)
    capture = Capture(
        revision=revision,
        requested_url=fetched.requested_url[:2000],
        final_url=fetched.final_url[:2000],
        redirects=[{key: hop[key] for key in ("url", "status", "location")} for hop in fetched.redirects],
        canonical_url=canonical[:2000],
        status=fetched.status,
        content_type=fetched.content_type[:200],
        etag=fetched.header("etag")[:500],
        last_modified=fetched.header("last-modified")[:100],
        fetched_at=fetched.fetched_at,
        ip_address=fetched.ip_address,
        warc_sha256=hashlib.sha256(data).hexdigest(),
        payload_sha256=hashlib.sha256(fetched.body).hexdigest(),
        payload_size=len(fetched.body),
    )
    capture.warc.save(name, ContentFile(data), save=False)
    try:
        capture.full_clean(exclude=["revision"])
        capture.save()
    except Exception:
        capture.warc.delete(save=False)
        raise
    return capture


def _save_capture(fetched: Fetched, *, url: str, user, watch: bool | None, interval: timedelta | None) -> WebOutcome:
    """Read and save ``fetched`` for the source at ``url``; return the outcome."""
    try:
        document, canonical = _read(fetched, url=url)
    except ImportProblem as problem:
        return WebOutcome(fetched.requested_url, FAILED, message=str(problem))
    except Exception as error:  # an importer bug must not stop the other addresses
        logger.exception("Reading the page at %s failed", fetched.final_url)
        return WebOutcome(fetched.requested_url, FAILED, message=f"could not read the page ({type(error).__name__})")
    document.url = url or _source_url(fetched, canonical)
    written = []
    try:
        with transaction.atomic():
            outcome = import_document(
                document=document, data=fetched.body, filename=fetched.final_url, user=user, timeline=True
            )
            if outcome.failed:
                return WebOutcome(fetched.requested_url, FAILED, message=outcome.message)
            if outcome.status != UNCHANGED:
                written.append(_store(fetched, revision=outcome.revision, canonical=canonical).warc)
            _record_check(
                outcome.source,
                fetched,
                status=CheckStatus.UNCHANGED if outcome.status == UNCHANGED else CheckStatus.CHANGED,
                watch=watch,
                interval=interval,
            )
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return WebOutcome(
        fetched.requested_url, outcome.status, outcome.source, outcome.revision, warnings=tuple(outcome.warnings)
    )


def _record_check(source, fetched=None, *, status, message="", watch=None, interval=None):
    """Record a check of ``source`` on its row (no history row: watch state is not the record's metadata)."""
    now = timezone.now()
    values = {"last_checked_at": now, "check_status": status, "check_message": message[:500]}
    if fetched is not None and fetched.status == 200:
        values |= {
            "check_etag": fetched.header("etag")[:500],
            "check_last_modified": fetched.header("last-modified")[:100],
        }
    if status == CheckStatus.GONE:
        values["gone_since"] = source.gone_since or now
    elif status != CheckStatus.FAILED:
        values["gone_since"] = None
    if watch is not None:
        values["watch"] = watch
    if interval is not None:
        values["watch_interval"] = interval
    Source.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)


def capture_url(url: str, *, user=None, watch: bool | None = None, interval: timedelta | None = None) -> WebOutcome:
    """Capture the page at ``url`` as a source's revision; never raises for a refused address or page.

    ``watch`` and ``interval`` set the source's watching (``None`` leaves it as it is). A refused
    address, an error status or an unreadable page writes nothing.
    """
    url = url.strip()
    try:
        with httpx.Client(timeout=settings.CAPTURE_TIMEOUT, follow_redirects=False, trust_env=False) as client:
            if refusal := Politeness(client=client).refusal(url):
                raise CaptureRefused(refusal)
            fetched = fetch(url, client=client)
    except CaptureRefused as refused:
        return WebOutcome(url, FAILED, message=str(refused))
    if fetched.status != 200:
        return WebOutcome(url, FAILED, message=f"the server answered {fetched.status} {fetched.reason}".strip())
    return _save_capture(fetched, url="", user=user, watch=watch, interval=interval)


def _fetch_for_check(source: Source, client: httpx.Client | None, politeness: Politeness) -> Fetched | CaptureRefused:
    """Fetch a watched source's address conditionally, if its robots.txt allows, in its host's turn;
    return the response, or the refusal. Reads no database."""
    try:
        if refusal := politeness.refusal(source.url):
            raise CaptureRefused(refusal)
        politeness.pace(source.url)
        return fetch(source.url, etag=source.check_etag, last_modified=source.check_last_modified, client=client)
    except CaptureRefused as refused:
        return refused


def check_source(source: Source, *, user=None, client: httpx.Client | None = None) -> WebOutcome:
    """Check a watched source's address once; return what the check found (see the module docstring).

    ``client`` is an ``httpx.Client`` to reuse across the checks of one pass (kept-alive connections).
    """
    return _checked(source, _fetch_for_check(source, client, Politeness(client=client)), user=user)


def _checked(source: Source, fetched: Fetched | CaptureRefused, *, user, not_modified=None) -> WebOutcome:
    """Record what fetching a watched source's address found, adding a revision for changed text.

    With ``not_modified`` (a list), a plain ``304`` is not written here: the source is appended,
    for ``_record_not_modified`` to record many such checks in one query.
    """
    url = source.url
    if isinstance(fetched, CaptureRefused):
        _record_check(source, status=CheckStatus.FAILED, message=str(fetched))
        return WebOutcome(url, FAILED, source, message=str(fetched))
    moved = f"moved to {fetched.final_url}" if fetched.redirects else ""
    if fetched.status == 304 and not moved and not source.gone_since and not_modified is not None:
        not_modified.append(source)
        return WebOutcome(url, UNCHANGED, source)
    if fetched.status == 304:
        _record_check(source, fetched, status=CheckStatus.UNCHANGED, message=moved)
        return WebOutcome(url, UNCHANGED, source, message=moved)
    if fetched.status in GONE_STATUSES:
        _record_check(source, fetched, status=CheckStatus.GONE, message=f"{fetched.status} {fetched.reason}")
        return WebOutcome(url, GONE, source)
    if fetched.status != 200:
        message = f"the server answered {fetched.status} {fetched.reason}".strip()
        _record_check(source, fetched, status=CheckStatus.FAILED, message=message)
        return WebOutcome(url, FAILED, source, message=message)
    current = source.current_revision
    if current is not None:
        try:
            document, _canonical = _read(fetched, url=url)
        except Exception:  # unreadable: _save_capture below reports why
            document = None
        if document is not None and text_sha256(document.text) == current.sha256:
            _record_check(source, fetched, status=CheckStatus.UNCHANGED, message=moved)
            return WebOutcome(url, UNCHANGED, source, message=moved)
    outcome = _save_capture(fetched, url=url, user=user, watch=None, interval=None)
    if outcome.failed:
        _record_check(source, status=CheckStatus.FAILED, message=outcome.message)
        outcome.source = source
    return outcome


def due_sources(*, every: bool = False):
    """Return the watched sources a pass checks: those due (``Source.objects.due_for_check``), or all with ``every``."""
    sources = Source.objects.filter(watch=True).exclude(url="") if every else Source.objects.due_for_check()
    return sources.select_related("current_revision").defer("current_revision__text", "current_revision__original")


def watch_pass(*, every: bool = False, user=None, workers: int | None = None):
    """Check each due watched source (every watched one with ``every``) once; yield ``(source, WebOutcome)``.

    Up to ``workers`` (``CAPTURE_WATCH_WORKERS``) addresses are fetched at once, in threads that
    only fetch; what each check found is recorded in this thread, in the order of the sources, so
    the database sees one writer whatever the number of workers.
    """
    workers = max(1, workers or settings.CAPTURE_WATCH_WORKERS)
    sources = due_sources(every=every).order_by("last_checked_at", "pk").iterator(chunk_size=500)
    with (
        httpx.Client(timeout=settings.CAPTURE_TIMEOUT, follow_redirects=False, trust_env=False) as client,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="watch") as pool,
    ):
        # A window of fetches ahead of the one being recorded: bounded, so that a pass over many
        # sources holds at most ``2 × workers`` responses in memory.
        politeness = Politeness(client=client, interval=settings.CAPTURE_PER_HOST_INTERVAL)
        window = deque(
            (source, pool.submit(_fetch_for_check, source, client, politeness))
            for source in islice(sources, workers * 2)
        )
        not_modified = []
        try:
            while window:
                source, future = window.popleft()
                for following in islice(sources, 1):
                    window.append((following, pool.submit(_fetch_for_check, following, client, politeness)))
                yield source, _checked(source, future.result(), user=user, not_modified=not_modified)
                if len(not_modified) >= NOT_MODIFIED_BATCH:
                    _record_not_modified(not_modified)
        finally:
            _record_not_modified(not_modified)


def _record_not_modified(sources: list[Source]) -> None:
    """Record the checks of ``sources`` that answered a plain ``304`` (unchanged), in one query; empty the list."""
    if not sources:
        return
    values = {"last_checked_at": timezone.now(), "check_status": CheckStatus.UNCHANGED, "check_message": ""}
    Source.objects.filter(pk__in=[source.pk for source in sources]).update(**values)
    for source in sources:
        for name, value in values.items():
            setattr(source, name, value)
    sources.clear()
