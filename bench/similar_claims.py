"""Time the similar-claims service (``editorial.similarity``) on a database of N generated claims.

Usage:
    python bench/similar_claims.py --claims 100000 --database-url postgres://postgres@127.0.0.1:5432/s1_bench
    python bench/similar_claims.py --claims 100000 --database-url sqlite:////tmp/similar.sqlite3

Migrates the database when migrations are pending, then tops the claims table up to ``--claims``
rows of generated statements (COPY on PostgreSQL, ``bulk_create`` on SQLite; the index triggers
run as for any insert), runs ``ANALYZE``, and times ``similar_to_claim`` for ``--samples`` random
claims (after ``--warm-up`` untimed calls): p50, p95 and max in ms, and how many candidates and
duplicates were found. On PostgreSQL it prints ``EXPLAIN ANALYZE`` of the candidate queries for
one claim, which shows whether the GIN indexes answer them. ``--page`` also times
``similar_for_claims`` for a page of that many claims (the moderation queue).

The statements are short news-like sentences drawn from templates, a few hundred common words
and some thousands of invented names and words with a long-tailed (Zipf-like) frequency, so that
common words are very common, as in real text, and one claim in twenty is a reworded or
fact-changed copy of another. Nothing is read from the claim-set file of ``load.py``.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import setup_django  # importable once the repository is on the path

COMMON_NOUNS = [
    "council",
    "government",
    "minister",
    "ministry",
    "hospital",
    "school",
    "police",
    "company",
    "bank",
    "court",
    "prices",
    "rents",
    "workers",
    "farmers",
    "teachers",
    "nurses",
    "doctors",
    "students",
    "families",
    "children",
    "pupils",
    "voters",
    "residents",
    "drivers",
    "passengers",
    "budget",
    "tax",
    "fares",
    "wages",
    "pensions",
    "exports",
    "imports",
    "jobs",
    "homes",
    "houses",
    "flats",
    "roads",
    "bridge",
    "tunnel",
    "railway",
    "airport",
    "harbour",
    "port",
    "ferry",
    "tram",
    "bus",
    "station",
    "library",
    "museum",
    "theatre",
    "stadium",
    "market",
    "factory",
    "plant",
    "mine",
    "river",
    "lake",
    "coast",
    "valley",
    "region",
    "district",
    "city",
    "town",
    "village",
    "island",
    "border",
    "army",
    "union",
    "party",
    "election",
    "vote",
    "poll",
    "survey",
    "report",
    "study",
    "law",
    "bill",
    "plan",
    "scheme",
    "fund",
    "grant",
    "debt",
    "loan",
    "contract",
    "strike",
    "protest",
    "trial",
]
COMMON_VERBS = [
    "rose",
    "fell",
    "doubled",
    "halved",
    "increased",
    "decreased",
    "closed",
    "opened",
    "approved",
    "rejected",
    "announced",
    "cancelled",
    "delayed",
    "built",
    "sold",
    "bought",
    "paid",
    "cut",
    "raised",
    "lowered",
    "recorded",
    "reported",
    "received",
    "spent",
    "lost",
    "won",
    "signed",
    "promised",
    "proposed",
    "banned",
    "blocked",
    "funded",
    "hired",
    "employed",
    "treated",
    "visited",
    "flooded",
    "damaged",
]
UNITS = ("people", "tonnes", "euros", "dollars", "jobs", "homes", "beds", "votes", "patients", "passengers")
SCALES = ("", "", "", " thousand", " million", " billion")
# A statement is a subject, a verb, an object and an optional tail, each drawn from these shapes.
SUBJECTS = (
    "The {noun} of {place}",
    "{person}",
    "{place}'s {noun}",
    "The {adjective} {noun} in {place}",
    "A {noun} from {place}",
    "{place} {noun} {noun2}",
    "Most {noun} in {place}",
    "The {noun} run by {person}",
)
OBJECTS = (
    "{number} {unit}",
    "the {noun2} by {percent}%",
    "the {adjective} {noun2}",
    "{number} {unit} for the {noun2} of {place2}",
    "a {noun2} worth {number} {unit}",
    "the {noun2} by {number2} votes to {number3}",
    "its {noun2} to {person2}",
)
TAILS = (
    "",
    ".",
    " in {year}.",
    " last {month}.",
    ", {person2} said.",
    " after the {noun2} in {place2}.",
    " by {year}.",
)
MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
ADJECTIVES = "new old national local regional public private main largest second former rural central".split()  # noqa: SIM905
# Invented words are built from syllables (onset, vowel, coda): about 2,000 of them, so that the
# words' trigrams are as varied as a real vocabulary's, not a handful repeated everywhere.
ONSETS = ("", "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p", "pl", "r")
ONSETS += ("s", "sk", "st", "t", "tr", "v", "w", "z")
VOWELS = ("a", "e", "i", "o", "u", "ae", "ei", "ou", "y")
CODAS = ("", "", "n", "r", "l", "s", "m", "t", "k", "nd", "rk", "st")
SYLLABLES = [onset + vowel + coda for onset in ONSETS for vowel in VOWELS for coda in CODAS]


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--claims", type=int, default=100_000, help="Claims the table should hold (100000).")
    parser.add_argument("--samples", type=int, default=200, help="Claims timed (200).")
    parser.add_argument("--warm-up", type=int, default=10, help="Untimed calls first (10).")
    parser.add_argument("--page", type=int, default=50, help="Page size for similar_for_claims; 0 to skip (50).")
    parser.add_argument("--seed", type=int, default=16)
    return parser.parse_args()


def invented_words(rng, count, syllables=(2, 3)):
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice(syllables))))
    words = sorted(words)
    rng.shuffle(words)  # so that the common ones (the first, see ``pick``) are not all alike
    return words


class Statements:
    """Generated news-like statements, with a Zipf-like choice of names so a few are very common."""

    def __init__(self, rng):
        self.rng = rng
        self.places = [word.capitalize() for word in invented_words(rng, 5000)]
        first_names, last_names = invented_words(rng, 300, (2,)), invented_words(rng, 3000, (3,))
        self.people = [f"{rng.choice(first_names).capitalize()} {last.capitalize()}" for last in last_names]
        rare = invented_words(rng, 20000, (3, 4))
        self.nouns = COMMON_NOUNS + rare[:10000]
        self.verbs = COMMON_VERBS + rare[10000:]
        self.recent = []

    def pick(self, items):
        # Long-tailed: the first hundredth of a list gets about a third of the picks.
        return items[int(len(items) * self.rng.random() ** 4)]

    def new(self):
        rng = self.rng
        parts = rng.choice(SUBJECTS) + " {verb} " + rng.choice(OBJECTS) + rng.choice(TAILS)
        values = {
            "noun": self.pick(self.nouns),
            "noun2": self.pick(self.nouns),
            "verb": self.pick(self.verbs),
            "adjective": rng.choice(ADJECTIVES),
            "place": self.pick(self.places),
            "place2": self.pick(self.places),
            "person": self.pick(self.people),
            "person2": self.pick(self.people),
            "number": f"{rng.randint(2, 999)}{rng.choice(SCALES)}",
            "number2": rng.randint(2, 99),
            "number3": rng.randint(2, 99),
            "unit": rng.choice(UNITS),
            "year": rng.randint(1990, 2026),
            "month": rng.choice(MONTHS),
            "percent": rng.randint(1, 60),
        }
        statement = parts.format(**values)
        return statement if statement.endswith(".") else statement + "."

    def __next__(self):
        rng = self.rng
        if self.recent and rng.random() < 0.05:
            earlier = rng.choice(self.recent)
            words = earlier.rstrip(".").split()
            if rng.random() < 0.5:
                words = words[-2:] + words[:-2]  # reworded: the same words moved
            else:
                words = [
                    "not" if word == "will" else str(rng.randint(2, 999)) if word.isdigit() else word for word in words
                ]
            return " ".join(words) + "."
        statement = self.new()
        if len(self.recent) < 1000:
            self.recent.append(statement)
        else:
            self.recent[rng.randrange(1000)] = statement
        return statement


def fill(target, rng):
    """Top the claims table up to ``target`` rows; return how many were added and how long it took."""
    from django.db import connection

    from editorial.models import Claim
    from editorial.public.version import statement_slug

    existing = Claim.objects.count()
    missing = target - existing
    if missing <= 0:
        return 0, 0.0
    statements = Statements(rng)
    now = datetime.now(UTC)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        columns = "statement, slug, status, verdict, verdict_explanation, created_at, modified_at"
        with connection.cursor() as cursor, cursor.copy(f"COPY editorial_claim ({columns}) FROM STDIN") as copy:
            for _ in range(missing):
                statement = next(statements)
                copy.write_row((statement, statement_slug(statement), "draft", "", "", now, now))
    else:
        batch = []
        for _ in range(missing):
            statement = next(statements)
            batch.append(Claim(statement=statement, slug=statement_slug(statement)))
            if len(batch) == 5000:
                Claim.objects.bulk_create(batch)
                batch = []
        Claim.objects.bulk_create(batch)
    return missing, time.perf_counter() - started


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def explain(claim_id):
    """Print EXPLAIN ANALYZE of the PostgreSQL candidate queries for one claim."""
    from django.db import connection

    from editorial.models import Claim
    from editorial.similarity import postgres, similar_to_claim

    statement = Claim.objects.get(pk=claim_id).statement
    print(f"\nEXPLAIN ANALYZE for claim {claim_id}: {statement!r}")
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        similar_to_claim(claim_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(postgres.WORD_THRESHOLD)]
        )
        for sql, params in captured:
            if "LATERAL" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            print()


def main():
    arguments = parse_arguments()
    setup_django(arguments.database_url, writer="the benchmark")
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from editorial.models import Claim
    from editorial.similarity import similar_for_claims, similar_to_claim

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Migrating …", flush=True)
        call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    rng = random.Random(arguments.seed)
    added, elapsed = fill(arguments.claims, rng)
    if added:
        print(f"Inserted {added} claims in {elapsed:.1f} s ({added / elapsed:.0f}/s).", flush=True)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # VACUUM also moves the GIN indexes' pending entries into the index proper, as autovacuum would.
            analyze = "VACUUM ANALYZE editorial_claim" if connection.vendor == "postgresql" else "ANALYZE"
            cursor.execute(analyze)
        print(f"{analyze}: {time.perf_counter() - started:.1f} s", flush=True)
    total = Claim.objects.count()
    highest = Claim.objects.order_by("-pk").values_list("pk", flat=True).first()
    lowest = Claim.objects.order_by("pk").values_list("pk", flat=True).first()
    ids = []
    while len(ids) < arguments.samples + arguments.warm_up:
        pk = rng.randint(lowest, highest)
        if Claim.objects.filter(pk=pk).exists():
            ids.append(pk)
    for pk in ids[: arguments.warm_up]:
        similar_to_claim(pk)
    timings, duplicates, found = [], 0, 0
    for pk in ids[arguments.warm_up :]:
        started = time.perf_counter()
        result = similar_to_claim(pk)
        timings.append((time.perf_counter() - started) * 1000)
        found += len(result)
        duplicates += sum(item.duplicate for item in result)
    print(
        f"\nsimilar_to_claim on {connection.vendor}, {total} claims, {len(timings)} random claims: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms; {found / len(timings):.1f} similar and "
        f"{duplicates / len(timings):.2f} likely duplicates per claim"
    )
    if arguments.page:
        pages = [ids[n : n + arguments.page] for n in range(0, min(len(ids), 5 * arguments.page), arguments.page)]
        page_timings = []
        for page in pages:
            started = time.perf_counter()
            similar_for_claims(page)
            page_timings.append((time.perf_counter() - started) * 1000)
        print(
            f"similar_for_claims, pages of {arguments.page}: median {statistics.median(page_timings):.0f} ms "
            f"over {len(page_timings)} pages"
        )
    if connection.vendor == "postgresql":
        explain(ids[-1])


if __name__ == "__main__":
    main()
