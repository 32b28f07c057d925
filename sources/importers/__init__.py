"""Importers, one module per input format, and the registry that picks one for a file.

Each module implements the interface in ``base``: ``FORMAT``, ``EXTENSIONS`` and
``parse(data, filename) -> ParsedDocument``. To add a format, write the module and add it to
``FORMATS`` below.
"""

import re
from pathlib import PurePath

from sources.importers import html, markdown, text
from sources.importers.base import ImportProblem, ParsedAuthor, ParsedDocument

__all__ = ["FORMATS", "ImportProblem", "ParsedAuthor", "ParsedDocument", "detect_format", "get_importer"]

FORMATS = {module.FORMAT: module for module in (text, markdown, html)}

# A file whose first non-blank line is "---" opens with YAML front matter.
_FRONT_MATTER_START = re.compile(rb"^(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)*---[ \t]*\r?\n")


def known_formats():
    """Return "html (.html, .htm), markdown (.md, .markdown), text (.txt)" for messages."""
    return ", ".join(f"{name} ({', '.join(FORMATS[name].EXTENSIONS)})" for name in sorted(FORMATS))


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
    kind = f"file type “{suffix}”" if suffix else "file type (no extension)"
    raise ImportProblem(f"unknown {kind}; choose a format (known formats: {known_formats()})")
