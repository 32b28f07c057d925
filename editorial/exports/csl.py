"""CSL-JSON of the cited sources, for Zotero, Pandoc and other citation processors.

One item per source (see ``bibliography`` for the type and the key): title, publisher (also the
``container-title`` of articles), section, URL, language, authors split into family and given
names, ``issued`` (the publisher's publication date, in its time zone), ``accessed`` (our newest
capture). CSL has no field for a publisher's update time, so it goes in ``note``
("Updated 2022-08-16T12:19:00+00:00") only. It is not an ``available-date``: that is when an item
first became available, before it was issued, and citation styles that read it expect an
``issued`` date beside it (citeproc-py's Chicago author-date crashed on one without).
"""

from collections.abc import Iterator

from editorial.exports import bibliography
from editorial.exports.base import Stream, compact, json_chunks, write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat

NAME = "csl"
MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
EXTENSION = "csl.json"
LABEL = "CSL-JSON (cited sources)"


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield the CSL-JSON array of the sources ``claims`` cite."""
    cited = bibliography.cited_sources(claims, version=version, base_url=base_url, chunk_size=chunk_size)
    yield from json_chunks(Stream(item(entry) for entry in cited))
    yield "\n"


def date_parts(value):
    return {"date-parts": [[value.year, value.month, value.day]]} if value else None


def item(entry):
    """Return the CSL-JSON item (a dict) for a ``bibliography.CitedSource``."""
    source = entry.source
    is_article = entry.kind in (bibliography.NEWSPAPER, bibliography.MAGAZINE)
    updated = isoformat(source.updated_at)
    data = {
        "id": entry.key,
        "type": entry.kind,
        "title": source.title,
        "container-title": source.publisher if is_article else None,
        "publisher": source.publisher,
        "section": source.section,
        "URL": source.url,
        "language": source.language,
        "author": [bibliography.split_name(name) for name, _ in source.authors],
        "issued": date_parts(source.local_date(source.published_at)),
        "accessed": date_parts(source.local_date(entry.accessed)),
        "note": f"Updated {updated}" if updated else None,
    }
    return compact(data)
