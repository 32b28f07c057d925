"""CSV, one row per citation, for spreadsheets and data tools.

A claim without citations still gets one row, with the citation columns empty. UTF-8; with
``bom`` a byte-order mark goes first, so that spreadsheet programs read the file as UTF-8.

Columns (``COLUMNS``): the claim (id, statement, speaker, status, tags), the citation (excerpt,
offsets), its source (title, publisher, byline, address, publication and update times), the
revision (number, SHA-256), the claim's public address; then, added later and so placed last to
keep every earlier column where readers of the file expect it: the claim's date, verdict and the
verdict's explanation, the citation's note, the source's section and language. Statuses and
verdicts are written as their codes (``published``, ``disputed``), dates as YYYY-MM-DD.

A cell that a spreadsheet would run as a formula — text starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return — is written with a leading ``'`` (OWASP "CSV injection"), so a quoted
statement like "=HYPERLINK(…)" stays text. Numbers are written as they are.
"""

import csv
import io
from collections.abc import Iterator

from editorial.exports import records
from editorial.exports.base import write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat

NAME = "csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"
LABEL = "CSV (one row per citation)"

COLUMNS = [
    "claim_id",
    "statement",
    "speaker",
    "status",
    "tags",
    "excerpt",
    "start",
    "end",
    "source_title",
    "publisher",
    "byline",
    "url",
    "published_at",
    "updated_at",
    "revision",
    "sha256",
    "permalink",
    "claim_date",
    "verdict",
    "verdict_explanation",
    "citation_note",
    "section",
    "language",
]
TAG_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Return ``value`` safe for a spreadsheet cell: text that could run as a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(
    claims, *, version=PUBLIC, base_url=None, claim_set=None, bom=False, chunk_size=CHUNK_SIZE
) -> Iterator[str]:
    """Yield the CSV text of ``claims``: a header row, then a chunk of rows per chunk of claims."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    for chunk in records.claim_chunks(claims, version=version, base_url=base_url, chunk_size=chunk_size):
        buffer.seek(0)
        buffer.truncate()
        for claim in chunk:
            for row in _rows(claim):
                writer.writerow([neutralise(value) for value in row])
        yield buffer.getvalue()


def _rows(claim):
    head = [claim.pk, claim.statement, claim.speaker_name, claim.status, TAG_SEPARATOR.join(claim.tags)]
    claim_tail = [isoformat(claim.claim_date) or "", claim.verdict, claim.verdict_explanation]
    if not claim.citations:
        yield [*head, *[""] * 11, claim.permalink, *claim_tail, "", "", ""]
    for citation in claim.citations:
        source, revision = citation.source, citation.revision
        yield [
            *head,
            citation.excerpt,
            citation.start,
            citation.end,
            source.title,
            source.publisher,
            source.byline,
            source.url,
            isoformat(source.published_at) or "",
            isoformat(source.updated_at) or "",
            revision.number,
            revision.sha256,
            claim.permalink,
            *claim_tail,
            citation.note,
            source.section,
            source.language,
        ]
