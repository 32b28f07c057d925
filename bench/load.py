"""Load a claim-set JSON file into a benchmark database and time the import.

Usage:
    python bench/load.py FILE [--database-url URL] [--no-analyze]

Migrates the database named by ``--database-url`` (or ``DATABASE_URL``) when migrations are
pending, then runs ``manage.py import_claims FILE`` in this process and reports the time taken,
claims and sources imported per second, and the peak resident memory of the process. On PostgreSQL
it then runs ``ANALYZE`` so that the planner's statistics match the new rows before
``bench/pages.py`` measures anything.

FILE is any editorial.claimset/1 document, for example one written by the platform team's
generator: ``python ../shared/bench/make_big_claimset.py SOURCES CLAIMS > big.json``.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("path", metavar="FILE", help="The claim-set JSON file to import.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--no-analyze", action="store_true", help="Skip ANALYZE after the import (PostgreSQL).")
    return parser.parse_args()


def setup_django(database_url, writer="the import"):
    """Set Django up on ``database_url``, which ``writer`` writes to (so there is no default)."""
    if not database_url:
        sys.exit(f"Name the database: --database-url URL or DATABASE_URL ({writer} writes to it).")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def pending_migrations():
    """Return the number of migrations not yet applied to the default database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def counts():
    """Return ``(claims, sources)`` now in the database."""
    from editorial.models import Claim
    from sources.models import Source

    return Claim.objects.count(), Source.objects.count()


def database_size():
    """Return the database's size in bytes (PostgreSQL), or the file's size (SQLite), else None."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        return os.path.getsize(name) if os.path.exists(name) else None
    return None


def peak_memory_mb():
    # ru_maxrss is in kilobytes on Linux (bytes on macOS; this is a Linux benchmark box).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    arguments = parse_arguments()
    path = Path(arguments.path)
    if not path.is_file():
        sys.exit(f"{path}: no such file.")
    setup_django(arguments.database_url)

    from django.core.management import call_command
    from django.db import connection

    pending = pending_migrations()
    if pending:
        print(f"Applying {pending} migrations …", flush=True)
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"Migrated in {time.perf_counter() - started:.1f} s.")

    claims_before, sources_before = counts()
    print(
        f"Importing {path} ({path.stat().st_size / 1e6:.1f} MB) into {connection.vendor} "
        f"{connection.settings_dict['NAME']} ({claims_before} claims, {sources_before} sources already) …",
        flush=True,
    )
    output = io.StringIO()
    started = time.perf_counter()
    call_command("import_claims", str(path), stdout=output, stderr=sys.stderr)
    elapsed = time.perf_counter() - started
    claims_after, sources_after = counts()
    new_claims, new_sources = claims_after - claims_before, sources_after - sources_before

    print(output.getvalue().strip())
    print(f"Import: {elapsed:.1f} s")
    print(f"  claims:  {new_claims} new, {new_claims / elapsed:.1f}/s")
    print(f"  sources: {new_sources} new, {new_sources / elapsed:.1f}/s")
    print(f"  peak resident memory of this process: {peak_memory_mb():.0f} MB")

    if connection.vendor == "postgresql" and not arguments.no_analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")

    size = database_size()
    if size is not None:
        print(f"Database size: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
