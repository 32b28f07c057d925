"""What the bibliographic exports (CSL-JSON, BibTeX, RIS) share: the cited sources, read in chunks.

A source is listed once, however many claims cite it, in database order. Its kind is guessed
from what is stored, since a source records no document type: a document with a byline is a
newspaper article (a magazine article when the publisher's name says "magazine"); one without a
byline but with an address is a web page; anything else (a statement, a document) is a report.

Each source's key (CSL ``id``, BibTeX key, RIS ``ID``) is its slug: unique in the database, stable
across exports, and made of ``a-z``, ``0-9`` and ``-`` only.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Max

from editorial.exports import records
from editorial.exports.records import CHUNK_SIZE, PUBLIC
from sources.models import Revision

SOURCE_CHUNK_SIZE = 200

NEWSPAPER = "article-newspaper"
MAGAZINE = "article-magazine"
WEBPAGE = "webpage"
REPORT = "report"

# Lower-case words that belong to a family name ("Ursula von der Leyen").
PARTICLES = frozenset({"al", "bin", "da", "de", "del", "della", "der", "di", "dos", "du", "la", "le", "van", "von"})


@dataclass
class CitedSource:
    source: records.SourceRecord
    accessed: object  # datetime of the newest capture
    kind: str

    @property
    def key(self):
        return self.source.slug


def kind_of(source):
    """Return the CSL type of a ``SourceRecord`` (see the module docstring)."""
    if source.byline or source.authors:
        return MAGAZINE if "magazine" in source.publisher.casefold() else NEWSPAPER
    if source.url:
        return WEBPAGE
    return REPORT


def split_name(name):
    """Return ``{"family", "given"[, "non-dropping-particle"]}`` for a person's name (``{"literal"}`` for one word).

    The last word is the family name, the words before it the given names; lower-case particles
    just before the family name ("van", "der") are kept as the CSL non-dropping particle.
    """
    words = name.split()
    if len(words) < 2:
        return {"literal": name.strip()}
    family = words[-1]
    given = words[:-1]
    particles = []
    while len(given) > 1 and given[-1] in PARTICLES:
        particles.insert(0, given.pop())
    parts = {"family": family, "given": " ".join(given)}
    if particles:
        parts["non-dropping-particle"] = " ".join(particles)
    return parts


def cited_sources(claims, *, version=PUBLIC, base_url=None, chunk_size=CHUNK_SIZE) -> Iterator[CitedSource]:
    """Yield the sources ``claims`` cite, once each, in database order (three queries per chunk)."""
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    _, source_ids = records.cited_source_ids(claims, version=version, chunk_size=chunk_size)
    for chunk in records.chunked(sorted(source_ids), SOURCE_CHUNK_SIZE):
        accessed = dict(
            Revision.objects.filter(source_id__in=chunk)
            .values("source_id")
            .annotate(last=Max("captured_at"))
            .values_list("source_id", "last")
        )
        for source in records.load_sources(chunk, base_url=base_url):
            yield CitedSource(source=source, accessed=accessed.get(source.pk), kind=kind_of(source))
