"""What the Markdown and HTML dossiers share: claims with numbered footnotes, one per citation.

A footnote gives the excerpt, the source's title, publisher and byline, its publication and update
times (in the publisher's time zone), the address with a Text Fragment to the passage (our revision
page when the source has none), and the revision quoted with its SHA-256. Footnotes are numbered
through the whole document.

An excerpt is printed between quotation marks, unless it already begins or ends with one (a
passage quoting a speaker's own words): the excerpt's characters are kept as cited, and doubled
marks (““We …””) would read as a typo.
"""

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from editorial.exports import records
from editorial.models import ClaimStatus, Verdict

DATE_FORMAT = "%Y-%m-%d %H:%M %Z"

# Marks that open or close a quotation. The closing single quote (’) is left out: it is also the
# apostrophe that ends "the workers’".
OPENING_QUOTES = '"“„‟«‹‘「『'
CLOSING_QUOTES = '"”»›」』'
# Punctuation a passage may end with after its closing quotation mark (“… today”.).
TRAILING_PUNCTUATION = ".,;:!?…"


def quoted(excerpt):
    """Return ``excerpt`` between “ and ”, or as it is when it begins or ends with a quotation mark."""
    text = excerpt.strip()
    if text.startswith(tuple(OPENING_QUOTES)) or text.rstrip(TRAILING_PUNCTUATION).endswith(tuple(CLOSING_QUOTES)):
        return excerpt
    return f"“{excerpt}”"


@dataclass
class Footnote:
    number: int
    excerpt: str
    source_title: str
    publisher: str
    byline: str
    published: str
    updated: str
    url: str  # the original page with a Text Fragment; "" when the source has no address
    revision_number: int
    revision_url: str
    sha256: str
    captured: str
    note: str

    @property
    def quoted_excerpt(self):
        return quoted(self.excerpt)


@dataclass
class DossierClaim:
    number: int
    claim: records.ClaimRecord
    footnotes: list[Footnote]

    @property
    def status_label(self):
        return ClaimStatus(self.claim.status).label if self.claim.status in ClaimStatus.values else self.claim.status

    @property
    def verdict_label(self):
        verdict = self.claim.verdict
        return Verdict(verdict).label if verdict in Verdict.values else verdict


def local_time(value, zone_name):
    """Return ``value`` as ``2022-08-16 13:19 BST`` in the zone ``zone_name``; "" for None."""
    if value is None:
        return ""
    return value.astimezone(zoneinfo.ZoneInfo(zone_name)).strftime(DATE_FORMAT)


def dossier_claims(claims, *, version, base_url, chunk_size):
    """Yield ``DossierClaim`` for ``claims``, numbering claims and footnotes through the document."""
    footnote_number = 0
    for number, claim in enumerate(
        records.iter_claims(claims, version=version, base_url=base_url, with_texts=True, chunk_size=chunk_size),
        start=1,
    ):
        footnotes = []
        for citation in claim.citations:
            footnote_number += 1
            source, revision = citation.source, citation.revision
            footnotes.append(
                Footnote(
                    number=footnote_number,
                    excerpt=citation.excerpt,
                    source_title=source.title,
                    publisher=source.publisher,
                    byline=source.byline or ", ".join(name for name, _ in source.authors),
                    published=local_time(source.published_at, source.time_zone),
                    updated=local_time(source.updated_at, source.time_zone),
                    url=citation.fragment_url if source.url else "",
                    revision_number=revision.number,
                    revision_url=revision.url,
                    sha256=revision.sha256,
                    captured=local_time(revision.captured_at, settings.TIME_ZONE),
                    note=citation.note,
                )
            )
        yield DossierClaim(number=number, claim=claim, footnotes=footnotes)


def heading(claim_set):
    return claim_set.title if claim_set is not None else "Cited claims"


def exported_line(*, version, base_url):
    when = local_time(timezone.now(), settings.TIME_ZONE)
    which = "approved public versions" if version == records.PUBLIC else "stored versions, every status"
    return f"Exported {when} from {base_url} ({which})."
