"""Time and peak memory of every export format over a large generated data set.

Usage:
    python bench/export_bench.py [--citations 100000] [--formats csv,json,…] [--chunk-size 500]
                                 [--database-url URL] [--keep]

Builds a scratch database (``--database-url`` / ``DATABASE_URL``, else a temporary SQLite file)
with ``--citations`` citations: two per claim, claims published with an approved public version,
sources with two revisions of about 2 KB each (50 citations per source), bylines, speakers, tags
and relations. Rows are written with ``bulk_create`` (derived fields — SHA-256, prefix/suffix, the
public snapshot — computed here), so building is fast; the data is what the workflow would make.

Then, per format, exports every published claim the way an HTTP export does (approved public
versions), plus the staff command's live JSON backup, writing to a sink that counts characters.
Each export runs twice: once for the time, once under ``tracemalloc`` for the peak memory
allocated by Python during the export (tracemalloc slows Python down, so its run is not timed).
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPHS = [
    "Passengers on the Portlaine–Kellbridge crossing will pay about {n} per cent more from May after the "
    "harbour board approved a revised timetable on Wednesday night 🌊.",
    "The board’s chair said the increase was “the smallest rise that keeps both boats sailing through the "
    "winter” and that fuel and crew costs had climbed faster than ticket income for {n} years.",
    "Opponents were not persuaded. A councillor who represents the island wards called the decision “a tax "
    "on living at sea” and said he would ask the regional assembly to review it 𝔅.",
    "Under the plan, the first sailing of the day moves from 06:10 to 06:40 and a late boat is added on "
    "Fridays. Freight operators get a fixed slot at midday.",
    "Harbour master {n} said the new rota would let crews rest properly between shifts. “We have been asking "
    "people to work a twelve-hour day on a moving deck,” he said.",
    "Season tickets for island residents are frozen at this year’s price, the board confirmed. Students and "
    "pensioners keep their half-price fares.",
    "The regional assembly meets again in {n} weeks; its transport committee has asked for the board’s "
    "costings, which have not been published.",
    "Ferry operators elsewhere on the coast raised fares by between {n} and 15 per cent this year, according "
    "to figures from the ports authority.",
]
CITATIONS_PER_CLAIM = 2
CITATIONS_PER_SOURCE = 50


class Sink:
    """A text stream that keeps nothing, only counts what is written."""

    def __init__(self):
        self.characters = 0

    def write(self, text):
        self.characters += len(text)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--citations", type=int, default=100_000)
    parser.add_argument("--formats", default="", help="Comma-separated; default: all.")
    parser.add_argument("--chunk-size", type=int, default=None, help="Claims per chunk (default: the exporters').")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="Keep the scratch SQLite file.")
    parser.add_argument("--reuse", action="store_true", help="Use the data already in the database.")
    return parser.parse_args()


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build(citation_count):
    """Create the data set with ``bulk_create``; return the number of claims."""
    import datetime
    import random

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from editorial.anchoring import context
    from editorial.models import Citation, Claim, ClaimRelation, Speaker, statement_slug
    from sources.models import Author, Byline, Publisher, Revision, Source, text_sha256

    rng = random.Random(7)
    now = timezone.now()
    batch = 2000
    source_count = max(1, citation_count // CITATIONS_PER_SOURCE)
    claim_count = citation_count // CITATIONS_PER_CLAIM

    publishers = Publisher.objects.bulk_create(
        [Publisher(name=f"Bench Gazette {n}", slug=f"bench-gazette-{n}") for n in range(20)]
    )
    authors = Author.objects.bulk_create(
        [Author(name=f"Reporter {n}", normalised_name=f"reporter {n}", slug=f"reporter-{n}") for n in range(200)]
    )
    sources = Source.objects.bulk_create(
        [
            Source(
                title=f"Ferry fares story {n}",
                slug=f"ferry-fares-story-{n}",
                publisher=publishers[n % len(publishers)],
                url=f"https://bench.example/stories/{n}" if n % 4 else "",
                section="Coastal affairs",
                byline=f"Reporter {n % 200} in Portlaine and Reporter {(n + 1) % 200} in Kellbridge",
                language="en",
                published_at=now - datetime.timedelta(days=n % 900, hours=n % 24),
                updated_at=now - datetime.timedelta(days=n % 900),
            )
            for n in range(source_count)
        ],
        batch_size=batch,
    )
    Byline.objects.bulk_create(
        [
            Byline(source=source, author=authors[(n + offset) % len(authors)], position=offset + 1, location=place)
            for n, source in enumerate(sources)
            for offset, place in enumerate(["Portlaine", "Kellbridge"])
        ],
        batch_size=batch,
    )
    revisions = []
    for n, source in enumerate(sources):
        text = "\n\n".join(paragraph.format(n=n % 97 + 3) for paragraph in PARAGRAPHS)
        for number, body in enumerate([text, text + "\n\nUpdate: the fares take effect in May."], start=1):
            revisions.append(
                Revision(
                    source=source,
                    number=number,
                    text=body,
                    sha256=text_sha256(body),
                    captured_at=now - datetime.timedelta(days=2 - number),
                    title=source.title,
                    byline=source.byline,
                )
            )
    revisions = Revision.objects.bulk_create(revisions, batch_size=batch)
    newest = {revision.source_id: revision for revision in revisions if revision.number == 2}
    for source in sources:
        source.current_revision = newest[source.pk]
    Source.objects.bulk_update(sources, ["current_revision"], batch_size=batch)

    speakers = Speaker.objects.bulk_create(
        [Speaker(name=f"Speaker {n}", slug=f"speaker-{n}") for n in range(100)], batch_size=batch
    )
    tags = Tag.objects.bulk_create([Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(30)])

    revision_of = {(revision.source_id, revision.number): revision for revision in revisions}
    claims, citations, claim_tags = [], [], []
    for n in range(claim_count):
        speaker = speakers[n % len(speakers)]
        statement = f"Bench claim {n}: the fare rise keeps both boats sailing through the winter."
        cited = [
            sources[(n * CITATIONS_PER_CLAIM + k) // CITATIONS_PER_SOURCE % len(sources)]
            for k in range(CITATIONS_PER_CLAIM)
        ]
        snapshot_citations, rows = [], []
        for position, source in enumerate(cited, start=1):
            revision = revision_of[(source.pk, 1 + (n + position) % 2)]
            paragraph = revision.text.split("\n\n")[(n + position) % len(PARAGRAPHS)]
            start = revision.text.index(paragraph)
            excerpt = paragraph[: 40 + rng.randrange(40)].rstrip()
            end = start + len(excerpt)
            prefix, suffix = context(revision.text, start, end)
            rows.append((revision, excerpt, start, end, prefix, suffix, position))
            snapshot_citations.append(
                {
                    "position": position,
                    "source": source.pk,
                    "source_title": source.title,
                    "revision": revision.pk,
                    "revision_number": revision.number,
                    "excerpt": excerpt,
                    "start": start,
                    "end": end,
                    "prefix": prefix,
                    "suffix": suffix,
                    "note": "",
                }
            )
        names = sorted({tags[n % len(tags)].name, tags[(n * 7) % len(tags)].name})
        snapshot = {
            "statement": statement,
            "slug": statement_slug(statement),
            "speaker": {"id": speaker.pk, "name": speaker.name, "description": ""},
            "claim_date": "2024-03-13",
            "tags": names,
            "verdict": "disputed" if n % 5 == 0 else "",
            "verdict_explanation": "No costing was published." if n % 5 == 0 else "",
            "citations": snapshot_citations,
            "approved_at": now.isoformat(),
        }
        claims.append(
            Claim(
                statement=statement,
                slug=snapshot["slug"],
                speaker=speaker,
                claim_date=datetime.date(2024, 3, 13),
                status="published",
                verdict=snapshot["verdict"],
                verdict_explanation=snapshot["verdict_explanation"],
                published_at=now,
                public_snapshot=snapshot,
            )
        )
        citations.append(rows)
        claim_tags.append(names)
    claims = Claim.objects.bulk_create(claims, batch_size=batch)
    Citation.objects.bulk_create(
        [
            Citation(
                claim=claim,
                revision=revision,
                excerpt=excerpt,
                start=start,
                end=end,
                prefix=prefix,
                suffix=suffix,
                position=position,
                anchored_revision=newest[revision.source_id],
                anchor_state="current" if revision.number == 2 else "exact",
            )
            for claim, rows in zip(claims, citations, strict=True)
            for revision, excerpt, start, end, prefix, suffix, position in rows
        ],
        batch_size=batch,
    )
    tag_by_name = {tag.name: tag for tag in tags}
    content_type = ContentType.objects.get_for_model(Claim)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tag_by_name[name], content_type=content_type, object_id=claim.pk)
            for claim, names in zip(claims, claim_tags, strict=True)
            for name in names
        ],
        batch_size=batch,
    )
    ClaimRelation.objects.bulk_create(
        [
            ClaimRelation(from_claim=claims[n], to_claim=claims[n - 1], kind="supports")
            for n in range(1, len(claims), 10)
        ],
        batch_size=batch,
    )
    return len(claims)


def run_export(fmt, version, chunk_size, *, measure_memory):
    from editorial import exports
    from editorial.models import Claim

    claims = Claim.objects.order_by("pk")
    if version == "public":
        claims = claims.published()
    options = {"version": version, "base_url": "https://bench.example"}
    if chunk_size:
        options["chunk_size"] = chunk_size
    if fmt == "json" and version == "live":
        options["all_sources"] = True
    sink = Sink()
    if measure_memory:
        tracemalloc.start()
        tracemalloc.reset_peak()
    started = time.perf_counter()
    exports.write(fmt, claims, sink, **options)
    elapsed = time.perf_counter() - started
    peak = 0
    if measure_memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak, sink.characters


def main():
    arguments = parse_arguments()
    scratch = None
    database_url = arguments.database_url
    if not database_url:
        scratch = Path(tempfile.mkdtemp(prefix="export-bench-")) / "bench.sqlite3"
        database_url = f"sqlite:///{scratch}"
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connection

    from editorial.exports import EXPORTERS
    from editorial.models import Citation, Claim

    print(f"database: {connection.vendor} ({database_url})")
    call_command("migrate", verbosity=0)
    if not arguments.reuse:
        if Claim.objects.exists():
            sys.exit("The database already holds claims; give an empty one, or --reuse to export what is there.")
        started = time.perf_counter()
        build(arguments.citations)
        print(f"built in {time.perf_counter() - started:.1f} s")
    print(f"claims: {Claim.objects.count()}, citations: {Citation.objects.count()}")

    formats = [name for name in arguments.formats.split(",") if name] or list(EXPORTERS)
    runs = [(fmt, "public") for fmt in formats] + ([("json", "live")] if "json" in formats else [])
    print(f"{'format':<12} {'version':<7} {'time s':>8} {'peak MB':>8} {'output MB':>10}")
    for fmt, version in runs:
        elapsed, _, characters = run_export(fmt, version, arguments.chunk_size, measure_memory=False)
        _, peak, _ = run_export(fmt, version, arguments.chunk_size, measure_memory=True)
        print(f"{fmt:<12} {version:<7} {elapsed:>8.1f} {peak / 2**20:>8.1f} {characters / 2**20:>10.1f}", flush=True)

    if scratch is not None:
        connection.close()
        if arguments.keep:
            print(f"kept {scratch}")
        else:
            scratch.unlink()
            scratch.parent.rmdir()


if __name__ == "__main__":
    main()
