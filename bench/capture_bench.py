"""Web capture and watch throughput against a local HTTP server.

Usage:
    python bench/capture_bench.py [--captures 200] [--watched 10000] [--database-url URL]

Starts the test suite's local web server (tests/sources/webserver.py) on 127.0.0.1 and, in a scratch
database (``--database-url`` / ``DATABASE_URL``, else a temporary SQLite file; it is migrated, and
its sources tables are emptied first), measures:

1. captures per second: ``capture_url`` on ``--captures`` distinct article pages (fetch, HTML
   import, revision, WARC file written to a temporary MEDIA_ROOT);
2. one ``watch_pass(every=True)`` over ``--watched`` watched sources (created in bulk) whose
   pages answer ``304 Not Modified`` to the conditional request: time, checks per second, queries.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def serve_not_modified(ports):
    """Serve ``304 Not Modified`` to every conditional request for ``"same"``, in a process of its own."""
    from tests.sources.webserver import Answer, Site

    site = Site()
    site.fallback = Answer(body=b"", headers={"Content-Type": "text/html"}, etag='"same"')
    ports.put(site.server.server_address[1])
    site.server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=200)
    parser.add_argument("--watched", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    options = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="capture-bench-")
    os.environ["DATABASE_URL"] = options.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ["DJANGO_ENV_FILE"] = ""
    os.environ["CAPTURE_ALLOW_PRIVATE_ADDRESSES"] = "1"
    # Every bench page is on one host: the default pause between requests to a host (1 s) would
    # measure the pause. Set CAPTURE_PER_HOST_INTERVAL to see a polite pass over one site.
    os.environ.setdefault("CAPTURE_PER_HOST_INTERVAL", "0")
    os.environ["MEDIA_ROOT"] = f"{scratch}/media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from sources.models import Source, unique_slugs
    from sources.services.web import capture_url, watch_pass
    from tests.sources.webserver import Site, article

    call_command("migrate", verbosity=0)
    Source.objects.all().delete()
    site = Site().start()
    print(f"database: {connection.vendor}; server {site.base}")

    for number in range(options.captures):
        site.page(
            f"/news/{number}",
            article(
                f"Harbour story number {number}",
                f"The harbour board met on day {number} and approved a revised timetable for the crossing.",
                "Passengers will pay a little more from May, the board's chair said after the vote on Wednesday.",
            ),
        )
    started = time.perf_counter()
    for number in range(options.captures):
        outcome = capture_url(site.url(f"/news/{number}"))
        assert outcome.status == "created", outcome
    elapsed = time.perf_counter() - started
    print(f"captures: {options.captures} in {elapsed:.2f} s = {options.captures / elapsed:.1f} per second")

    Source.objects.all().delete()
    # The watched pages are served by another process, so that the server's work does not share
    # this process's interpreter lock with the checks being measured.
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve_not_modified, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    paths = [f"/watched/{number}" for number in range(options.watched)]
    titles = [f"Watched source {number}" for number in range(options.watched)]
    checked = timezone.now() - timezone.timedelta(days=2)
    sources = [
        Source(title=title, slug=slug, url=base + path, watch=True, last_checked_at=checked, check_etag='"same"')
        for title, slug, path in zip(titles, unique_slugs(Source, titles), paths, strict=True)
    ]
    Source.objects.bulk_create(sources, batch_size=1000)
    started = time.perf_counter()
    statuses = {}
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for _source, outcome in watch_pass(every=True):
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    elapsed = time.perf_counter() - started
    print(
        f"watch pass: {options.watched} sources answering 304 in {elapsed:.2f} s "
        f"= {options.watched / elapsed:.0f} checks per second, {counter.count} queries, outcomes {statuses}"
    )
    server.terminate()
    site.stop()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


if __name__ == "__main__":
    main()
