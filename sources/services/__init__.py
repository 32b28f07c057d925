"""The sources app's services: capturing documents, importing files, checking stored revisions.

* ``capture`` — the one home of the capture rules every importer follows: ``match_source``,
  ``create_source``, ``capture_revision``, ``create_sources``.
* ``plan`` — ``CapturePlan``: deciding before writing, by those rules (a dry run decides and stops).
* ``imports`` — ``import_file`` and ``import_paths``: files and folders in, ``ImportOutcome`` out.
* ``quick_check`` — ``check_file``: the quick look the admin takes before it queues a large file.
* ``verify`` — ``reverify_revision``.
* ``reread`` — ``reread_revision``: a revision's original read again in another encoding.
* ``fetch``, ``warc``, ``web`` — web captures (docs/capture.md): ``fetch`` (HTTP, with the address
  guard), ``warc_bytes``, and ``capture_url``, ``check_source`` and ``watch_pass``.

Every public name is importable from ``sources.services``.
"""

from sources.services.capture import (
    NewSource,
    capture_revision,
    create_source,
    create_sources,
    find_publisher,
    match_source,
    publisher_named,
    set_bylines,
)
from sources.services.imports import (
    CREATED,
    FAILED,
    NEW_REVISION,
    SKIPPED,
    UNCHANGED,
    ImportOutcome,
    format_size,
    import_document,
    import_file,
    import_paths,
)
from sources.services.plan import CapturePlan, PlannedSource
from sources.services.quick_check import check_file
from sources.services.reread import reread_revision
from sources.services.verify import reverify_revision
from sources.services.web import GONE, WebOutcome, capture_url, check_source, watch_pass

__all__ = [
    "CREATED",
    "FAILED",
    "GONE",
    "NEW_REVISION",
    "SKIPPED",
    "UNCHANGED",
    "CapturePlan",
    "ImportOutcome",
    "NewSource",
    "PlannedSource",
    "WebOutcome",
    "capture_revision",
    "capture_url",
    "check_file",
    "check_source",
    "create_source",
    "create_sources",
    "find_publisher",
    "format_size",
    "import_document",
    "import_file",
    "import_paths",
    "match_source",
    "publisher_named",
    "reread_revision",
    "reverify_revision",
    "set_bylines",
    "watch_pass",
]
