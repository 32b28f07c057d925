"""RIS of the cited sources, for reference managers (EndNote, Zotero, Mendeley).

Types: ``NEWS`` (newspaper article), ``MGZN`` (magazine article), ``ELEC`` (web page), ``RPRT``
(report). Each record: ``TY``, ``ID`` (the source's slug), ``TI``, ``AU`` (``Family, Given``, one
per author), ``T2`` (publication), ``PB``, ``SE`` (section), ``DA``/``PY`` (publication date),
``Y2`` (access date: our newest capture), ``UR``, ``LA``, ``N1`` (the publisher's update time),
``ER``. Line breaks inside a value are folded into spaces; lines end with CR LF as RIS specifies.
"""

from collections.abc import Iterator

from editorial.exports import bibliography
from editorial.exports.base import write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat

NAME = "ris"
MEDIA_TYPE = "application/x-research-info-systems; charset=utf-8"
EXTENSION = "ris"
LABEL = "RIS (cited sources)"

TYPES = {
    bibliography.NEWSPAPER: "NEWS",
    bibliography.MAGAZINE: "MGZN",
    bibliography.WEBPAGE: "ELEC",
    bibliography.REPORT: "RPRT",
}


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield one RIS record per source ``claims`` cite."""
    for entry in bibliography.cited_sources(claims, version=version, base_url=base_url, chunk_size=chunk_size):
        yield record_text(entry)


def _name(name):
    parts = bibliography.split_name(name)
    if "literal" in parts:
        return parts["literal"]
    family = " ".join(filter(None, [parts.get("non-dropping-particle"), parts["family"]]))
    return f"{family}, {parts['given']}"


def record_text(entry):
    """Return the RIS record for a ``bibliography.CitedSource``."""
    source = entry.source
    published = source.local_date(source.published_at)
    accessed = source.local_date(entry.accessed)
    updated = isoformat(source.updated_at)
    lines = [("TY", TYPES[entry.kind]), ("ID", entry.key), ("TI", source.title)]
    lines += [("AU", _name(name)) for name, _ in source.authors]
    lines += [
        ("T2", source.publisher if entry.kind != bibliography.REPORT else ""),
        ("PB", source.publisher),
        ("SE", source.section),
        ("DA", published.strftime("%Y/%m/%d") if published else ""),
        ("PY", str(published.year) if published else ""),
        ("Y2", accessed.strftime("%Y/%m/%d") if accessed else ""),
        ("UR", source.url),
        ("LA", source.language),
        ("N1", f"Updated {updated}" if updated else ""),
    ]
    text = "".join(f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in lines if value)
    return text + "ER  - \r\n\r\n"
