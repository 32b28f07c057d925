"""Time the public pages and the API against an already loaded database; print a markdown table.

Usage:
    python bench/pages.py [--database-url URL] [--repeat 15] [--warmup 2] [--word minister]
                          [--tag SLUG] [--source SLUG] [--speaker SLUG] [--publisher SLUG]
                          [--claim ID] [--page 200] [--only NAME,…] [--json FILE] [--show-sql]
                          [--after-change [--cold-cards]]

Each page is requested in this process with ``django.test.Client`` (debug off, as in production):
``--warmup`` requests first, the last of them with its SQL captured, then ``--repeat`` timed
requests. Then the captured reads are replayed directly on the same database connection
``--repeat`` times, every row fetched, so that the table shows how much of a page's time is the
database's (``SQL p50``) and how much is Python: the ORM, the filters, the templates (``ratio`` is
page p50 over SQL p50). Statements other than reads (the API throttle's cache update, its BEGIN and
COMMIT) are counted in ``queries`` but not replayed.

The tag, source, speaker, publisher and claim the pages show are chosen by queries at start (the
busiest of each in the public read model); each has a flag to name another. The database must be
migrated and loaded (``bench/load.py``); this script writes nothing but cache rows (the API
throttle's, and whatever the pages cache in the database cache) and, with ``--after-change``, a
``PublicChange`` row before each request, so that every page is built as the first reader after a
moderation act gets it: nothing keyed by the record's version is cached. The claim cards, keyed by
what each shows (``editorial.views.cards``), stay cached, as after an act that changed none of the
page's claims; ``--cold-cards`` empties their cache too, so that every card is rendered.
"""

import argparse
import json
import logging
import math
import os
import re
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=15, help="Timed requests (and SQL replays) per page.")
    parser.add_argument("--warmup", type=int, default=2, help="Untimed requests per page first (at least 1).")
    parser.add_argument("--word", default="minister", help="The word searched for with ?q=.")
    parser.add_argument("--tag", help="Tag slug for ?tag= (default: the tag on most listed claims).")
    parser.add_argument("--source", help="Source slug for /sources/<slug>/ (default: the most cited source).")
    parser.add_argument("--speaker", help="Speaker slug for ?speaker= (default: the speaker of most claims).")
    parser.add_argument("--publisher", help="Publisher slug for ?publisher= (default: the most cited publisher).")
    parser.add_argument("--claim", type=int, help="Claim id for its page (default: the claim citing most sources).")
    parser.add_argument("--page", type=int, default=200, help="Page number for /claims/?page=.")
    parser.add_argument("--only", default="", help="Comma-separated page names to run (see the table); default all.")
    parser.add_argument("--json", metavar="FILE", help="Also write the results, with each page's SQL, to FILE.")
    parser.add_argument("--show-sql", action="store_true", help="Print each page's captured SQL.")
    parser.add_argument(
        "--after-change",
        action="store_true",
        help="Note a public change (a PublicChange row) before every request, untimed: the first reader's "
        "page after a moderation act, built with nothing cached (default: a reader's page, cached per version).",
    )
    parser.add_argument(
        "--cold-cards",
        action="store_true",
        help="With --after-change, also empty the cache the claim cards are kept in before every request, "
        "untimed, so that every card is rendered (with Redis that empties the whole cache database).",
    )
    arguments = parser.parse_args()
    if arguments.warmup < 1 or arguments.repeat < 1:
        parser.error("--warmup and --repeat must be at least 1.")
    return arguments


def setup_django(database_url):
    if not database_url:
        sys.exit("Name the database: --database-url URL or DATABASE_URL.")
    os.environ["DATABASE_URL"] = database_url
    # Production settings: debug off (no query log, cached templates). Set before the .env file is
    # read, which fills in only what the environment lacks.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The API's anonymous throttle (120/minute by default) would answer 429 within one run; a high
    # rate keeps its cache reads and writes in the measurement without refusing requests.
    os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")
    import django

    django.setup()


# Choosing what the pages show ------------------------------------------------------------------


def busiest(rows, field):
    """Return the value of ``field`` that occurs on most of ``rows`` (a queryset), or None."""
    from django.db.models import Count

    top = rows.values(field).annotate(n=Count("*")).order_by("-n", field).first()
    return top and top[field], top and top["n"]


def choose(arguments):
    """Return ``{what: (slug or id, note)}`` for the tag, source, speaker, publisher and claim."""
    from taggit.models import Tag

    from editorial.models import PublicEntry, PublicEntrySource, PublicEntryTag, Speaker
    from sources.models import Publisher, Source

    listed_tags = PublicEntryTag.objects.filter(entry__listed=True)
    listed_sources = PublicEntrySource.objects.filter(entry__listed=True)
    chosen = {}

    def pick(what, given, find, unit="listed claims"):
        if given is not None:
            chosen[what] = (given, "given")
            return
        try:
            value, count = find()
        except Exception as error:  # a model changed under the benchmark: say so, run the rest
            chosen[what] = (None, f"could not choose: {error}")
            return
        chosen[what] = (value, f"{count} {unit}" if value is not None else "none found")

    def tag():
        tag_id, count = busiest(listed_tags, "tag")
        return (Tag.objects.get(pk=tag_id).slug if tag_id else None), count

    def source():
        source_id, count = busiest(listed_sources, "source")
        return (Source.objects.get(pk=source_id).slug if source_id else None), count

    def speaker():
        speaker_id, count = busiest(PublicEntry.objects.filter(listed=True, speaker__isnull=False), "speaker")
        return (Speaker.objects.get(pk=speaker_id).slug if speaker_id else None), count

    def publisher():
        publisher_id, count = busiest(listed_sources.filter(source__publisher__isnull=False), "source__publisher")
        return (Publisher.objects.get(pk=publisher_id).slug if publisher_id else None), count

    def claim():
        return busiest(listed_sources, "entry")

    pick("tag", arguments.tag, tag)
    pick("source", arguments.source, source)
    pick("speaker", arguments.speaker, speaker)
    pick("publisher", arguments.publisher, publisher)
    pick("claim", arguments.claim, claim, unit="sources cited")
    return chosen


def claim_url(claim_id):
    from editorial.models import Claim

    claim = Claim.objects.filter(pk=claim_id).first()
    try:
        return claim.get_absolute_url() if claim else f"/claims/{claim_id}/"
    except Exception:  # the URLconf does not import (a change in progress): the page will say so
        return f"/claims/{claim_id}/{claim.slug or 'claim'}/"


def pages(arguments, chosen):
    """Return ``[(name, url)]`` of the pages to time; a page whose subject was not found is left out."""
    from urllib.parse import urlencode

    value = {what: found for what, (found, _) in chosen.items()}
    candidates = [
        ("home", "/"),
        ("claims", "/claims/"),
        ("claims tag", value["tag"] and "/claims/?" + urlencode({"tag": value["tag"]})),
        ("claims search", "/claims/?" + urlencode({"q": arguments.word})),
        (f"claims page {arguments.page}", f"/claims/?page={arguments.page}"),
        ("claims speaker", value["speaker"] and "/claims/?" + urlencode({"speaker": value["speaker"]})),
        ("claims publisher", value["publisher"] and "/claims/?" + urlencode({"publisher": value["publisher"]})),
        ("claim detail", value["claim"] and claim_url(value["claim"])),
        ("source detail", value["source"] and f"/sources/{value['source']}/"),
        ("feed", "/feeds/claims.atom"),
        ("api claims", "/api/claims/"),
    ]
    only = {name.strip() for name in arguments.only.split(",") if name.strip()}
    return [(name, url) for name, url in candidates if url and (not only or name in only)]


# Measuring ---------------------------------------------------------------------------------------


def percentile(values, fraction):
    """Return the ``fraction`` percentile of ``values`` (nearest rank), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


# A server-side cursor (``QuerySet.iterator()`` on PostgreSQL) is captured as its DECLARE.
DECLARE_CURSOR = re.compile(r"^\s*DECLARE\s+\S+\s+.*?\bCURSOR\b.*?\bFOR\s+(.*)$", re.IGNORECASE | re.DOTALL)


def read_of(sql):
    """Return the read ``sql`` makes (itself, or the SELECT a cursor declares), or None for a write."""
    declared = DECLARE_CURSOR.match(sql)
    if declared:
        sql = declared.group(1)
    return sql if sql.lstrip().split(None, 1)[0].upper() in {"SELECT", "WITH", "VALUES"} else None


def replay(statements, repeat):
    """Run ``statements`` (SQL text) on the default connection ``repeat`` times; return the times in ms.

    Every row is fetched, as the page fetches it. Nothing is replayed when there is nothing to read.
    """
    from django.db import connection

    if not statements:
        return []
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            for sql in statements:
                # No parameters: the captured text already holds them (and a literal % stays one).
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def measure(client, name, url, arguments):
    """Request ``url`` and replay its reads; return a result dictionary for the table and the JSON."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def get():
        if arguments.after_change:
            from editorial.public.readmodel import bump

            bump()  # a change readers can see: every cache keyed by the version misses
            if arguments.cold_cards:
                from editorial.views.cards import card_cache

                card_cache().clear()  # and no claim's card is kept: the page renders every one
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response, body, (time.perf_counter() - started) * 1000

    result = {"page": name, "url": url}
    try:
        for _ in range(arguments.warmup - 1):
            get()
        with CaptureQueriesContext(connection) as captured:
            response, body, _ = get()
        queries = [query["sql"] for query in captured.captured_queries]
        times = [get()[2] for _ in range(arguments.repeat)]
    except Exception as error:  # the views are being changed by others: record the error, go on
        result.update(status="error", error=f"{type(error).__name__}: {error}")
        return result
    finally:
        reset_queries()
    reads = [read for read in map(read_of, queries) if read]
    try:
        sql_times = replay(reads, arguments.repeat)
        replay_error = None
    except Exception as error:
        sql_times, replay_error = [], f"{type(error).__name__}: {error}"
    page_p50, sql_p50 = percentile(times, 0.5), percentile(sql_times, 0.5)
    result.update(
        status=response.status_code,
        p50_ms=page_p50,
        p95_ms=percentile(times, 0.95),
        sql_p50_ms=sql_p50,
        ratio=(page_p50 / sql_p50) if sql_p50 else None,
        queries=len(queries),
        replayed=len(reads),
        bytes=len(body),
        sql=queries,
    )
    if replay_error:
        result["error"] = f"replay: {replay_error}"
    return result


# Reporting ---------------------------------------------------------------------------------------


def facts():
    """Return the database's size facts: rows of claims, public entries and sources, and its size."""
    from django.apps import apps
    from django.db import connection

    from editorial.models import Claim
    from sources.models import Source

    found = {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "claims": Claim.objects.count(),
        "published claims": Claim.objects.published().count(),
    }
    tables = set(connection.introspection.table_names())
    if "editorial_publicentry" in tables:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE listed) FROM editorial_publicentry")
            found["public entries"], found["listed public entries"] = cursor.fetchone()
    found["sources"] = Source.objects.count()
    missing = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in tables
    )
    if missing:
        # A model whose migration is not written or not applied yet: its pages will fail.
        found["tables missing (migrate?)"] = ", ".join(missing)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
            found["database size"], version = cursor.fetchone()
            found["server"] = " ".join(version.split()[:2])
    elif connection.vendor == "sqlite" and os.path.exists(connection.settings_dict["NAME"]):
        found["database size"] = f"{os.path.getsize(connection.settings_dict['NAME']) / 1e6:.0f} MB"
    # Other work on the machine shows up in p95 first; the load average says whether to trust a run.
    found["load average (1, 5, 15 min)"] = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    return found


def number(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def table(results):
    lines = [
        "| page | status | p50 ms | p95 ms | SQL p50 ms | ratio | queries | HTML KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if result["status"] == "error":
            lines.append(f"| {result['page']} | error | – | – | – | – | – | – |")
            continue
        queries = str(result["queries"])
        if result["replayed"] != result["queries"]:
            queries += f" ({result['queries'] - result['replayed']} not replayed)"
        lines.append(
            f"| {result['page']} | {result['status']} | {number(result['p50_ms'])} | {number(result['p95_ms'])} "
            f"| {number(result['sql_p50_ms'])} | {number(result['ratio'])} | {queries} "
            f"| {number(result['bytes'] / 1024)} |"
        )
    return "\n".join(lines)


def main():
    arguments = parse_arguments()
    setup_django(arguments.database_url)

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    staticfiles = settings.STORAGES["staticfiles"]
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # Without ``collectstatic`` the manifest storage cannot name a file; the plain storage
        # costs the same per {% static %} as a manifest lookup, near enough.
        staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    overrides = override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
    )
    overrides.enable()

    print("## Database\n")
    for key, value in facts().items():
        print(f"- {key}: {value}")
    chosen = choose(arguments)
    print("\n## Chosen\n")
    for what, (value, note) in chosen.items():
        print(f"- {what}: {value} ({note})")
    print(f"- search word: {arguments.word}")

    # A failing page is reported in the table with its error; its traceback would bury the table.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    client = Client()
    results = []
    for name, url in pages(arguments, chosen):
        print(f"… {name}: {url}", file=sys.stderr, flush=True)
        result = measure(client, name, url, arguments)
        results.append(result)
        if result.get("error"):
            print(f"   {result['error']}", file=sys.stderr)

    print(f"\n## Pages ({arguments.repeat} timed requests each after {arguments.warmup} warm-up)\n")
    print(table(results))
    for result in results:
        if result.get("error"):
            print(f"\n- {result['page']}: {result['error']}")
    if arguments.show_sql:
        for result in results:
            print(f"\n### {result['page']} — {result['url']}\n")
            for sql in result.get("sql", []):
                print(f"    {sql}")
    if arguments.json:
        document = {
            "facts": facts(),
            "chosen": {what: value for what, (value, _) in chosen.items()},
            "word": arguments.word,
            "repeat": arguments.repeat,
            "warmup": arguments.warmup,
            "pages": results,
        }
        Path(arguments.json).write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        print(f"\nWrote {arguments.json}.")
    overrides.disable()


if __name__ == "__main__":
    main()
