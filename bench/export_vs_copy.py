"""HTTP exports against PostgreSQL's own ``COPY … TO STDOUT`` of the same columns (issue #10).

Usage:
    python bench/export_vs_copy.py [--claims 100000] [--formats csv,json,annotations]
                                   [--database-url URL] [--reuse]

Builds the data set of ``export_bench.py`` (two citations per claim) in a PostgreSQL database
(``--database-url``, default ``postgres://postgres@127.0.0.1:5432/helper_export_bench``), or with
``--reuse`` exports what is there. Then, per format, in a fresh process each (so that the peak
RSS is the export's own):

* the export as a view answers it: ``export_response`` over every published claim, its
  ``streaming_content`` read to the end (bytes counted, nothing kept);
* the ``COPY (SELECT …) TO STDOUT`` of the same columns, joined the same way (the approved public
  version's fields, one row per citation, with the cited revision, source and publisher), read
  block by block. For the claim-set JSON, which also lists every cited source with its revisions'
  texts, that is a second ``COPY`` of those rows.

Prints a table of format, rows, export seconds, COPY seconds, their ratio and each process's peak
RSS (the export process's after it, and its RSS before the export started, once Django is loaded),
and the CPU seconds each process spent (the client's only, not the database server's: on a shared
machine the wall-clock ratio moves with the load, the CPU time much less).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helper_export_bench"
BASE_URL = "https://bench.example"

# One row per citation of a published claim's approved version (a claim without any gets one row),
# with the columns the CSV holds, in export order.
CITATION_ROWS = """
    SELECT c.id, c.public_snapshot->>'statement', c.public_snapshot->'speaker'->>'name', c.status,
           array_to_string(ARRAY(SELECT jsonb_array_elements_text(c.public_snapshot->'tags')), '; '),
           cited->>'excerpt', cited->>'start', cited->>'end', s.title, p.name, s.byline, s.url,
           s.published_at, s.updated_at, r.number, r.sha256,
           '{base}/claims/' || c.id || '/' || coalesce(c.public_snapshot->>'slug', c.slug) || '/',
           c.public_snapshot->>'claim_date', c.public_snapshot->>'verdict',
           c.public_snapshot->>'verdict_explanation', cited->>'note', s.section, s.language{extra}
    FROM editorial_claim c
    LEFT JOIN LATERAL jsonb_array_elements(c.public_snapshot->'citations') WITH ORDINALITY AS t(cited, n) ON true
    LEFT JOIN sources_revision r ON r.id = (cited->>'revision')::bigint
    LEFT JOIN sources_source s ON s.id = r.source_id
    LEFT JOIN sources_publisher p ON p.id = s.publisher_id
    WHERE c.status IN ('published', 'corrected') AND c.public_snapshot IS NOT NULL
    ORDER BY c.id, t.n
"""
# The cited sources with their revisions (texts included), as the claim-set JSON lists them.
CITED_SOURCES = """
    SELECT s.id, s.title, s.url, p.name, s.section, s.byline, s.language, s.published_at, s.updated_at,
           r.number, r.sha256, r.captured_at, r.publisher_updated_at, r.text
    FROM sources_source s
    LEFT JOIN sources_publisher p ON p.id = s.publisher_id
    JOIN sources_revision r ON r.source_id = s.id
    WHERE s.id IN (
        SELECT (cited->>'source')::bigint FROM editorial_claim c,
               jsonb_array_elements(c.public_snapshot->'citations') AS cited
        WHERE c.status IN ('published', 'corrected') AND c.public_snapshot IS NOT NULL
    )
    ORDER BY s.id, r.number
"""
COPY_QUERIES = {
    "csv": [CITATION_ROWS.format(base=BASE_URL, extra="")],
    "json": [
        CITED_SOURCES,
        CITATION_ROWS.format(base=BASE_URL, extra=", cited->>'prefix', cited->>'suffix', c.public_snapshot->'tags'"),
    ],
    "annotations": [
        CITATION_ROWS.format(base=BASE_URL, extra=", cited->>'prefix', cited->>'suffix', r.captured_at, c.published_at")
    ],
}


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "bench.example")
    import django

    django.setup()


def child_export(fmt):
    """Run one HTTP export; return its seconds, bytes and the RSS before and after."""
    from django.test import RequestFactory

    from editorial.exports import export_response
    from editorial.models import Claim

    request = RequestFactory(SERVER_NAME="bench.example").get(f"/claims/export/{fmt}/")
    before = peak_rss_mb()
    cpu = cpu_seconds()
    started = time.perf_counter()
    response = export_response(fmt, Claim.objects.order_by("pk"), filename="claims", request=request)
    size = sum(len(block) for block in response.streaming_content)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "bytes": size,
        "rss_before": before,
        "rss": peak_rss_mb(),
    }


def child_copy(fmt):
    """Run the ``COPY`` of the format's columns; return its seconds, bytes and rows."""
    from django.db import connection

    size = rows = 0
    cpu = cpu_seconds()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for query in COPY_QUERIES[fmt]:
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    size += len(block)
                    rows += bytes(block).count(b"\n")  # close enough: texts hold newlines too
    return {
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "bytes": size,
        "rows": rows,
        "rss": peak_rss_mb(),
    }


def run_child(arguments, kind, fmt):
    command = [sys.executable, __file__, "--database-url", arguments.database_url, "--child", f"{kind}:{fmt}"]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode:
        sys.exit(f"{kind} {fmt} failed:\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def fastest(runs):
    return min(runs, key=lambda run: run["seconds"])


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,json,annotations")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reuse", action="store_true", help="Export the data already in the database.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per measurement; the fastest is kept.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    setup_django(arguments.database_url)
    if arguments.child:
        kind, fmt = arguments.child.split(":")
        print(json.dumps((child_export if kind == "export" else child_copy)(fmt)))
        return

    from django.core.management import call_command
    from django.db import connection

    from bench.export_bench import CITATIONS_PER_CLAIM, build
    from editorial.models import Citation, Claim

    if connection.vendor != "postgresql":
        sys.exit("COPY needs PostgreSQL; give --database-url postgres://…")
    call_command("migrate", verbosity=0)
    if not arguments.reuse:
        if Claim.objects.exists():
            sys.exit("The database already holds claims; give an empty one, or --reuse to export what is there.")
        started = time.perf_counter()
        build(arguments.claims * CITATIONS_PER_CLAIM)
        print(f"built in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"claims: {Claim.objects.count()}, citations: {Citation.objects.count()}")
    connection.close()

    print(
        f"{'format':<12} {'rows':>9} {'export s':>9} {'COPY s':>7} {'ratio':>6} {'CPU s':>6} {'COPY CPU':>8} "
        f"{'RSS MB':>7} {'(start)':>8} {'COPY RSS':>8} {'MB out':>7}"
    )
    for fmt in filter(None, arguments.formats.split(",")):
        exported = fastest(run_child(arguments, "export", fmt) for _ in range(arguments.repeat))
        copied = fastest(run_child(arguments, "copy", fmt) for _ in range(arguments.repeat))
        print(
            f"{fmt:<12} {copied['rows']:>9} {exported['seconds']:>9.2f} {copied['seconds']:>7.2f} "
            f"{exported['seconds'] / copied['seconds']:>6.2f} {exported['cpu']:>6.2f} {copied['cpu']:>8.2f} "
            f"{exported['rss']:>7.0f} {exported['rss_before']:>8.0f} "
            f"{copied['rss']:>8.0f} {exported['bytes'] / 2**20:>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
