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

On PostgreSQL the public version's rows are written by the database (``csv_postgresql``), the
same text several times faster; elsewhere, and for the live version, by ``csv.writer`` here.
"""

import csv
import io
from collections.abc import Iterator

from editorial.exports import csv_postgresql, records
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


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, bom=False, chunk_size=None) -> Iterator[str]:
    """Yield the CSV text of ``claims``: a header row, then a chunk of rows per chunk of claims.

    ``chunk_size`` defaults to ``records.CHUNK_SIZE``, or to ``csv_postgresql.CHUNK_SIZE`` when the
    database writes the rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    if csv_postgresql.supports(claims, version):
        base_url = records.site_url() if base_url is None else base_url.rstrip("/")
        yield from csv_postgresql.iter_rows(
            claims, base_url=base_url, tag_separator=TAG_SEPARATOR, chunk_size=chunk_size or csv_postgresql.CHUNK_SIZE
        )
        return
    # The columns of a cited revision and its source, ready to write: the same for every citation
    # of it, and a source is cited by many claims.
    cited_columns = {}
    chunks = records.claim_chunks(
        claims,
        version=version,
        base_url=base_url,
        with_relations=False,
        with_speaker_kinds=False,
        chunk_size=chunk_size or CHUNK_SIZE,
    )
    for chunk in chunks:
        buffer.seek(0)
        buffer.truncate()
        rows = []
        for claim in chunk:
            head = (
                claim.pk,
                neutralise(claim.statement),
                neutralise(claim.speaker_name),
                neutralise(claim.status),
                neutralise(TAG_SEPARATOR.join(claim.tags)),
            )
            permalink = neutralise(claim.permalink)
            tail = (
                isoformat(claim.claim_date) or "",
                neutralise(claim.verdict),
                neutralise(claim.verdict_explanation),
            )
            if not claim.citations:
                rows.append((*head, *EMPTY_CITATION, permalink, *tail, "", "", ""))
            for citation in claim.citations:
                revision = citation.revision
                columns = cited_columns.get(revision.pk)
                if columns is None or columns[0] is not revision:
                    if len(cited_columns) >= CACHED_REVISIONS:
                        cited_columns.clear()
                    columns = cited_columns[revision.pk] = (revision, *_revision_columns(revision))
                source_columns, section_and_language = columns[1], columns[2]
                rows.append(
                    (
                        *head,
                        neutralise(citation.excerpt),
                        citation.start,
                        citation.end,
                        *source_columns,
                        permalink,
                        *tail,
                        neutralise(citation.note),
                        *section_and_language,
                    )
                )
        writer.writerows(rows)
        yield buffer.getvalue()


EMPTY_CITATION = ("",) * 11
CACHED_REVISIONS = 2000


def _revision_columns(revision):
    """Return the columns of ``revision`` and its source: (title … sha256), (section, language)."""
    source = revision.source
    return (
        tuple(
            neutralise(value)
            for value in (
                source.title,
                source.publisher,
                source.byline,
                source.url,
                isoformat(source.published_at) or "",
                isoformat(source.updated_at) or "",
                revision.number,
                revision.sha256,
            )
        ),
        (neutralise(source.section), neutralise(source.language)),
    )
