"""Importers, one module per input format, and the registry that picks one for a file.

Each module implements the interface in ``base``: ``FORMAT``, ``EXTENSIONS`` and
``parse(data, filename) -> ParsedDocument``. To add a format, write the module and add it to
``FORMATS`` below.
"""

import re
from pathlib import PurePath

from sources import textutils
from sources.importers import html, markdown, text
from sources.importers.base import ImportProblem, ParsedAuthor, ParsedDocument

__all__ = [
    "BUNDLE_CHECKS",
    "BUNDLE_FORMATS",
    "FORMATS",
    "ImportProblem",
    "ParsedAuthor",
    "ParsedDocument",
    "bundle_handler",
    "detect_format",
    "get_importer",
    "register_bundle_format",
]

FORMATS = {module.FORMAT: module for module in (text, markdown, html)}

# Formats whose files hold many documents at once, such as the editorial app's claim-set JSON
# (sources, revisions and the claims citing them). The app that owns such a format registers it
# from its AppConfig.ready(), so that this app never imports it (data flows sources → editorial).
# name → (extensions, handler); ``handler(data, filename, *, user, operator, dry_run, plan)`` returns
# ``(changed, title, summary, warnings)`` and raises ImportProblem for a file it refuses, writing
# nothing. ``operator`` names the command-line operator when no account acts; the handler decides
# what ``user`` or the operator may do. It captures sources through ``sources.services`` (the
# capture API); in a dry run it decides and writes nothing, and ``plan`` (a ``CapturePlan``) holds
# what the earlier files of the run would have captured, and learns what this file would.
BUNDLE_FORMATS = {}
# handler → ``check(data, filename, *, user, operator)``: a quick look at a file that raises
# ImportProblem for one the handler would refuse (malformed, not the user's to import), writing
# nothing; the admin runs it before it queues a large file for a background import.
BUNDLE_CHECKS = {}


def register_bundle_format(name, extensions, handler, *, check=None):
    BUNDLE_FORMATS[name] = (tuple(extensions), handler)
    if check is not None:
        BUNDLE_CHECKS[handler] = check


def bundle_handler(filename, format=None):
    """Return the handler of the bundle format named ``format`` or claiming ``filename``, else None."""
    if format:
        return BUNDLE_FORMATS[format][1] if format in BUNDLE_FORMATS else None
    suffix = PurePath(filename).suffix.lower()
    for extensions, handler in BUNDLE_FORMATS.values():
        if suffix in extensions:
            return handler
    return None


# A file whose first non-blank line is "---" opens with YAML front matter.
_FRONT_MATTER_START = re.compile(rb"^(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)*---[ \t]*\r?\n")


def known_formats():
    """Return "html (.html, .htm), markdown (.md, .markdown), text (.txt)" for messages."""
    extensions = {name: module.EXTENSIONS for name, module in FORMATS.items()}
    extensions.update({name: exts for name, (exts, _handler) in BUNDLE_FORMATS.items()})
    return ", ".join(f"{name} ({', '.join(extensions[name])})" for name in sorted(extensions))


def get_importer(name):
    """Return the importer module for format ``name``; ``ImportProblem`` names the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ImportProblem(f"unknown format “{name}”; known formats: {known_formats()}") from None


def detect_format(filename, data=b""):
    """Return the format name for ``filename``, judged by its extension.

    A ``.txt`` file that opens with a ``---`` line is Markdown with front matter, not the
    newsroom layout.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".txt" and _FRONT_MATTER_START.match(data[:4096]):
        return markdown.FORMAT
    for name, module in FORMATS.items():
        if suffix in module.EXTENSIONS:
            return name
    kind = f"file type “{textutils.shown(suffix, 20)}”" if suffix else "file type (no extension)"
    raise ImportProblem(f"unknown {kind}; choose a format (known formats: {known_formats()})")
