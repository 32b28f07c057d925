"""The small interface every importer module implements.

An importer module exposes ``FORMAT`` (its short name), ``EXTENSIONS`` (file name endings it
claims) and ``parse(data: bytes, filename: str, *, encoding: str | None = None) -> ParsedDocument``;
``encoding`` makes it read the bytes in that encoding instead of detecting one. It raises
``ImportProblem`` for input it cannot read; everything else (deduplication, revisions, saving)
is the import service's job (``sources.services``).
"""

from dataclasses import dataclass, field
from datetime import datetime


class ImportProblem(Exception):
    """Input that cannot be imported. The message names the problem; ``line`` points at it."""

    def __init__(self, message, *, line=None, field=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field

    def __str__(self):
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ParsedAuthor:
    name: str
    location: str = ""


@dataclass
class ParsedDocument:
    """What an importer read from one file, before anything is saved.

    ``published_at`` and ``updated_at`` may be naive when the document printed a time without a
    zone; the service reads them in the publisher's zone.
    """

    title: str
    text: str
    format: str
    byline: str = ""
    authors: list[ParsedAuthor] = field(default_factory=list)
    publisher: str = ""
    section: str = ""
    url: str = ""
    language: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    encoding_confidence: float | None = None
    warnings: list[str] = field(default_factory=list)
